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

Matching keeps a *set* of positions as an integer bitmask and advances it element by element, so
the cost is (pattern size) x (utterance length) whatever the input: no pattern can backtrack.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import NamedTuple

MAX_UTTERANCE = 2000
MAX_PATTERN = 300
MAX_ITEMS = 60
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


class Utterance(NamedTuple):
    """Normalised words of one candidate line, with the clause each word belongs to."""

    text: str
    words: tuple[str, ...]
    clauses: tuple[int, ...]
    # where each pattern word matches, filled in as patterns ask: one utterance is tried against
    # a few hundred patterns that share most of their words, typo checks included
    masks: dict[Word | Number, int]

    @property
    def all_positions(self) -> int:
        return (1 << (len(self.words) + 1)) - 1


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
    words: list[str] = []
    clauses: list[int] = []
    clause = 0
    for raw in _WORD.findall(fold(text).replace("%", " percent ")):
        if raw in ".!?;:,":
            clause += 1
            continue
        for w in _expand(raw):
            if w in _CLAUSE_WORDS:
                clause += 1
            words.append(w)
            clauses.append(clause)
    return Utterance(text, tuple(words), tuple(clauses), {})


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

    def hits(self, words: Sequence[str]) -> int:
        mask = 0
        w = self.text
        n = len(w)
        fuzzy = n >= 5
        for i, t in enumerate(words):
            if t == w or (self.prefix and t.startswith(w)):
                mask |= 1 << i
            elif fuzzy and t[:1] == w[:1]:
                if self.prefix:
                    close = any(typo_close(t[:k], w) for k in (n - 1, n, n + 1) if k <= len(t))
                else:
                    close = typo_close(t, w)
                if close:
                    mask |= 1 << i
        return mask


class Number(NamedTuple):
    def hits(self, words: Sequence[str]) -> int:
        mask = 0
        for i, t in enumerate(words):
            if t in NUMBER_WORDS or any(c.isdigit() for c in t):
                mask |= 1 << i
        return mask


class Gap(NamedTuple):
    most: int  # 0 = unbounded


class Opt(NamedTuple):
    body: tuple[Element, ...]


class Alt(NamedTuple):
    options: tuple[tuple[Element, ...], ...]
    name: str = ""  # the word set's name, when it came from @name


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

    def match(self, utt: Utterance, guard: bool = False) -> Hit | None:
        """Match anywhere in `utt`; with `guard`, ignore hits preceded by a negation."""
        starts = [_part_start(items, utt, utt.masks, guard) for items in self.parts]
        if any(s is None for s in starts):
            return None
        return Hit(self, starts[0] or 0)


def _part_start(
    items: tuple[Element, ...], utt: Utterance, masks: dict[Word | Number, int], guard: bool
) -> int | None:
    if not _run(items, utt.all_positions, utt, masks):
        return None
    for start in range(len(utt.words) + 1):
        if _run(items, 1 << start, utt, masks) and not (guard and negated(utt, start)):
            return start
    return None


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


def _run(
    items: tuple[Element, ...], starts: int, utt: Utterance, masks: dict[Word | Number, int]
) -> int:
    """Advance the set of positions `starts` through `items`; return the set of end positions."""
    cur = starts
    full = utt.all_positions
    for el in items:
        if not cur:
            return 0
        if isinstance(el, (Word, Number)):
            m = masks.get(el)
            if m is None:
                m = masks[el] = el.hits(utt.words)
            cur = (cur & m) << 1
        elif isinstance(el, Gap):
            if el.most == 0:
                cur = full & ~((cur & -cur) - 1)
            else:
                acc = cur
                for _ in range(el.most):
                    cur = (cur << 1) & full
                    acc |= cur
                cur = acc
        elif isinstance(el, Opt):
            cur = cur | _run(el.body, cur, utt, masks)
        else:
            acc = 0
            for option in el.options:
                acc |= _run(option, cur, utt, masks)
            cur = acc
    return cur & full


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
    return Pattern(source, tuple(parts), sum(_score(p) for p in parts))


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
                out.append(Opt(options[0] if len(options) == 1 else (Alt(options),)))
            elif tok == "(":
                out.append(Alt(self.options(")", offset)))
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
        self.cache[name] = Alt(tuple(options), name=name)
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
