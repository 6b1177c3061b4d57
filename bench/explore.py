"""Exploration throughput: explored conversations per second on the default persona. Run with the
interpreter of the environment Closer is installed in:

    .venv/bin/python bench/explore.py [--runs 7] [--walks 200] [--seed 1]

Each run explores `--walks` walks (every walk is played once and replayed about three times to
check the invariants, see docs/exploring.md) with a different seed; the medians are reported,
since these machines are shared and noisy. "Turns" are candidate lines of the explored walks.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main() -> None:
    from engine import compile_scenario, load_path
    from engine.explore import explore

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--walks", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    program = compile_scenario(load_path(HERE.parent / "scenarios" / "ledgerline.yaml"))
    explore(program, 10, args.seed)  # warm up
    walks_per_s: list[float] = []
    turns_per_s: list[float] = []
    violations = 0
    for run in range(args.runs):
        start = time.perf_counter()
        report = explore(program, args.walks, args.seed + run)
        elapsed = time.perf_counter() - start
        walks_per_s.append(report.walks / elapsed)
        turns_per_s.append(report.turns / elapsed)
        violations += len(report.violations)
    print(f"{args.runs} runs of {args.walks} walks, Python {sys.version.split()[0]}")
    print(
        f"explored conversations per second (median): {statistics.median(walks_per_s):.1f}"
        f"  (min {min(walks_per_s):.1f}, max {max(walks_per_s):.1f})"
    )
    print(f"explored turns per second (median): {statistics.median(turns_per_s):.0f}")
    print(f"violations found: {violations}")


if __name__ == "__main__":
    main()
