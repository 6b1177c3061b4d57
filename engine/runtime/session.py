"""One interview: `Session.turn(text)` -> `Turn`. Pure: the random generator is seeded and its
state lives in `SessionState`, which is a JSON-serialisable value.

Theory of operation. Every candidate line is (1) normalised, (2) classified into one of the
intents the current state listens for (`Program.listening`), (3) scanned for concern triggers,
evidence and defensiveness (hidden state: nothing is said about it; `ConcernTracker.scan`), then
(4) handled by the state's kind: opening, question, candidate_questions, closing_discussion or
closing_clear. Every move is a trigger of the program's flow machine fired on the
`SessionState`, so the flow state is the machine's; every concern status change fires the
lifecycle machine. What the persona says comes only from its neutral/warm lines whatever it
thinks (M1); concerns surface only after the closing question (M3-M7).

The parts, each with what it may touch: `Voice` (lines and the turn's events),
`ConcernTracker` (the concerns), `verdict` (reads the final state), and this module (the flow).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cache, partial
from itertools import pairwise
from typing import Any, ClassVar, Final

from closer.engine.errors import EngineError
from closer.engine.format import model as m
from closer.engine.format.patterns import Utterance, normalize
from closer.engine.runtime.concerns import ConcernState, ConcernTracker
from closer.engine.runtime.events import (
    AssessEvent,
    EndEvent,
    Event,
    Frozen,  # a frozen class, not a dataclass: its cost
    IntentEvent,
    SayEvent,
    VerdictEvent,
)
from closer.engine.runtime.machine import Edge
from closer.engine.runtime.program import (
    CQ,
    DISCUSSION,
    Exit,
    FollowUp,
    IntentMatch,
    Program,
)
from closer.engine.runtime.reading import context_of, read
from closer.engine.runtime.repair import Repair
from closer.engine.runtime.verdict import verdict
from closer.engine.runtime.voice import Voice

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
DEFERRED_IN_QUESTIONS = frozenset({"closing_question", "how_did_i_do"})
Facts = dict[str, Any] | None  # facts given over the candidate card's (a test's `facts:`)


@dataclass
class SessionState:
    """Everything that changes during a session; `to_json`/`from_json` round-trip it. `state`
    is the flow machine's state: only the machine moves it. The session's random generator
    belongs to this value too (`generator()`): `rng` is its state as read from JSON, and
    `to_json` writes the generator's state as it is now."""

    scenario: str
    sha256: str
    seed: int
    state: str = "opening"
    turn: int = 0
    rng: list[Any] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    concerns: dict[str, ConcernState] = field(default_factory=dict)
    follow_ups: list[str] = field(default_factory=list)
    current: str | None = None  # the concern on the table in the closing discussion
    closing_turn: int | None = None
    defensive: int = 0
    ended: bool = False
    last_pick: dict[str, int] = field(default_factory=dict)  # no variant twice in a row
    last_line: str | None = None  # the interviewer's last line: never said twice in a row
    stuck: int = 0  # turns in a row that moved nothing on: how far repair has escalated
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # judged answers (judge.py)
    nudged: list[str] = field(default_factory=list)  # questions asked again after a dodge
    # the live generator, made on first use: a field (mypyc gives a compiled class's attributes
    # slots), but not the state's (not compared, shown, or written by `to_json`)
    _generator: random.Random | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:  # a compiled dataclass leaves it unset
        self._generator = None

    def generator(self) -> random.Random:
        """The session's own seeded generator, never the global one."""
        if self._generator is None:
            self._generator = random.Random(self.seed)
            if self.rng:
                self._generator.setstate(_to_rng_state(self.rng))
        return self._generator

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        del data["_generator"]
        if self._generator is not None:
            data["rng"] = _from_rng_state(self._generator.getstate())
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SessionState:
        data = dict(data)
        data["concerns"] = {k: ConcernState(**v) for k, v in data.get("concerns", {}).items()}
        return cls(**data)


class Turn(Frozen):
    """What happened in one step: transcript events in order, the intent match, and the flow
    machine's edges taken as `(trigger, source, dest)` (what coverage counts)."""

    _fields: ClassVar[tuple[str, ...]] = ("events", "match", "moves")
    __slots__ = _fields
    events: Final[tuple[Event, ...]]
    match: Final[IntentMatch | None]
    moves: Final[tuple[tuple[str, str, str], ...]]

    def __init__(
        self,
        events: tuple[Event, ...],
        match: IntentMatch | None = None,
        moves: tuple[tuple[str, str, str], ...] = (),
    ) -> None:
        self.events = events
        self.match = match
        self.moves = moves


class Session:
    """A conversation with one persona. Start with `Session.start`, then call `turn`."""

    def __init__(self, program: Program, state: SessionState) -> None:
        _check_belongs(program, state)
        self.program = program
        self.st = state
        rng, again, where = state.generator(), program.style.again, partial(_where, program, state)
        self.voice = Voice(rng, state.last_pick, program.values, where, again, state.last_line)
        self.concerns = ConcernTracker(program, state, self.voice)
        self.moves: list[tuple[str, str, str]] = []
        self.repair = Repair(program.style, state, self.voice, self.concerns)

    @classmethod
    def start(
        cls, program: Program, seed: int, facts: Facts = None, start: str | None = None
    ) -> tuple[Session, Turn]:
        """A new session and its opening turn (background concerns raised, greeting said).
        `start` (a question id or `candidate_questions`) skips ahead to it after the greeting,
        along the question order, and asks it in the same opening turn."""
        session = cls(program, _fresh(program, seed, facts))
        session.concerns.raise_background()
        session.voice.say(program.scenario.flow.opening)
        if start is not None:
            session._skip_to(start)
        return session, session._flush(None)

    @classmethod
    def drill(cls, program: Program, seed: int, facts: Facts = None) -> tuple[Session, Turn]:
        """A closing drill: at the candidate's questions (their prompt the first line), with the
        concerns drawn from the seed raised at turn 0 (`raise_drawn`). `facts` as for `start`."""
        session = cls(program, _fresh(program, seed, facts))
        session.concerns.raise_drawn()
        session._skip_to(CQ)
        return session, session._flush(None)

    @property
    def state(self) -> SessionState:
        """The session's whole state, as of the end of the last turn."""
        return self.st

    @property
    def ended(self) -> bool:
        return self.st.ended

    def turn(self, text: str) -> Turn:
        """Take one candidate line and return what happened."""
        if self.st.ended:
            raise EngineError("the session has ended")
        st, program = self.st, self.program
        st.turn += 1
        utt = normalize(text)
        self.voice.record(SayEvent(st.turn, "candidate", text))
        kind = program.kind(st.state)
        reading = read(program, context_of(program, st), text, utt)
        intent = reading.intent
        deferred = reading.deferred_question or _deferred(program, kind, intent)
        self.voice.record(
            IntentEvent(
                st.turn, intent, reading.rule, reading.score, reading.form, deferred, reading.tone
            )
        )
        if intent not in NAVIGATION and intent not in program.candidate_questions:
            self.concerns.scan(utt, text, st.state)
        self.repair.begin(reading)
        if deferred:
            self._defer(kind, intent)
        elif kind == "opening":
            self._opening(utt)
        elif kind == "question":
            self._question(intent, utt)
        elif kind == CQ:
            self._candidate_questions(intent, utt)
        elif kind == DISCUSSION:
            self._discussion(intent, utt)
        else:
            self._clear(intent, utt)
        if not st.ended and st.turn >= program.scenario.max_turns:
            self.voice.say(program.style.out_of_time)
            self._leave("completed")
        return self._flush(reading.match)

    def end(self, reason: str) -> Turn:
        """Close the session from outside (`eof`, `quit`, `interrupted`): verdict and end."""
        if not self.st.ended:
            self._finish(reason)
        return self._flush(None)

    # -- what each kind of state does with a line -------------------------------------------------

    def _defer(self, kind: str, intent: str | None) -> None:
        """Too early for that: say so, and (in the questions) ask the question again."""
        style = self.program.style
        said = {"closing_question": style.defer_closing, "how_did_i_do": style.how_did_i_do}
        self.voice.say(said.get(intent or "", style.defer_question))
        if kind == "opening" or self.repair.stuck() > 0:  # put off twice: she moves on
            self._advance(skip=kind != "opening")
        else:
            q = self.program.questions[self.st.state]
            self.voice.say(q.again(q.id in self.st.follow_ups))

    def _opening(self, utt: Utterance) -> None:
        sc, style = self.program.scenario, self.program.style
        tone = self.repair.tone()
        if _asks_back(utt):
            self.voice.say(style.small_talk_back)
        if tone:  # a word on the feeling, then on to the questions (not "Good. Let's ...")
            self.voice.say(tone)
            self.voice.say(style.get_started)
        else:
            self.voice.say(sc.flow.opening_reply or style.acknowledgements)
        self._advance(utt=utt)

    def _question(self, intent: str | None, utt: Utterance) -> None:
        q = self.program.questions[self.st.state]
        if intent == "goodbye":
            self.voice.say(self.program.scenario.flow.closing)
            self._leave("completed")
        elif intent == "probe" and self.repair.stuck() == 0:  # the follow-up, if it was the last
            self.voice.say(q.again(q.id in self.st.follow_ups))
        elif intent == "probe":  # asked about twice: a person lets it go and moves on
            self.voice.say(self.program.style.move_on_question)
            self._advance(skip=True)
        else:
            judged = _judge_take()(self.program, self.st, q.id, utt.text, self.voice)
            self.repair.answered(judged)
            if not _nudged(self, q, judged, utt):
                self._advance(utt=utt)

    def _candidate_questions(self, intent: str | None, utt: Utterance) -> None:
        style = self.program.style
        if intent == "closing_question":
            self.st.closing_turn = self.st.turn
            self._surface_next(first=True, asked=utt)
        elif self._common(intent):
            return
        elif intent is not None:  # anything_else, confirm ... before the closing question
            self.voice.say(style.your_turn)
        else:
            self.repair.not_understood(utt, style.acknowledgements)

    def _discussion(self, intent: str | None, utt: Utterance) -> None:
        c = self.program.concern(self.st.current)
        if intent in ("probe", "closing_question"):  # asked again: she is asked to say more
            self.repair.probe(c)
        elif intent == "anything_else":
            self._surface_next(first=False, asked=utt)
        elif intent == "confirm":
            self.concerns.confirm(c)
        elif intent in ("goodbye", "no_questions"):  # an answer in it is heard first
            self.concerns.in_passing(c, utt, self.st.state)
            self._common(intent)
        elif not self._common(intent):
            self.repair.address(c, intent, utt)

    def _clear(self, intent: str | None, utt: Utterance) -> None:
        if intent in ("anything_else", "closing_question"):
            self._surface_next(first=intent == "closing_question", asked=utt)
        elif intent == "confirm":
            self.voice.say(self.program.style.acknowledgements)
        elif not self._common(intent):
            self.repair.not_understood(utt, self.program.style.fallback)

    def _common(self, intent: str | None) -> bool:
        """Candidate questions, feedback requests and goodbyes: handled alike once the
        interviewer has asked for the candidate's questions."""
        program = self.program
        if intent in program.candidate_questions:
            answer = program.answers.get(intent or "")
            if answer is None:
                self.voice.say(program.style.unknown_question)
            else:
                self.voice.say(answer.say, clue=answer.clue)
        elif intent == "how_did_i_do":
            self.voice.say(program.style.how_did_i_do)
        elif intent in ("no_questions", "goodbye"):
            self.voice.say(program.scenario.flow.closing)
            self._leave("completed")
        else:
            return False
        return True

    def _surface_next(self, first: bool, asked: Utterance) -> None:
        """Hesitate and give the next concern's vague line (one `asked` names first), or none."""
        c = self.concerns.pending(asked)
        self.concerns.cue(c, first)
        self._fire("close", pending=c is not None)  # before the hint: it is said in the close
        if c is not None:
            self.concerns.hint(c)

    # -- moving ---------------------------------------------------------------------------------

    def _advance(self, utt: Utterance | None = None, skip: bool = False) -> None:
        """Answer given (or skipped): the machine picks the way out; then ask what comes next."""
        edge = self._fire("advance", utt=utt, skip=skip, leaving=None if skip else self._leaving)
        question = self.program.questions.get(edge.dest or "")
        if question is not None:
            self.voice.say(question.ask)
        elif edge.dest == CQ:
            self.voice.say(self.program.scenario.flow.cq_prompt)

    def _leaving(self, edge: Edge) -> None:
        """Said on the way out of a question, before the machine moves: the rule's line or an
        acknowledgement, or the follow-up (asked once) when the question stays."""
        style = self.program.style
        if isinstance(edge.exit, FollowUp):
            q = edge.exit.question
            self.st.follow_ups.append(q.id)
            self.voice.say(self.repair.tone())
            self.voice.say(q.follow_up)
        elif isinstance(edge.exit, Exit):
            rule = edge.exit.rule
            if rule is not None and rule.say:
                self.voice.say(self.repair.tone() or rule.say)
            else:
                self.voice.say(
                    self.repair.acknowledge(style.acknowledgements),
                    then=_asked_next(self.program, edge),
                )

    def _skip_to(self, start: str) -> None:
        if start != CQ and start not in self.program.questions:
            raise EngineError(f"cannot start at {start!r}: not a question id or {CQ!r}")
        while self.program.next_after(self.st.state) != start:
            self._fire("advance", skip=True)
        self._advance(skip=True)

    def _leave(self, reason: str) -> None:
        self._fire("leave")
        self._finish(reason)

    def _fire(self, trigger: str, **facts: Any) -> Edge:
        source = self.st.state
        edge = self.program.machine.fire(self.st, trigger, hears=self.program.any_match, **facts)
        if edge.dest is not None:
            self.moves.append((trigger, source, edge.dest))
        return edge

    def _finish(self, reason: str) -> None:
        outcome, score = verdict(self.program, self.st)
        self.voice.record(VerdictEvent(self.st.turn, outcome, score))
        self.voice.record(EndEvent(self.st.turn, reason))
        self.st.ended = True

    def _flush(self, match: IntentMatch | None) -> Turn:
        self.st.last_line = self.voice.last_line
        turn = Turn(self.voice.take(), match, tuple(self.moves))
        self.moves = []
        return turn


def _asked_next(program: Program, edge: Edge) -> m.Lines:
    """What she asks next on the way out by `edge`: a question, or the prompt for the
    candidate's questions (none when the way out stays)."""
    question = program.questions.get(edge.dest or "")
    if question is not None:
        return question.ask
    return program.scenario.flow.cq_prompt if edge.dest == CQ else ()


def _where(program: Program, st: SessionState) -> tuple[int, str, str]:
    """Where the session is, for the voice's events: turn, phase, state."""
    return st.turn, program.phase(st.state), st.state


@cache
def _judge_take() -> Callable[..., AssessEvent]:
    """`judge.take`, imported when a question is first answered (not before the first line:
    its cost), and kept: an import statement on every answer costs a look-up of its own."""
    from closer.engine.runtime import judge

    return judge.take


def _nudged(session: Session, q: m.Question, judged: AssessEvent, utt: Utterance) -> bool:
    """A dodge ("I can't think of one right now") the first time round, that no rule of the
    question hears: she gives them a moment and asks it another way, once, as a person
    would, instead of moving on at once (the dodge still counts in the judgement)."""
    st, program = session.st, session.program
    if "evasive" not in judged.flags or q.id in st.nudged or q.id in st.follow_ups:
        return False
    if len(st.answers[q.id]["lines"]) > 1 or not _drawing_a_blank(utt.words):
        return False  # asked again already ("Never?"), or they asked to move on
    facts = {"utt": utt, "hears": program.any_match}
    if any(ex.rule is not None and ex.accepts(st, facts) for ex in program.exits[q.id]):
        return False
    st.nudged.append(q.id)
    session.voice.say(program.style.nudge)
    session.voice.say(q.again(False))
    return True


def _drawing_a_blank(w: tuple[str, ...]) -> bool:
    """ "I can't think of one right now", "I don't remember a specific one": nothing comes to
    mind (not "can we move on?", "I'd rather not say")."""
    pairs = set(pairwise(w))
    if ("move", "on") in pairs or "skip" in w or "rather" in w or "prefer" in w:
        return False
    return "remember" in w or "recall" in w or ("think", "of") in pairs


def _asks_back(utt: Utterance) -> bool:
    """Small talk returned: "and you?", "how about yourself?"."""
    w = utt.words
    return ("you" in w[-3:] or "yourself" in w[-3:]) and ("and" in w or "about" in w or "how" in w)


def _deferred(program: Program, kind: str, intent: str | None) -> bool:
    """Is this line put off as too early? The closing question before the candidate's
    questions; a feedback request or a candidate question in the middle of the questions."""
    if kind == "opening":
        return intent == "closing_question"
    if kind == "question":
        return intent in DEFERRED_IN_QUESTIONS or intent in program.candidate_questions
    return False


def _fresh(program: Program, seed: int, facts: Facts) -> SessionState:
    """A new session's state: the candidate card's facts (with `facts` over them), every
    concern inactive."""
    sc = program.scenario
    all_facts = {**dict(sc.candidate.facts), **(facts or {})}
    concerns = {c.id: ConcernState() for c in program.concerns}
    return SessionState(sc.id, sc.sha256, seed, facts=all_facts, concerns=concerns)


def _check_belongs(program: Program, st: SessionState) -> None:
    sc = program.scenario
    if (st.scenario, st.sha256) != (sc.id, sc.sha256):
        raise EngineError(
            f"this session state is for scenario {st.scenario!r} ({st.sha256[:12]}), "
            f"not {sc.id!r} ({sc.sha256[:12]})"
        )
    if st.state not in program.machine.states:
        raise EngineError(f"this session state is in {st.state!r}, which {sc.id!r} does not have")
    if set(st.concerns) != set(program.concern_by_id):
        raise EngineError(f"this session state's concerns are not those of {sc.id!r}")


def _from_rng_state(state: tuple[Any, ...]) -> list[Any]:
    version, internal, gauss = state
    return [version, list(internal), gauss]


def _to_rng_state(data: list[Any]) -> tuple[Any, ...]:
    version, internal, gauss = data
    return (version, tuple(internal), gauss)
