"""Whole conversations through the API, in turns a second on one core, this tree against another
revision, measured in one run:  .venv/bin/python bench/throughput.py --against REV [--rounds 7]

Each round runs a fresh interpreter on each tree in turn (interleaved, so load on the shared
machine hits both alike). An interpreter plays whole conversations on both shipped personas
(`Session.start`, then `turn` for every line of a script, seeds 0..CONVERSATIONS-1 each), after
one warm-up conversation per persona, and prints the turns a second of that pass. Each
conversation's lines are new text (the script's, after as many spaces as the seed), as a person's
lines would be: what was worked out for an earlier line is never reused. The report is
the median over the rounds for each tree and the ratio of this tree to REV. `--profile` instead
prints a cProfile of this tree's conversations (cumulative, top 40).
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

# The probe runs against any revision, so it carries its own scripts: strong answers, a weak one,
# a candidate question, the closing question, a probe, an answer to the concern, the close.
PROBE = r"""
import json, sys, time
from pathlib import Path
from closer.engine import Session, compile_scenario, load_path
import closer.scenarios

SCRIPTS = {
    "ledgerline": [
        "Fine, thanks for having me.",
        "I have been a backend engineer for 5 years, mostly Python and Go.",
        "I designed an order routing service that handled 2000 requests per second.",
        "Our queue backed up for 2 hours once; I found the consumer bug and fixed it.",
        "I write unit and integration tests, and every change gets code review from 2 people.",
        "I'd rather not do nights and weekends, honestly.",
        "I want to work on payments; I have followed Ledgerline for 2 years.",
        "Why is this position open?",
        "Is there anything I said today, or in my background, that would prevent you from "
        "recommending me? If there is, could I have a chance to talk about it?",
        "What do you mean?",
        "Brightloop shut down and Parcelwise was acquired, and payments is where I want to stay.",
        "Does that address your concern?",
        "Anything else?",
        "No, that's all. Thank you!",
    ],
    "riverbend": [
        "Honestly, no, the parking was a nightmare this morning.",
        "I've been a med-surg nurse for six years, most recently at Lakeview, and I took a year "
        "off to care for my father.",
        "I'd start with the one climbing out of bed, because a fall is the biggest risk, then the "
        "new admission from the ER.",
        "I don't remember the details, can we move on?",
        "Yes, I used Epic at Lakeview for four years.",
        "I usually ask a colleague and read the policy, then practise on the training system.",
        "Nights suit my family right now, and I like the pace.",
        "I left because my father got sick and I needed to care for him.",
        "What does a typical night look like on the unit?",
        "Is there anything that would prevent you from recommending me?",
        "Is that about the gap?",
        "I finished a refresher course last month and kept my license and certifications current.",
        "Is there anything else?",
        "No, that's everything. Thank you so much!",
    ],
}
CONVERSATIONS = int(sys.argv[1])
here = Path(closer.scenarios.__file__).parent
programs = {n: compile_scenario(load_path(here / f"{n}.yaml")) for n in SCRIPTS}


def play(seeds):
    turns = 0
    for name, program in programs.items():
        for seed in seeds:
            session, _ = Session.start(program, seed)
            for line in SCRIPTS[name]:
                if session.ended:
                    break
                # a line typed in each conversation anew: no cache of an earlier one helps
                session.turn(" " * seed + line)
                turns += 1
    return turns


play(range(1))
if len(sys.argv) > 2 and sys.argv[2] == "breakdown":
    # the matcher's entry points, timed where the session calls them (not nested)
    import closer.engine.format.patterns as patterns
    from closer.engine.runtime import judge, program, reading, session
    spent, busy = {}, [False]
    def timed(f, name):
        spent[name] = 0.0
        def call(*args, **kwargs):
            if busy[0]:
                return f(*args, **kwargs)
            busy[0], start = True, time.perf_counter()
            try:
                return f(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - start
                busy[0] = False
        return call
    plain = []
    for _ in range(5):
        start = time.perf_counter()
        turns = play(range(CONVERSATIONS))
        plain.append((time.perf_counter() - start) / turns)
    for module in (session, reading, judge):
        module.normalize = timed(module.normalize, "normalize")
    for name in ("classify", "any_match", "count"):
        setattr(program.Program, name, timed(getattr(program.Program, name), name))
    # the line's anchoring keys, worked out at the first question about it (often a gate's)
    if hasattr(program, "Lists"):
        program.Lists.line = timed(program.Lists.line, "Lists.line")
    patterns.Pattern.match = timed(patterns.Pattern.match, "Pattern.match")
    matched = []
    for _ in range(5):
        for name in spent:
            spent[name] = 0.0
        turns = play(range(CONVERSATIONS))
        matched.append({name: t / turns for name, t in spent.items()})
    best = min(matched, key=lambda parts: sum(parts.values()))
    turn, matcher = min(plain) * 1e6, sum(best.values()) * 1e6
    parts = {f"{name}_us": t * 1e6 for name, t in best.items()}
    print(json.dumps({"turn_us": turn, "matcher_us": matcher, **parts}))
    raise SystemExit
if len(sys.argv) > 2:
    import cProfile, pstats
    cProfile.run("play(range(CONVERSATIONS))", "/tmp/closer-throughput.prof")
    pstats.Stats("/tmp/closer-throughput.prof").sort_stats("cumulative").print_stats(40)
    raise SystemExit
start = time.perf_counter()
turns = play(range(CONVERSATIONS))
elapsed = time.perf_counter() - start
assert closer.scenarios.__file__.startswith(sys.path[1]), sys.path
print(json.dumps({"turns_per_s": turns / elapsed, "turns": turns}))
"""


def probe(
    path: Path, conversations: int, profile: bool = False, mode: str = ""
) -> dict[str, float]:
    extra = ["profile"] if profile else [mode] if mode else []
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(conversations), *extra],
        cwd=path,  # not the checkout: `-c` puts the current folder first on sys.path
        env={"PYTHONPATH": str(path), "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        check=True,
    )
    if profile:
        print(out.stdout)
        return {}
    return json.loads(out.stdout)


def breakdown(path: Path, conversations: int, rounds: int) -> None:
    """Where this tree's turn goes: the time inside the matcher's entry points as the session
    calls them (`normalize`, `Program.classify`, `any_match`, `count`, `Pattern.match`, and
    `Lists.line`, the line's anchoring keys, which a gate such as `Program.unheard` may ask
    for first), and the rest, the session's own work (reading, concerns, judge, voice,
    machine, events). A revision without `Lists.line` reports 0 for it.
    Timing each call adds a little to the matcher's share: read it as an estimate."""
    runs = [probe(path, conversations, mode="breakdown") for _ in range(rounds)]
    med = {k: statistics.median(r.get(k, 0.0) for r in runs) for k in runs[0]}
    med["own_us"] = med["turn_us"] - med["matcher_us"]
    print(f"{rounds} rounds, Python {sys.version.split()[0]}, best of 5 passes each, medians")
    print(f"{'turn':<24} {med['turn_us']:>8.1f}us")
    for key, name in (("matcher_us", "matcher's calls"), ("own_us", "session's own work")):
        print(f"{name:<24} {med[key]:>8.1f}us {med[key] / med['turn_us']:>7.0%}")
        if key == "matcher_us":  # each entry point's part, as the session calls it
            parts = ("normalize", "classify", "any_match", "count", "Lists.line", "Pattern.match")
            for part in parts:
                us = med.get(f"{part}_us", 0.0)
                print(f"  {part:<22} {us:>8.1f}us {us / med['turn_us']:>7.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--against", help="a git revision to compare with")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--conversations", type=int, default=100, help="per persona per round")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="this tree's turn split into the matcher's calls and the session's own work",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.profile:
            probe(stage(ROOT, Path(tmp) / "b"), args.conversations, profile=True)
            return
        if args.breakdown:
            breakdown(stage(ROOT, Path(tmp) / "b"), args.conversations, args.rounds)
            return
        trees = {"this tree": stage(ROOT, Path(tmp) / "b")}
        with contextlib.ExitStack() as stack:
            if args.against:
                other = stack.enter_context(checkout(args.against, Path(tmp) / "other"))
                trees = {args.against: stage(other, Path(tmp) / "a"), **trees}
            samples: dict[str, list[float]] = {k: [] for k in trees}
            for _ in range(args.rounds):
                for name, path in trees.items():
                    samples[name].append(probe(path, args.conversations)["turns_per_s"])
    print(
        f"{args.rounds} interleaved rounds, Python {sys.version.split()[0]}, whole conversations "
        f"on both shipped personas ({args.conversations} each a round), medians"
    )
    med = {name: statistics.median(runs) for name, runs in samples.items()}
    for name, tps in med.items():
        print(f"{name:<24} {tps:>10,.0f} turns/s {1e6 / tps:>8.1f}us/turn")
    if args.against:
        ratio = med["this tree"] / med[args.against]
        print(f"{'ratio this/' + args.against:<24} {ratio:>9.2f}x throughput")


if __name__ == "__main__":
    main()
