"""How long `closer test` takes on the shipped conversation tests. Run with the interpreter of
the environment Closer is installed in:  .venv/bin/python bench/convtest.py [--runs 11]

Interleaved in one run, as medians of wall-clock time: the baseline `python -c "import yaml"`,
`closer test` (text), `closer test --coverage --fail-under 90`, and the same cases through
pytest (`pytest -q -p no:cacheprovider scenarios/tests`). Also the in-process time per case.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from common import CLOSER, ROOT, interleaved, report, wall

COMMANDS = {
    'python -c "import yaml"': [sys.executable, "-c", "import yaml"],
    "closer test": [CLOSER, "test"],
    "closer test --coverage --fail-under 90": [CLOSER, "test", "--coverage", "--fail-under", "90"],
    "pytest scenarios/tests": [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "scenarios/tests",
    ],
}  # fmt: skip


def per_case(repeats: int) -> tuple[int, float]:
    """(number of cases, median seconds to run all of them in-process, scenario compiled)."""
    from closer.cli.testing import Programs, discover, load_file
    from closer.engine.tools.convtest import run_case

    programs = Programs()
    loaded = [load_file(f, programs) for f in discover([ROOT / "scenarios" / "tests"])]
    cases = [(c, f.programs[c.scenario]) for f in loaded for c in f.tests.cases]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for case, program in cases:
            assert run_case(case, program).passed
        times.append(time.perf_counter() - start)
    return len(cases), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    cases = {name: (lambda cmd=cmd: wall(cmd)) for name, cmd in COMMANDS.items()}
    report(interleaved(cases, args.runs), args.runs)
    n, total = per_case(args.runs)
    print(f"  in-process: {n} cases in {total * 1000:.0f} ms ({total / n * 1000:.2f} ms a case)")


if __name__ == "__main__":
    main()
