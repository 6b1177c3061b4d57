"""The engine's turn latency and memory per idle session, this tree against another revision,
measured in one run:  .venv/bin/python bench/engine.py --against REV [--rounds 7]

Each round runs a fresh interpreter on each tree in turn (interleaved, so load on the shared
machine hits both alike) and reports medians over the rounds and the ratio of this tree to REV.
Both trees are imported from a staging folder that maps engine/, cli/ and scenarios/ under
`closer` the way pyproject.toml installs them, so the installed package plays no part.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, checkout, stage

# The probe runs against any revision, whatever its tests hold, so it carries its own lines (the
# default persona's strong answers and close, as in tests/test_session.py).
PROBE = r"""
import gc, json, statistics, sys, time, tracemalloc
from pathlib import Path
from closer.engine import Session, compile_scenario, load_path
import closer.scenarios

LINES = [
    "Fine, thanks for having me.",
    "I have been a backend engineer for 5 years, mostly Python and Go.",
    "I designed an order routing service that handled 2000 requests per second.",
    "Our queue backed up for 2 hours once; I found the consumer bug and fixed it.",
    "I write unit and integration tests, and every change gets code review from 2 people.",
    "I carry a pager one week in 4 at my current job.",
    "I want to work on payments; I have followed Ledgerline for 2 years.",
    "Why is this position open?",
    "Is there anything I said today, or in my background, that would prevent you from "
    "recommending me? If there is, could I have a chance to talk about it?",
    "What do you mean?",
    "Brightloop shut down and Parcelwise was acquired, and payments is where I want to stay.",
    "Does that address your concern?",
    "Anything else?",
    "No, that's all. Thank you!",
]
program = compile_scenario(load_path(Path(closer.scenarios.__file__).parent / "ledgerline.yaml"))
times = []
for seed in range(60):
    session, _ = Session.start(program, seed)
    for line in LINES:
        if session.ended:
            break
        start = time.perf_counter()
        session.turn(" " * seed + line)  # new text each session: no cache of an earlier line
        times.append(time.perf_counter() - start)
N = 2000
gc.collect()
tracemalloc.start()
before = tracemalloc.get_traced_memory()[0]
idle = [Session.start(program, seed)[0] for seed in range(N)]
gc.collect()
after = tracemalloc.get_traced_memory()[0]
tracemalloc.stop()
assert closer.scenarios.__file__.startswith(sys.path[1]), sys.path
print(json.dumps({"turn_us": statistics.median(times) * 1e6, "idle_bytes": (after - before) / N}))
"""


def probe(path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=path,  # not the checkout: `-c` puts the current folder first on sys.path
        env={"PYTHONPATH": str(path), "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--against", required=True, help="a git revision to compare with")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        checkout(args.against, Path(folder) / "other") as other,
    ):
        tmp = Path(folder)
        trees = {f"{args.against}": stage(other, tmp / "a"), "this tree": stage(ROOT, tmp / "b")}
        samples: dict[str, list[dict[str, float]]] = {k: [] for k in trees}
        for _ in range(args.rounds):
            for name, path in trees.items():
                samples[name].append(probe(path))
    print(f"{args.rounds} interleaved rounds, Python {sys.version.split()[0]}, medians")
    print(f"{'tree':<24} {'turn':>10} {'idle session':>14}")
    med = {
        name: {k: statistics.median(s[k] for s in runs) for k in ("turn_us", "idle_bytes")}
        for name, runs in samples.items()
    }
    for name, m in med.items():
        print(f"{name:<24} {m['turn_us']:>8.1f}us {m['idle_bytes'] / 1024:>11.2f}KiB")
    a, b = med[args.against], med["this tree"]
    print(
        f"{'ratio this/' + args.against:<24} {b['turn_us'] / a['turn_us']:>9.2f}x "
        f"{b['idle_bytes'] / a['idle_bytes']:>12.2f}x"
    )


if __name__ == "__main__":
    main()
