"""Loading and compiling large scenarios, this tree against another revision, in one run:
  .venv/bin/python bench/compile.py [--against REV] [--rounds 5] [--runs 5]

Two generated files: 10,000 patterns over 400 candidate-question intents (tests/test_index.py
`generated`; the E062 budget, which a real scenario cannot exceed, is lifted for it) and the
largest flow the format allows, 1,000 questions (tests/test_lint.py `generated`). Each round runs,
on each tree in turn (interleaved), a fresh interpreter for each file: a file's first run is what
a `closer play` process pays, with nothing read before it (an interpreter that had just read the
10,000 patterns read the 1,000 questions slower the first time). An interpreter loads the shared
library once, then times `load_scenario` (parse, check, compile every pattern) and
`compile_scenario` (the flow machine), then classifies one line among the candidate questions
(the first line builds the pattern index), `--runs` times, and reports the medians. The previous
run's scenario and program are freed before a run starts (else freeing them, about 12 ms for the
10,000 patterns, fell in the next run's *compile*). The report is the median over the rounds,
in milliseconds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, checkout, stage

PROBE = r"""
import json, statistics, sys, time
from closer.engine import compile_scenario, load_scenario
from closer.engine.format import loader
from closer.engine.format.patterns import normalize

loader.MAX_TOTAL_COST = 10**9
loader.standard_library()
out = {}
for name in sys.argv[2:]:
    text = open(name, encoding="utf-8").read()
    load, comp, first = [], [], []
    for _ in range(int(sys.argv[1])):
        sc = program = None  # the last run's, freed here: not in the next run's times
        t0 = time.perf_counter()
        sc = load_scenario(text, "gen.yaml")
        t1 = time.perf_counter()
        program = compile_scenario(sc)
        t2 = time.perf_counter()
        program.classify(normalize("what is the team like?"), frozenset(program.answers))
        t3 = time.perf_counter()
        load.append(t1 - t0)
        comp.append(t2 - t1)
        first.append(t3 - t2)
    once = [(load[0] + comp[0] + first[0]) * 1e3]  # the first in the process
    out[name] = [statistics.median(x) * 1e3 for x in (load, comp, first)] + once
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--against", help="a git revision to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from tests.test_index import generated as patterns
    from tests.test_lint import MAX_QUESTIONS
    from tests.test_lint import generated as questions

    with tempfile.TemporaryDirectory() as tmp:
        files = {
            "10,000 patterns": patterns(10_000)[0],
            f"{MAX_QUESTIONS:,} questions": questions(MAX_QUESTIONS),
        }
        paths = {}
        for i, (label, text) in enumerate(files.items()):
            paths[label] = Path(tmp) / f"f{i}.yaml"
            paths[label].write_text(text, encoding="utf-8")
        trees = {"this tree": stage(ROOT, Path(tmp) / "b")}
        with contextlib.ExitStack() as stack:
            if args.against:
                other = stack.enter_context(checkout(args.against, Path(tmp) / "other"))
                trees = {args.against: stage(other, Path(tmp) / "a"), **trees}
            samples: dict[str, list[dict[str, list[float]]]] = {k: [] for k in trees}
            for _ in range(args.rounds):
                for name, path in trees.items():
                    found: dict[str, list[float]] = {}
                    for file in paths.values():  # an interpreter of its own for each file
                        out = subprocess.run(
                            [sys.executable, "-c", PROBE, str(args.runs), str(file)],
                            cwd=path,
                            env={"PYTHONPATH": str(path), "PYTHONHASHSEED": "0"},
                            capture_output=True,
                            text=True,
                            check=True,
                        )
                        found.update(json.loads(out.stdout))
                    samples[name].append(found)
    print(f"{args.rounds} interleaved rounds of {args.runs} runs, medians in ms")
    print("1st line: classifying one line after compiling (where the pattern index is built);")
    print("total: the three, median over the runs; 1st run: the three in an interpreter's first")
    print("(what a `closer play` process pays: it loads one scenario)")
    head = f"{'tree':<16} {'file':<18} {'load':>8} {'compile':>8} {'1st line':>8} {'total':>8}"
    print(head + f" {'1st run':>8}")
    for name, runs in samples.items():
        for label, path in paths.items():
            load, comp, first, once = (
                statistics.median(r[str(path)][i] for r in runs) for i in range(4)
            )
            total = load + comp + first
            print(
                f"{name:<16} {label:<18} {load:>8.1f} {comp:>8.1f} {first:>8.1f} {total:>8.1f}"
                f" {once:>8.1f}"
            )


if __name__ == "__main__":
    main()
