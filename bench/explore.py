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

from common import ROOT


def main() -> None:
    from closer.engine import compile_scenario, load_path
    from closer.engine.tools.explore import Sampler, explore, generate, walk_seeds

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--walks", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    program = compile_scenario(load_path(ROOT / "scenarios" / "ledgerline.yaml"))
    explore(program, 10, args.seed)  # warm up
    played: list[float] = []  # baseline: the same walks generated and played once, unchecked
    explored: list[float] = []
    turns_per_s: list[float] = []
    violations = 0
    for run in range(args.runs):
        seed = args.seed + run
        start = time.perf_counter()
        sampler = Sampler(program)
        for walk_seed in walk_seeds(seed, args.walks):
            generate(program, walk_seed, sampler)
        played.append(args.walks / (time.perf_counter() - start))
        start = time.perf_counter()
        report = explore(program, args.walks, seed)
        elapsed = time.perf_counter() - start
        explored.append(report.walks / elapsed)
        turns_per_s.append(report.turns / elapsed)
        violations += len(report.violations)
    base, rate = statistics.median(played), statistics.median(explored)
    print(f"{args.runs} interleaved runs of {args.walks} walks, Python {sys.version.split()[0]}")
    print(f"baseline: walks generated and played once, unchecked (median): {base:.1f}/s")
    print(
        f"explored conversations per second (median): {rate:.1f}"
        f"  (min {min(explored):.1f}, max {max(explored):.1f}; {rate / base:.2f}x the baseline)"
    )
    print(f"explored turns per second (median): {statistics.median(turns_per_s):.0f}")
    print(f"violations found: {violations}")


if __name__ == "__main__":
    main()
