"""`closer play --record FILE`: the session being played, written as a conversation test
(docs/testing.md) as it goes. Each turn is flushed to disk before the next prompt, so an
interrupted session still leaves a test that runs (and passes) up to its last turn."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any, Protocol

import click

from closer.cli.errors import UserError
from closer.cli.transcript import as_events, open_locked
from closer.engine.runtime.events import EndEvent, Event, SayEvent, VerdictEvent
from closer.engine.tools.testyaml import pinned_step, yaml_str


class Sink(Protocol):
    """Where `closer play` sends a session's events (a transcript, a recording, or both)."""

    def write(self, events: Iterable[dict[str, Any]]) -> None: ...

    def close(self) -> None: ...


def scenario_ref(ref: str, record_path: Path) -> str:
    """A shipped id as is; a file as a path relative to the recording."""
    if "/" not in ref and "\\" not in ref and not ref.endswith((".yaml", ".yml")):
        return ref
    try:
        return os.path.relpath(ref, record_path.resolve().parent)
    except ValueError:  # another drive on Windows
        return ref


class Recorder:
    """Turns a session's events into a `*.test.yaml` file, one step per candidate turn."""

    def __init__(
        self, path: Path, ref: str, seed: int, state: Callable[[], str], drill: bool = False
    ) -> None:
        self.state = state  # the session's state now (read right after each turn)
        fd = -1
        try:  # locked before it is emptied: a second `closer play` on the same file is refused
            fd, _ = open_locked(path, os.O_WRONLY)
            self.regular = stat.S_ISREG(os.fstat(fd).st_mode)
            if self.regular:
                os.ftruncate(fd, 0)
            self.file: IO[str] = os.fdopen(fd, "w", encoding="utf-8")
        except OSError as e:
            if fd >= 0:
                os.close(fd)
            raise UserError(f"cannot write recording {path}: {e.strerror or e}") from None
        self.path = path
        self.live = False  # the first write may replay a resumed session's earlier turns
        self.ended = False
        self.failed: str | None = None  # why the disk refused it; the interview goes on
        what = "drill" if drill else "session"
        try:
            self.file.write(
                "# Recorded by `closer play --record`; run it with `closer test`.\n"
                f"closer_test: 1\nscenario: {yaml_str(scenario_ref(ref, path))}\nseed: {seed}\n"
                f"cases:\n  - name: {yaml_str(f'recorded {what} (seed {seed})')}\n"
                + ("    drill: true\n" if drill else "")
                + "    steps:\n"
            )
            self._flush()
        except OSError as e:  # nothing has been played yet: refuse to start
            with contextlib.suppress(OSError):  # closing flushes what could not be written
                self.file.close()
            raise UserError(f"cannot write recording {path}: {e.strerror or e}") from None

    def write(self, events: Iterable[dict[str, Any]]) -> None:
        """Append the turns; if the disk fails, say so once and go on without the recording
        (as the transcript does), so the interview and its debrief are never lost."""
        if self.failed:
            return
        try:
            self._write(events)
        except OSError as e:
            self.failed = str(e.strerror or e)
            click.echo(
                f"closer: cannot write recording {self.path}: {self.failed} "
                "(the interview goes on without it)",
                err=True,
            )

    def _write(self, events: Iterable[dict[str, Any]]) -> None:
        turns: dict[int, list[Event]] = {}
        for e in as_events(events):  # the transcript's session line is left out
            turns.setdefault(e.turn, []).append(e)
        for n, evs in turns.items():
            if n > 0:
                self._step([e for e in evs if e.kind not in ("verdict", "end")])
            end = [e for e in evs if e.kind in ("verdict", "end")]
            if end:
                self._end(end)
        self._flush()
        self.live = True

    def _step(self, evs: list[Event]) -> None:
        said = [e for e in evs if isinstance(e, SayEvent) and not e.by_interviewer]
        if not said:
            return
        # the state after a replayed (resumed) turn is not known
        step = pinned_step(evs, self.state() if self.live else None)
        out = [f"      - say: {yaml_str(said[0].text)}"]
        out += [f"        {k}: {v}" for k, v in step.items()]
        self.file.write("\n".join(out) + "\n")

    def _end(self, evs: list[Event]) -> None:
        if self.ended:
            return
        self.ended = True
        reason = next((e.reason for e in evs if isinstance(e, EndEvent)), "eof")
        verdict = next((e for e in evs if isinstance(e, VerdictEvent)), None)
        if reason in ("eof", "quit"):
            self.file.write(f"    end: {reason}\n")
        elif reason == "interrupted":
            self.file.write("    # interrupted (Ctrl-C); replayed as end of input\n")
        if verdict is not None:
            score = verdict.score
            self.file.write(
                f"    expect:\n      verdict: {verdict.outcome}\n"
                f"      score: {{min: {score}, max: {score}}}\n"
            )

    def _flush(self) -> None:
        self.file.flush()
        if self.regular:  # a pipe or a device cannot be synced
            os.fsync(self.file.fileno())

    def close(self) -> None:
        try:
            self.file.close()
        except OSError as e:  # the last buffered bytes could not be written
            if not self.failed:
                self.failed = str(e.strerror or e)
                click.echo(f"closer: cannot write recording {self.path}: {self.failed}", err=True)


class Tee:
    """Several sinks as one."""

    def __init__(self, *sinks: Sink) -> None:
        self.sinks = sinks

    def write(self, events: Iterable[dict[str, Any]]) -> None:
        events = list(events)
        for s in self.sinks:
            s.write(events)

    def close(self) -> None:
        for s in self.sinks:
            s.close()
