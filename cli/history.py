"""The practice record: one row per finished `closer play` session in a small SQLite file, and
`closer history` to read it back (docs/history.md).

The transcript stays the source of truth; a row is a summary of the session's events (the list
the debrief is built from), never of printed text. The record must never block play: any
problem with the file is one line on standard error, and the session goes on as if it were off.
sqlite3 is imported only here, and this module only once a session is over (or when the picker
or `closer history` reads the file), so start-up does not pay for it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from closer.cli.text import clean, clean_json

if TYPE_CHECKING:
    import sqlite3

    from closer.engine.runtime.events import Event

SCHEMA = 1  # PRAGMA user_version of the files this Closer writes and reads
FILE = "history.sqlite3"
ENV_OFF = "CLOSER_NO_HISTORY"
ENV_PATH = "CLOSER_HISTORY"
BUSY_MS = 10_000  # how long a write waits for another `closer play` writing at the same moment
HEARD = ("hinted", "revealed")
CLEARED = ("resolved", "preempted")  # settled: answered, or answered before it came up

CREATE = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    finished TEXT NOT NULL,
    scenario TEXT NOT NULL,
    persona TEXT NOT NULL,
    seed INTEGER NOT NULL,
    kind TEXT NOT NULL,
    end_reason TEXT NOT NULL,
    outcome TEXT,
    score INTEGER,
    closing_asked INTEGER NOT NULL,
    closing_on_time INTEGER NOT NULL,
    concerns_held INTEGER NOT NULL,
    concerns_heard INTEGER NOT NULL,
    concerns_cleared INTEGER NOT NULL,
    transcript TEXT
)
"""
COLUMNS = (
    "finished", "scenario", "persona", "seed", "kind", "end_reason", "outcome", "score",
    "closing_asked", "closing_on_time", "concerns_held", "concerns_heard", "concerns_cleared",
    "transcript",
)  # fmt: skip


class HistoryError(Exception):
    """The history file cannot be used: `what` says why, for one line."""

    def __init__(self, path: Path, what: str) -> None:
        super().__init__(what)
        self.path = path
        self.what = what


@dataclass(frozen=True)
class Row:
    """One finished session, as the history keeps it."""

    finished: str  # UTC, ISO 8601
    scenario: str
    persona: str
    seed: int
    kind: str  # interview or drill
    end_reason: str  # completed, quit, eof or interrupted
    outcome: str | None  # advance, undecided or reject (None: no verdict was given)
    score: int | None
    closing_asked: bool
    closing_on_time: bool  # asked in the candidate-questions phase, not put off as too early
    concerns_held: int
    concerns_heard: int  # hinted at or revealed
    concerns_cleared: int  # resolved, or pre-empted
    transcript: str | None

    @property
    def closing(self) -> str:
        if self.closing_on_time:
            return "on time"
        return "too early" if self.closing_asked else "never"

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "closing": self.closing}


# ---- where, and whether ---------------------------------------------------------------------


def location() -> Path | None:
    """The history file, or None when the environment turns the record off."""
    if os.environ.get(ENV_OFF, "") not in ("", "0"):
        return None
    chosen = os.environ.get(ENV_PATH)
    if chosen:
        return Path(chosen).expanduser()
    return Path(click.get_app_dir("closer")) / FILE


def warn(err: HistoryError, consequence: str) -> None:
    """The one line a problem with the file gives."""
    hint = f"move it aside, or set {ENV_OFF}=1"
    click.echo(clean(f"closer: history: {err.path}: {err.what}; {consequence} ({hint})"), err=True)


# ---- a session's summary --------------------------------------------------------------------


def summarise(
    head: dict[str, Any],
    persona: str,
    events: Iterable[Event],
    transcript: Path | None,
    finished: str | None = None,
) -> Row:
    """The row of a finished session, from its transcript head and its events."""
    from datetime import datetime, timezone

    from closer.cli.transcript import is_drill
    from closer.engine.runtime.events import ConcernEvent, EndEvent, IntentEvent, VerdictEvent

    outcome: str | None = None
    score: int | None = None
    end = ""
    asked = on_time = False
    statuses: dict[str, list[str]] = {}
    for e in events:
        if isinstance(e, VerdictEvent):
            outcome, score = e.outcome, e.score
        elif isinstance(e, EndEvent):
            end = e.reason
        elif isinstance(e, IntentEvent) and e.intent == "closing_question":
            asked = True
            on_time = on_time or not e.deferred
        elif isinstance(e, ConcernEvent):
            statuses.setdefault(e.concern, []).append(e.status)
    if finished is None:
        finished = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return Row(
        finished=finished,
        scenario=str(head.get("scenario", "")),
        persona=persona,
        seed=int(head.get("seed", 0)),
        kind="drill" if is_drill(head) else "interview",
        end_reason=end,
        outcome=outcome,
        score=score,
        closing_asked=asked,
        closing_on_time=on_time,
        concerns_held=len(statuses),
        concerns_heard=sum(1 for s in statuses.values() if set(s) & set(HEARD)),
        concerns_cleared=sum(1 for s in statuses.values() if s[-1] in CLEARED),
        transcript=str(transcript.resolve()) if transcript is not None else None,
    )


# ---- the file -------------------------------------------------------------------------------


def _connect(path: Path) -> sqlite3.Connection:
    import sqlite3

    db = sqlite3.connect(str(path), timeout=BUSY_MS / 1000, isolation_level=None)
    db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
    return db


def _version(db: sqlite3.Connection, path: Path) -> int:
    """The file's schema version, checked: 0 for a new, empty file."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA:
        raise HistoryError(
            path, f"written by a newer Closer (schema {version}; this one knows {SCHEMA})"
        )
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if version == 0 and tables:
        raise HistoryError(path, "not a Closer history file (it holds other tables)")
    if version == SCHEMA:
        have = {r[1] for r in db.execute("PRAGMA table_info(sessions)")}
        if not set(COLUMNS) <= have:
            raise HistoryError(path, "not a Closer history file (its sessions table differs)")
    return version


def _problem(path: Path, e: Exception) -> HistoryError:
    what = str(e) or type(e).__name__
    if "not a database" in what or "malformed" in what:
        what = f"not a Closer history file ({what})"
    return HistoryError(path, what)


def record(path: Path, row: Row, replace: str | None = None) -> None:
    """Add `row` in one transaction (a crash leaves the file as it was, or with the row), after
    deleting the rows of the transcript `replace` (a resumed session replaces its own row).
    Raises HistoryError."""
    import sqlite3

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = _connect(path)
        try:
            _version(db, path)  # a file that is not ours is refused before anything changes
            # write-ahead logging: readers never wait for a writer; a file system that cannot
            # (some network mounts) keeps the rollback journal, and the busy timeout serialises
            db.execute("PRAGMA journal_mode = WAL")
            # with WAL, NORMAL never corrupts the file (a killed process loses nothing it
            # committed); a power cut may lose the last row, which is worth no fsync per write
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("BEGIN IMMEDIATE")  # one writer at a time, the schema checked under it
            try:
                if _version(db, path) == 0:
                    db.execute(CREATE)
                    db.execute(f"PRAGMA user_version = {SCHEMA}")
                if replace is not None:
                    db.execute("DELETE FROM sessions WHERE transcript = ?", (replace,))
                marks = ", ".join("?" for _ in COLUMNS)
                db.execute(
                    f"INSERT INTO sessions ({', '.join(COLUMNS)}) VALUES ({marks})",
                    tuple(getattr(row, c) for c in COLUMNS),
                )
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        finally:
            db.close()
    except (sqlite3.Error, OSError) as e:
        raise _problem(path, e) from None


def read(path: Path, limit: int | None = None) -> list[Row]:
    """The rows, newest first (an empty list when there is no file yet). Raises HistoryError."""
    import sqlite3

    if not path.exists():
        return []
    if path.is_dir():
        raise HistoryError(path, "is a folder")
    try:
        db = _connect(path)
        try:
            if _version(db, path) == 0:
                return []
            sql = f"SELECT {', '.join(COLUMNS)} FROM sessions ORDER BY finished DESC, id DESC"
            args: tuple[int, ...] = ()
            if limit is not None:
                sql += " LIMIT ?"
                args = (limit,)
            rows = db.execute(sql, args).fetchall()
        finally:
            db.close()
    except (sqlite3.Error, OSError) as e:
        raise _problem(path, e) from None
    return [_row(r) for r in rows]


def _row(values: Sequence[Any]) -> Row:
    d = dict(zip(COLUMNS, values, strict=True))
    for key in ("closing_asked", "closing_on_time"):
        d[key] = bool(d[key])
    return Row(**d)


# ---- the hook `closer play` calls -----------------------------------------------------------


def remember(
    head: dict[str, Any],
    persona: str,
    events: Iterable[Event],
    transcript: Path | None,
    resumed: bool,
) -> None:
    """Record a finished session, unless the environment turns the record off. Never raises
    for the file's sake: a problem is one line on standard error and play goes on."""
    path = location()
    if path is None:
        return
    row = summarise(head, persona, events, transcript)
    try:
        record(path, row, row.transcript if resumed else None)
    except HistoryError as e:
        warn(e, "not recorded")


def last_results(path: Path | None = None) -> dict[str, Row]:
    """The latest row of each scenario, for the picker; nothing when the file cannot be read
    (the end of the session says why, once)."""
    path = path if path is not None else location()
    if path is None:
        return {}
    try:
        rows = read(path)
    except HistoryError:
        return {}
    latest: dict[str, Row] = {}
    for r in rows:
        latest.setdefault(r.scenario, r)
    return latest


# ---- `closer history` -----------------------------------------------------------------------


def when(finished: str) -> str:
    """An ISO time in UTC as the local date and minute."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(finished).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return finished


def verdict(r: Row) -> str:
    return f"{r.outcome} {r.score}" if r.outcome is not None else "none"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    out = []
    for cells in (header, *rows):
        out.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
    return out


def table(rows: Sequence[Row]) -> list[str]:
    header = ("date", "persona", "kind", "verdict", "closing", "heard", "cleared", "ended")
    cells = [
        (
            when(r.finished),
            clean(r.persona),
            r.kind,
            verdict(r),
            r.closing,
            f"{r.concerns_heard}/{r.concerns_held}",
            f"{r.concerns_cleared}/{r.concerns_held}",
            clean(r.end_reason),
        )
        for r in rows
    ]
    return _table(header, cells)


@dataclass(frozen=True)
class Trend:
    """One persona's sessions of one kind, oldest to newest."""

    persona: str
    scenario: str
    kind: str
    sessions: int
    first: int | None
    latest: int | None
    best: int | None
    on_time: int  # sessions where the closing question was asked on time
    cleared: float | None  # mean share of the concerns held that were cleared

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def trends(rows: Sequence[Row]) -> list[Trend]:
    """Per kind (interviews first, then drills) and persona, from the newest-first rows."""
    groups: dict[tuple[str, str, str], list[Row]] = {}
    for r in reversed(rows):  # oldest first
        groups.setdefault((r.kind, r.scenario, r.persona), []).append(r)
    out = []
    for (kind, scenario, persona), rs in groups.items():
        scores = [r.score for r in rs if r.score is not None]
        shares = [r.concerns_cleared / r.concerns_held for r in rs if r.concerns_held]
        out.append(
            Trend(
                persona,
                scenario,
                kind,
                len(rs),
                scores[0] if scores else None,
                scores[-1] if scores else None,
                max(scores) if scores else None,
                sum(1 for r in rs if r.closing_on_time),
                sum(shares) / len(shares) if shares else None,
            )
        )
    out.sort(key=lambda t: (t.kind != "interview", t.persona, t.scenario))
    return out


def stats(rows: Sequence[Row]) -> list[str]:
    out: list[str] = []
    found = trends(rows)
    for kind, title in (("interview", "Interviews"), ("drill", "Drills")):
        mine = [t for t in found if t.kind == kind]
        if not mine:
            continue
        if out:
            out.append("")
        out.append(title)
        header = ("persona", "sessions", "first", "latest", "best", "on time", "cleared")
        cells = [
            (
                clean(t.persona),
                str(t.sessions),
                _score(t.first),
                _score(t.latest),
                _score(t.best),
                f"{t.on_time}/{t.sessions}",
                "-" if t.cleared is None else f"{round(t.cleared * 100)}%",
            )
            for t in mine
        ]
        out += ["  " + line for line in _table(header, cells)]
    return out


def _score(score: int | None) -> str:
    return "-" if score is None else str(score)


def show(as_json: bool, limit: int | None, with_stats: bool) -> int:
    """Run `closer history`; returns the exit code."""
    import json

    path = location()
    if path is None:
        click.echo(f"The practice record is off ({ENV_OFF} is set).")
        return 0
    try:
        rows = read(path, None if with_stats else limit)
    except HistoryError as e:
        click.echo(clean(f"closer: history: {e.path}: {e.what}"), err=True)
        return 1
    if as_json:
        data = [t.to_json() for t in trends(rows)] if with_stats else [r.to_json() for r in rows]
        click.echo(clean_json(json.dumps(data, indent=2, ensure_ascii=False)))
        return 0
    if not rows:
        click.echo(clean(f"No practice recorded yet ({path})."))
        return 0
    for line in stats(rows) if with_stats else table(rows):
        click.echo(line)
    return 0
