"""The opt-in compiled build (`CLOSER_COMPILE=1 pip install .`, see build_backend/): without
the variable this is setuptools reading pyproject.toml, nothing more.

With it, mypyc compiles the engine's hot modules (`HOT`) to C extensions. mypyc names a module
after its path, and the source tree keeps `closer.engine` in `engine/` (pyproject.toml's
package-dir), so it compiles a staged tree of links laid out as the package installs. A failed
compile fails the install: the compiled build was asked for."""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import setup

# the modules every turn runs through (docs/performance.md, "The compiled build")
HOT = [
    "format/patterns.py",
    "runtime/program.py",
    "runtime/reading.py",
    "runtime/concerns.py",
    "runtime/judge.py",
    "runtime/session.py",
    "runtime/voice.py",
    "runtime/repair.py",
    "runtime/events.py",
    "runtime/machine.py",
]


def stage(here: Path, into: Path) -> Path:
    """`into`/closer laid out as installed, of links to the source tree's folders."""
    pkg = into / "closer"
    pkg.mkdir(parents=True, exist_ok=True)
    links = [(n, here / "closer" / n) for n in ("__init__.py", "__main__.py")]
    links += [(part, here / part) for part in ("engine", "cli", "scenarios")]
    for name, target in links:
        link = pkg / name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target)
    return into


def compiled_extensions(here: Path) -> list[object]:
    from mypyc.build import mypycify  # a build requirement only under CLOSER_COMPILE

    staged = stage(here, here / "build" / "mypyc-stage")
    back = Path.cwd()
    os.chdir(staged)  # mypyc takes a module's name from its path
    try:
        return list(
            mypycify(
                [f"closer/engine/{m}" for m in HOT],
                target_dir=str(here / "build" / "mypyc-c"),
                group_name="closer.engine",
            )
        )
    finally:
        os.chdir(back)


if os.environ.get("CLOSER_COMPILE", "") not in ("", "0"):
    setup(ext_modules=compiled_extensions(Path(__file__).resolve().parent))
else:
    setup()
