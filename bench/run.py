"""Start-up and per-turn benchmark. Run with the interpreter of the environment Closer is
installed in:  .venv/bin/python bench/run.py [--runs 21] [--against REV]

Everything is measured in one run, interleaved, against the baseline of importing the three
runtime dependencies in a fresh interpreter, and reported as medians (these machines are shared
and noisy, so compare the ratios rather than the absolute numbers).

Closer's modules are compiled to bytecode first, as `pip install` does for an installed Closer
and did for click, yaml and transitions: in an editable install with PYTHONDONTWRITEBYTECODE set
(as in the project's sandboxes), every `closer` would otherwise compile its ~60 modules from
source on each start, about 45 ms that no user's install pays.

With `--against REV`, the first line and `closer validate` are also timed for this tree and for
git revision REV (checked out in a temporary worktree), each as `python -m closer` from a folder
that maps the tree under `closer`, interleaved with the rest: a before and after in one run.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from common import CLOSER, ROOT, checkout, interleaved, report, stage, wall

BASELINE = [sys.executable, "-c", "import click, yaml, transitions"]
CLICK = [sys.executable, "-c", "import click"]  # the baseline of `closer --version` (issue 12)


BASE_CASE = "baseline: python -c 'import click, yaml, transitions'"
CLICK_CASE = "python -c 'import click'"
GOALS = [  # (case, measured against, label, goal)
    ("closer --version", CLICK_CASE, "of import click", 1.1),
    ("closer play: first interviewer line", BASE_CASE, "of import click, yaml, transitions", 1.5),
    ("closer validate (default persona)", BASE_CASE, "of import click, yaml, transitions", 1.5),
]


def first_line(answer: str | None = None, closer: Sequence[str] = (CLOSER,), **kw: Any) -> float:
    """Seconds from launching `closer play` until the interviewer's first line is printed, or
    with `answer`, until her reply to it (written once the first line is out): the first turn
    compiles the shared library's patterns that the first line did not need."""
    start = time.perf_counter()
    with subprocess.Popen(
        [*closer, "play", "--instant", "--seed", "1"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        **kw,
    ) as proc:
        assert proc.stdout is not None and proc.stdin is not None
        waiting = 1 if answer is None else 2
        for line in proc.stdout:
            if line.startswith("Priya:"):
                waiting -= 1
                if not waiting:
                    elapsed = time.perf_counter() - start
                    break
                proc.stdin.write(answer + "\n")
                proc.stdin.flush()
        else:
            raise RuntimeError("no interviewer line")
        proc.kill()
    return elapsed


def session(history: Path | None) -> float:
    """Seconds a short piped session takes, start to exit, with the practice record written to
    `history` (None: turned off) -- the difference is what the record costs a session."""
    env = dict(os.environ)
    env.pop("CLOSER_HISTORY", None)
    if history is None:
        env["CLOSER_NO_HISTORY"] = "1"
    else:
        env.pop("CLOSER_NO_HISTORY", None)
        env["CLOSER_HISTORY"] = str(history)
    start = time.perf_counter()
    subprocess.run(
        [CLOSER, "play", "--instant", "--seed", "1"],
        input=b"Hello.\nbye\n",
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    return time.perf_counter() - start


def listing(history: Path) -> float:
    """Seconds `closer history` takes to list the rows this run recorded."""
    env = {**os.environ, "CLOSER_HISTORY": str(history)}
    env.pop("CLOSER_NO_HISTORY", None)
    start = time.perf_counter()
    subprocess.run([CLOSER, "history"], env=env, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def record_times(folder: Path, repeats: int) -> list[float]:
    """Seconds `closer.cli.history.record` takes to add one row (open, check, write, close),
    in this process: what the practice record adds after the debrief, sqlite3 imported."""
    from closer.cli import history

    row = history.Row(
        "2026-01-01T00:00:00+00:00", "ledgerline", "Priya Natarajan", 1, "interview", "eof",
        "advance", 70, True, True, 1, 1, 1, None,
    )  # fmt: skip
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        history.record(folder / "record.sqlite3", row)
        out.append(time.perf_counter() - start)
    return out


def turn_latencies(repeats: int) -> list[float]:
    """Per-turn engine time over a scripted interview on the default persona."""
    from closer.engine import Session, compile_scenario, load_path
    from tests.test_session import ANSWERS, CLOSING, RESOLVE_TENURE

    program = compile_scenario(load_path(ROOT / "scenarios" / "ledgerline.yaml"))
    lines = [
        *ANSWERS,
        "Why is this position open?",
        CLOSING,
        "What do you mean?",
        RESOLVE_TENURE,
        "Does that address your concern?",
        "Anything else?",
        "No, that's all. Thank you!",
    ]
    out = []
    for seed in range(repeats):
        session, _ = Session.start(program, seed)
        for line in lines:
            if session.ended:
                break
            start = time.perf_counter()
            session.turn(line)
            out.append(time.perf_counter() - start)
    return out


def tree_cases(name: str, tree: Path, into: Path) -> dict[str, Callable[[], float]]:
    """The first line and `closer validate` of one tree, run as `python -m closer`."""
    folder = stage(tree, into, compiled=True)
    kw: dict[str, Any] = {"cwd": folder, "env": {**os.environ, "PYTHONPATH": str(folder)}}
    module = [sys.executable, "-m", "closer"]
    persona = str(tree / "scenarios" / "ledgerline.yaml")

    def validate() -> float:
        start = time.perf_counter()
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        subprocess.run([*module, "validate", persona], check=True, **quiet, **kw)
        return time.perf_counter() - start

    return {
        f"first interviewer line, {name}": lambda: first_line(None, module, **kw),
        f"closer validate (default persona), {name}": validate,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--against", metavar="REV", help="a git revision to compare with")
    args = parser.parse_args()
    for package in ("closer", "cli", "engine"):  # what an installed Closer has (see above)
        compileall.compile_dir(ROOT / package, quiet=2)
    tmp = Path(tempfile.mkdtemp(prefix="closer-bench-"))
    trees: dict[str, Callable[[], float]] = {}
    with contextlib.ExitStack() as stack:
        if args.against:
            other = stack.enter_context(checkout(args.against, tmp / "other"))
            trees = {
                **tree_cases(args.against, other, tmp / "a"),
                **tree_cases("this tree", ROOT, tmp / "b"),
            }
        run(args.runs, trees)


def run(runs: int, trees: dict[str, Callable[[], float]]) -> None:
    record = Path(tempfile.mkdtemp(prefix="closer-bench-")) / "history.sqlite3"
    cases = {
        BASE_CASE: lambda: wall(BASELINE),
        CLICK_CASE: lambda: wall(CLICK),
        "closer --version": lambda: wall([CLOSER, "--version"]),
        "closer play: first interviewer line": first_line,
        "closer play: the reply to a first answer": lambda: first_line("Fine, thanks."),
        "closer validate (default persona)": lambda: wall(
            [CLOSER, "validate", str(ROOT / "scenarios" / "ledgerline.yaml")]
        ),
        "closer play: 2-line piped session, no history": lambda: session(None),
        "closer play: 2-line piped session, recorded": lambda: session(record),
        "closer history (the rows this run recorded)": lambda: listing(record),
        **trees,
    }
    medians = interleaved(cases, runs)
    report(medians, runs)
    base, click_only = medians[BASE_CASE], medians[CLICK_CASE]
    print("issue 12, goal 3 (start-up), each a ratio measured in this run:")
    for name, against, label, goal in GOALS:
        ratio = medians[name] / (click_only if against == CLICK_CASE else base)
        mark = "ok" if ratio <= goal else "over"
        print(f"  {name:<40} {ratio:>5.2f}x {label:<35} (goal <= {goal}x: {mark})")
    for name in trees:  # with --against: the same two, each tree as `python -m closer`
        ratio = medians[name] / base
        mark = "ok" if ratio <= 1.5 else "over"
        print(f"  {name:<51} {ratio:>5.2f}x of the baseline (goal <= 1.5x: {mark})")
    on = medians["closer play: 2-line piped session, recorded"]
    off = medians["closer play: 2-line piped session, no history"]
    print(
        f"practice record: {(on - off) * 1000:+.1f}ms a session ({on / off:.2f}x the same "
        "session with CLOSER_NO_HISTORY=1), paid after the debrief"
    )
    writes = record_times(record.parent, 31)
    print(
        f"{'practice record: one row written (median, in process)':<56} "
        f"{statistics.median(writes) * 1000:>7.2f}ms"
    )
    turns = turn_latencies(50)
    print(
        f"{'per-turn engine latency, default persona (median)':<56} "
        f"{statistics.median(turns) * 1000:>7.2f}ms   (p95 "
        f"{sorted(turns)[int(len(turns) * 0.95)] * 1000:.2f}ms, {len(turns)} turns)"
    )


if __name__ == "__main__":
    main()
