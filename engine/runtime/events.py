"""What a session emits: one frozen class per transcript event (docs/transcript.md).

An event is built once, complete, and never changed. `to_json()` gives the transcript line's
object with its keys in the documented order (transcripts are byte-for-byte reproducible), and
`event_from_json` reads one back, checking every field it knows and ignoring fields it does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import FrozenInstanceError  # the module is imported anyway; its classes cost
from typing import Any, ClassVar

from closer.engine.format import model as m

JSON = dict[str, Any]


_set = object.__setattr__


class Frozen:
    """What `@dataclass(frozen=True, slots=True)` gave each event, written out once: a dataclass
    costs every start about half a millisecond to make (its methods are generated and compiled
    at import), and `closer play` imports all seven before its first line. The fields are the
    `__slots__`, in order: events of one class with equal fields are equal, and none changes."""

    __slots__: tuple[str, ...] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, k) for k in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Frozen) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__)
        return f"{type(self).__qualname__}({fields})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")


class MalformedEvent(ValueError):
    """A transcript line that is not a well-formed event of format 1."""


class SayEvent(Frozen):
    """A line said aloud, by the candidate or by the interviewer (with the phase and state the
    interview was in when it was said, and the concern an answer hinted at, if any)."""

    __slots__ = ("turn", "speaker", "text", "phase", "state", "clue")  # noqa: RUF023
    kind: ClassVar[str] = "say"
    turn: int
    speaker: str
    text: str
    phase: str | None
    state: str | None
    clue: str | None

    def __init__(
        self,
        turn: int,
        speaker: str,
        text: str,
        phase: str | None = None,
        state: str | None = None,
        clue: str | None = None,
    ) -> None:
        _set(self, "turn", turn)
        _set(self, "speaker", speaker)
        _set(self, "text", text)
        _set(self, "phase", phase)
        _set(self, "state", state)
        _set(self, "clue", clue)

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

    __slots__ = ("turn", "intent", "rule", "score", "form", "deferred", "tone")  # noqa: RUF023
    kind: ClassVar[str] = "intent"
    turn: int
    intent: str | None
    rule: str | None
    score: int
    form: str | None
    deferred: bool
    tone: str | None  # a feeling the line carries (m.TONES), for a fitting reply

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
        _set(self, "turn", turn)
        _set(self, "intent", intent)
        _set(self, "rule", rule)
        _set(self, "score", score)
        _set(self, "form", form)
        _set(self, "deferred", deferred)
        _set(self, "tone", tone)

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

    __slots__ = ("turn", "cue", "text")  # noqa: RUF023
    kind: ClassVar[str] = "cue"
    turn: int
    cue: str
    text: str

    def __init__(self, turn: int, cue: str, text: str) -> None:
        _set(self, "turn", turn)
        _set(self, "cue", cue)
        _set(self, "text", text)

    def to_json(self) -> JSON:
        return {"event": "cue", "turn": self.turn, "kind": self.cue, "text": self.text}


class ConcernEvent(Frozen):
    """A hidden concern changed status; `quote` is the candidate line that caused it."""

    __slots__ = ("turn", "concern", "status", "quote", "evidence", "early")  # noqa: RUF023
    kind: ClassVar[str] = "concern"
    turn: int
    concern: str
    status: str
    quote: str | None
    evidence: tuple[str, ...] | None
    early: bool

    def __init__(
        self,
        turn: int,
        concern: str,
        status: str,
        quote: str | None = None,
        evidence: tuple[str, ...] | None = None,
        early: bool = False,
    ) -> None:
        _set(self, "turn", turn)
        _set(self, "concern", concern)
        _set(self, "status", status)
        _set(self, "quote", quote)
        _set(self, "evidence", evidence)
        _set(self, "early", early)

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

    __slots__ = ("turn", "question", "shows", "lacks", "flags", "points")  # noqa: RUF023
    kind: ClassVar[str] = "assess"
    turn: int
    question: str
    shows: tuple[str, ...]
    lacks: tuple[str, ...]
    flags: tuple[str, ...]
    points: int

    def __init__(
        self,
        turn: int,
        question: str,
        shows: tuple[str, ...] = (),
        lacks: tuple[str, ...] = (),
        flags: tuple[str, ...] = (),
        points: int = 0,
    ) -> None:
        _set(self, "turn", turn)
        _set(self, "question", question)
        _set(self, "shows", shows)
        _set(self, "lacks", lacks)
        _set(self, "flags", flags)
        _set(self, "points", points)

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
    __slots__ = ("turn", "outcome", "score")  # noqa: RUF023
    kind: ClassVar[str] = "verdict"
    turn: int
    outcome: str
    score: int

    def __init__(self, turn: int, outcome: str, score: int) -> None:
        _set(self, "turn", turn)
        _set(self, "outcome", outcome)
        _set(self, "score", score)

    def to_json(self) -> JSON:
        return {"event": "verdict", "turn": self.turn, "outcome": self.outcome, "score": self.score}


class EndEvent(Frozen):
    __slots__ = ("turn", "reason")  # noqa: RUF023
    kind: ClassVar[str] = "end"
    turn: int
    reason: str

    def __init__(self, turn: int, reason: str) -> None:
        _set(self, "turn", turn)
        _set(self, "reason", reason)

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


_READERS: dict[str, Any] = {
    "say": _say,
    "intent": _intent,
    "cue": lambda d: CueEvent(_turn(d), _choice(d, "kind", m.CUE_KINDS), _field(d, "text", str)),
    "concern": _concern,
    "assess": _assess,
    "verdict": lambda d: VerdictEvent(
        _turn(d), _choice(d, "outcome", m.OUTCOMES), _field(d, "score", int)
    ),
    "end": lambda d: EndEvent(_turn(d), _choice(d, "reason", m.END_REASONS)),
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
