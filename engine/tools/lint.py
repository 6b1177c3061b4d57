"""Lint: problems in a scenario that loads and compiles, but will not play the way its author
meant. Pure: `lint(program)` -> diagnostics, each with a stable code from `CHECKS`.

Codes: `E0xx` are load errors (the file is refused; `format.loader`), `E1xx` lint errors (the
scenario loads, but part of an interview can never be played), `W1xx` lint warnings (something
is written that can never take effect). Every code, with a broken example, is in
docs/diagnostics.md, which the tests check against `CHECKS` and `LOAD_CODES`.

Every check is conservative: it reports only what is certain from the file (a rule is
"shadowed" only when an earlier rule's pattern provably matches everything the later one does).
The one measured check, W110, states a fact about fixed data: how many of `SAMPLE_ANSWERS` a rule
takes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import NamedTuple

from closer.engine.errors import Diagnostic, Severity, Span
from closer.engine.format import model as m
from closer.engine.format.patterns import (
    Alt,
    Element,
    Gap,
    Number,
    Opt,
    Pattern,
    PatternError,
    Utterance,
    Word,
    compile_pattern,
    could_match,
    key_lines,
    line_cost,
    matches_everything,
    normalize,
    placing,
)
from closer.engine.runtime.program import (
    IntentMatch,
    Program,
    Ranked,
    always_matches,
    compile_scenario,
)
from closer.engine.tools.flowcheck import diagnostics as _flow
from closer.engine.tools.flowcheck import edges_of as _graph
from closer.engine.tools.flowcheck import flow_errors as flow_errors  # as before
from closer.engine.tools.flowcheck import reach as _reach


class Check(NamedTuple):
    """One entry of the diagnostics registry."""

    code: str
    severity: Severity
    title: str
    doc: str


CHECKS = (
    Check(
        "E101", "error", "dead end",
        "A question whose only way out leads back to itself: a rule that always matches and "
        "has `goto` its own question, so the interview can never move on.",
    ),
    Check(
        "E102", "error", "no path to your questions",
        "Questions that send each other round in a loop with rules that always match, so the "
        "interview never reaches `candidate_questions` and the closing question.",
    ),
    Check(
        "W101", "warning", "question never asked",
        "A question no path reaches: every way into it is skipped by an earlier rule that "
        "always matches.",
    ),
    Check(
        "W102", "warning", "rule shadowed",
        "A rule that can never fire, because an earlier rule of the same question matches "
        "everything it matches (the first matching rule wins).",
    ),
    Check(
        "W103", "warning", "pattern matches everything",
        "A pattern made only of gaps and optional parts (`*`, `*3`, `[maybe]`) matches any "
        "line, even an empty one. (In a rule's `when` this is how to say 'always'; there its "
        "effects are reported as W101, W102, E101 or E102.)",
    ),
    Check(
        "W104", "warning", "intent never listened for",
        "An intent of your own that is not a standard intent and has no answer under "
        "`candidate_questions.answers`: no state of the interview listens for it.",
    ),
    Check(
        "W105", "warning", "candidate question without an answer",
        "One of the six core `ask_*` questions (why open, new or replacement, expectations, "
        "long term, next steps, start date) with no answer: the interviewer replies with the "
        "`unknown_question` line when the player asks it.",
    ),
    Check(
        "W106", "warning", "concern never raised",
        "A concern that can never be raised: its `when_fact` is false in `candidate.facts`, or "
        "every question in its `during` is never asked.",
    ),
    Check(
        "W107", "warning", "evidence group never needed",
        "An evidence group that neither `resolve` nor `partial` needs: it is not in an `all` "
        "list and neither uses `count`, so hitting it changes nothing.",
    ),
    Check(
        "W108", "warning", "example not understood",
        "An intent's example line is not classified as that intent (another intent wins, or "
        "nothing matches), so players who say it will not be understood as the author meant.",
    ),
    Check(
        "W109", "warning", "pattern written as a regular expression",
        "A pattern or word-set entry holds regular-expression syntax (`\\d`, `{1,3}`, `.*`, `+`, "
        "`^`, `[a-z]` ...), which the pattern grammar reads as plain words or drops.",
    ),
    Check(
        "W110", "warning", "question comes back to itself on most answers",
        "A rule that sends a question back to itself takes more than half of a fixed set of 40 "
        "ordinary interview answers, so most players are asked the same question again.",
    ),
    Check(
        "W111", "warning", "word-set entry matches everything",
        "An entry of a word set made only of gaps and optional parts (`*`, `[maybe]`): every "
        "pattern that uses the set, the shared library's included when the scenario adds to one "
        "of its sets, matches there without a word.",
    ),
    Check(
        "W112", "warning", "common candidate questions without an answer",
        "Candidates often ask about onboarding, the team, a typical day, the culture, the "
        "challenges, the schedule, remote work, pay, or what the interviewer likes about working "
        "there; the persona has no answer for some of these, so the interviewer replies with the "
        "`unknown_question` line. One warning names them all.",
    ),
)  # fmt: skip
BY_CODE = {c.code: c for c in CHECKS}

LOAD_CODES = {
    "E000": "cannot read the file, or not a regular file",
    "E001": "file too large",
    "E002": "not UTF-8",
    "E003": "empty file",
    "E010": "YAML syntax error",
    "E011": "too many values or aliases, or a recursive alias",
    "E012": "nested too deep",
    "E013": "unsupported tag or merge key",
    "E014": "a key that is not a plain word",
    "E015": "control character or hidden line break in the file",
    "E020": "duplicate key",
    "E030": "wrong type",
    "E031": "empty text",
    "E032": "text too long",
    "E033": "text not in the required form",
    "E034": "number out of range",
    "E035": "list too short",
    "E036": "list or mapping too long",
    "E037": "invalid name as a key",
    "E040": "unknown key",
    "E041": "missing required key",
    "E042": "evidence need without `all` or `count`",
    "E043": "an intent library, not a scenario",
    "E044": "a conversation test, not a scenario",
    "E050": "bad placeholder",
    "E051": "control character written as an escape",
    "E052": "line break or invisible character in text",
    "E060": "pattern does not parse, or unknown word set",
    "E061": "unknown marker",
    "E062": "pattern too costly to match",
    "E070": "verdict thresholds out of order",
    "E071": "duplicate question or concern id",
    "E072": "unknown question id in `goto` or `during`",
    "E073": "answer for an unknown intent",
    "E074": "answer for a standard intent that is not a question",
    "E075": "clue names an unknown concern",
    "E076": "reserved question id",
    "E077": "unknown evidence group",
    "E078": "count larger than the number of groups",
    "E079": "concern source and keys do not fit",
    "E080": "unknown fact in `when_fact`",
}


def lint(program: Program | m.Scenario) -> list[Diagnostic]:
    """Every lint diagnostic for a loaded scenario or its compiled program, in file order."""
    if isinstance(program, m.Scenario):
        program = compile_scenario(program)
    found = [*_flow(program), *_patterns(program), *_intents(program), *_concerns(program)]
    found += [*_regexes(program), *_loops(program), *_word_sets(program)]
    return sorted(found, key=lambda d: (d.span.path, d.span.line, d.span.col, d.code))


def _diag(code: str, span: Span, message: str, hint: str) -> Diagnostic:
    return Diagnostic(span, code, message, hint, BY_CODE[code].severity)


# ---- pattern facts ------------------------------------------------------------------------


def _contains_run(part: tuple[Element, ...], run: tuple[Element, ...]) -> bool:
    n = len(run)
    return any(part[i : i + n] == run for i in range(len(part) - n + 1))


def covers(earlier: Pattern, later: Pattern) -> bool:
    """True when `earlier` surely matches every line `later` matches (conservative)."""
    if matches_everything(earlier) or earlier.parts == later.parts:
        return True
    # each part of `earlier` is plain words found, in a row, among the items of a part of `later`
    for part in earlier.parts:
        if not all(isinstance(el, Word) for el in part):
            return False
        if not any(_contains_run(lp, part) for lp in later.parts):
            return False
    return True


def _shape(items: Sequence[Element]) -> str:
    """The items written out canonically: equal for equal items (a word set by its name)."""
    out = []
    for el in items:
        if isinstance(el, (Word, Number)):
            out.append(el.key)
        elif isinstance(el, Gap):
            out.append(f"*{el.most or ''}")
        elif isinstance(el, Opt):
            out.append(f"[{_shape(el.body)}]")
        elif el.name:
            out.append(f"@{el.name}")
        else:
            out.append("(" + "|".join(_shape(o) for o in el.options) + ")")
    return " ".join(out)


NEVER = 1 << 62  # no rule
MULTI_CAP = 64  # earlier `a & b` rules compared with each pattern (W102's one cap)


class _Covering:
    """Which rule of a question first covers a pattern (W102), through an index of all the
    question's patterns instead of a comparison of every pair: catch-alls; identical patterns,
    by their shape; and plain word runs found inside the pattern by an Aho-Corasick automaton
    over words (each node knows the earliest rule whose run ends there), so a pattern costs
    steps in proportion to its length. Earlier `a & b` rules are compared one by one, the first
    MULTI_CAP of them."""

    def __init__(self, rules: Sequence[m.Rule]) -> None:
        self.everything = NEVER
        self.shapes: dict[str, int] = {}
        self.multi: list[tuple[int, Pattern]] = []
        self.goto: list[dict[str, int]] = [{}]
        ends = [NEVER]
        for i, rule in enumerate(rules):
            for pat in rule.patterns:
                p = pat.pattern
                if matches_everything(p):
                    self.everything = min(self.everything, i)
                self.shapes.setdefault(" & ".join(_shape(part) for part in p.parts), i)
                if not all(all(isinstance(el, Word) for el in part) for part in p.parts):
                    continue
                if len(p.parts) > 1:
                    self.multi.append((i, p))
                    continue
                node = 0
                for el in p.parts[0]:
                    nxt = self.goto[node].get(el.key)  # type: ignore[union-attr]
                    if nxt is None:
                        nxt = self.goto[node][el.key] = len(self.goto)  # type: ignore[union-attr]
                        self.goto.append({})
                        ends.append(NEVER)
                    node = nxt
                ends[node] = min(ends[node], i)
        # failure links, breadth first; `first[n]`: the earliest rule of any run ending at n
        self.fail = [0] * len(self.goto)
        self.first = ends[:]
        queue = list(self.goto[0].values())
        for node in queue:
            for key, child in self.goto[node].items():
                f = self.fail[node]
                while f and key not in self.goto[f]:
                    f = self.fail[f]
                self.fail[child] = self.goto[f][key] if node and key in self.goto[f] else 0
                self.first[child] = min(ends[child], self.first[self.fail[child]])
                queue.append(child)

    def runs(self, p: Pattern) -> int:
        """The earliest rule with a plain word run found, in a row, in a part of `p`."""
        best = NEVER
        for part in p.parts:
            node = 0
            for el in part:
                if not isinstance(el, Word):
                    node = 0
                    continue
                while node and el.key not in self.goto[node]:
                    node = self.fail[node]
                node = self.goto[node].get(el.key, 0)
                best = min(best, self.first[node])
        return best

    def earliest(self, p: Pattern, before: int) -> int | None:
        """The first rule before rule `before` with a pattern that covers `p` (see `covers`)."""
        shape = " & ".join(_shape(part) for part in p.parts)
        best = min(self.everything, self.shapes.get(shape, NEVER), self.runs(p))
        for i, e in self.multi[:MULTI_CAP]:
            if i >= min(best, before):
                break
            if covers(e, p):
                best = i
                break
        return best if best < before else None


def _rules(q: m.Question) -> Iterator[Diagnostic]:
    index = _Covering(q.rules)
    for j, rule in enumerate(q.rules):
        found: list[int] = []
        for p in rule.patterns:
            by = index.earliest(p.pattern, j)
            if by is None:
                break
            found.append(by)
        else:
            if not found:
                continue
            first = q.rules[min(found)]
            yield _diag(
                "W102",
                rule.span,
                f"rule {j + 1} of question {q.id!r} ({rule.patterns[0].source!r}) never fires",
                f"rule {min(found) + 1} at line {first.span.line} matches everything it does; "
                "put the more specific rule first",
            )


# ---- patterns -----------------------------------------------------------------------------


def _all_patterns(program: Program) -> Iterator[tuple[str, m.Pat]]:
    sc = program.scenario
    for intent in sc.intents:
        for p in intent.patterns:
            yield f"intent {intent.id!r}", p
    for name, pats in sc.markers:
        for p in pats:
            yield f"marker {name!r}", p
    for q in sc.flow.questions:
        for p in q.rubric.topic:
            yield f"the rubric topic of question {q.id!r}", p
    names = {"trigger": "a trigger", "worsened_by": "worsened_by", "theme": "the theme"}
    names["about"] = "about"
    names["counter"] = names["theme"]
    for c in sc.concerns:
        for kind, group, p in c.patterns():
            where = f"evidence group {group!r}" if group else names[kind]
            yield f"{where} of concern {c.id!r}", p


def _patterns(program: Program) -> Iterator[Diagnostic]:
    path = program.scenario.path
    for where, p in _all_patterns(program):
        if p.span.path == path and matches_everything(p.pattern):
            yield _diag(
                "W103",
                p.span,
                f"pattern {p.source!r} in {where} matches every line",
                "it has only gaps and optional parts; add a word it must find",
            )
    for q in program.scenario.flow.questions:
        yield from _rules(q)


# ---- intents ------------------------------------------------------------------------------


EXAMPLE_WORK = 2_000_000  # steps W108 may spend classifying examples: about half a second


def _intents(program: Program) -> Iterator[Diagnostic]:
    sc = program.scenario
    heard = program.listened_for
    for intent in sc.intents:
        if intent.span.path != sc.path:
            continue
        if intent.id not in heard:
            yield _diag(
                "W104",
                intent.span,
                f"intent {intent.id!r} is never listened for",
                f"add an answer `{intent.id}:` under candidate_questions.answers, or remove it",
            )
    yield from _unanswered(program)
    examples = [(i, e, normalize(e)) for i in sc.intents for e in i.examples]
    per_line = _per_line(sc, [utt for _, _, utt in examples])
    # a library intent's example is reported only when a pattern of this file takes it: when
    # none of them matches, classifying it against every pattern cannot find anything
    own = [p.pattern for i in sc.intents for p in i.patterns if p.span.path == sc.path]
    todo: list[tuple[m.Intent, str, Utterance]] = []
    work = 0
    for intent, example, utt in examples:
        work += per_line + line_cost(utt)
        if work > EXAMPLE_WORK:
            break  # the rest are not checked (docs/diagnostics.md, W108)
        if intent.span.path != sc.path and all(p.match(utt) is None for p in own):
            continue
        todo.append((intent, example, utt))
    classify = _Examples(sc.intents, [utt for _, _, utt in todo]).classify
    for intent, example, utt in todo:
        match = classify(utt)
        if match is not None and match.intent == intent.id:
            continue
        if match is not None and match.source.path == sc.path:
            span = match.source  # a pattern of this file takes it
        elif intent.span.path == sc.path:
            span = intent.span
        else:
            continue  # the library's own examples are tested with the library
        got = f"intent {match.intent!r} (pattern {match.pattern!r})" if match else "nothing"
        yield _diag(
            "W108",
            span,
            f"example {example!r} of intent {intent.id!r} is understood as {got}",
            f"add a pattern to {intent.id!r} that matches it, with a higher score",
        )


class _Examples:
    """`Program.classify` with every intent allowed, for a few lines known in advance (W108's
    examples), without compiling and ranking all the library's ~370 intent patterns (about 15
    ms of `closer validate`): a library pattern still waiting to be compiled is left out when
    its text shows it needs a word that none of the lines holds (`could_match`: then it cannot
    match any of them); the rest are ranked as `classify` ranks them (score, priority, file
    order), and the first that matches wins, as there."""

    def __init__(self, intents: Sequence[m.Intent], lines: Sequence[Utterance]) -> None:
        where = key_lines(lines)
        entries = [
            Ranked(intent.id, pat.pattern, intent, i)
            for intent in intents
            for i, pat in enumerate(intent.patterns)
            if pat.compiled or (lines and could_match(pat.source, where))
        ]
        # as `rank` sorts them: a stable sort keeps file order among equals
        entries.sort(key=lambda r: -(r.pattern.score * 256 + r.intent.priority))
        self.ranked = entries

    def classify(self, utt: Utterance) -> IntentMatch | None:
        for r in self.ranked:
            if r.pattern.match(utt) is not None:
                return r.found()
        return None


def _per_line(sc: m.Scenario, examples: Sequence[Utterance] | None = None) -> int:
    """What the intents' patterns cost a line, with their placing (W108's budget). While the
    library's patterns wait to be compiled, and the bound the loader read from their text
    (`Pat.waiting`) shows the examples cannot spend EXAMPLE_WORK, that bound is as good (the
    budget is not reached either way): a bound, never less. `examples`: the intents' examples,
    normalised (else they are normalised here)."""
    pats = [p for i in sc.intents for p in i.patterns]
    waiting = max((p.waiting for p in pats if not p.compiled), default=0)
    if waiting:
        placed: set[object] = set()
        most = waiting + sum(
            p.pattern.cost + placing(p.pattern, placed) for p in pats if p.compiled
        )
        if examples is None:
            examples = [normalize(e) for i in sc.intents for e in i.examples]
        if most * len(examples) + sum(map(line_cost, examples)) <= EXAMPLE_WORK:
            return most
    placed = set()
    return sum(p.pattern.cost + placing(p.pattern, placed) for p in pats)


def _unanswered(program: Program) -> Iterator[Diagnostic]:
    """W105 for each core candidate question with no answer; one W112 naming the common ones."""
    answers = program.answers
    sc = program.scenario
    answer_span = sc.flow.answers[0].span if sc.flow.answers else Span(sc.path, 1, 1)
    for name in m.CORE_QUESTIONS:
        if name not in answers:
            yield _diag(
                "W105",
                answer_span,
                f"no answer for the candidate question {name!r}",
                f"add `{name}:` under candidate_questions.answers; until then the interviewer "
                "says the unknown_question line",
            )
    missing = [name for name in m.COMMON_QUESTIONS if name not in answers]
    if missing:
        yield _diag(
            "W112",
            dict(sc.flow.spans).get("candidate_questions", answer_span),
            f"no answer for {len(missing)} common candidate question"
            f"{'s' if len(missing) > 1 else ''}: {', '.join(missing)}",
            "add an answer under candidate_questions.answers for each (pay can be a polite "
            "deflection); until then the interviewer says the unknown_question line",
        )


# ---- concerns -----------------------------------------------------------------------------


def _concerns(program: Program) -> Iterator[Diagnostic]:
    sc = program.scenario
    facts = dict(sc.candidate.facts)
    reached = _reach([program.order[0]], _graph(program))
    for c in sc.concerns:
        if c.when_fact is not None and c.when_fact in facts and not facts[c.when_fact]:
            yield _diag(
                "W106",
                c.span,
                f"concern {c.id!r} is never raised: fact {c.when_fact!r} is {facts[c.when_fact]!r}",
                f"set `{c.when_fact}: true` under candidate.facts, or remove when_fact",
            )
        elif c.during and c.source != "background" and not set(c.during) & reached:
            yield _diag(
                "W106",
                c.span,
                f"concern {c.id!r} is never raised: no question in its during "
                f"({', '.join(c.during)}) is ever asked",
                "list a question that is asked, or fix the rules that skip them",
            )
        needed = set(c.resolve.all) | set(c.partial.all)
        if not (c.resolve.at_least or c.partial.at_least):
            for g in c.groups:
                if g.id not in needed and g.patterns:
                    yield _diag(
                        "W107",
                        g.patterns[0].span,
                        f"evidence group {g.id!r} of concern {c.id!r} is never needed",
                        "add it to resolve/partial `all`, use `count`, or remove it",
                    )


# ---- patterns written as something else ----------------------------------------------------

# Regular-expression syntax that the pattern grammar reads as words or drops, with what to write
# instead. Only what cannot be meant as a pattern: a `?` ending a question or `c++` are fine.
_REGEX = (
    (r"\\[dDwWsSbB]", "`\\d`, `\\w`, `\\s` or `\\b`",
     "write `#` for a number, the words themselves, `*` for any words"),
    (r"\\.", "a backslash", "patterns have no escapes: write the word itself"),
    (r"\.[*+?]", "`.*`", "`*` alone matches any words"),
    (r"\{\d*,?\d+\}|\{\d+,\}", "a `{m,n}` count",
     "a word matches once; `*N` allows up to N words between two"),
    (r"(?<=[\w)\]])\+(?!\+)", "a `+` repeat",
     "a word matches once; `word*` also matches longer words"),
    (r"\(\?", "a `(?...)` group", "`(a|b)` is already a group"),
    (r"(?<=\w)\?(?=\w)", "a `?` after a letter",
     "write `[word]` for an optional word, or `(color|colour)`"),
    (r"^\s*\^|\$\s*$", "an anchor `^` or `$`", "a pattern matches anywhere in the line"),
    (r"\[\^|\[[^\]\s|]-[^\]\s|]\]", "a character class such as `[a-z]`",
     "`[word]` is an optional word here; list the words"),
)  # fmt: skip


@lru_cache(maxsize=1)
def _regex_re() -> tuple[tuple[re.Pattern[str], str, str], ...]:
    """`_REGEX` compiled, when first needed (`closer play` imports lint for `flow_errors`)."""
    return tuple((re.compile(rx), what, hint) for rx, what, hint in _REGEX)


# every construct of `_REGEX` holds one of these, or a `-` inside a `[`
_REGEX_CHARS = frozenset("\\.{+?^$")


def regex_syntax(source: str) -> tuple[str, str] | None:
    """The first regular-expression construct in a pattern's source and what to write instead,
    or None (at once when it holds none of `_REGEX_CHARS`: most do not, and then the
    expressions are not even compiled)."""
    if _REGEX_CHARS.isdisjoint(source) and not ("[" in source and "-" in source):
        return None
    return _regex_scan(source)


def _regex_scan(source: str) -> tuple[str, str] | None:
    """`regex_syntax`, trying every expression."""
    for rx, what, hint in _regex_re():
        if rx.search(source):
            return what, hint
    return None


def _written_patterns(program: Program) -> Iterator[tuple[str, str, Span]]:
    """Every pattern this file writes, rules' and word-set entries' included: (whose, source,
    where)."""
    sc = program.scenario
    for where, p in _all_patterns(program):
        if p.span.path == sc.path:
            yield where, p.source, p.span
    for q in sc.flow.questions:
        for j, rule in enumerate(q.rules):
            for p in rule.patterns:
                yield f"rule {j + 1} of question {q.id!r}", p.source, p.span
    for ws in sc.word_sets:
        for entry, span in ws.entries:
            yield f"word set @{ws.name}", entry, span


def _regexes(program: Program) -> Iterator[Diagnostic]:
    for where, source, span in _written_patterns(program):
        found = regex_syntax(source)
        if found is not None:
            what, hint = found
            message = f"pattern {source!r} in {where} is written like a regular expression ({what})"
            yield _diag("W109", span, message, hint + "; see the pattern grammar")


# ---- a question that comes back to itself ----------------------------------------------------

# Ordinary answers to interview questions, of every length and field: a rule that sends its
# question back to itself on more than half of them traps most players (W110). A rule meant to
# repeat the question ("say that again") takes none of them.
SAMPLE_ANSWERS = (
    "Yes.", "No, not really.", "Sure.", "I think so.", "I'm not sure.", "Good, thanks.",
    "Five years.", "About three years, mostly backend work.", "I led a team of four engineers.",
    "We moved our services to Kubernetes last year.", "Mostly Python, some Go.",
    "I prefer working closely with a small team.", "Communication is my biggest strength.",
    "I would say I'm organised and calm under pressure.",
    "It was a hard project but we shipped it on time.",
    "We cut the error rate by half in six months.", "I left because the company was acquired.",
    "The contract ended.", "My manager would call me reliable.",
    "I usually start by talking to the people involved.",
    "I wrote the tests first and then refactored.", "Honestly, I learned a lot from that mistake.",
    "We had an outage once and I ran the incident.", "I was on call one week in four.",
    "I'd like to grow into a lead role.", "Because the work here looks interesting.",
    "I've read about your product and I like it.", "Customers kept asking for it, so we built it.",
    "I handled the front desk and the scheduling.", "Patients trust me, and the doctors do too.",
    "I am happy to work weekends when needed.", "That depends on the team.",
    "Let me think. Probably the migration.", "Nothing comes to mind right now.",
    "Teaching new hires, mostly.", "Budgets, hiring and planning.",
    "In retail, then in an office.", "We sold to small businesses.", "Fine.", "Okay.",
)  # fmt: skip


def _loops(program: Program) -> Iterator[Diagnostic]:
    samples: list[tuple[str, Utterance]] | None = None
    for q in program.scenario.flow.questions:
        if not any(r.goto == q.id and not always_matches(r) for r in q.rules):
            continue  # an always-matching one is E101
        if samples is None:
            samples = [(a, normalize(a)) for a in SAMPLE_ANSWERS]
        caught: dict[int, list[str]] = {}
        for answer, utt in samples:
            for j, rule in enumerate(q.rules):  # the first rule that matches wins
                if any(p.pattern.match(utt) for p in rule.patterns):
                    if rule.goto == q.id:
                        caught.setdefault(j, []).append(answer)
                    break
        for j, answers in caught.items():
            rule = q.rules[j]
            if always_matches(rule) or 2 * len(answers) <= len(samples):
                continue
            yield _diag(
                "W110",
                rule.goto_span or rule.span,
                f"question {q.id!r} comes back to itself on most answers: rule {j + 1} "
                f"({rule.patterns[0].source!r}) takes {len(answers)} of {len(samples)} ordinary "
                f"answers, such as {answers[0]!r}",
                "give the rule words that only the answers you mean contain, or point its goto "
                "at another question",
            )


# ---- word sets -------------------------------------------------------------------------------


def _sets_used(items: tuple[Element, ...], found: set[str]) -> None:
    """Add the names of the word sets `items` use (a set's own entries use no other set)."""
    for el in items:
        if isinstance(el, Alt) and el.name:
            found.add(el.name)
        elif isinstance(el, Alt):
            for option in el.options:
                _sets_used(option, found)
        elif isinstance(el, Opt):
            _sets_used(el.body, found)


def _every_pattern(program: Program) -> Iterator[m.Pat]:
    yield from (p for _, p in _all_patterns(program))
    for q in program.scenario.flow.questions:
        for rule in q.rules:
            yield from rule.patterns


def _users(program: Program) -> dict[str, list[m.Pat]]:
    """The patterns that use each word set, in one pass over every pattern."""
    found: dict[str, list[m.Pat]] = {}
    for p in _every_pattern(program):
        names: set[str] = set()
        for part in p.pattern.parts:
            _sets_used(part, names)
        for name in names:
            found.setdefault(name, []).append(p)
    return found


def _word_sets(program: Program) -> Iterator[Diagnostic]:
    sc = program.scenario
    by_set: dict[str, list[m.Pat]] | None = None  # worked out once, if an entry needs it
    for ws in sc.word_sets:
        for entry, span in ws.entries:
            try:
                if not matches_everything(compile_pattern(entry)):
                    continue
            except PatternError:  # pragma: no cover - a file with E060 never reaches the lint
                continue
            if by_set is None:
                by_set = _users(program)
            users = by_set.get(ws.name, [])
            shared = sum(1 for p in users if p.span.path != sc.path)
            mine = len(users) - shared
            counts = ", ".join(
                f"{n} {where}"
                for n, where in ((shared, "in the shared library"), (mine, "in this file"))
                if n
            )
            yield _diag(
                "W111",
                span,
                f"entry {entry!r} of word set @{ws.name} matches every line",
                f"every pattern that uses @{ws.name} ({counts or 'none yet'}) matches there "
                "without a word; give the entry a word it must find",
            )
