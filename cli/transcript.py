"""Transcripts: JSON Lines written as the session goes, read back for --resume and debrief."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

import click

from closer.cli.errors import UserError
from closer.cli.text import clean, scrub

try:
    import fcntl
except ImportError:  # Windows: transcripts are not locked (docs/transcript.md)
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from closer.engine.runtime.events import Event
    from closer.engine.tools.debrief import Drill

FORMAT = 1


def header(
    scenario_id: str, ref: str, sha256: str, seed: int, drawn: list[str] | None = None
) -> dict[str, Any]:
    """The session line; a closing drill's (`drawn`: the concern ids it drew) says so in
    `mode` and `drawn` (a full interview's has neither: `mode` is "interview" when absent)."""
    head: dict[str, Any] = {
        "event": "session",
        "format": FORMAT,
        "scenario": scenario_id,
        "seed": seed,
        "source": ref,
        "sha256": sha256,
    }
    if drawn is not None:
        head.update(mode="drill", drawn=drawn)
    return head


def is_drill(head: dict[str, Any]) -> bool:
    """Is this session line a closing drill's (`mode`, "interview" when absent)?"""
    return bool(head.get("mode", "interview") == "drill")


def drill_of(head: dict[str, Any]) -> Drill | None:
    """A drill's seed and drawn concerns, as its session line gives them; None for a full
    interview."""
    if not is_drill(head):
        return None
    from closer.engine.tools.debrief import Drill

    return Drill(int(head["seed"]), tuple(head.get("drawn", ())))


def scenario_ref(head: dict[str, Any]) -> str:
    """The id or path a transcript says it was played from."""
    return str(head.get("source") or head.get("scenario"))


def scenario_path(head: dict[str, Any], name: str, hint: str = "") -> tuple[str, Path]:
    """The scenario a transcript was played with, found only the ways docs/transcript.md
    allows: a shipped id, or an absolute path to a file that still has the SHA-256 the
    transcript recorded. The hash is checked before the file is parsed, so a path forged into
    a transcript is never read as a scenario, nor any of it shown. Returns the reference and
    the file."""
    import json  # not before the first line: only a transcript needs it

    from closer.cli.scenarios import shipped_paths

    ref = head.get("source") or head.get("scenario")
    shipped = shipped_paths()
    if isinstance(ref, str) and ref in shipped:
        return ref, shipped[ref]
    shown = json.dumps(ref)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    if not (isinstance(ref, str) and os.path.isabs(ref)):
        raise UserError(
            f"{name}:1:1: {shown} is neither a shipped scenario nor an absolute path{hint}"
        )
    if _sha256(Path(ref)) != head.get("sha256"):
        raise UserError(
            f"{name}:1:1: the scenario file it was played with, {shown}, is missing or "
            f"has changed since{hint}"
        )
    return ref, Path(ref)


def _sha256(path: Path) -> str | None:
    """The SHA-256 a scenario file's text has (as the loader computes it), or None when it
    is not a readable regular file of UTF-8 text no bigger than a scenario may be."""
    from closer.engine.format.source import MAX_BYTES as SCENARIO_BYTES

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as f:
            data = f.read(SCENARIO_BYTES + 1)
        text = data.decode("utf-8").removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError):
        return None
    if len(data) > SCENARIO_BYTES:
        return None
    import hashlib  # for --resume only: hashlib loads OpenSSL, a cost of every start

    return hashlib.sha256(text.encode()).hexdigest()


def as_json(events: Iterable[Event]) -> tuple[dict[str, Any], ...]:
    """A session's events as transcript objects."""
    return tuple(e.to_json() for e in events)


def as_events(saved: Iterable[dict[str, Any]]) -> list[Event]:
    """Transcript objects (the session line, if present, is skipped) as a session's events."""
    from closer.engine.runtime.events import event_from_json

    return [event_from_json(e) for e in saved if e.get("event") != "session"]


def dumps(event: dict[str, Any]) -> str:
    import json  # not before the first line: only a transcript needs it

    text = json.dumps(event, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: \u escapes keep it and the file stays UTF-8
        return json.dumps(event)
    return text


BUSY = "{} is being written by another `closer play`; wait for it to end, or choose another file"


def open_locked(path: Path, flags: int, shown: Path | None = None) -> tuple[int, bool]:
    """Open `path` (creating it if missing) and lock it exclusively for as long as the
    descriptor stays open; refused in one line when another process holds the lock. Returns
    the descriptor and whether the file was created. Devices and pipes are not locked, nor is
    anything where there is no `flock` (Windows: see docs/transcript.md). `shown` is the path
    as the user gave it, for the message."""
    for _ in range(100):
        try:
            fd, created = os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o666), True
        except FileExistsError:
            fd, created = os.open(path, flags), False
        if fcntl is None or not stat.S_ISREG(os.fstat(fd).st_mode):
            return fd, created
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                os.close(fd)
                raise UserError(BUSY.format(shown or path)) from None
            return fd, created  # a file system without locks (some network mounts)
        try:
            now = os.stat(path)
        except FileNotFoundError:
            now = None
        mine = os.fstat(fd)
        if now is not None and (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino):
            return fd, created
        os.close(fd)  # replaced by the writer whose lock we just got: look again
    raise UserError(BUSY.format(shown or path))


class Claim:
    """A transcript's path, locked before it is read or written: another `closer play` on the
    same file is refused. The new file is locked too before it is renamed over the old one,
    so the lock passes from one to the other with no gap."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.target = path
        self.fd: int | None = None
        self.created = False
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            mode = None
        except OSError as e:
            raise UserError(f"cannot write transcript {path}: {e.strerror or e}") from None
        self.special = mode is not None and not stat.S_ISREG(mode)
        if self.special:
            return  # a device or a pipe (/dev/stdout): nothing to lock or replace
        self.target = Path(os.path.realpath(path))  # a symlink's file is replaced, not the link
        try:
            self.fd, self.created = open_locked(self.target, os.O_RDWR, path)
        except OSError as e:
            raise UserError(f"cannot write transcript {path}: {e.strerror or e}") from None
        if fcntl is None:  # no lock to hold, and Windows renames over no open file
            self.release()

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def abandon(self) -> None:
        """Let go without writing: a file this claim created (still empty) is removed."""
        if self.fd is not None and self.created and os.fstat(self.fd).st_size == 0:
            with contextlib.suppress(OSError):
                os.unlink(self.target)
        self.release()


def encode(events: Iterable[dict[str, Any]]) -> bytes:
    return "".join(dumps(e) + "\n" for e in events).encode("utf-8")


class Writer:
    """Writes a transcript as the session goes, each turn durable before the next prompt.

    The first write starts the file: the whole turns `kept` from a resumed transcript (as they
    were written), then the events after the first `skip`, written to a new file in the same
    folder that is renamed over `path`; a crash at any moment leaves either the old file or
    the new one, never less. Later writes append. From then on writing never stops the
    interview: if the disk fails, one line says so, the session goes on without the
    transcript, and `failed` holds the reason (play then exits 1)."""

    def __init__(
        self, path: Path, kept: bytes = b"", skip: int = 0, claim: Claim | None = None
    ) -> None:
        self.path = path
        self.kept, self.skip = kept, skip
        self.claim = claim or Claim(path)
        self.file: IO[bytes] | None = None
        self.regular = True
        self.failed: str | None = None

    def write(self, events: Iterable[dict[str, Any]]) -> None:
        if self.failed:
            return
        if self.file is None:
            self._start(list(events))
            return
        try:
            self.file.write(encode(events))
            self._sync()
        except OSError as e:
            self._fail(e)

    def _start(self, events: list[dict[str, Any]]) -> None:
        data = self.kept + encode(events[self.skip :])
        target = self.claim.target
        if self.claim.special:  # a device or a pipe: written in place
            self.regular = False
            try:
                self.file = open(target, "wb")  # noqa: SIM115
            except OSError as e:
                raise UserError(f"cannot write transcript {self.path}: {e.strerror or e}") from None
            try:
                self.file.write(data)
                self._sync()
            except OSError as e:
                self._fail(e)
            return
        try:
            self.file = _replace(target, data, os.stat(target).st_mode)
        except OSError as e:
            raise UserError(f"cannot write transcript {self.path}: {e.strerror or e}") from None
        self.claim.release()  # the new file holds the lock now

    def _sync(self) -> None:
        assert self.file is not None
        self.file.flush()
        if self.regular:  # a pipe or a device (/dev/stdout) cannot be synced
            os.fsync(self.file.fileno())

    def _fail(self, e: OSError) -> None:
        self.failed = str(e.strerror or e)
        click.echo(
            f"closer: cannot write transcript {self.path}: {self.failed} "
            "(the interview goes on without it)",
            err=True,
        )

    def close(self) -> None:
        if self.file is None:
            self.claim.abandon()
            return
        try:
            self.file.close()
        except OSError as e:
            if not self.failed:
                self._fail(e)


def _replace(target: Path, data: bytes, mode: int) -> IO[bytes]:
    """Put `data` at `target` atomically (a new file, locked, renamed over it, with the old
    one's permissions rather than mkstemp's 0600); the new file, open for appending."""
    import tempfile  # for a transcript only

    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    file = os.fdopen(fd, "wb")
    try:
        if fcntl is not None:  # a new file: nobody else has it, so only no locks can fail
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.chmod(tmp, stat.S_IMODE(mode))
        file.write(data)
        file.flush()
        os.fsync(fd)
        if os.name == "nt":  # Windows renames no file that is open
            file.close()
        os.replace(tmp, target)
    except BaseException:
        file.close()
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable (POSIX)
        dfd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    return open(target, "ab") if file.closed else file


BOM = b"\xef\xbb\xbf"
MAX_BYTES = 64 * 2**20  # far beyond any interview (max_turns is at most 500)
# how every session line this Closer writes begins (`header`)
SESSION_START = f'{{"event": "session", "format": {FORMAT}, '


class Saved(NamedTuple):  # not a dataclass: one costs every start ~0.5 ms to make
    """A transcript as read: its whole events, and where each one ends in the file.

    A line is whole once its newline is written; a last line without one was cut off
    mid-write and is not among the events. `partial` is set instead of `events` when not even
    the session line is whole: the fields it holds so far (`seed`, `scenario`, `source`,
    `sha256`)."""

    name: str
    data: bytes
    events: tuple[dict[str, Any], ...]
    lines: tuple[int, ...]  # the file line of each event, 1-based
    ends: tuple[int, ...]  # the byte offset just past each event's newline
    partial: dict[str, Any] | None = None

    def prefix(self, count: int) -> bytes:
        """The file's bytes up to the end of its first `count` events, exactly as written."""
        return self.data[: self.ends[count - 1]] if count else b""

    def upto(self, count: int) -> Saved:
        """The same transcript without the events after the first `count`."""
        return self._replace(
            events=self.events[:count],
            lines=self.lines[:count],
            ends=self.ends[:count],
        )

    def line(self, index: int) -> int:
        """The file line of event `index`, or the line after the last one."""
        return self.lines[index] if index < len(self.lines) else (self.lines or (0,))[-1] + 1


def load(path: Path) -> Saved:
    """Read a transcript file (a regular file, at most MAX_BYTES)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not hang
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise UserError(f"cannot read transcript {path}: not a regular file")
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise UserError(f"cannot read transcript {path}: {e.strerror or e}") from None
    if len(data) > MAX_BYTES:
        raise UserError(f"{path}: too big for a transcript (more than {MAX_BYTES >> 20} MB)")
    return parse(data, str(path))


def parse(data: bytes, name: str) -> Saved:
    """The whole events of a transcript's bytes (`name` is for messages)."""
    events: list[dict[str, Any]] = []
    lines: list[int] = []
    ends: list[int] = []
    pos = len(BOM) if data.startswith(BOM) else 0
    n = 0
    while (nl := data.find(b"\n", pos)) >= 0:
        n += 1
        event = _event(data[pos:nl], name, n)
        pos = nl + 1
        if event is None:
            continue
        if (event["event"] == "session") != (not events):
            raise UserError(
                f"{name}:{n}:1: the session line must come first, and only once"
                if events
                else f"{name}:{n}:1: not a Closer transcript (no session line)"
            )
        events.append(event)
        lines.append(n)
        ends.append(pos)
    if events:
        return Saved(name, data, tuple(events), tuple(lines), tuple(ends))
    partial = _partial_session(data[pos:])  # what follows the last newline was cut off
    if partial is None:
        raise UserError(f"{name}:1:1: not a Closer transcript (no session line)")
    return Saved(name, data, (), (), (), partial)


def _event(raw: bytes, name: str, n: int) -> dict[str, Any] | None:
    """One whole line as an event, or None for a blank line."""
    import json  # not before the first line: only a transcript needs it

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        col = len(raw[: e.start].decode("utf-8", "replace")) + 1
        raise UserError(f"{name}:{n}:{col}: not UTF-8 (byte 0x{raw[e.start]:02x})") from None
    if not text.strip():
        return None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise UserError(f"{name}:{n}:{e.colno}: not a transcript line ({e.msg})") from None
    except (ValueError, RecursionError):  # a number of thousands of digits, deep nesting
        raise UserError(f"{name}:{n}:1: not a transcript line (too large)") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("event"), str):
        raise UserError(f'{name}:{n}:1: not a transcript event (no "event")')
    event: dict[str, Any] = _scrub(obj)
    problem = _session_problem(event) if event["event"] == "session" else None
    if event["event"] != "session":
        from closer.engine.runtime.events import MalformedEvent, event_from_json

        try:  # what this Closer writes, with the fields it does not know left out
            event = event_from_json(event).to_json()
        except MalformedEvent as e:
            problem = str(e)
    if problem:
        shown = problem if len(problem) <= 160 else problem[:157] + "..."
        raise UserError(f"{name}:{n}:1: {clean(shown)}")
    return event


MAX_SEED = 2**31 - 1


def _session_problem(head: dict[str, Any]) -> str | None:
    """What is wrong with a session line, in words; None when nothing is."""
    import json  # not before the first line: only a transcript needs it

    if head.get("format") != FORMAT or type(head["format"]) is not int:
        shown = json.dumps(head.get("format"))[:40]
        return f"transcript format {shown} is not supported (this Closer reads format {FORMAT})"
    seed = head.get("seed")
    if not (type(seed) is int and 0 <= seed <= MAX_SEED):
        shown = json.dumps(seed)[:40]  # ASCII: nothing from the file reaches the terminal raw
        return f"the session's 'seed' must be a whole number from 0 to {MAX_SEED}, not {shown}"
    for key, required in (("scenario", True), ("source", False), ("sha256", False)):
        if (required or key in head) and not isinstance(head.get(key), str):
            return f"the session's {key!r} must be text, not {json.dumps(head.get(key))[:40]}"
    if head.get("mode", "interview") not in ("interview", "drill"):
        shown = json.dumps(head.get("mode"))[:40]
        return f'the session\'s \'mode\' must be "interview" or "drill", not {shown}'
    drawn = head.get("drawn", [])
    if not (isinstance(drawn, list) and all(isinstance(x, str) for x in drawn)):
        return f"the session's 'drawn' must be a list of concern ids, not {json.dumps(drawn)[:40]}"
    return None


def _scrub(value: Any) -> Any:
    """Lone surrogates (only a hand-made file has them) become U+FFFD, so text prints."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    return value


def _partial_session(tail: bytes) -> dict[str, Any] | None:
    """A session line cut off mid-write (or an empty file): what it says so far; None when
    the bytes are not the start of a session line."""
    import json  # not before the first line: only a transcript needs it

    text = tail.decode("utf-8", "ignore")
    if not (text.startswith(SESSION_START) or SESSION_START.startswith(text)):
        return None
    found: dict[str, Any] = {}
    if (seed := re.search(r'"seed": (\d{1,10})[,}]', text)) and int(seed.group(1)) <= MAX_SEED:
        found["seed"] = int(seed.group(1))
    for key in ("scenario", "source", "sha256", "mode"):  # strings whose closing quote was written
        if value := re.search(rf'"{key}": ("(?:[^"\\]|\\.)*")', text):
            with contextlib.suppress(ValueError):
                found[key] = json.loads(value.group(1))
    return found


def read(path: Path) -> Saved:
    """A transcript with at least its session line (a last line cut off by a crash is
    dropped)."""
    saved = load(path)
    if not saved.events:
        raise UserError(f"{path}:1:1: the session line was cut off; there is nothing to read")
    return saved
