"""Closer beside RiveScript and AIML: the same N-rule bot in each, per-turn time and load time.
Run with the interpreter of the environment Closer is installed in, the peers installed with it
(`.venv/bin/pip install -e '.[test,bench]'`):

  .venv/bin/python bench/peers.py [--rounds 5] [--quick] [--json] [--against REV] [--compiled]

The bot: N triggers of two made-up words each ("bako dumire"), each answered by a line of
its own. In Closer a trigger is a pattern of a candidate-question intent (500 intents of N/500
patterns above 500, the format's limit on a mapping), measured in the candidate-questions state;
in RiveScript a `+ trigger` with its `- reply`; in AIML a category. Every engine gets the same
lines, 75% triggers and 25% misses (two of the same words that make no trigger), and
every reply is checked: the trigger's own answer for a hit, the engine's no-match reply for a miss
(Closer: a no-match line of the persona and no intent; RiveScript: its "[ERR: No Reply
Matched]"; AIML: the empty reply). A wrong reply stops the benchmark.

Each engine runs in fresh processes, interleaved in rounds (every N and engine once per round, so
load on the shared machine hits them alike). Per process: load time (from the file to a bot that
answers, the engine's modules already imported) and the median time of a turn (the reply to one
line; Closer's session start is left out). The table gives medians over the rounds, and how many
times Closer's time is the peer's (Closer/peer: above 1, Closer is slower). `--json` prints only
the per-turn medians in milliseconds. `--quick` runs fewer N, rounds and lines (under a minute).
`--against REV` also runs Closer at git revision REV (a temporary worktree), as one more engine
named REV, interleaved with the rest: the column closer/REV is this tree's time over REV's.
`--fresh`: Closer reads every line anew (at small N the same few lines come back, and Closer
keeps the last 64 lines it read, with what they matched): how much of the growth with N is that.
`--compiled`: Closer is this tree's compiled build (`CLOSER_COMPILE=1`, README), built first in
a temporary folder (about 30 s, reported on stderr); the JSON's key is still "closer".
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SIZES = (10, 100, 1000, 10_000)
QUICK_SIZES = (10, 1000, 10_000)
ENGINES = ("closer", "rivescript", "aiml")
INTENTS = 500  # the most entries a mapping of the format may hold (E036)
MAX_TURNS = 500  # the most the format allows; sessions are restarted well before it
NO_MATCH = {
    "acknowledgement": "Okay.",
    "unknown_question": "I would have to check on that.",
    "repair_ask": "Sorry, could you put that another way?",
    "repair_move_on": "Let us move on.",
}
FRESH = "PEERS_FRESH"  # "1": Closer's workers forget the lines they read (`--fresh`)
AGAIN = "Like I said:"  # Closer puts it before a line it would otherwise say twice in a row

# ---- the bot -----------------------------------------------------------------------------------

CONSONANTS = "bdfgklmnprstvz"
VOWELS = "aeiou"


def one_typo_apart(a: str, b: str) -> bool:
    """Whether b is a with one letter changed, added, dropped or two neighbours swapped (what
    Closer forgives in a word of 5+ letters; the peers forgive nothing)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i, j = diff[0], diff[-1]
        return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def vocabulary(size: int = 112, seed: int = 12) -> list[str]:
    """Made-up words of two and three syllables (4 and 6 letters), none of them a word of
    Closer's shared library (so no standard intent hears them), each at least two slips from any
    other with its first letter, so no engine can read a miss as a trigger with a typo."""
    taken = library_words()
    rng = random.Random(seed)
    words: list[str] = []
    while len(words) < size:
        syllables = 2 if len(words) % 2 else 3
        word = "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(syllables))
        if word not in taken and all(
            not (w[0] == word[0] and one_typo_apart(w, word)) for w in words
        ):
            words.append(word)
    return words


def library_words() -> set[str]:
    """Every word Closer's shared library and matcher know (its patterns, word sets, negations)."""
    import closer.scenarios
    from closer.engine.format.patterns import NEGATIONS

    folder = Path(closer.scenarios.__file__).parent / "library"
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yaml")))
    return set(re.findall(r"[a-z]+", text.lower())) | NEGATIONS


def triggers(seed: int = 12) -> tuple[list[str], list[str]]:
    """The largest bot's triggers in order (the first N make the bot of N) and the misses: pairs
    of the same words that are no trigger, the same lines at every N. A trigger is two words
    (three would cost more than the format's E062 budget allows at 10,000); they come in
    couples that share their first word ("a b", "a c"), for `pack`."""
    words = vocabulary()
    rng = random.Random(seed)
    couples = []
    for a in words:
        others = [w for w in words if w != a]
        rng.shuffle(others)
        couples += [(a, others[k], others[k + 1]) for k in range(0, len(others) - 1, 2)]
    rng.shuffle(couples)
    pairs = [f"{a} {b}" for a, b, c in couples for b in (b, c)]
    return pairs[: SIZES[-1]], pairs[SIZES[-1] :]


def pack(n: int) -> int:
    """Triggers per pattern in a bot of n. One, except at 10,000: the shared library's patterns
    already cost about 24,600 of the 80,000 steps E062 allows a scenario, and a pattern of two
    words costs 6, so 10,000 patterns cannot load. There each couple is one pattern, `a (b|c)`
    (6 steps, and 2 for its choices): 5,000 patterns, as near to 10,000 as the format allows."""
    return 1 if n <= 5_000 else 2


def patterns(chosen: list[str], n: int) -> list[str]:
    """The first n triggers as Closer (and RiveScript) patterns, `pack(n)` triggers each."""
    k = pack(n)
    if k == 1:
        return chosen[:n]
    out = []
    for i in range(0, n, k):
        first = chosen[i].split()[0]
        out.append(f"{first} ({'|'.join(t.split()[1] for t in chosen[i : i + k])})")
    return out


def group(i: int, n: int) -> int:
    """Which answer trigger i of a bot of n gets: its own up to 500 triggers, else that of its
    Closer intent (t000 ... t499, N/500 triggers each), in every engine alike."""
    return i // max(1, n // INTENTS)


def answer(k: int) -> str:
    return f"Answer number {k}."


def closer_yaml(chosen: list[str], n: int) -> str:
    """The bot as a Closer scenario: one intent per answer, its triggers as patterns."""
    per, k = max(1, n // INTENTS), pack(n)
    pats = patterns(chosen, n)
    intents = "".join(
        f"  t{g:03d}:\n    patterns:\n"
        + "".join(f"      - {p}\n" for p in pats[g * per // k : (g + 1) * per // k])
        for g in range(n // per)
    )
    answers = "".join(f"      t{g:03d}: {answer(g)}\n" for g in range(n // per))
    s = NO_MATCH
    return f"""closer: 1
id: peers
title: A generated bot of {n} triggers
position: Bot
max_turns: {MAX_TURNS}
persona:
  name: Sam Lee
  role: Director
  company: Northwind
  style:
    acknowledgements: ["{s["acknowledgement"]}"]
    unknown_question: "{s["unknown_question"]}"
    repair_ask: "{s["repair_ask"]}"
    repair_move_on: "{s["repair_move_on"]}"
    again: ["{AGAIN}"]
    hesitation: "*pauses*"
    no_concerns: "No, none at all."
candidate:
  name: Alex Kim
  background: ["Six years of bots."]
intents:
{intents}flow:
  opening:
    say: Hi, shall we start?
  questions:
    - id: intro
      ask: Tell me about yourself.
  candidate_questions:
    prompt: What questions do you have for me?
    answers:
{answers}  closing:
    say: Thanks for coming in.
"""


def rivescript_text(chosen: list[str], n: int) -> str:
    """The bot in RiveScript: Closer's patterns as triggers (its `(b|c)` is RiveScript's too)."""
    per, k = max(1, n // INTENTS), pack(n)
    out = ["! version = 2.0\n"]
    for j, p in enumerate(patterns(chosen, n)):
        out.append(f"\n+ {p}\n- {answer(j * k // per)}\n")
    return "".join(out)


def aiml_text(chosen: list[str], n: int) -> str:
    """The bot in AIML: a category per trigger (AIML has no alternatives)."""
    cats = "".join(
        f"<category><pattern>{t.upper()}</pattern><template>{answer(group(i, n))}</template>"
        "</category>\n"
        for i, t in enumerate(chosen[:n])
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<aiml version="1.0.1">\n{cats}</aiml>\n'


def lines(chosen: list[str], misses: list[str], n: int, count: int, seed: int = 7) -> list[dict]:
    """`count` lines to send, 75% hits (each with its answer) and 25% misses (answer None)."""
    rng = random.Random(seed * 100_003 + n)
    hits = count * 3 // 4
    out = [
        {"text": chosen[i], "answer": answer(group(i, n)), "intent": f"t{group(i, n):03d}"}
        for i in rng.choices(range(n), k=hits)
    ]
    out += [{"text": t, "answer": None, "intent": None} for t in rng.sample(misses, count - hits)]
    rng.shuffle(out)
    return out


def write_bots(folder: Path, sizes: tuple[int, ...], count: int) -> None:
    """Each bot of each size, in each engine's format, and the lines to send it."""
    chosen, misses = triggers()
    for n in sizes:
        (folder / f"closer-{n}.yaml").write_text(closer_yaml(chosen, n), encoding="utf-8")
        (folder / f"rivescript-{n}.rive").write_text(rivescript_text(chosen, n), encoding="utf-8")
        (folder / f"aiml-{n}.aiml").write_text(aiml_text(chosen, n), encoding="utf-8")
        text = json.dumps(lines(chosen, misses, n, count))
        (folder / f"lines-{n}.json").write_text(text, encoding="utf-8")


# ---- one engine in one process -----------------------------------------------------------------


class WrongReply(Exception):
    """An engine answered a line wrongly: the benchmark measures nothing then."""


def run_closer(path: Path, sent: list[dict]) -> tuple[float, list[float]]:
    from closer.engine import Session, compile_scenario, load_path
    from closer.engine.format.patterns import normalize
    from closer.engine.runtime.events import IntentEvent, SayEvent

    fresh = os.environ.get(FRESH) == "1"
    start = time.perf_counter()
    program = compile_scenario(load_path(path))
    load = time.perf_counter() - start
    no_match = set(NO_MATCH.values())
    times = []
    session = None
    for k, line in enumerate(sent):
        if k % (MAX_TURNS // 2) == 0:  # a fresh session long before max_turns ends one
            session, _ = Session.start(program, seed=k, start="candidate_questions")
        assert session is not None
        if fresh:  # every line read anew, as at large N, where lines seldom come back
            normalize.cache_clear()
        start = time.perf_counter()
        turn = session.turn(line["text"])
        times.append(time.perf_counter() - start)
        said = [e.text for e in turn.events if isinstance(e, SayEvent) and e.speaker != "candidate"]
        intent = next(e.intent for e in turn.events if isinstance(e, IntentEvent))
        want = line["answer"]
        heard = said[0].removeprefix(f"{AGAIN} ") if len(said) == 1 else None
        ok = not session.ended and (
            heard == want and intent == line["intent"]
            if want is not None
            else heard in no_match and intent is None
        )
        if not ok:
            raise WrongReply(f"closer: {line['text']!r} -> {intent} {said}, want {want!r}")
    return load, times


def run_rivescript(path: Path, sent: list[dict]) -> tuple[float, list[float]]:
    from rivescript import RiveScript
    from rivescript.exceptions import RS_ERR_MATCH

    start = time.perf_counter()
    bot = RiveScript()
    bot.load_file(str(path))
    bot.sort_replies()
    load = time.perf_counter() - start
    times = []
    for line in sent:
        start = time.perf_counter()
        reply = bot.reply("player", line["text"])
        times.append(time.perf_counter() - start)
        if reply != (line["answer"] or RS_ERR_MATCH):
            raise WrongReply(f"rivescript: {line['text']!r} -> {reply!r}, want {line['answer']!r}")
    return load, times


def run_aiml(path: Path, sent: list[dict]) -> tuple[float, list[float]]:
    time.clock = time.perf_counter  # type: ignore[attr-defined]  # aiml 0.9.2 needs it (gone in 3.8)
    import aiml

    start = time.perf_counter()
    bot = aiml.Kernel()
    bot.verbose(False)
    bot.learn(str(path))
    load = time.perf_counter() - start
    times = []
    for line in sent:
        start = time.perf_counter()
        reply = bot.respond(line["text"])
        times.append(time.perf_counter() - start)
        if reply != (line["answer"] or ""):
            raise WrongReply(f"aiml: {line['text']!r} -> {reply!r}, want {line['answer']!r}")
    return load, times


RUNNERS: dict[str, Callable[[Path, list[dict]], tuple[float, list[float]]]] = {
    "closer": run_closer,
    "rivescript": run_rivescript,
    "aiml": run_aiml,
}
SUFFIX = {"closer": "yaml", "rivescript": "rive", "aiml": "aiml"}


def worker(engine: str, folder: Path, n: int, tree: str = "") -> None:
    """Load one bot, send it the lines, print its load time and median turn (seconds) as JSON.
    `tree`: Closer is to be imported from that folder (`--against`), not the installed one."""
    if tree:
        import closer.engine

        assert closer.engine.__file__.startswith(tree), (closer.engine.__file__, tree)
    sent = json.loads((folder / f"lines-{n}.json").read_text(encoding="utf-8"))
    try:
        load, times = RUNNERS[engine](folder / f"{engine}-{n}.{SUFFIX[engine]}", sent)
    except WrongReply as e:
        print(f"wrong reply: {e}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps({"load": load, "turn": statistics.median(times)}))


# ---- the run -----------------------------------------------------------------------------------


def installed(engine: str) -> bool:
    """Whether the engine can be imported here (the peers come with the `bench` extra)."""
    probe = {"closer": "closer.engine", "rivescript": "rivescript", "aiml": "aiml"}[engine]
    code = f"import time; time.clock = time.perf_counter; import {probe}"
    return subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def measure(engine: str, folder: Path, n: int, trees: dict[str, Path]) -> dict[str, float]:
    """One fresh process: the engine's load time and median turn, in seconds. An engine named
    in `trees` is Closer imported from that folder (`--against`)."""
    cmd = [sys.executable, __file__, "--worker", engine, str(folder), str(n)]
    kw: dict = {}
    if engine in trees:
        tree = str(trees[engine])
        cmd[3] = "closer"
        cmd.append(tree)
        kw = {"cwd": tree, "env": {**os.environ, "PYTHONPATH": tree}}
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if out.returncode != 0:
        sys.exit(f"bench/peers.py: {engine} at N={n} failed: {out.stderr.strip()}")
    return json.loads(out.stdout)


def run(
    engines: list[str],
    sizes: tuple[int, ...],
    rounds: int,
    count: int,
    trees: dict[str, Path] | None = None,
) -> dict:
    """Medians over `rounds` rounds of every (N, engine) in fresh processes, interleaved, after a
    warm-up round (the file cache): {engine: {n: {"turn": s, "load": s}}}. `trees`: engines
    that are Closer at another revision, and the folder to import each from."""
    samples: dict[str, dict[int, list[dict[str, float]]]] = {
        e: {n: [] for n in sizes} for e in engines
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_bots(folder, sizes, count)
        for r in range(rounds + 1):
            for n in sizes:
                for engine in engines:
                    m = measure(engine, folder, n, trees or {})
                    if r:
                        samples[engine][n].append(m)
    return {
        e: {
            n: {k: statistics.median(s[k] for s in runs) for k in ("turn", "load")}
            for n, runs in by_n.items()
        }
        for e, by_n in samples.items()
    }


def table(med: dict, rounds: int, count: int) -> None:
    """Medians per N and engine, and Closer's time over each peer's."""
    peers = [e for e in med if e != "closer"]
    sizes = list(med["closer"])
    print(
        f"{rounds} interleaved rounds of fresh processes, {count} lines each (75% hits), "
        f"Python {sys.version.split()[0]}, medians"
    )
    print("closer/peer: Closer's time over the peer's (above 1, Closer is slower)")
    if os.environ.get(FRESH) == "1":
        print("--fresh: Closer reads every line anew (its cache of normalised lines cleared)")
    for what, unit, scale in (("turn", "ms", 1000), ("load", "ms", 1000)):
        head = f"{'N':>6} {'closer ' + what:>14}"
        for p in peers:
            head += f" {p + ' ' + what:>16} {'closer/' + p:>16}"
        print(head)
        for n in sizes:
            c = med["closer"][n][what]
            row = f"{n:>6} {c * scale:>12.3f}{unit}"
            for p in peers:
                v = med[p][n][what]
                row += f" {v * scale:>14.3f}{unit} {c / v:>15.2f}x"
            print(row)
    print(
        "Closer patterns at each N:",
        ", ".join(f"{n}: {n // pack(n)}" for n in sizes),
        "(plus the shared library's)",
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, help="rounds of processes (default 5; quick 3)")
    parser.add_argument("--lines", type=int, help="lines per process (default 400; quick 80)")
    parser.add_argument(
        "--quick", action="store_true", help=f"N in {QUICK_SIZES} only, fewer rounds and lines"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the per-turn medians (ms) as JSON"
    )
    parser.add_argument(
        "--against", metavar="REV", help="also run Closer at this git revision (before/after)"
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="Closer reads every line anew (its cache of normalised lines cleared each turn)",
    )
    parser.add_argument(
        "--compiled",
        action="store_true",
        help="Closer is this tree's compiled build (CLOSER_COMPILE=1, README), built in a "
        "temporary folder first (about 30 s; bench/compiled.py)",
    )
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fresh:
        os.environ[FRESH] = "1"  # the workers inherit it
    if args.worker:
        engine, folder, n, *tree = args.worker
        worker(engine, Path(folder), int(n), *tree)
        return
    rounds = args.rounds or (3 if args.quick else 5)
    count = args.lines or (80 if args.quick else 400)
    sizes = QUICK_SIZES if args.quick else SIZES
    engines = []
    for engine in ENGINES:
        if installed(engine):
            engines.append(engine)
        else:
            print(
                f"bench/peers.py: {engine} is not installed, left out "
                "(pip install -e '.[test,bench]')",
                file=sys.stderr,
            )
    if "closer" not in engines:
        sys.exit("bench/peers.py: closer is not installed in this environment")
    with contextlib.ExitStack() as stack:
        trees: dict[str, Path] = {}
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        if args.compiled:
            from compiled import build  # bench/compiled.py, beside this file

            with contextlib.redirect_stdout(sys.stderr):  # stdout is the table, or the JSON
                trees["closer"] = build(tmp / "compiled")
        if args.against:
            from common import checkout, stage  # bench/common.py, beside this file

            other = stack.enter_context(checkout(args.against, tmp / "other"))
            trees[args.against] = stage(other, tmp / "staged")
            engines.insert(1, args.against)
        med = run(engines, sizes, rounds, count, trees)
    if args.json:
        print(
            json.dumps(
                {
                    e: {str(n): round(m["turn"] * 1000, 4) for n, m in by_n.items()}
                    for e, by_n in med.items()
                }
            )
        )
    else:
        if args.compiled:
            print("closer: this tree's compiled build (CLOSER_COMPILE=1)")
        table(med, rounds, count)


if __name__ == "__main__":
    main()
