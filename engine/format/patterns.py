"""Normalising typed English and matching authored patterns against it, without backtracking.

Normalisation: Unicode NFKC, case folding, accents removed, curly quotes straightened, common
contractions expanded ("don't" -> "do not", "dont" -> "do not", "I'm" -> "i am"), punctuation
dropped. Sentence punctuation and "but"/"however" split the text into clauses, which bound the
negation guard.

Pattern grammar (one pattern is one line of text; it matches any run of words in the utterance):

    pattern := item+
    item    := WORD            a word; words of 5+ letters also match one typo (same first letter)
             | WORD*           a word prefix: `recommend*` matches recommend, recommending ...
             | *               any number of words, including none
             | *N              up to N words (N = 1..9)
             | [ pattern ]     optional; [a|b c] is an optional choice
             | ( pattern | pattern ... )   alternatives
             | @NAME           any entry of the named word set
             | #               any number: digits (40, 3.5, 2019) or a number word (three)

    pattern & pattern ...      every part matches somewhere, in any order (score: the sum)

Score: the number of words a pattern needs (words inside [...] and @sets count 0 and 1). Among
matching patterns the highest score wins; ties go to the higher intent priority, then to the
earlier definition (the persona's own before the shared library). See docs/scenario-format.md.

Matching keeps a *set* of positions as an integer bitmask and moves it through the pattern once,
from the last item to the first, so one pass yields every position where a match can start (the
negation guard is then one AND with the positions no negation precedes). A pass takes one step
per item, and each step is a few integer operations on masks one bit per word long, whatever the
line says: no pattern can backtrack. `Pattern.cost` counts those steps (a word set's entries
count at every use, unless every entry is a single word), and the loader refuses patterns over
MAX_COST and scenarios over MAX_TOTAL_COST. Where a pattern word occurs is a few dictionary
look-ups in an index of the line built once (`Utterance.mask`), typo variants included.

Most patterns never get that far: each keeps what any line it matches must hold (`Pattern.needs`,
from the words it cannot do without; see "anchors" below), a line missing any of it is turned
away in a few set look-ups, and `PatternIndex` finds, among many patterns, the few whose three
most selective needs the line meets: exactly the patterns a full scan could match, and a few more.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import ClassVar, Final, NamedTuple

MAX_UTTERANCE = 2000  # characters of a player's line that are read, counted after folding
MAX_WORDS = 1000  # words of a player's line that are read, after contractions are expanded
MAX_PATTERN = 300
MAX_ITEMS = 60
MAX_COST = 2000  # steps one pass of one pattern may take (Pattern.cost)
MAX_TOTAL_COST = 80_000  # steps all of a scenario's patterns may take together
TYPO_MIN = 5  # words this long or longer match a typed word with one slip ...
TYPO_MAX = 16  # ... up to this long: longer ones must be typed exactly (bounds the index)
NEGATION_WINDOW = 3

NEGATIONS = frozenset([
    "not", "no", "never", "without", "cannot", "nobody", "none", "neither", "nor", "lack",
    "lacking", "lacked", "hardly", "barely", "nothing",
])  # fmt: skip
_CLAUSE_WORDS = frozenset({"but", "however", "although", "though", "whereas"})
# "id" typed for "I'd": where a sentence or clause opens, or after one of these words ("then id
# call her"), and before another word; after "my", "an" or "photo", or alone, it is an ID
_BEFORE_ID = frozenset({
    "then", "and", "so", "but", "first", "probably", "think", "guess", "honestly", "yes",
    "yeah", "well", "ok", "okay", "maybe", "now", "there", "definitely", "also", "because",
    "if", "where", "that", "or", "hopefully", "obviously", "personally", "sure", "no",
})  # fmt: skip

_CONTRACTIONS = {
    "won't": "will not",
    "can't": "can not",
    "cannot": "can not",
    "shan't": "shall not",
    "ain't": "is not",
    "let's": "let us",
    "i'm": "i am",
    "it's": "it is",
    "that's": "that is",
    "what's": "what is",
    "there's": "there is",
    "here's": "here is",
    "who's": "who is",
    "how's": "how is",
    "where's": "where is",
    "he's": "he is",
    "she's": "she is",
    "y'all": "you all",
    "how'd": "how did",
    "howd": "how did",
    "where'd": "where did",
    # the same without apostrophes, as people type them
    "dont": "do not",
    "doesnt": "does not",
    "didnt": "did not",
    "isnt": "is not",
    "arent": "are not",
    "wasnt": "was not",
    "werent": "were not",
    "havent": "have not",
    "hasnt": "has not",
    "hadnt": "had not",
    "wouldnt": "would not",
    "couldnt": "could not",
    "shouldnt": "should not",
    "cant": "can not",
    "wont": "will not",
    "im": "i am",
    "ive": "i have",
    "youre": "you are",
    "theyre": "they are",
    "whats": "what is",
    "thats": "that is",
    "theres": "there is",
    "youve": "you have",
    "weve": "we have",
    "youd": "you would",
}
_SUFFIXES = (
    ("n't", " not"),
    ("'re", " are"),
    ("'ve", " have"),
    ("'ll", " will"),
    ("'d", " would"),
    ("'s", ""),
    ("'m", " am"),
)
_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u0060": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
    }
)
_WORD = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+(?:'[^\W_]+)*|[.!?;:,]")
_ITEM = re.compile(r"\s*(\*\d*|\[|\]|\(|\)|\||&|#|@[a-z][a-z0-9_]*|[^\s\[\]()|*@#&]+\*?)")
NUMBER_WORDS = frozenset([
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred",
    "hundreds", "thousand", "thousands", "million", "millions", "billion", "dozen", "dozens",
    "half", "double", "triple", "twice",
])  # fmt: skip


class Utterance:
    """Normalised words of one candidate line, with the clause each word belongs to. Where each
    pattern word matches is worked out on demand and kept: one line is tried against a few
    hundred patterns that share most of their words."""

    __slots__ = (
        "_index", "_unnegated", "all_positions", "clauses", "found", "keys", "masks", "memo",
        "text", "words",
    )  # fmt: skip

    def __init__(self, text: str, words: tuple[str, ...], clauses: tuple[int, ...]) -> None:
        self.text = text
        self.words = words
        self.clauses = clauses
        self.masks: dict[object, int] = {}
        self._index: _Index | None = None
        self._unnegated: int | None = None
        # bit p set for every position p: before word p, or (p = len(words)) after the last
        self.all_positions = (1 << (len(words) + 1)) - 1
        self.keys = line_keys(words)  # what a pattern's anchor must meet (`anchor`)
        self.found: dict[PatternIndex, tuple[int, ...]] = {}  # `PatternIndex.candidates`
        # what the runtime worked out about the line, by the object that asked (which the key
        # keeps alive, so its identity is never reused while the line is kept)
        self.memo: dict[object, object] = {}

    def __repr__(self) -> str:
        return f"Utterance({self.text!r}, words={self.words!r})"

    @property
    def unnegated(self) -> int:
        """The positions where a match may start under the negation guard."""
        if self._unnegated is None:
            # `negated` for each start, from the negations' side: each one negates the next
            # NEGATION_WINDOW starts of its clause (the end counts as in the last word's)
            free = self.all_positions
            words, clauses = self.words, self.clauses
            n = len(words)
            if not NEGATIONS.isdisjoint(words):
                for i, w in enumerate(words):
                    if w in NEGATIONS:
                        for start in range(i + 1, min(i + NEGATION_WINDOW, n) + 1):
                            if clauses[min(start, n - 1)] == clauses[i]:
                                free &= ~(1 << start)
            self._unnegated = free
        return self._unnegated

    def mask(self, el: Word | Number) -> int:
        """Bit i set when word i matches `el`."""
        m = self.masks.get(el.key)
        if m is None:
            keys = None
            if type(el) is Word:
                keyed = el._keys  # `Word.keys`, without the property's calls
                keys = (keyed if keyed is not None else el._keyed())[0]
            if keys is not None and keys.isdisjoint(self.keys):
                m = 0  # not in the line: no need to index the line's typos for it
            else:
                if self._index is None:
                    self._index = _Index(self.words)
                m = self._index.mask(el)
            self.masks[el.key] = m
        return m

    def set_mask(self, words: frozenset[Word | Number]) -> int:
        """Bit i set when word i matches any of `words` (a word set of single words)."""
        masks = self.masks
        m = masks.get(words)
        if m is None:
            m = 0
            tried: Iterable[Word | Number] = words
            if len(words) > SMALL_SET:  # only the entries whose keys the line holds
                keys, by_key, always = _set_index(words)
                some: list[Word | Number] = list(always)
                for k in keys.intersection(self.keys):
                    some += by_key[k]
                tried = some
            for el in tried:
                found = masks.get(el.key)
                m |= self.mask(el) if found is None else found
            masks[words] = m
        return m


SMALL_SET = 3  # a word set of more entries is looked up by the line's keys (`_set_index`)


@lru_cache(maxsize=8192)
def _set_index(
    words: frozenset[Word | Number],
) -> tuple[frozenset[str], dict[str, tuple[Word, ...]], tuple[Word | Number, ...]]:
    """A word set of single words, by its entries' keys: all the keys, from each key to the
    words keyed on it, and the entries without keys (`#`, a short stem). A word none of whose
    keys the line holds matches none of its words (`Utterance.mask`), so a line looks up only
    the entries its keys name."""
    by_key: dict[str, list[Word]] = {}
    always: list[Word | Number] = []
    for el in words:
        keys = el.keys if type(el) is Word else None
        if keys is None:
            always.append(el)
        else:
            for k in keys:
                by_key.setdefault(k, []).append(el)  # type: ignore[arg-type]
    return frozenset(by_key), {k: tuple(v) for k, v in by_key.items()}, tuple(always)


# ---- where pattern words occur in a line ---------------------------------------------------
#
# A pattern word `w` of TYPO_MIN..TYPO_MAX letters also matches a typed word `t` one slip away
# with the same first letter (`typo_close`). Each kind of slip leaves a trace, so the line is
# indexed once by its words and a few traces of them, and `w` is found by looking up its own
# variants (`Word.variants`, worked out once per pattern word), whatever the line's length:
#   t is w                                            w in `exact`
#   t is w with a letter dropped (not the first)      w's drops in `exact`
#   t is w with neighbouring letters swapped          w's swaps in `exact`
#   t is w with a letter added (not the first)        w in `near`: each t with a letter dropped
#   t is w with a letter replaced (6+ letters, not the first or the last)
#                                                     w's holes in `holes`: each t with a hole
# A stem `w*` is found the same way among the typed words' first len(w) - 1 letters (drops,
# looked up among all prefixes), len(w) (swaps, holes) and len(w) + 1 letters (near): the line's
# `near` and `holes` for stems are built per stem length, at most TYPO_MAX - TYPO_MIN + 1 times,
# each at most about 2 x MAX_UTTERANCE keys (a line holds few words as long as the stem).

_HOLE = "\0"  # never in a normalised word


def _variants(w: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Keys that find `w` with one slip: (drops and swaps, holes); none for short words."""
    n = len(w)
    if not TYPO_MIN <= n <= TYPO_MAX:
        return (), ()
    drops = [w[:i] + w[i + 1 :] for i in range(1, n)]
    swaps = [w[:i] + w[i + 1] + w[i] + w[i + 2 :] for i in range(1, n - 1) if w[i] != w[i + 1]]
    holes = [w[:i] + _HOLE + w[i + 1 :] for i in range(1, n - 1)] if n >= 6 else []
    return tuple(drops + swaps), tuple(holes)


def lookups(w: Word) -> int:
    """At most how many dictionary look-ups find `w` in a line (once per line): the word, and
    for one with typo tolerance its `near`, drops, swaps and holes."""
    return _lookups(len(w.text))


def _lookups(n: int) -> int:
    if not TYPO_MIN <= n <= TYPO_MAX:
        return 1
    return 2 + (n - 1) + (n - 2) + (n - 2 if n >= 6 else 0)


_LOOKUPS = {n: _lookups(n) for n in range(TYPO_MIN, TYPO_MAX + 1)}  # the others: 1


class _Traces(NamedTuple):
    """Typed words (or their first letters, for stems) with a letter dropped or blanked."""

    near: dict[str, int]
    holes: dict[str, int]

    def add_holes(self, t: str, bits: int) -> None:
        for i in range(1, len(t) - 1):
            k = t[:i] + _HOLE + t[i + 1 :]
            self.holes[k] = self.holes.get(k, 0) | bits

    def add_drops(self, t: str, bits: int) -> None:
        for i in range(1, len(t)):
            k = t[:i] + t[i + 1 :]
            self.near[k] = self.near.get(k, 0) | bits


class _Index:
    """A line's words, their prefixes and their one-slip traces, each with its positions.
    Every way a word matches keeps its first letter, so the prefixes and traces are worked out
    for one first letter at a time, when a pattern word with that letter is first looked up:
    at most what indexing the whole line costs, and usually a small part of it."""

    def __init__(self, words: Sequence[str]) -> None:
        exact: dict[str, int] = {}
        for i, t in enumerate(words):
            exact[t] = exact.get(t, 0) | (1 << i)
        self.exact = exact
        self._firsts: dict[str, list[tuple[str, int]]] | None = None
        self._prefixes: dict[str, dict[str, int]] = {}
        self._traces: dict[str, _Traces] = {}
        self._stems: dict[tuple[int, str], _Traces] = {}
        self._numbers: int | None = None

    def firsts(self, first: str) -> list[tuple[str, int]]:
        """The line's words that start with `first`, with their positions."""
        if self._firsts is None:
            self._firsts = {}
            for t, bits in self.exact.items():
                found = self._firsts.get(t[0])
                if found is None:
                    self._firsts[t[0]] = [(t, bits)]
                else:
                    found.append((t, bits))
        return self._firsts.get(first, [])

    def prefixes(self, first: str) -> dict[str, int]:
        """The prefixes of the line's words that start with `first`."""
        found = self._prefixes.get(first)
        if found is None:
            found = self._prefixes[first] = {}
            for t, bits in self.firsts(first):
                for k in range(1, min(len(t), MAX_PATTERN) + 1):
                    found[t[:k]] = found.get(t[:k], 0) | bits
        return found

    def traces(self, first: str) -> _Traces:
        """The traces of the line's words that start with `first`."""
        found = self._traces.get(first)
        if found is None:
            found = self._traces[first] = _Traces({}, {})
            for t, bits in self.firsts(first):
                if 6 <= len(t) <= TYPO_MAX:
                    found.add_holes(t, bits)
                if TYPO_MIN < len(t) <= TYPO_MAX + 1:
                    found.add_drops(t, bits)
        return found

    def stems(self, n: int, first: str) -> _Traces:
        """The traces of the first n letters (holes) and n + 1 (drops) of every typed word
        that starts with `first`."""
        found = self._stems.get((n, first))
        if found is None:
            whole: dict[str, int] = {}
            longer: dict[str, int] = {}
            for t, bits in self.firsts(first):
                if len(t) < n:
                    continue
                if n >= 6:
                    whole[t[:n]] = whole.get(t[:n], 0) | bits
                if len(t) > n:
                    longer[t[: n + 1]] = longer.get(t[: n + 1], 0) | bits
            found = self._stems[(n, first)] = _Traces({}, {})
            for head, bits in whole.items():
                found.add_holes(head, bits)
            for head, bits in longer.items():
                found.add_drops(head, bits)
        return found

    def mask(self, el: Word | Number) -> int:
        if type(el) is Word and len(self.exact) <= DIRECT_WORDS and el.variants[0]:
            return _slipped(self.firsts(el.text[0]), el)
        if isinstance(el, Number):
            if self._numbers is None:
                self._numbers = 0
                for t, bits in self.exact.items():
                    if t in NUMBER_WORDS or any(c.isdigit() for c in t):
                        self._numbers |= bits
            return self._numbers
        first = el.text[0]
        same = self.prefixes(first) if el.prefix else self.exact
        found = same.get(el.text, 0)
        variants, holes = el.variants
        if not variants:
            return found
        traces = self.stems(len(el.text), first) if el.prefix else self.traces(first)
        found |= traces.near.get(el.text, 0)
        for k in variants:
            found |= same.get(k, 0)
        for k in holes:
            found |= traces.holes.get(k, 0)
        return found


# A short line is not indexed for typos: each typo-tolerant pattern word looks at the line's
# few words that could be it (same first letter, a length one off at most), with the same
# traces the index would hold for them (`_slipped`, which tests/test_patterns.py holds to
# `_Index`). A turn looks up a handful of such words, and indexing the line's traces cost more.
DIRECT_WORDS = 24


def _slipped(firsts: list[tuple[str, int]], el: Word) -> int:
    """`_Index(words).mask(el)` for a word with typo tolerance, from the line's words that
    start with its first letter (`firsts`: word and positions) without indexing them."""
    w = el.text
    n = len(w)
    first = w[0]
    slips, holes = el.variants
    found = 0
    if el.prefix:
        for t, bits in firsts:
            lt = len(t)
            if lt < n - 1 or t[0] != first:
                continue
            if _stem_slipped(t, w, slips, holes):
                found |= bits
        return found
    for t, bits in firsts:
        lt = len(t)
        if lt < n - 1 or lt > n + 1 or t[0] != first:
            continue
        if t == w or t in slips:
            found |= bits
        elif lt == n + 1:  # w is t with a letter dropped (TYPO_MIN < lt <= TYPO_MAX + 1)
            if any(t[:i] + t[i + 1 :] == w for i in range(1, lt)):
                found |= bits
        elif (
            lt == n
            and holes
            and any(  # one letter mistyped (6 <= lt <= TYPO_MAX)
                t[:i] + _HOLE + t[i + 1 :] in holes for i in range(1, lt - 1)
            )
        ):
            found |= bits
    return found


def _stem_slipped(t: str, w: str, slips: tuple[str, ...], holes: tuple[str, ...]) -> bool:
    """Does the typed word `t` start with the stem `w`, or with one slip of it (as
    `_Index.mask` finds it among the line's prefixes and `stems`)?"""
    n, lt = len(w), len(t)
    top = min(lt, MAX_PATTERN)  # the longest prefix of t the index holds
    if n <= top and t[:n] == w:
        return True
    for k in slips:
        if len(k) <= top and t[: len(k)] == k:
            return True
    if lt > n:  # t's first n + 1 letters with one dropped
        head = t[: n + 1]
        if any(head[:i] + head[i + 1 :] == w for i in range(1, n + 1)):
            return True
    if holes and n >= 6 and lt >= n:  # t's first n letters with one mistyped
        head = t[:n]
        return any(head[:i] + _HOLE + head[i + 1 :] in holes for i in range(1, n - 1))
    return False


def fold(text: str) -> str:
    """NFKC, case-fold and strip accents: 'Résumé' -> 'resume'."""
    if text.isascii():  # all three leave ASCII alone but for case; "`" is the one ASCII quote
        return text.replace("`", "'").lower()
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _expand(token: str) -> list[str]:
    if token in _CONTRACTIONS:
        return _CONTRACTIONS[token].split()
    if "'" in token:
        for suffix, repl in _SUFFIXES:
            if token.endswith(suffix):
                return (token[: -len(suffix)] + repl).split()
        return [token.replace("'", "")]
    return [token]


@lru_cache(maxsize=64)
def normalize(text: str) -> Utterance:
    """Text -> Utterance: folded, contractions expanded, punctuation dropped, clauses marked.
    A turn reads the same line and sentences in several places (reading, the concern scan, the
    judge): each is normalised once, and what it matches is kept on its one Utterance."""
    text = text[:MAX_UTTERANCE]
    # the caps apply to the folded text: one character can fold into many (U+FDFA into 18)
    folded = fold(text).replace("%", " percent ")[:MAX_UTTERANCE]
    tokens = _WORD.findall(folded)
    if "'" in folded or not _REWRITTEN.isdisjoint(tokens):
        words, clauses = _words_of(tokens)
    elif _CLAUSE_MARKS.isdisjoint(tokens):  # one clause, and every token a word as it is
        words, clauses = tokens, [0] * len(tokens)
    else:
        words, clauses = _plain_words_of(tokens)
    return Utterance(text, tuple(words[:MAX_WORDS]), tuple(clauses[:MAX_WORDS]))


_PUNCTUATION = frozenset(".!?;:,")  # a token that ends a clause (`_WORD`'s last choice)
_CLAUSE_MARKS = _PUNCTUATION | _CLAUSE_WORDS
# tokens `_words_of` may rewrite: a contraction without an apostrophe, and "id" ("i would")
_REWRITTEN = frozenset(_CONTRACTIONS) | {"id"}


def _plain_words_of(tokens: list[str]) -> tuple[list[str], list[int]]:
    """`_words_of` for tokens none of which it rewrites (no apostrophe, no `_REWRITTEN`): the
    words as they are, punctuation dropped, and each word's clause."""
    words: list[str] = []
    clauses: list[int] = []
    clause = 0
    for raw in tokens:
        if raw in _PUNCTUATION:
            clause += 1
            continue
        if raw in _CLAUSE_WORDS:
            clause += 1
        words.append(raw)
        clauses.append(clause)
    return words, clauses


def _words_of(tokens: list[str]) -> tuple[list[str], list[int]]:
    """A line's words, from its tokens (`_WORD`), with the clause each belongs to: contractions
    expanded, "id" read as "i would" where it opens a clause, punctuation dropped."""
    words: list[str] = []
    clauses: list[int] = []
    clause = 0
    opens = True  # a sentence or clause opens here
    pending = False  # an "id" that reads "i would" if a word follows it ("id call her")
    for raw in tokens:
        if pending:
            pending = False
            is_word = raw not in ".!?;:,"
            words += ("i", "would") if is_word else ("id",)
            clauses += (clause, clause) if is_word else (clause,)
        if raw in ".!?;:,":
            clause += 1
            opens = True
            continue
        if raw == "id" and (opens or (words and words[-1] in _BEFORE_ID)):
            pending = True
            opens = False
            continue
        opens = False
        if raw in _CONTRACTIONS or "'" in raw:
            for w in _expand(raw):
                if w in _CLAUSE_WORDS:
                    clause += 1
                words.append(w)
                clauses.append(clause)
        else:  # `_expand` leaves it as it is
            if raw in _CLAUSE_WORDS:
                clause += 1
            words.append(raw)
            clauses.append(clause)
    if pending:  # "id" last: a pattern's word, or "show me your id"
        words.append("id")
        clauses.append(clause)
    return words, clauses


def typo_close(a: str, b: str) -> bool:
    """True when `a` and `b` differ by one typing slip: a letter added, dropped or swapped with
    its neighbour, or (in words of 6+ letters, not at the end) one letter mistyped. Changing the
    last letter changes the word too often ("paged"/"pager") to count as a typo."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return la >= 6 and diff[0] < la - 1
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


# ---- compiled pattern elements -------------------------------------------------------------


class Word:
    """A pattern word (`prefix`: a stem, `word*`). `key` names it in a line's masks. Immutable,
    equal and hashed by `text` and `prefix` (a plain class: a dataclass costs every start a
    third of a millisecond to make). Its fields are `Final` (mypy checks it; the compiled build
    also refuses an assignment at run time, and mypyc refuses a `__setattr__` guard); the two
    caches are filled in on first use."""

    __slots__ = ("_keys", "_variants", "key", "prefix", "text")
    text: Final[str]
    prefix: Final[bool]
    key: Final[str]
    _variants: tuple[tuple[str, ...], tuple[str, ...]] | None
    _keys: tuple[frozenset[str] | None, int] | None

    def __init__(self, text: str, prefix: bool = False) -> None:
        self.text = text
        self.prefix = prefix
        self.key = text + "*" if prefix else text
        self._variants = None
        self._keys = None

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Word:
            return NotImplemented
        return self.text == other.text and self.prefix == other.prefix

    def __hash__(self) -> int:
        return hash((self.text, self.prefix))

    def __repr__(self) -> str:
        return f"Word(text={self.text!r}, prefix={self.prefix!r})"

    @property
    def keys(self) -> frozenset[str] | None:
        """The line keys one of which a line holds if the word matches in it (`word_keys`),
        worked out the first time they are needed."""
        return self._keyed()[0]

    @property
    def weight(self) -> int:
        """`_weight` of its keys (0 when it has none)."""
        return self._keyed()[1]

    def _keyed(self) -> tuple[frozenset[str] | None, int]:
        found = self._keys
        if found is None:
            found = self._keys = _word_keyed(self)
        return found

    @property
    def variants(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Its one-slip look-up keys (`_variants`), worked out the first time they are needed:
        a compiled word is looked up in many lines."""
        found = self._variants
        if found is None:
            found = self._variants = _variants(self.text)
        return found


class Number:
    """`#`: any number. Every one is equal to every other (a plain class, as `Word`)."""

    __slots__ = ()
    key: ClassVar[str] = "#"  # never a normalised word

    def __eq__(self, other: object) -> bool:
        return other.__class__ is Number or NotImplemented

    def __hash__(self) -> int:
        return hash(())

    def __repr__(self) -> str:
        return "Number()"


class Gap(NamedTuple):
    most: int  # 0 = unbounded


class Opt(NamedTuple):
    body: tuple[Element, ...]


class Alt(NamedTuple):
    options: tuple[tuple[Element, ...], ...]
    name: str = ""  # the word set's name, when it came from @name
    # when every option is one word or `#`: those, matched as one mask (one step); else None
    flat: frozenset[Word | Number] | None = None
    cost: int = 1  # steps one pass through it takes (see `cost`)


Element = Word | Number | Gap | Opt | Alt


class PatternError(ValueError):
    """An authored pattern does not parse; `offset` is the 0-based column in the pattern."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.offset = offset


class Pattern(NamedTuple):
    """A compiled pattern. `match` returns a Hit or None."""

    source: str
    parts: tuple[tuple[Element, ...], ...]  # `a & b`: every part must match, in any order
    score: int
    cost: int = 0  # steps one match takes, whatever the line (see `cost`)
    # what every line it matches holds: one key of each of these sets, the most selective first
    # (one set for each element a match needs; see `needs`)
    needs: tuple[frozenset[str], ...] = ()

    @property
    def anchor(self) -> frozenset[str] | None:
        """The most selective of `needs` (None: the pattern needs no word of the line)."""
        return self.needs[0] if self.needs else None

    def match(self, utt: Utterance, guard: bool = False) -> Hit | None:
        """Match anywhere in `utt`; with `guard`, ignore hits preceded by a negation. A line
        that lacks what the pattern needs (`possible`) is turned away at once."""
        keys = utt.keys
        for need in self.needs:
            if need.isdisjoint(keys):
                return None
        return self.scan(utt, guard)

    def possible(self, utt: Utterance) -> bool:
        """False when the line lacks a word the pattern needs (then it cannot match)."""
        keys = utt.keys
        for need in self.needs:  # noqa: SIM110 (a loop: faster than all() on a generator)
            if need.isdisjoint(keys):
                return False
        return True

    def matches(self, utt: Utterance, guard: bool = False) -> bool:
        """`scan`'s answer without its Hit: does the pattern match (its needs unchecked)?"""
        full = utt.all_positions
        allowed = utt.unnegated if guard else full
        for items in self.parts:  # noqa: SIM110 (a loop: faster than all() on a generator)
            if not _starts(items, full, utt) & allowed:
                return False
        return True

    def scan(self, utt: Utterance, guard: bool = False) -> Hit | None:
        """`match` without the anchor: one pass over the line for each `&` part."""
        full = utt.all_positions
        allowed = utt.unnegated if guard else full
        first = 0
        for i, items in enumerate(self.parts):
            starts = _starts(items, full, utt) & allowed
            if not starts:
                return None
            if i == 0:
                first = (starts & -starts).bit_length() - 1
        return Hit(self, first)


class Hit(NamedTuple):
    pattern: Pattern
    start: int


# ---- anchors: which lines a pattern can match at all ------------------------------------------
#
# Every way a typed word t matches a pattern word w (exactly, as a stem, or with one slip at
# position 1 or later) leaves a trace in the first four letters: the *heads* of a word x of 4+
# letters are x[:3], x[0] x[2] x[3] and x[0] x[1] x[3] (its first four letters with the second,
# third or fourth left out), and t shares a head with w whenever the two are one slip apart or t
# starts with w (check each slip at positions 1, 2, 3 and later). A slip also changes the length
# by at most one. So a line is described by its `keys` (`line_keys`): each of its words, each
# word's heads tagged with its length (lengths from KEY_LENGTHS up share one tag) and tagged as
# for stems, and `#` when it holds a number. An element that has to match a word of the line is
# keyed alike (`element_keys`): a word without typo tolerance by itself; one with it by its heads
# tagged with the lengths n-1, n and n+1; a stem by its heads (only w[:3] without typo
# tolerance) tagged for stems; `#` by `#`; a ( | ) that cannot match nothing by all its choices'
# keys together. A pattern's `anchor` is the key set of its most selective required element,
# over all its `&` parts (`_weight` guesses how often lines hold one of them): a line can match
# the pattern only if it holds one of those keys. None when nothing is required (`*`, only
# optional items, a stem of one or two letters): every line is tried. `PatternIndex` turns the
# needs of many patterns around, from key to patterns: the anchor, and the next two needs.

KEY_LENGTHS = 18  # above TYPO_MAX + 1, so a typo word's lengths each have their own tag
# a head's length tag: a control character, never in a normalised word, so never a word key
_LENGTH = tuple(chr(1 + n) for n in range(KEY_LENGTHS + 1))
_STEM = "\x1f"  # a head's tag for stems, whatever the length: not a length tag
_NUMBER_KEY = "#"  # never a normalised word
_NUMBER_KEYS = (frozenset([_NUMBER_KEY]), 60)
# words so frequent in what candidates type that a pattern is better keyed on another one
_COMMON = frozenset([
    "i", "you", "the", "a", "to", "and", "of", "my", "me", "is", "it", "that", "in", "for", "we",
    "on", "do", "what", "have", "be", "about", "not", "this", "with", "are", "was", "so", "can",
    "would", "your", "there", "any", "anything", "at", "if", "or", "how", "just", "like", "an",
    "but", "did", "all", "get", "our", "they", "as", "no", "yes", "know", "think", "will", "one",
    "more", "really", "team", "work", "time", "job", "here", "could", "am", "from", "were",
])  # fmt: skip


def heads(x: str) -> tuple[str, ...]:
    """The first three letters of `x`, and (4+ letters) its first four less the 2nd or 3rd."""
    if len(x) < 4:
        return (x[:3],)
    return (x[:3], x[0] + x[2:4], x[:2] + x[3])


def line_keys(words: Sequence[str]) -> set[str]:
    """The keys of a line's words: each word, its heads tagged with its length, and `#` if one
    of them is a number."""
    return set().union(*map(_word_keys, words))


@lru_cache(maxsize=2048)
def _word_keys(t: str) -> tuple[str, ...]:
    """One typed word's part of `line_keys` (kept: a candidate's lines share most words)."""
    keys = [t]
    n = len(t)
    if n >= 3:
        tag = _LENGTH[n if n < KEY_LENGTHS else KEY_LENGTHS]
        if n == 3:
            keys += (t + tag, t + _STEM)
        else:
            for head in (t[:3], t[0] + t[2:4], t[:2] + t[3]):
                keys += (head + tag, head + _STEM)
    if t in NUMBER_WORDS or (not t.isalpha() and _has_digit(t)):
        keys.append(_NUMBER_KEY)
    return tuple(keys)


typed_keys = _word_keys  # one typed word's keys (its part of `line_keys`), kept


def _has_digit(t: str) -> bool:
    return any(c.isdigit() for c in t)


# the length tags of a word of n letters with typo tolerance: n - 1, n and n + 1 (`word_keys`)
_NEAR = {
    n: tuple(_LENGTH[min(k, KEY_LENGTHS)] for k in (n - 1, n, n + 1))
    for n in range(TYPO_MIN, TYPO_MAX + 1)
}


def element_keys(el: Element) -> frozenset[str] | None:
    """The keys one of which a line holds wherever `el` matches a word of it; None when `el`
    may match no word at all (a gap, an optional part, a choice that may be empty), or is keyed
    too loosely to say (a stem of one or two letters)."""
    return _keyed(el, {})[0]


_Keyed = tuple[frozenset[str] | None, int]


def _keyed(el: Element, memo: dict[int, _Keyed]) -> _Keyed:
    """`element_keys` and their weight; `memo` keeps a word set's by its identity (pass one
    that lives as long as the word sets compiled with it: `_Parser.memo`)."""
    if type(el) is Word:
        return el._keyed()
    if type(el) is Number:
        return _NUMBER_KEYS
    if type(el) is Alt:
        # a word set, kept by name with the memo; an inline ( | ) may not outlive its id
        found = memo.get(id(el)) if el.name else None
        if found is None:
            sets: list[frozenset[str]] = []
            weight = 0
            for option in el.options:
                # `_best` of a choice of one item is that item's keys (the usual choice: a word)
                one = option[0] if len(option) == 1 else None
                if type(one) is Word:
                    best = one._keys or one._keyed()
                else:
                    best = _best(option, memo) if one is None else _keyed(one, memo)
                if best[0] is None:
                    found = (None, 0)
                    break
                sets.append(best[0])
                weight += best[1]
            else:
                frozen = sets[0].union(*sets[1:]) if len(sets) > 1 else sets[0]
                # `_weight` adds up over keys: when no two choices share one, it is the sum
                if len(frozen) != sum(map(len, sets)):
                    weight = _weight(frozen)
                found = (frozen, weight)
            if el.name:
                memo[id(el)] = found
        return found
    return (None, 0)


def _best(items: Sequence[Element], memo: dict[int, _Keyed]) -> _Keyed:
    """The most selective keys among the items a match of `items` cannot do without."""
    best: _Keyed = (None, 0)
    for el in items:
        found = _keyed(el, memo)
        if found[0] is not None and (best[0] is None or found[1] < best[1]):
            best = found
    return best


def word_keys(el: Word) -> frozenset[str] | None:
    """`element_keys` of a word or a stem."""
    w = el.text
    n = len(w)
    typo = TYPO_MIN <= n <= TYPO_MAX
    if not el.prefix:
        if not typo:
            return frozenset([w])
        tags = _NEAR[n]
        return frozenset([h + tag for h in heads(w) for tag in tags])
    if n < 3:
        return None
    return frozenset(head + _STEM for head in (heads(w) if typo else (w[:3],)))


def _word_keyed(el: Word) -> _Keyed:
    """`word_keys` and their `_weight`, read from what the keys are where that is known: each
    key of a word with typo tolerance is a head with a length tag (4), of a stem a head with the
    stem tag (10)."""
    w = el.text
    n = len(w)
    if TYPO_MIN <= n <= TYPO_MAX and not el.prefix:  # `word_keys`, written out: the usual word
        a, b, c = w[:3], w[0] + w[2:4], w[:2] + w[3]
        t, u, v = _NEAR[n]
        typo = frozenset((a + t, a + u, a + v, b + t, b + u, b + v, c + t, c + u, c + v))
        return typo, 4 * len(typo)
    keys = word_keys(el)
    if keys is None:
        return None, 0
    if el.prefix:
        return keys, 10 * len(keys)
    return keys, _weight(keys)  # a word without typo tolerance (the typo ones are above)


def sequence_keys(items: Sequence[Element]) -> frozenset[str] | None:
    """The most selective key set among the items a match of `items` cannot do without."""
    return _best(items, {})[0]


def needs(
    parts: Sequence[Sequence[Element]], memo: dict[int, _Keyed] | None = None
) -> tuple[frozenset[str], ...]:
    """The key sets of every element a match of the pattern cannot do without (each of its
    `&` parts must match), the most selective first: the first is the pattern's anchor."""
    memo = {} if memo is None else memo
    found: dict[frozenset[str], int] = {}
    for part in parts:
        for el in part:
            if type(el) is Word:  # `_keyed`, written out: a load's hot loop
                keyed = el._keys
                keys, weight = el._keyed() if keyed is None else keyed
            else:
                keys, weight = _keyed(el, memo)
            if keys is not None and keys not in found:
                found[keys] = weight
    if len(found) < 2:
        return tuple(found)
    return tuple(sorted(found, key=found.__getitem__))


def _weight(keys: frozenset[str]) -> int:
    """How often lines hold one of `keys`, roughly: a common word or `#` often, a head tagged
    with a length now and then, a rare word seldom."""
    total = 0
    for k in keys:
        if k == _NUMBER_KEY:
            total += 60
        elif k[-1] == _STEM:  # a head, any length
            total += 10
        elif k[-1] < " ":  # a head and a length
            total += 4
        elif k in _COMMON:
            total += 100
        else:
            total += 6 - len(k) if len(k) < 5 else 1  # 1 + max(0, 5 - len(k))
    return total


INDEX_NEEDS = 3  # how many of a pattern's required elements `PatternIndex` keys it on
WORD_MASKS = 4096  # typed words whose masks a `PatternIndex` keeps

# What `PatternIndex` keys a pattern on: an element every match of it needs that one typed word
# meets, as a word (a word or stem with keys, or `#`: met by a typed word that matches it) or a
# set of such words (a ( | ): met by a typed word that matches one of them; `_alt_words`).
Indexed = Word | Number | frozenset[Word | Number]


def indexed(
    p: Pattern, memo: dict[int, frozenset[Word | Number] | None] | None = None
) -> tuple[list[Indexed], bool]:
    """The elements `PatternIndex` keys `p` on: up to INDEX_NEEDS of the elements every match
    of it needs that one typed word meets (the most selective, when there are more), and
    whether it needs more than those (a line they meet may still lack one of its `needs`:
    `Pattern.possible`). `memo` keeps a word set's words by its identity (pass one that lives
    as long as the patterns)."""
    memo = {} if memo is None else memo
    found: dict[object, Indexed] = {}
    more = False
    for part in p.parts:
        for el in part:
            kind = type(el)
            if kind is Word:
                keyed = el._keys  # type: ignore[union-attr]
                if (el._keyed() if keyed is None else keyed)[0] is not None:  # type: ignore[union-attr]
                    found[el.key] = el  # type: ignore[union-attr,assignment]
            elif kind is Number:
                found["#"] = el  # type: ignore[assignment]
            elif kind is Alt:
                got = _alt_words(el, memo)  # type: ignore[arg-type]
                if got is not None:
                    found[id(el)] = got
                # a ( | ) of more than single words needs more than its words (its `needs`
                # are its choices' keys, which `possible` asks)
                more = more or el.flat is None  # type: ignore[union-attr]
    if len(found) <= INDEX_NEEDS:  # all of them, in any order: each slot is met alike
        return list(found.values()), more
    chosen = sorted(found.values(), key=_indexed_weight)
    return chosen[:INDEX_NEEDS], True


def _alt_words(
    el: Alt, memo: dict[int, frozenset[Word | Number] | None]
) -> frozenset[Word | Number] | None:
    """Words one of which a ( | ) cannot match without (None: it may match no word at all, or
    a stem of one or two letters, which has no keys): for each choice, one word (or `#`) it
    needs, or the words of a ( | ) it needs. A word set's are kept in `memo` by its identity."""
    if el.name:
        found = memo.get(id(el), False)
        if found is not False:
            return found  # type: ignore[return-value]
    flat = el.flat
    if flat is not None:
        out: frozenset[Word | Number] | None = flat
        for w in flat:
            if type(w) is Word:
                keyed = w._keys
                if (w._keyed() if keyed is None else keyed)[0] is None:
                    out = None  # every line may hold a stem of one or two letters
                    break
    else:
        words: set[Word | Number] = set()
        for option in el.options:
            best: frozenset[Word | Number] | None = None
            least = 0
            for item in option:  # the most selective word (or words) the choice needs
                got: frozenset[Word | Number] | None = None
                if isinstance(item, Word):
                    if item.keys is not None:
                        got = frozenset([item])
                elif isinstance(item, Number):
                    got = frozenset([item])
                elif isinstance(item, Alt):
                    got = _alt_words(item, memo)
                if got is not None:
                    weight = _indexed_weight(got)
                    if best is None or weight < least:
                        best, least = got, weight
            if best is None:
                words.clear()
                break
            words |= best
        out = frozenset(words) if words else None
    if el.name:
        memo[id(el)] = out
    return out


def _indexed_weight(x: Indexed) -> int:
    """How often lines meet `x`, roughly (as `_weight` guesses for `needs`)."""
    if isinstance(x, Word):
        return x._keyed()[1]
    if isinstance(x, Number):
        return _NUMBER_KEYS[1]
    return sum([_indexed_weight(el) for el in x])


class Vocabulary:
    """Pattern words, found by a typed word: `matched` gives those it matches, exactly as the
    scan matches them (`Utterance.mask`). A word matches only a typed word it shares a key with
    (`line_keys`), and all of a word's keys start with its first letter, so the words are keyed
    one first letter at a time, when a typed word with that letter first comes."""

    __slots__ = ("_by_key", "_firsts")

    def __init__(self, words: Iterable[Word | Number]) -> None:
        firsts: dict[str, list[Word]] = {}
        for el in words:
            if type(el) is Word and el.keys is not None:  # `#` is met by its key itself
                found = firsts.get(el.text[0])
                if found is None:
                    firsts[el.text[0]] = [el]
                else:
                    found.append(el)
        self._firsts = firsts
        self._by_key: dict[str, dict[str, list[Word]]] = {}  # by first letter, by key

    def _keyed(self, first: str) -> dict[str, list[Word]]:
        by_key: dict[str, list[Word]] = {}
        for el in self._firsts.get(first, ()):
            for k in el.keys:  # type: ignore[union-attr]
                found = by_key.get(k)
                if found is None:
                    by_key[k] = [el]
                else:
                    found.append(el)
        self._by_key[first] = by_key
        return by_key

    def matched(self, t: str, keys: Iterable[str]) -> list[Word]:
        """The words keyed on one of `keys` (some of the typed word `t`'s) that match `t`."""
        by_key = self._by_key.get(t[0])
        if by_key is None:
            by_key = self._keyed(t[0])
        out: list[Word] = []
        tried: set[str] = set()
        one: _Index | None = None
        for k in keys:
            for el in by_key.get(k, ()):
                if el.key not in tried:
                    tried.add(el.key)
                    if one is None:
                        one = _Index((t,))
                    if one.mask(el):  # as the scan finds it (`Utterance.mask`)
                        out.append(el)
        return out


def pattern_words(
    items: Sequence[Element], out: dict[str, Word], seen: set[int] | None = None
) -> None:
    """Add every word in `items` to `out` (by `Word.key`), inside ( | ) and [ ] too; `seen`
    holds the word sets already walked (by identity: pass one that lives as long as they)."""
    for el in items:
        kind = type(el)
        if kind is Word:
            if el.key not in out:  # type: ignore[union-attr]
                out[el.key] = el  # type: ignore[union-attr,assignment]
        elif kind is Alt:
            if el.name and seen is not None:  # type: ignore[union-attr]
                if id(el) in seen:
                    continue
                seen.add(id(el))
            for option in el.options:  # type: ignore[union-attr]
                pattern_words(option, out, seen)
        elif kind is Opt:
            pattern_words(el.body, out, seen)  # type: ignore[union-attr]


class PatternIndex:
    """Many patterns, in a fixed order, indexed by elements every match of each needs
    (`indexed`): `candidates` is, in that order, the positions of every pattern each of whose
    indexed elements (up to INDEX_NEEDS) a word of the line meets, found with a look-up per
    distinct word of the line.

    A pattern's place is a bit of a mask (an int). For each slot j (a pattern's j-th indexed
    element), the index keeps, for each word (by `Word.key`, "#" for `#`) and each key, the
    positions of the patterns whose element there holds it. A typed word's mask for slot j is
    the patterns whose element there it meets: those holding a word it matches, exactly as the
    scan matches it (only the words that share a key with it can, `line_keys`, and each of
    those is tried on it), or holding one of its keys; it is made when the word is first met
    and kept (`_words`, bounded). `short[j]` is the mask of the patterns with no j-th element
    (every line meets it). So the candidates are the AND over the slots of the ORs of the
    line's words' masks: no pattern whose indexed elements the line lacks, and no typo key two
    different words share lets one through. `partial[i]` is True for a pattern that needs more
    than its indexed elements (`Pattern.possible` asks the rest)."""

    __slots__ = (
        "_short", "_slots", "_vocabulary", "_words", "partial", "size",
    )  # fmt: skip

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        slots: list[dict[str, list[int]]] = [{} for _ in range(INDEX_NEEDS)]
        vocabulary: dict[str, Word | Number] = {}  # every word held, by its key
        fewer: list[list[int]] = [[] for _ in range(INDEX_NEEDS + 1)]  # by how many elements
        partial = []
        memo: dict[int, frozenset[Word | Number] | None] = {}
        for i, p in enumerate(patterns):
            chosen, more = indexed(p, memo)
            partial.append(more)
            if len(chosen) < INDEX_NEEDS:
                fewer[len(chosen)].append(i)
            for element, slot in zip(chosen, slots, strict=False):
                kind = type(element)
                if kind is Word or kind is Number:
                    k = element.key  # type: ignore[union-attr]
                    if k not in vocabulary:
                        vocabulary[k] = element  # type: ignore[assignment]
                    found = slot.get(k)
                    if found is None:
                        slot[k] = [i]
                    else:
                        found.append(i)
                    continue
                for el in element:  # type: ignore[union-attr]
                    k = el.key
                    if k not in vocabulary:
                        vocabulary[k] = el
                    found = slot.get(k)
                    if found is None:
                        slot[k] = [i]
                    else:
                        found.append(i)
        used = [j for j in range(INDEX_NEEDS) if slots[j]]
        self._slots = tuple(slots[j] for j in used)
        self._vocabulary = Vocabulary(vocabulary.values())
        size = len(patterns)
        self._short = [_bits([i for n in range(j + 1) for i in fewer[n]], size) for j in used]
        # each typed word's masks, as (slot, mask) for the slots where it meets a pattern, and
        # the words it matches (by key)
        self._words: dict[str, tuple[tuple[tuple[int, int], ...], tuple[str, ...]]] = {}
        self.partial = tuple(partial)
        self.size = size

    def mask(self, utt: Utterance) -> int:
        """Bit i set for each pattern i each of whose indexed elements a word of the line
        meets."""
        if not self._slots:
            return (1 << self.size) - 1
        met = self._short.copy()  # for each slot, the patterns whose element there it meets
        words = self._words
        line = utt._index
        if line is None:
            line = utt._index = _Index(utt.words)
        known = utt.masks
        for t, bits in line.exact.items():
            entry = words.get(t)
            if entry is None:
                entry = self._word(t)
            masks, matched = entry
            if masks:
                for j, m in masks:  # only the slots it meets a pattern in: an OR of a mask
                    met[j] |= m  # as long as the index copies it
                # where the words it matches are in the line, for the scan (`Utterance.mask`):
                # each typed word that matches one is met here, so its mask is whole at the end
                for k in matched:
                    known[k] = known.get(k, 0) | bits
        found = met[0]
        for m in met[1:]:
            found &= m
        return found

    def _word(self, t: str) -> tuple[tuple[tuple[int, int], ...], tuple[str, ...]]:
        """A typed word's part of `mask`: for each slot where it meets some, (the slot, the
        patterns whose element there the word meets) (`()` when it meets none): those holding
        one of its keys (the word itself, `#`) or a word it matches."""
        keys = _word_keys(t)
        matched = tuple([el.key for el in self._vocabulary.matched(t, keys)])
        held = keys + matched
        out = []
        for j, slot in enumerate(self._slots):
            positions = [i for k in held for i in slot.get(k, ())]
            if positions:
                out.append((j, _bits(positions, self.size)))
        found = (tuple(out), matched) if out else ((), ())
        if len(self._words) >= WORD_MASKS:  # bounded: a line may bring any words
            self._words.clear()
        self._words[t] = found
        return found

    def candidates(self, utt: Utterance) -> tuple[int, ...]:
        """Positions (ascending) of the patterns each of whose indexed elements a word of the
        line meets; kept on the line, which is often classified more than once."""
        found = utt.found.get(self)
        if found is None:
            found = utt.found[self] = bit_positions(self.mask(utt))
        return found


def _bits(positions: Sequence[int], size: int) -> int:
    """The mask with the bits at `positions` (each below `size`) set. A few are ORed in; more
    are set in a byte string as long as the mask, turned into the mask once (each OR copies
    the mask so far, which for a large index is as long)."""
    if len(positions) <= 8:
        m = 0
        for i in positions:
            m |= 1 << i
        return m
    out = bytearray((size + 7) // 8)
    for i in positions:
        out[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(out, "little")


def bit_positions(mask: int) -> tuple[int, ...]:
    """The positions of the bits set in `mask` (not negative), ascending."""
    out = []
    while mask:  # the highest first: each step then leaves a shorter int (`mask & -mask`
        top = mask.bit_length() - 1  # makes two as long as the mask)
        out.append(top)
        mask ^= 1 << top
    out.reverse()
    return tuple(out)


def negated(utt: Utterance, start: int) -> bool:
    """A negation word within NEGATION_WINDOW words before `start`, in the same clause."""
    if start >= len(utt.words):
        start = len(utt.words)
    clause = (
        utt.clauses[start] if start < len(utt.words) else (utt.clauses[-1] if utt.clauses else 0)
    )
    for i in range(max(0, start - NEGATION_WINDOW), start):
        if utt.clauses[i] == clause and utt.words[i] in NEGATIONS:
            return True
    return False


def _spread(most: int) -> tuple[int, ...]:
    """Shifts that OR a mask with itself shifted by 1 .. `most`, by doubling (at most 4)."""
    shifts, span = [], 1  # the mask covers shifts 0 .. span - 1
    while span * 2 <= most + 1:
        shifts.append(span)
        span *= 2
    if span <= most:
        shifts.append(most + 1 - span)
    return tuple(shifts)


_SPREAD = {most: _spread(most) for most in range(1, 10)}


def _starts(items: tuple[Element, ...], ends: int, utt: Utterance) -> int:
    """The positions from which `items` match up to one of the positions `ends`: one pass,
    last item first, one step per item (so `cost(items)` steps in all)."""
    cur = ends
    masks = utt.masks  # each word's and word set's mask, once worked out (`Utterance.mask`)
    for el in reversed(items):
        if not cur:
            return 0
        kind = type(el)
        if kind is Word or kind is Number:
            m = masks.get(el.key)  # type: ignore[union-attr]
            cur = (cur >> 1) & (utt.mask(el) if m is None else m)  # type: ignore[arg-type]
        elif kind is Alt:
            flat = el.flat  # type: ignore[union-attr]
            if flat is not None:
                m = masks.get(flat)
                cur = (cur >> 1) & (utt.set_mask(flat) if m is None else m)
            else:
                acc = 0
                for option in el.options:  # type: ignore[union-attr]
                    acc |= _starts(option, cur, utt)
                cur = acc
        elif kind is Gap:
            if el.most == 0:  # type: ignore[union-attr]
                cur = (1 << cur.bit_length()) - 1  # anywhere up to the last end
            else:  # up to `most` words back: cur | cur >> 1 | ... | cur >> most
                for shift in _SPREAD[el.most]:  # type: ignore[union-attr]
                    cur |= cur >> shift
        elif kind is Opt:
            cur |= _starts(el.body, cur, utt)  # type: ignore[union-attr]
    return cur


PART_COST = 4  # a pass's own overhead, in steps (measured in bench/worst.py)


def cost(items: Sequence[Element]) -> int:
    """Steps one pass through `items` takes: 1 per word, `#` or `*`, 2 per `*N`; for [ ] 2 and
    for ( ) 1, plus 1 per choice, plus what is inside; a word set counts its entries at every
    use, unless every entry is a single word or `#` (then the set is one step)."""
    total = 0
    for el in items:
        kind = type(el)
        if kind is Opt:
            total += 2 + cost(el.body)  # type: ignore[union-attr]
        elif kind is Alt:
            total += el.cost  # type: ignore[union-attr]
        elif kind is Gap and el.most:  # type: ignore[union-attr]
            total += 2
        else:
            total += 1
    return total


LINE_COST = 30  # steps, per character, of indexing a line at worst (measured in bench/worst.py)


def line_cost(utt: Utterance) -> int:
    """At most what indexing a line's words costs, in steps."""
    return LINE_COST * sum(len(w) + 1 for w in utt.words)


def placing(pattern: Pattern, placed: set[object], warm: bool = True) -> int:
    """Look-ups that place the words of `pattern` not in `placed` in a line's index (each word
    and word set is placed once per line, however many patterns use it); adds them to it. With
    `warm`, works out the new words' look-up keys now rather than on the first line. (What it
    adds up does not depend on the order it meets the words in.)"""
    total = 0
    todo = list(pattern.parts)  # runs of items still to walk
    while todo:
        for el in todo.pop():
            if type(el) is Word:
                if el.key not in placed:
                    placed.add(el.key)
                    total += _LOOKUPS.get(len(el.text), 1)
                    if warm:
                        el.variants  # noqa: B018 (computed and kept)
            elif type(el) is Number:
                if el.key not in placed:
                    placed.add(el.key)
                    total += 1
            elif type(el) is Opt:
                todo.append(el.body)
            elif type(el) is Alt:
                if el.name:
                    key = ("@", el.name)
                    if key in placed:
                        continue
                    placed.add(key)
                if el.flat is not None:
                    total += len(el.flat)  # one OR per entry, once per line
                todo.extend(el.options)
    return total


def costliest_set(pattern: Pattern) -> Alt | None:
    """The word set whose uses cost `pattern` the most steps, if one does."""
    found: dict[str, tuple[int, Alt]] = {}

    def walk(items: Sequence[Element]) -> None:
        for el in items:
            if isinstance(el, Opt):
                walk(el.body)
            elif isinstance(el, Alt) and el.name:
                if el.flat is None:  # a set of single words is one step, however large
                    uses, _ = found.get(el.name, (0, el))
                    found[el.name] = (uses + 1, el)
            elif isinstance(el, Alt):
                for option in el.options:
                    walk(option)

    for part in pattern.parts:
        walk(part)
    ranked = sorted(found.values(), key=lambda t: -t[0] * t[1].cost)
    return ranked[0][1] if ranked else None


def _alt(options: tuple[tuple[Element, ...], ...], name: str = "") -> Alt:
    for o in options:
        if len(o) != 1 or (type(o[0]) is not Word and type(o[0]) is not Number):
            steps = 1
            for o in options:
                steps += 1 + cost(o)
            return _new_tuple(Alt, (options, name, None, steps))
    return _new_tuple(Alt, (options, name, frozenset([o[0] for o in options]), 1))


# ---- compiling ----------------------------------------------------------------------------


class Compiled(dict[str, "Alt | Word"]):
    """What the patterns compiled with it share: each word set and word compiled once, by name
    (a word keeps its typo look-up keys), each word set's look-up keys by its identity
    (`set_keys`: the sets live as long as this), and what each word token of a pattern compiled
    to (`words`: a token's words depend on the token alone)."""

    def __init__(self) -> None:
        super().__init__()
        self.set_keys: dict[int, _Keyed] = {}
        self.words: dict[str, tuple[Word, ...]] = {}


def compile_pattern(
    source: str,
    word_sets: Mapping[str, Sequence[str]] | None = None,
    cache: Compiled | None = None,
) -> Pattern:
    """Parse a pattern; raise PatternError with the column of the problem. Pass the same
    `cache` when compiling many patterns over the same word sets, to compile each set once."""
    if len(source) > MAX_PATTERN:
        raise PatternError(f"pattern is longer than {MAX_PATTERN} characters")
    cache = Compiled() if cache is None else cache
    fast = _compile_fast(source, cache)
    if fast is not None:
        return fast
    parser = _Parser(source, word_sets or {}, cache)
    parts = [parser.sequence(top=True)]
    while parser.i < parser.n and parser.tokens[parser.i] == "&":
        at = parser.i
        parser.i += 1
        parts.append(parser.sequence(top=True))
        if not parts[-1]:
            raise PatternError("nothing after &", parser.offset(at))
    if parser.count > MAX_ITEMS:
        raise PatternError(f"pattern has more than {MAX_ITEMS} parts")
    if not parts[0]:
        raise PatternError("empty pattern")
    parts_t = tuple(parts)
    if len(parts_t) == 1:
        steps, score = PART_COST + cost(parts_t[0]), _score(parts_t[0])
    else:
        steps = sum(PART_COST + cost(p) for p in parts_t)
        score = sum(_score(p) for p in parts_t)
    return Pattern(source, parts_t, score, steps, needs(parts_t, parser.memo))


def _compile_fast(source: str, cache: Compiled) -> Pattern | None:
    """`compile_pattern` in one loop over the tokens (a load's hot loop), each part's cost, score
    and needs worked out as its items are read (`stack`: the brackets open, each its closing one,
    the items before it, its choices). None for what it leaves to `_Parser`, which is held alike
    (tests/test_compiler.py): a mistake, a word set not in `cache`, a letterless token not known."""
    if "@" in source and _BARE_AT.search(source) is not None:
        return None  # a character the tokens skip (`skips`): `_Parser` says which
    known, count, steps, score, top = cache.words, 0, 0, 0, 0  # `top`: words outside brackets
    parts: list[tuple[Element, ...]] = []
    out: list[Element] = []
    stack: list[tuple[str, list[Element], list[tuple[Element, ...]]]] = []
    found: dict[frozenset[str], int] = {}
    for tok in _ITEM.findall(source):
        first = tok[0]
        if first not in _SPECIAL:  # a word, or words (`don't`), or a stem: the hot loop
            count += 1
            words = known.get(tok)
            if words is None:
                words = _token_words(tok, cache)
                if not words:
                    return None
                known[tok] = words
            out += words
            if not stack:
                top += len(words)  # each a step and a point
                for w in words:
                    keys, weight = w._keys or w._keyed()
                    if keys is not None and keys not in found:
                        found[keys] = weight
            continue
        if first in "&|])":  # None where `_Parser` reports a mistake
            if not out or (stack and first == "&") or (not stack and first != "&"):
                return None  # an empty part or choice, or a misplaced token
            (parts if first == "&" else stack[-1][2]).append(tuple(out))
            if first == "&" or first == "|":
                out = []
                continue
            close, out, options = stack.pop()
            if close != first:
                return None
            el = _closed(first, options)
        else:
            count += 1
            if first == "[" or first == "(":
                stack.append(("]" if first == "[" else ")", out, []))
                out = []
                continue
            item = _item(tok, cache)
            if item is None:
                return None
            el = item
        out.append(el)
        if not stack:  # what an item outside brackets that is not a word costs, scores, needs
            steps, score = _noted(el, steps, score, found, cache.set_keys)
    if stack or not out or count > MAX_ITEMS:
        return None
    parts.append(tuple(out))
    need = tuple(found) if len(found) < 2 else tuple(sorted(found, key=found.__getitem__))
    steps += top + PART_COST * len(parts)
    return _new_tuple(Pattern, (source, tuple(parts), score + top, steps, need))


def _closed(close: str, options: list[tuple[Element, ...]]) -> Element:
    """What a closed `[ ]` or `( )` with these choices is."""
    if close == ")":
        return _alt(tuple(options))
    return Opt(options[0] if len(options) == 1 else (_alt(tuple(options)),))


def _item(tok: str, cache: Compiled) -> Element | None:
    """A gap, `#` or `@name` (compiled into `cache` by an earlier pattern, else None: `_Parser`
    compiles it); None for a gap `_Parser` refuses."""
    first = tok[0]
    if first == "*":
        most = int(tok[1:]) if len(tok) > 1 else 0
        return Gap(most) if tok == "*" or 1 <= most <= 9 else None
    if first == "#":
        return Number()
    named = cache.get(tok[1:])
    return named if type(named) is Alt else None


def _noted(
    el: Element, steps: int, score: int, found: dict[frozenset[str], int], memo: dict[int, _Keyed]
) -> tuple[int, int]:
    """Steps and points with an item outside brackets that is not a word; its needs in `found`."""
    kind = type(el)
    if kind is Opt:
        return steps + 2 + cost(el.body), score  # type: ignore[union-attr]
    if kind is Gap:
        return steps + (2 if el.most else 1), score  # type: ignore[union-attr]
    if kind is not Number:  # a choice or a word set: `_score((el,))` is 1 for a set, else what
        steps += el.cost  # type: ignore[union-attr]  # its least choice scores
        # a choice of single words or numbers scores 1, as a set does
        flat = el.name or el.flat is not None  # type: ignore[union-attr]
        score += 1 if flat else min([_score(o) for o in el.options])  # type: ignore[union-attr]
        keys, weight = _keyed(el, memo)
    else:
        steps, score, (keys, weight) = steps + 1, score + 1, _NUMBER_KEYS
    if keys is not None and keys not in found:
        found[keys] = weight
    return steps, score


def _token_words(tok: str, cache: Compiled) -> tuple[Word, ...]:
    """The words a word token (`word`, `don't`, `stem*`) compiles to, each the one Word for its
    text in `cache`; none when it holds no letter or digit."""
    prefix = tok[-1] == "*"
    bare = tok[:-1] if prefix else tok  # a token ends in one `*` at most (`_ITEM`)
    if bare.isascii() and bare.isalnum() and bare.islower() and bare not in _CONTRACTIONS:
        words: tuple[str, ...] = (bare,)  # the common case, already normal
    else:
        words = normalize(bare).words
    if len(words) == 1:  # `_cached_word`, written out: a load's hot loop
        key = "'" + words[0] + ("*" if prefix else "")
        found = cache.get(key)
        if type(found) is not Word:
            found = cache[key] = Word(words[0], prefix)
        return (found,)
    last = len(words) - 1
    return tuple(_cached_word(cache, w, prefix and i == last) for i, w in enumerate(words))


def _cached_word(cache: Compiled, text: str, prefix: bool) -> Word:
    """The one Word for this text in everything compiled with the same cache."""
    key = "'" + text + ("*" if prefix else "")  # never a word set's name
    found = cache.get(key)
    if not isinstance(found, Word):
        found = cache[key] = Word(text, prefix)
    return found


def _score(items: Sequence[Element]) -> int:
    total = 0
    for el in items:
        if type(el) is Word or type(el) is Number:
            total += 1
        elif type(el) is Alt:
            total += min((_score(o) for o in el.options), default=0) if not el.name else 1
    return total


def _blanks(text: str) -> int:
    """How many white-space characters `text` holds."""
    return len(text) - len("".join(text.split())) if not text.isalnum() else 0


_new_tuple = tuple.__new__  # a NamedTuple made without its Python-level constructor
# The one character that `_ITEM` skips rather than reads (every other is white space or starts a
# token): an `@` that no name follows. So the tokens of a text without one are the whole text.
_BARE_AT = re.compile(r"@(?![a-z])")


def skips(source: str) -> bool:
    """Whether `_ITEM`'s tokens leave out a character of `source` that is not white space, read
    from their lengths (what `_Parser` does; `_compile_fast` looks for a bare `@`)."""
    total = sum(map(len, _ITEM.findall(source)))
    return total + source.count(" ") != len(source) and total != len(source) - _blanks(source)


_SPECIAL = frozenset("&])|[(*#@")  # what a token that is not a word starts with


class _Parser:
    __slots__ = ("_offsets", "cache", "count", "i", "memo", "n", "source", "tokens", "word_sets")

    def __init__(
        self,
        source: str,
        word_sets: Mapping[str, Sequence[str]],
        cache: Compiled,
    ) -> None:
        self.source = source
        self.word_sets = word_sets
        self.cache = cache
        self.memo = cache.set_keys  # the keys of word sets, by identity, kept with the sets
        self.count = 0
        self.i = 0
        # one regular-expression pass; when it skipped a character (the tokens hold fewer
        # than the source's non-blank ones), the loop below finds where, for the message.
        # Where each token starts is worked out only for a message (`offset`).
        self.tokens: list[str] = _ITEM.findall(source)
        self._offsets: list[int] | None = None
        self.n = len(self.tokens)
        total = sum(map(len, self.tokens))
        # the tokens and the blanks between them make up the source: nothing was skipped
        if total + source.count(" ") == len(source) or total == len(source) - _blanks(source):
            return
        tokens, offsets = [], []
        pos = 0
        while pos < len(source):
            m = _ITEM.match(source, pos)
            if not m or not m.group(1):
                if source[pos:].strip():
                    raise PatternError(f"unexpected {source[pos:].strip()[:1]!r}", pos)
                break
            tokens.append(m.group(1))
            offsets.append(m.start(1))
            pos = m.end()
        self.tokens, self._offsets, self.n = tokens, offsets, len(tokens)

    def offset(self, i: int) -> int:
        """Where token `i` starts in the source."""
        if self._offsets is None:
            self._offsets = [m.start(1) for m in _ITEM.finditer(self.source)]
        return self._offsets[i]

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < self.n else None

    def sequence(self, top: bool = False, in_set: bool = False) -> tuple[Element, ...]:
        out: list[Element] = []
        tokens, n = self.tokens, self.n  # the hot loop of a load
        known = self.cache.words
        while self.i < n:
            tok = tokens[self.i]
            if tok[0] not in _SPECIAL:  # a word, or words (`don't`), or a stem
                self.count += 1
                found = known.get(tok)
                if found is None:
                    found = known[tok] = self.words(tok, self.i)
                self.i += 1
                if len(found) == 1:
                    out.append(found[0])
                else:
                    out.extend(found)
                continue
            if tok == "&":
                if not top:
                    raise PatternError(
                        "& joins whole patterns; it cannot go inside ( ) or [ ]",
                        self.offset(self.i),
                    )
                break
            if tok in ("]", ")", "|"):
                if top:
                    raise PatternError(f"unmatched {tok!r}", self.offset(self.i))
                break
            at = self.i
            self.i += 1
            self.count += 1
            if tok == "[":
                options = self.options("]", at)
                out.append(Opt(options[0] if len(options) == 1 else (_alt(options),)))
            elif tok == "(":
                out.append(_alt(self.options(")", at)))
            elif tok[0] == "*":
                if tok != "*" and not 1 <= int(tok[1:]) <= 9:
                    raise PatternError(f"`{tok}`: a bounded gap is *1 to *9", self.offset(at))
                out.append(Gap(int(tok[1:]) if len(tok) > 1 else 0))
            elif tok == "#":
                out.append(Number())
            else:  # `@name`
                if in_set:
                    raise PatternError("word sets cannot refer to other word sets", self.offset(at))
                out.append(self.word_set(tok[1:], at))
        return tuple(out)

    def options(self, close: str, at: int) -> tuple[tuple[Element, ...], ...]:
        """`a | b c | d` up to the closing bracket (the opening one is token `at`); none of the
        choices may be empty."""
        options = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            options.append(self.sequence())
        if self.peek() != close:
            raise PatternError(f"missing {close!r}", self.offset(at))
        self.i += 1
        if any(not o for o in options):
            raise PatternError(
                f"empty choice inside {'[ ]' if close == ']' else '( )'}", self.offset(at)
            )
        return tuple(options)

    def words(self, tok: str, at: int) -> tuple[Word, ...]:
        found = _token_words(tok, self.cache)
        if not found:
            raise PatternError(f"{tok!r} has no letters or digits", self.offset(at))
        return found

    def word_set(self, name: str, at: int) -> Alt:
        cached = self.cache.get(name)
        if isinstance(cached, Alt):
            return cached
        entries = self.word_sets.get(name)
        if entries is None:
            raise PatternError(f"unknown word set @{name}", self.offset(at))
        options = []
        for entry in entries:
            try:
                sub = _Parser(entry, {}, self.cache)
                seq = sub.sequence(top=True, in_set=True)
                if sub.peek() is not None:
                    raise PatternError("cannot use &")
            except PatternError as e:
                raise PatternError(f"word set @{name}: {entry!r}: {e}", self.offset(at)) from None
            if seq:
                options.append(seq)
        alt = self.cache[name] = _alt(tuple(options), name)
        return alt


def _empty_ok(items: Sequence[Element]) -> bool:
    """True when this run of items matches zero words (so it matches anywhere)."""
    for el in items:
        if isinstance(el, (Gap, Opt)):
            continue
        if isinstance(el, Alt) and any(_empty_ok(o) for o in el.options):
            continue
        return False
    return True


def matches_everything(p: Pattern) -> bool:
    """True when `p` matches any line at all (`*`, or only optional items)."""
    return all(_empty_ok(part) for part in p.parts)


def steps_at_most(
    sources: Sequence[str], set_steps: Mapping[str, tuple[int, int]], first: int = 0
) -> tuple[int, int, int]:
    """Without compiling them, read from their tokens alone: at least what the costliest of the
    patterns `sources` costs (`Pattern.cost`), and at least what they all cost together with
    their `placing` (`set_steps`: each word set's cost and placing, as `@name` alone); third,
    that total for the `first` sources alone. The loader leaves the shipped library's patterns
    to compile when these show no budget is exceeded."""
    heaviest = max(set_steps.values(), default=(0, 0))[0]
    # a token is a character or more and costs at most 4 steps, but a word set its own
    most = max((PART_COST + 4 * len(s) + s.count("@") * heaviest for s in sources), default=0)
    head = Counter(_ITEM.findall("\n".join(sources[:first])))
    tokens = head + Counter(_ITEM.findall("\n".join(sources[first:])))
    seen: dict[str, tuple[int, int, int]] = {}
    total = PART_COST * len(sources) + _tally(tokens, set_steps, seen)
    return most, total, PART_COST * first + _tally(head, set_steps, seen)


def _tally(
    tokens: Counter[str],
    set_steps: Mapping[str, tuple[int, int]],
    seen: dict[str, tuple[int, int, int]],
) -> int:
    """`steps_at_most`'s total over counted tokens, less the parts; `seen` keeps each token's
    (steps each time, look-ups once, look-ups each time)."""
    total = 0
    for tok, n in tokens.items():
        each = seen.get(tok)
        if each is None:
            each = seen[tok] = _token_steps(tok, set_steps)
        total += (each[0] + each[2]) * n + each[1]
    return total


def _token_steps(tok: str, set_steps: Mapping[str, tuple[int, int]]) -> tuple[int, int, int]:
    first = tok[0]
    if first not in "&[(|])*#@":
        # each `Word.key` once (a word that is also a stem's last word counts twice)
        bare = tok.rstrip("*")
        if bare.isascii() and bare.isalnum() and bare.islower() and bare not in _CONTRACTIONS:
            return 1, _lookups(len(bare)), 0
        words = normalize(bare).words
        return len(words), sum(_lookups(len(w)) for w in words), 0
    if first == "@":
        cost_, place = set_steps.get(tok[1:], (MAX_COST + 1, 0))
        return cost_, place, 0
    if first == "*":
        return (1 if tok == "*" else 2), 0, 0
    if first == "&":
        return PART_COST, 0, 0
    if first == "#":
        return 1, 1, 0
    if first in "[(|":  # see `cost` and `_alt`; and a look-up per choice
        return {"[": 4, "(": 2, "|": 1}[first], 0, 1
    return 0, 0, 0


class KeyLines(dict[str, int]):
    """For each key of some lines (`Utterance.keys`), the lines that hold it, as bits (line i:
    bit i); `every` has a bit for each line (`key_lines`)."""

    every = 0
    words: dict[str, int]  # the lines each word token read so far needs (`_holding`)


def key_lines(lines: Sequence[Utterance]) -> KeyLines:
    """The lines' `KeyLines`, for `could_match`."""
    found = KeyLines()
    found.every = (1 << len(lines)) - 1
    found.words = {}
    for i, utt in enumerate(lines):
        bit = 1 << i
        for k in utt.keys:
            found[k] = found.get(k, 0) | bit
    return found


def could_match(source: str, lines: KeyLines) -> int:
    """Without compiling it, read from its tokens alone: of the lines given by their keys
    (`key_lines`), those the pattern may match, as bits; not those that lack a word it needs
    (outside `[ ]`; in a `( | )`, every choice needs one) as `Pattern.needs` would show. Lint's
    W108 passes over a shipped library pattern that can match none of its lines, instead of
    compiling it."""
    return _could(_ITEM.findall(source), 0, lines, lines.every, True)[0]


def _could(tokens: list[str], i: int, lines: KeyLines, every: int, top: bool) -> tuple[int, int]:
    """`could_match` for the run of items at `tokens[i]`, up to a `|` or a closing bracket, and
    where it stopped (at the top, it stops once no line is left)."""
    n = len(tokens)
    left = every
    while i < n:
        tok = tokens[i]
        first = tok[0]
        if first in ")]|":
            return left, i
        i += 1
        if first == "[":  # optional: nothing in it is needed
            depth = 1
            while depth and i < n:
                depth += _DEPTH.get(tokens[i][0], 0)
                i += 1
        elif first == "(":
            met = 0
            while True:
                found, i = _could(tokens, i, lines, every, False)
                met |= found
                if i >= n or tokens[i] != "|":
                    i += 1  # past the closing bracket
                    break
                i += 1
            left &= met
        elif first == "#":
            left &= lines.get(_NUMBER_KEY, 0)
        elif first not in "&*@":
            held = lines.words.get(tok)
            if held is None:
                held = lines.words[tok] = _holding(tok, lines)
            left &= held
        if not left and top:
            return 0, i
    return left, i


_DEPTH = {"[": 1, "(": 1, "]": -1, ")": -1}


def _holding(tok: str, lines: KeyLines) -> int:
    """The lines that hold a key of every word of a word token (`_could`; the same tokens come
    back in many patterns, so `lines.words` keeps what each gave)."""
    prefix = tok[-1] == "*"
    bare = tok[:-1] if prefix else tok  # a token ends in one `*` at most (`_ITEM`)
    if bare.isascii() and bare.isalnum() and bare.islower() and bare not in _CONTRACTIONS:
        words: tuple[str, ...] = (bare,)
    else:
        words = normalize(bare).words
    left = lines.every
    for j, w in enumerate(words):
        need = _text_keys(w, prefix and j == len(words) - 1)
        if need is not None:
            held = 0
            for k in need:
                held |= lines.get(k, 0)
            left &= held
    return left


@lru_cache(maxsize=4096)
def _text_keys(text: str, prefix: bool) -> frozenset[str] | None:
    """`word_keys` of a word read from a pattern's text."""
    return word_keys(Word(text, prefix))
