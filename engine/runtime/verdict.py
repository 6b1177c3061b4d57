"""The verdict (M10): advance, undecided or reject, from where each concern ended and how often
the candidate got defensive."""

from __future__ import annotations

from typing import TYPE_CHECKING

from closer.engine.runtime.program import Program

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


def verdict(program: Program, st: SessionState) -> tuple[str, int]:
    """Advance / undecided / reject from the concerns' final states and defensive turns."""
    v = program.scenario.verdict
    score = v.baseline - 3 * st.defensive
    for c in program.concerns:
        cs = st.concerns[c.id]
        weight = WEIGHTS[cs.status]
        if cs.worse and cs.status not in SETTLED:
            weight = WEIGHTS["worsened"]
        score -= c.severity * weight
    score = max(0, min(100, score))
    outcome = "advance" if score >= v.advance else "undecided" if score >= v.undecided else "reject"
    return outcome, score
