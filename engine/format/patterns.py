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
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import NamedTuple

MAX_UTTERANCE = 2000  # characters of a player's line that are read, counted after folding
MAX_WORDS = 1000  # words of a player's line that are read, after contractions are expanded
MAX_PATTERN = 300
MAX_ITEMS = 60
MAX_COST = 2000  # steps one pass of one pattern may take (Pattern.cost)
MAX_TOTAL_COST = 100_000  # steps all of a scenario's patterns may take together
TYPO_MIN = 5  # words this long or longer match a typed word with one slip ...
TYPO_MAX = 24  # ... up to this long: longer ones must be typed exactly (bounds the index)
NEGATION_WINDOW = 3

NEGATIONS = frozenset([
    "not", "no", "never", "without", "cannot", "nobody", "none", "neither", "nor", "lack",
    "lacking", "lacked", "hardly", "barely", "nothing",
])  # fmt: skip
_CLAUSE_WORDS = frozenset({"but", "however", "although", "though", "whereas"})

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

    __slots__ = ("_index", "_unnegated", "clauses", "masks", "text", "words")

    def __init__(self, text: str, words: tuple[str, ...], clauses: tuple[int, ...]) -> None:
        self.text = text
        self.words = words
        self.clauses = clauses
        self.masks: dict[object, int] = {}
        self._index: _Index | None = None
        self._unnegated: int | None = None

    def __repr__(self) -> str:
        return f"Utterance({self.text!r}, words={self.words!r})"

    @property
    def all_positions(self) -> int:
        """Bit p set for every position p: before word p, or (p = len(words)) after the last."""
        return (1 << (len(self.words) + 1)) - 1

    @property
    def unnegated(self) -> int:
        """The positions where a match may start under the negation guard."""
        if self._unnegated is None:
            free = 0
            for start in range(len(self.words) + 1):
                if not negated(self, start):
                    free |= 1 << start
            self._unnegated = free
        return self._unnegated

    def mask(self, el: Word | Number) -> int:
        """Bit i set when word i matches `el`."""
        m = self.masks.get(el)
        if m is None:
            if self._index is None:
                self._index = _Index(self.words)
            m = self.masks[el] = self._index.mask(el)
        return m

    def set_mask(self, words: frozenset[Word | Number]) -> int:
        """Bit i set when word i matches any of `words` (a word set of single words)."""
        m = self.masks.get(words)
        if m is None:
            m = 0
            for el in words:
                m |= self.mask(el)
            self.masks[words] = m
        return m


# ---- where pattern words occur in a line ---------------------------------------------------
#
# A pattern word `w` of TYPO_MIN..TYPO_MAX letters also matches a typed word `t` one slip away
# with the same first letter (`typo_close`). Each kind of slip leaves a trace that both sides
# can compute, so the line is indexed once by its words' traces, and finding `w` takes len(w) + 1
# look-ups, whatever the line's length (`lookups`):
#   t is w                                          w in `exact`
#   t is w with two neighbouring letters swapped    w in `near`  (t with them swapped back)
#   t is w with a letter added (not first)          w in `near`  (t with that letter dropped)
#   t is w with a letter dropped (not first)        _holes(w) in `holes`  (t with a gap put in)
#   t is w with a letter replaced (6+ letters, not the first or last)
#                                                   _holes(w) in `holes`  (t with it blanked)
# A stem `w*` is found the same way among the typed words' first len(w) - 1, len(w) and
# len(w) + 1 letters (`_Traces` per stem length, at most TYPO_MAX - TYPO_MIN + 1 of them).

_HOLE = "\0"  # never in a normalised word


def _holes(w: str) -> list[str]:
    """`w` with each letter but the first blanked out in turn."""
    return [w[:i] + _HOLE + w[i + 1 :] for i in range(1, len(w))]


def lookups(w: Word) -> int:
    """Dictionary look-ups that find where `w` occurs in a line (once per line)."""
    return len(w.text) + 1 if TYPO_MIN <= len(w.text) <= TYPO_MAX else 1


class _Traces(NamedTuple):
    """One-slip traces of typed words (or of their first letters, for stems)."""

    near: dict[str, int]
    holes: dict[str, int]

    def same_length(self, whole: str, bits: int) -> None:
        """Traces of a word as long as the pattern word: swaps and replaced letters."""
        near, holes = self.near, self.holes
        for i in range(1, len(whole) - 1):
            if whole[i] != whole[i + 1]:
                k = whole[:i] + whole[i + 1] + whole[i] + whole[i + 2 :]
                near[k] = near.get(k, 0) | bits
            if len(whole) >= 6:
                k = whole[:i] + _HOLE + whole[i + 1 :]
                holes[k] = holes.get(k, 0) | bits

    def one_longer(self, long: str, bits: int) -> None:
        """Traces of a word one letter longer than the pattern word: that letter dropped."""
        for i in range(1, len(long)):
            k = long[:i] + long[i + 1 :]
            self.near[k] = self.near.get(k, 0) | bits

    def one_shorter(self, short: str, bits: int) -> None:
        """Traces of a word one letter shorter than the pattern word: a gap put in."""
        for i in range(1, len(short) + 1):
            k = short[:i] + _HOLE + short[i:]
            self.holes[k] = self.holes.get(k, 0) | bits

    def find(self, w: str) -> int:
        found = self.near.get(w, 0)
        for k in _holes(w):
            found |= self.holes.get(k, 0)
        return found


class _Index:
    """A line's words, their prefixes and their one-slip traces, each with its positions."""

    def __init__(self, words: Sequence[str]) -> None:
        exact: dict[str, int] = {}
        for i, t in enumerate(words):
            exact[t] = exact.get(t, 0) | (1 << i)
        self.exact = exact
        self._prefixes: dict[str, int] | None = None
        self._traces: _Traces | None = None
        self._stems: dict[int, _Traces] = {}
        self._numbers: int | None = None

    def prefixes(self) -> dict[str, int]:
        if self._prefixes is None:
            self._prefixes = {}
            for t, bits in self.exact.items():
                for k in range(1, min(len(t), MAX_PATTERN) + 1):
                    self._prefixes[t[:k]] = self._prefixes.get(t[:k], 0) | bits
        return self._prefixes

    def traces(self) -> _Traces:
        if self._traces is None:
            self._traces = traces = _Traces({}, {})
            for t, bits in self.exact.items():
                if TYPO_MIN <= len(t) <= TYPO_MAX:
                    traces.same_length(t, bits)
                if TYPO_MIN < len(t) <= TYPO_MAX + 1:
                    traces.one_longer(t, bits)
                if TYPO_MIN <= len(t) + 1 <= TYPO_MAX:
                    traces.one_shorter(t, bits)
        return self._traces

    def stems(self, n: int) -> _Traces:
        """The traces of every typed word's first n - 1, n and n + 1 letters."""
        if n not in self._stems:
            heads: tuple[dict[str, int], dict[str, int], dict[str, int]] = ({}, {}, {})
            for t, bits in self.exact.items():
                for k, group in zip((n - 1, n, n + 1), heads, strict=True):
                    if len(t) >= k:
                        group[t[:k]] = group.get(t[:k], 0) | bits
            self._stems[n] = traces = _Traces({}, {})
            for head, bits in heads[0].items():
                traces.one_shorter(head, bits)
            for head, bits in heads[1].items():
                traces.same_length(head, bits)
            for head, bits in heads[2].items():
                traces.one_longer(head, bits)
        return self._stems[n]

    def mask(self, el: Word | Number) -> int:
        if isinstance(el, Number):
            if self._numbers is None:
                self._numbers = 0
                for t, bits in self.exact.items():
                    if t in NUMBER_WORDS or any(c.isdigit() for c in t):
                        self._numbers |= bits
            return self._numbers
        w = el.text
        fuzzy = TYPO_MIN <= len(w) <= TYPO_MAX
        if not el.prefix:
            found = self.exact.get(w, 0)
            return found | self.traces().find(w) if fuzzy else found
        found = self.prefixes().get(w, 0)
        return found | self.stems(len(w)).find(w) if fuzzy else found


def fold(text: str) -> str:
    """NFKC, case-fold and strip accents: 'Résumé' -> 'resume'."""
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


def normalize(text: str) -> Utterance:
    """Text -> Utterance: folded, contractions expanded, punctuation dropped, clauses marked."""
    text = text[:MAX_UTTERANCE]
    # the caps apply to the folded text: one character can fold into many (U+FDFA into 18)
    folded = fold(text).replace("%", " percent ")[:MAX_UTTERANCE]
    words: list[str] = []
    clauses: list[int] = []
    clause = 0
    for raw in _WORD.findall(folded):
        if raw in ".!?;:,":
            clause += 1
            continue
        for w in _expand(raw):
            if w in _CLAUSE_WORDS:
                clause += 1
            words.append(w)
            clauses.append(clause)
    return Utterance(text, tuple(words[:MAX_WORDS]), tuple(clauses[:MAX_WORDS]))


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


class Word(NamedTuple):
    text: str
    prefix: bool = False


class Number(NamedTuple):
    pass


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

    def match(self, utt: Utterance, guard: bool = False) -> Hit | None:
        """Match anywhere in `utt`; with `guard`, ignore hits preceded by a negation."""
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


def _starts(items: tuple[Element, ...], ends: int, utt: Utterance) -> int:
    """The positions from which `items` match up to one of the positions `ends`: one pass,
    last item first, one step per item (so `cost(items)` steps in all)."""
    cur = ends
    for el in reversed(items):
        if not cur:
            return 0
        if type(el) is Word or type(el) is Number:
            cur = (cur >> 1) & utt.mask(el)
        elif type(el) is Gap:
            if el.most == 0:
                cur = (1 << cur.bit_length()) - 1  # anywhere up to the last end
            else:
                acc = cur
                for _ in range(el.most):
                    cur >>= 1
                    acc |= cur
                cur = acc
        elif type(el) is Opt:
            cur |= _starts(el.body, cur, utt)
        elif type(el) is Alt:
            if el.flat is not None:
                cur = (cur >> 1) & utt.set_mask(el.flat)
            else:
                acc = 0
                for option in el.options:
                    acc |= _starts(option, cur, utt)
                cur = acc
    return cur


def cost(items: Sequence[Element]) -> int:
    """Steps one pass through `items` takes: 1 per item, plus what is inside [ ] and ( ); a
    word set counts its entries at every use, unless every entry is a single word."""
    total = 0
    for el in items:
        if isinstance(el, Opt):
            total += 1 + cost(el.body)
        elif isinstance(el, Alt):
            total += el.cost
        else:
            total += 1
    return total


def _alt(options: tuple[tuple[Element, ...], ...], name: str = "") -> Alt:
    if all(len(o) == 1 and isinstance(o[0], (Word, Number)) for o in options):
        flat = frozenset(o[0] for o in options if isinstance(o[0], (Word, Number)))
        return Alt(options, name, flat, 1)
    return Alt(options, name, None, 1 + sum(cost(o) for o in options))


# ---- compiling ----------------------------------------------------------------------------


def compile_pattern(
    source: str,
    word_sets: Mapping[str, Sequence[str]] | None = None,
    cache: dict[str, Alt] | None = None,
) -> Pattern:
    """Parse a pattern; raise PatternError with the column of the problem. Pass the same
    `cache` when compiling many patterns over the same word sets, to compile each set once."""
    if len(source) > MAX_PATTERN:
        raise PatternError(f"pattern is longer than {MAX_PATTERN} characters")
    parser = _Parser(source, word_sets or {}, {} if cache is None else cache)
    parts = [parser.sequence(top=True)]
    while parser.peek() == "&":
        offset = parser.tokens[parser.i][1]
        parser.i += 1
        parts.append(parser.sequence(top=True))
        if not parts[-1]:
            raise PatternError("nothing after &", offset)
    if parser.count > MAX_ITEMS:
        raise PatternError(f"pattern has more than {MAX_ITEMS} parts")
    if not parts[0]:
        raise PatternError("empty pattern")
    parts_t = tuple(parts)
    steps = sum(1 + cost(p) for p in parts_t)
    return Pattern(source, parts_t, sum(_score(p) for p in parts_t), steps)


def _score(items: Sequence[Element]) -> int:
    total = 0
    for el in items:
        if isinstance(el, (Word, Number)):
            total += 1
        elif isinstance(el, Alt):
            total += min((_score(o) for o in el.options), default=0) if not el.name else 1
    return total


class _Parser:
    def __init__(
        self, source: str, word_sets: Mapping[str, Sequence[str]], cache: dict[str, Alt]
    ) -> None:
        self.source = source
        self.word_sets = word_sets
        self.cache = cache
        self.tokens: list[tuple[str, int]] = []
        self.count = 0
        pos = 0
        while pos < len(source):
            m = _ITEM.match(source, pos)
            if not m or not m.group(1):
                if source[pos:].strip():
                    raise PatternError(f"unexpected {source[pos:].strip()[:1]!r}", pos)
                break
            self.tokens.append((m.group(1), m.start(1)))
            pos = m.end()
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def sequence(self, top: bool = False, in_set: bool = False) -> tuple[Element, ...]:
        out: list[Element] = []
        while (tok := self.peek()) is not None:
            if tok == "&":
                if not top:
                    raise PatternError(
                        "& joins whole patterns; it cannot go inside ( ) or [ ]",
                        self.tokens[self.i][1],
                    )
                break
            if tok in ("]", ")", "|"):
                if top:
                    raise PatternError(f"unmatched {tok!r}", self.tokens[self.i][1])
                break
            offset = self.tokens[self.i][1]
            self.i += 1
            self.count += 1
            if tok == "[":
                options = self.options("]", offset)
                out.append(Opt(options[0] if len(options) == 1 else (_alt(options),)))
            elif tok == "(":
                out.append(_alt(self.options(")", offset)))
            elif tok.startswith("*"):
                if tok != "*" and not 1 <= int(tok[1:]) <= 9:
                    raise PatternError(f"`{tok}`: a bounded gap is *1 to *9", offset)
                out.append(Gap(int(tok[1:]) if len(tok) > 1 else 0))
            elif tok == "#":
                out.append(Number())
            elif tok.startswith("@"):
                if in_set:
                    raise PatternError("word sets cannot refer to other word sets", offset)
                out.append(self.word_set(tok[1:], offset))
            else:
                out.extend(self.words(tok, offset))
        return tuple(out)

    def options(self, close: str, offset: int) -> tuple[tuple[Element, ...], ...]:
        """`a | b c | d` up to the closing bracket; none of the choices may be empty."""
        options = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            options.append(self.sequence())
        self.expect(close, offset)
        if any(not o for o in options):
            raise PatternError(f"empty choice inside {'[ ]' if close == ']' else '( )'}", offset)
        return tuple(options)

    def words(self, tok: str, offset: int) -> list[Element]:
        prefix = tok.endswith("*")
        bare = tok.rstrip("*")
        if bare.isascii() and bare.isalnum() and bare.islower() and bare not in _CONTRACTIONS:
            words: tuple[str, ...] = (bare,)  # the common case, already normal
        else:
            words = normalize(bare).words
        if not words:
            raise PatternError(f"{tok!r} has no letters or digits", offset)
        out: list[Element] = [Word(w) for w in words]
        if prefix:
            out[-1] = Word(words[-1], prefix=True)
        return out

    def word_set(self, name: str, offset: int) -> Alt:
        if name in self.cache:
            return self.cache[name]
        entries = self.word_sets.get(name)
        if entries is None:
            raise PatternError(f"unknown word set @{name}", offset)
        options = []
        for entry in entries:
            try:
                sub = _Parser(entry, {}, {})
                seq = sub.sequence(top=True, in_set=True)
                if sub.peek() is not None:
                    raise PatternError("cannot use &")
            except PatternError as e:
                raise PatternError(f"word set @{name}: {entry!r}: {e}", offset) from None
            if seq:
                options.append(seq)
        self.cache[name] = _alt(tuple(options), name)
        return self.cache[name]

    def expect(self, tok: str, offset: int) -> None:
        if self.peek() != tok:
            raise PatternError(f"missing {tok!r}", offset)
        self.i += 1


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


def first_match(patterns: Sequence[Pattern], utt: Utterance, guard: bool = False) -> Hit | None:
    """The best-scoring matching pattern (earliest wins ties), or None."""
    best: Hit | None = None
    for p in patterns:
        if best is not None and p.score <= best.pattern.score:
            continue
        hit = p.match(utt, guard)
        if hit is not None:
            best = hit
    return best
