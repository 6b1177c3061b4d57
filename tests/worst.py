"""The slowest scenario files and player lines we could write within the documented limits, for
bench/worst.py (which times them at full size) and tests/test_worst.py (which checks them).

Every file stays inside every limit: 512,000 bytes, 20,000 values and lines, lists of at most 500
entries, patterns of at most 300 characters, 60 parts and 2,000 steps, and a scenario total of at
most 80,000 steps (E062), the shared library's patterns included. Each aims at one way to make a
reply, or `closer validate`, slow; `scenario_cost` says how close to the budget it gets.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Mapping, Sequence

from closer.engine.format import model as m
from closer.engine.format.patterns import MAX_TOTAL_COST, TYPO_MAX, TYPO_MIN, compile_pattern
from closer.engine.format.patterns import placing as placing_of
from tests.test_lint import base

SLACK = 200  # steps left unspent, so rounding never tips a file over the budget


def all_patterns(sc: m.Scenario) -> Iterable[m.Pat]:
    for intent in sc.intents:
        yield from intent.patterns
    for _, pats in sc.markers:
        yield from pats
    for q in sc.flow.questions:
        for rule in q.rules:
            yield from rule.patterns
    for c in sc.concerns:
        for _, _, p in c.patterns():
            yield p


def scenario_cost(sc: m.Scenario) -> int:
    """What the loader adds up against MAX_TOTAL_COST: steps, and look-ups placing each word."""
    placed: set[object] = set()
    return sum(p.pattern.cost + placing_of(p.pattern, placed, warm=False) for p in all_patterns(sc))


def _q(text: str) -> str:
    return json.dumps(text)  # a double-quoted YAML scalar


def _flow(items: Iterable[str]) -> str:
    return "[" + ", ".join(_q(i) for i in items) + "]"


def build(
    *,
    triggers: Sequence[str] = (),
    rules: Sequence[Sequence[str]] = (),
    intent: Sequence[str] = (),
    examples: Sequence[str] = (),
    word_sets: Mapping[str, Sequence[str]] | None = None,
    goto_first: str = "",
) -> str:
    """The docs' base scenario with a first question `q0` (with `rules`), concerns raised during
    it (500 `triggers` each), and an intent `heavy` (its `intent` patterns and `examples`) that
    the interviewer answers, so that every pattern is tried on a question-shaped answer to q0.
    The first rule goes to `goto_first`, if given."""
    head, rest = base().split("  questions:\n")
    tail = rest.split("  candidate_questions:", 1)[1]
    out = [head, "  questions:\n    - id: q0\n      ask: Go on?\n"]
    if rules:
        out.append("      rules:\n")
        goto = f", goto: {goto_first}" if goto_first else ", say: Right."
        out.append(f"        - {{when: {_flow(rules[0])}{goto}}}\n")
        out.extend(f"        - {{when: {_flow(r)}, say: Right.}}\n" for r in rules[1:])
    out.append("    - id: q1\n      ask: And?\n  candidate_questions:")
    out.append(tail.replace("    answers:\n", "    answers:\n      heavy: Yes.\n", 1))
    if word_sets:
        out.append("word_sets:\n")
        out.extend(f"  {name}: {_flow(entries)}\n" for name, entries in word_sets.items())
    out.append("intents:\n  heavy:\n    patterns: " + _flow(intent or ["heavy"]) + "\n")
    if examples:
        out.append("    examples:\n" + "".join(f"      - {_q(e)}\n" for e in examples))
    if triggers:
        out.append("concerns:\n")
    for k in range(0, len(triggers), 500):
        out.append(
            f"  - id: c{k}\n    title: C{k}\n    severity: 2\n    source: said\n"
            f"    during: [q0]\n    triggers: {_flow(triggers[k : k + 500])}\n"
            "    thought: Hm.\n    vague: Well.\n    specific: This.\n"
            "    evidence:\n      groups:\n        g: {label: a reason, patterns: [because]}\n"
            "      resolve: {all: [g]}\n"
        )
    return "".join(out)


def base_cost() -> int:
    from closer.engine import load_scenario

    return scenario_cost(load_scenario(build(triggers=["zz"]), "base.yaml"))


def fill(
    make: Callable[[int], str], sets: Mapping[str, Sequence[str]] | None, budget: int
) -> list[str]:
    """Patterns make(0), make(1), ... while their cost (steps and new look-ups) fits `budget`."""
    placed: set[object] = set()
    out: list[str] = []
    while True:
        source = make(len(out))
        pattern = compile_pattern(source, sets)
        budget -= pattern.cost + placing_of(pattern, placed, warm=False)
        if budget < 0:
            return out
        out.append(source)


GAPS = {"gaps": ["*"] * 200}  # a word set that never lets a pass stop early: 401 steps a use


def _word(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))


def _stems(rng: random.Random) -> list[str]:
    """Stems of every length with typo tolerance, so a line indexes its words for each."""
    lengths = range(TYPO_MIN, TYPO_MAX + 1)
    return [f"zz ({'|'.join(_word(rng, n) + '*' for _ in range(3))})" for n in lengths]


def _spent(patterns: list[str]) -> int:
    placed: set[object] = set()
    return sum(
        (p := compile_pattern(source)).cost + placing_of(p, placed, warm=False)
        for source in patterns
    )


def steps(budget: int) -> str:
    """The budget spent on passes that never stop early: each pattern starts with a word that is
    not in the line, so everything after it runs first; gaps, bounded gaps, optional parts,
    alternatives, a gap-only word set and `&` in turn. And stems of every length."""
    stems = _stems(random.Random(1))
    kinds = [
        lambda i: f"zz{i} " + " ".join(["*"] * 59),
        lambda i: f"zz{i} " + " ".join(["*9"] * 59),
        lambda i: f"zz{i} " + " ".join(["[*]"] * 29),
        lambda i: f"zz{i} " + " ".join(["(*|*9)"] * 14),
        lambda i: f"zz{i} @gaps @gaps @gaps @gaps",
        lambda i: " ".join(["*"] * 28) + f" & zz{i} & " + " ".join(["*"] * 28),
    ]
    passes = fill(lambda i: kinds[i % len(kinds)](i), GAPS, budget - _spent(stems))
    return build(triggers=stems + passes, word_sets=GAPS)


def tiny(budget: int) -> str:
    """As many one-word patterns as the values limit allows: a pass's own overhead."""
    return build(triggers=fill(lambda i: "zz", None, min(budget, 18_500 * 5)))


def vocabulary(budget: int) -> str:
    """The budget spent placing different words of 16 letters, the longest with typo tolerance
    (the most look-ups each), and stems of every length."""
    rng = random.Random(16)
    stems = _stems(rng)
    words = fill(
        lambda i: f"zz ({'|'.join(_word(rng, TYPO_MAX) for _ in range(17))})",
        None,
        budget - _spent(stems),
    )
    return build(triggers=stems + words)


def rules(budget: int) -> str:
    """One question with as many rules of 35 patterns as the budget allows: the shadowing check
    (W102) and a reply that tries every rule."""
    patterns = fill(lambda i: f"r{i // 35} p{i % 35}", None, budget)
    return build(rules=[patterns[k : k + 35] for k in range(0, len(patterns), 35)])


def loops(budget: int) -> str:
    """Rules of passes that never stop early after a rule that sends the question back to
    itself: the loop check (W110) tries every rule on each of its 40 sample answers."""
    passes = fill(lambda i: f"zz{i} " + " ".join(["*"] * 59), None, budget - 20)
    grouped = [passes[k : k + 3] for k in range(0, len(passes), 3)]
    return build(rules=[["(say that again|repeat)"], *grouped], goto_first="q0")


def examples(budget: int) -> str:
    """The intents at the budget, with passes that never stop early, and as many long examples
    as the file holds: the example check (W108)."""
    pats = fill(lambda i: f"zz{i} @gaps @gaps @gaps @gaps", GAPS, budget)
    lines = [" ".join(f"w{i}x{k}" for k in range(280))[:1990] for i in range(230)]
    return build(intent=pats, examples=lines, word_sets=GAPS)


FILES: dict[str, Callable[[int], str]] = {
    "steps": steps,
    "tiny": tiny,
    "vocabulary": vocabulary,
    "rules": rules,
    "loops": loops,
    "examples": examples,
}


def worst_file(kind: str) -> str:
    """The worst file of this kind: the base scenario, and patterns up to the budget."""
    return FILES[kind](MAX_TOTAL_COST - base_cost() - SLACK)


def lines() -> dict[str, str]:
    """Player lines at the 2,000-character cap, each ending in `?` (so the interviewer tries
    every intent it answers, then the concerns): long different words (the most typo traces,
    for every stem length), many short words (the longest masks), a negation before every word
    (the guard), and one character that folds into many."""
    rng = random.Random(2000)
    long = " ".join(
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(TYPO_MAX + 1))
        for _ in range(2000 // (TYPO_MAX + 2))
    )
    return {
        f"{TYPO_MAX + 1}-letter words": long[:1998] + " ?",
        "1,000 one-letter words": ("a " * 999) + "?",
        "a negation before each word": ("no w00 " * 285)[:1998] + " ?",
        "U+FDFA x 2,000": "\ufdfa" * 1999 + "?",
        f"{TYPO_MIN + 1}-letter words": " ".join(
            "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(TYPO_MIN + 1))
            for _ in range(2000 // (TYPO_MIN + 2))
        )[:1998]
        + " ?",
    }
