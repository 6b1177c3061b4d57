"""Transcripts: JSON Lines written as the session goes, read back for --resume and debrief."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from closer.cli.errors import UserError

if TYPE_CHECKING:
    from closer.engine.runtime.events import Event

FORMAT = 1


def header(scenario_id: str, ref: str, sha256: str, seed: int) -> dict[str, Any]:
    return {
        "event": "session",
        "format": FORMAT,
        "scenario": scenario_id,
        "seed": seed,
        "source": ref,
        "sha256": sha256,
    }


def scenario_ref(head: dict[str, Any]) -> str:
    """What to load for a transcript: the id or path it was played from."""
    return str(head.get("source") or head.get("scenario"))


def as_json(events: Iterable[Event]) -> tuple[dict[str, Any], ...]:
    """A session's events as transcript objects."""
    return tuple(e.to_json() for e in events)


def as_events(saved: Iterable[dict[str, Any]]) -> list[Event]:
    """Transcript objects (the session line, if present, is skipped) as a session's events."""
    from closer.engine.runtime.events import event_from_json

    return [event_from_json(e) for e in saved if e.get("event") != "session"]


def dumps(event: dict[str, Any]) -> str:
    return json.dumps(event, ensure_ascii=False)


class Writer:
    """Appends events and makes each turn durable before the next prompt."""

    def __init__(self, path: Path) -> None:
        try:
            self.file: IO[str] = open(path, "w", encoding="utf-8")  # noqa: SIM115
        except OSError as e:
            raise UserError(f"cannot write transcript {path}: {e.strerror or e}") from None

    def write(self, events: Iterable[dict[str, Any]]) -> None:
        for e in events:
            self.file.write(dumps(e) + "\n")
        self.file.flush()
        os.fsync(self.file.fileno())

    def close(self) -> None:
        self.file.close()


def read(path: Path) -> list[dict[str, Any]]:
    """Every complete event in a transcript (a torn last line from a crash is dropped)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"cannot read transcript {path}: {e}") from None
    events = []
    lines = text.split("\n")
    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            event = json.loads(raw)
        except json.JSONDecodeError as e:
            if n == len(lines) or (n == len(lines) - 1 and not lines[-1]):
                break  # the last line was cut off mid-write
            raise UserError(f"{path}:{n}:{e.colno}: not a transcript line ({e.msg})") from None
        if not isinstance(event, dict) or "event" not in event:
            raise UserError(f"{path}:{n}:1: not a transcript event")
        events.append(event)
    if not events or events[0].get("event") != "session":
        raise UserError(f"{path}:1:1: not a Closer transcript (no session line)")
    if events[0].get("format") != FORMAT:
        raise UserError(
            f"{path}:1:1: transcript format {events[0].get('format')!r} is not "
            f"supported (this Closer reads format {FORMAT})"
        )
    return events
