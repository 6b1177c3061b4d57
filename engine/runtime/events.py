"""What a session emits: one frozen class per transcript event (docs/transcript.md).

An event is built once, complete, and never changed. `to_json()` gives the transcript line's
object with its keys in the documented order (transcripts are byte-for-byte reproducible), and
`event_from_json` reads one back, checking every field it knows and ignoring fields it does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Final

from closer.engine.format import model as m

JSON = dict[str, Any]


class Frozen:
    """What `@dataclass(frozen=True, slots=True)` gave each event, written out once: a dataclass
    costs every start about half a millisecond to make (its methods are generated and compiled
    at import), and `closer play` imports all seven before its first line. The fields are
    `_fields`, in order (also the `__slots__`: the compiled build has no `__slots__` to read),
    and events of one class with equal fields are equal. None changes: each field is `Final`,
    which mypy checks (tests/test_types.py) and the compiled build enforces at run time; there
    is no `__setattr__` guard, since mypyc refuses one on a compiled class."""

    __slots__: tuple[str, ...] = ()
    _fields: ClassVar[tuple[str, ...]] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, k) for k in self._fields)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Frozen) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._fields)
        return f"{type(self).__qualname__}({fields})"


class MalformedEvent(ValueError):
    """A transcript line that is not a well-formed event of format 1."""


class SayEvent(Frozen):
    """A line said aloud, by the candidate or by the interviewer (with the phase and state the
    interview was in when it was said, and the concern an answer hinted at, if any)."""

    _fields: ClassVar[tuple[str, ...]] = ("turn", "speaker", "text", "phase", "state", "clue")
    __slots__ = _fields
    kind: ClassVar[str] = "say"
    turn: Final[int]
    speaker: Final[str]
    text: Final[str]
    phase: Final[str | None]
    state: Final[str | None]
    clue: Final[str | None]

    def __init__(
        self,
        turn: int,
        speaker: str,
        text: str,
        phase: str | None = None,
        state: str | None = None,
        clue: str | None = None,
    ) -> None:
        self.turn = turn
        self.speaker = speaker
        self.text = text
        self.phase = phase
        self.state = state
        self.clue = clue

    @property
    def by_interviewer(self) -> bool:
        return self.speaker == "interviewer"

    def to_json(self) -> JSON:
        out: JSON = {"event": "say", "turn": self.turn, "speaker": self.speaker, "text": self.text}
        if self.clue is not None:
            out["clue"] = self.clue
        if self.by_interviewer:
            out["phase"] = self.phase
            out["state"] = self.state
        return out


class IntentEvent(Frozen):
    """How the candidate's line was understood (`intent` None: nothing matched). `form` is set
    for the closing question; `deferred` when the interviewer put the line off as too early."""

    _fields: ClassVar[tuple[str, ...]] = (
        "turn", "intent", "rule", "score", "form", "deferred", "tone"
    )  # fmt: skip
    __slots__ = _fields
    kind: ClassVar[str] = "intent"
    turn: Final[int]
    intent: Final[str | None]
    rule: Final[str | None]
    score: Final[int]
    form: Final[str | None]
    deferred: Final[bool]
    tone: Final[str | None]  # a feeling the line carries (m.TONES), for a fitting reply

    def __init__(
        self,
        turn: int,
        intent: str | None,
        rule: str | None,
        score: int,
        form: str | None = None,
        deferred: bool = False,
        tone: str | None = None,
    ) -> None:
        self.turn = turn
        self.intent = intent
        self.rule = rule
        self.score = score
        self.form = form
        self.deferred = deferred
        self.tone = tone

    def to_json(self) -> JSON:
        out: JSON = {
            "event": "intent",
            "turn": self.turn,
            "intent": self.intent,
            "rule": self.rule,
            "score": self.score,
        }
        if self.form is not None:
            out["form"] = self.form
        if self.deferred:
            out["deferred"] = True
        if self.tone is not None:
            out["tone"] = self.tone
        return out


class CueEvent(Frozen):
    """A stage direction: the hesitation before a concern, or the quick answer when none."""

    _fields: ClassVar[tuple[str, ...]] = ("turn", "cue", "text")
    __slots__ = _fields
    kind: ClassVar[str] = "cue"
    turn: Final[int]
    cue: Final[str]
    text: Final[str]

    def __init__(self, turn: int, cue: str, text: str) -> None:
        self.turn = turn
        self.cue = cue
        self.text = text

    def to_json(self) -> JSON:
        return {"event": "cue", "turn": self.turn, "kind": self.cue, "text": self.text}


class ConcernEvent(Frozen):
    """A hidden concern changed status; `quote` is the candidate line that caused it."""

    _fields: ClassVar[tuple[str, ...]] = ("turn", "concern", "status", "quote", "evidence", "early")
    __slots__ = _fields
    kind: ClassVar[str] = "concern"
    turn: Final[int]
    concern: Final[str]
    status: Final[str]
    quote: Final[str | None]
    evidence: Final[tuple[str, ...] | None]
    early: Final[bool]

    def __init__(
        self,
        turn: int,
        concern: str,
        status: str,
        quote: str | None = None,
        evidence: tuple[str, ...] | None = None,
        early: bool = False,
    ) -> None:
        self.turn = turn
        self.concern = concern
        self.status = status
        self.quote = quote
        self.evidence = evidence
        self.early = early

    def to_json(self) -> JSON:
        out: JSON = {
            "event": "concern",
            "turn": self.turn,
            "concern": self.concern,
            "status": self.status,
        }
        if self.quote is not None:
            out["quote"] = self.quote
        if self.evidence is not None:
            out["evidence"] = list(self.evidence)
        if self.early:
            out["early"] = True
        return out


class AssessEvent(Frozen):
    """What one answer to a question showed, judged on what it says (hidden during play; the
    verdict and the debrief read it). `shows`: the qualities heard (`m.QUALITIES`); `lacks`:
    what the question's rubric wanted and did not hear; `flags`: what counts against it
    (`m.FLAGS`); `points`: the answer's weight in the verdict."""

    _fields: ClassVar[tuple[str, ...]] = ("turn", "question", "shows", "lacks", "flags", "points")
    __slots__ = _fields
    kind: ClassVar[str] = "assess"
    turn: Final[int]
    question: Final[str]
    shows: Final[tuple[str, ...]]
    lacks: Final[tuple[str, ...]]
    flags: Final[tuple[str, ...]]
    points: Final[int]

    def __init__(
        self,
        turn: int,
        question: str,
        shows: tuple[str, ...] = (),
        lacks: tuple[str, ...] = (),
        flags: tuple[str, ...] = (),
        points: int = 0,
    ) -> None:
        self.turn = turn
        self.question = question
        self.shows = shows
        self.lacks = lacks
        self.flags = flags
        self.points = points

    def to_json(self) -> JSON:
        return {
            "event": "assess",
            "turn": self.turn,
            "question": self.question,
            "shows": list(self.shows),
            "lacks": list(self.lacks),
            "flags": list(self.flags),
            "points": self.points,
        }


class VerdictEvent(Frozen):
    _fields: ClassVar[tuple[str, ...]] = ("turn", "outcome", "score")
    __slots__ = _fields
    kind: ClassVar[str] = "verdict"
    turn: Final[int]
    outcome: Final[str]
    score: Final[int]

    def __init__(self, turn: int, outcome: str, score: int) -> None:
        self.turn = turn
        self.outcome = outcome
        self.score = score

    def to_json(self) -> JSON:
        return {"event": "verdict", "turn": self.turn, "outcome": self.outcome, "score": self.score}


class EndEvent(Frozen):
    _fields: ClassVar[tuple[str, ...]] = ("turn", "reason")
    __slots__ = _fields
    kind: ClassVar[str] = "end"
    turn: Final[int]
    reason: Final[str]

    def __init__(self, turn: int, reason: str) -> None:
        self.turn = turn
        self.reason = reason

    def to_json(self) -> JSON:
        return {"event": "end", "turn": self.turn, "reason": self.reason}


Event = SayEvent | IntentEvent | CueEvent | ConcernEvent | AssessEvent | VerdictEvent | EndEvent


def interviewer_says(events: Iterable[Event]) -> list[SayEvent]:
    """The interviewer's lines among `events`, in order (cues are not lines)."""
    return [e for e in events if isinstance(e, SayEvent) and e.by_interviewer]


# ---- reading ----------------------------------------------------------------------------------


def _field(data: JSON, key: str, types: type | tuple[type, ...], optional: bool = False) -> Any:
    if key not in data:
        if optional:
            return None
        raise MalformedEvent(f"a {data.get('event')!r} event needs {key!r}")
    value = data[key]
    if value is None and optional:
        return None
    # bool is an int in Python; a turn or score of `true` is still wrong
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in _tuple(types)):
        raise MalformedEvent(f"{key!r} of a {data.get('event')!r} event is {value!r}")
    return value


def _tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


def _choice(data: JSON, key: str, allowed: tuple[str, ...]) -> str:
    value: str = _field(data, key, str)
    if value not in allowed:
        raise MalformedEvent(f"{key!r} of a {data['event']!r} event is {value!r}")
    return value


def _turn(data: JSON) -> int:
    turn: int = _field(data, "turn", int)
    if turn < 0:
        raise MalformedEvent(f"'turn' of a {data['event']!r} event is {turn!r}")
    return turn


def _say(d: JSON) -> SayEvent:
    speaker = _choice(d, "speaker", ("interviewer", "candidate"))
    text = _field(d, "text", str)
    if speaker == "candidate":
        return SayEvent(_turn(d), speaker, text)
    return SayEvent(
        _turn(d),
        speaker,
        text,
        _choice(d, "phase", m.PHASES),
        _field(d, "state", str),
        _field(d, "clue", str, optional=True),
    )


def _intent(d: JSON) -> IntentEvent:
    form = _field(d, "form", str, optional=True)
    if form not in (None, "full", "plain"):
        raise MalformedEvent(f"'form' of an 'intent' event is {form!r}")
    return IntentEvent(
        _turn(d),
        _field(d, "intent", str, optional=True),
        _field(d, "rule", str, optional=True),
        _field(d, "score", int),
        form,
        bool(_field(d, "deferred", bool, optional=True)),
        _optional_choice(d, "tone", m.TONES),
    )


def _optional_choice(d: JSON, key: str, allowed: tuple[str, ...]) -> str | None:
    return None if d.get(key) is None else _choice(d, key, allowed)


def _concern(d: JSON) -> ConcernEvent:
    evidence = _field(d, "evidence", list, optional=True)
    if evidence is not None and not all(isinstance(x, str) for x in evidence):
        raise MalformedEvent(f"'evidence' of a 'concern' event is {evidence!r}")
    return ConcernEvent(
        _turn(d),
        _field(d, "concern", str),
        _choice(d, "status", m.STATUSES[1:]),  # never "inactive"
        _field(d, "quote", str, optional=True),
        tuple(evidence) if evidence is not None else None,
        bool(_field(d, "early", bool, optional=True)),
    )


def _words(d: JSON, key: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    value = _field(d, key, list)
    if not all(isinstance(x, str) and x in allowed for x in value):
        raise MalformedEvent(f"{key!r} of an 'assess' event is {value!r}")
    return tuple(value)


def _assess(d: JSON) -> AssessEvent:
    return AssessEvent(
        _turn(d),
        _field(d, "question", str),
        _words(d, "shows", m.QUALITIES),
        _words(d, "lacks", m.QUALITIES),
        _words(d, "flags", m.FLAGS),
        _field(d, "points", int),
    )


def _cue(d: JSON) -> CueEvent:
    return CueEvent(_turn(d), _choice(d, "kind", m.CUE_KINDS), _field(d, "text", str))


def _verdict(d: JSON) -> VerdictEvent:
    return VerdictEvent(_turn(d), _choice(d, "outcome", m.OUTCOMES), _field(d, "score", int))


def _end(d: JSON) -> EndEvent:
    return EndEvent(_turn(d), _choice(d, "reason", m.END_REASONS))


_READERS: dict[str, Any] = {  # named functions, not lambdas: mypyc compiles these
    "say": _say,
    "intent": _intent,
    "cue": _cue,
    "concern": _concern,
    "assess": _assess,
    "verdict": _verdict,
    "end": _end,
}


def event_from_json(data: Any) -> Event:
    """One transcript object as an event; MalformedEvent says what is wrong with it."""
    if not isinstance(data, dict):
        raise MalformedEvent("not a JSON object")
    kind = data.get("event")
    reader = _READERS.get(kind) if isinstance(kind, str) else None
    if reader is None:
        raise MalformedEvent(f"unknown event {kind!r}")
    event: Event = reader(data)
    return event
