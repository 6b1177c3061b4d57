"""Conversation tests as data: load a `*.test.yaml` file, check its names against the compiled
scenario, and run its cases through a `Session`. Pure: the CLI reads the files and resolves the
scenarios; this module takes text and compiled programs and returns values.

A test file (format in docs/testing.md):

    closer_test: 1
    scenario: ledgerline
    cases:
      - name: ...
        steps:
          - say: "..."
            reply: "..."   # and intent, state, phase, cue, concerns, events
        expect: {verdict: advance}

Error codes T001-T013 are this module's, T011 the CLI's (docs/testing.md); reading and structural
problems reuse the scenario format's E030-E041 from `closer.engine.format.schema`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from closer.engine.errors import Diagnostic, ScenarioError, Span, suggest
from closer.engine.format import model as m
from closer.engine.format.schema import (
    JSON,
    JSON_SCHEMA_DIALECT,
    NAME,
    TEXT,
    Bool,
    Either,
    F,
    Int,
    ListOf,
    MapOf,
    Rec,
    Report,
    Scalar,
    Str,
    T,
    _wrong,
)
from closer.engine.format.source import Y, parse
from closer.engine.runtime.events import (
    AssessEvent,
    ConcernEvent,
    CueEvent,
    Event,
    IntentEvent,
    VerdictEvent,
    interviewer_says,
)
from closer.engine.runtime.program import CQ, Program
from closer.engine.runtime.session import Session, SessionState

FORMAT = 1
STATUSES = m.STATUSES
CUES = (*m.CUE_KINDS, "none")
ENDS = ("eof", "quit")  # how a case may end; "completed" happens by itself
VERDICTS = m.OUTCOMES
MAX_REGEX = 200
_NESTED = re.compile(r"\([^()]*[*+}][^()]*\)\s*[*+{]")  # (a+)+ : backtracking that can hang


# a player may paste a long line: no per-line limit (the file's size bounds it)


# ---- schema ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class OrNull(T):
    """A value of `inner`, or null."""

    inner: T

    def check(self, y: Y, report: Report) -> None:
        if y.v is not None:
            self.inner.check(y, report)

    def describe(self) -> str:
        return f"{self.inner.describe()} or null"

    def to_json_schema(self) -> JSON:
        return {"anyOf": [self.inner.to_json_schema(), {"type": "null"}]}


@dataclass(frozen=True, eq=False, repr=False)
class Reply(T):
    """A whole reply (text), its lines (a list, possibly empty) or a matcher mapping."""

    matcher: Rec

    def check(self, y: Y, report: Report) -> None:
        if isinstance(y.v, dict):
            self.matcher.check(y, report)
            if len(y.v) != 1:
                report(
                    Diagnostic(
                        y.span, "T010", "a reply matcher needs exactly one of contains, regex, any"
                    )
                )
        elif isinstance(y.v, list):
            for item in y.v:
                if not isinstance(item.v, str):
                    _wrong(item, "a line of text", report)
        elif not isinstance(y.v, str):
            _wrong(y, self.describe(), report)

    def describe(self) -> str:
        return "a text, a list of lines, or {contains|regex|any: ...}"

    def to_json_schema(self) -> JSON:
        matcher = self.matcher.to_json_schema()
        matcher.update(minProperties=1, maxProperties=1)
        return {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}},
                matcher,
            ]
        }


def _choice(*words: str) -> Str:
    return Str(re.compile("^(" + "|".join(words) + ")$"), " or ".join(words))


STATUS = Str(what="a concern status")
CONCERNS = MapOf(STATUS)
REPLY = Reply(
    Rec(
        "reply",
        {
            "contains": F(TEXT, doc="text the reply must contain"),
            "regex": F(TEXT, doc="a regular expression searched in the reply"),
            "any": F(
                ListOf(Str(what="a reply", max_len=None), min=1), doc="the reply is one of these"
            ),
        },
    )
)
ASSESS = Rec(
    "assess",
    {
        "question": F(NAME, doc="the question the answer was judged for"),
        "shows": F(ListOf(_choice(*m.QUALITIES)), doc="qualities heard (each; [] none)"),
        "lacks": F(ListOf(_choice(*m.QUALITIES)), doc="wanted and not heard (each; [] none)"),
        "flags": F(ListOf(_choice(*m.FLAGS)), doc="what counted against it (each; [] none)"),
    },
)
STEP = Rec(
    "step",
    {
        "say": F(
            Str(what="what the candidate says", max_len=None), True, "what the candidate says"
        ),
        "reply": F(REPLY),
        "intent": F(OrNull(NAME)),
        "state": F(NAME),
        "phase": F(NAME),
        "cue": F(_choice(*CUES)),
        "concerns": F(CONCERNS),
        "events": F(ListOf(Rec("event", {"concern": F(NAME, True), "status": F(NAME, True)}))),
        "assess": F(OrNull(ASSESS)),
    },
)
SCORE = Rec("score", {"min": F(Int(0, 100)), "max": F(Int(0, 100))})
DEBRIEF = Rec(
    "debrief",
    {
        "asked": F(Bool()),
        "turn": F(OrNull(Int(0, 10_000))),
        "premature": F(Int(0, 10_000)),
        "full_form": F(Bool()),
        "probed": F(OrNull(Bool())),
        "anything_else": F(Bool()),
        "weak_forms": F(Int(0, 10_000)),
        "never_heard": F(ListOf(NAME)),
        "preempted": F(ListOf(NAME)),
        "left_early": F(Bool()),
        "quotes": F(ListOf(Str(what="words the debrief quotes", max_len=None), min=1)),
    },
)
EXPECT = Rec(
    "expect",
    {
        "verdict": F(_choice(*VERDICTS)),
        "score": F(Either(Int(0, 100), SCORE)),
        "concerns": F(CONCERNS),
        "debrief": F(DEBRIEF),
    },
)
SEED = Int(0, 2**31 - 1)
CASE = Rec(
    "case",
    {
        "name": F(TEXT, True, "a name, unique in the file"),
        "scenario": F(TEXT),
        "seed": F(SEED),
        "facts": F(MapOf(Scalar())),
        "start": F(NAME),
        "drill": F(Bool()),
        "steps": F(OrNull(ListOf(STEP)), True, "the candidate's lines (may be empty)"),
        "end": F(_choice(*ENDS)),
        "expect": F(EXPECT),
    },
)
TEST_FILE = Rec(
    "test file",
    {
        "closer_test": F(Int(FORMAT, FORMAT), True, "the format version: `closer_test: 1`"),
        "scenario": F(TEXT, True, "a shipped scenario id, or a path relative to this file"),
        "seed": F(SEED),
        "cases": F(ListOf(CASE, min=1), True),
    },
)


def json_schema() -> JSON:
    """The test-file format as a JSON Schema document (structure only, like `closer schema`)."""
    body = TEST_FILE.to_json_schema()
    body.pop("title", None)
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": "urn:closer:schema:test:1",
        "title": "Closer conversation test, format 1",
        "description": "A *.test.yaml file: see docs/testing.md. `closer test` also checks names"
        " against the scenario (intents, states, concerns, facts) and status expressions.",
        **body,
    }


# ---- the loaded test ---------------------------------------------------------------------


class Check(NamedTuple):
    """One expectation: `key` (reply, intent, concerns.tenure ...) written at `span`."""

    key: str
    value: Any
    span: Span
    key_span: Span | None = None  # for `concerns.ID`: where the concern id is written


class Step(NamedTuple):
    say: str
    span: Span  # of the `say` value
    checks: tuple[Check, ...]


class Case(NamedTuple):
    name: str
    span: Span
    scenario: str
    scenario_span: Span
    seed: int
    facts: tuple[tuple[str, m.Fact], ...]
    facts_spans: tuple[tuple[str, Span], ...]
    start: str | None
    start_span: Span | None
    steps: tuple[Step, ...]
    end: str
    expect: tuple[Check, ...]
    drill: bool = False  # a closing drill (`Session.drill`), as `closer play --drill` records


class CaseFile(NamedTuple):
    """A loaded test file: its default scenario and its cases."""

    path: str
    scenario: str
    cases: tuple[Case, ...]

    def refs(self) -> dict[str, Span]:
        """Every scenario this file names, with where it is first named."""
        out: dict[str, Span] = {}
        for c in self.cases:
            out.setdefault(c.scenario, c.scenario_span)
        return out


def load_tests(text: str, path: str) -> CaseFile:
    """Parse and check the structure of a test file (raises ScenarioError with every problem)."""
    root = parse(text, path)
    if isinstance(root.v, dict) and "closer" in root.v and "closer_test" not in root.v:
        raise ScenarioError(
            [
                Diagnostic(
                    root.span, "T012", "this is a scenario, not a test file", "see docs/testing.md"
                )
            ]
        )
    found: list[Diagnostic] = []
    TEST_FILE.check(root, found.append)
    if found:
        raise ScenarioError(found)
    default_ref = root.v["scenario"]
    default_seed = root.v["seed"].v if "seed" in root.v else 1
    cases = []
    names: dict[str, Span] = {}
    for cy in root.v["cases"].v:
        case = _case(cy, default_ref, default_seed, found.append)
        if case.name in names:
            found.append(
                Diagnostic(
                    cy.v["name"].span,
                    "T008",
                    f"duplicate case name {case.name!r}",
                    f"first used at line {names[case.name].line}",
                )
            )
        names.setdefault(case.name, case.span)
        cases.append(case)
    if found:
        raise ScenarioError(found)
    return CaseFile(path, str(default_ref.v), tuple(cases))


def _case(y: Y, ref: Y, seed: int, report: Report) -> Case:
    v = y.v
    ref = v.get("scenario", ref)
    facts = v.get("facts")
    start = v.get("start")
    steps = tuple(_step(s, report) for s in v["steps"].v or ())
    expect = _checks(v["expect"], report) if "expect" in v else ()
    return Case(
        name=str(v["name"].v),
        span=v["name"].span,
        scenario=str(ref.v),
        scenario_span=ref.span,
        seed=v["seed"].v if "seed" in v else seed,
        facts=tuple((k, f.v) for k, f in facts.items()) if facts else (),
        facts_spans=tuple(facts.key_spans.items()) if facts else (),
        start=start.v if start else None,
        start_span=start.span if start else None,
        steps=steps,
        end=v["end"].v if "end" in v else "eof",
        expect=expect,
        drill="drill" in v and v["drill"].v is True,
    )


def _step(y: Y, report: Report) -> Step:
    say = y.v["say"]
    return Step(str(say.v), say.span, _checks(y, report, skip=("say",)))


def _checks(y: Y, report: Report, skip: tuple[str, ...] = ()) -> tuple[Check, ...]:
    """Flatten a step or an expect mapping into checks; mappings of names become `key.name`."""
    out: list[Check] = []
    for key, val in y.items():
        if key in skip:
            continue
        if key == "concerns":
            out += [Check(f"concerns.{c}", s.v, s.span, val.key_spans[c]) for c, s in val.items()]
        elif key == "debrief":
            out += [Check(f"debrief.{k}", _plain(d), d.span) for k, d in val.items()]
        elif key == "score":
            lo, hi = (val.v, val.v) if isinstance(val.v, int) else _range(val, report)
            out.append(Check("score", (lo, hi), val.span))
        elif key == "reply":
            out.append(Check("reply", _reply(val, report), val.span))
        else:
            out.append(Check(key, _plain(val), val.span))
    return tuple(out)


def _range(y: Y, report: Report) -> tuple[int, int]:
    lo = y.v["min"].v if "min" in y.v else 0
    hi = y.v["max"].v if "max" in y.v else 100
    if lo > hi:
        report(Diagnostic(y.span, "T013", f"score min {lo} is above max {hi}"))
    return lo, hi


def _reply(y: Y, report: Report) -> tuple[str, Any]:
    if isinstance(y.v, str):
        return ("text", y.v)
    if isinstance(y.v, list):
        return ("lines", tuple(i.v for i in y.v))
    kind, val = next(iter(y.v.items()))
    if kind == "regex":
        pattern = str(val.v)
        problem = ""
        if len(pattern) > MAX_REGEX:
            problem = f"regex longer than {MAX_REGEX} characters"
        elif _NESTED.search(pattern):
            problem = "nested repetition like (a+)+ can take forever; simplify the regex"
        else:
            try:
                return ("regex", re.compile(pattern, re.S))
            except re.error as e:
                problem = f"invalid regex: {e}"
        report(Diagnostic(val.span, "T009", problem))
        return ("regex", re.compile(""))
    if kind == "any":
        return ("any", tuple(i.v for i in val.v))
    return (kind, val.v)


def _plain(y: Y) -> Any:
    if isinstance(y.v, list):
        return [_plain(i) for i in y.v]
    if isinstance(y.v, dict):
        return {k: _plain(v) for k, v in y.v.items()}
    return y.v


# ---- checking names against the scenario ------------------------------------------------


def _status_ok(expr: str) -> tuple[bool, str, str]:
    """(valid, negated?, word) for a concern status expression."""
    words = expr.split()
    neg = len(words) == 2 and words[0] == "not"
    word = words[-1] if words else ""
    valid = len(words) == 1 + neg and (word in STATUSES or word == "hidden")
    return valid, "not" if neg else "", word


def check_tests(tests: CaseFile, programs: Mapping[str, Program]) -> list[Diagnostic]:
    """Every name in the file that the scenario does not know, located, with a suggestion."""
    out: list[Diagnostic] = []
    for case in tests.cases:
        program = programs[case.scenario]
        out += _check_case(case, program)
    return sorted(dict.fromkeys(out), key=lambda d: (d.span.line, d.span.col))


def _check_case(case: Case, program: Program) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    intents = [i.id for i in program.intents]
    states = list(program.machine.states)
    concerns = [c.id for c in program.concerns]
    facts = dict(program.scenario.candidate.facts)

    def unknown(span: Span, code: str, what: str, name: str, known: Iterable[str]) -> None:
        names = list(known)
        listed = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
        hint = suggest(name, names) or f"known: {listed}"
        out.append(Diagnostic(span, code, f"unknown {what} {name!r}", hint))

    for name, span in case.facts_spans:
        if name not in facts:
            unknown(span, "T006", "fact", name, facts)
    if case.start is not None and case.start_span is not None:
        starts = [*program.order, CQ]
        if case.start not in starts:
            unknown(case.start_span, "T007", "start state", case.start, starts)
        elif case.drill:
            why = "a drill starts at the candidate's questions; leave out `start:`"
            out.append(Diagnostic(case.start_span, "T007", "`start:` with `drill: true`", why))
    checks = [c for s in case.steps for c in s.checks] + list(case.expect)
    for c in checks:
        key, _, sub = c.key.partition(".")
        if key == "intent" and c.value is not None and c.value not in intents:
            unknown(c.span, "T001", "intent", c.value, intents)
        elif key == "state" and c.value not in states:
            unknown(c.span, "T002", "state", c.value, states)
        elif key == "phase" and c.value not in m.PHASES:
            unknown(c.span, "T003", "phase", c.value, m.PHASES)
        elif key == "concerns":
            if sub not in concerns:
                unknown(c.key_span or c.span, "T004", "concern", sub, concerns)
            if not _status_ok(str(c.value))[0]:
                word = str(c.value).split()[-1] if str(c.value).split() else ""
                hint = suggest(word, (*STATUSES, "hidden"))
                out.append(
                    Diagnostic(
                        c.span,
                        "T005",
                        f"{c.value!r} is not a concern status",
                        hint or "a status, `not <status>`, `hidden` or `not revealed`",
                    )
                )
        elif key == "events":
            for e in c.value:
                if e["concern"] not in concerns:
                    unknown(c.span, "T004", "concern", e["concern"], concerns)
                if e["status"] not in STATUSES:
                    unknown(c.span, "T005", "status", e["status"], STATUSES)
        elif key == "assess" and c.value and c.value.get("question") not in (None, *program.order):
            unknown(c.span, "T002", "question", c.value["question"], program.order)
        elif key == "debrief" and sub in ("never_heard", "preempted"):
            for cid in c.value:
                if cid not in concerns:
                    unknown(c.span, "T004", "concern", cid, concerns)
    return out


# ---- running -----------------------------------------------------------------------------


class Mismatch(NamedTuple):
    key: str
    span: Span
    expected: str
    actual: str


class StepResult(NamedTuple):
    position: int  # 0-based
    step: Step | None  # None for the checks after the end
    events: tuple[Event, ...]
    mismatches: tuple[Mismatch, ...]


@dataclass(frozen=True)
class CaseResult:
    case: Case
    steps: tuple[StepResult, ...]
    events: tuple[Event, ...]  # the whole transcript, opening first
    edges: tuple[tuple[str, str, str], ...]  # the machine edges taken, in order
    start: str  # the state the conversation started in

    @property
    def failure(self) -> StepResult | None:
        return next((s for s in self.steps if s.mismatches), None)

    @property
    def passed(self) -> bool:
        return self.failure is None


def run_case(case: Case, program: Program) -> CaseResult:
    """Play a case; stop at the first step whose expectations are not met."""
    if case.drill:
        session, opening = Session.drill(program, case.seed, dict(case.facts))
    else:
        session, opening = Session.start(program, case.seed, dict(case.facts), case.start)
    start = session.st.state  # moves to a `start` state are the case's set-up, not coverage
    taken: list[tuple[str, str, str]] = []
    events = list(opening.events)
    results: list[StepResult] = []
    for i, step in enumerate(case.steps):
        if session.ended:
            miss = Mismatch("say", step.span, "the interview still going", "it had ended")
            results.append(StepResult(i, step, (), (miss,)))
            break
        turn = session.turn(step.say)
        events += turn.events
        taken += turn.moves
        bad = tuple(_check_step(step.checks, turn.events, session, program))
        results.append(StepResult(i, step, turn.events, bad))
        if bad:
            break
    else:
        if not session.ended:
            events += session.end(case.end).events  # ending from outside moves nothing
        if case.expect:
            bad = tuple(_check_end(case.expect, events, session.state, program))
            results.append(StepResult(len(case.steps), None, (), bad))
    return CaseResult(case, tuple(results), tuple(events), tuple(taken), start)


def interviewer_lines(events: Iterable[Event]) -> list[str]:
    """What the interviewer said, in order. Cue lines (the hesitation's stage direction, the
    quick "no concerns" answer) are not among them: `cue:` checks those."""
    return [e.text for e in interviewer_says(events)]


def _q(value: Any) -> str:
    """A value as it would be written in the test file (JSON is a subset of YAML)."""
    if isinstance(value, re.Pattern):
        return f"/{value.pattern}/"
    return json.dumps(value, ensure_ascii=False)


def _check_reply(expected: tuple[str, Any], lines: list[str]) -> str | None:
    """None when the reply matches, else what was expected, in words."""
    kind, want = expected
    whole = "\n".join(lines)
    if kind == "text":
        return None if whole == want else _q(want)
    if kind == "lines":
        return None if tuple(lines) == want else _q(list(want))
    if kind == "contains":
        return None if want in whole else f"a reply containing {_q(want)}"
    if kind == "regex":
        return None if want.search(whole) else f"a reply matching {_q(want)}"
    return None if whole in want else "one of " + ", ".join(_q(w) for w in want)


def _status_matches(expr: str, status: str, level: int) -> bool:
    _, neg, word = _status_ok(expr)
    if word == "hidden":
        hit = level == 0
    elif neg and word == "revealed":
        return level < 2  # "not revealed": the specific line has not been said
    else:
        hit = status == word
    return hit != bool(neg)


def _concern_check(c: Check, st: SessionState) -> Mismatch | None:
    cid = c.key.partition(".")[2]
    cs = st.concerns[cid]
    if _status_matches(str(c.value), cs.status, cs.said):
        return None
    actual = cs.status + (" (hidden)" if cs.said == 0 else "")
    return Mismatch(c.key, c.span, str(c.value), actual)


def _check_step(
    checks: tuple[Check, ...],
    events: tuple[Event, ...],
    session: Session,
    program: Program,
) -> Iterable[Mismatch]:
    st = session.st
    lines = interviewer_lines(events)
    intent = next((e.intent for e in events if isinstance(e, IntentEvent)), None)
    cue = next((e.cue for e in events if isinstance(e, CueEvent)), "none")
    concern_events = [(e.concern, e.status) for e in events if isinstance(e, ConcernEvent)]
    actual: dict[str, Any] = {
        "intent": intent,
        "state": st.state,
        "phase": program.phase(st.state),
        "cue": cue,
    }
    for c in checks:
        if c.key == "reply":
            wanted = _check_reply(c.value, lines)
            if wanted is not None:
                got = lines if c.value[0] == "lines" else "\n".join(lines)
                yield Mismatch("reply", c.span, wanted, _q(got))
        elif c.key.startswith("concerns."):
            miss = _concern_check(c, st)
            if miss:
                yield miss
        elif c.key == "events":
            want = [(e["concern"], e["status"]) for e in c.value]
            if want != concern_events:
                yield Mismatch("events", c.span, _events(want), _events(concern_events))
        elif c.key == "assess":
            yield from _check_assess(c, events)
        elif c.key in actual and actual[c.key] != c.value:
            yield Mismatch(c.key, c.span, _q(c.value), _q(actual[c.key]))


def _check_assess(c: Check, events: tuple[Event, ...]) -> Iterable[Mismatch]:
    """`assess: null`: the turn judged no answer. A mapping: the turn's assessment is of that
    question, and its shows, lacks and flags include each listed one (`[]`: none at all)."""
    got = next((e for e in reversed(events) if isinstance(e, AssessEvent)), None)
    if c.value is None or got is None:
        if (c.value is None) != (got is None):
            actual = _q(got.to_json()) if got is not None else "no assessment"
            yield Mismatch(
                "assess", c.span, "no assessment" if c.value is None else "an assessment", actual
            )
        return
    if "question" in c.value and c.value["question"] != got.question:
        yield Mismatch("assess.question", c.span, _q(c.value["question"]), _q(got.question))
    for key in ("shows", "lacks", "flags"):
        if key not in c.value:
            continue
        want, have = c.value[key], list(getattr(got, key))
        if (not want and have) or not set(want) <= set(have):
            expected = "none" if not want else "including " + ", ".join(want)
            yield Mismatch(f"assess.{key}", c.span, expected, _q(have))


def _events(pairs: list[tuple[str, str]]) -> str:
    return "[" + ", ".join(f"{c} {s}" for c, s in pairs) + "]" if pairs else "no concern events"


def _check_end(
    checks: tuple[Check, ...], events: list[Event], st: SessionState, program: Program
) -> Iterable[Mismatch]:
    from closer.engine.tools.debrief import build_debrief

    verdict = next((e for e in reversed(events) if isinstance(e, VerdictEvent)), None)
    outcome = verdict.outcome if verdict else None
    score = verdict.score if verdict else -1
    card: dict[str, object] | None = None
    said: list[str] = []  # the debrief's quotes of the candidate
    for c in checks:
        key, _, sub = c.key.partition(".")
        if key == "verdict" and outcome != c.value:
            yield Mismatch("verdict", c.span, _q(c.value), _q(outcome))
        elif key == "score" and not c.value[0] <= score <= c.value[1]:
            lo, hi = c.value
            yield Mismatch("score", c.span, f"{lo}..{hi}" if lo != hi else str(lo), str(score))
        elif key == "concerns":
            miss = _concern_check(c, st)
            if miss:
                yield miss
        elif key == "debrief":
            if card is None:
                report = build_debrief(program, events)
                card = {
                    **report.scorecard.expectations(),
                    "never_heard": sorted(r.id for r in report.never_heard),
                    "preempted": sorted(r.id for r in report.preempted),
                    "left_early": report.left is not None,
                }
                said = sorted({q.text for q in report.quotes()})
            if sub == "quotes":  # each of these words is in some quote of the debrief
                missing = [w for w in c.value if not any(w in q for q in said)]
                if missing:
                    yield Mismatch(c.key, c.span, _q(missing), _q(said))
                continue
            got = card[sub]
            want = sorted(c.value) if sub in ("never_heard", "preempted") else c.value
            if got != want:
                yield Mismatch(c.key, c.span, _q(want), _q(got))


# ---- selecting cases ---------------------------------------------------------------------


def _either(a: Callable[[str], bool], b: Callable[[str], bool]) -> Callable[[str], bool]:
    return lambda s: a(s) or b(s)


def _both(a: Callable[[str], bool], b: Callable[[str], bool]) -> Callable[[str], bool]:
    return lambda s: a(s) and b(s)


def keyword_matcher(expr: str) -> Callable[[str], bool]:
    """A pytest-like `-k` expression: substrings (case-insensitive) with not/and/or and
    parentheses; a double-quoted substring is literal. Raises ValueError if malformed."""
    tokens: list[str] = re.findall(r'"[^"]*"|\(|\)|[^\s()"]+', expr)
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        if pos >= len(tokens):
            raise ValueError(f"-k {expr!r}: unexpected end of expression")
        pos += 1
        return tokens[pos - 1]

    def orexpr() -> Callable[[str], bool]:
        left = andexpr()
        while peek() == "or":
            take()
            a, b = left, andexpr()
            left = _either(a, b)
        return left

    def andexpr() -> Callable[[str], bool]:
        left = notexpr()
        while peek() == "and":
            take()
            a, b = left, notexpr()
            left = _both(a, b)
        return left

    def notexpr() -> Callable[[str], bool]:
        if peek() == "not":
            take()
            inner = notexpr()
            return lambda s: not inner(s)
        tok = take()
        if tok == "(":
            inner = orexpr()
            if take() != ")":
                raise ValueError(f"-k {expr!r}: missing ')'")
            return inner
        if tok in (")", "and", "or"):
            raise ValueError(f"-k {expr!r}: unexpected {tok!r}")
        if tok.startswith('"'):  # a quoted substring, taken literally: -k '"not now"'
            literal = tok[1:-1].lower()
            return lambda s: literal in s.lower()
        words = [tok]
        while peek() not in (None, "and", "or", "not", "(", ")"):
            words.append(take())  # adjacent words are one substring: -k "tenure resolved"
        word = " ".join(words).lower()
        return lambda s: word in s.lower()

    if not tokens:
        return lambda s: True
    matcher = orexpr()
    if pos != len(tokens):
        raise ValueError(f"-k {expr!r}: unexpected {tokens[pos]!r}")
    return matcher
