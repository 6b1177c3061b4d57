"""The worst case within the limits. Run with the interpreter of the environment Closer is
installed in:  .venv/bin/python bench/worst.py [--runs 11]

Builds the slowest scenario files we could write within every documented limit (tests/worst.py
says how each is made: 512,000 bytes, 20,000 values, patterns of at most 2,000 steps and 80,000
in all), and the slowest player lines. Then, in one run and interleaved:

- `closer validate FILE` on each file, and `closer explain FILE LINE` with the slowest line,
  against the baseline of `closer validate` on the default persona;
- in process, the reply to each line (`Session.turn` on the first question, where every pattern
  is tried), against the baseline of an ordinary answer to the default persona.

It reports medians and the ratio to the baseline (these machines are shared and noisy, so compare
the ratios rather than the absolute numbers), and the slowest line for each file. The targets:
every reply under 50 ms, every validate under 2 s. Before that it checks that each file loads
(within every limit) and that the kind of file the limits now refuse is refused.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from common import CLOSER, ROOT, interleaved, report, wall

DEFAULT = ROOT / "scenarios" / "ledgerline.yaml"
ORDINARY = "I led a team of five on the billing service, and we cut the failed payments by half."


def reply_time(program: object, line: str) -> float:
    """Seconds the engine takes to answer `line` as the answer to the first question."""
    from closer.engine import Session

    session, _ = Session.start(program, 1)  # type: ignore[arg-type]
    session.turn("Hello.")  # the opening: the next line answers the first question
    start = time.perf_counter()
    session.turn(line)
    return time.perf_counter() - start


def refused_before() -> str:
    """The kind of file that validated clean and took 97 s to answer 'hello': word sets of 500
    entries of 60 gaps, used in every pattern. Returns the codes it is refused with now."""
    from closer.engine import ScenarioError, load_scenario
    from tests.worst import build

    padded = {"padded": [" ".join(["*9"] * 59) + f" w{i}" for i in range(500)]}
    text = build(triggers=[f"zz{i} @padded @padded" for i in range(100)], word_sets=padded)
    try:
        load_scenario(text, "refused.yaml")
    except ScenarioError as e:
        return ", ".join(sorted({d.code for d in e.diagnostics}))
    raise SystemExit("the pathological file loaded: update this benchmark")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    from closer.engine import compile_scenario, load_path, load_scenario
    from closer.engine.format.source import MAX_BYTES
    from tests.worst import FILES, lines, scenario_cost, worst_file

    print(f"the 97-second file of before is refused: {refused_before()}")
    texts = {kind: worst_file(kind) for kind in FILES}
    programs = {}
    for kind, text in texts.items():
        scenario = load_scenario(text, f"{kind}.yaml")
        assert len(text.encode()) <= MAX_BYTES
        programs[kind] = compile_scenario(scenario)
        print(
            f"worst file '{kind}': {len(text.encode()):,} bytes, {text.count(chr(10)):,} lines, "
            f"patterns costing {scenario_cost(scenario):,} steps in all"
        )
    player = lines()
    default = compile_scenario(load_path(DEFAULT))

    # in process: the slowest line for each file, then every file's replies against the baseline
    slowest: dict[str, str] = {}
    for kind, program in programs.items():
        times = {
            name: statistics.median(reply_time(program, line) for _ in range(3))
            for name, line in player.items()
        }
        slowest[kind] = max(times, key=lambda name: times[name])
    replies = {
        "baseline: an ordinary answer, default persona": lambda: reply_time(default, ORDINARY)
    }
    for kind, program in programs.items():
        line = player[slowest[kind]]
        replies[f"reply, '{kind}' file, {slowest[kind]}"] = lambda p=program, t=line: reply_time(
            p, t
        )
    medians = interleaved(replies, args.runs * 3)
    print()
    report(medians, args.runs * 3, width=64)
    worst_reply = max(list(medians.values())[1:])

    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for kind, text in texts.items():
            paths[kind] = Path(tmp) / f"{kind}.yaml"
            paths[kind].write_text(text, encoding="utf-8")
        cases = {
            "baseline: closer validate, default persona": lambda: wall(
                [CLOSER, "validate", str(DEFAULT)]
            )
        }
        for kind, path in paths.items():
            cases[f"closer validate, '{kind}' file"] = lambda p=path: wall(
                [CLOSER, "validate", str(p)]
            )
        for kind, path in paths.items():
            cases[f"closer explain, '{kind}' file, its slowest line"] = (
                lambda p=path, t=player[slowest[kind]]: wall([CLOSER, "explain", str(p), t])
            )
        commands = interleaved(cases, args.runs)
    print()
    report(commands, args.runs, width=64)
    worst_validate = max(v for k, v in commands.items() if k.startswith("closer validate"))
    print(
        f"\nslowest reply {worst_reply * 1000:.1f} ms (target 50 ms), "
        f"slowest validate {worst_validate:.2f} s (target 2 s)"
    )


if __name__ == "__main__":
    main()
