"""Finding scenarios: shipped ids, file paths, and the local files `closer list` shows."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from closer.cli.errors import UserError

DEFAULT = "ledgerline"


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    path: str
    default: bool
    shipped: bool

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "path": self.path, "default": self.default}


def shipped_dir() -> Path:
    from closer.scenarios import DIR

    return DIR


def shipped_paths() -> dict[str, Path]:
    return {p.stem: p for p in sorted(shipped_dir().glob("*.yaml"))}


def resolve(name: str | None) -> tuple[str, Path]:
    """SCENARIO argument -> (the reference stored in transcripts, the file to load)."""
    name = name or DEFAULT
    shipped = shipped_paths()
    candidate = Path(name).expanduser()
    if candidate.exists():  # the loader reports a directory, a pipe or a device precisely
        return str(candidate.resolve()), candidate
    if name in shipped:
        return name, shipped[name]
    if candidate.suffix in (".yaml", ".yml") or "/" in name:
        raise UserError(f"no such file: {name}")
    close = difflib.get_close_matches(name, list(shipped), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else "; `closer list` shows them"
    raise UserError(f"unknown scenario {name!r}{hint}")


def _small(path: Path) -> bytes | None:
    """The bytes of a regular file no bigger than a scenario may be, else None."""
    from closer.engine.format.source import MAX_BYTES

    try:
        if not path.is_file() or path.stat().st_size > MAX_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


def _summary(path: Path, data: bytes) -> tuple[str, str] | None:
    """(id, title) when `data` is a Closer scenario; anything else is skipped quietly."""
    from closer.engine.errors import ScenarioError
    from closer.engine.format.source import decode, parse

    try:
        root = parse(decode(data, str(path)), str(path))
    except ScenarioError:
        return None
    if not isinstance(root.v, dict) or "persona" not in root.v or "closer" not in root.v:
        return None
    sid, title = root.get("id"), root.get("title")
    return (str(sid.v) if sid else path.stem, str(title.v) if title else "")


def entries(cwd: Path) -> list[Entry]:
    """Shipped scenarios, then scenario files in `cwd` and `cwd/scenarios`."""
    out: list[Entry] = []
    shipped: set[bytes] = set()
    for sid, path in shipped_paths().items():
        data = _small(path)
        info = _summary(path, data) if data is not None else None
        if data is not None and info:
            shipped.add(data)
            out.append(Entry(info[0], info[1], str(path), sid == DEFAULT, True))
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
                out.append(Entry(info[0], info[1], str(path), False, False))
    return out
