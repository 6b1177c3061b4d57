"""Transcripts: JSON Lines written as the session goes, read back for --resume and debrief."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import click

from closer.cli.errors import UserError

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


def dumps(event: dict[str, Any]) -> str:
    text = json.dumps(event, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: \u escapes keep it and the file stays UTF-8
        return json.dumps(event)
    return text


class Writer:
    """Appends events and makes each turn durable before the next prompt.

    Writing never stops the interview: if the disk fails, one line says so, the session goes
    on without the transcript, and `failed` holds the reason (play then exits 1)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.failed: str | None = None
        try:
            self.file: IO[bytes] = open(path, "wb")  # noqa: SIM115
            self.regular = stat.S_ISREG(os.fstat(self.file.fileno()).st_mode)
        except OSError as e:
            raise UserError(f"cannot write transcript {path}: {e.strerror or e}") from None

    def write(self, events: Iterable[dict[str, Any]]) -> None:
        if self.failed:
            return
        data = "".join(dumps(e) + "\n" for e in events).encode("utf-8")
        try:
            self.file.write(data)
            self.file.flush()
            if self.regular:  # a pipe or a device (/dev/stdout) cannot be synced
                os.fsync(self.file.fileno())
        except OSError as e:
            self._fail(e)

    def _fail(self, e: OSError) -> None:
        self.failed = str(e.strerror or e)
        click.echo(
            f"closer: cannot write transcript {self.path}: {self.failed} "
            "(the interview goes on without it)",
            err=True,
        )

    def close(self) -> None:
        try:
            self.file.close()
        except OSError as e:
            if not self.failed:
                self._fail(e)


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
