"""The debrief is a function of the transcript: concern cards, scorecard, hidden concerns, tips."""

from __future__ import annotations

import json

from closer.engine.runtime.events import ConcernEvent, event_from_json
from closer.engine.runtime.program import Program
from closer.engine.tools.debrief import Debrief, build_debrief
from tests.helpers import play, play_events
from tests.test_session import ANSWERS, CLOSING, RESOLVE_TENURE


def debrief(program: Program, events: list[dict]) -> Debrief:
    """The debrief of a transcript's events (what `closer debrief` reads)."""
    return build_debrief(program, [event_from_json(e) for e in events])


def test_leaving_without_asking(program: Program) -> None:
    _, events = play(program, [*ANSWERS, "No questions, thanks."])
    d = debrief(program, events)
    assert not d.scorecard.asked
    assert [r.id for r in d.never_heard] == ["tenure"]
    assert d.never_heard[0].trigger == "your background"
    assert "closing question" in d.tips[0]
    assert len(d.tips) == 3


def test_a_full_close(program: Program) -> None:
    lines = [*ANSWERS, CLOSING, "What do you mean?", RESOLVE_TENURE, "Anything else?"]
    _, events = play(program, lines)
    d = debrief(program, events)
    card = d.scorecard
    assert card.asked and card.full_form and card.probed and card.anything_else
    assert card.turn == len(ANSWERS) + 1
    tenure = next(r for r in d.concerns if r.id == "tenure")
    assert tenure.status == "resolved" and tenure.heard
    assert "reasons outside your control" in tenure.evidence[0] or len(tenure.evidence) >= 2
    assert tenure.missing == ()
    assert d.never_heard == ()
    assert len(d.tips) == 3


def test_answering_before_probing_shows_in_the_card(program: Program) -> None:
    _, events = play(program, [*ANSWERS, CLOSING, RESOLVE_TENURE])
    d = debrief(program, events)
    tenure = next(r for r in d.concerns if r.id == "tenure")
    assert tenure.early and d.scorecard.probed is False
    assert any("probe before you answer" in t for t in d.tips)


def test_said_aloud_versus_thought(program: Program) -> None:
    lines = list(ANSWERS)
    lines[6] = "My last team was a mess and my manager was clueless; payments is my thing."
    _, events = play(program, lines)
    blame = next(r for r in debrief(program, events).concerns if r.id == "blame")
    assert blame.trigger == lines[6]
    assert blame.said_aloud and all("clueless" not in s for s in blame.said_aloud)
    assert "Blamed the last team" in blame.thought


def test_rebuilt_from_a_saved_transcript_is_identical(program: Program) -> None:
    _, live = play_events(program, [*ANSWERS, CLOSING, "what do you mean?"])
    saved = [json.loads(json.dumps(e.to_json())) for e in live]
    assert debrief(program, saved) == build_debrief(program, live)
    assert debrief(program, saved).concerns  # something to compare


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
