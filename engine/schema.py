"""The scenario format's shape as data: one source of truth for the loader's structural checks
and for the JSON Schema that editors use (`json_schema()`, printed by `closer schema`). Each node
type checks a `Y` value and reports diagnostics, and describes itself as JSON Schema."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.errors import Diagnostic
from engine.source import Y

Report = Callable[[Diagnostic], None]
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
ID_RE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
MAX_TEXT = 2000
MAX_LIST = 500
MAX_UNKNOWN = 10  # unknown keys reported one by one per mapping; the rest are counted
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
JSON = dict[str, Any]


class T:
    """A type in the format. `check` reports problems; `describe` names it for messages."""

    def check(self, y: Y, report: Report) -> None:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def to_json_schema(self) -> JSON:
        """The same shape as a JSON Schema (draft 2020-12) fragment."""
        raise NotImplementedError


def _wrong(y: Y, expected: str, report: Report) -> None:
    got = y.kind if y.kind != "string" else f"string {_short(y.v)!r}"
    report(Diagnostic(y.span, "E030", f"expected {expected}, got {got}"))


def _short(s: object) -> str:
    text = str(s)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True, eq=False, repr=False)
class Str(T):
    pattern: re.Pattern[str] | None = None
    what: str = "a string"

    def check(self, y: Y, report: Report) -> None:
        if not isinstance(y.v, str):
            _wrong(y, self.what, report)
        elif not y.v.strip():
            report(Diagnostic(y.span, "E031", "empty text", "write something or remove the key"))
        elif len(y.v) > MAX_TEXT:
            report(Diagnostic(y.span, "E032", f"text longer than {MAX_TEXT} characters"))
        elif self.pattern is not None and not self.pattern.match(y.v):
            report(Diagnostic(y.span, "E033", f"{y.v!r} is not {self.what}"))

    def describe(self) -> str:
        return self.what

    def to_json_schema(self) -> JSON:
        # not blank (E031): a non-space character; a name's pattern already implies one
        pattern = self.pattern.pattern if self.pattern is not None else r"\S"
        return {"type": "string", "minLength": 1, "maxLength": MAX_TEXT, "pattern": pattern}


@dataclass(frozen=True, eq=False, repr=False)
class Int(T):
    lo: int
    hi: int

    def check(self, y: Y, report: Report) -> None:
        if isinstance(y.v, bool) or not isinstance(y.v, int):
            _wrong(y, self.describe(), report)
        elif not self.lo <= y.v <= self.hi:
            report(Diagnostic(y.span, "E034", f"{y.v} is out of range {self.lo}..{self.hi}"))

    def describe(self) -> str:
        return f"a whole number from {self.lo} to {self.hi}"

    def to_json_schema(self) -> JSON:
        return {"type": "integer", "minimum": self.lo, "maximum": self.hi}


@dataclass(frozen=True, eq=False, repr=False)
class Num(T):
    lo: float
    hi: float

    def check(self, y: Y, report: Report) -> None:
        if isinstance(y.v, bool) or not isinstance(y.v, (int, float)):
            _wrong(y, self.describe(), report)
        elif not self.lo <= y.v <= self.hi:
            report(Diagnostic(y.span, "E034", f"{y.v} is out of range {self.lo}..{self.hi}"))

    def describe(self) -> str:
        return f"a number from {self.lo:g} to {self.hi:g}"

    def to_json_schema(self) -> JSON:
        return {"type": "number", "minimum": self.lo, "maximum": self.hi}


@dataclass(frozen=True, eq=False, repr=False)
class Bool(T):
    def check(self, y: Y, report: Report) -> None:
        if not isinstance(y.v, bool):
            _wrong(y, "true or false", report)

    def describe(self) -> str:
        return "true or false"

    def to_json_schema(self) -> JSON:
        return {"type": "boolean"}


@dataclass(frozen=True, eq=False, repr=False)
class Scalar(T):
    def check(self, y: Y, report: Report) -> None:
        if y.kind in ("mapping", "list", "null"):
            _wrong(y, self.describe(), report)

    def describe(self) -> str:
        return "a string, number or true/false"

    def to_json_schema(self) -> JSON:
        return {"type": ["string", "number", "boolean"]}


@dataclass(frozen=True, eq=False, repr=False)
class ListOf(T):
    item: T
    min: int = 0

    def check(self, y: Y, report: Report) -> None:
        if not isinstance(y.v, list):
            _wrong(y, self.describe(), report)
            return
        if len(y.v) < self.min:
            report(Diagnostic(y.span, "E035", f"needs at least {self.min} item(s)"))
        if len(y.v) > MAX_LIST:
            report(Diagnostic(y.span, "E036", f"more than {MAX_LIST} items"))
            return
        for item in y.v:
            self.item.check(item, report)

    def describe(self) -> str:
        return f"a list of {self.item.describe()}"

    def to_json_schema(self) -> JSON:
        out: JSON = {"type": "array", "items": self.item.to_json_schema(), "maxItems": MAX_LIST}
        if self.min:
            out["minItems"] = self.min
        return out


@dataclass(frozen=True, eq=False, repr=False)
class Lines(T):
    """One line, or a list of variants the session picks from at random."""

    def check(self, y: Y, report: Report) -> None:
        if isinstance(y.v, str):
            Str().check(y, report)
        elif isinstance(y.v, list):
            ListOf(Str(), min=1).check(y, report)
        else:
            _wrong(y, self.describe(), report)

    def describe(self) -> str:
        return "a line of text or a list of variants"

    def to_json_schema(self) -> JSON:
        return {"anyOf": [Str().to_json_schema(), ListOf(Str(), min=1).to_json_schema()]}


@dataclass(frozen=True, eq=False, repr=False)
class MapOf(T):
    value: T
    key: re.Pattern[str] = NAME_RE

    def check(self, y: Y, report: Report) -> None:
        if not isinstance(y.v, dict):
            _wrong(y, self.describe(), report)
            return
        if len(y.v) > MAX_LIST:
            report(Diagnostic(y.span, "E036", f"more than {MAX_LIST} entries"))
            return
        for k, v in y.items():
            if not self.key.match(k):
                report(
                    Diagnostic(
                        y.key_spans[k],
                        "E037",
                        f"{k!r} is not a valid name",
                        "use lower-case letters, digits and _",
                    )
                )
            self.value.check(v, report)

    def describe(self) -> str:
        return f"a mapping of names to {self.value.describe()}"

    def to_json_schema(self) -> JSON:
        return {
            "type": "object",
            "propertyNames": {"pattern": self.key.pattern},
            "additionalProperties": self.value.to_json_schema(),
            "maxProperties": MAX_LIST,
        }


@dataclass(frozen=True, eq=False, repr=False)
class F:
    """A field of a record."""

    type: T
    required: bool = False
    doc: str = ""


@dataclass(frozen=True, eq=False, repr=False)
class Rec(T):
    name: str
    fields: dict[str, F] = field(default_factory=dict)

    def check(self, y: Y, report: Report) -> None:
        if not isinstance(y.v, dict):
            _wrong(y, self.describe(), report)
            return
        unknown = 0
        for k, v in y.items():
            f = self.fields.get(k)
            if f is None:
                unknown += 1
                if unknown > MAX_UNKNOWN:
                    continue
                close = difflib.get_close_matches(k, list(self.fields), n=1)
                hint = (
                    f"did you mean {close[0]!r}?"
                    if close
                    else ("known keys: " + ", ".join(self.fields))
                )
                report(
                    Diagnostic(y.key_spans[k], "E040", f"unknown key {k!r} in {self.name}", hint)
                )
            else:
                f.type.check(v, report)
        if unknown > MAX_UNKNOWN:
            report(
                Diagnostic(
                    y.span, "E040", f"{unknown - MAX_UNKNOWN} more unknown keys in {self.name}"
                )
            )
        for k, f in self.fields.items():
            if f.required and k not in y.v:
                report(
                    Diagnostic(y.span, "E041", f"{self.name} is missing required key {k!r}", f.doc)
                )

    def describe(self) -> str:
        return f"a mapping ({self.name})"

    def to_json_schema(self) -> JSON:
        properties = {}
        for k, f in self.fields.items():
            prop = f.type.to_json_schema()
            prop["description"] = f.doc or f.type.describe()
            properties[k] = prop
        out: JSON = {
            "type": "object",
            "title": self.name,
            "properties": properties,
            "additionalProperties": False,
        }
        required = [k for k, f in self.fields.items() if f.required]
        if required:
            out["required"] = required
        return out


@dataclass(frozen=True, eq=False, repr=False)
class Either(T):
    """A line list or a record: chosen by whether the value is a mapping."""

    plain: T
    record: Rec

    def check(self, y: Y, report: Report) -> None:
        (self.record if isinstance(y.v, dict) else self.plain).check(y, report)

    def describe(self) -> str:
        return f"{self.plain.describe()} or {self.record.describe()}"

    def to_json_schema(self) -> JSON:
        return {
            "if": {"type": "object"},
            "then": self.record.to_json_schema(),
            "else": self.plain.to_json_schema(),
        }


# ---- the format ---------------------------------------------------------------------------

NAME = Str(NAME_RE, "a name (lower-case letters, digits and _)")
PATTERNS = ListOf(Str(what="a pattern"), min=1)
TEXT = Str()
LINES = Lines()

NEED = Rec(
    "need",
    {
        "all": F(ListOf(NAME, min=1), doc="every one of these evidence groups"),
        "count": F(Int(1, 50), doc="at least this many groups"),
    },
)

STYLE = Rec(
    "persona.style",
    {
        "acknowledgements": F(LINES, True, "short neutral replies: 'Okay.', 'Got it.'"),
        "hesitation": F(LINES, True, "the stage direction when there is a concern"),
        "hesitation_pause": F(Num(0, 10), doc="seconds of pause on hesitation (default 1.5)"),
        "no_concerns": F(LINES, True, "the quick, positive answer when there is no concern"),
        "nothing_else": F(LINES),
        "defer_closing": F(LINES),
        "defer_question": F(LINES),
        "how_did_i_do": F(LINES),
        "unknown_question": F(LINES),
        "not_quite": F(LINES),
        "already_said": F(LINES),
        "fallback": F(LINES),
        "confirm_resolved": F(LINES),
        "confirm_partial": F(LINES),
        "confirm_unresolved": F(LINES),
        "out_of_time": F(LINES),
        "your_turn": F(LINES),
    },
)

PERSONA = Rec(
    "persona",
    {
        "name": F(TEXT, True),
        "role": F(TEXT, True),
        "company": F(TEXT, True),
        "style": F(STYLE, True),
    },
)

CANDIDATE = Rec(
    "candidate",
    {
        "name": F(TEXT, True, "the name the player plays"),
        "background": F(ListOf(TEXT, min=1), True, "facts told to the player at the start"),
        "facts": F(MapOf(Scalar())),
    },
)

INTENT = Rec(
    "intent",
    {
        "patterns": F(PATTERNS, True),
        "priority": F(Int(-100, 100)),
        "replace": F(Bool(), doc="replace the library's patterns instead of adding to them"),
        "examples": F(ListOf(TEXT)),
    },
)

RULE = Rec(
    "rule",
    {
        "when": F(PATTERNS, True, "patterns over the answer"),
        "say": F(LINES),
        "goto": F(NAME),
    },
)

QUESTION = Rec(
    "question",
    {
        "id": F(NAME, True),
        "ask": F(LINES, True),
        "rephrase": F(LINES),
        "follow_up": F(LINES),
        "follow_up_if": F(
            Str(re.compile(r"^(missing_specifics|always)$"), "missing_specifics or always")
        ),
        "rules": F(ListOf(RULE)),
    },
)

ANSWER = Either(LINES, Rec("answer", {"say": F(LINES, True), "clue": F(NAME)}))

FLOW = Rec(
    "flow",
    {
        "opening": F(Rec("flow.opening", {"say": F(LINES, True), "reply": F(LINES)}), True),
        "questions": F(ListOf(QUESTION, min=1), True),
        "candidate_questions": F(
            Rec(
                "flow.candidate_questions",
                {
                    "prompt": F(LINES, True),
                    "answers": F(MapOf(ANSWER), True),
                },
            ),
            True,
        ),
        "closing": F(Rec("flow.closing", {"say": F(LINES, True)}), True),
    },
)

GROUP = Rec("evidence group", {"label": F(TEXT, True), "patterns": F(PATTERNS, True)})

CONCERN = Rec(
    "concern",
    {
        "id": F(NAME, True),
        "title": F(TEXT, True),
        "severity": F(Int(1, 3), True, "1 minor, 2 real, 3 serious"),
        "source": F(
            Str(
                re.compile(r"^(background|said|theme|misunderstanding)$"),
                "background, said, theme or misunderstanding",
            ),
            True,
        ),
        "order": F(Int(0, 100)),
        "probes": F(Int(0, 3)),
        "preempt": F(Bool()),
        "when_fact": F(NAME),
        "triggers": F(PATTERNS),
        "during": F(ListOf(NAME, min=1)),
        "theme": F(
            Rec(
                "theme",
                {
                    "patterns": F(PATTERNS, True),
                    "at_least": F(Int(1, 50), True),
                    "counter": F(PATTERNS),
                    "at_most": F(Int(0, 50)),
                },
            )
        ),
        "thought": F(TEXT, True, "what the interviewer thinks but does not say"),
        "vague": F(LINES, True),
        "specific": F(LINES, True),
        "evidence": F(
            Rec(
                "evidence",
                {
                    "groups": F(MapOf(GROUP), True),
                    "resolve": F(NEED, True),
                    "partial": F(NEED),
                },
            ),
            True,
        ),
        "worsened_by": F(PATTERNS),
        "replies": F(
            Rec(
                "concern.replies",
                {
                    "resolved": F(LINES),
                    "partly_resolved": F(LINES),
                    "worsened": F(LINES),
                    "unresolved": F(LINES),
                },
            )
        ),
    },
)

SCENARIO = Rec(
    "scenario",
    {
        "closer": F(Int(1, 1), True, "the format version: `closer: 1`"),
        "id": F(Str(ID_RE, "an id (lower-case letters, digits, - and _)"), True),
        "title": F(TEXT, True),
        "description": F(TEXT),
        "position": F(TEXT, True),
        "persona": F(PERSONA, True),
        "candidate": F(CANDIDATE, True),
        "word_sets": F(MapOf(ListOf(TEXT, min=1))),
        "intents": F(MapOf(INTENT)),
        "markers": F(MapOf(PATTERNS)),
        "flow": F(FLOW, True),
        "concerns": F(ListOf(CONCERN)),
        "verdict": F(
            Rec(
                "verdict",
                {
                    "baseline": F(Int(0, 100)),
                    "advance": F(Int(0, 100)),
                    "undecided": F(Int(0, 100)),
                },
            )
        ),
        "max_turns": F(Int(5, 500)),
    },
)

LIBRARY = Rec(
    "library",
    {
        "closer": F(Int(1, 1), True),
        "library": F(NAME, True),
        "word_sets": F(MapOf(ListOf(TEXT))),
        "intents": F(MapOf(INTENT), True),
        "markers": F(MapOf(PATTERNS)),
        "style": F(STYLE),
    },
)


BEYOND_STRUCTURE = (
    " This schema checks structure only: keys, types, required keys, lengths and ranges (the"
    " loader's codes E030 to E041). `closer validate` also checks what a schema cannot: patterns,"
    " placeholders, references between parts of the file (goto, during, clue, when_fact, evidence"
    " groups), duplicate ids, which keys fit a concern's source, and the verdict thresholds."
    " Generated from engine/schema.py by `closer schema`."
)


def json_schema(library: bool = False) -> JSON:
    """The scenario format (or, with `library`, the intent-library format) as a JSON Schema
    document, draft 2020-12: built from the same types the loader checks with."""
    if library:
        head: JSON = {
            "$id": "urn:closer:schema:library:1",
            "title": "Closer intent library, format 1",
            "description": "A Closer intent library (like scenarios/library/standard.yaml)."
            + BEYOND_STRUCTURE,
        }
        body = LIBRARY.to_json_schema()
    else:
        head = {
            "$id": "urn:closer:schema:scenario:1",
            "title": "Closer scenario, format 1",
            "description": "An interviewer persona for Closer: see docs/scenario-format.md."
            + BEYOND_STRUCTURE,
        }
        body = SCENARIO.to_json_schema()
    body.pop("title")
    return {"$schema": JSON_SCHEMA_DIALECT, **head, **body}
