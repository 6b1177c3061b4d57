"""`closer test --explore N`: seeded random conversations per scenario,
checked against the engine's invariants; each violation printed as a ready-to-save test case."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from closer.cli.text import clean, counted

SHOWN = 3  # violations of one invariant printed in full; the rest are counted


def run_explore(
    targets: list[tuple[str, Any]], walks: int, seed: int, echo: Callable[[str], None]
) -> int:
    """Explore each (scenario reference, Program) and print a report; 0 if nothing broke."""
    from closer.engine.tools.explore import explore, shrink, walk_as_test

    failed = 0
    for ref, program in targets:
        start = time.perf_counter()
        report = explore(program, walks, seed)
        elapsed = max(time.perf_counter() - start, 1e-9)
        echo(
            clean(f"{ref}: ") + f"{report.walks} walks, {report.turns} turns, "
            f"{report.walks / elapsed:.0f} walks/s (seed {seed}): "
            + (
                counted(len(report.violations), "violation")
                if report.violations
                else "no violations"
            )
        )
        shown: dict[str, int] = {}
        for v in report.violations:
            shown[v.invariant] = shown.get(v.invariant, 0) + 1
            if shown[v.invariant] > SHOWN:
                continue
            small = shrink(program, v)
            cut = f", shrunk from {len(v.lines)} lines" if len(small.lines) < len(v.lines) else ""
            v = small
            at = f" at turn {v.turn}" if v.turn is not None else ""
            echo("\n" + clean(f"{v.invariant}{at} (walk seed {v.walk_seed}{cut}): {v.message}"))
            echo("Save as a *.test.yaml file to keep it as a conversation test:\n")
            echo(walk_as_test(program, v, ref).rstrip("\n"))
        hidden = {k: n - SHOWN for k, n in shown.items() if n > SHOWN}
        for invariant, n in sorted(hidden.items()):
            echo(f"... and {n} more {invariant} {'violation' if n == 1 else 'violations'}")
        if report.violations:
            failed += 1
    return 1 if failed else 0
