"""The pattern compiler gives exactly what it gave before it was made faster (issue 12, load):
every pattern shipped then (tests/data/compiler_corpus.json: a fixed copy, so that editing a
scenario or the library does not move the hash) and many random ones, compiled or refused,
written out in a canonical form (sets sorted), hashed, against the hash of what the compiler gave
before. Any change to a compiled pattern (its parts, score, cost, needs and their order) or to an
error (message, column) changes the hash."""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import re
from pathlib import Path

import pytest

from closer.engine.format import loader
from closer.engine.format import patterns as patterns_module
from closer.engine.format.patterns import (
    Alt,
    Compiled,
    Element,
    Gap,
    Number,
    Opt,
    Pattern,
    PatternError,
    Word,
    compile_pattern,
    lookups,
    placing,
)
from closer.scenarios import DIR

# what the compiler at 596270d (before issue 12's load work) gave
EXPECTED = "e65955bb"


def canonical(x: object) -> str:
    if isinstance(x, Pattern):
        parts = "&".join(canonical(p) for p in x.parts)
        needs = ",".join(canonical(n) for n in x.needs)
        return f"P({x.source!r};{parts};{x.score};{x.cost};[{needs}])"
    if isinstance(x, Word):
        return f"W({x.text}{'*' if x.prefix else ''})"
    if isinstance(x, Number):
        return "#"
    if isinstance(x, Gap):
        return f"G{x.most}"
    if isinstance(x, Opt):
        return f"O{canonical(x.body)}"
    if isinstance(x, Alt):
        flat = "-" if x.flat is None else "{" + ",".join(sorted(map(canonical, x.flat))) + "}"
        return f"A({x.name};{canonical(x.options)};{flat};{x.cost})"
    if isinstance(x, frozenset):
        return "{" + ",".join(sorted(repr(k) for k in x)) + "}"
    if isinstance(x, tuple):
        return "(" + " ".join(canonical(e) for e in x) + ")"
    raise TypeError(type(x))


def shipped_patterns() -> list[str]:
    found: list[str] = []
    for path in sorted(DIR.rglob("*.yaml")):
        for m in re.finditer(r"^\s*- (.*)$", path.read_text(encoding="utf-8"), re.M):
            found.append(m[1].strip().strip("\"'"))
    return found


CORPUS = Path(__file__).parent / "data" / "compiler_corpus.json"


def corpus() -> tuple[dict[str, list[str]], list[str]]:
    """The word sets and every `- ` item of the shipped YAML files at 596270d."""
    data = json.loads(CORPUS.read_text(encoding="utf-8"))
    return data["word_sets"], data["patterns"]


PIECES = [
    "offer", "offer*", "me", "recommend*", "my", "we're", "don't", "Résumé", "can't", "it's",
    "*", "*3", "*0", "*12", "#", "@doubt", "@nosuch", "@gen", "@me_ref",
    "(", ")", "[", "]", "|", "&", "a", "reservations", "x*", "ab*", "12", "3.5", "!", "?",
    "é", "%", "up", "firm", "development", "_", "café", "'", "-", "é*",
]  # fmt: skip


WORDS = [p for p in PIECES if p[0] not in "*#@()[]|&!?'-_"]


def random_patterns(n: int, seed: int = 12) -> list[str]:
    """Half of them well formed (nested choices, options, sets, gaps, `&`), half any tokens."""
    rng = random.Random(seed)

    def item(depth: int) -> str:
        r = rng.random()
        if depth < 3 and r < 0.15:
            return "(" + " | ".join(seq(depth + 1) for _ in range(rng.randint(1, 3))) + ")"
        if depth < 3 and r < 0.25:
            return "[" + "|".join(seq(depth + 1) for _ in range(rng.randint(1, 2))) + "]"
        if r < 0.35:
            return rng.choice(["*", "*1", "*4", "*9", "#", "@doubt", "@gen", "@me_ref"])
        return rng.choice(WORDS)

    def seq(depth: int) -> str:
        return " ".join(item(depth) for _ in range(rng.randint(1, 4)))

    out = []
    for _ in range(n):
        if rng.random() < 0.5:
            out.append(" & ".join(seq(0) for _ in range(rng.choices([1, 2, 3], [6, 2, 1])[0])))
            continue
        k = rng.randint(1, 9)
        sep = rng.choice([" ", " ", " ", "", "  ", "\t"])
        out.append(sep.join(rng.choice(PIECES) for _ in range(k)))
    return out


def test_the_compiler_gives_what_it_gave() -> None:
    word_sets, patterns = corpus()
    word_sets["gen"] = ["alpha", "beta gamma", "#", "up*"]
    digest = hashlib.sha256()
    shared = Compiled()
    for source in patterns + random_patterns(6000):
        for cache in (shared, None):
            try:
                out = canonical(compile_pattern(source, word_sets, cache))
            except PatternError as e:
                out = f"E({source!r};{e};{e.offset})"
            digest.update(out.encode() + b"\n")
    assert digest.hexdigest()[:8] == EXPECTED


def placing_by_walking(pattern: Pattern, placed: set[object]) -> int:
    """`placing` as it was written before it was made faster: a walk in the pattern's order."""
    total = 0

    def walk(items: tuple[Element, ...]) -> None:
        nonlocal total
        for el in items:
            if isinstance(el, (Word, Number)):
                if el.key not in placed:
                    placed.add(el.key)
                    total += lookups(el) if isinstance(el, Word) else 1
            elif isinstance(el, Opt):
                walk(el.body)
            elif isinstance(el, Alt):
                key = ("@", el.name) if el.name else None
                if key is not None and key in placed:
                    continue
                if key is not None:
                    placed.add(key)
                if el.flat is not None:
                    total += len(el.flat)
                for option in el.options:
                    walk(option)

    for part in pattern.parts:
        walk(part)
    return total


def test_placing_counts_what_a_walk_in_order_counts() -> None:
    lib = loader.standard_library()
    word_sets = {name: [e.v for e in entries.v] for name, entries in lib.section("word_sets")}
    word_sets["gen"] = ["alpha", "beta gamma", "#", "up*", "(x|y z)"]
    cache = Compiled()
    compiled = []
    for source in shipped_patterns() + random_patterns(3000) + ["@gen @gen", "(a|[b|@gen])"]:
        with contextlib.suppress(PatternError):
            compiled.append(compile_pattern(source, word_sets, cache))
    assert len(compiled) > 3000
    placed: set[object] = set()
    walked: set[object] = set()
    totals = []
    for p in compiled:
        totals.append(placing(p, placed, warm=False))
        assert totals[-1] == placing_by_walking(p, walked), p.source
        assert placed == walked
    assert sum(totals) > len(compiled)


def test_a_words_keys_weigh_what_weight_gives() -> None:
    """`Word._keyed` reads the weight of a word's or a stem's keys from what they are: the same
    as `_weight` counts, for every word of the shipped patterns and random ones."""
    from closer.engine.format.patterns import _weight, normalize, word_keys

    rng = random.Random(3)
    texts = {w for s in shipped_patterns() for w in normalize(s.replace("*", " ")).words}
    texts |= {"".join(rng.choice("abcdeé1") for _ in range(rng.randint(1, 20))) for _ in range(500)}
    assert len(texts) > 1000
    for text in sorted(texts):
        for prefix in (False, True):
            word = Word(text, prefix)
            keys = word_keys(word)
            assert word._keyed() == (keys, 0 if keys is None else _weight(keys)), word


def test_a_choices_keys_weigh_what_weight_gives() -> None:
    """`_keyed` adds up the weights of a ( | )'s choices while they share no key (else counts
    its keys again): the same as `_weight` counts, for every choice and word set of the shipped
    patterns and random ones (many of whose choices share keys)."""
    from closer.engine.format.patterns import _keyed, _weight

    word_sets, patterns = corpus()
    word_sets["gen"] = ["alpha", "beta gamma", "#", "up*", "alphas"]
    cache = Compiled()
    alts: list[Alt] = []

    def walk(items: tuple[Element, ...]) -> None:
        for el in items:
            if isinstance(el, Opt):
                walk(el.body)
            elif isinstance(el, Alt):
                alts.append(el)
                for option in el.options:
                    walk(option)

    for source in patterns + random_patterns(3000, seed=5) + ["(alphas|@gen) (offer|offers*)"]:
        with contextlib.suppress(PatternError):
            for part in compile_pattern(source, word_sets, cache).parts:
                walk(part)
    shared = 0
    for alt in alts:
        keys, weight = _keyed(alt, {})
        assert weight == (0 if keys is None else _weight(keys)), alt
        sets = [patterns_module._best(o, {})[0] for o in alt.options]
        shared += keys is not None and sum(map(len, sets)) > len(keys)  # type: ignore[arg-type]
    assert len(alts) > 1000 and shared > 10


def test_the_one_pass_compiler_gives_what_the_parser_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`_compile_fast` (the path a load takes) against `_Parser` alone, pattern by pattern, on
    every shipped pattern and random ones, each over a warm cache (word sets compiled) and a
    cold one; and it must take most of them, not leave them all to `_Parser`."""
    word_sets, patterns = corpus()
    word_sets["gen"] = ["alpha", "beta gamma", "#", "up*"]
    sources = patterns + random_patterns(6000, seed=3)

    def compiled(source: str, cache: Compiled | None) -> str:
        try:
            return canonical(compile_pattern(source, word_sets, cache))
        except PatternError as e:
            return f"E({source!r};{e};{e.offset})"

    warm_fast, warm_slow = Compiled(), Compiled()
    for name in word_sets:
        compile_pattern("@" + name, word_sets, warm_fast)
        compile_pattern("@" + name, word_sets, warm_slow)
    taken = 0
    for source in sources:
        fast = [compiled(source, warm_fast), compiled(source, Compiled())]
        with monkeypatch.context() as m:
            m.setattr(patterns_module, "_compile_fast", lambda source, cache: None)
            slow = [compiled(source, warm_slow), compiled(source, Compiled())]
        assert fast == slow, source
        taken += patterns_module._compile_fast(source, Compiled()) is not None
    assert taken > len(sources) // 2


def test_only_a_bare_at_sign_is_skipped() -> None:
    """`_compile_fast` leaves a pattern to `_Parser` when it holds an `@` that no name follows,
    the one character the tokens skip: the same patterns as the tokens' lengths pick out
    (`skips`), on random texts of every kind of character (white space of all kinds)."""
    rng = random.Random(8)
    alphabet = [*"ab@@ #*[]()|&_-'9Zé\t\n\u00a0\u2003\x1c\x0b", "@a", "@Z", "@_", "@1"]
    skipped = 0
    for _ in range(20_000):
        source = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
        found = patterns_module.skips(source)
        assert found == ("@" in source and bool(patterns_module._BARE_AT.search(source))), source
        skipped += found
    assert 1000 < skipped < 19_000
