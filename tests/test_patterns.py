"""Normalisation and the pattern language: what matches, what does not, and that nothing hangs."""

from __future__ import annotations

import time

import pytest

from closer.engine.format.patterns import PatternError, compile_pattern, normalize, typo_close


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
