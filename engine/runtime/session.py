"""One interview: `Session.turn(text)` -> `Turn`. Pure: the random generator is seeded and its
state lives in `SessionState`, which is a JSON-serialisable value.

Theory of operation. Every candidate line is (1) normalised, (2) classified into one of the
intents the current state listens for, (3) scanned for concern triggers, evidence and
defensiveness (hidden state: nothing is said about it), then (4) handled by the state's kind:
opening, question, candidate_questions, closing_discussion or closing_clear. What the persona
says comes only from its neutral/warm lines whatever it thinks (M1); concerns surface only after
the closing question (M3-M7). Each step appends transcript events to the Turn.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from typing import Any

from closer.engine.errors import EngineError
from closer.engine.format import model as m
from closer.engine.format.patterns import Utterance, normalize
from closer.engine.format.template import render
from closer.engine.runtime.machine import ENDED
from closer.engine.runtime.program import (
    CLEAR,
    CQ,
    DISCUSSION,
    IntentMatch,
    Program,
    looks_like_question,
)

Event = dict[str, Any]
ACTIVE = ("raised", "worsened")
WEIGHTS = {
    "inactive": 0,
    "raised": 8,
    "hinted": 6,
    "revealed": 5,
    "partly_resolved": 3,
    "resolved": 0,
    "preempted": 0,
    "worsened": 10,
}
NAVIGATION = frozenset(
    {
        "closing_question",
        "anything_else",
        "probe",
        "confirm",
        "how_did_i_do",
        "goodbye",
        "no_questions",
    }
)
SHORT = 6  # a goodbye mid-question counts only in a line this short ("ok bye", "I have to go")


@dataclass
class ConcernState:
    status: str = "inactive"
    level: int = 0  # 0 unseen, 1 vague line said, 2 specific line said
    probes: int = 0
    groups: list[str] = field(default_factory=list)
    theme: int = 0
    counter: int = 0
    worse: bool = False


@dataclass
class SessionState:
    """Everything that changes during a session; `to_json`/`from_json` round-trip it."""

    scenario: str
    sha256: str
    seed: int
    state: str = "opening"
    turn: int = 0
    rng: list[Any] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    concerns: dict[str, ConcernState] = field(default_factory=dict)
    follow_ups: list[str] = field(default_factory=list)
    current: str | None = None
    closing_turn: int | None = None
    defensive: int = 0
    ended: bool = False
    last_pick: dict[str, int] = field(default_factory=dict)  # no variant twice in a row

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SessionState:
        data = dict(data)
        data["concerns"] = {k: ConcernState(**v) for k, v in data.get("concerns", {}).items()}
        return cls(**data)


@dataclass(frozen=True)
class Turn:
    """What happened in one step: transcript events in order, the intent match, and the flow
    machine's edges taken as `(trigger, source, dest)` (what coverage counts)."""

    events: tuple[Event, ...]
    match: IntentMatch | None = None
    moves: tuple[tuple[str, str, str], ...] = ()


class Session:
    """A conversation with one persona. Start with `Session.start`, then call `turn`."""

    def __init__(self, program: Program, state: SessionState) -> None:
        self.program = program
        self.st = state
        self.rng = random.Random(state.seed)  # a session's own generator, never the global one
        if state.rng:
            self.rng.setstate(_to_rng_state(state.rng))
        self.values = program.values
        self.events: list[Event] = []
        self.moves: list[tuple[str, str, str]] = []

    # -- lifecycle --------------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        program: Program,
        seed: int,
        facts: dict[str, Any] | None = None,
        start: str | None = None,
    ) -> tuple[Session, Turn]:
        """A new session and its opening turn (background concerns raised, greeting said).

        `start` (a question id or `candidate_questions`) skips ahead after the greeting: the
        machine advances along the question order to it, and its question (or the prompt for
        the candidate's questions) is asked in the same opening turn."""
        sc = program.scenario
        all_facts = dict(sc.candidate.facts)
        all_facts.update(facts or {})
        st = SessionState(
            sc.id,
            sc.sha256,
            seed,
            facts=all_facts,
            concerns={c.id: ConcernState() for c in program.concerns},
        )
        session = cls(program, st)
        for c in program.concerns:
            if c.source == "background" and (c.when_fact is None or all_facts.get(c.when_fact)):
                session._set(c, "raised")
        session._say(sc.flow.opening)
        if start is not None:
            session._skip_to(start)
        return session, session._flush(None)

    @property
    def state(self) -> SessionState:
        self.st.rng = _from_rng_state(self.rng.getstate())
        return self.st

    @property
    def ended(self) -> bool:
        return self.st.ended

    def turn(self, text: str) -> Turn:
        """Take one candidate line and return what happened."""
        if self.st.ended:
            raise EngineError("the session has ended")
        st = self.st
        st.turn += 1
        utt = normalize(text)
        self._emit({"event": "say", "speaker": "candidate", "text": text})
        kind = self.program.kind(st.state)
        match = self.program.classify(utt, listening(self.program, st.state, utt))
        intent = match.intent if match else None
        record: Event = {
            "event": "intent",
            "intent": intent,
            "rule": match.rule if match else None,
            "score": match.score if match else 0,
        }
        if intent == "closing_question":
            record["form"] = "full" if self.program.marker("chance", utt) else "plain"
        record = self._emit(record)  # handlers may add `deferred` to the emitted event
        if intent not in NAVIGATION and intent not in self.program.candidate_questions:
            self._scan(utt, text)
        handler = {
            "opening": self._opening,
            "question": self._question,
            CQ: self._candidate_questions,
            DISCUSSION: self._discussion,
            CLEAR: self._clear,
        }[kind]
        handler(intent, utt, record)
        if not st.ended and st.turn >= self.program.scenario.max_turns:
            self._say(self.program.style.out_of_time)
            self._leave("completed")
        return self._flush(match)

    def end(self, reason: str) -> Turn:
        """Close the session from outside (`eof`, `quit`, `interrupted`): verdict and end."""
        if not self.st.ended:
            self._finish(reason)
        return self._flush(None)

    # -- state handlers ---------------------------------------------------------------------

    def _opening(self, intent: str | None, utt: Utterance, record: Event) -> None:
        if intent == "closing_question":
            record["deferred"] = True
            self._say(self.program.style.defer_closing)
        else:
            self._say(
                self.program.scenario.flow.opening_reply or self.program.style.acknowledgements
            )
        self._advance(self.program.next_after("opening"))

    def _question(self, intent: str | None, utt: Utterance, record: Event) -> None:
        st, style = self.st, self.program.style
        q = self.program.questions[st.state]
        if intent == "goodbye":
            self._say(self.program.scenario.flow.closing)
            self._leave("completed")
            return
        if (
            intent in ("closing_question", "how_did_i_do")
            or intent in self.program.candidate_questions
        ):
            record["deferred"] = True
            self._say(
                {"closing_question": style.defer_closing, "how_did_i_do": style.how_did_i_do}.get(
                    intent, style.defer_question
                )
            )
            self._say(q.rephrase or q.ask)
            return
        if intent == "probe":
            self._say(q.rephrase or q.ask)
            return
        for rule in q.rules:
            if any(p.pattern.match(utt) for p in rule.patterns):
                self._say(rule.say or style.acknowledgements)
                self._advance(rule.goto or self.program.next_after(q.id))
                return
        if (
            q.follow_up
            and q.id not in st.follow_ups
            and (q.follow_up_if == "always" or not self.program.marker("specifics", utt))
        ):
            st.follow_ups.append(q.id)
            self._say(q.follow_up)
            return
        self._say(style.acknowledgements)
        self._advance(self.program.next_after(q.id))

    def _candidate_questions(self, intent: str | None, utt: Utterance, record: Event) -> None:
        style = self.program.style
        if intent == "closing_question":
            self.st.closing_turn = self.st.turn
            self._surface_next(first=True)
        elif self._common(intent, utt):
            return
        elif intent is not None:  # anything_else, confirm ... before the closing question
            self._say(style.your_turn)
        elif looks_like_question(utt):
            self._say(style.unknown_question)
        else:
            self._say(style.acknowledgements)

    def _discussion(self, intent: str | None, utt: Utterance, record: Event) -> None:
        style = self.program.style
        c = self._concern(self.st.current)
        cs = self.st.concerns[c.id]
        if intent == "probe":
            if cs.level == 1:
                cs.probes += 1
                if cs.probes >= c.probes:
                    self._reveal(c)
                else:
                    self._say(c.vague)
            else:
                self._say(style.already_said)
        elif intent == "closing_question":
            self._say(c.specific if cs.level == 2 else c.vague)
        elif intent == "anything_else":
            self._surface_next(first=False)
        elif intent == "confirm":
            self._confirm(c)
        elif not self._common(intent, utt):
            self._address(c, intent, utt)

    def _clear(self, intent: str | None, utt: Utterance, record: Event) -> None:
        if intent in ("anything_else", "closing_question"):
            self._surface_next(first=intent == "closing_question")
        elif intent == "confirm":
            self._say(self.program.style.acknowledgements)
        elif not self._common(intent, utt):
            self._say(self.program.style.fallback)

    def _common(self, intent: str | None, utt: Utterance) -> bool:
        """Candidate questions, feedback requests and goodbyes: handled alike once the
        interviewer has asked for the candidate's questions."""
        if intent in self.program.candidate_questions:
            self._answer(intent)  # type: ignore[arg-type]
        elif intent == "how_did_i_do":
            self._say(self.program.style.how_did_i_do)
        elif intent in ("no_questions", "goodbye"):
            self._say(self.program.scenario.flow.closing)
            self._leave("completed")
        else:
            return False
        return True

    # -- concerns ----------------------------------------------------------------------------

    def _concern(self, cid: str | None) -> m.Concern:
        for c in self.program.concerns:
            if c.id == cid:
                return c
        raise EngineError(f"no concern {cid!r}")

    def _set(self, c: m.Concern, status: str, **extra: Any) -> None:
        self.st.concerns[c.id].status = status
        self._emit({"event": "concern", "concern": c.id, "status": status, **extra})

    def _scan(self, utt: Utterance, text: str) -> None:
        """Hidden state only: raise concerns, collect evidence, note what makes things worse."""
        st = self.st
        before_close = st.closing_turn is None
        for c in self.program.concerns:
            cs = st.concerns[c.id]
            raised = cs.status == "inactive" and self._triggered(c, cs, utt)
            if raised:
                self._set(c, "raised", quote=text)
            new = [
                g.id
                for g in c.groups
                if g.id not in cs.groups
                and any(p.pattern.match(utt, guard=True) for p in g.patterns)
            ]
            cs.groups.extend(new)
            if (
                (new or raised)  # evidence given earlier pre-empts a concern raised now
                and before_close
                and c.preempt
                and cs.status in ACTIVE
                and cs.level == 0
                and c.resolve.met(set(cs.groups))
            ):
                self._set(c, "preempted", quote=text, evidence=list(cs.groups))
                continue
            if cs.status in (*ACTIVE, "hinted", "revealed", "partly_resolved") and any(
                p.pattern.match(utt, guard=True) for p in c.worsened_by
            ):
                cs.worse = True
                if before_close and cs.status != "worsened":
                    self._set(c, "worsened", quote=text)

    def _triggered(self, c: m.Concern, cs: ConcernState, utt: Utterance) -> bool:
        if c.during and self.st.state not in c.during:
            return False
        if c.when_fact is not None and not self.st.facts.get(c.when_fact):
            return False
        if c.source in ("said", "misunderstanding"):
            return any(p.pattern.match(utt, guard=True) for p in c.triggers)
        if c.source == "theme" and c.theme is not None:
            cs.theme += sum(1 for p in c.theme.patterns if p.pattern.match(utt, guard=True))
            cs.counter += sum(1 for p in c.theme.counter if p.pattern.match(utt, guard=True))
            return cs.theme >= c.theme.at_least and cs.counter <= c.theme.at_most
        return False

    def _pending(self) -> m.Concern | None:
        waiting = [
            c
            for c in self.program.concerns
            if self.st.concerns[c.id].status in ACTIVE and self.st.concerns[c.id].level == 0
        ]
        if not waiting:
            return None
        return min(waiting, key=lambda c: (c.order, -c.severity, self.program.concerns.index(c)))

    def _surface_next(self, first: bool) -> None:
        """Hesitate and give the next concern's vague line, or answer quickly that there is none."""
        style = self.program.style
        c = self._pending()
        if c is None:
            lines = style.no_concerns if first and self.st.current is None else style.nothing_else
            self._emit({"event": "cue", "kind": "quick", "text": self._pick(lines)})
            self.st.current = None
            self._advance(CLEAR)
            return
        self._emit({"event": "cue", "kind": "hesitation", "text": self._pick(style.hesitation)})
        self.st.current = c.id
        self._advance(DISCUSSION)
        cs = self.st.concerns[c.id]
        cs.level = 1
        self._say(c.vague)
        self._set(c, "hinted")
        if c.probes == 0:
            self._reveal(c)

    def _reveal(self, c: m.Concern) -> None:
        self.st.concerns[c.id].level = 2
        self._say(c.specific)
        self._set(c, "revealed")

    def _missing(self, c: m.Concern) -> str:
        have = set(self.st.concerns[c.id].groups)
        wanted = [g for g in c.groups if g.id in c.resolve.all and g.id not in have] or [
            g for g in c.groups if g.id not in have
        ]
        return wanted[0].label if wanted else "a concrete example"

    def _confirm(self, c: m.Concern) -> None:
        style = self.program.style
        status = self.st.concerns[c.id].status
        if status == "resolved":
            self._say(style.confirm_resolved)
        elif status == "partly_resolved":
            self._say(style.confirm_partial, missing=self._missing(c))
        else:
            self._say(style.confirm_unresolved, missing=self._missing(c))

    def _address(self, c: m.Concern, intent: str | None, utt: Utterance) -> None:
        """The candidate answers the concern on the table (or another one already out in the
        open): resolve it, part-resolve it, or make it worse."""
        st, style = self.st, self.program.style
        defensive = self.program.marker("defensive", utt) or any(
            p.pattern.match(utt, guard=True) for p in c.worsened_by
        )
        if defensive:
            cs = st.concerns[c.id]
            st.defensive += 1
            cs.worse = True
            if cs.status != "worsened":
                self._set(c, "worsened")
            self._say(c.worsened or style.fallback)
            return
        others = [
            o
            for o in self.program.concerns
            if o.id != c.id
            and st.concerns[o.id].level > 0
            and st.concerns[o.id].status != "resolved"
        ]
        for target in (c, *others):
            if self._settle(target, utt):
                return
        if intent == "acknowledge":
            self._say(style.acknowledgements)
        else:
            self._say(c.unresolved or style.confirm_unresolved, missing=self._missing(c))

    def _settle(self, c: m.Concern, utt: Utterance) -> bool:
        """Apply this turn's evidence to a surfaced concern; False if there was none for it."""
        style = self.program.style
        cs = self.st.concerns[c.id]
        if not any(any(p.pattern.match(utt, guard=True) for p in g.patterns) for g in c.groups):
            return False
        groups = set(cs.groups)
        if c.resolve.met(groups) and cs.level < 2:
            if cs.status != "partly_resolved":
                self._set(c, "partly_resolved", evidence=sorted(groups), early=True)
            self._say(style.not_quite)
        elif c.resolve.met(groups) and not cs.worse:
            if cs.status != "resolved":
                self._set(c, "resolved", evidence=sorted(groups))
            self._say(c.resolved or style.confirm_resolved)
        elif c.partial.met(groups) or c.resolve.met(groups):
            if cs.status not in ("partly_resolved", "resolved"):
                early = {"early": True} if cs.level < 2 else {}
                self._set(c, "partly_resolved", evidence=sorted(groups), **early)
            self._say(c.partly_resolved or style.confirm_partial, missing=self._missing(c))
        else:
            return False
        return True

    # -- output -------------------------------------------------------------------------------

    def _answer(self, intent: str) -> None:
        answer = self.program.answers.get(intent)
        if answer is None:
            self._say(self.program.style.unknown_question)
        else:
            self._say(answer.say, clue=answer.clue) if answer.clue else self._say(answer.say)

    def _pick(self, lines: m.Lines, **values: str) -> str:
        """A seeded choice among the variants, never the one this set of lines gave last time."""
        index = 0
        if len(lines) > 1:
            key = lines[0][:60]
            last = self.st.last_pick.get(key)
            index = self.rng.randrange(len(lines) - (last is not None))
            if last is not None and index >= last:
                index += 1
            self.st.last_pick[key] = index
        return render(lines[index], {**self.values, **values})

    def _say(self, lines: m.Lines, clue: str | None = None, **values: str) -> None:
        if not lines:
            return
        event: Event = {
            "event": "say",
            "speaker": "interviewer",
            "text": self._pick(lines, **values),
        }
        if clue:
            event["clue"] = clue
        self._emit(event, said=True)

    def _emit(self, event: Event, said: bool = False) -> Event:
        ordered: Event = {"event": event["event"], "turn": self.st.turn}
        ordered.update((k, v) for k, v in event.items() if k != "event")
        if said and event["event"] == "say":
            ordered["phase"] = self.program.phase(self.st.state)
            ordered["state"] = self.st.state
        self.events.append(ordered)
        return ordered

    def _advance(self, dest: str) -> None:
        if dest == self.st.state:
            return
        trigger = (
            "advance" if self.program.kind(self.st.state) in ("opening", "question") else "close"
        )
        self._fire(trigger, dest)
        if self.program.kind(dest) == "question":
            self._say(self.program.questions[dest].ask)
        elif dest == CQ:
            self._say(self.program.scenario.flow.cq_prompt)

    def _skip_to(self, start: str) -> None:
        if start != CQ and start not in self.program.questions:
            raise EngineError(f"cannot start at {start!r}: not a question id or {CQ!r}")
        while self.program.next_after(self.st.state) != start:
            self._fire("advance", self.program.next_after(self.st.state))
        self._advance(start)

    def _leave(self, reason: str) -> None:
        self._fire("leave", ENDED)
        self._finish(reason)

    def _fire(self, trigger: str, dest: str) -> None:
        source = self.st.state
        self.st.state = self.program.machine.fire(source, trigger, dest)
        self.moves.append((trigger, source, dest))

    def _finish(self, reason: str) -> None:
        outcome, score = verdict(self.program, self.st)
        self._emit({"event": "verdict", "outcome": outcome, "score": score})
        self._emit({"event": "end", "reason": reason})
        self.st.ended = True

    def _flush(self, match: IntentMatch | None) -> Turn:
        turn = Turn(tuple(self.events), match, tuple(self.moves))
        self.events, self.moves = [], []
        return turn


def listening(program: Program, state: str, utt: Utterance) -> frozenset[str]:
    """The intents a session in `state` listens for, given the line (a question-shaped line may
    be a candidate question mid-interview; a short one may be a goodbye)."""
    kind = program.kind(state)
    cq = program.candidate_questions
    if kind == "opening":
        return frozenset({"closing_question"})
    if kind == "question":
        allowed = {"closing_question"}
        if looks_like_question(utt):
            allowed |= cq | {"how_did_i_do", "probe"}
        if len(utt.words) <= SHORT:
            allowed.add("goodbye")
        return frozenset(allowed)
    base = cq | {
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


def listened_for(program: Program) -> frozenset[str]:
    """Every intent some state listens for (what coverage counts, and what W104 checks): the
    union of `listening` over the states, for a short question-shaped line, which every state
    hears in full."""
    probe = normalize("?")
    return frozenset().union(*(listening(program, s, probe) for s in program.machine.states))


def verdict(program: Program, st: SessionState) -> tuple[str, int]:
    """Advance / undecided / reject from the concerns' final states and defensive turns."""
    v = program.scenario.verdict
    score = v.baseline - 3 * st.defensive
    for c in program.concerns:
        cs = st.concerns[c.id]
        status = cs.status
        weight = WEIGHTS[status]
        if cs.worse and status not in ("resolved", "partly_resolved", "preempted"):
            weight = WEIGHTS["worsened"]
        score -= c.severity * weight
    score = max(0, min(100, score))
    outcome = "advance" if score >= v.advance else "undecided" if score >= v.undecided else "reject"
    return outcome, score


def _from_rng_state(state: tuple[Any, ...]) -> list[Any]:
    version, internal, gauss = state
    return [version, list(internal), gauss]


def _to_rng_state(data: list[Any]) -> tuple[Any, ...]:
    version, internal, gauss = data
    return (version, tuple(internal), gauss)
