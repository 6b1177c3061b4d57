"""The debrief, rebuilt from transcript events alone (plus the scenario for titles and lines).

Nothing here reads session internals: a saved transcript gives the same debrief as the live
session did, which is what `closer debrief TRANSCRIPT` relies on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from closer.engine.format import model as m
from closer.engine.runtime.events import (
    ConcernEvent,
    Event,
    IntentEvent,
    SayEvent,
    VerdictEvent,
    interviewer_says,
)
from closer.engine.runtime.program import Program

SURFACED = ("hinted", "revealed")


@dataclass(frozen=True)
class ConcernReport:
    id: str
    title: str
    severity: int
    source: str
    status: str  # the last status seen; "raised"/"worsened" and never hinted = never heard
    heard: bool
    trigger: str  # the quote that raised it, or the background line
    trigger_turn: int
    said_aloud: tuple[str, ...]  # what the interviewer said in that turn
    thought: str
    vague: str
    specific: str
    evidence: tuple[str, ...]  # labels of evidence groups that counted
    missing: tuple[str, ...]  # labels of the kinds of evidence still missing
    probed_first: bool | None  # None when it never surfaced
    early: bool  # answered before probing


@dataclass(frozen=True)
class Scorecard:
    asked: bool
    turn: int | None
    premature: int  # times asked before the interviewer was ready (deferred)
    full_form: bool
    probed: bool | None
    anything_else: bool
    weak_forms: int


@dataclass(frozen=True)
class Debrief:
    outcome: str
    score: int
    concerns: tuple[ConcernReport, ...]
    scorecard: Scorecard
    never_heard: tuple[ConcernReport, ...]
    clues: tuple[tuple[str, str], ...]  # (candidate question intent, concern title)
    questions_asked: tuple[str, ...]
    tips: tuple[str, ...] = field(default=())


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


def build_debrief(program: Program, events: Iterable[Event]) -> Debrief:
    """Assemble the debrief from a session's events."""
    evs = list(events)
    by_id = program.concern_by_id
    outcome, score = "undecided", 0
    intents = [e for e in evs if isinstance(e, IntentEvent)]
    for e in evs:
        if isinstance(e, VerdictEvent):
            outcome, score = e.outcome, e.score
    reports = [r for c in program.concerns if (r := _concern(program, c, evs)) is not None]
    closing = [e for e in intents if e.intent == "closing_question"]
    on_time = [e for e in closing if not e.deferred]
    first_turn = closing_turn(evs)
    surfaced = [r for r in reports if r.probed_first is not None]
    card = Scorecard(
        asked=bool(on_time),
        turn=first_turn,
        premature=len(closing) - len(on_time),
        full_form=any(e.form == "full" for e in on_time),
        probed=all(r.probed_first for r in surfaced) if surfaced else None,
        anything_else=first_turn is not None
        and any(e.intent == "anything_else" and e.turn > first_turn for e in intents),
        weak_forms=sum(1 for e in intents if e.intent == "how_did_i_do"),
    )
    asked = tuple(
        dict.fromkeys(
            e.intent for e in intents if e.intent and e.intent in program.candidate_questions
        )
    )
    clues = tuple((e_intent, by_id[e.clue].title) for e_intent, e in _clues(evs) if e.clue in by_id)
    never = tuple(r for r in reports if not r.heard and r.status in ("raised", "worsened"))
    debrief = Debrief(outcome, score, tuple(reports), card, never, clues, asked)
    return replace(debrief, tips=tips(debrief))


def _clues(evs: list[Event]) -> Iterable[tuple[str, SayEvent]]:
    last_intent = None
    for e in evs:
        if isinstance(e, IntentEvent):
            last_intent = e.intent
        elif isinstance(e, SayEvent) and e.clue:
            yield last_intent or "", e


def _concern(program: Program, c: m.Concern, evs: list[Event]) -> ConcernReport | None:
    mine = [e for e in evs if isinstance(e, ConcernEvent) and e.concern == c.id]
    if not mine:
        return None
    raised = mine[0]
    turn = raised.turn
    aloud = tuple(e.text for e in interviewer_says(evs) if e.turn == turn) if turn else ()
    statuses = [e.status for e in mine]
    heard = any(s in SURFACED for s in statuses)
    evidence_ids: list[str] = []
    for e in mine:
        if e.evidence is not None:
            evidence_ids = list(e.evidence)
    labels = {g.id: g.label for g in c.groups}
    wanted = list(c.resolve.all) or [g.id for g in c.groups]
    missing = tuple(labels[g] for g in wanted if g not in evidence_ids)
    probed_first = None
    if heard:
        first_answer = next(
            (
                i
                for i, s in enumerate(statuses)
                if s in ("resolved", "partly_resolved", "worsened") and i > statuses.index("hinted")
            ),
            None,
        )
        revealed = statuses.index("revealed") if "revealed" in statuses else None
        probed_first = revealed is not None and (first_answer is None or revealed < first_answer)
        if c.probes == 0:
            probed_first = True
    trigger = raised.quote or (
        "your background" if c.source == "background" else "something you said"
    )
    return ConcernReport(
        id=c.id,
        title=c.title,
        severity=c.severity,
        source=c.source,
        status=statuses[-1],
        heard=heard,
        trigger=trigger,
        trigger_turn=turn,
        said_aloud=aloud,
        thought=program.render(c.thought),
        vague=program.render(c.vague[0]),
        specific=program.render(c.specific[0]),
        evidence=tuple(labels[g] for g in evidence_ids if g in labels),
        missing=missing,
        probed_first=probed_first,
        early=any(e.early for e in mine),
    )


def tips(d: Debrief) -> tuple[str, ...]:
    """Three concrete tips for the next practice, most important first."""
    card = d.scorecard
    out: list[str] = []
    if not card.asked:
        if card.premature:
            out.append(
                "You asked the closing question before the interviewer had finished; "
                "wait until they ask for your questions, then ask it."
            )
        else:
            out.append(
                'Ask the closing question before you leave: "Is there anything I said '
                "today, or in my background, that would prevent you from recommending "
                'me?" Polite is not the same as convinced.'
            )
    elif not card.full_form:
        out.append(
            'Add the second half of the closing question: "If there is, could I have a '
            "chance to talk about it while I'm here?\" It turns a verdict into a "
            "conversation."
        )
    if any(r.early for r in d.concerns) or card.probed is False:
        out.append(
            'When the first answer is vague, probe before you answer ("What do you mean '
            'by that?"). The first thing said is rarely the real concern.'
        )
    if d.never_heard and card.asked and not card.anything_else:
        out.append(
            'After you handle one concern, ask "Is there anything else?". '
            f"{len(d.never_heard)} concern(s) stayed hidden because nobody asked."
        )
    if any(r.status == "worsened" for r in d.concerns):
        out.append(
            'Acknowledge a concern before you answer it ("That\'s fair"); arguing or '
            "blaming made one concern worse."
        )
    for r in d.concerns:
        if r.heard and r.status not in ("resolved", "preempted") and r.missing:
            out.append(f'On "{r.title}", bring evidence: {r.missing[0]}.')
            break
    if not d.questions_asked:
        out.append(
            "Ask the interviewer a question or two (why the role is open, what they are "
            "looking for); their answers hint at what worries them."
        )
    for r in d.concerns:
        if r.status == "preempted":
            out.append(f'Keep doing this: you answered "{r.title}" before it was ever raised.')
            break
    out += [
        "Play again with a different seed and give a different answer to the question that "
        "raised a concern; the debrief shows which one it was.",
        "Before you leave, sum up in one sentence why you fit the role, using what the "
        "interviewer said they are looking for.",
        "Put a number on at least one result in every answer; specifics are what interviewers "
        "remember.",
    ]
    return tuple(out[:3])
