"""runtime.events: one frozen class per transcript event; JSON in the documented key order, and a
reader that checks what it knows and ignores what it does not."""

from __future__ import annotations

import json
from typing import Any

import pytest

from closer.engine import COMPILED
from closer.engine.runtime.events import (
    ConcernEvent,
    CueEvent,
    EndEvent,
    IntentEvent,
    MalformedEvent,
    SayEvent,
    VerdictEvent,
    event_from_json,
    interviewer_says,
)
from closer.engine.runtime.program import Program
from tests.helpers import assert_final, play_events
from tests.test_session import ANSWERS, CLOSING

EXAMPLES = [
    SayEvent(0, "interviewer", "Hi.", "opening", "opening"),
    SayEvent(
        3,
        "interviewer",
        "It's a backfill.",
        "candidate_questions",
        "candidate_questions",
        clue="tenure",
    ),
    SayEvent(1, "candidate", "Fine, thanks."),
    IntentEvent(2, None, None, 0),
    IntentEvent(8, "closing_question", "closing_question#3", 3, "full"),
    IntentEvent(4, "ask_why_open", "ask_why_open#1", 2, deferred=True),
    CueEvent(8, "hesitation", "*pauses*"),
    ConcernEvent(0, "tenure", "raised"),
    ConcernEvent(9, "tenure", "partly_resolved", evidence=("reasons",), early=True),
    ConcernEvent(5, "blame", "raised", quote="My last manager was clueless."),
    VerdictEvent(9, "undecided", 62),
    EndEvent(9, "eof"),
]


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: type(e).__name__)
def test_each_event_round_trips_through_json(event: Any) -> None:
    data = json.loads(json.dumps(event.to_json()))
    assert data["event"] == event.kind and list(data)[:2] == ["event", "turn"]
    assert event_from_json(data) == event


def test_events_are_frozen() -> None:
    """Every field of every event is `Final`: mypy refuses an assignment (tests/test_types.py).
    The compiled build refuses one at run time too; the pure build has no run-time guard any
    more (a `__setattr__` that raises, which mypyc refuses on a compiled class)."""
    for event in EXAMPLES:
        assert_final(event, *event._fields)
        assert COMPILED or set(event._fields) == set(type(event).__slots__)


def test_the_key_order_is_the_documented_one() -> None:
    assert list(EXAMPLES[1].to_json()) == [
        "event", "turn", "speaker", "text", "clue", "phase", "state",
    ]  # fmt: skip
    assert list(EXAMPLES[4].to_json()) == ["event", "turn", "intent", "rule", "score", "form"]
    assert list(EXAMPLES[8].to_json()) == [
        "event", "turn", "concern", "status", "evidence", "early",
    ]  # fmt: skip


def test_unknown_fields_are_ignored() -> None:
    data = {**EXAMPLES[-1].to_json(), "note": "from a newer Closer"}
    assert event_from_json(data) == EXAMPLES[-1]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ([], "not a JSON object"),
        ({"event": "dance", "turn": 1}, "unknown event"),
        ({"event": ["say"], "turn": 1}, "unknown event"),
        ({"event": "end", "reason": "eof"}, "needs 'turn'"),
        ({"event": "end", "turn": "1", "reason": "eof"}, "'turn'"),
        ({"event": "end", "turn": True, "reason": "eof"}, "'turn'"),
        ({"event": "end", "turn": -1, "reason": "eof"}, "'turn'"),
        ({"event": "end", "turn": 1, "reason": "bored"}, "'reason'"),
        ({"event": "verdict", "turn": 1, "outcome": "hired", "score": 50}, "'outcome'"),
        ({"event": "verdict", "turn": 1, "outcome": "advance", "score": 1e999}, "'score'"),
        ({"event": "concern", "turn": 1, "concern": "x", "status": "inactive"}, "'status'"),
        (
            {"event": "concern", "turn": 1, "concern": "x", "status": "raised", "evidence": [1]},
            "'evidence'",
        ),
        ({"event": "say", "turn": 1, "speaker": "narrator", "text": "x"}, "'speaker'"),
        (
            {
                "event": "say",
                "turn": 1,
                "speaker": "interviewer",
                "text": "x",
                "phase": "lunch",
                "state": "opening",
            },
            "'phase'",
        ),
        (
            {"event": "intent", "turn": 1, "intent": None, "rule": None, "score": 0, "form": "x"},
            "'form'",
        ),
    ],
)
def test_a_malformed_event_says_what_is_wrong(data: Any, says: str) -> None:
    with pytest.raises(MalformedEvent, match=says):
        event_from_json(data)


def test_a_session_emits_only_typed_events_that_read_back(program: Program) -> None:
    _, events = play_events(program, [*ANSWERS, CLOSING, "What do you mean?"], seed=2)
    kinds = {e.kind for e in events}
    assert kinds == {"say", "intent", "cue", "concern", "assess", "verdict", "end"}
    assert all(event_from_json(json.loads(json.dumps(e.to_json()))) == e for e in events)
    said = interviewer_says(events)
    assert said and all(e.by_interviewer and e.phase and e.state for e in said)
