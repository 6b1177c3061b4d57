"""The debrief, rebuilt from transcript events alone (plus the scenario for titles and lines).

Nothing here reads session internals: a saved transcript gives the same debrief as the live
session did, which is what `closer debrief TRANSCRIPT` relies on.

Every statement about the candidate is grounded in the transcript: it carries a `Quote` (the
candidate's own words, and the turn they were said in), and a tip is given only when what it
says is true of this transcript. This module builds the structured values; the wording is the
front end's (`closer.cli.debrief`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from closer.engine.format import model as m
from closer.engine.format.patterns import NUMBER_WORDS, Utterance, normalize
from closer.engine.runtime.events import (
    AssessEvent,
    ConcernEvent,
    CueEvent,
    EndEvent,
    Event,
    IntentEvent,
    SayEvent,
    VerdictEvent,
    interviewer_says,
)
from closer.engine.runtime.program import Program, looks_like_question

SURFACED = ("hinted", "revealed")
SETTLED = ("resolved", "preempted")
ELLIPSIS = "\u2026"
QUOTE_WORDS = 25  # the longest excerpt of a candidate line a debrief quotes
QUESTION_WORDS = 14  # the longest excerpt of an interviewer's question it names
WEAK_SHOWN = 3  # the weak answers a debrief names (the weakest), so it stays a coach's few points
# intents that steer the conversation rather than say something about the candidate: evidence
# is looked for in the other lines first (the session does not scan these for it)
MOVES = frozenset(
    {"closing_question", "anything_else", "probe", "confirm", "how_did_i_do", "goodbye"}
    | {"no_questions"}
)
_TOKEN = re.compile(r"\S+")
# a label's examples, which the candidate may not have given: a trailing "(a shutdown, ...)" or
# the list after a colon ("how you release safely: feature flags, canaries, rollbacks")
_EXAMPLES = re.compile(r"\s*\([^()]*\)\s*$|:\s[^:]*$")
_STOP = frozenset(
    {
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "had", "has",
    "have", "i", "in", "is", "it", "its", "me", "my", "not", "of", "on", "or", "our", "so", "that",
    "the", "their", "them", "there", "they", "this", "to", "us", "was", "we", "were", "what",
    "when", "who", "will", "with", "would", "you", "your",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Quote:
    """An excerpt of one candidate line, as it was typed: at most about QUOTE_WORDS words cut at
    word boundaries, with "…" where it was cut; `turn` is the turn it was said in."""

    turn: int
    text: str

    @property
    def verbatim(self) -> str:
        """The excerpt without the cut marks: a substring of the line it was taken from."""
        text = self.text
        if text.startswith(ELLIPSIS):
            text = text[1:]
        if text.endswith(ELLIPSIS):
            text = text[:-1]
        return text


@dataclass(frozen=True)
class Evidence:
    """Evidence that counted: what kind (the group's label without its list of examples) and
    the candidate's line that carried it (None only for a transcript that does not show it)."""

    kind: str
    quote: Quote | None


@dataclass(frozen=True)
class ConcernReport:
    id: str  # for tests and tools; never shown to the player
    title: str
    severity: int
    source: str
    status: str  # the last status seen; "raised"/"worsened" and never hinted = never heard
    heard: bool
    trigger: Quote | None  # the words that raised it (None: the background, or not found)
    background: str | None  # the background item it comes from, when one plainly fits
    emphasis: tuple[Quote, ...]  # a theme concern: the lines that kept emphasising it
    trigger_turn: int
    said_aloud: tuple[str, ...]  # what the interviewer said in that turn
    thought: str
    vague: str
    specific: str
    evidence: tuple[Evidence, ...]
    missing: tuple[str, ...]  # labels of the kinds of evidence still missing
    preempted_by: Quote | None  # the line that answered it before it came up
    worsened_by: Quote | None  # the line that made it worse
    worsened_in_discussion: bool  # made worse while it was being discussed
    probe: Quote | None  # the probe that brought out the specific line
    answered_early: Quote | None  # first line after the vague line: an answer, not a question
    unheard_probes: tuple[Quote, ...]  # questions about the vague line she did not pick up
    probed_first: bool | None  # None: nothing to probe, or not clear from the transcript
    drawn: bool = False  # drawn for a closing drill, not raised by anything in it


@dataclass(frozen=True)
class Scorecard:
    asked: bool
    turn: int | None
    premature: int  # question-shaped closing questions put off as too early
    full_form: bool  # asked for a chance to respond (see `chance`)
    probed: bool | None
    anything_else: bool
    weak_forms: int
    closing: Quote | None = None  # the closing question asked on time
    chance: Quote | None = None  # the line that asked for a chance to respond
    too_early: tuple[Quote, ...] = ()

    def expectations(self) -> dict[str, object]:
        """The scorecard as conversation tests see it (`expect: debrief:`)."""
        return {
            "asked": self.asked,
            "turn": self.turn,
            "premature": self.premature,
            "full_form": self.full_form,
            "probed": self.probed,
            "anything_else": self.anything_else,
            "weak_forms": self.weak_forms,
        }


@dataclass(frozen=True)
class Departure:
    """The candidate left (`reason`: quit, eof or interrupted) at `turn`, `before` the end of
    the `questions`, before asking the `closing_question`, or during the `closing` discussion."""

    turn: int
    reason: str
    before: str


@dataclass(frozen=True)
class Clue:
    question: Quote  # the candidate's question
    answer: str  # the interviewer's answer, which hinted at the concern
    title: str


@dataclass(frozen=True)
class AnswerReport:
    """One assessed answer (an `assess` event): the question as it was asked, the answer."""

    question: str
    quote: Quote
    shows: tuple[str, ...]
    lacks: tuple[str, ...]
    flags: tuple[str, ...]
    points: int
    # the first line said to it, and the question as first asked: what a lack is told by (the
    # whole answer lacked it; a follow-up such as "how confident were you?" did not ask for it)
    first: Quote | None = None
    first_question: str | None = None

    @property
    def weak(self) -> bool:
        return bool(self.lacks or self.flags)


@dataclass(frozen=True)
class Tip:
    """A tip whose condition held in this transcript: `kind` says which (the front end words
    it), with the quote, concern title, count or detail that ground it."""

    kind: str
    quote: Quote | None = None
    title: str = ""
    count: int = 0
    detail: str = ""


TIP_KINDS = (
    "ask_closing", "too_early", "second_half", "probe_first", "anything_else", "worsened",
    "evidence", "ask_questions", "preempted", "trigger", "numbers",
)  # fmt: skip


@dataclass(frozen=True)
class Drill:
    """A closing drill (`Session.drill`): its seed and the ids of the concerns it drew, as
    the transcript's session line records them."""

    seed: int
    drawn: tuple[str, ...]


@dataclass(frozen=True)
class DrillReport:
    """What the debrief says of a drill: its seed and the titles of the concerns drawn."""

    seed: int
    titles: tuple[str, ...]


@dataclass(frozen=True)
class Debrief:
    outcome: str
    score: int
    concerns: tuple[ConcernReport, ...]
    scorecard: Scorecard
    never_heard: tuple[ConcernReport, ...]
    clues: tuple[Clue, ...]
    questions_asked: tuple[Quote, ...]
    preempted: tuple[ConcernReport, ...] = ()
    answers: tuple[AnswerReport, ...] = ()
    left: Departure | None = None
    unnumbered: Quote | None = None  # an answer to a question with no number in it
    tips: tuple[Tip, ...] = field(default=())
    drill: DrillReport | None = None  # a closing drill: no questions were asked, none answered

    @property
    def weak_answers(self) -> tuple[AnswerReport, ...]:
        """The weakest answers (WEAK_SHOWN at most, fewest points first), in the order they
        were given; never the strongest one."""
        strongest = self.strongest
        weak = [a for a in self.answers if a.weak and a is not strongest]
        weakest = sorted(weak, key=lambda a: (a.points, a.quote.turn))[:WEAK_SHOWN]
        return tuple(sorted(weakest, key=lambda a: a.quote.turn))

    @property
    def strongest(self) -> AnswerReport | None:
        """The answer with the most points that showed something and raised no flag."""
        good = [a for a in self.answers if a.shows and not a.flags and a.points > 0]
        return max(good, key=lambda a: a.points) if good else None

    def quotes(self) -> list[Quote]:
        """Every quote of the candidate's words in this debrief (what the explorer checks)."""
        out: list[Quote] = []
        for r in self.concerns:
            out += [q for q in (r.trigger, r.preempted_by, r.worsened_by, r.probe) if q]
            out += [q for q in (r.answered_early,) if q]
            out += [*r.emphasis, *r.unheard_probes]
            out += [e.quote for e in r.evidence if e.quote]
        card = self.scorecard
        out += [q for q in (card.closing, card.chance, self.unnumbered) if q]
        out += [*card.too_early, *self.questions_asked, *(c.question for c in self.clues)]
        out += [a.quote for a in self.answers]
        out += [t.quote for t in self.tips if t.quote]
        return out


# ---- quoting --------------------------------------------------------------------------------


def excerpt(text: str, focus: int = 0, limit: int = QUOTE_WORDS) -> str:
    """At most `limit` words of `text` as written, around its `focus`-th word (a third of them
    before it), cut at word boundaries and marked "…" where cut."""
    tokens = list(_TOKEN.finditer(text))
    if len(tokens) <= limit:
        return text.strip()
    start = max(0, min(focus - limit // 3, len(tokens) - limit))
    end = start + limit
    piece = text[tokens[start].start() : tokens[end - 1].end()]
    if end < len(tokens):
        piece = piece.rstrip(",;:-") + ELLIPSIS
    return ELLIPSIS + piece if start > 0 else piece


def _raw_index(text: str, word: int) -> int:
    """The whitespace-separated token of `text` that normalised word `word` comes from."""
    count = 0
    for i, token in enumerate(_TOKEN.findall(text)):
        count += len(normalize(token).words)
        if count > word:
            return i
    return 0


def _hit(pats: Iterable[m.Pat], utt: Utterance) -> int | None:
    """Where the first of `pats` to match `utt` starts (a normalised word), or None."""
    for p in pats:
        hit = p.pattern.match(utt, guard=True)
        if hit is not None:
            return hit.start
    return None


def quote(turn: int, text: str, pats: Iterable[m.Pat] = ()) -> Quote:
    """The line said at `turn`, cut around where the first of `pats` matches it."""
    at = _hit(pats, normalize(text))
    return Quote(turn, excerpt(text, _raw_index(text, at) if at else 0))


class _Transcript:
    """The events with what the debrief looks up in them: each turn's candidate line and intent."""

    def __init__(self, events: Iterable[Event]) -> None:
        self.events = list(events)
        self.lines: dict[int, str] = {}
        self.intents: dict[int, IntentEvent] = {}
        for e in self.events:
            if isinstance(e, SayEvent) and not e.by_interviewer:
                self.lines.setdefault(e.turn, e.text)
            elif isinstance(e, IntentEvent):
                self.intents.setdefault(e.turn, e)

    def intent(self, turn: int) -> str | None:
        e = self.intents.get(turn)
        return e.intent if e is not None else None

    def quote(self, turn: int, pats: Iterable[m.Pat] = (), text: str | None = None) -> Quote | None:
        """The candidate's line at `turn` (or `text`, what an event recorded of it) as a quote."""
        line = text if text is not None else self.lines.get(turn)
        return None if line is None else quote(turn, line, pats)

    def said(self, pats: Sequence[m.Pat], skip: frozenset[str]) -> bool:
        """Whether one of `pats` matches a candidate line the session scanned for evidence."""
        return any(
            self.intent(t) not in skip and _hit(pats, normalize(line)) is not None
            for t, line in self.lines.items()
        )

    def find(self, pats: Sequence[m.Pat], upto: int, skip: frozenset[str]) -> Quote | None:
        """The first candidate line up to turn `upto` that one of `pats` matches: a line that
        says something first, then any line (steering lines the session does not scan)."""
        turns = [t for t in sorted(self.lines) if t <= upto]
        said = [t for t in turns if self.intent(t) not in skip]
        for t in [*said, *(t for t in turns if t not in said)]:
            if _hit(pats, normalize(self.lines[t])) is not None:
                return quote(t, self.lines[t], pats)
        return None


# ---- building -------------------------------------------------------------------------------


def closing_turn(events: Iterable[Event]) -> int | None:
    """The turn of the first closing question asked on time (not deferred), if any."""
    return next(
        (
            e.turn
            for e in events
            if isinstance(e, IntentEvent) and e.intent == "closing_question" and not e.deferred
        ),
        None,
    )


def build_debrief(program: Program, events: Iterable[Event], drill: Drill | None = None) -> Debrief:
    """Assemble the debrief from a session's events (a closing drill's: with its `drill`)."""
    tr = _Transcript(events)
    evs = tr.events
    outcome, score = "undecided", 0
    for e in evs:
        if isinstance(e, VerdictEvent):
            outcome, score = e.outcome, e.score
    reports = tuple(r for c in program.concerns if (r := _concern(program, c, tr)) is not None)
    report = None
    if drill is not None:
        reports = tuple(replace(r, drawn=r.id in drill.drawn) for r in reports)
        titles = tuple(program.concern_by_id[i].title for i in drill.drawn)
        report = DrillReport(drill.seed, titles)
    card = _scorecard(program, tr, reports)
    skip = MOVES | program.candidate_questions
    asked = tuple(
        q
        for t, e in sorted(tr.intents.items())
        if e.intent in program.candidate_questions and (q := tr.quote(t)) is not None
    )
    never = tuple(r for r in reports if not r.heard and r.status in ("raised", "worsened"))
    preempted = tuple(r for r in reports if r.status == "preempted")
    answers = _answers(program, tr)
    debrief = Debrief(
        outcome,
        score,
        reports,
        card,
        never,
        _clues(program, tr),
        asked,
        preempted,
        answers,
        _departure(tr, card, reports),
        _unnumbered(tr, answers, skip),
        drill=report,
    )
    return replace(debrief, tips=tips(debrief))


def _clues(program: Program, tr: _Transcript) -> tuple[Clue, ...]:
    """Answers that hinted at a concern she held in this session: a hint at a worry she never
    had is no clue (the answer is written for any candidate)."""
    held = {e.concern for e in tr.events if isinstance(e, ConcernEvent)}
    out = []
    for e in interviewer_says(tr.events):
        if e.clue and e.clue in program.concern_by_id and e.clue in held:
            asked = tr.quote(e.turn)
            if asked is not None:
                out.append(Clue(asked, e.text, program.concern_by_id[e.clue].title))
    return tuple(out)


def _scorecard(program: Program, tr: _Transcript, reports: Sequence[ConcernReport]) -> Scorecard:
    intents = [e for e in tr.events if isinstance(e, IntentEvent)]
    closing = [e for e in intents if e.intent == "closing_question"]
    on_time = [e for e in closing if not e.deferred]
    first = on_time[0].turn if on_time else None
    too_early = tuple(
        q
        for e in closing
        if e.deferred
        and looks_like_question(normalize(tr.lines.get(e.turn, "")))
        and (q := tr.quote(e.turn)) is not None
    )
    chance = None
    if first is not None:  # from the closing question to the concern's specific line
        upto = next(
            (
                e.turn
                for e in tr.events
                if isinstance(e, ConcernEvent) and e.status == "revealed" and e.turn >= first
            ),
            max(tr.lines, default=first),
        )
        pats = program.markers.get("chance", ())
        for t in sorted(tr.lines):
            if first <= t <= upto and _hit(pats, normalize(tr.lines[t])) is not None:
                chance = tr.quote(t, pats)
                break
    verdicts = [r.probed_first for r in reports if r.probed_first is not None]
    return Scorecard(
        asked=first is not None,
        turn=first,
        premature=len(too_early),
        full_form=chance is not None,
        probed=None if not verdicts else all(verdicts),
        anything_else=first is not None
        and any(e.intent == "anything_else" and e.turn > first for e in intents),
        weak_forms=sum(1 for e in intents if e.intent == "how_did_i_do"),
        closing=tr.quote(first) if first is not None else None,
        chance=chance,
        too_early=too_early,
    )


def _departure(
    tr: _Transcript, card: Scorecard, reports: Sequence[ConcernReport]
) -> Departure | None:
    """Left before the end: where the interview was when the candidate went."""
    end = next((e for e in reversed(tr.events) if isinstance(e, EndEvent)), None)
    if end is None or end.reason == "completed":
        return None
    if card.asked:
        cue = next((e for e in reversed(tr.events) if isinstance(e, CueEvent)), None)
        open_ = [r for r in reports if r.status not in SETTLED]
        if cue is None or cue.cue != "hesitation" or not open_:
            return None  # the interviewer had said all there was, and it was settled
        return Departure(end.turn, end.reason, "closing")
    says = interviewer_says(tr.events)
    phase = says[-1].phase if says else "opening"
    before = "questions" if phase in ("opening", "questions") else "closing_question"
    return Departure(end.turn, end.reason, before)


def _answers(program: Program, tr: _Transcript) -> tuple[AnswerReport, ...]:
    """One report per question answered: its last assessment (which judges all the lines said
    to it), quoting the first line by which what the debrief names of it was there: its flags,
    when it has any (a weak answer is told by them: a follow-up's "it depends" is quoted for
    "avoided the question", and a red flag raised before a better follow-up is quoted where it
    was raised), else what it showed (a follow-up's story for "a concrete example")."""
    seen: dict[str, list[AssessEvent]] = {}
    for e in tr.events:
        if isinstance(e, AssessEvent):
            seen.setdefault(e.question, []).append(e)
    out = []
    for qid, events in seen.items():
        last = events[-1]
        flagged, shown = set(last.flags), set(last.shows)
        turn = next(
            (
                e.turn
                for e in events
                if (flagged <= set(e.flags) if flagged else shown <= set(e.shows))
            ),
            events[-1].turn,
        )
        said, first = tr.quote(turn), tr.quote(events[0].turn)
        if said is not None:
            question = _question_text(program, tr, qid, said.turn)
            asked = _question_text(program, tr, qid, first.turn) if first else None
            out.append(
                AnswerReport(
                    question, said, last.shows, last.lacks, last.flags, last.points, first, asked
                )
            )
    return tuple(out)


def _question_text(program: Program, tr: _Transcript, qid: str, turn: int) -> str:
    """The question as the interviewer asked it (never its id): the last thing she said on it
    before the line quoted at `turn`, so a line that answered the follow-up ("And salary: what
    are you on now?") is shown beside the follow-up, not beside the first question ("What's your
    notice period?")."""
    asked = None
    for e in interviewer_says(tr.events):
        if e.state == qid and e.turn < turn:
            asked = e.text
    if asked is None:
        asked = next((e.text for e in interviewer_says(tr.events) if e.state == qid), None)
    if asked is None:
        q = program.questions.get(qid)
        asked = program.render(q.ask[0]) if q is not None and q.ask else "a question"
    return excerpt(asked, limit=QUESTION_WORDS)


def _unnumbered(
    tr: _Transcript, answers: Sequence[AnswerReport], skip: frozenset[str]
) -> Quote | None:
    """An answer with no number in it: from the answers' assessments when there are any, else
    the first line said in answer to a question with no number, spelled or written."""
    if answers:
        return next((a.quote for a in answers if "numbers" in a.lacks), None)
    phase = "opening"
    for e in tr.events:
        if isinstance(e, SayEvent) and e.by_interviewer:
            phase = e.phase or phase
        elif isinstance(e, SayEvent) and phase == "questions" and tr.intent(e.turn) not in skip:
            words = normalize(e.text).words
            if not any(w in NUMBER_WORDS or any(c.isdigit() for c in w) for w in words):
                return tr.quote(e.turn)
    return None


def _background_line(program: Program, c: m.Concern) -> str | None:
    """The background item a background concern plainly comes from: the one sharing the most
    words with what the interviewer thinks and would say (at least three), if any."""
    want = _content(" ".join((c.thought, *c.specific, *c.vague)))
    best, best_line = 2, None
    for item in program.scenario.candidate.background:
        line = program.render(item)
        shared = len(want & _content(line))
        if shared > best:
            best, best_line = shared, line
    return excerpt(best_line) if best_line is not None else None


def _content(text: str) -> set[str]:
    return {w for w in normalize(text).words if w not in _STOP and len(w) > 2}


def _concern(program: Program, c: m.Concern, tr: _Transcript) -> ConcernReport | None:
    mine = [e for e in tr.events if isinstance(e, ConcernEvent) and e.concern == c.id]
    if not mine:
        return None
    raised = mine[0]
    turn = raised.turn
    aloud = tuple(e.text for e in interviewer_says(tr.events) if e.turn == turn) if turn else ()
    statuses = [e.status for e in mine]
    heard = any(s in SURFACED for s in statuses)
    evidence, missing = _evidence(c, tr, mine, MOVES | program.candidate_questions)
    trigger = tr.quote(turn, c.triggers + (c.theme.patterns if c.theme else ()), raised.quote)
    pre = next((e for e in mine if e.status == "preempted"), None)
    worse = next((e for e in mine if e.status == "worsened"), None)
    closed = closing_turn(tr.events)
    probe, early, unheard = _probing(c, tr, mine) if heard else (None, None, ())
    probed_first = None
    if heard and c.probes > 0:
        probed_first = False if early is not None else (True if probe is not None else None)
    return ConcernReport(
        id=c.id,
        title=c.title,
        severity=c.severity,
        source=c.source,
        status=statuses[-1],
        heard=heard,
        trigger=trigger,
        background=_background_line(program, c) if c.source == "background" else None,
        emphasis=_emphasis(c, tr, turn, MOVES | program.candidate_questions),
        trigger_turn=turn,
        said_aloud=aloud,
        thought=program.render(c.thought),
        vague=program.render(c.vague[0]),
        specific=program.render(c.specific[0]),
        evidence=evidence,
        missing=missing,
        preempted_by=tr.quote(pre.turn, _group_pats(c), pre.quote) if pre else None,
        worsened_by=tr.quote(worse.turn, c.worsened_by, worse.quote) if worse else None,
        worsened_in_discussion=worse is not None and closed is not None and worse.turn > closed,
        probe=probe,
        answered_early=early,
        unheard_probes=unheard,
        probed_first=probed_first,
    )


def _evidence(
    c: m.Concern, tr: _Transcript, mine: Sequence[ConcernEvent], skip: frozenset[str]
) -> tuple[tuple[Evidence, ...], tuple[str, ...]]:
    """The evidence that counted, each kind with the line that carried it (the group's patterns
    run again over the candidate's lines), and the labels of the kinds still missing."""
    evidence_at, evidence_ids = 0, []
    for e in mine:
        if e.evidence is not None:
            evidence_at, evidence_ids = e.turn, list(e.evidence)
    labels = {g.id: g.label for g in c.groups}
    wanted = list(c.resolve.all) or [g.id for g in c.groups]
    # evidence stays hit whatever the status, but the transcript carries it only on a status
    # change (none before the close for a concern that cannot be pre-empted): a kind the
    # candidate's scanned lines gave is not missing
    heard = {g.id for g in c.groups if tr.said(g.patterns, skip)}
    missing = tuple(labels[g] for g in wanted if g not in evidence_ids and g not in heard)
    found = [
        (g, tr.find(g.patterns, evidence_at, skip))
        for gid in evidence_ids
        for g in c.groups
        if g.id == gid
    ]
    by_turn: dict[int, list[m.Group]] = {}
    for g, q in found:
        if q is not None:
            by_turn.setdefault(q.turn, []).append(g)
    shared = {
        t: one
        for t, gs in by_turn.items()
        if len(gs) > 1 and t in tr.lines
        for one in [_shared(t, tr.lines[t], [g.patterns for g in gs])]
        if one is not None
    }
    evidence = tuple(  # in the order the lines were said
        Evidence(_EXAMPLES.sub("", g.label) or g.label, shared.get(q.turn, q) if q else None)
        for g, q in sorted(found, key=lambda gq: gq[1].turn if gq[1] else 1 << 30)
    )
    return evidence, missing


def _shared(turn: int, text: str, lists: Sequence[Sequence[m.Pat]]) -> Quote | None:
    """One quote of a line for the kinds of evidence it carried (two cuts of one line, each
    around its own match, read as two lines): cut around the first match, and longer (up to
    twice QUOTE_WORDS) where that is what it takes to reach the last; None when even that
    cannot (then each kind keeps its own cut)."""
    utt = normalize(text)
    starts = [_raw_index(text, at) for pats in lists if (at := _hit(pats, utt)) is not None]
    if not starts:
        return None
    first, span = min(starts), max(starts) - min(starts) + _SHOWN
    # `excerpt` starts a third of the cut before its focus: the cut that shows `span` words
    # from the first match is half as long again
    limit = max(QUOTE_WORDS, span + span // 2)
    if limit > 2 * QUOTE_WORDS:
        return None
    return Quote(turn, excerpt(text, first, limit))


_SHOWN = 10  # words a cut shows from where a match starts (a match ends there, or soon after)


def _emphasis(c: m.Concern, tr: _Transcript, upto: int, skip: frozenset[str]) -> tuple[Quote, ...]:
    """A theme concern: the first three lines, up to turn `upto`, that said what it counts."""
    if c.source != "theme" or c.theme is None:
        return ()
    pats = c.theme.patterns
    turns = [t for t in sorted(tr.lines) if t <= upto and tr.intent(t) not in skip]
    hits = [t for t in turns if _hit(pats, normalize(tr.lines[t])) is not None]
    return tuple(quote(t, tr.lines[t], pats) for t in hits[:3])


def _group_pats(c: m.Concern) -> tuple[m.Pat, ...]:
    return tuple(p for g in c.groups for p in g.patterns)


def _probing(
    c: m.Concern, tr: _Transcript, mine: Sequence[ConcernEvent]
) -> tuple[Quote | None, Quote | None, tuple[Quote, ...]]:
    """After the vague line: the probe that brought out the specific line; the first line after
    the vague line if it was taken as an answer and was not a question; and the questions about
    it that were not taken as asking what it meant (not understood, or taken for the closing
    question again)."""
    hinted = next(e.turn for e in mine if e.status in SURFACED)
    revealed = next((e.turn for e in mine if e.status == "revealed"), None)
    if revealed == hinted:
        return None, None, ()  # said specifically straight away: nothing to probe
    probe = None
    if revealed is not None and tr.intent(revealed) == "probe":
        probe = tr.quote(revealed)
    after = [
        e.turn for e in tr.events if isinstance(e, ConcernEvent) and e.turn > hinted and
        e.status == "hinted" and e.concern != c.id
    ]  # fmt: skip
    until = min([t for t in (revealed, *after) if t is not None], default=1 << 30)
    early = None
    first = hinted + 1
    line = tr.lines.get(first)
    if line is not None and first <= until and not looks_like_question(normalize(line)):
        answered = any(
            e.turn == first and e.status in ("partly_resolved", "resolved", "worsened")
            for e in mine
        )
        if answered:
            early = tr.quote(first, _group_pats(c))
    unheard = tuple(
        q
        for t in sorted(tr.lines)
        if hinted < t < until
        and tr.intent(t) in (None, "closing_question")
        and looks_like_question(normalize(tr.lines[t]))
        and not any(e.turn == t for e in mine)
        and (q := tr.quote(t)) is not None
    )
    return probe, early, unheard


# ---- tips -------------------------------------------------------------------------------------


def tips(d: Debrief) -> tuple[Tip, ...]:
    """Up to three tips for the next practice, most important first; each only when what it
    says is true of this transcript."""
    card = d.scorecard
    out: list[Tip] = []
    if not card.asked:
        if card.too_early:
            out.append(Tip("too_early", card.too_early[0]))
        else:
            out.append(Tip("ask_closing"))
    elif not card.full_form:
        out.append(Tip("second_half", card.closing))
    early = next((r for r in d.concerns if r.answered_early is not None), None)
    if early is not None:
        out.append(Tip("probe_first", early.answered_early, early.title))
    if d.never_heard and card.asked and not card.anything_else:
        out.append(Tip("anything_else", count=len(d.never_heard)))
    worse = next((r for r in d.concerns if r.worsened_by is not None), None)
    if worse is not None:
        detail = "discussion" if worse.worsened_in_discussion else "interview"
        out.append(Tip("worsened", worse.worsened_by, worse.title, detail=detail))
    for r in d.concerns:
        if r.heard and r.status not in SETTLED and r.missing:
            out.append(Tip("evidence", title=r.title, detail=r.missing[0]))
            break
    if not d.questions_asked:
        out.append(Tip("ask_questions"))
    pre = next((r for r in d.preempted if r.preempted_by is not None), None)
    if pre is not None:
        out.append(Tip("preempted", pre.preempted_by, pre.title))
    said = next((r for r in d.concerns if r.trigger is not None and r.source != "background"), None)
    if said is not None:
        out.append(Tip("trigger", said.trigger, said.title))
    if d.unnumbered is not None:
        out.append(Tip("numbers", d.unnumbered))
    return tuple(out[:3])
