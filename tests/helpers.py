"""Helpers for driving sessions in tests."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from closer.engine import COMPILED, Session, compile_scenario, load_scenario
from closer.engine.runtime.events import Event
from closer.engine.runtime.program import Program

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "scenarios" / "ledgerline.yaml"


def assert_final(obj: object, *names: str) -> None:
    """The fields `names` of `obj` cannot be assigned to: they are `Final`, which mypy checks
    (tests/test_types.py) and the compiled build also refuses at run time. The pure build has
    no run-time guard: a `__setattr__` that raises is what mypyc refuses on a compiled class."""
    assert names
    if COMPILED:
        for name in names:
            with pytest.raises(AttributeError, match="not writable"):
                setattr(obj, name, getattr(obj, name))
        return
    notes = type(obj).__annotations__  # its own class's: where these classes declare fields
    assert all(notes[name].startswith("Final[") for name in names), notes


def compile_text(text: str, path: str = "t.yaml") -> Program:
    return compile_scenario(load_scenario(text, path))


def play(
    program: Program, lines: Iterable[str], seed: int = 1, facts: dict[str, Any] | None = None
) -> tuple[Session, list[dict[str, Any]]]:
    """Run lines through a session; end with eof if the interview did not finish. The events
    come back in their transcript form (what `--transcript` writes)."""
    session, events = play_events(program, lines, seed, facts)
    return session, jsons(events)


def play_events(
    program: Program, lines: Iterable[str], seed: int = 1, facts: dict[str, Any] | None = None
) -> tuple[Session, list[Event]]:
    """As `play`, with the session's own typed events."""
    session, opening = Session.start(program, seed, facts)
    events = list(opening.events)
    for line in lines:
        if session.ended:
            break
        events.extend(session.turn(line).events)
    if not session.ended:
        events.extend(session.end("eof").events)
    return session, events


def statuses(events: list[dict[str, Any]], concern: str) -> list[str]:
    return [e["status"] for e in events if e["event"] == "concern" and e["concern"] == concern]


def jsons(events: Iterable[Any]) -> list[dict[str, Any]]:
    """A turn's events as the transcript writes them."""
    return [e.to_json() for e in events]


def interviewer(events: list[dict[str, Any]]) -> list[str]:
    return [e["text"] for e in events if e["event"] == "say" and e["speaker"] == "interviewer"]


def at_the_close(program: Program, *worries: str) -> Session:
    """A session at the candidate's questions, holding exactly these worries (raised)."""
    session, _ = Session.start(program, 1, start="candidate_questions")
    for cid, cs in session.state.concerns.items():
        cs.status = "raised" if cid in worries else "inactive"
    return session
