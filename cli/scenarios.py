"""Finding scenarios: shipped ids, file paths, and the local files `closer list` shows."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NamedTuple

import click

from closer.cli.errors import UserError
from closer.cli.text import clean

DEFAULT = "ledgerline"


class Summary(NamedTuple):
    """What `closer list` and the picker show of a scenario file, read without compiling it."""

    id: str
    title: str
    difficulty: str = ""  # easy, medium or hard; "" when the file does not say
    persona: str = ""  # the interviewer's name
    role: str = ""  # the interviewer's role


class Entry(NamedTuple):  # NamedTuples: a dataclass costs every start ~0.5 ms to make
    id: str
    title: str
    path: str
    default: bool
    shipped: bool
    difficulty: str = ""
    persona: str = ""
    role: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "path": self.path,
            "default": self.default,
            "difficulty": self.difficulty or None,
            "persona": self.persona or None,
            "role": self.role or None,
        }


def shipped_dir() -> Path:
    from closer.scenarios import DIR

    return DIR


def shipped_paths() -> dict[str, Path]:
    return {p.stem: p for p in sorted(shipped_dir().glob("*.yaml"))}


def looks_like_a_path(name: str) -> bool:
    """A SCENARIO written as a path (a folder separator, `~`, or a YAML suffix), never an id."""
    separators = {"/", os.sep, os.altsep or "/"}
    return (
        any(s in name for s in separators)
        or name.startswith("~")
        or name.endswith((".yaml", ".yml"))
    )


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):  # a name too long, or with a NUL in it
        return False


def resolve(name: str | None) -> tuple[str, Path]:
    """SCENARIO argument -> (the reference stored in transcripts, the file to load).

    A path is a path. Otherwise the ids `closer list` shows come first: a shipped id, then the
    id of a scenario file here (stored as its absolute path); then a file of that name. A file
    or folder named like a shipped id does not hide the shipped scenario: a note says how to
    reach it instead."""
    if name is None:
        return DEFAULT, shipped_paths()[DEFAULT]
    if looks_like_a_path(name):
        path = Path(name).expanduser()
        if not _exists(path):
            raise UserError(f"no such file: {name}")
        return str(path.resolve()), path  # the loader reports a folder or a device precisely
    shipped = shipped_paths()
    plain = Path(name)
    if name in shipped:
        if _exists(plain):
            what = "folder" if plain.is_dir() else "file"
            note = f"{name!r} is the shipped scenario; for the {what} here, write ./{name}"
            click.echo(clean(f"closer: note: {note}"), err=True)
        return name, shipped[name]
    cwd = Path.cwd()
    local = [e for e in entries(cwd) if not e.shipped]
    same = [Path(e.path) for e in local if e.id == name]
    if len(same) == 1:
        return str(same[0].resolve()), same[0]
    if same:
        files = ", ".join(_shown(p, cwd) for p in same)
        raise UserError(
            f"{len(same)} scenario files here have the id {name!r} ({files}); give the path of one"
        )
    if _exists(plain):  # a scenario file without a YAML suffix
        return str(plain.resolve()), plain
    ids = [*shipped, *(e.id for e in local)]
    import difflib  # only for a mistake: not a cost of every start

    close = difflib.get_close_matches(name, ids, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else "; `closer list` shows them"
    raise UserError(f"unknown scenario {name!r}{hint}")


def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Shell completion for a SCENARIO: the ids `closer list` shows that start with what is
    typed, after a file item that lets the shell complete paths itself."""
    from click.shell_completion import CompletionItem

    files = [CompletionItem(incomplete, type="file")]
    if looks_like_a_path(incomplete):
        return files
    ids = dict.fromkeys(e.id for e in entries(Path.cwd()))
    typeable = [i for i in ids if clean(i) == i and not any(c.isspace() for c in i)]
    return files + [CompletionItem(i) for i in typeable if i.startswith(incomplete)]


def _shown(path: Path, cwd: Path) -> str:
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)


def _small(path: Path) -> bytes | None:
    """The bytes of a regular file no bigger than a scenario may be, else None."""
    from closer.engine.format.source import MAX_BYTES

    try:
        if not path.is_file() or path.stat().st_size > MAX_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


def _text(root: Any, *keys: str) -> str:
    """The string at `keys` under `root`, or "" when it is missing or not a string."""
    for key in keys:
        if not isinstance(root.v, dict) or (root := root.get(key)) is None:
            return ""
    return root.v if isinstance(root.v, str) else ""


def _summary(path: Path, data: bytes) -> Summary | None:
    """The summary when `data` is a Closer scenario; anything else is skipped quietly."""
    from closer.engine.errors import ScenarioError
    from closer.engine.format.model import DIFFICULTIES
    from closer.engine.format.source import decode, parse

    try:
        root = parse(decode(data, str(path)), str(path))
    except ScenarioError:
        return None
    if not isinstance(root.v, dict) or "persona" not in root.v or "closer" not in root.v:
        return None
    sid, title = root.get("id"), root.get("title")
    difficulty = _text(root, "difficulty")
    return Summary(
        str(sid.v) if sid else path.stem,
        str(title.v) if title else "",
        difficulty if difficulty in DIFFICULTIES else "",
        _text(root, "persona", "name"),
        _text(root, "persona", "role"),
    )


def entries(cwd: Path) -> list[Entry]:
    """Shipped scenarios, then scenario files in `cwd` and `cwd/scenarios`."""
    out: list[Entry] = []
    shipped: set[bytes] = set()
    for sid, path in shipped_paths().items():
        data = _small(path)
        info = _summary(path, data) if data is not None else None
        if data is not None and info:
            shipped.add(data)
            out.append(_entry(info, path, sid == DEFAULT, True))
    seen = {Path(e.path).resolve() for e in out}
    for folder in (cwd, cwd / "scenarios"):
        for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            if path.resolve() in seen or path.name.endswith(".test.yaml"):
                continue  # conversation tests are not scenarios
            seen.add(path.resolve())
            data = _small(path)
            if data is None or data in shipped:  # a checkout's own copy is not "local"
                continue
            info = _summary(path, data)
            if info:
                out.append(_entry(info, path, False, False))
    return out


def _entry(info: Summary, path: Path, default: bool, shipped: bool) -> Entry:
    return Entry(
        info.id, info.title, str(path), default, shipped, info.difficulty, info.persona, info.role
    )
