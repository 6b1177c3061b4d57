"""Start-up (issue 12, goal 3): what `closer --version` and `closer play` import before they
answer, and how long they take beside a bare interpreter importing the dependencies, measured
in the same test (medians, interleaved; the ratios are generous so a busy machine does not fail
them, and `bench/run.py` keeps the real figures)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

CLOSER = str(Path(sys.executable).parent / "closer")


def _env(cache: Path) -> dict[str, str]:
    """Bytecode as an installed Closer has it (pip compiles at install; the sandbox's
    PYTHONDONTWRITEBYTECODE would make every start compile Closer from source), kept apart."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def _imported_before_first_line(args: list[str], env: dict[str, str]) -> str:
    """`-X importtime`'s log up to the interviewer's first line, through a real pipe."""
    with subprocess.Popen(
        [sys.executable, "-X", "importtime", "-m", "closer", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        for line in proc.stdout:
            if line.startswith("Priya:"):
                break
        else:
            raise AssertionError("no interviewer line")
        proc.kill()  # waiting for the candidate: nothing more is imported after the line
        return proc.stderr.read()


def _modules(log: str) -> set[str]:
    return {line.rsplit("|", 1)[1].strip() for line in log.splitlines() if "|" in line}


def test_version_imports_click_and_nothing_of_the_engine(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "closer", "--version"],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        check=True,
    )
    assert out.stdout == "closer 0.2.0\n"
    loaded = _modules(out.stderr)
    assert "click" in loaded and "closer.cli.main" in loaded
    closer = {m for m in loaded if m.startswith("closer.")}
    assert closer == {"closer.cli", "closer.cli.main"}, closer
    assert not loaded & {"yaml", "transitions", "json", "hashlib"}


def test_play_shows_the_first_line_before_importing_what_the_end_needs(tmp_path: Path) -> None:
    log = _imported_before_first_line(["play", "--instant", "--seed", "1"], _env(tmp_path))
    loaded = _modules(log)
    assert "closer.engine.runtime.session" in loaded  # the check itself can fail
    # the debrief is printed at the end, the full lint is `closer validate`'s
    assert not loaded & {"closer.engine.tools.debrief", "closer.cli.debrief"}


def _median_seconds(cases: dict[str, Callable[[], float]], runs: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {k: [] for k in cases}
    for fn in cases.values():  # warm-up: the file cache, and the bytecode under the prefix
        fn()
    for _ in range(runs):
        for name, fn in cases.items():
            samples[name].append(fn())
    return {k: statistics.median(v) for k, v in samples.items()}


def _wall(cmd: list[str], env: dict[str, str]) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=True)
        return time.perf_counter() - start

    return run


def _first_line(env: dict[str, str]) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter()
        with subprocess.Popen(
            [CLOSER, "play", "--instant", "--seed", "1"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        ) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.startswith("Priya:"):
                    break
            else:
                raise AssertionError("no interviewer line")
            elapsed = time.perf_counter() - start
            proc.kill()
        return elapsed

    return run


@pytest.mark.skipif(not Path(CLOSER).exists(), reason="the `closer` script is not installed")
def test_start_up_against_importing_the_dependencies(tmp_path: Path) -> None:
    """Goals: --version <= 1.1x `import click`, the first line <= 1.5x importing click, yaml and
    transitions. Asserted with room for a loaded machine: these catch an engine imported by
    --version (about 2x) or the library compiled twice, not a few per cent."""
    env = _env(tmp_path)
    medians = _median_seconds(
        {
            "click": _wall([sys.executable, "-c", "import click"], env),
            "deps": _wall([sys.executable, "-c", "import click, yaml, transitions"], env),
            "version": _wall([CLOSER, "--version"], env),
            "first line": _first_line(env),
        },
        runs=7,
    )
    assert medians["version"] / medians["click"] < 1.5, medians
    assert medians["first line"] / medians["deps"] < 3.0, medians
