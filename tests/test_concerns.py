"""The concern scan (engine/runtime/concerns.py) reads a line sentence by sentence: a red flag is
not cancelled by counter-evidence in another sentence, only by the same sentence answering it."""

from __future__ import annotations

from closer.engine import Session
from closer.engine.format.patterns import normalize
from closer.engine.runtime.events import AssessEvent, ConcernEvent
from closer.engine.runtime.program import Program
from tests.candidates import program_for
from tests.helpers import jsons


def raised(program: Program, start: str, *lines: str) -> list[str]:
    session, _ = Session.start(program, 1, start=start)
    out = []
    for line in lines:
        out += [
            e.concern
            for e in session.turn(line).events
            if isinstance(e, ConcernEvent) and e.status == "raised"
        ]
    return out


def test_a_red_flag_is_not_cancelled_by_another_sentence(program: Program) -> None:
    line = "Speed matters more than perfection. I test it enough."
    assert raised(program, "testing", line) == ["speed"]


def test_the_same_sentence_can_answer_it(program: Program) -> None:
    line = "Speed matters more than perfection, as long as every change has unit tests."
    assert raised(program, "testing", line) == []


def test_theme_emphasis_still_counts_across_answers(program: Program) -> None:
    lines = ("I move fast and ship quickly.", "I built a prototype in a week, a scrappy MVP.")
    assert raised(program, "about_you", *lines) == ["speed"]


def test_on_call_worry_forms_whatever_the_question(program: Program) -> None:
    assert raised(program, "why_us", "Honestly I'd rather not do nights and weekends.") == [
        "oncall"
    ]
    # and an ordinary "rather not" elsewhere is not about on-call
    assert raised(program, "why_us", "I'd rather not say.") == []


def test_staffing_worry_forms_whatever_the_question() -> None:
    riverbend = program_for("riverbend")
    said = "Honestly, I was burned out. We were always short staffed."
    assert raised(riverbend, "about_you", said) == ["staffing"]
    # a nurse describing a night's numbers is not complaining about staffing
    assert (
        raised(
            riverbend,
            "prioritize",
            "With a ratio of five patients each, I'd go to the confused patient first.",
        )
        == []
    )


def test_a_trigger_raised_concern_is_not_preempted_by_the_rest_of_its_answer(
    program: Program,
) -> None:
    session, _ = Session.start(program, 1, start="testing")
    line = (
        "Speed matters more than perfection. I write unit tests and we ship behind feature "
        "flags with rollbacks."
    )
    statuses = [e.status for e in session.turn(line).events if isinstance(e, ConcernEvent)]
    assert statuses == ["raised"]
    later = session.turn("We also run canary releases and reconciliation after each deploy.")
    assert [e.status for e in later.events if isinstance(e, ConcernEvent)] == ["preempted"]


def statuses(program: Program, start: str, line: str) -> list[tuple[str, str]]:
    session, _ = Session.start(program, 1, start=start)
    return [(e.concern, e.status) for e in session.turn(line).events if isinstance(e, ConcernEvent)]


def test_a_misunderstanding_is_not_formed_from_a_line_that_clears_it_up() -> None:
    """She misreads "never opened alone" as "never held the keys", but not in the answer that
    says "I had the keys and the alarm code": a listener hears the whole line."""
    greenleaf = program_for("greenleaf")
    cleared = (
        "Locked up, yes, most Saturdays for the last year, I had the keys and the alarm code. "
        "Opening on my own, no, the duty manager always did the mornings."
    )
    assert statuses(greenleaf, "keys", cleared) == [("keys", "raised"), ("keys", "preempted")]
    # and the answer is not marked down for a red flag it never left standing
    session, _ = Session.start(greenleaf, 1, start="keys")
    [assessed] = [e for e in session.turn(cleared).events if isinstance(e, AssessEvent)]
    assert "red_flag" not in assessed.flags, assessed
    # the same words without the keys are still misread
    alone = "Opening on my own, no, the duty manager always did the mornings."
    assert statuses(greenleaf, "keys", alone) == [("keys", "raised")]
    # a red flag is another matter: the rest of its line does not undo it (test above)


def at_the_close(program: Program, *worries: str) -> Session:
    """A session at the candidate's questions, holding exactly these worries (raised)."""
    session, _ = Session.start(program, 1, start="candidate_questions")
    for cid, cs in session.state.concerns.items():
        cs.status = "raised" if cid in worries else "inactive"
    return session


def test_a_resolved_reply_claims_nothing_the_candidate_did_not_say() -> None:
    """Typed in a real terminal (riverbend): a refresher, ACLS booked and Cerner resolved the
    gap, and Denise answered "A refresher course, your license current, and you've kept your
    hands in it": no hands-on practice had been mentioned. Three of five groups resolve it, so
    her reply names none of them."""
    session = at_the_close(program_for("riverbend"), "gap")
    session.turn("Is there anything in my background that would stop you recommending me?")
    session.turn("Is it the gap?")
    turn = session.turn(
        "I did the 40 hour returners refresher this winter and I'm booked on ACLS next month. "
        "We used Cerner at Lakeview but I pick systems up fast."
    )
    [resolved] = [e for e in turn.events if isinstance(e, ConcernEvent)]
    assert resolved.status == "resolved" and "hands_on" not in resolved.evidence
    said = " ".join(e.text for e in turn.events if getattr(e, "by_interviewer", False))
    assert said and "hands" not in said and "license" not in said


def test_a_closing_question_about_one_thing_brings_that_worry_up_first(program: Program) -> None:
    """ "Is X going to be a problem for you?" (written blind, at the closing): a closing question
    about one thing; of the worries she holds, the one it names comes first."""

    def first_worry(line: str) -> str | None:
        session = at_the_close(program, "tenure", "oncall")
        events = jsons(session.turn(line).events)
        [intent] = [e for e in events if e["event"] == "intent"]
        assert intent["intent"] == "closing_question", line
        hinted = [e["concern"] for e in events if e.get("status") == "hinted"]
        return hinted[0] if hinted else None

    assert first_worry("Is being on call going to be a problem for you?") == "oncall"
    assert first_worry("Is the number of jobs on my CV going to be a problem for you?") == "tenure"
    assert first_worry("Will anything I said count against me?") == "tenure"  # names neither
    assert program.concern_by_id["tenure"].order < program.concern_by_id["oncall"].order


def test_an_answer_to_the_worry_that_also_says_goodbye_is_heard_first() -> None:
    """Typed in a real terminal (talentbridge): "i'm flexible on base if the package is good,
    bonus and pension matter more to me. thanks jade, bye" was only a goodbye; the salary worry
    stayed as it was, and so did the verdict."""
    session = at_the_close(program_for("talentbridge"), "salary")
    session.turn("Is there anything that would stop you putting me forward?")
    session.turn("What do you mean?")
    line = "i'm flexible on base if the package is good, bonus and pension matter more. thanks, bye"
    events = jsons(session.turn(line).events)
    statuses = [e["status"] for e in events if e["event"] == "concern"]
    assert statuses and statuses[0] in ("resolved", "partly_resolved"), events
    assert events[-1] == {"event": "end", "turn": events[-1]["turn"], "reason": "completed"}


def test_shadowing_years_before_the_gap_is_not_practice_since_it() -> None:
    """Typed in a real terminal (riverbend): "When Lakeview brought in new IV pumps I shadowed
    the educator for a shift" counted as "hands-on practice since you left", pre-empting the
    worry about the gap, and the debrief said so."""
    riverbend = program_for("riverbend")
    [hands_on] = [g for g in riverbend.concern("gap").groups if g.id == "hands_on"]
    before = "When Lakeview brought in new IV pumps I shadowed the educator for a shift."
    assert not riverbend.any_match(hands_on.patterns, normalize(before))
    for since in (
        "I shadowed a nurse on 4 East last month.",
        "I've been doing shadow shifts at St Mary's.",
        "I have been shadowing on a med surg unit this spring.",
    ):
        assert riverbend.any_match(hands_on.patterns, normalize(since)), since


def test_a_worry_made_worse_is_not_asked_for_evidence_already_given() -> None:
    """Played in a real terminal (switchback): after "burnt out by teaching", every piece of
    evidence got "That helps, genuinely. I'd still want to hear a concrete example." twice: a
    worry made worse cannot be settled, so asking for more misleads. She says so instead, in
    other words each time."""
    switchback = program_for("switchback")
    session, _ = Session.start(switchback, 1, start="candidate_questions")
    session.turn("Honestly I'm a bit burnt out by teaching, I just want out.")
    assert session.state.concerns["commitment"].worse
    session.turn("Is there anything in my background that would stop you recommending me?")
    session.turn("What do you mean?")
    session.turn("What do you mean?")
    assert session.state.concerns["commitment"].said == 2
    said = []
    for line in (
        "I love research itself, I've resigned, and I did the Northcode course in my own time.",
        "About two years. I talked to two UX researchers before I signed up for the course.",
        "Does that address your concern?",
    ):
        said += [e["text"] for e in jsons(session.turn(line).events) if e["event"] == "say"][1:]
    style = switchback.style.still_worried
    assert all(any(line.endswith(s) for s in style) for line in said), said
    assert not any("concrete example" in line or "still want to hear" in line for line in said)
    assert said[0] != said[1]
    assert session.state.concerns["commitment"].status == "partly_resolved"
