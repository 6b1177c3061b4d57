"""`closer validate` benchmark. Run with the interpreter of the environment Closer is installed in:
  .venv/bin/python bench/validate.py [--runs 21]

Measures, in one run and interleaved, `closer validate --strict` on every shipped scenario and on a
generated scenario as large as the loader allows, against the baseline of importing PyYAML in a
fresh interpreter; reports medians and the ratio to the baseline (these machines are shared and
noisy, so compare the ratios rather than the absolute numbers). Then, in process, the load and lint
times over growing generated scenarios, to show neither is quadratic.

The generated scenario has 1,000 questions, the most `flow.questions` may hold (E036), so 1,005
states with opening, candidate_questions, the two closing states and ended. It stays inside the
other limits (512,000 bytes, 20,000 keys and values); the script prints its size and checks that
1,001 questions are refused.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import CLOSER, ROOT, interleaved, report, wall

BASELINE = [sys.executable, "-c", "import yaml"]


def values(text: str) -> int:
    """How many keys and values the loader counts in `text` (its 20,000 limit)."""
    from closer.engine.format.source import Y, parse

    def count(y: Y) -> int:
        if isinstance(y.v, dict):
            return 1 + sum(1 + count(v) for v in y.v.values())
        if isinstance(y.v, list):
            return 1 + sum(count(v) for v in y.v)
        return 1

    return count(parse(text, "generated.yaml"))


def in_process(sizes: list[int], repeats: int) -> None:
    from closer.engine import compile_scenario, load_scenario
    from closer.engine.tools.lint import lint
    from tests.test_lint import generated

    print(f"\n{'in process, generated scenario':<40} {'load+compile':>13} {'lint':>9}")
    for n in sizes:
        text = generated(n)
        loads, lints = [], []
        for _ in range(repeats):
            start = time.perf_counter()
            program = compile_scenario(load_scenario(text, "generated.yaml"))
            mid = time.perf_counter()
            lint(program)
            loads.append(mid - start)
            lints.append(time.perf_counter() - mid)
        print(
            f"{n:>4} questions{'':<27} {statistics.median(loads) * 1000:>11.1f}ms "
            f"{statistics.median(lints) * 1000:>7.2f}ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    from closer.engine import ScenarioError, load_scenario
    from tests.test_lint import MAX_QUESTIONS, generated

    try:
        load_scenario(generated(MAX_QUESTIONS + 1), "generated.yaml")
    except ScenarioError as e:
        refused = ", ".join(d.code for d in e.diagnostics)
    else:
        raise SystemExit(f"{MAX_QUESTIONS + 1} questions loaded: update the docstring")
    text = generated(MAX_QUESTIONS)
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "generated.yaml"
        big.write_text(text, encoding="utf-8")
        cases = {"baseline: python -c 'import yaml'": lambda: wall(BASELINE)}
        for path in sorted((ROOT / "scenarios").glob("*.yaml")):
            cases[f"closer validate --strict {path.name}"] = lambda p=path: wall(
                [CLOSER, "validate", "--strict", str(p)]
            )
        cases[f"closer validate --strict generated ({MAX_QUESTIONS} questions)"] = lambda: wall(
            [CLOSER, "validate", "--strict", str(big)]
        )
        medians = interleaved(cases, args.runs)  # the warm-up round fails loudly if not clean
    print(
        f"generated scenario: {MAX_QUESTIONS} questions, {len(text.encode()):,} bytes, "
        f"{values(text):,} values; {MAX_QUESTIONS + 1} questions is refused ({refused})"
    )
    report(medians, args.runs)
    in_process([50, 100, 250, 500, MAX_QUESTIONS], 9)


if __name__ == "__main__":
    main()
