"""What every benchmark here shares: run commands interleaved in one run, report medians and the
ratio to a baseline measured in the same run (these machines are shared and noisy, so compare
ratios rather than absolute numbers)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
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
