"""A scenario compiled once into what every session shares: intents in precedence order, the
flow machine, where each question can go, what each state listens for, and lookup tables.
Immutable after `compile_scenario`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from closer.engine.errors import EngineError, Span
from closer.engine.format import model as m
from closer.engine.format import template
from closer.engine.format.collector import collector_paused
from closer.engine.format.patterns import (
    WORD_MASKS,
    Pattern,
    PatternIndex,
    Utterance,
    Vocabulary,
    Word,
    matches_everything,
    normalize,
    pattern_words,
    typed_keys,
)
from closer.engine.runtime.machine import ENDED, Edge, FlowMachine

Kind = Literal[
    "opening", "question", "candidate_questions", "closing_discussion", "closing_clear", "ended"
]
CQ = "candidate_questions"
DISCUSSION = "closing_discussion"
CLEAR = "closing_clear"
# a line opens like a question when it inverts: an auxiliary first ("do you ...", "is there
# ..."), or a question word and then an auxiliary ("how do you ...", "what is ..."); "when I was
# at Lakeview, ..." opens an answer
_AUXILIARIES = frozenset([
    "is", "are", "am", "do", "does", "did", "can", "could", "would", "will", "should", "shall",
    "may", "might", "have", "has", "had", "was", "were", "r", "any", "anything", "isnt",
])  # fmt: skip
# who "didn't ..." asks about, in a question ("didn't you say ...?")
_SUBJECTS = frozenset((w,) for w in ("i", "you", "we", "he", "she", "they", "it", "that", "this"))
_WH_WORDS = frozenset({"what", "why", "how", "when", "where", "who", "whom", "which", "whose"})
FILLERS = frozenset({"ok", "okay", "so", "and", "but", "sorry", "oh", "well", "hm", "hmm", "um"})
_PHASES = {"question": "questions", DISCUSSION: "closing", CLEAR: "closing"}  # by kind
SHORT = 6  # a goodbye mid-question counts only in a line this short ("ok bye", "I have to go")


@dataclass(frozen=True, slots=True)
class IntentMatch:
    """Which intent an utterance matched, by which pattern, with what score, written where."""

    intent: str
    rule: str
    score: int
    priority: int
    source: Span
    pattern: str

    def to_json(self) -> dict[str, object]:
        return {
            "intent": self.intent,
            "rule": self.rule,
            "score": self.score,
            "priority": self.priority,
            "source": str(self.source),
            "pattern": self.pattern,
        }


class Exit(NamedTuple):
    """A way out of a question: where it leads, and the rule that takes it (None: an answer no
    rule matched, which gets the follow-up, then the next question)."""

    dest: str
    rule: m.Rule | None

    def accepts(self, _state: object, facts: Mapping[str, Any]) -> bool:
        """The machine's condition for this exit: the answer matches the rule (skipping ahead
        to a start state takes the plain way out, as an answer no rule matched would)."""
        if self.rule is None or facts.get("skip"):
            return self.rule is None
        return _heard(self.rule.patterns, facts)


class FollowUp(NamedTuple):
    """A question's follow-up, asked once, when no rule matched, and by its `follow_up_if`:
    `always`; when the answer had no specifics (the default); or, for a follow-up that digs
    into a story ("And how did it end?"), only when the answer told one (the judge's `example`,
    or anything told in the past: `judge.told`) without its `result` (`missing_result`) or
    without a number (`missing_numbers`), or whatever it showed (`told_a_story`: "why that
    method?"): after a habit, a plan or a dodge there is no story to ask about."""

    question: m.Question
    specifics: tuple[m.Pat, ...]

    def due(self, state: Any, facts: Mapping[str, Any]) -> bool:
        q = self.question
        if q.id in state.follow_ups or facts.get("skip"):
            return False
        when = q.follow_up_if
        if when == "always":
            return True
        if when == "missing_specifics":
            return not _heard(self.specifics, facts)
        judged = state.answers.get(q.id, {})  # the judge's record of the answer so far
        shows, flags = judged.get("shows", ()), judged.get("flags", ())
        if _FOLLOWED.get(when) in shows or "evasive" in flags:
            return False
        if "example" in shows:
            return True
        from closer.engine.runtime.judge import told  # judge imports this module

        return told(facts["utt"].text)


_FOLLOWED = {"missing_result": "result", "missing_numbers": "numbers"}


def _heard(pats: tuple[m.Pat, ...], facts: Mapping[str, Any]) -> bool:
    """Does one of `pats` match the answer (`facts["utt"]`)? Through the session's
    `Program.any_match` when the fire hands it over (`hears`: the scenario's lists are indexed
    and the answers kept on the line), else pattern by pattern (the same answer)."""
    utt: Utterance = facts["utt"]
    hears = facts.get("hears")
    if hears is not None:
        return bool(hears(pats, utt))
    return any(p.pattern.match(utt) for p in pats)


def always_matches(rule: m.Rule) -> bool:
    return any(matches_everything(p.pattern) for p in rule.patterns)


def question_exits(scenario: m.Scenario) -> dict[str, tuple[Exit, ...]]:
    """Every way out of each question, in the order the session tries them: its rules, up to
    the first that matches every answer (nothing after it can happen), then plain answers."""
    qs = scenario.flow.questions
    out: dict[str, tuple[Exit, ...]] = {}
    for i, q in enumerate(qs):
        after = qs[i + 1].id if i + 1 < len(qs) else CQ
        exits = []
        for rule in q.rules:
            exits.append(Exit(rule.goto or after, rule))
            if always_matches(rule):
                break
        else:
            exits.append(Exit(after, None))
        out[q.id] = tuple(exits)
    return out


class _Worked:
    """What a `Program` works out when first asked, not at load: the one part of it that
    changes, kept apart from its frozen fields (mypyc does not compile `cached_property`, which
    would work each of them out again on every access)."""

    __slots__ = (
        "besides", "concern_by_id", "ears", "listened_for", "listening", "lists", "matches",
        "ranked", "unheard", "values",
    )  # fmt: skip

    def __init__(self) -> None:
        self.ranked: tuple[tuple[Ranked, ...], PatternIndex] | None = None
        self.lists: Lists | None = None
        self.ears: tuple[dict[str, tuple[frozenset[str], bool]], dict[str, Keys]] | None = None
        self.concern_by_id: dict[str, m.Concern] | None = None
        self.values: dict[str, str] | None = None
        self.listened_for: frozenset[str] | None = None
        # what `classify` returns for each pattern of `ranked` that has matched
        self.matches: dict[int, IntentMatch] = {}
        # `unheard`'s keys, by the markers' names (None: it cannot tell)
        self.unheard: dict[tuple[str, ...], tuple[frozenset[str] | None]] = {}
        self.besides: dict[tuple[frozenset[str], frozenset[str]], frozenset[str]] = {}
        # what `listening` worked out, by the state's kind and the line's shape
        self.listening: dict[tuple[str, bool, bool], frozenset[str]] = {}


@dataclass(frozen=True)
class Program:
    scenario: m.Scenario
    machine: FlowMachine
    intents: tuple[m.Intent, ...]
    markers: MappingProxyType[str, tuple[m.Pat, ...]]
    questions: MappingProxyType[str, m.Question]
    order: tuple[str, ...]
    answers: MappingProxyType[str, m.Answer]
    concerns: tuple[m.Concern, ...]
    candidate_questions: frozenset[str]
    exits: MappingProxyType[str, tuple[Exit, ...]]
    _worked: _Worked = field(default_factory=_Worked, init=False, repr=False, compare=False)

    # The index is built when a line is first classified, not at load: loading (lint,
    # validate, a test run that never classifies) does not pay for it.

    @property
    def _ranked(self) -> tuple[tuple[Ranked, ...], PatternIndex]:
        w = self._worked
        if w.ranked is None:
            with collector_paused():  # as at load: many long-lived objects, no garbage
                w.ranked = rank(self.intents)
        return w.ranked

    @property
    def ranked(self) -> tuple[Ranked, ...]:
        """Every intent pattern, best first (the order `classify` tries them in)."""
        return self._ranked[0]

    @property
    def index(self) -> PatternIndex:
        """`ranked`'s index: which of them a line can match."""
        return self._ranked[1]

    @property
    def lists(self) -> Lists:
        """The scenario's lists of patterns, indexed together by their patterns' anchors
        (`any_match`)."""
        w = self._worked
        if w.lists is None:
            with collector_paused():
                w.lists = Lists(pattern_lists(self.scenario))
        return w.lists

    @property
    def groups(self) -> dict[int, Group]:
        """Each of the scenario's lists of patterns (by id: the scenario keeps them alive),
        with its patterns' anchors."""
        return self.lists.groups

    @property
    def _ears(self) -> tuple[dict[str, tuple[frozenset[str], bool]], dict[str, Keys]]:
        """Each concern's anchor keys, for `heard` and `deaf` (`_concern_keys`)."""
        w = self._worked
        if w.ears is None:
            w.ears = _concern_keys(self.groups, self.concerns)
        return w.ears

    def heard(self, c: m.Concern, utt: Utterance) -> bool:
        """False when no evidence group of `c` and nothing in its `worsened_by` can match the
        line (`any_match` is False for each): the concern scan passes it over."""
        keys, always = self._ears[0][c.id]  # every one of them anchors some list: the line's
        return always or not keys.isdisjoint(self.lists.line(utt).hit)  # `hit` is enough

    def deaf(self, utt: Utterance) -> set[str]:
        """The concerns (ids) none of whose lists the scan reads (triggers, theme, counter,
        evidence, `worsened_by`) can match the line, nor a line whose words it holds."""
        hit = self.lists.line(utt).hit
        return {c for c, keys in self._ears[1].items() if keys is not None and keys.isdisjoint(hit)}

    @property
    def concern_by_id(self) -> dict[str, m.Concern]:
        w = self._worked
        if w.concern_by_id is None:
            w.concern_by_id = {c.id: c for c in self.concerns}
        return w.concern_by_id

    def concern(self, cid: str | None) -> m.Concern:
        found = self.concern_by_id.get(cid or "")
        if found is None:
            raise EngineError(f"no concern {cid!r}")
        return found

    @property
    def values(self) -> dict[str, str]:
        """Placeholder values for this scenario's lines."""
        sc, w = self.scenario, self._worked
        if w.values is None:
            w.values = template.values(
                sc.candidate.name, sc.persona.name, sc.persona.role, sc.persona.company, sc.position
            )
        return w.values

    def render(self, text: str) -> str:
        return template.render(text, self.values)

    @property
    def style(self) -> m.Style:
        return self.scenario.persona.style

    def kind(self, state: str) -> Kind:
        if state in self.questions:
            return "question"
        return state  # type: ignore[return-value]

    def phase(self, state: str) -> str:
        kind = self.kind(state)
        return _PHASES.get(kind, kind)

    def next_after(self, state: str) -> str:
        if state == "opening":
            return self.order[0]
        i = self.order.index(state)
        return self.order[i + 1] if i + 1 < len(self.order) else CQ

    def classify(self, utt: Utterance, allowed: frozenset[str]) -> IntentMatch | None:
        """The winning intent among `allowed`: highest score, then priority, then file order.
        The patterns are ranked in that order once, so the first that matches wins; the index
        visits only those that can match the line."""
        ranked, index = self._ranked
        partial = index.partial  # patterns a candidate line may still lack a need of
        # whether each candidate tried on the line matched it
        tried: dict[int, bool] | None = utt.memo.get(index)  # type: ignore[assignment]
        if tried is None:
            tried = utt.memo[index] = {}
        for i in index.candidates(utt):
            r = ranked[i]
            if r.id in allowed:
                found = tried.get(i)
                if found is None:
                    pattern = r.pattern
                    found = tried[i] = (not partial[i] or pattern.possible(utt)) and (
                        pattern.matches(utt)
                    )
                if found:
                    match = self._worked.matches.get(i)
                    if match is None:  # the same for every line: made once (it is frozen)
                        match = self._worked.matches[i] = r.found()
                    return match
        return None

    def marker(self, name: str, utt: Utterance, guard: bool = False) -> bool:
        return self.any_match(self.markers.get(name, ()), utt, guard)

    def unheard(self, names: tuple[str, ...], utt: Utterance) -> bool:
        """True when no marker of `names` can hear the line: none of their patterns lacks an
        anchor or is anchored on its keys (one look-up: most lines carry no feeling, say)."""
        found = self._worked.unheard.get(names)
        if found is None:
            got = [self.lists.groups.get(id(self.markers.get(n, ()))) for n in names]
            keys = frozenset().union(*(g.keys for g in got if g is not None))
            keyed = all(g is not None and not g.always for g in got)
            found = self._worked.unheard[names] = (keys if keyed else None,)
        return found[0] is not None and found[0].isdisjoint(self.lists.line(utt).hit)

    def any_match(self, pats: tuple[m.Pat, ...], utt: Utterance, guard: bool = False) -> bool:
        """Does any of `pats` (one of the scenario's lists of patterns) match? Only the
        patterns whose anchor the line meets are tried (`Group`): most lines meet none. The
        answer is kept on the line, which several parts of a turn may ask again."""
        lists = self.lists
        group = lists.groups.get(id(pats))
        if group is None:  # not one of the scenario's lists
            return any(p.pattern.match(utt, guard) is not None for p in pats)
        line = lists.line(utt)
        if not group.always and group.keys.isdisjoint(line.hit):
            return False  # no pattern of the list is anchored on a word of the line
        key = group.n * 2 + guard
        found = line.answers.get(key)
        if found is None:
            found = line.answers[key] = group.any_match(line.hit, utt, guard)
        return found

    def count(self, pats: tuple[m.Pat, ...], utt: Utterance, guard: bool = False) -> int:
        """How many of `pats` (one of the scenario's lists) match: only the patterns whose
        anchor the line meets can (`Group`)."""
        lists = self.lists
        group = lists.groups.get(id(pats))
        if group is None:  # not one of the scenario's lists
            return sum(1 for p in pats if p.pattern.match(utt, guard) is not None)
        line = lists.line(utt)
        return sum(
            1 for p in group.candidates(line.hit) if p.possible(utt) and p.matches(utt, guard)
        )

    def listening(self, state: str, utt: Utterance) -> frozenset[str]:
        """The intents a session in `state` listens for, given the line (a question-shaped line
        may be a candidate question mid-interview; a short one may be a goodbye)."""
        kind = self.kind(state)
        shaped = kind != "opening" and looks_like_question(utt)
        short = kind == "question" and len(utt.words) <= SHORT
        key = (kind, shaped, short)
        found = self._worked.listening.get(key)
        if found is None:
            found = self._worked.listening[key] = self._listen(kind, shaped, short)
        return found

    def besides(self, allowed: frozenset[str], cut: frozenset[str]) -> frozenset[str]:
        """`allowed - cut`, kept: `listening` gives a handful of sets, and a turn may ask for
        one without the candidate questions (a short remark that only sounds like one)."""
        found = self._worked.besides.get((allowed, cut))
        if found is None:
            found = self._worked.besides[(allowed, cut)] = allowed - cut
        return found

    def _listen(self, kind: str, question: bool, short: bool) -> frozenset[str]:
        cq = self.candidate_questions
        if kind == "opening":
            return frozenset({"closing_question"})
        if kind == "question":
            allowed = {"closing_question"}
            if question:
                allowed |= cq | {"how_did_i_do", "probe"}
            if short:
                allowed.add("goodbye")
            return frozenset(allowed)
        # with a concern on the table, "I want to stay long term" is evidence, not a question
        asked = cq if kind != DISCUSSION or question else frozenset()
        base = asked | {
            "closing_question",
            "how_did_i_do",
            "no_questions",
            "goodbye",
            "anything_else",
            "confirm",
        }
        if kind == DISCUSSION:
            return frozenset(base | {"probe", "clarify", "acknowledge"})
        return frozenset(base | {"acknowledge"})

    @property
    def listened_for(self) -> frozenset[str]:
        """Every intent some state listens for (what coverage counts, and what W104 checks):
        the union of `listening` over the states, for a short question-shaped line, which
        every state hears in full."""
        w, probe = self._worked, normalize("?")
        if w.listened_for is None:
            w.listened_for = frozenset().union(
                *(self.listening(s, probe) for s in self.machine.states)
            )
        return w.listened_for


def classify_linear(
    program: Program, utt: Utterance, allowed: frozenset[str]
) -> IntentMatch | None:
    """`Program.classify` by trying every pattern in file order, without the index or the
    anchors (what the tests hold `classify` to)."""
    best: IntentMatch | None = None
    for intent in program.intents:
        if intent.id not in allowed:
            continue
        for i, pat in enumerate(intent.patterns):
            if best is not None and (pat.pattern.score, intent.priority) <= (
                best.score,
                best.priority,
            ):
                continue
            if pat.pattern.scan(utt) is not None:
                best = IntentMatch(
                    intent.id,
                    f"{intent.id}#{i + 1}",
                    pat.pattern.score,
                    intent.priority,
                    pat.span,
                    pat.source,
                )
    return best


class Ranked(NamedTuple):
    """One intent pattern in `Program.ranked`: its intent's id, the pattern, and where it is
    written (the intent, and its place among the intent's patterns)."""

    id: str
    pattern: Pattern
    intent: m.Intent
    i: int

    def found(self) -> IntentMatch:
        intent, pat = self.intent, self.intent.patterns[self.i]
        rule = f"{intent.id}#{self.i + 1}"
        score = pat.pattern.score
        return IntentMatch(intent.id, rule, score, intent.priority, pat.span, pat.source)


def rank(intents: tuple[m.Intent, ...]) -> tuple[tuple[Ranked, ...], PatternIndex]:
    """Every intent pattern, highest score first, then highest priority, then file order (the
    order `classify` tries them in, so the first that matches wins), and their index."""
    entries = [
        Ranked(intent.id, pat.pattern, intent, i)
        for intent in intents
        for i, pat in enumerate(intent.patterns)
    ]
    # a stable sort keeps file order among equals; priorities are -100 to 100
    entries.sort(key=lambda r: -(r.pattern.score * 256 + r.intent.priority))
    return tuple(entries), PatternIndex([r.pattern for r in entries])


def pattern_lists(scenario: m.Scenario) -> list[tuple[m.Pat, ...]]:
    """The scenario's lists of patterns that are tried together: markers, rule and rubric
    patterns, and each concern's triggers, theme, evidence groups, worsened_by and about."""
    out = [pats for _, pats in scenario.markers]
    for q in scenario.flow.questions:
        out += [rule.patterns for rule in q.rules]
        out.append(q.rubric.topic)
    for c in scenario.concerns:
        out += [c.triggers, c.worsened_by, c.about, *(g.patterns for g in c.groups)]
        if c.theme is not None:
            out += [c.theme.patterns, c.theme.counter]
    return out


class Group(NamedTuple):
    """A list of patterns tried together, indexed by their anchors: `n` its number among the
    scenario's lists, `by_key` from each anchor key to the positions of the patterns anchored
    on it, `keys` all of those keys, `always` the patterns with no anchor (tried on every
    line)."""

    n: int
    patterns: tuple[Pattern, ...]
    keys: frozenset[str]
    by_key: dict[str, tuple[int, ...]]
    always: tuple[int, ...]

    @classmethod
    def of(cls, n: int, pats: tuple[m.Pat, ...]) -> Group:
        by_key: dict[str, list[int]] = {}
        always = []
        for i, p in enumerate(pats):
            anchor = p.pattern.anchor
            if anchor is None:
                always.append(i)
            else:
                for k in anchor:
                    by_key.setdefault(k, []).append(i)
        return cls(
            n,
            tuple(p.pattern for p in pats),
            frozenset(by_key),
            {k: tuple(v) for k, v in by_key.items()},
            tuple(always),
        )

    def candidates(self, hit: set[str] | frozenset[str]) -> list[Pattern]:
        """The patterns whose anchor the line meets (`hit`: those of the line's keys that anchor
        some list's pattern), or that have none: the only ones that can match it (in no
        particular order)."""
        patterns = self.patterns
        return [patterns[i] for i in self._tried(hit)]

    def any_match(self, hit: set[str] | frozenset[str], utt: Utterance, guard: bool) -> bool:
        """Does one of `candidates` match?"""
        patterns = self.patterns
        keys = utt.keys
        for i in self._tried(hit):
            p = patterns[i]
            for need in p.needs:  # `p.possible(utt)`, written out: a turn's hot loop
                if need.isdisjoint(keys):
                    break
            else:
                if p.matches(utt, guard):
                    return True
        return False

    def _tried(self, hit: set[str] | frozenset[str]) -> set[int] | tuple[int, ...]:
        """The positions of `candidates`."""
        keys = self.keys.intersection(hit)
        if not keys:
            return self.always
        tried = set(self.always)
        for k in keys:
            tried.update(self.by_key[k])
        return tried


class Line(NamedTuple):
    """What `Program.any_match` keeps on a line: its keys that anchor a pattern of some list
    (those a word of the line meets exactly: `Lists.line`), and each answer, by list and
    guard."""

    hit: frozenset[str] | set[str]
    answers: dict[int, bool]


Keys = frozenset[str] | None  # a concern's lists' anchor keys; None: a pattern has no anchor


def _concern_keys(
    groups: dict[int, Group], concerns: tuple[m.Concern, ...]
) -> tuple[dict[str, tuple[frozenset[str], bool]], dict[str, Keys]]:
    """For `Program.heard`, each concern's evidence groups' and `worsened_by`'s anchor keys
    together, and whether one of their patterns has no anchor; for `Program.deaf`, the anchor
    keys of every list the concern scan reads (triggers, theme, counter, evidence,
    `worsened_by`), None when a pattern of one has no anchor."""
    heard: dict[str, tuple[frozenset[str], bool]] = {}
    deaf: dict[str, Keys] = {}
    for c in concerns:
        lists = [groups[id(pats)] for pats in (*(g.patterns for g in c.groups), c.worsened_by)]
        keys = frozenset().union(*(group.keys for group in lists))
        heard[c.id] = (keys, any(group.always for group in lists))
        theme = (c.theme.patterns, c.theme.counter) if c.theme is not None else ()
        pats = (c.triggers, c.worsened_by, *(g.patterns for g in c.groups), *theme)
        found = [groups.get(id(p)) for p in pats]
        keyed = all(group is not None and not group.always for group in found)
        deaf[c.id] = frozenset().union(*(g.keys for g in found if g)) if keyed else None
    return heard, deaf


class Lists:
    """The scenario's lists of patterns (`pattern_lists`), each a `Group`, by id (the scenario
    keeps them alive); `keys`, every key that anchors a pattern of one of them."""

    __slots__ = ("_typed", "_vocabulary", "groups", "keys")

    def __init__(self, lists: list[tuple[m.Pat, ...]]) -> None:
        self.groups: dict[int, Group] = {}
        for pats in lists:
            if id(pats) not in self.groups:  # the same list twice (an empty one, often)
                self.groups[id(pats)] = Group.of(len(self.groups), pats)
        self.keys = frozenset().union(*(g.keys for g in self.groups.values()))
        words: dict[str, Word] = {}
        seen: set[int] = set()
        for group in self.groups.values():
            for p in group.patterns:
                for part in p.parts:
                    pattern_words(part, words, seen)
        self._vocabulary = Vocabulary(words.values())
        self._typed: dict[str, frozenset[str]] = {}  # `_hit` of each typed word (bounded)

    def line(self, utt: Utterance) -> Line:
        """What is kept on `utt` for these lists (the line's keys that anchor a pattern of some
        list, and the answers so far), made at the first question about it."""
        found: Line | None = utt.memo.get(self)  # type: ignore[assignment]
        if found is None:
            typed = self._typed
            hit: set[str] = set()
            for t in utt.words:  # a word twice is looked up twice: cheaper than a set
                keys = typed.get(t)
                hit.update(self._hit(t) if keys is None else keys)
            found = utt.memo[self] = Line(hit, {})
        return found

    def _hit(self, t: str) -> frozenset[str]:
        """The keys of the typed word `t` that anchor a pattern of some list and that `t`
        meets: the word itself, `#`, or a key of a word of the lists that `t` matches (as the
        scan matches it). A key only a word `t` does not match shares (a typo head of
        another word) anchors nothing `t` can meet: every word `t` matches shares a key with
        it, and that key is kept."""
        keys = self.keys.intersection(typed_keys(t))
        if keys:
            kept = {k for k in keys if k == t or k == "#"}
            for w in self._vocabulary.matched(t, keys):
                kept.update(keys.intersection(w.keys))  # type: ignore[arg-type]
            keys = frozenset(kept)
        if len(self._typed) >= WORD_MASKS:  # bounded: a line may bring any words
            self._typed.clear()
        self._typed[t] = keys
        return keys


def looks_like_question(utt: Utterance) -> bool:
    """A question mark, or a question's word order (`opens_question`)."""
    return "?" in utt.text or opens_question(utt.words)


def opens_question(words: tuple[str, ...]) -> bool:
    """Do these words open like a question: an auxiliary first, or a question word followed
    by an auxiliary (or, for what/which/whose, by anything: "what kind of ...")? Fillers such
    as "so" and "okay" before it are skipped."""
    i = 0
    while i < len(words) - 1 and words[i] in FILLERS:
        i += 1
    if i >= len(words):
        return False
    first, second = words[i], words[i + 1] if i + 1 < len(words) else ""
    if first in _AUXILIARIES:
        # typed without its "I": "didn't need the duty manager", "had a man shouting at me"
        return not (second == "not" and words[i + 2 : i + 3] not in _SUBJECTS) and not (
            first in ("had", "has", "have") and second in ("a", "an")
        )
    if first in ("what", "which", "whose"):  # but "what I did was ..." is an answer
        return second not in ("i", "we", "he", "she", "they", "my", "our")
    return first in _WH_WORDS and (second in _AUXILIARIES or second in ("about", "come", "so"))


def flow_edges(scenario: m.Scenario, exits: Mapping[str, tuple[Exit, ...]]) -> list[Edge]:
    """The flow machine's table. A question's `advance` edges are its exits in the order the
    session tries them, with its follow-up (which stays) before the plain exit; the first whose
    condition holds is taken."""
    qs = scenario.flow.questions
    specifics = dict(scenario.markers)["specifics"]
    edges = [Edge("advance", "opening", qs[0].id)]
    for q in qs:
        for ex in exits[q.id]:
            if ex.rule is None and q.follow_up:
                follow_up = FollowUp(q, specifics)
                edges.append(Edge("advance", q.id, None, follow_up.due, follow_up))
            # a rule that goes back to its own question stays there (nothing is asked again)
            dest = None if ex.dest == q.id else ex.dest
            edges.append(Edge("advance", q.id, dest, ex.accepts, ex))
    # the closing question and "anything else?": to the next pending concern, or clear
    for source in (CQ, CLEAR, DISCUSSION):
        edges.append(Edge("close", source, DISCUSSION if source != DISCUSSION else None, _pending))
        edges.append(Edge("close", source, CLEAR if source != CLEAR else None))
    # any state but the opening can end the interview (a goodbye, max_turns, no more questions);
    # the opening always moves on, and max_turns is at least 5, so it gets no `leave` edge
    states = ("opening", *(q.id for q in qs), CQ, DISCUSSION, CLEAR, ENDED)
    edges += [Edge("leave", s, ENDED) for s in states if s not in ("opening", ENDED)]
    return edges


def _pending(_state: object, facts: Mapping[str, Any]) -> bool:
    return bool(facts["pending"])


def compile_scenario(scenario: m.Scenario) -> Program:
    """Build the shared Program: states, the flow machine and tables (pure)."""
    with collector_paused():  # see there: many objects, no garbage
        return _compile(scenario)


def _compile(scenario: m.Scenario) -> Program:
    qs = scenario.flow.questions
    order = tuple(q.id for q in qs)
    states = ("opening", *order, CQ, DISCUSSION, CLEAR, ENDED)
    exits = question_exits(scenario)
    answers = {a.intent: a for a in scenario.flow.answers}
    cq = frozenset(m.CANDIDATE_QUESTIONS) | frozenset(answers)
    return Program(
        scenario=scenario,
        machine=FlowMachine(states, flow_edges(scenario, exits), "opening"),
        intents=scenario.intents,
        markers=MappingProxyType(dict(scenario.markers)),
        questions=MappingProxyType({q.id: q for q in qs}),
        order=order,
        answers=MappingProxyType(answers),
        concerns=scenario.concerns,
        candidate_questions=cq,
        exits=MappingProxyType(exits),
    )
