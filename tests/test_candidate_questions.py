"""The candidate's questions: the library recognises every kind candidates ask (its examples are
understood as their intent by both shipped personas), the new patterns do not take lines meant
as something else, and W112 names the common questions a persona cannot answer."""

from __future__ import annotations

import functools
import json

import pytest
from click.testing import CliRunner

from closer.cli.main import cli
from closer.engine import compile_scenario, load_path
from closer.engine.format import model as m
from closer.engine.format.patterns import normalize
from closer.engine.runtime.program import Program
from closer.engine.tools.lint import lint
from tests.helpers import ROOT, compile_text

SHIPPED = tuple(sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml")))  # every shipped one
AFTER_INVITE = ("candidate_questions", "closing_discussion", "closing_clear")


@pytest.fixture(scope="module", params=SHIPPED)
def shipped(request: pytest.FixtureRequest) -> Program:
    return compile_scenario(load_path(ROOT / "scenarios" / f"{request.param}.yaml"))


def understood(program: Program, line: str, state: str) -> str | None:
    utt = normalize(line)
    match = program.classify(utt, program.listening(state, utt))
    return match.intent if match else None


# ---- recall: the library's own examples ------------------------------------------------------


def test_every_candidate_question_is_standard_and_has_three_to_six_examples(
    shipped: Program,
) -> None:
    assert set(m.CANDIDATE_QUESTIONS) <= set(m.STANDARD_INTENTS)
    library = {i.id: i for i in shipped.intents}
    for name in m.CANDIDATE_QUESTIONS:
        own = [e for e in library[name].examples if e in library_examples(name)]
        assert 3 <= len(own) <= 6, (name, own)


def library_examples(name: str) -> list[str]:
    return list(_library()["intents"][name].get("examples", []))


@functools.cache
def _library() -> dict[str, dict[str, dict[str, list[str]]]]:
    import yaml

    text = (ROOT / "scenarios" / "library" / "standard.yaml").read_text(encoding="utf-8")
    library: dict[str, dict[str, dict[str, list[str]]]] = yaml.safe_load(text)
    return library


@pytest.mark.parametrize("name", m.CANDIDATE_QUESTIONS)
def test_the_library_examples_are_understood_by_both_personas(shipped: Program, name: str) -> None:
    for example in library_examples(name):
        assert understood(shipped, example, "candidate_questions") == name, example


@pytest.mark.parametrize(
    "line",
    [
        "what's the year 5 team like?",  # played in tmux (hillcrest): her "I don't want to guess"
        "can you tell me about the year five team?",
        "what are the other teachers like?",
    ],
)
def test_the_team_asked_about_with_words_between_is_the_team(shipped: Program, line: str) -> None:
    assert understood(shipped, line, "candidate_questions") == "ask_team"


def test_both_personas_answer_every_candidate_question(shipped: Program) -> None:
    assert set(m.CANDIDATE_QUESTIONS) <= set(shipped.answers)
    assert not [d for d in lint(shipped) if d.code in ("W105", "W112")]


# ---- precision: lines meant as something else ------------------------------------------------

CLOSING = [
    "Is there anything I said today, or in my background, that would prevent you from "
    "recommending me?",
    "Is there anything I said today, or in my background, that would prevent you from "
    "recommending me? If there is, could I have a chance to talk about it while I'm here?",
    "Do you have any reservations about me?",
    "Do you have any concerns about my fit for the team?",
    "Is there anything about my background that gives you pause?",
    "What would keep you from recommending me for this role?",
    "Anything in my experience that makes you hesitant to move me forward?",
    "Are there any doubts about my ability to do the job on nights?",
]
OTHERS = [
    ("Is there anything else?", "anything_else"),
    ("Does that address your concern?", "confirm"),
    ("How did I do?", "how_did_i_do"),
    ("No, that's all from me", "no_questions"),
    ("Thanks for your time", "goodbye"),
]


@pytest.mark.parametrize("state", AFTER_INVITE)
@pytest.mark.parametrize("line", CLOSING)
def test_the_closing_question_is_never_taken_for_a_candidate_question(
    shipped: Program, line: str, state: str
) -> None:
    assert understood(shipped, line, state) == "closing_question"


@pytest.mark.parametrize("state", AFTER_INVITE)
@pytest.mark.parametrize(("line", "intent"), OTHERS)
def test_navigation_lines_keep_their_intent(
    shipped: Program, line: str, intent: str, state: str
) -> None:
    assert understood(shipped, line, state) == intent


def test_a_probe_is_a_probe_after_the_vague_line(shipped: Program) -> None:
    assert understood(shipped, "What do you mean by that?", "closing_discussion") == "probe"
    before = understood(shipped, "What do you mean by that?", "candidate_questions")
    assert before is None or not before.startswith("ask_")


# What candidates say to address a concern, touching the new questions' topics (the pager,
# weekends, nights, training, a mentor, the team): none is a candidate question.
ADDRESSING = [
    "I'm happy to carry the pager, I've been on call one week in four at Tallyhouse.",
    "I don't mind nights and weekends, honestly, it's part of the job.",
    "I prefer nights; my partner works days and the kids are in school.",
    "I did a forty-hour refresher course, and I'll pick up Epic quickly with the super-users.",
    "I mentored two juniors at Tallyhouse and ran our code review training.",
    "My last team was great, I learned a lot from them and I respect them.",
    "We shipped fast, but behind feature flags, with canaries and a rollback plan.",
    "The culture at Brightloop was fine; the company ran out of money.",
    "I worked weekends and overtime on my old floor when we were short, and I pitched in.",
]


@pytest.mark.parametrize("line", ADDRESSING)
def test_answers_to_a_concern_are_not_taken_for_the_new_questions(
    shipped: Program, line: str
) -> None:
    got = understood(shipped, line, "closing_discussion")
    assert got not in m.COMMON_QUESTIONS, got


def test_long_term_evidence_is_not_taken_for_a_question(shipped: Program) -> None:
    line = "I want to stay long term; payments is where I want to build my career."
    assert understood(shipped, line, "closing_discussion") != "ask_long_term"


def test_explain_with_the_state_shows_no_candidate_question_wins(runner: CliRunner) -> None:
    for line in ["Do you have any reservations about me?", "Does that address your concern?"]:
        result = runner.invoke(
            cli, ["explain", "riverbend", line, "--state", "candidate_questions", "--json"]
        )
        assert result.exit_code == 0, result.output
        assert not json.loads(result.output)["intent"].startswith("ask_")


# ---- W112 -------------------------------------------------------------------------------------


def test_w112_names_every_missing_common_question_once(default_text: str) -> None:
    kept = [
        line
        for line in default_text.splitlines(keepends=True)
        if not line.startswith(("      ask_remote:", "      ask_pay:"))
    ]
    assert len(kept) == len(default_text.splitlines()) - 2
    text = "".join(kept)
    found = [d for d in lint(compile_text(text)) if d.code.startswith("W")]
    assert [(d.code, d.message) for d in found] == [
        ("W112", "no answer for 2 common candidate questions: ask_remote, ask_pay")
    ]
    line = text.splitlines().index("  candidate_questions:") + 1
    assert (found[0].span.line, found[0].span.col) == (line, 3)
