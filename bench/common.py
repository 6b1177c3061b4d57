"""What every benchmark here shares: run commands interleaved in one run, report medians and the
ratio to a baseline measured in the same run (these machines are shared and noisy, so compare
ratios rather than absolute numbers)."""

from __future__ import annotations

import compileall
import contextlib
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CLOSER = str(Path(sys.executable).parent / "closer")


def wall(cmd: list[str]) -> float:
    """Seconds one command takes, output discarded; a failing command stops the benchmark."""
    start = time.perf_counter()
    subprocess.run(
        cmd,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    return time.perf_counter() - start


def interleaved(cases: dict[str, Callable[[], float]], runs: int) -> dict[str, float]:
    """Median seconds of each case over `runs` rounds, one of each case per round after a
    warm-up round (the file cache), so load on the machine hits every case alike."""
    samples: dict[str, list[float]] = {k: [] for k in cases}
    for fn in cases.values():
        fn()
    for _ in range(runs):
        for name, fn in cases.items():
            samples[name].append(fn())
    return {name: statistics.median(values) for name, values in samples.items()}


def report(medians: dict[str, float], runs: int, width: int = 56) -> None:
    """A table of medians against the first case, the baseline."""
    base = next(iter(medians.values()))
    print(f"{runs} interleaved runs, Python {sys.version.split()[0]}")
    print(f"{'case':<{width}} {'median':>9} {'vs baseline':>12}")
    for name, med in medians.items():
        print(f"{name:<{width}} {med * 1000:>7.1f}ms {med / base:>11.2f}x")


def stage(tree: Path, into: Path, compiled: bool = False) -> Path:
    """A folder that maps a tree's engine/, cli/ and scenarios/ under `closer`, so a probe run
    from it imports that tree and the installed package plays no part. `compiled`: the tree's
    modules are compiled to bytecode first, as an install's are (see bench/run.py)."""
    pkg = into / "closer"
    pkg.mkdir(parents=True)
    for name in ("__init__.py", "__main__.py"):
        if (tree / "closer" / name).exists():
            (pkg / name).symlink_to(tree / "closer" / name)
    for part in ("engine", "cli", "scenarios"):
        (pkg / part).symlink_to(tree / part)
    if compiled:
        for package in ("closer", "cli", "engine"):
            compileall.compile_dir(tree / package, quiet=2)
    return into


@contextlib.contextmanager
def checkout(rev: str, where: Path) -> Iterator[Path]:
    """REV checked out at `where` (a detached git worktree) for the block, removed after it."""
    subprocess.run(
        ["git", "worktree", "add", "--detach", "-q", str(where), rev], cwd=ROOT, check=True
    )
    try:
        yield where
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(where)], cwd=ROOT)
