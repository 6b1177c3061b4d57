"""The scenario format's shape as data: one source of truth for the loader's structural checks
and for the JSON Schema that editors use (`json_schema()`, printed by `closer schema`). Each node
type checks a `Y` value and reports diagnostics, and describes itself as JSON Schema."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from closer.engine.errors import Diagnostic, suggest
from closer.engine.format.model import DIFFICULTIES, QUALITIES
from closer.engine.format.source import Y

Report = Callable[[Diagnostic], None]
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
ID_RE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
MAX_TEXT = 2000
MAX_LIST = 500
MAX_QUESTIONS = 1000  # a long generated interview is still a reasonable file (bench/validate.py)
MAX_UNKNOWN = 10  # unknown keys reported one by one per mapping; the rest are counted
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
JSON = dict[str, Any]


class T:
    """A type in the format. `check` reports problems; `describe` names it for messages. (Plain
    classes, not dataclasses: the loader imports a dozen of them, and each dataclass costs a
    start about half a millisecond to make.)"""

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


class Str(T):
    def __init__(
        self,
        pattern: re.Pattern[str] | None = None,
        what: str = "a string",
        max_len: int
        | None = MAX_TEXT,  # None: any length (a test's pasted line; the file is bounded)
    ) -> None:
        self.pattern = pattern
        self.what = what
        self.max_len = max_len

    def check(self, y: Y, report: Report) -> None:
        if not isinstance(y.v, str):
            _wrong(y, self.what, report)
        elif not y.v.strip():
            report(Diagnostic(y.span, "E031", "empty text", "write something or remove the key"))
        elif self.max_len is not None and len(y.v) > self.max_len:
            report(Diagnostic(y.span, "E032", f"text longer than {self.max_len} characters"))
        elif self.pattern is not None and not self.pattern.fullmatch(y.v):
            report(Diagnostic(y.span, "E033", f"{y.v!r} is not {self.what}"))

    def describe(self) -> str:
        return self.what

    def to_json_schema(self) -> JSON:
        # not blank (E031): a non-space character; a name's pattern already implies one
        pattern = self.pattern.pattern if self.pattern is not None else r"\S"
        out: JSON = {"type": "string", "minLength": 1, "pattern": pattern}
        if self.max_len is not None:
            out["maxLength"] = self.max_len
        return out


class Int(T):
    def __init__(self, lo: int, hi: int) -> None:
        self.lo = lo
        self.hi = hi

    def check(self, y: Y, report: Report) -> None:
        if isinstance(y.v, bool) or not isinstance(y.v, int):
            _wrong(y, self.describe(), report)
        elif not self.lo <= y.v <= self.hi:
            report(Diagnostic(y.span, "E034", f"{y.v} is out of range {self.lo}..{self.hi}"))

    def describe(self) -> str:
        return f"a whole number from {self.lo} to {self.hi}"

    def to_json_schema(self) -> JSON:
        return {"type": "integer", "minimum": self.lo, "maximum": self.hi}


class Num(T):
    def __init__(self, lo: float, hi: float) -> None:
        self.lo = lo
        self.hi = hi

    def check(self, y: Y, report: Report) -> None:
        if isinstance(y.v, bool) or not isinstance(y.v, (int, float)):
            _wrong(y, self.describe(), report)
        elif not self.lo <= y.v <= self.hi:
            report(Diagnostic(y.span, "E034", f"{y.v} is out of range {self.lo}..{self.hi}"))

    def describe(self) -> str:
        return f"a number from {self.lo:g} to {self.hi:g}"

    def to_json_schema(self) -> JSON:
        return {"type": "number", "minimum": self.lo, "maximum": self.hi}


class Bool(T):
    def check(self, y: Y, report: Report) -> None:
        if not isinstance(y.v, bool):
            _wrong(y, "true or false", report)

    def describe(self) -> str:
        return "true or false"

    def to_json_schema(self) -> JSON:
        return {"type": "boolean"}


class Scalar(T):
    def check(self, y: Y, report: Report) -> None:
        if y.kind in ("mapping", "list", "null"):
            _wrong(y, self.describe(), report)

    def describe(self) -> str:
        return "a string, number or true/false"

    def to_json_schema(self) -> JSON:
        # anyOf rather than a type list: strict validators (Ajv) refuse union types
        return {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]}


class ListOf(T):
    def __init__(self, item: T, min: int = 0, max: int = MAX_LIST) -> None:
        self.item = item
        self.min = min
        self.max = max

    def check(self, y: Y, report: Report) -> None:
        if not isinstance(y.v, list):
            _wrong(y, self.describe(), report)
            return
        if len(y.v) < self.min:
            report(Diagnostic(y.span, "E035", f"needs at least {self.min} item(s)"))
        if len(y.v) > self.max:
            report(Diagnostic(y.span, "E036", f"more than {self.max} items"))
            return
        item_type = self.item
        if type(item_type) is Str and item_type.pattern is None:
            # `Str.check`'s passing case written out (a list of thousands of patterns); any
            # other item is checked by it, which reports it
            limit = item_type.max_len
            for item in y.v:
                v = item.v
                if type(v) is not str or not v.strip() or (limit is not None and len(v) > limit):
                    item_type.check(item, report)
            return
        for item in y.v:
            item_type.check(item, report)

    def describe(self) -> str:
        return f"a list of {self.item.describe()}"

    def to_json_schema(self) -> JSON:
        out: JSON = {"type": "array", "items": self.item.to_json_schema(), "maxItems": self.max}
        if self.min:
            out["minItems"] = self.min
        return out


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


class MapOf(T):
    def __init__(self, value: T, key: re.Pattern[str] = NAME_RE) -> None:
        self.value = value
        self.key = key

    def check(self, y: Y, report: Report) -> None:
        if not isinstance(y.v, dict):
            _wrong(y, self.describe(), report)
            return
        if len(y.v) > MAX_LIST:
            report(Diagnostic(y.span, "E036", f"more than {MAX_LIST} entries"))
            return
        for k, v in y.items():
            if not self.key.fullmatch(k):
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


class F:
    """A field of a record."""

    def __init__(self, type: T, required: bool = False, doc: str = "") -> None:
        self.type = type
        self.required = required
        self.doc = doc


class Rec(T):
    def __init__(self, name: str, fields: dict[str, F] | None = None) -> None:
        self.name = name
        self.fields: dict[str, F] = {} if fields is None else fields

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
                hint = suggest(k, self.fields) or "known keys: " + ", ".join(self.fields)
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


class Either(T):
    """A line list or a record: chosen by whether the value is a mapping."""

    def __init__(self, plain: T, record: Rec) -> None:
        self.plain = plain
        self.record = record

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
# Each field's `doc` is the hint when a required key is missing (E041) and the description an
# editor shows for the key (JSON Schema). Sections are those of docs/scenario-format.md.

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
        "nothing_else": F(LINES, doc="the answer to 'anything else?' when nothing more is pending"),
        "defer_closing": F(LINES, doc="the closing question asked too early"),
        "defer_question": F(LINES, doc="a candidate question asked during a question"),
        "how_did_i_do": F(LINES, doc="the polite non-answer to 'how did I do?'"),
        "unknown_question": F(LINES, doc="a candidate question this scenario has no answer for"),
        "not_quite": F(LINES, doc="a concern answered before its specific line was said"),
        "already_said": F(LINES, doc="a probe after the specific line was said"),
        "fallback": F(LINES, doc="an unrecognised line after the interviewer has nothing (more)"),
        "confirm_resolved": F(LINES, doc="'does that address your concern?' when it does"),
        "confirm_partial": F(LINES, doc="... when it partly does; may use {missing}"),
        "confirm_unresolved": F(LINES, doc="... when it does not; may use {missing}"),
        "out_of_time": F(LINES, doc="said when max_turns is reached"),
        "your_turn": F(LINES, doc="'anything else?' and the like before the closing question"),
        "get_started": F(LINES, doc="moving on to the questions after a fitting word on feelings"),
        "small_talk_back": F(LINES, doc="the answer to 'and you?' in the small talk"),
        "reassure": F(LINES, doc="to a candidate who says they are nervous"),
        "sympathy": F(LINES, doc="to something hard: an illness, a loss, a layoff"),
        "sympathy_light": F(LINES, doc="to a bad journey or a rough morning"),
        "repair_ask": F(LINES, doc="asking what the candidate meant (a line not understood)"),
        "repair_hint": F(LINES, doc="after a probe with nothing more to say; may use {missing}"),
        "repair_move_on": F(LINES, doc="moving on gracefully when still not understood"),
        "move_on_question": F(LINES, doc="moving past a question the candidate asked about twice"),
        "plainly": F(LINES, doc="said before spelling a concern out when probes went astray"),
        "again": F(LINES, doc="put before a line said again straight after itself: 'As I said:'"),
        "answer_resolved": F(LINES, doc="an answer settles a concern with no replies.resolved"),
        "answer_partial": F(
            LINES, doc="an answer partly settles one with no replies.partly_resolved; {missing}"
        ),
        "still_worried": F(
            LINES, doc="all the evidence is in, but what made it worse still stands"
        ),
        "nudge": F(LINES, doc="before a question asked again after a dodge: 'Take your time.'"),
    },
)

PERSONA = Rec(
    "persona",
    {
        "name": F(TEXT, True, "the interviewer's full name; fills {persona.name}"),
        "role": F(TEXT, True, "the interviewer's job title; fills {persona.role}"),
        "company": F(TEXT, True, "the company's name; fills {persona.company}"),
        "style": F(STYLE, True, "the interviewer's stock lines; see scenario-format.md 3.3"),
    },
)

CANDIDATE = Rec(
    "candidate",
    {
        "name": F(TEXT, True, "the name the player plays"),
        "background": F(ListOf(TEXT, min=1), True, "facts told to the player at the start"),
        "facts": F(MapOf(Scalar()), doc="named facts about the candidate, for when_fact"),
    },
)

INTENT = Rec(
    "intent",
    {
        "patterns": F(PATTERNS, True, "what the player might type; see scenario-format.md 4"),
        "priority": F(Int(-100, 100), doc="breaks ties between intents scoring the same"),
        "replace": F(Bool(), doc="replace the library's patterns instead of adding to them"),
        "examples": F(ListOf(TEXT), doc="sample phrasings, for documentation and tests"),
    },
)

RULE = Rec(
    "rule",
    {
        "when": F(PATTERNS, True, "patterns over the answer"),
        "say": F(LINES, doc="the interviewer's reply (default: an acknowledgement)"),
        "goto": F(NAME, doc="the question to go to next, or candidate_questions"),
    },
)

QUALITY = Str(re.compile("^(" + "|".join(QUALITIES) + ")$"), ", ".join(QUALITIES))
RUBRIC = Rec(
    "rubric",
    {
        "topic": F(PATTERNS, doc="patterns: an answer matching one is on the question's theme"),
        "wants": F(
            ListOf(QUALITY, min=1, max=len(QUALITIES)),
            doc="the qualities that weigh double: " + ", ".join(QUALITIES),
        ),
    },
)

QUESTION = Rec(
    "question",
    {
        "id": F(NAME, True, "a name for the question, unique in the file"),
        "ask": F(LINES, True, "the question"),
        "rephrase": F(LINES, doc="said when the player asks 'what do you mean?'"),
        "follow_up": F(LINES, doc="a follow-up question, asked at most once"),
        "follow_up_rephrase": F(
            LINES, doc="said when the player asks 'what do you mean?' right after the follow-up"
        ),
        "follow_up_if": F(
            Str(
                re.compile(
                    r"^(missing_specifics|always|missing_result|missing_numbers|told_a_story)$"
                ),
                "missing_specifics, always, missing_result, missing_numbers or told_a_story",
            ),
            doc="when to ask the follow-up (default: missing_specifics; scenario-format.md 3.8)",
        ),
        "rules": F(
            ListOf(RULE), doc="special replies to particular answers; see scenario-format.md 3.8.3"
        ),
        "rubric": F(RUBRIC, doc="how answers are judged; see scenario-format.md 3.8.6"),
    },
)

ANSWER = Either(
    LINES,
    Rec(
        "answer",
        {
            "say": F(LINES, True, "the answer"),
            "clue": F(NAME, doc="the id of a concern this answer hints at"),
        },
    ),
)

FLOW = Rec(
    "flow",
    {
        "opening": F(
            Rec(
                "flow.opening",
                {
                    "say": F(LINES, True, "the interviewer's first words"),
                    "reply": F(LINES, doc="the reply to the player's first line"),
                },
            ),
            True,
            "the greeting; see scenario-format.md 3.8.1",
        ),
        "questions": F(
            ListOf(QUESTION, min=1, max=MAX_QUESTIONS),
            True,
            "the questions, in order; see scenario-format.md 3.8.2",
        ),
        "candidate_questions": F(
            Rec(
                "flow.candidate_questions",
                {
                    "prompt": F(LINES, True, "the invitation: 'What questions do you have?'"),
                    "answers": F(
                        MapOf(ANSWER), True, "answers to the player's questions, by intent"
                    ),
                },
            ),
            True,
            "the player's turn to ask; see scenario-format.md 3.8.4",
        ),
        "closing": F(
            Rec("flow.closing", {"say": F(LINES, True, "the interviewer's goodbye")}),
            True,
            "the goodbye; see scenario-format.md 3.8.5",
        ),
    },
)

GROUP = Rec(
    "evidence group",
    {
        "label": F(TEXT, True, "the evidence from the player's side, for the debrief"),
        "patterns": F(PATTERNS, True, "the group is hit when any of these matches"),
    },
)

CONCERN = Rec(
    "concern",
    {
        "id": F(NAME, True, "a name for the concern, unique in the file"),
        "title": F(TEXT, True, "a short title for the debrief"),
        "severity": F(Int(1, 3), True, "1 minor, 2 real, 3 serious"),
        "source": F(
            Str(
                re.compile(r"^(background|said|theme|misunderstanding)$"),
                "background, said, theme or misunderstanding",
            ),
            True,
            "where it comes from: background, said, theme or misunderstanding",
        ),
        "order": F(Int(0, 100), doc="lower comes up first at the closing question (default 0)"),
        "probes": F(Int(0, 3), doc="probes needed before the specific line (default 1)"),
        "preempt": F(Bool(), doc="evidence before the closing question defuses it (default true)"),
        "when_fact": F(NAME, doc="raised only if this candidate fact is true"),
        "triggers": F(
            PATTERNS, doc="what raises it (said, misunderstanding; on a theme: red flags)"
        ),
        "during": F(ListOf(NAME, min=1), doc="question ids during which triggers count"),
        "theme": F(
            Rec(
                "theme",
                {
                    "patterns": F(PATTERNS, True, "each pattern matching a line adds 1"),
                    "at_least": F(Int(1, 50), True, "raised when the count reaches this"),
                    "counter": F(PATTERNS, doc="signs of the opposite"),
                    "at_most": F(Int(0, 50), doc="counter matches allowed (default 0)"),
                },
            ),
            doc="the counting rule of a theme concern",
        ),
        "thought": F(TEXT, True, "what the interviewer thinks but does not say"),
        "vague": F(LINES, True, "the first, vague way it is brought up"),
        "specific": F(LINES, True, "the specific concern, said after probing"),
        "evidence": F(
            Rec(
                "evidence",
                {
                    "groups": F(MapOf(GROUP), True, "the kinds of evidence, by name"),
                    "resolve": F(NEED, True, "which groups together resolve it"),
                    "partial": F(NEED, doc="which groups partly resolve it"),
                },
            ),
            True,
            "what addresses it; see scenario-format.md 3.9",
        ),
        "worsened_by": F(PATTERNS, doc="what makes it worse"),
        "about": F(PATTERNS, doc="a guess that names it: such a probe brings the specific line"),
        "replies": F(
            Rec(
                "concern.replies",
                {
                    "resolved": F(LINES, doc="when an answer resolves it"),
                    "partly_resolved": F(LINES, doc="when an answer partly resolves it"),
                    "worsened": F(LINES, doc="when a defensive answer makes it worse"),
                    "unresolved": F(LINES, doc="when an answer does neither"),
                },
            ),
            doc="this concern's own replies to answers about it",
        ),
    },
)

SCENARIO = Rec(
    "scenario",
    {
        "closer": F(Int(1, 1), True, "the format version: `closer: 1`"),
        "id": F(
            Str(ID_RE, "an id (lower-case letters, digits, - and _)"),
            True,
            "the scenario's id, shown by closer list",
        ),
        "title": F(TEXT, True, "shown when play starts and by closer list"),
        "description": F(TEXT, doc="shown under the title when play starts"),
        "position": F(TEXT, True, "the job interviewed for; fills {position}"),
        "difficulty": F(
            Str(re.compile("^(" + "|".join(DIFFICULTIES) + ")$"), "easy, medium or hard"),
            doc="how hard the persona is to play well; shown by closer list",
        ),
        "persona": F(PERSONA, True, "the interviewer; see scenario-format.md 3.3"),
        "candidate": F(CANDIDATE, True, "the person the player plays; see scenario-format.md 3.4"),
        "word_sets": F(MapOf(ListOf(TEXT, min=1)), doc="named word lists, used as @name"),
        "intents": F(MapOf(INTENT), doc="new intents, or more patterns for the library's"),
        "markers": F(
            MapOf(PATTERNS),
            doc="more patterns for the markers (chance, defensive, specifics, example, ...)",
        ),
        "flow": F(
            FLOW,
            True,
            "opening, questions, candidate questions, closing; see scenario-format.md 3.8",
        ),
        "concerns": F(ListOf(CONCERN), doc="the hidden concerns; see scenario-format.md 3.9"),
        "verdict": F(
            Rec(
                "verdict",
                {
                    "baseline": F(Int(0, 100), doc="the score before deductions (default 80)"),
                    "advance": F(Int(0, 100), doc="at or above: advance (default 70)"),
                    "undecided": F(Int(0, 100), doc="at or above: undecided (default 50)"),
                    "answers": F(
                        Int(0, 100),
                        doc="the most the answers move the score, up or down (default 25)",
                    ),
                },
            ),
            doc="thresholds for the outcome; see scenario-format.md 3.10",
        ),
        "max_turns": F(Int(5, 500), doc="the most candidate lines in a session (default 80)"),
    },
)

LIBRARY = Rec(
    "library",
    {
        "closer": F(Int(1, 1), True, "the format version: `closer: 1`"),
        "library": F(NAME, True, "the library's name"),
        "word_sets": F(MapOf(ListOf(TEXT)), doc="named word lists, used as @name"),
        "intents": F(MapOf(INTENT), True, "the intents every scenario gets"),
        "markers": F(
            MapOf(PATTERNS),
            doc="patterns for the markers (chance, defensive, specifics, example, ...)",
        ),
        "style": F(STYLE, doc="the default interviewer lines"),
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
