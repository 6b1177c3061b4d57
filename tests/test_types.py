"""mypy over the installed layout: `strict` for closer.engine, the defaults for closer.cli.

The source folders are mapped under `closer` by pyproject.toml, which mypy cannot follow in an
editable install; so the check runs on a staging folder of links laid out as the wheel is."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

mypy = pytest.importorskip("mypy", reason="mypy is not installed (pip install -e '.[test]')")


def stage(into: Path) -> Path:
    pkg = into / "closer"
    pkg.mkdir()
    for name in ("__init__.py", "__main__.py"):
        (pkg / name).symlink_to(ROOT / "closer" / name)
    for part in ("engine", "cli", "scenarios"):
        (pkg / part).symlink_to(ROOT / part)
    return into


def test_mypy_is_clean(tmp_path: Path) -> None:
    staged = stage(tmp_path)
    proc = subprocess.run(
        [
            sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
            "--cache-dir", str(ROOT / ".mypy_cache"), "-p", "closer",
        ],
        cwd=staged,
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no issues found" in proc.stdout
