"""The debrief is a function of the transcript, and says only what happened: every statement
about the candidate quotes the candidate's words with the turn, and every tip's condition holds.

Most cases are hand-made transcripts (`Script`), so that they pin the debrief whatever the
session does with a line; a few play real sessions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

from closer.cli import debrief as words
from closer.cli.main import cli
from closer.cli.render import Painter
from closer.cli.transcript import header
from closer.engine import compile_scenario, load_path
from closer.engine.format.patterns import normalize
from closer.engine.runtime.events import (
    AssessEvent,
    ConcernEvent,
    CueEvent,
    EndEvent,
    Event,
    IntentEvent,
    SayEvent,
    VerdictEvent,
    event_from_json,
)
from closer.engine.runtime.program import Program
from closer.engine.runtime.session import Session
from closer.engine.tools.debrief import (
    ELLIPSIS,
    Debrief,
    Quote,
    build_debrief,
    excerpt,
    quote,
)
from tests.helpers import ROOT, play, play_events
from tests.test_session import ANSWERS, CLOSING, RESOLVE_TENURE

LEDGERLINE_CLOSE = "Is there anything I said today that would prevent you from recommending me?"


@pytest.fixture(scope="module")
def riverbend() -> Program:
    return compile_scenario(load_path(ROOT / "scenarios" / "riverbend.yaml"))


def debrief(program: Program, events: list[dict]) -> Debrief:
    """The debrief of a transcript's events (what `closer debrief` reads)."""
    return build_debrief(program, [event_from_json(e) for e in events])


def shown(program: Program, d: Debrief) -> str:
    """The debrief as the terminal shows it (no colour), and as Markdown, one after the other."""
    persona = program.scenario.persona.name.split()[0]
    text = words.text(Painter(False), d, persona)
    return text + "\n" + words.markdown(d, persona, program.scenario.title)


class Script:
    """A hand-made transcript: interviewer lines in a state, candidate lines with how they were
    understood, concern changes, cues, assessments, and the end."""

    def __init__(self, program: Program, background: Sequence[str] = ()) -> None:
        self.program = program
        self.events: list[Event] = [ConcernEvent(0, c, "raised") for c in background]
        self.turn = 0
        self.state = "opening"
        self.she("Hi, thanks for coming in.")

    def she(self, text: str, state: str | None = None, clue: str | None = None) -> Script:
        self.state = state or self.state
        phase = self.program.phase(self.state)
        self.events.append(SayEvent(self.turn, "interviewer", text, phase, self.state, clue))
        return self

    def me(self, text: str, intent: str | None = None, **kw: object) -> Script:
        self.turn += 1
        self.events.append(SayEvent(self.turn, "candidate", text))
        rule, score = (f"{intent}#1", 2) if intent else (None, 0)
        self.events.append(IntentEvent(self.turn, intent, rule, score, **kw))  # type: ignore[arg-type]
        return self

    def concern(self, cid: str, status: str, **kw: object) -> Script:
        if "evidence" in kw:
            kw["evidence"] = tuple(kw["evidence"])  # type: ignore[arg-type]
        self.events.append(ConcernEvent(self.turn, cid, status, **kw))  # type: ignore[arg-type]
        return self

    def cue(self, kind: str, text: str = "*pauses*") -> Script:
        self.events.append(CueEvent(self.turn, kind, text))
        return self

    def assess(self, question: str, **kw: object) -> Script:
        self.events.append(AssessEvent(self.turn, question, **kw))  # type: ignore[arg-type]
        return self

    def end(self, reason: str = "completed", outcome: str = "undecided", score: int = 60) -> list:
        return [*self.events, VerdictEvent(self.turn, outcome, score), EndEvent(self.turn, reason)]


def to_the_close(s: Script) -> Script:
    """Ledgerline's six questions answered plainly, up to the candidate's questions."""
    s.me("Fine, thanks.").she("Let's start with you.", "about_you")
    for q in ("system", "incident", "testing", "oncall", "why_us"):
        s.me("I did 3 things there.").she(f"Next: {q}?", q)
    return s.me("I like the team.").she("What questions do you have for me?", "candidate_questions")


def card_closing(s: Script, text: str = LEDGERLINE_CLOSE, **kw: object) -> Script:
    """The closing question, the hesitation and the vague line about tenure."""
    s.me(text, "closing_question", form=kw.pop("form", "plain"))
    s.cue("hesitation").she("We've had some turnover.", "closing_discussion")
    return s.concern("tenure", "hinted")


# ---- quotes ---------------------------------------------------------------------------------


def test_a_long_line_is_cut_at_word_boundaries_around_what_counted(program: Program) -> None:
    words_ = [f"w{i}," for i in range(60)]
    words_[40] = "Brightloop shut down,"
    line = " ".join(words_)
    tenure = program.concern_by_id["tenure"]
    q = quote(12, line, [p for g in tenure.groups for p in g.patterns])
    assert q.turn == 12 and q.text.startswith(ELLIPSIS) and q.text.endswith(ELLIPSIS)
    assert "Brightloop shut down" in q.text
    assert q.verbatim in line and len(q.verbatim.split()) <= 25
    assert not q.verbatim.endswith(",")  # cut at a word, its comma dropped before the mark
    assert excerpt("short and whole. ") == "short and whole."


def test_every_statement_about_the_candidate_has_its_turn(program: Program) -> None:
    lines = list(ANSWERS)
    lines[6] = "My last team was a mess and my manager was clueless; payments is my thing."
    _, events = play(program, [*lines, CLOSING, "What do you mean?", RESOLVE_TENURE])
    d = debrief(program, events)
    said = {e["turn"]: e["text"] for e in events if e.get("speaker") == "candidate"}
    assert d.quotes()  # something to check
    for q in d.quotes():
        assert q.verbatim in said[q.turn]
    blame = next(r for r in d.concerns if r.id == "blame")
    assert blame.trigger == Quote(7, lines[6])
    assert f'"{lines[6]}" (turn 7)' in shown(program, d)


# ---- the statements of issue 9, each shown not to appear where it would be false ----------


def test_a_misread_answer_is_not_called_asking_too_early(program: Program) -> None:
    """A long "why Ledgerline" answer taken for the closing question and put off: the
    candidate did not ask anything, so nothing is said about asking too early."""
    s = to_the_close(Script(program, ["tenure"]))
    s.events = s.events[:-2]  # back in why_us
    s.state = "why_us"
    answer = (
        "From your engineering blog it's clear you take correctness seriously, and I have no "
        "doubt that my background fits."
    )
    s.me(answer, "closing_question", form="plain", deferred=True)
    s.she("Let's hold that thought until I've finished my questions.")
    d = build_debrief(program, s.end("eof"))
    assert d.scorecard.premature == 0 and d.scorecard.too_early == ()
    assert "too_early" not in [t.kind for t in d.tips]
    out = shown(program, d)
    assert "too early" not in out and "before Priya had finished" not in out


def test_a_closing_question_asked_too_early_is_quoted(program: Program) -> None:
    s = Script(program, ["tenure"]).me("Fine.").she("Let's start with you.", "about_you")
    s.me("Any reservations about my fit so far?", "closing_question", form="plain", deferred=True)
    d = build_debrief(program, s.end("eof"))
    assert d.scorecard.too_early == (Quote(2, "Any reservations about my fit so far?"),)
    assert d.tips[0].kind == "too_early"
    assert 'You asked "Any reservations about my fit so far?" (turn 2) before' in shown(program, d)


def test_asking_for_a_chance_after_the_vague_line_counts_as_the_second_half(
    program: Program,
) -> None:
    s = card_closing(to_the_close(Script(program, ["tenure"])))
    s.me("I'd rather hear it now so I can respond.").she("Mm-hm.")
    s.me("What do you mean?", "probe").she("It's the four companies.").concern("tenure", "revealed")
    d = build_debrief(program, s.end("eof"))
    assert d.scorecard.full_form
    assert d.scorecard.chance == Quote(9, "I'd rather hear it now so I can respond.")
    assert "second_half" not in [t.kind for t in d.tips]
    assert "Add the second half" not in shown(program, d)
    # without it, the tip is given (and the window ends at the specific line)
    s = card_closing(to_the_close(Script(program, ["tenure"])))
    s.me("What do you mean?", "probe").she("It's the four companies.").concern("tenure", "revealed")
    s.me("Fine, then I'd like a chance to respond to that.").she("Go ahead.")
    d = build_debrief(program, s.end("eof"))
    assert not d.scorecard.full_form and d.tips[0].kind == "second_half"


def test_evidence_is_credited_with_the_candidates_words_not_the_labels_examples(
    riverbend: Program,
) -> None:
    s = Script(riverbend, ["gap"]).me("Fine.").she("Tell me about you.", "about_you")
    s.me("I finished a refresher course, my license is active, and I shadowed a nurse on 4 East.")
    s.concern("gap", "preempted", evidence=["credentials", "hands_on", "refresher"])
    d = build_debrief(riverbend, s.end("eof"))
    gap = d.concerns[0]
    assert {e.kind for e in gap.evidence} == {
        "your license and certifications",
        "hands-on practice since you left",
        "what you've done to refresh your skills",
    }
    assert all(e.quote is not None and e.quote.turn == 2 for e in gap.evidence)
    out = shown(riverbend, d)
    assert "I shadowed a nurse on 4 East." in out
    assert "per diem" not in out and "volunteering" not in out


def test_kinds_one_line_carried_share_one_quote_and_lines_come_in_the_order_said(
    riverbend: Program,
) -> None:
    """Two kinds of evidence in one long line were two cuts of it, each around its own match,
    read as two different lines; and evidence came in the concern's order, not the turns'."""
    s = Script(riverbend, ["gap"]).me("Fine.").she("Tell me about you.", "about_you")
    s.me("I kept my license active the whole time.").she("And the gap?", "gap_q")
    long_line = (
        "Well, to be honest with you, and I know this is a long answer to a short question, I "
        "finished a refresher course and shadowed a nurse on 4 East for two weeks, which took "
        "up most of my evenings and weekends at the community college last spring and summer"
    )
    s.me(long_line)
    s.concern("gap", "preempted", evidence=["refresher", "hands_on", "credentials"])
    d = build_debrief(riverbend, s.end("eof"))
    gap = d.concerns[0]
    assert [e.quote.turn for e in gap.evidence if e.quote] == [2, 3, 3]
    (one,) = {e.quote for e in gap.evidence if e.quote and e.quote.turn == 3}
    assert "refresher course and shadowed a nurse" in one.text and one.text.startswith("…")
    # matches too far apart for one cut keep a cut each: each shows its own words
    far = long_line.replace("refresher course and ", "") + ", and a refresher course later on"
    s = Script(riverbend, ["gap"]).me("Fine.").she("Tell me about you.", "about_you")
    s.me(far).concern("gap", "preempted", evidence=["refresher", "hands_on"])
    cuts = [e.quote for e in build_debrief(riverbend, s.end("eof")).concerns[0].evidence]
    assert len(set(cuts)) == 2 and all(q and "…" in q.text for q in cuts)
    block = words.text(Painter(False), d, "Pam").split("Evidence that counted:")[1]
    block = " ".join(block.split("\n\n")[0].split())
    assert block.count("(turn 3)") == 1 and block.index("(turn 2)") < block.index("(turn 3)")
    assert "refresh your skills and hands-on practice" in block


def test_ignored_probes_never_give_probe_before_you_answer(program: Program) -> None:
    """The newcomer's probes were not understood, five times; then an answer. No tip to probe,
    and the card says plainly that the questions were not picked up."""
    s = card_closing(to_the_close(Script(program, ["tenure"])))
    s.me("What's that supposed to mean?").she("Mm-hm.")
    s.me("Meaning what, exactly?").she("Okay.")
    s.me("Can you tell me more about that concern?", "closing_question", form="plain")
    s.she("We've had some turnover.")
    s.me("Brightloop shut down and payments is where I want to stay.")
    s.concern("tenure", "partly_resolved", evidence=["commitment", "external"], early=True)
    s.she("Mm. That's not quite what I was getting at.")
    d = build_debrief(program, s.end("eof"))
    tenure = d.concerns[0]
    assert tenure.answered_early is None and tenure.probed_first is None
    assert [q.turn for q in tenure.unheard_probes] == [9, 10, 11]
    assert "probe_first" not in [t.kind for t in d.tips]
    out = shown(program, d)
    assert "probe before you answer" not in out
    assert 'Your question "What\'s that supposed to mean?" (turn 9) was not picked up' in out
    assert "you tried, but Priya did not pick it up" in out


def test_answering_straight_after_the_vague_line_gives_the_probe_tip(program: Program) -> None:
    s = card_closing(to_the_close(Script(program, ["tenure"])))
    s.me("Brightloop shut down and payments is where I want to stay.")
    s.concern("tenure", "partly_resolved", evidence=["commitment", "external"], early=True)
    d = build_debrief(program, s.end("eof"))
    want = Quote(9, "Brightloop shut down and payments is where I want to stay.")
    assert d.concerns[0].answered_early == want and d.scorecard.probed is False
    assert any(t.kind == "probe_first" and t.quote == want for t in d.tips)
    # the same evidence asked as a question is a guess at the concern, not an answer
    s = card_closing(to_the_close(Script(program, ["tenure"])))
    s.me("Is it because Brightloop shut down?")
    s.concern("tenure", "partly_resolved", evidence=["external"], early=True)
    d = build_debrief(program, s.end("eof"))
    assert d.concerns[0].answered_early is None
    assert "probe_first" not in [t.kind for t in d.tips]


def test_a_preempted_concern_is_named_with_the_line_that_preempted_it(program: Program) -> None:
    s = to_the_close(Script(program, ["tenure"]))
    line = "Brightloop shut down, and payments is where I want to stay for years."
    s.me(line).concern("tenure", "preempted", quote=line, evidence=["commitment", "external"])
    s.she("Okay.")
    s.me(LEDGERLINE_CLOSE, "closing_question", form="plain").cue("quick", "No, nothing.")
    d = build_debrief(program, s.end("completed", "advance", 90))
    assert d.never_heard == () and [r.id for r in d.preempted] == ["tenure"]
    out = shown(program, d)
    assert "None: everything" not in out
    assert f'Will you stay?: pre-empted when you said "{line}" (turn 8)' in out


def test_a_clue_names_the_question_the_candidate_asked_not_an_id(riverbend: Program) -> None:
    s = Script(riverbend, ["gap", "staffing"]).me("Fine.")
    s.she("Ask me anything.", "candidate_questions")
    s.me("What's the night team like?", "ask_night_team")
    s.she("Oh, they're a great bunch. Some nights we're short.", clue="staffing")
    d = build_debrief(riverbend, s.end("eof"))
    out = shown(riverbend, d)
    assert "ask night team" not in out and "ask_night_team" not in out
    assert 'When you asked "What\'s the night team like?" (turn 2), the answer hinted at' in out


def test_no_clue_is_claimed_for_a_worry_she_never_had(riverbend: Program) -> None:
    s = Script(riverbend, ["gap"]).me("Fine.").she("Ask me anything.", "candidate_questions")
    s.me("What's the night team like?", "ask_night_team")
    s.she("Oh, they're a great bunch. Some nights we're short.", clue="staffing")
    d = build_debrief(riverbend, s.end("eof"))
    assert d.clues == ()
    assert "hinted at" not in shown(riverbend, d)


def test_counts_are_words_not_placeholders(program: Program) -> None:
    s = to_the_close(Script(program, ["tenure"]))
    s.me("How did I do?", "how_did_i_do").she("We'll be in touch.")
    s.me(LEDGERLINE_CLOSE, "closing_question", form="plain").cue("quick", "No.")
    d = build_debrief(program, s.end("completed"))
    out = shown(program, d)
    assert "(s)" not in out
    assert '"How did I do?" instead: once (a polite non-answer)' in out


def test_a_misunderstandings_title_is_not_labelled_twice(program: Program) -> None:
    s = to_the_close(Script(program))
    s.events = s.events[:-2]
    s.me("I'd rather not do nights and weekends.").concern("oncall", "raised")
    d = build_debrief(program, s.end("eof"))
    out = shown(program, d)
    assert "Won't carry the pager (real, a misunderstanding): never surfaced" in out
    assert "(a misunderstanding) (" not in out
    assert "(a misunderstanding) (real, a misunderstanding)" not in out


def test_the_tip_about_what_raised_a_concern_needs_something_said(program: Program) -> None:
    s = to_the_close(Script(program, ["tenure"]))
    d = build_debrief(program, s.end("eof"))
    assert "trigger" not in [t.kind for t in d.tips]
    assert "answer differently" not in shown(program, d)
    s = Script(program, ["tenure"]).me("Fine.").she("Let's start with you.", "about_you")
    s.me("My last manager was clueless.").concern("blame", "raised")
    s.me(LEDGERLINE_CLOSE, "closing_question", deferred=True, form="plain")  # not a question
    d = build_debrief(program, s.end("eof"))
    trigger = [t for t in d.tips if t.kind == "trigger"]
    assert trigger and trigger[0].quote == Quote(2, "My last manager was clueless.")


def test_tips_are_only_those_whose_condition_holds(program: Program) -> None:
    """A clean session: asked in full, probed, resolved, asked for more, asked questions,
    numbers in every answer. No tip has anything to say but the trigger of nothing."""
    lines = [*ANSWERS, "Why is this position open?", CLOSING, "What do you mean?"]
    _, events = play(program, [*lines, RESOLVE_TENURE, "Anything else?", "No, that's all."])
    d = debrief(program, events)
    assert d.scorecard.full_form and d.scorecard.probed and d.scorecard.anything_else
    assert d.tips == () and d.left is None
    assert "Tips for next time" not in shown(program, d)


# ---- leaving early --------------------------------------------------------------------------


def test_leaving_early_is_named_first_and_the_verdict_is_where_she_stood(
    program: Program,
) -> None:
    _, events = play_events(program, ["Fine, thanks."])
    events = [e for e in events if e.kind not in ("verdict", "end")]
    events += [VerdictEvent(1, "undecided", 56), EndEvent(1, "quit")]
    d = build_debrief(program, events)
    assert d.left is not None and (d.left.turn, d.left.before) == (1, "questions")
    text = words.text(Painter(False), d, "Priya")
    body = text.split("=" * 30 + " Debrief " + "=" * 30)[1].strip().splitlines()
    assert body[0] == "You left at turn 1, before the interview questions were over."
    assert body[1] == "Where Priya stood when you left: On the fence (56/100)"
    assert "Verdict:" not in text


@pytest.mark.parametrize(
    ("lines", "before"),
    [
        ([*ANSWERS], "closing_question"),
        ([*ANSWERS, CLOSING], "closing"),
        ([*ANSWERS, CLOSING, "What do you mean?", RESOLVE_TENURE, "Anything else?"], None),
    ],
)
def test_where_the_candidate_left(program: Program, lines: list[str], before: str | None) -> None:
    _, events = play(program, lines)
    left = debrief(program, events).left
    assert (left.before if left else None) == before


def test_quit_through_a_real_pipe_says_you_left(tmp_path: Path) -> None:
    from tests.test_play import run

    proc = run(["play", "--instant", "--seed", "3"], ["Fine, thanks.", ANSWERS[1], "/quit"])
    assert proc.returncode == 0, proc.stderr
    debrief_text = proc.stdout.split(" Debrief ")[1]
    assert "You left at turn 2, before the interview questions were over." in debrief_text
    assert "Where Priya stood when you left: " in debrief_text


# ---- answers ------------------------------------------------------------------------------


def test_a_lack_is_told_by_the_question_as_first_asked_not_its_follow_up(
    program: Program,
) -> None:
    """Played in tmux (switchback): "Your answer to 'How confident were you in those numbers?'
    (turn 7) had no result": the follow-up never asked for a result; the answer, from its first
    line, lacked one. A flag is still told where it was raised."""
    s = Script(program).me("Fine.").she("Tell me about a system you designed.", "system")
    s.me("I worked on the routing service.").assess("system", lacks=("result",), points=2)
    s.she("How many requests did it take?", "system")
    s.me("About 2000 a second.").assess("system", shows=("numbers",), lacks=("result",), points=3)
    s.she("Tell me about a production incident.", "incident")
    s.me("I found the consumer bug and fixed it in an hour; the queue drained.")
    s.assess("incident", shows=("example", "ownership", "result"), points=9)
    s.she("How do you test code that moves money?", "testing")
    s.me("I'd rather not go into it.").assess("testing", flags=("evasive",), points=-2)
    s.she("Even roughly?", "testing")
    s.me("Unit tests, I suppose.").assess("testing", flags=("evasive",), points=-1)
    d = build_debrief(program, s.end("eof"))
    flat = " ".join(words.text(Painter(False), d, "Priya").split())
    assert (
        'Your answer to "Tell me about a system you designed." (turn 2: "I worked on the '
        'routing service.") had no result.'
    ) in flat
    assert "How many requests did it take?" not in flat
    assert 'Your answer to "How do you test code that moves money?" (turn 5:' in flat
    assert 'Your strongest answer was to "Tell me about a production incident." (turn 4:' in flat


def test_weak_answers_and_the_strongest_from_assessments(program: Program) -> None:
    s = (
        Script(program, ["tenure"])
        .me("Fine.")
        .she("Tell me about a system you designed.", "system")
    )
    s.me("I designed a routing service for 2000 requests a second; I built it and it held up.")
    s.assess("system", shows=("example", "numbers", "ownership", "result"), points=9)
    s.she("Tell me about a production incident you were part of.", "incident")
    s.me("we fixed it quickly").assess("incident", lacks=("example",), flags=("only_we",), points=1)
    s.she("How do you test code that moves money?", "testing")
    s.me("It's all on my resume.").assess("testing", flags=("evasive",), points=-2)
    d = build_debrief(program, s.end("eof"))
    doc = words.markdown(d, "Priya", program.scenario.title)
    assert doc.index("## Concerns") < doc.index("## Your answers") < doc.index("## Concerns you")
    out = words.text(Painter(False), d, "Priya")
    flat = " ".join(out.split())
    assert (
        'Your answer to "Tell me about a production incident you were part of." (turn 3: "we '
        'fixed it quickly") said "we" but never what you did and had no concrete example.'
    ) in flat
    assert (
        'Your answer to "How do you test code that moves money?" (turn 4: "It\'s all on my '
        'resume.") avoided the question.'
    ) in flat
    assert 'Your strongest answer was to "Tell me about a system you designed." (turn 2:' in flat
    assert "it had a concrete example, numbers, what you did yourself and a result." in flat
    assert d.strongest is not None and d.strongest.quote.turn == 2
    # the assessments say what each answer lacked: no number was asked of these
    assert "numbers" not in [t.kind for t in d.tips]
    assert "incident" not in flat.replace("production incident", "")  # the question, not its id


# ---- saved transcripts, the command, Markdown -----------------------------------------------


def test_rebuilt_from_a_saved_transcript_is_identical(program: Program) -> None:
    _, live = play_events(program, [*ANSWERS, CLOSING, "what do you mean?"])
    saved = [json.loads(json.dumps(e.to_json())) for e in live]
    assert debrief(program, saved) == build_debrief(program, live)
    assert debrief(program, saved).concerns  # something to compare


def saved(tmp_path: Path, program: Program, events: list[Event]) -> Path:
    head = header(program.scenario.id, program.scenario.id, program.scenario.sha256, 1)
    path = tmp_path / "t.jsonl"
    lines = [head, *(e.to_json() for e in events)]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def test_the_debrief_command_in_text_and_markdown(program: Program, tmp_path: Path) -> None:
    lines = list(ANSWERS)
    lines[3] = "Our *queue* backed up <b>for 2 hours</b> once; I found the [bug] and fixed it."
    lines[6] = "My last team was a mess and my manager was clueless; payments is my thing."
    _, events = play_events(program, [*lines, "Why is this position open?", CLOSING, "hm?"])
    t = saved(tmp_path, program, events)
    runner = CliRunner()
    text = runner.invoke(cli, ["debrief", str(t)])
    assert text.exit_code == 0, text.output
    same = runner.invoke(cli, ["debrief", "--format", "text", str(t)])
    assert same.output == text.output and "Debrief" in text.output
    md = runner.invoke(cli, ["debrief", "--format", "markdown", str(t)])
    assert md.exit_code == 0, md.output
    doc = md.output
    headings = [x for x in doc.splitlines() if x.startswith("#")]
    assert headings[0] == f"# Debrief: {program.scenario.title}"
    for h in ("## Verdict", "## Closing question", "## Concerns", "## Tips for next time"):
        assert h in headings
    assert any(h.startswith("### 1. Will you stay?") for h in headings)
    assert doc.index("## Verdict") < doc.index("## Closing question") < doc.index("## Concerns")
    assert "\x1b" not in doc and "=====" not in doc
    for cid in [*program.concern_by_id, "ask_why_open", "ask why open"]:
        assert cid not in doc
    assert f'"{lines[6]}" (turn 7)' in doc
    bad = runner.invoke(cli, ["debrief", "--format", "html", str(t)])
    assert bad.exit_code == 2


def test_markdown_escapes_what_the_candidate_typed(program: Program) -> None:
    s = Script(program, ["tenure"]).me("Fine.").she("Let's start with you.", "about_you")
    s.me("# My *last* manager was clueless <script>").concern("blame", "raised")
    d = build_debrief(program, s.end("eof"))
    doc = words.markdown(d, "Priya", program.scenario.title)
    assert r'"\# My \*last\* manager was clueless \<script\>" (turn 2)' in doc
    assert not any(x.startswith("# My") for x in doc.splitlines())


def test_leaving_without_asking(program: Program) -> None:
    _, events = play(program, [*ANSWERS, "No questions, thanks."])
    d = debrief(program, events)
    assert not d.scorecard.asked
    assert [r.id for r in d.never_heard] == ["tenure"]
    assert d.never_heard[0].trigger is None and d.never_heard[0].background is not None
    assert "four companies" in d.never_heard[0].background
    assert d.tips[0].kind == "ask_closing"


def test_a_full_close(program: Program) -> None:
    lines = [*ANSWERS, CLOSING, "What do you mean?", RESOLVE_TENURE, "Anything else?"]
    _, events = play(program, lines)
    d = debrief(program, events)
    card = d.scorecard
    assert card.asked and card.full_form and card.probed and card.anything_else
    assert card.turn == len(ANSWERS) + 1
    tenure = next(r for r in d.concerns if r.id == "tenure")
    assert tenure.status == "resolved" and tenure.heard
    assert {e.quote for e in tenure.evidence} == {Quote(len(ANSWERS) + 3, RESOLVE_TENURE)}
    assert tenure.missing == ()
    assert d.never_heard == ()


def test_said_aloud_versus_thought(program: Program) -> None:
    lines = list(ANSWERS)
    lines[6] = "My last team was a mess and my manager was clueless; payments is my thing."
    _, events = play(program, lines)
    blame = next(r for r in debrief(program, events).concerns if r.id == "blame")
    assert blame.trigger == Quote(7, lines[6])
    assert blame.said_aloud and all("clueless" not in s for s in blame.said_aloud)
    assert "Blamed the last team" in blame.thought


def test_a_status_sequence_no_session_writes_is_found_not_crashed_on(program: Program) -> None:
    """A hand-edited transcript: `impossible_move` names the event, and the debrief of it
    still builds (it used to raise ValueError looking for the missing 'hinted')."""
    from closer.engine.runtime.concerns import impossible_move

    _, events = play(program, [*ANSWERS, "No questions, thanks."])
    typed = [event_from_json(e) for e in events]
    assert impossible_move(typed) is None
    edited = [*typed[:-2], ConcernEvent(8, "tenure", "revealed"), *typed[-2:]]
    assert impossible_move(edited) == (
        len(typed) - 2,
        "concern 'tenure' cannot go from raised to revealed",
    )
    tenure = next(r for r in build_debrief(program, edited).concerns if r.id == "tenure")
    assert tenure.heard and tenure.status == "revealed"


# the lines of a real play (tmux, riverbend, seed 21): a follow-up answered with a red flag
RIVERBEND_PLAY = [
    "Yes thanks, found a spot right away!",
    "I've been a nurse for about six years, mostly med surg. I took some time off for family and "
    "now I'm looking to get back to it. Riverbend has a good reputation.",
    "Probably the confused patient first, safety first. Then the others.",
    "I'd call them and let them know.",
    "We had a patient once whose pressure dropped, we called the doctor and they came and sorted "
    "it out.",
    "And how did that patient do, in the end? oh sorry, that's your question. He did fine.",
    "No, we used Cerner. I'm sure I'll pick it up.",
    "I just kind of figure it out as I go, ask people.",
    "Honestly nights work for now. Eventually I'd like to move to days though.",
    "The staffing was terrible and management didn't care. Also my mom got sick.",
    "Mostly family reasons. And I'd like days eventually, nights are a means to an end.",
]
# a real play (riverbend, seed 41): the story came in the follow-up's answer, not the first line
RIVERBEND_STORY = [
    "Yes, thank you, it was easy.",
    "I've been an RN for six years on a med-surg floor at Lakeview, three of them on nights. I "
    "took time off to care for my mom through cancer treatment, she's in remission now, and I did "
    "a 40-hour refresher this winter.",
    "Mostly post-op and medical patients, a lot of GI and cardiac.",
    "The patient climbing out of bed first, because a fall is the most immediate risk. I'd get "
    "them safe, then check the new admission's vitals, then meds, and ask the aide to answer the "
    "call light.",
    "I'd call the charge nurse and give a quick SBAR on each.",
    "One night a post-op patient's heart rate went up to 120 and she became confused. I checked "
    "her vitals, her pressure was low, I called a rapid response and paged the surgeon. She was "
    "septic and went to the ICU.",
    "She recovered and went home a week later.",
]
# another real play (riverbend, seed 33): the follow-up's "it depends" made the answer evasive
RIVERBEND_DODGE = [
    "it was fine",
    "I've been nursing a long time. I know what I'm doing.",
    "Whatever's most urgent. It depends.",
]


@pytest.mark.parametrize(
    "lines,seed", [(RIVERBEND_PLAY, 21), (RIVERBEND_DODGE, 33), (RIVERBEND_STORY, 41)]
)
def test_answers_are_reported_once_per_question_the_weakest_few_and_truly_quoted(
    riverbend: Program, lines: list[str], seed: int
) -> None:
    _, events = play_events(riverbend, lines, seed=seed)
    d = build_debrief(riverbend, events)
    questions = [a.question for a in d.answers]
    assert len(questions) == len(set(questions))  # a follow-up does not make a second report
    weak = d.weak_answers
    assert 0 < len(weak) <= 3 and d.strongest not in weak
    assert [a.quote.turn for a in weak] == sorted(a.quote.turn for a in weak)
    said = {e.turn: e.text for e in events if isinstance(e, SayEvent) and not e.by_interviewer}
    raised = {e.turn for e in events if isinstance(e, ConcernEvent) and e.status == "raised"}
    for a in d.answers:
        assert a.quote.verbatim in said[a.quote.turn]
        if "red_flag" in a.flags:  # the line quoted is the one that raised it
            assert a.quote.turn in raised, a
        # what the debrief names was already there when the quoted line was judged: a flagged
        # answer is told by its flags, any other by what it showed
        [judged] = [e for e in events if isinstance(e, AssessEvent) and e.turn == a.quote.turn]
        assert set(a.flags) <= set(judged.flags), (a, judged)
        assert a.flags or set(a.shows) <= set(judged.shows), (a, judged)
    for a in d.answers:  # a flag is not said again as a lack ("never what you did" + "nothing
        line = words.answer_line(words.Words("Denise"), a)  # about what you did yourself")
        assert not ("never what you did" in line and "what you did yourself" in line), line


def test_credited_evidence_names_its_kind_without_examples_the_candidate_did_not_give(
    program: Program,
) -> None:
    """'how you release safely: feature flags, canaries, rollbacks' credited to someone who
    said feature flags and rollbacks, never canaries, would be a false statement."""
    lines = [
        "Good, thanks.",
        "I'm a backend engineer, five years, mostly fast-moving startups. I love shipping quickly.",
        "I built a routing service in three weeks. We moved fast, hacked a prototype together and "
        "shipped it quickly.",
    ]
    lines += ["Fine."] * 6 + [CLOSING, "What do you mean?", "Anything else?", "You mean speed?"]
    lines.append(
        "I write unit and integration tests, everything goes through code review, and I ship "
        "behind feature flags so I can roll back."
    )
    _, events = play_events(program, lines, seed=8)
    d = build_debrief(program, events)
    kinds = [e.kind for r in d.concerns for e in r.evidence]
    assert "how you release safely" in kinds
    assert not [k for k in kinds if ":" in k or "(" in k]


def test_what_was_missing_leaves_out_evidence_the_candidate_gave_without_a_status_change(
    riverbend: Program,
) -> None:
    """Evidence counts from the first line to the last (scenario-format 6.2), but the transcript
    records it only when a concern's status changes. Evidence for a concern that cannot be
    pre-empted (nights) moves nothing before the close, so "What was missing" must come from the
    candidate's own lines, not only from the concern's last event."""
    session, opening = Session.start(riverbend, 1, {"career_gap": False}, start="why_nights")
    events = list(opening.events)
    line = "I'd like days eventually, but I'm committed to staying on nights for at least a year."
    events.extend(session.turn(line).events)
    events.extend(session.end("eof").events)
    d = debrief(riverbend, [e.to_json() for e in events])
    nights = next(r for r in d.concerns if r.id == "nights")
    assert nights.status == "raised"
    assert not any(m.startswith("that you would stay on nights") for m in nights.missing)


def test_a_red_flag_is_quoted_where_it_was_raised_not_at_a_later_follow_up() -> None:
    """Found playing Switchback: "I'm used to leading" raised a red flag; the follow-up answer
    said nothing of the kind, and the debrief quoted it for the red flag."""
    switchback = compile_scenario(load_path(ROOT / "scenarios" / "switchback.yaml"))
    lines = [  # the session as played (seed 481442)
        "No, I got the bus, but I do cycle at weekends.",
        "I've taught geography for eight years, the last three as head of department. Over the "
        "last year I did a UX research course and volunteered on a project for a cycling "
        "charity, and I realised the part of teaching I love most is finding out why people "
        "struggle with something.",
        "Honestly, I'm a bit burned out on teaching and I want to escape the marking.",
        "The best one is the Pedal Power project. I interviewed twelve volunteers, ran a survey"
        " with 140 responses, and the booking form was rebuilt from my findings. Completed "
        "bookings went from about 40% to 65%.",
        "For the charity I analysed the 140 survey responses in Google Sheets, cross-tabbing "
        "drop-off by age group. I also teach A-level statistics, Spearman's rank and chi-"
        "squared, so I'm comfortable with the basics.",
        "The chair of trustees wanted to keep the paper form. I asked what worried her, which "
        "was losing older members, invited her to watch two test sessions, and we agreed to "
        "keep a phone option.",
        "I'm used to leading, so I'd hope to be leading research again before long.",
        "I've followed Switchback's app for a while and I like that your research actually "
        "changes the product.",
    ]
    _, events = play_events(switchback, lines, seed=481442)
    led = next(e.turn for e in events if isinstance(e, SayEvent) and e.text == lines[6])
    d = build_debrief(switchback, events)
    [level] = [a for a in d.answers if "red_flag" in a.flags and "leading" in a.quote.text]
    assert level.quote.turn == led


def test_an_answer_to_the_follow_up_is_shown_beside_the_follow_up() -> None:
    """Typed in a real terminal (talentbridge): "48 now, I want 55 minimum" answered Jade's
    follow-up "And salary: what are you on now...?", and the debrief showed it as the answer to
    "What's your notice period?"."""
    talentbridge = compile_scenario(load_path(ROOT / "scenarios" / "talentbridge.yaml"))
    session, opening = Session.start(talentbridge, 1, start="admin")
    events = [*opening.events]
    for line in ("Three months.", "48 now, I want 55 minimum or I'm not moving."):
        events += session.turn(line).events
    events += session.end("eof").events
    d = debrief(talentbridge, [e.to_json() for e in events])
    [notice] = [a for a in d.answers if a.quote.text.startswith("48 now")]
    assert notice.question.startswith("And salary: what are you on now")
    out = shown(talentbridge, d)
    assert 'notice period?" (turn 2: "48 now' not in out.replace("\n", " ")


def test_happy_to_talk_it_through_asks_for_a_chance_to_respond(program: Program) -> None:
    """Played in tmux: "...would stop you recommending me? happy to talk it through" was scored
    "Asked for a chance to respond: no"."""
    line = "is there anything that would stop you recommending me? happy to talk it through"
    assert program.marker("chance", normalize(line))
    assert not program.marker("chance", normalize("is there anything that would stop you?"))
