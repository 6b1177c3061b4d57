"""What `pip install .` really installs: one top-level import package, `closer`, with its data,
working from any folder; and a project with its own `cli` and `scenarios` is left alone."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.helpers import ROOT


def run(*args: str | Path, cwd: Path, stdin: str = "", timeout: int = 120) -> str:
    proc = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.returncode == 0, f"{args}: {proc.stdout}{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # built from a copy of what git tracks, so the build leaves nothing in the checkout
    src, out = tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("wheel")
    tracked = run("git", "ls-files", "-z", cwd=ROOT).split("\0")
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
        "-w", out, src, cwd=out, timeout=300,
    )  # fmt: skip
    (built,) = out.glob("closer-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with only the wheel installed; its three dependencies are borrowed from
    this environment through a path file (no network; that folder's .pth files are not run,
    so the checkout's editable install stays out of sight)."""
    home = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", "--without-pip", home, cwd=home)
    python = home / "bin" / "python"
    run(
        sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps",
        "--no-index", wheel, cwd=home, timeout=300,
    )  # fmt: skip
    site = Path(
        run(
            python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=home
        ).strip()
    )
    (site / "borrowed.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return home


def test_the_wheel_holds_one_top_level_package_with_its_data(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"closer", next(t for t in tops if t.endswith(".dist-info"))}
    for data in (
        "closer/scenarios/ledgerline.yaml",
        "closer/scenarios/library/standard.yaml",
        "closer/scenarios/templates/persona.yaml",
        "closer/scenarios/tests/ledgerline-closing.test.yaml",
        "closer/engine/runtime/session.py",
        "closer/__main__.py",
    ):
        assert data in names
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    points = zipfile.ZipFile(wheel).read(entry).decode()
    assert "closer = closer.cli.main:main" in points
    assert "closer = closer.cli.pytest_plugin" in points


def test_the_installed_command_works_from_any_folder(venv: Path, tmp_path: Path) -> None:
    # a folder with its own `scenarios` package and `cli.py` must not confuse the installed tool
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "__init__.py").write_text("raise ImportError('not ours')\n")
    (tmp_path / "cli.py").write_text("raise ImportError('not ours either')\n")
    closer = venv / "bin" / "closer"
    version = run(closer, "--version", cwd=tmp_path)
    assert version.startswith("closer ")
    assert run(venv / "bin" / "python", "-m", "closer", "--version", cwd=tmp_path) == version
    listed = run(closer, "list", cwd=tmp_path)
    assert "ledgerline" in listed and "riverbend" in listed
    assert str(venv) in listed  # the shipped files come from the installed package
    played = run(
        closer, "play", "--instant", "riverbend", cwd=tmp_path,
        stdin="Hello, thanks for having me.\nI have been a nurse for six years.\n",
    )  # fmt: skip
    assert "Denise" in played and "Debrief" in played


def test_a_project_with_its_own_cli_and_scenarios_runs_its_own_tests(tmp_path: Path) -> None:
    (tmp_path / "cli.py").write_text("NAME = 'theirs'\n")
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "__init__.py").write_text("NAME = 'theirs too'\n")
    (tmp_path / "test_theirs.py").write_text(
        "import cli, scenarios\n\n"
        "def test_their_modules():\n"
        "    assert cli.NAME == 'theirs' and scenarios.NAME == 'theirs too'\n"
    )
    (tmp_path / "greeting.test.yaml").write_text(
        "closer_test: 1\nscenario: ledgerline\ncases:\n"
        "  - name: the greeting leads to a question\n"
        "    steps:\n      - {say: 'Hi, thanks for having me.', state: about_you}\n",
        encoding="utf-8",
    )
    out = run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=tmp_path)
    assert "2 passed" in out


def test_the_suite_exercises_the_checkout() -> None:
    """The README's test command installs in editable mode: a change to `cli/` is what runs."""
    import closer.cli.main
    import closer.engine.runtime.session
    import closer.scenarios

    for module in (closer.cli.main, closer.engine.runtime.session, closer.scenarios):
        assert Path(module.__file__ or "").resolve().is_relative_to(ROOT), module.__file__
