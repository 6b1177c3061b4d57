"""The build backend (build_backend/closer_backend.py): the pure package by default, and the
compiled build only when `CLOSER_COMPILE=1` asks for it, never for an editable install."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from importlib.machinery import ModuleSpec
from pathlib import Path

import pytest
from click.testing import CliRunner

from closer import __version__
from closer.cli import main
from closer.engine import COMPILED
from tests.helpers import ROOT

sys.path.insert(0, str(ROOT / "build_backend"))
import closer_backend

sys.path.remove(str(ROOT / "build_backend"))


def test_the_compiled_build_needs_mypy_only_when_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    # setuptools' own answer, without running setup.py here
    monkeypatch.setattr(closer_backend.build_meta, "get_requires_for_build_wheel", lambda c: [])
    monkeypatch.delenv("CLOSER_COMPILE", raising=False)
    assert closer_backend.get_requires_for_build_wheel() == []
    for off in ("", "0"):
        monkeypatch.setenv("CLOSER_COMPILE", off)
        assert not closer_backend.compiling()
    monkeypatch.setenv("CLOSER_COMPILE", "1")
    wanted = closer_backend.get_requires_for_build_wheel()
    assert "mypy>=2.4" in wanted and "types-PyYAML" in wanted


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is Python 3.11's")
def test_the_compiled_build_type_checks_against_the_projects_own_dependencies() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["build-system"]["build-backend"] == "closer_backend"
    assert project["build-system"]["backend-path"] == ["build_backend"]
    assert set(project["project"]["dependencies"]) <= set(closer_backend.COMPILE_REQUIRES)


def test_an_editable_install_refuses_to_compile(tmp_path: Path) -> None:
    """A compiled module keeps running after its source is edited: `pip install -e` with
    CLOSER_COMPILE=1 stops at once, with one line that says why (pip frames it)."""
    proc = subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--no-build-isolation", "--no-deps",
            "--dry-run", "-e", str(ROOT),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**_env(), "CLOSER_COMPILE": "1"},
        timeout=120,
    )  # fmt: skip
    assert proc.returncode != 0
    assert closer_backend.EDITABLE_REFUSED in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "CLOSER_COMPILE"}


def test_version_names_the_build(runner: CliRunner) -> None:
    result = runner.invoke(main.cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"closer {__version__}{' (compiled)' if COMPILED else ''}\n"
    assert main.compiled() is COMPILED


@pytest.mark.parametrize("compiled", [False, True])
def test_compiled_is_told_from_the_engines_files(
    compiled: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "format").mkdir()
    (tmp_path / "format" / "patterns.py").write_text("")
    if compiled:
        suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
        (tmp_path / "format" / f"patterns{suffix}").write_bytes(b"")
    spec = ModuleSpec("closer.engine", None, is_package=True)
    spec.submodule_search_locations = [str(tmp_path)]
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: spec)
    assert main.compiled() is compiled
