"""Explanations: the winner, every runner-up and why it lost, the concern scan; `closer explain`,
`closer play --trace` and `/why`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from closer.cli.main import cli
from closer.engine.format.patterns import normalize
from closer.engine.runtime.program import Program
from closer.engine.tools.explain import explain
from tests.helpers import DEFAULT, compile_text
from tests.test_session import ANSWERS

DATA = Path(__file__).parent / "data"
MUST_SHOW = "Is there anything that would prevent you from recommending me?"


def everything(program: Program) -> frozenset[str]:
    return frozenset(i.id for i in program.intents)


def test_explain_json_has_the_winner_and_runners_up(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["explain", "ledgerline", MUST_SHOW, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["intent"] == "closing_question"
    assert data["rule"].startswith("closing_question#") and data["score"] >= 2
    assert data["source"].rsplit(":", 2)[0].endswith("standard.yaml")
    assert isinstance(data["runners_up"], list) and isinstance(data["concerns"], list)


def test_a_runner_up_that_lost_on_score(runner: CliRunner) -> None:
    text = "What do you mean, is there anything that would prevent you from recommending me?"
    data = json.loads(runner.invoke(cli, ["explain", "ledgerline", text, "--json"]).output)
    assert data["intent"] == "probe"
    lost = {c["intent"]: c for c in data["runners_up"]}
    assert lost["closing_question"]["why"] == "lower_score"
    assert lost["closing_question"]["score"] < data["score"]
    assert "lower score" in lost["closing_question"]["reason"]
    # the runner-up's source points at the very pattern it names
    path, line, _ = lost["closing_question"]["source"].rsplit(":", 2)
    written = Path(path).read_text(encoding="utf-8").splitlines()[int(line) - 1]
    assert lost["closing_question"]["pattern"] in written.replace('"', "")


TIES = """\
closer: 1
id: ties
title: Ties
position: Engineer
persona:
  name: Ann Lee
  role: Manager
  company: Acme
  style:
    acknowledgements: Okay.
    hesitation: (pauses)
    no_concerns: None at all.
candidate:
  name: Sam
  background: [Engineer.]
intents:
  ask_low:
    priority: 1
    patterns: [tell me about the office]
  ask_high:
    priority: 2
    patterns: [tell me about the office]
  ask_later:
    priority: 2
    patterns: [tell me about the office]
flow:
  opening: {say: Hello.}
  questions:
    - id: first
      ask: Tell me about you.
  candidate_questions:
    prompt: Questions?
    answers:
      ask_low: Low.
      ask_high: High.
      ask_later: Later.
  closing: {say: Bye.}
"""


def test_ties_lose_on_priority_then_on_file_order() -> None:
    program = compile_text(TIES)
    result = explain(program, normalize("Tell me about the office?"), everything(program))
    assert result.winner is not None and result.winner.intent == "ask_high"
    why = {c.match.intent: c.why for c in result.runners_up}
    assert why == {"ask_low": "lower_priority", "ask_later": "later_definition"}
    assert result.runners_up[0].match.intent == "ask_later"  # the closer call is listed first


def test_in_a_state_intents_not_listened_for_are_named(runner: CliRunner) -> None:
    args = ["explain", "ledgerline", "tell me more about it", "--state", "system", "--json"]
    data = json.loads(runner.invoke(cli, args).output)
    assert data["intent"] is None and data["state"] == "system"
    probe = next(c for c in data["runners_up"] if c["intent"] == "probe")
    assert probe["why"] == "not_listening" and "state system" in probe["reason"]
    # the same line once the closing discussion is under way is a probe
    args[4] = "closing_discussion"
    assert json.loads(runner.invoke(cli, args).output)["intent"] == "probe"


def test_unknown_state_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["explain", "ledgerline", "hi", "--state", "lobby"])
    assert result.exit_code == 2
    assert "'lobby' is not a state of ledgerline" in result.output


def test_scan_marks_negated_evidence(program: Program) -> None:
    hits = explain(program, normalize("I never saw it through"), everything(program)).scan
    completion = [h for h in hits if h.group == "completion"]
    assert completion and all(h.negated for h in completion)
    hits = explain(program, normalize("I saw it through"), everything(program)).scan
    assert [h.negated for h in hits if h.group == "completion"] == [False]


def test_the_explanation_agrees_with_the_session_on_every_paraphrase(program: Program) -> None:
    """The winner is what `classify` picks, in every state, and no runner-up outranks it."""
    lines = []
    for name in ("paraphrases.yaml", "paraphrases_blind.yaml"):
        data = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
        lines += data["closing_question"] + [c["text"] for c in data["near_misses"]]
    assert len(lines) > 150
    for state in ("system", "candidate_questions", "closing_discussion"):
        for text in lines:
            utt = normalize(text)
            allowed = program.listening(state, utt)
            result = explain(program, utt, allowed, state)
            assert result.winner == program.classify(utt, allowed)
            for c in result.runners_up:
                if c.why == "not_listening":
                    assert c.match.intent not in allowed
                else:
                    assert result.winner is not None
                    assert (c.match.score, c.match.priority) <= (
                        result.winner.score,
                        result.winner.priority,
                    )


def test_play_trace_shows_the_hidden_side_and_why_hides_it(runner: CliRunner) -> None:
    speed = "I shipped it fast, speed over everything, we move fast."
    lines = [ANSWERS[0], speed, "/why"]
    traced = runner.invoke(cli, ["play", "--seed", "2", "--instant", "--trace"], "\n".join(lines))
    assert traced.exit_code == 0, traced.output
    assert "  | [opening] no intent matched" in traced.output
    assert "  | state opening -> about_you" in traced.output
    assert "  | concern speed -> raised" in traced.output
    assert "theme '(fast|faster|quick|quickly)' matched" in traced.output
    assert "  | answer to about_you judged: shows " in traced.output
    plain = runner.invoke(cli, ["play", "--seed", "2", "--instant"], "\n".join(lines))
    assert "  | " not in plain.output
    assert "judged" not in plain.output.split("Debrief")[0]  # the judgement stays hidden in play
    # /why explains the line but keeps the interviewer's thoughts hidden
    why = plain.output.split("No intent matched your last line")[1].split("Debrief")[0]
    assert "speed" not in why and "concern" not in why


def test_why_after_resume_explains_the_line_before_the_pause(
    runner: CliRunner, tmp_path: Path
) -> None:
    t = tmp_path / "t.jsonl"
    first = runner.invoke(
        cli,
        ["play", "--seed", "5", "--instant", "--transcript", str(t)],
        "fine\nwhat do you mean?\n",
    )
    assert first.exit_code == 0
    lines = t.read_text(encoding="utf-8").splitlines()
    t.write_text("\n".join(lines[:-2]) + "\n", encoding="utf-8")  # drop verdict and end: a crash
    resumed = runner.invoke(cli, ["play", "--resume", str(t), "--instant"], "/why\n")
    assert resumed.exit_code == 0, resumed.output
    assert "intent probe by probe#1" in resumed.output


def test_explaining_costs_nothing_when_off(tmp_path: Path) -> None:
    """A normal session never imports the explainer; `--trace` does."""
    code = (
        "import sys; from click.testing import CliRunner; from closer.cli.main import cli; "
        "r = CliRunner().invoke(cli, ['play', '--instant', '--seed', '1'] + sys.argv[1:], "
        "'fine\\nno questions\\n'); assert r.exit_code == 0, r.output; "
        "print('closer.engine.tools.explain' in sys.modules)"
    )
    for flags, imported in (([], "False"), (["--trace"], "True")):
        out = subprocess.run(
            [sys.executable, "-c", code, *flags],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=DEFAULT.parent.parent,
        )
        assert out.stdout.strip().splitlines()[-1] == imported, out.stderr


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("How do you mean?", "probe"),
        ("Got it, thanks.", "acknowledge"),
        ("What would you expect from me in the first year?", "ask_expectations"),
    ],
)
def test_phrasings_the_test_writers_missed(program: Program, text: str, intent: str) -> None:
    """Found while writing the shipped conversation tests; kept so they stay understood."""
    result = explain(program, normalize(text), everything(program))
    assert result.winner is not None and result.winner.intent == intent
