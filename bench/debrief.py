"""What a debrief costs, next to the conversation it is about. Run with the interpreter of the
environment Closer is installed in:

    .venv/bin/python bench/debrief.py [--runs 7] [--walks 100] [--seed 1]

Each run plays `--walks` explored conversations on each shipped persona (the baseline: the
session's own work) and then builds their debriefs, and checks their quotes (what
`closer test --explore` adds per walk). The medians over the runs are reported, and the debrief's
cost as a ratio to playing, measured in the same run (these machines are shared and noisy).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from common import ROOT


def main() -> None:
    from closer.engine import compile_scenario, load_path
    from closer.engine.tools.debrief import build_debrief
    from closer.engine.tools.explore import Sampler, Walk, generate, quotes, walk_seeds

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--walks", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"{args.runs} runs of {args.walks} walks per persona, Python {sys.version.split()[0]}")
    for name in ("ledgerline", "riverbend"):
        program = compile_scenario(load_path(ROOT / "scenarios" / f"{name}.yaml"))
        sampler = Sampler(program)
        played: list[float] = []
        built: list[float] = []
        for run in range(args.runs):
            start = time.perf_counter()
            walks: list[Walk] = [
                generate(program, s, sampler)[0] for s in walk_seeds(args.seed + run, args.walks)
            ]
            played.append((time.perf_counter() - start) / args.walks)
            start = time.perf_counter()
            for walk in walks:
                quotes(walk, [build_debrief(program, walk.events)], program)
            built.append((time.perf_counter() - start) / args.walks)
        play, debrief = statistics.median(played), statistics.median(built)
        print(
            f"{name}: playing a walk {play * 1000:.1f} ms, its debrief and quote check "
            f"{debrief * 1000:.2f} ms (median): {debrief / play:.2f}x the walk"
        )


if __name__ == "__main__":
    main()
