"""Finding scenarios: shipped ids, file paths, and the local files `closer list` shows."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cli.errors import UserError

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
    import scenarios

    return Path(scenarios.__file__).parent


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


def _summary(path: Path) -> tuple[str, str] | None:
    from engine.errors import ScenarioError
    from engine.source import decode, parse

    try:
        data = path.read_bytes()
        root = parse(decode(data, str(path)), str(path))
    except (OSError, ScenarioError):
        return None
    if not isinstance(root.v, dict) or "persona" not in root.v or "closer" not in root.v:
        return None
    sid, title = root.get("id"), root.get("title")
    return (str(sid.v) if sid else path.stem, str(title.v) if title else "")


def entries(cwd: Path) -> list[Entry]:
    """Shipped scenarios, then scenario files in `cwd` and `cwd/scenarios`."""
    out: list[Entry] = []
    for sid, path in shipped_paths().items():
        info = _summary(path)
        if info:
            out.append(Entry(info[0], info[1], str(path), sid == DEFAULT, True))
    seen = {Path(e.path).resolve() for e in out}
    for folder in (cwd, cwd / "scenarios"):
        for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            if path.resolve() in seen:
                continue
            seen.add(path.resolve())
            info = _summary(path)
            if info:
                out.append(Entry(info[0], info[1], str(path), False, False))
    return out
