"""Normalisation and the pattern language: what matches, what does not, and that nothing hangs."""

from __future__ import annotations

import random
import time

import pytest

from closer.engine.format import patterns
from closer.engine.format.patterns import (
    DIRECT_WORDS,
    MAX_UTTERANCE,
    MAX_WORDS,
    PART_COST,
    TYPO_MAX,
    TYPO_MIN,
    PatternError,
    Word,
    _Index,
    compile_pattern,
    normalize,
    typo_close,
)
from tests.helpers import assert_final


def matches(pattern: str, text: str, guard: bool = False, **sets: list[str]) -> bool:
    return compile_pattern(pattern, sets).match(normalize(text), guard=guard) is not None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Don't you THINK so?", ("do", "not", "you", "think", "so")),
        ("I’m fine, it’s ok", ("i", "am", "fine", "it", "is", "ok")),
        ("dont wont cant", ("do", "not", "will", "not", "can", "not")),
        ("Résumé naïve", ("resume", "naive")),
        ("grew 40% to $3.5m", ("grew", "40", "percent", "to", "3.5", "m")),
        ("how'd it go", ("how", "did", "it", "go")),
        ("I'll be ill", ("i", "will", "be", "ill")),
        # "id" typed for "I'd" where a sentence or clause opens, not after "my", "an", "photo"
        (
            "then id check on the er admission",
            ("then", "i", "would", "check", "on", "the", "er", "admission"),
        ),
        (
            "Id say safety first, and id call her",
            ("i", "would", "say", "safety", "first", "and", "i", "would", "call", "her"),
        ),
        ("we do an id check", ("we", "do", "an", "id", "check")),
        ("id: about_you", ("id", "about", "you")),  # before no word: a pattern word is read alone
        ("id", ("id",)),
        ("my staff id, photo id", ("my", "staff", "id", "photo", "id")),
    ],
)
def test_normalize(text: str, words: tuple[str, ...]) -> None:
    assert normalize(text).words == words


def test_clauses_split_on_punctuation_and_but() -> None:
    utt = normalize("No, but I led a team.")
    assert utt.clauses[utt.words.index("led")] != utt.clauses[utt.words.index("no")]


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("led a team", "I led a team of five", True),
        ("led a team", "I led the team", False),
        ("led [a|the] team", "I led the team", True),
        ("recommend*", "recommending me", True),
        ("recommend*", "recomending me", True),  # one typo, even in a prefix
        ("(prevent|stop) you", "what would stop you", True),
        ("anything * recommend", "anything at all that would make you recommend", True),
        ("anything *2 recommend", "anything at all that would make you recommend", False),
        ("anything *9 recommend", "anything at all that would make you recommend", True),
        ("led # people", "I led twelve people", True),
        ("led # people", "I led many people", False),
        ("you & doubt* & me", "any doubts, would you say, about me", True),
        ("you & doubt* & me", "any doubts about me", False),
        ("@fast thing", "a quick thing", True),
        ("concerns", "any concerns?", True),
        ("concerns", "any concrens?", True),  # letters swapped
        ("paged", "I carry the pager", False),  # changing the last letter is a new word
    ],
)
def test_matching(pattern: str, text: str, expected: bool) -> None:
    assert matches(pattern, text, fast=["quick", "fast"]) is expected


def test_negation_guard() -> None:
    assert matches("led [a] team", "I led a team", guard=True)
    assert not matches("led [a] team", "I have never led a team", guard=True)
    assert matches("led [a] team", "I have never led a team")  # intents are not guarded
    assert matches("led [a] team", "I hadn't, but then I led a team", guard=True)
    assert not matches("burnout", "no burnout for me", guard=True)


def test_score_counts_required_words() -> None:
    assert compile_pattern("what (do|did) you mean").score == 4
    assert compile_pattern("[really] fast * now").score == 2
    assert compile_pattern("a & b c").score == 3


@pytest.mark.parametrize(
    ("pattern", "offset"),
    [("(a|", 0), ("a ]", 2), ("[ ]", 0), ("@nope", 0), ("*0 a", 0), ("*10 a", 0), ("", 0),
     ("a &", 2), ("(a & b)", 3), ("[a|]", 0)],
)  # fmt: skip
def test_bad_patterns_say_where(pattern: str, offset: int) -> None:
    with pytest.raises(PatternError) as e:
        compile_pattern(pattern)
    assert e.value.offset == offset


def test_word_sets_cannot_nest_or_join() -> None:
    with pytest.raises(PatternError, match="word set @a"):
        compile_pattern("@a", {"a": ["@b"], "b": ["x"]})
    with pytest.raises(PatternError, match="cannot use &"):
        compile_pattern("@a", {"a": ["x & y"]})


def test_typo_close() -> None:
    assert typo_close("recomend", "recommend")
    assert typo_close("anythign", "anything")
    assert not typo_close("paged", "pager")
    assert not typo_close("concern", "discern")


def test_no_input_or_pattern_hangs() -> None:
    hostile = " ".join(["a"] * 400) + " b"
    pattern = compile_pattern("* a * a * a * a * a * a * a * a * a * c")
    started = time.perf_counter()
    for _ in range(20):
        assert pattern.match(normalize(hostile), guard=True) is None
    assert time.perf_counter() - started < 1.0
    long_input = normalize("word " * 10_000)
    assert len(long_input.words) <= 2000


# ---- the line index finds exactly what comparing every word would ---------------------------


def scan(w: Word, words: tuple[str, ...]) -> int:
    """Where `w` occurs, by comparing it with every typed word (what the index replaces)."""
    mask, n = 0, len(w.text)
    fuzzy = TYPO_MIN <= n <= TYPO_MAX
    for i, t in enumerate(words):
        if t == w.text or (w.prefix and t.startswith(w.text)):
            mask |= 1 << i
        elif fuzzy and t[:1] == w.text[:1]:
            if w.prefix:
                close = any(typo_close(t[:k], w.text) for k in (n - 1, n, n + 1) if k <= len(t))
            else:
                close = typo_close(t, w.text)
            if close:
                mask |= 1 << i
    return mask


def slips(rng: random.Random, w: str) -> list[str]:
    """Words one or two slips away from `w`, and some prefixes and extensions of it."""
    out = [w, w[:-1], w + "s", w + "ing", w[: len(w) // 2]]
    for _ in range(12):
        i = rng.randrange(len(w))
        c = rng.choice("abcde")
        out += [w[:i] + w[i + 1 :], w[:i] + c + w[i:], w[:i] + c + w[i + 1 :]]
        if i + 1 < len(w):
            out.append(w[:i] + w[i + 1] + w[i] + w[i + 2 :])
    return [o for o in out if o]


def test_the_index_finds_what_a_scan_of_every_word_finds() -> None:
    rng = random.Random(7)
    for _ in range(300):
        n = rng.choice([1, 2, 3, 4, 5, 5, 6, 6, 7, 8, 11, TYPO_MAX, TYPO_MAX + 1, 30])
        w = "".join(rng.choice("abcde") for _ in range(n))
        typed = [t for s in slips(rng, w) for t in (s, *slips(rng, s)[:3])]
        rng.shuffle(typed)
        utt = normalize(" ".join(typed[:300]))
        for word in (Word(w), Word(w, prefix=True)):
            assert utt.mask(word) == scan(word, utt.words), (word, utt.words)


def test_a_short_line_finds_without_its_index_what_the_index_finds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A line of up to DIRECT_WORDS words is not indexed for typos (`_slipped`): it finds what
    the index finds, and what comparing every word finds."""
    rng = random.Random(11)
    for _ in range(1500):
        n = rng.choice([TYPO_MIN, TYPO_MIN, 6, 6, 7, 8, 11, TYPO_MAX - 1, TYPO_MAX])
        w = "".join(rng.choice("abcde") for _ in range(n))
        typed = [t for s in slips(rng, w) for t in (s, *slips(rng, s)[:3])]
        rng.shuffle(typed)
        words = tuple(typed[: rng.randint(1, DIRECT_WORDS)])
        for word in (Word(w), Word(w, prefix=True)):
            direct = _Index(words).mask(word)
            with monkeypatch.context() as m:
                m.setattr(patterns, "DIRECT_WORDS", -1)  # every line indexed
                indexed = _Index(words).mask(word)
            assert direct == indexed == scan(word, words), (word, words)


def test_one_line_index_finds_words_of_every_first_letter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The index works out a line's prefixes and traces one first letter at a time: one line
    of words with many first letters, asked for words and stems of each, finds what comparing
    every word finds (and what the unindexed short line finds)."""
    rng = random.Random(12)
    letters = "abcdefgh"
    for _ in range(150):
        targets = []
        for _ in range(rng.randint(2, 6)):
            n = rng.choice([2, 3, 4, TYPO_MIN, 6, 7, 9, TYPO_MAX])
            targets.append(rng.choice(letters) + "".join(rng.choice("abcde") for _ in range(n - 1)))
        typed = [t for w in targets for s in slips(rng, w) for t in (s, *slips(rng, s)[:2])]
        rng.shuffle(typed)
        words = tuple(typed[: rng.randint(1, 80)])
        asked = [Word(w, prefix) for w in targets for prefix in (False, True)]
        rng.shuffle(asked)
        with monkeypatch.context() as m:
            m.setattr(patterns, "DIRECT_WORDS", -1)  # every line indexed
            index = _Index(words)
            for word in asked:
                assert index.mask(word) == scan(word, words), (word, words)
        direct = _Index(words)
        for word in asked:
            assert direct.mask(word) == scan(word, words), (word, words)


def test_a_large_word_set_finds_what_each_of_its_words_finds() -> None:
    """A word set of more than SMALL_SET single words looks up only the entries whose keys the
    line holds (`_set_index`): the same positions as asking every entry."""
    rng = random.Random(13)
    for _ in range(300):
        entries = sorted(
            {
                "".join(rng.choice("abcdef") for _ in range(rng.randint(1, 9)))
                + ("*" if rng.random() < 0.3 else "")
                for _ in range(rng.randint(1, 12))
            }
        )
        if rng.random() < 0.2:
            entries.append("#")
        alt = compile_pattern("@s", {"s": entries}).parts[0][0]
        assert isinstance(alt, patterns.Alt)
        assert alt.flat is not None
        stems = [e.rstrip("*") for e in entries if e != "#"]
        typed = [t for w in stems for s in slips(rng, w) for t in (s, "x" + s)]
        typed += ["3", "two", "bbbb"]
        rng.shuffle(typed)
        utt = normalize(" ".join(typed[: rng.randint(1, 40)]))
        each = normalize(utt.text)  # a copy: the cache gives the same line
        each = patterns.Utterance(each.text, each.words, each.clauses)
        expected = 0
        for el in alt.flat:
            expected |= each.mask(el)
        assert utt.set_mask(alt.flat) == expected, (entries, utt.words)


def test_the_unnegated_starts_are_those_no_negation_precedes() -> None:
    """`Utterance.unnegated`, worked out from the negations' side, is every start `negated`
    clears, on lines of negations, clause breaks and other words."""
    rng = random.Random(14)
    vocab = ["not", "no", "never", "without", "i", "did", "it", "work", "but", "however", ".", ","]
    for _ in range(2000):
        line = " ".join(rng.choice(vocab) for _ in range(rng.randint(0, 14)))
        utt = patterns.Utterance(line, normalize(line).words, normalize(line).clauses)
        expected = sum(
            1 << start for start in range(len(utt.words) + 1) if not patterns.negated(utt, start)
        )
        assert utt.unnegated == expected, (line, utt.words, utt.clauses)


# ---- what a match costs ------------------------------------------------------------------


def test_cost_counts_the_steps_of_one_pass() -> None:
    sets = {"one": ["quick", "fast", "#"], "two": ["right away", "at once"]}
    part = PART_COST  # a pass's own overhead
    assert compile_pattern("led a team").cost == part + 3  # one per word
    assert compile_pattern("a [b c] * d *2 e").cost == part + 1 + (2 + 2) + 1 + 1 + 2 + 1
    assert compile_pattern("a (b | c d)").cost == part + 1 + (1 + 2 + 3)  # 1 more per choice
    assert compile_pattern("@one @one", sets).cost == part + 1 + 1  # single words: one mask
    assert compile_pattern("@two", sets).cost == part + (1 + 3 + 3)  # entries count every use
    assert compile_pattern("@two @two & x", sets).cost == part + 7 + 7 + part + 1


@pytest.mark.parametrize("most", range(1, 10))
def test_a_bounded_gap_skips_up_to_its_number_of_words(most: int) -> None:
    for n in range(12):
        line = "a " + "x " * n + "b"
        assert matches(f"a *{most} b", line) is (n <= most), (most, n)


def gap_set(entries: int, parts: int) -> list[str]:
    """Word-set entries made of gaps, so a pass never stops early."""
    return [" ".join(["*9"] * (parts - 1) + [f"w{i:02d}"]) for i in range(entries)]


def test_a_match_takes_one_pass_even_under_the_negation_guard() -> None:
    # a match starts at every other word, and every one is negated: the guard once tried
    # each start with a pass of its own, so a 2,000-character line cost 285 passes
    pattern = compile_pattern("w00 @g @g @g @g", {"g": gap_set(40, 20)})
    line = normalize("no w00 " * 285)
    assert pattern.cost == PART_COST + 1 + 4 * (1 + 40 * (1 + 19 * 2 + 1))
    started = time.perf_counter()
    for _ in range(5):
        assert pattern.match(line, guard=True) is None
        assert pattern.match(line) is not None
    assert time.perf_counter() - started < 1.0  # a few ms; 7 s before one pass


def test_the_line_is_capped_after_folding() -> None:
    # one character can fold into many: U+FDFA is 18 characters, 4 words
    utt = normalize("\ufdfa" * MAX_UTTERANCE)
    assert len(" ".join(utt.words)) <= MAX_UTTERANCE
    assert len(normalize("im " * MAX_UTTERANCE).words) <= MAX_WORDS  # "i am": contractions
    assert normalize("x " * 5 + "%" * MAX_UTTERANCE).words[:6] == ("x",) * 5 + ("percent",)


def test_words_and_numbers_are_values() -> None:
    """`Word` and `Number` are plain classes (cheaper to make at start-up than dataclasses)
    that behave as the frozen dataclasses they were: equal and hashed by value, the same
    repr (tests/test_compiler.py hashes it), and immutable."""
    from closer.engine.format.patterns import Number, Word

    assert Word("pager") == Word("pager") and Word("pager") != Word("pager", True)
    assert len({Word("pager"), Word("pager"), Word("pager", True), Number(), Number()}) == 3
    assert hash(Word("pager", True)) == hash(("pager", True)) and hash(Number()) == hash(())
    assert repr(Word("on", True)) == "Word(text='on', prefix=True)" and repr(Number()) == "Number()"
    assert Word("on", True).key == "on*" and Number().key == "#" and Word("x") != "x"
    assert_final(Word("pager"), "text", "prefix", "key")


def test_a_line_with_nothing_to_rewrite_is_read_as_the_full_reading_reads_it() -> None:
    """`normalize` takes the tokens of a line with no apostrophe, no contraction and no "id" as
    words as they are (`_plain_words_of`, or one clause when no token ends one): the words and
    clauses the full reading (`_words_of`) gives, on the paraphrase lines and random ones."""
    from tests.test_index import paraphrase_lines

    rng = random.Random(11)
    vocabulary = ["but", "though", "id", "dont", "it's", "3.5", "so", "we", "shipped", "it"]
    made = [
        " ".join(rng.choice([*vocabulary, ".", ",", "?", "!"]) for _ in range(rng.randrange(1, 9)))
        for _ in range(2000)
    ]
    plain = 0
    for text in [*paraphrase_lines(), *made]:
        folded = patterns.fold(text).replace("%", " percent ")
        tokens = patterns._WORD.findall(folded)
        words, clauses = patterns._words_of(tokens)
        utt = patterns.normalize(text)
        assert (utt.words, utt.clauses) == (tuple(words), tuple(clauses)), text
        if "'" not in folded and patterns._REWRITTEN.isdisjoint(tokens):
            plain += 1
            assert patterns._plain_words_of(tokens) == (words, clauses), text
    assert plain > 500
