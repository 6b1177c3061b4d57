"""The scenario as frozen values: what the loader builds and the compiler reads. No logic here,
beyond a concern listing its own patterns."""

# No `from __future__ import annotations` here: a NamedTuple's annotations written as text are
# each compiled to a ForwardRef when the class is made, at every start (tests/test_startup.py)
from collections.abc import Callable, Iterator
from typing import Literal, NamedTuple

from closer.engine.errors import Span
from closer.engine.format.patterns import Pattern

Lines = tuple[str, ...]
Source = Literal["background", "said", "theme", "misunderstanding"]
PatternKind = Literal["trigger", "theme", "counter", "evidence", "worsened_by", "about"]
Fact = bool | int | float | str

PHASES = ("opening", "questions", "candidate_questions", "closing", "ended")
# the questions of the article (M9): W105 warns about each one a persona does not answer
CORE_QUESTIONS = (
    "ask_why_open", "ask_new_or_replacement", "ask_expectations", "ask_long_term",
    "ask_next_steps", "ask_start_date",
)  # fmt: skip
# the other questions candidates commonly ask: W112 names those a persona does not answer
COMMON_QUESTIONS = (
    "ask_onboarding", "ask_team", "ask_typical_day", "ask_culture", "ask_challenges",
    "ask_schedule", "ask_remote", "ask_pay", "ask_like_working_here",
)  # fmt: skip
CANDIDATE_QUESTIONS = CORE_QUESTIONS + COMMON_QUESTIONS
STANDARD_INTENTS = (
    "closing_question", "probe", "anything_else", "confirm", "clarify", "acknowledge",
    "how_did_i_do", *CANDIDATE_QUESTIONS, "no_questions", "goodbye",
)  # fmt: skip
MARKERS = (
    "chance", "defensive", "specifics", "nerves", "bad_day", "hardship", "example", "result",
    "evasive",
)  # fmt: skip
# the feelings a line can carry, most serious first (each is a marker, and a `tone` of the intent
# event)
TONES = ("hardship", "nerves", "bad_day")
# the transcript's vocabulary (docs/transcript.md); "inactive" is a concern before anything
# happened to it, never an event
STATUSES = (
    "inactive", "raised", "hinted", "revealed", "partly_resolved", "resolved", "preempted",
    "worsened",
)  # fmt: skip
OUTCOMES = ("advance", "undecided", "reject")
DIFFICULTIES = ("easy", "medium", "hard")  # a scenario's `difficulty`, shown by closer list
END_REASONS = ("completed", "quit", "eof", "interrupted")
CUE_KINDS = ("hesitation", "quick")
# what an answer can show, and what counts against it (the `assess` event; docs/transcript.md)
QUALITIES = ("example", "numbers", "ownership", "result", "on_topic")
FLAGS = ("evasive", "thin", "only_we", "off_topic", "red_flag")
DEFAULT_WANTS = ("example", "ownership")  # what a question without `rubric.wants` wants most


class Pat:
    """A compiled pattern and where it was written. A pattern of the shipped library is compiled
    the first time it is read (`Pat.later`): `closer play` shows its first line before any."""

    __slots__ = ("_make", "_pattern", "source", "span", "waiting")

    def __init__(self, pattern: Pattern, span: Span) -> None:
        self._pattern: Pattern | None = pattern
        self._make: Callable[[], Pattern] | None = None
        self.source = pattern.source
        self.span = span
        # a library pattern left to compile: at least what all the library intents' patterns
        # cost a line together, with their placing, read from their text (the loader's E062
        # bound; lint's W108 budget need not compile them); else 0
        self.waiting = 0

    @classmethod
    def later(cls, source: str, make: Callable[[], Pattern], span: Span) -> "Pat":
        """A pattern that `make` compiles when it is first read (it must not fail)."""
        pat = cls.__new__(cls)
        pat._pattern, pat._make, pat.source, pat.span = None, make, source, span
        pat.waiting = 0
        return pat

    @property
    def pattern(self) -> Pattern:
        found = self._pattern
        if found is None:
            assert self._make is not None
            found = self._pattern = self._make()
            self._make = None
        return found

    @property
    def compiled(self) -> bool:
        """Whether the pattern has been compiled yet."""
        return self._pattern is not None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Pat):
            return NotImplemented
        return self.span == other.span and self.pattern == other.pattern

    def __hash__(self) -> int:
        return hash((self.source, self.span))

    def __repr__(self) -> str:
        return f"Pat({self.source!r}, {self.span!r})"


class Intent(NamedTuple):
    id: str
    patterns: tuple[Pat, ...]
    priority: int
    span: Span
    examples: tuple[str, ...] = ()


class Style(NamedTuple):
    acknowledgements: Lines
    hesitation: Lines
    hesitation_pause: float
    no_concerns: Lines
    nothing_else: Lines
    defer_closing: Lines
    defer_question: Lines
    how_did_i_do: Lines
    unknown_question: Lines
    not_quite: Lines
    already_said: Lines
    fallback: Lines
    confirm_resolved: Lines
    confirm_partial: Lines
    confirm_unresolved: Lines
    out_of_time: Lines
    your_turn: Lines
    get_started: Lines
    small_talk_back: Lines
    reassure: Lines
    sympathy: Lines
    sympathy_light: Lines
    repair_ask: Lines
    repair_hint: Lines
    repair_move_on: Lines
    move_on_question: Lines
    plainly: Lines
    again: Lines
    answer_resolved: Lines
    answer_partial: Lines
    still_worried: Lines
    nudge: Lines


class Persona(NamedTuple):
    name: str
    role: str
    company: str
    style: Style


class Candidate(NamedTuple):
    name: str
    background: tuple[str, ...]
    facts: tuple[tuple[str, Fact], ...]


class Rule(NamedTuple):
    patterns: tuple[Pat, ...]
    say: Lines
    goto: str | None
    span: Span
    goto_span: Span | None = None


class Rubric(NamedTuple):
    """How answers to a question are judged: what they are about (`topic`; none: the words of
    the question) and which qualities (`QUALITIES`) the question wants most."""

    topic: tuple[Pat, ...] = ()
    wants: tuple[str, ...] = DEFAULT_WANTS


class Question(NamedTuple):
    id: str
    ask: Lines
    rephrase: Lines
    follow_up: Lines
    follow_up_if: Literal[
        "missing_specifics", "always", "missing_result", "missing_numbers", "told_a_story"
    ]
    rules: tuple[Rule, ...]
    span: Span
    rubric: Rubric = Rubric()
    follow_up_rephrase: Lines = ()

    def again(self, follow_up: bool) -> Lines:
        """What is said when the question (or, `follow_up`, its follow-up, the last thing
        asked) is asked again in other words: its rephrase, or the same words."""
        if follow_up and self.follow_up:
            return self.follow_up_rephrase or self.follow_up
        return self.rephrase or self.ask


class Answer(NamedTuple):
    intent: str
    say: Lines
    clue: str | None
    span: Span


class Flow(NamedTuple):
    opening: Lines
    opening_reply: Lines
    questions: tuple[Question, ...]
    cq_prompt: Lines
    answers: tuple[Answer, ...]
    closing: Lines
    spans: tuple[tuple[str, Span], ...] = ()  # where each flow section starts (for coverage)


class Group(NamedTuple):
    id: str
    label: str
    patterns: tuple[Pat, ...]


class Need(NamedTuple):
    """Satisfied when every group in `all` is hit and at least `at_least` groups are hit."""

    all: tuple[str, ...] = ()
    at_least: int = 0

    def met(self, hit: frozenset[str] | set[str]) -> bool:
        return (
            bool(self.all or self.at_least) and set(self.all) <= hit and len(hit) >= self.at_least
        )


class Theme(NamedTuple):
    patterns: tuple[Pat, ...]
    at_least: int
    counter: tuple[Pat, ...]
    at_most: int


class Concern(NamedTuple):
    id: str
    title: str
    severity: int
    source: Source
    order: int
    probes: int
    preempt: bool
    when_fact: str | None
    triggers: tuple[Pat, ...]
    during: tuple[str, ...]
    theme: Theme | None
    thought: str
    vague: Lines
    specific: Lines
    groups: tuple[Group, ...]
    resolve: Need
    partial: Need
    worsened_by: tuple[Pat, ...]
    resolved: Lines
    partly_resolved: Lines
    worsened: Lines
    unresolved: Lines
    span: Span
    about: tuple[Pat, ...] = ()  # a guess that names it ("is it my job changes?")

    def patterns(self) -> Iterator[tuple[PatternKind, str | None, Pat]]:
        """Every pattern of this concern as (kind, evidence group or None, pattern)."""
        for p in self.triggers:
            yield "trigger", None, p
        if self.theme is not None:
            yield from (("theme", None, p) for p in self.theme.patterns)
            yield from (("counter", None, p) for p in self.theme.counter)
        for g in self.groups:
            yield from (("evidence", g.id, p) for p in g.patterns)
        for p in self.worsened_by:
            yield "worsened_by", None, p
        for p in self.about:
            yield "about", None, p


class WordSet(NamedTuple):
    """A word set as the scenario writes it: its entries and where each is. `widens` is true
    when the shared library has a set of that name, which these entries add to."""

    name: str
    entries: tuple[tuple[str, Span], ...]
    widens: bool


class Verdict(NamedTuple):
    baseline: int = 80
    advance: int = 70
    undecided: int = 50
    answers: int = 25  # the most the answers move the score, up or down (docs: "The verdict")


class Scenario(NamedTuple):
    id: str
    title: str
    description: str
    position: str
    persona: Persona
    candidate: Candidate
    intents: tuple[Intent, ...]
    markers: tuple[tuple[str, tuple[Pat, ...]], ...]
    flow: Flow
    concerns: tuple[Concern, ...]
    verdict: Verdict
    max_turns: int
    path: str
    sha256: str
    word_sets: tuple[WordSet, ...] = ()  # the scenario's own, for lint (the library's are tested)
    difficulty: str = ""  # easy, medium or hard; "" when the file does not say
