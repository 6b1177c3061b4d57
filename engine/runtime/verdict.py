"""The verdict (M10): advance, undecided or reject, from where each concern ended, how often the
candidate got defensive, and what the answers showed (judge.py)."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from closer.engine.format import model as m
from closer.engine.runtime.program import CQ, Program

if TYPE_CHECKING:
    from closer.engine.runtime.session import SessionState

# how much a concern's final status weighs, times its severity, against the baseline
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
SETTLED = ("resolved", "partly_resolved", "preempted")
# answers earning this share of what their questions offer (relevant, but generic: no example,
# no numbers, nothing the candidate did) leave the score where the concerns put it
NEUTRAL = 0.25


def verdict(program: Program, st: SessionState) -> tuple[str, int]:
    """Advance / undecided / reject from the concerns' final states, defensive turns and the
    answers."""
    v = program.scenario.verdict
    score = v.baseline - 3 * st.defensive
    for c in program.concerns:
        cs = st.concerns[c.id]
        weight = WEIGHTS[cs.status]
        if cs.worse and cs.status not in SETTLED:
            weight = WEIGHTS["worsened"]
        score -= c.severity * weight
    quality = answer_quality(program, st)
    if quality is not None:
        score += answers_points(v, quality)
    score = max(0, min(100, score))
    outcome = "advance" if score >= v.advance else "undecided" if score >= v.undecided else "reject"
    return outcome, score


def answers_points(v: m.Verdict, quality: float) -> int:
    """What answers of this quality add to the score: `v.answers` for answers that earned
    everything (1), nothing at NEUTRAL, minus `v.answers` for answers that were all evasions
    (-1); in a straight line between."""
    if quality >= NEUTRAL:
        return round(v.answers * (quality - NEUTRAL) / (1 - NEUTRAL))
    return round(v.answers * (quality - NEUTRAL) / (1 + NEUTRAL))


def answer_quality(program: Program, st: SessionState) -> float | None:
    """The mean share of its points each question's answers earned, from -1 to 1; a question
    the candidate never answered, on the way from the first answered one to the candidate's
    questions, counts 0 (leaving early is not a good interview). None when nothing was
    answered (a session started at the candidate's questions, or one that ended at once)."""
    shares: list[float] = [
        max(-1.0, min(1.0, a["points"] / a["most"])) for a in st.answers.values() if a["most"]
    ]
    if not shares:
        return None
    first = next(q for q in program.order if q in st.answers)
    return sum(shares) / max(len(shares), _questions_to_finish(program, first))


def _questions_to_finish(program: Program, start: str) -> int:
    """The fewest questions a candidate answers from `start` to the candidate's questions (a
    rule's `goto` may skip some)."""
    seen = {start: 1}
    todo = deque([start])
    while todo:
        q = todo.popleft()
        for ex in program.exits[q]:
            if ex.dest == CQ:
                return seen[q]
            if ex.dest not in seen:
                seen[ex.dest] = seen[q] + 1
                todo.append(ex.dest)
    return len(seen)
