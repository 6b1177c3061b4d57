"""Reading YAML (engine/format/source.py `parse`) benchmark. Run with the interpreter of the
environment Closer is installed in:
  .venv/bin/python bench/loader.py [--runs 21] [--against REV]

For each file, in one run and interleaved: `parse` (the character check, the pass over the
parser's events that enforces the limits, libyaml's composition and the conversion), against the
baseline of libyaml composing the same text with no limit at all. Medians in milliseconds, and
the ratio to the baseline (these machines are shared and noisy: compare the ratios). With
`--against REV`, the `parse` of engine/format/source.py at git revision REV is measured in the
same rounds too (`before`). The files: the shipped scenarios, the largest scenario the format
allows (1,000 questions), and files just under the byte limit that the limits refuse (where the
baseline is what a missing limit would cost).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import ROOT


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    with contextlib.suppress(Exception):  # a refused file: the time it takes to refuse it
        fn()
    return time.perf_counter() - start


def source_at(rev: str) -> Any:
    """engine/format/source.py as it was at `rev`, imported as a module of its own."""
    text = subprocess.run(
        ["git", "show", f"{rev}:engine/format/source.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "source_before.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("source_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["source_before"] = module
    spec.loader.exec_module(module)
    return module


def files() -> dict[str, str]:
    from tests.test_hostile_files import NEAR_LIMIT
    from tests.test_lint import MAX_QUESTIONS, generated

    out = {p.name: p.read_text(encoding="utf-8") for p in sorted(ROOT.glob("scenarios/*.yaml"))}
    out[f"generated, {MAX_QUESTIONS} questions"] = generated(MAX_QUESTIONS)
    for param in NEAR_LIMIT:
        out[f"refused: {param.id}"] = param.values[0]()
    out["refused: 10,000 brackets deep"] = "a: " + "[" * 10_000 + "\n"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--against", metavar="REV", help="also time parse() at this revision")
    args = parser.parse_args()
    import yaml

    from closer.engine.format.source import parse

    before = source_at(args.against).parse if args.against else None

    def compose(text: str) -> object:
        loader = yaml.CSafeLoader(text)
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()

    print(f"{args.runs} interleaved runs, libyaml {yaml.__with_libyaml__}")
    extra = f" {'before':>9} {'ratio':>6}" if before else ""
    print(f"{'file':<40} {'KB':>4} {'compose':>9} {'parse':>9} {'ratio':>6}{extra}")
    for name, text in files().items():
        cases: dict[str, Callable[[], object]] = {
            "compose": lambda t=text: compose(t),
            "parse": lambda t=text: parse(t, "bench.yaml"),
        }
        if before is not None:
            cases["before"] = lambda t=text: before(t, "bench.yaml")
        samples: dict[str, list[float]] = {k: [] for k in cases}
        runs = args.runs if len(text) < 200_000 else max(3, args.runs // 4)
        for _ in range(runs):
            for key, fn in cases.items():
                samples[key].append(timed(fn))
        ms = {k: statistics.median(v) * 1000 for k, v in samples.items()}
        row = f"{name:<40} {len(text) // 1000:>4} {ms['compose']:>7.1f}ms {ms['parse']:>7.1f}ms"
        row += f" {ms['parse'] / ms['compose']:>6.2f}"
        if "before" in ms:
            row += f" {ms['before']:>7.1f}ms {ms['before'] / ms['compose']:>6.2f}"
        print(row)


if __name__ == "__main__":
    main()
