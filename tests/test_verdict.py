"""The verdict (engine/runtime/verdict.py): the concerns, defensiveness and the answers."""

from __future__ import annotations

from closer.engine import Session
from closer.engine.runtime.events import VerdictEvent
from closer.engine.runtime.program import Program
from closer.engine.runtime.verdict import answer_quality, answers_points
from tests.helpers import compile_text, play

STRONG = [
    "Good, thanks.",
    "I'm a backend engineer with five years in Python and Go. At Parcelwise I built the first "
    "routing service in three weeks, and it still runs today.",
    "At Parcelwise I designed the routing service in Go on Postgres. I made every write "
    "idempotent, and it held up at 3,000 requests a second through Black Friday.",
    "Last year at Tallyhouse I was paged at 2 a.m. when a consumer fell behind. I rolled back "
    "the index change, it caught up in 40 minutes, and no data was lost.",
    "I write unit and property tests for every rule that touches an amount. At Tallyhouse I "
    "added a reconciliation job that caught two rounding bugs before customers saw them.",
    "I carry the pager at Tallyhouse one week in four, and last year I cut our noisy alerts by "
    "a third.",
    "I want to settle into payments for years. In fourteen months at Tallyhouse I found I like "
    "work where correctness matters, and I'd like to own part of your ledger.",
]
AVERAGE = [
    "Good, thanks.",
    "I've been a backend engineer at a few companies. We mostly did APIs.",
    "We built a routing service at a previous company. It worked pretty well overall.",
    "We had an outage once. The team figured it out and we fixed it.",
    "We write unit tests and we do code review. You have to be careful with money.",
    "It's fine. We have on-call at my current job too and we share it.",
    "It seems like a solid company and I'm interested in payments.",
]
EVASIVE = [
    "Fine.",
    "It's all on my resume.",
    "I don't remember the details.",
    "Can we move on?",
    "I test it.",
    "Is it required?",
    "Looking for a change.",
]


def score(program: Program, lines: list[str]) -> int:
    """The score after the opening line, one answer per question (in order) and a follow-up
    answer that adds nothing whenever she asks one, then leaving."""
    session, _ = Session.start(program, 1)
    session.turn(lines[0])
    answers = dict(zip(program.order, lines[1:], strict=True))
    while not session.ended and session.st.state in program.questions:
        session.turn(answers.pop(session.st.state, "That's the main thing."))
    ended = session.end("eof")
    return next(e.score for e in ended.events if isinstance(e, VerdictEvent))


def test_better_answers_score_higher_whatever_the_concerns(program: Program) -> None:
    # the same concerns (tenure never heard), only the answers differ
    strong, average, evasive = (score(program, x) for x in (STRONG, AVERAGE, EVASIVE))
    assert strong - average >= 10
    assert average - evasive >= 10


def test_leaving_after_one_good_answer_does_not_count_as_a_good_interview(
    program: Program,
) -> None:
    session, _ = play(program, STRONG[:2])
    quality = answer_quality(program, session.st)
    assert quality is not None and quality < 0.25  # one answer of the six it takes to finish
    assert answers_points(program.scenario.verdict, quality) < 0


def test_no_answers_move_nothing(program: Program) -> None:
    session, _ = play(program, ["Fine, thanks."], facts={"job_hopper": False})
    assert answer_quality(program, session.st) is None
    _, events = play(program, ["Fine, thanks."])
    assert [e["score"] for e in events if e["event"] == "verdict"] == [80 - 3 * 8]


def test_answers_weight_is_set_in_the_scenario(default_text: str) -> None:
    text = default_text.replace("\nconcerns:", "\nverdict: {answers: 0}\nconcerns:", 1)
    flat = compile_text(text)
    assert score(flat, STRONG) == score(flat, AVERAGE) == score(flat, EVASIVE) == 80 - 24


def test_answers_points_span_minus_to_plus_the_weight(program: Program) -> None:
    v = program.scenario.verdict
    assert answers_points(v, 1.0) == v.answers
    assert answers_points(v, -1.0) == -v.answers
    assert answers_points(v, 0.25) == 0
