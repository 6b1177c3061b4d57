"""The compiled build (`CLOSER_COMPILE=1 pip install .`) against the pure one, in one run:

    .venv/bin/python bench/compiled.py [--quick] [--rounds N] [--seeds N]

Builds a compiled copy of this tree in a temporary folder (a wheel, as `CLOSER_COMPILE=1 pip
install .` builds it, with this interpreter's mypy and C compiler: `pip install -e '.[test]'`
brings mypy), then, with the pure tree beside it:

  (a) plays every shipped persona through both, with seeded conversations of the scripted
      candidates' lines (tests/data/candidates.json) and the scripted candidates themselves
      (tests/candidates.py), and stops unless the transcripts are byte for byte the same;
  (b) whole conversations through the API (bench/throughput.py's probe), turns a second;
  (c) a turn of bench/peers.py's N-rule bot at N=10, 100, 1,000 and 10,000, and AIML's (if
      the `bench` extra is installed: `pip install -e '.[test,bench]'`);
  (d) start-up, beside `import click` and importing click, yaml and transitions (issue 12's
      baselines): `python -m closer --version`, and a first line through the API (load,
      compile, `Session.start`);
  (e) loading: bench/compile.py's 10,000 patterns and 1,000 questions (issue 12's goal 4).

Each measure runs fresh processes, the builds interleaved in rounds (load on the shared machine
hits both alike), after a warm-up round; the report gives medians and compiled/pure. About a
minute on two cores, half of it the build (mypyc and gcc), so not part of the suite:
tests/test_bench_compiled.py checks only the pure half. `--quick`: fewer seeds, rounds and lines
(its peers' turn, over 80 lines, is mostly first readings: read the full run's).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import peers
from common import ROOT, stage
from throughput import probe

# (a): one digest of every event of every conversation, and of the scripted candidates' results
SAME = r"""
import hashlib, json, random, sys
from pathlib import Path
import closer.scenarios
from closer.engine import Session, compile_scenario, load_path

root, seeds = Path(sys.argv[1]), int(sys.argv[2])
assert closer.scenarios.__file__.startswith(sys.path[1]), sys.path  # the tree asked for
sys.path.append(str(root))  # for tests.candidates, which imports the tree's closer
from tests.candidates import play_all

data = json.loads((root / "tests" / "data" / "candidates.json").read_text(encoding="utf-8"))
pool = sorted({s for s in json.dumps(data).split('"') if len(s) > 12 and " " in s})
digest, turns = hashlib.sha256(), 0
for path in sorted(Path(closer.scenarios.__file__).parent.glob("*.yaml")):
    program = compile_scenario(load_path(path))
    for seed in range(seeds):
        rng = random.Random(seed)
        session, first = Session.start(program, seed)
        for e in first.events:
            digest.update(json.dumps(e.to_json()).encode())
        while not session.ended and turns < 10**7:
            turn = session.turn(rng.choice(pool) if rng.random() < 0.9 else "")
            turns += 1
            for e in turn.events:
                digest.update(json.dumps(e.to_json()).encode())
        digest.update(json.dumps(session.state.to_json(), sort_keys=True).encode())
for seed in range(min(seeds, 3)):
    digest.update(repr(sorted(play_all(seed).items())).encode())
print(turns, digest.hexdigest())
"""

# (d): a first line through the API, as `closer play` gets it
FIRST = r"""
from pathlib import Path
import closer.scenarios
from closer.engine import Session, compile_scenario, load_path
from closer.engine.runtime.events import SayEvent
program = compile_scenario(load_path(Path(closer.scenarios.__file__).parent / "ledgerline.yaml"))
session, turn = Session.start(program, 0)
print(next(e.text for e in turn.events if isinstance(e, SayEvent)))
"""


def _env(tree: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"}


def build(into: Path) -> Path:
    """This tree (what git tracks, and new files) built as the compiled wheel, unpacked into a
    folder that a probe imports it from. Stops the benchmark if the build fails."""
    src = into / "src"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    start = time.perf_counter()
    out = subprocess.run(
        [
            sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
            "-w", str(into / "wheel"), str(src),
        ],
        env={**os.environ, "CLOSER_COMPILE": "1"},
        capture_output=True,
        text=True,
    )  # fmt: skip
    if out.returncode != 0:
        sys.exit(f"bench/compiled.py: the compiled build failed:\n{out.stdout}{out.stderr}")
    print(f"compiled build: {time.perf_counter() - start:.0f}s (mypyc and gcc, ten modules)")
    (wheel,) = (into / "wheel").glob("closer-*.whl")
    tree = into / "compiled"
    zipfile.ZipFile(wheel).extractall(tree)
    # the bytecode of its pure modules, as an install writes it (the pure tree's is, too)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree)], check=True)
    return tree


def same(trees: dict[str, Path], seeds: int) -> None:
    """(a) Every build plays the same conversations to the same bytes."""
    found = {}
    for name, tree in trees.items():
        out = subprocess.run(
            [sys.executable, "-c", SAME, str(ROOT), str(seeds)],
            cwd=tree,
            env=_env(tree),
            capture_output=True,
            text=True,
            check=True,
        )
        found[name] = out.stdout.split()
    turns, digest = next(iter(found.values()))
    if any(f != [turns, digest] for f in found.values()):
        sys.exit(f"bench/compiled.py: the transcripts differ: {found}")
    personas = len(list((ROOT / "scenarios").glob("*.yaml")))
    print(
        f"(a) transcripts: the same bytes in {' and '.join(found)} ({personas} personas x "
        f"{seeds} seeds, {turns} turns, and the scripted candidates; sha256 {digest[:16]})"
    )


def _median_runs(cases: dict[str, list[str]], trees: dict[str, Path], rounds: int) -> dict:
    samples: dict[tuple[str, str], list[float]] = {(c, t): [] for c in cases for t in trees}
    for r in range(rounds + 1):
        for case, args in cases.items():
            for name, tree in trees.items():
                start = time.perf_counter()
                subprocess.run([sys.executable, *args], cwd=tree, env=_env(tree), check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
                if r:
                    samples[(case, name)].append(time.perf_counter() - start)
    return {k: statistics.median(v) for k, v in samples.items()}


def throughput(trees: dict[str, Path], rounds: int, conversations: int) -> None:
    """(b) bench/throughput.py's probe, interleaved."""
    runs: dict[str, list[float]] = {name: [] for name in trees}
    for _ in range(rounds):
        for name, tree in trees.items():
            runs[name].append(probe(tree, conversations)["turns_per_s"])
    med = {name: statistics.median(v) for name, v in runs.items()}
    print(f"(b) whole conversations, {rounds} rounds of {conversations} per persona, medians:")
    for name, tps in med.items():
        print(f"    {name:<10} {tps:>9,.0f} turns/s {1e6 / tps:>7.1f}us/turn")
    print(f"    compiled/pure {med['compiled'] / med['pure']:.2f}x throughput")


SIZES = (10, 100, 1_000, 10_000)  # issue 12's goal 1: at or under AIML's turn at every N


def peer_turns(trees: dict[str, Path], rounds: int, count: int) -> None:
    """(c) bench/peers.py's bot, each build and AIML in fresh processes, interleaved."""
    engines = [*trees, *(["aiml"] if peers.installed("aiml") else [])]
    med = peers.run(engines, SIZES, rounds, count, trees)
    print(f"(c) a turn of the N-rule bot (bench/peers.py), {rounds} rounds of {count} lines:")
    print(f"    {'N':>6} " + " ".join(f"{e:>12}" for e in engines) + "  compiled/pure")
    for n in SIZES:
        row = " ".join(f"{med[e][n]['turn'] * 1e6:>10.1f}us" for e in engines)
        ratio = med["compiled"][n]["turn"] / med["pure"][n]["turn"]
        print(f"    {n:>6} {row}  {ratio:>12.2f}x")
    if "aiml" not in engines:
        print("    (AIML is not installed here: pip install -e '.[test,bench]')")


def start_up(trees: dict[str, Path], rounds: int) -> None:
    """(d) `closer --version` and a first line, wall time of a fresh interpreter, each beside
    issue 12's baseline for it: `import click`, and importing click, yaml and transitions."""
    cases = {
        "closer --version": ["-m", "closer", "--version"],
        "first line": ["-c", FIRST],
        "import click": ["-c", "import click"],
        "import the three": ["-c", "import click, yaml, transitions"],
    }
    med = _median_runs(cases, trees, rounds)
    print(f"(d) start-up, {rounds} rounds, medians (wall time of a fresh interpreter):")
    for case, base in (("closer --version", "import click"), ("first line", "import the three")):
        row = " ".join(f"{name} {med[(case, name)] * 1000:>6.1f}ms" for name in trees)
        over = " ".join(f"{med[(case, n)] / med[(base, n)]:.2f}x" for n in trees)
        ratio = med[(case, "compiled")] / med[(case, "pure")]
        print(f"    {case:<17} {row}  compiled/pure {ratio:.2f}x; over {base}: {over}")


def loading(trees: dict[str, Path], tmp: Path, rounds: int) -> None:
    """(e) goal 4: bench/compile.py's two files (10,000 patterns; 1,000 questions), loaded,
    compiled and a first line classified, in an interpreter of their own, interleaved."""
    from compile import PROBE as LOAD  # bench/compile.py

    from tests.test_index import generated as patterns
    from tests.test_lint import MAX_QUESTIONS
    from tests.test_lint import generated as questions

    files = {
        "10,000 patterns": patterns(10_000)[0],
        f"{MAX_QUESTIONS:,} questions": questions(MAX_QUESTIONS),
    }
    paths = {label: tmp / f"load{i}.yaml" for i, label in enumerate(files)}
    for label, text in files.items():
        paths[label].write_text(text, encoding="utf-8")
    runs: dict[tuple[str, str], list[float]] = {(n, f): [] for n in trees for f in files}
    for _ in range(rounds):
        for name, tree in trees.items():
            for label, path in paths.items():
                out = subprocess.run(
                    [sys.executable, "-c", LOAD, "3", str(path)],
                    cwd=tree, env=_env(tree), capture_output=True, text=True, check=True,
                )  # fmt: skip
                runs[(name, label)].append(sum(json.loads(out.stdout)[str(path)][:3]))
    print(f"(e) loading (bench/compile.py's total: load, compile, first line), {rounds} rounds:")
    for label in files:
        row = " ".join(f"{n} {statistics.median(runs[(n, label)]):>6.1f}ms" for n in trees)
        print(f"    {label:<17} {row}")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--quick", action="store_true", help="fewer seeds, rounds and lines")
    p.add_argument("--rounds", type=int, help="rounds of each measure (default 7; quick 3)")
    p.add_argument("--seeds", type=int, help="seeds per persona for (a) (default 40; quick 8)")
    return p


def main() -> None:
    args = parser().parse_args()
    rounds = args.rounds or (3 if args.quick else 7)
    seeds = args.seeds or (8 if args.quick else 40)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores; medians of interleaved runs")
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"pure": stage(ROOT, Path(tmp) / "pure", compiled=True)}
        trees["compiled"] = build(Path(tmp))
        same(trees, seeds)
        throughput(trees, rounds, 20 if args.quick else 100)
        peer_turns(trees, rounds, 80 if args.quick else 400)
        start_up(trees, rounds * 3)
        loading(trees, Path(tmp), 3 if args.quick else 5)


if __name__ == "__main__":
    main()
