"""The interview mechanics (M1-M10) on the default persona, driven through the pure engine."""

from __future__ import annotations

import itertools
import json

import pytest

from closer.engine import EngineError, Session, SessionState
from closer.engine.format.patterns import normalize
from closer.engine.runtime.program import Program, opens_question
from closer.engine.runtime.reading import pushback
from tests.candidates import program_for
from tests.helpers import at_the_close, interviewer, jsons, play, statuses

ANSWERS = [
    "Fine, thanks for having me.",
    "I have been a backend engineer for 5 years, mostly Python and Go.",
    "I designed an order routing service that handled 2000 requests per second.",
    "Our queue backed up for 2 hours once; I found the consumer bug and fixed it.",
    "I write unit and integration tests, and every change gets code review from 2 people.",
    "I carry a pager one week in 4 at my current job.",
    "I want to work on payments; I have followed Ledgerline for 2 years.",
]
CLOSING = (
    "Is there anything I said today, or in my background, that would prevent you from "
    "recommending me? If there is, could I have a chance to talk about it?"
)
RESOLVE_TENURE = (
    "Brightloop shut down and Parcelwise was acquired, and payments is where I "
    "want to stay for years."
)


def kinds(events: list[dict], kind: str) -> list[dict]:
    return [e for e in events if e["event"] == kind]


def test_without_the_closing_question_nothing_surfaces(program: Program) -> None:
    _, events = play(program, [*ANSWERS, "Why is this position open?", "No, that's all from me."])
    concern_statuses = {e["status"] for e in kinds(events, "concern")}
    assert "raised" in concern_statuses
    assert not concern_statuses & {"hinted", "revealed"}
    assert kinds(events, "verdict") and kinds(events, "end")[0]["reason"] == "completed"
    assert not kinds(events, "cue")


def test_closing_question_hesitates_then_a_probe_reveals(program: Program) -> None:
    _, events = play(program, [*ANSWERS, CLOSING, "What do you mean by that?"])
    closing = [e for e in kinds(events, "intent") if e["intent"] == "closing_question"]
    assert closing and closing[0]["form"] == "full" and not closing[0].get("deferred")
    cue = kinds(events, "cue")[0]
    assert cue["kind"] == "hesitation"
    assert statuses(events, "tenure") == ["raised", "hinted", "revealed"]
    hinted_turn = next(e["turn"] for e in events if e.get("status") == "hinted")
    assert cue["turn"] == hinted_turn
    assert events.index(cue) < next(i for i, e in enumerate(events) if e.get("status") == "hinted")


def test_closing_question_in_the_questions_phase_is_deferred(program: Program) -> None:
    _, events = play(program, [ANSWERS[0], CLOSING, *ANSWERS[1:]])
    closing = [e for e in kinds(events, "intent") if e["intent"] == "closing_question"]
    assert closing[0]["deferred"] is True
    assert not kinds(events, "cue")
    assert "hinted" not in statuses(events, "tenure")
    # the interviewer goes back to the question that was pending
    said = interviewer(events)
    assert any("hold that thought" in s for s in said)


def test_same_seed_same_inputs_same_events(program: Program) -> None:
    lines = [*ANSWERS, CLOSING, "what do you mean?", "anything else?"]
    a = play(program, lines, seed=42)[1]
    b = play(program, lines, seed=42)[1]
    assert json.dumps(a) == json.dumps(b)


def test_different_seeds_vary_the_wording(program: Program) -> None:
    texts = {tuple(interviewer(play(program, ANSWERS, seed=s)[1])) for s in range(8)}
    assert len(texts) > 1


def test_addressing_with_full_evidence_resolves(program: Program) -> None:
    _, events = play(
        program,
        [*ANSWERS, CLOSING, "What do you mean?", RESOLVE_TENURE, "Does that address your concern?"],
    )
    assert statuses(events, "tenure")[-1] == "resolved"
    resolved = next(e for e in events if e.get("status") == "resolved")
    assert set(resolved["evidence"]) >= {"external", "commitment"}
    assert "It does" in interviewer(events)[-1]


def test_addressing_with_some_evidence_partly_resolves(program: Program) -> None:
    _, events = play(
        program,
        [
            *ANSWERS,
            CLOSING,
            "What do you mean?",
            "Brightloop shut down and Parcelwise was acquired.",
            "Does that address your concern?",
        ],
    )
    assert statuses(events, "tenure")[-1] == "partly_resolved"
    assert "why you would stay here for years" in interviewer(events)[-1]


def test_answering_before_probing_counts_for_less(program: Program) -> None:
    _, events = play(program, [*ANSWERS, CLOSING, RESOLVE_TENURE])
    partly = [e for e in events if e.get("status") == "partly_resolved"]
    assert partly and partly[0]["early"] is True
    assert "resolved" not in statuses(events, "tenure")


def test_defensiveness_makes_a_concern_worse(program: Program) -> None:
    _, events = play(
        program,
        [*ANSWERS, CLOSING, "What do you mean?", "That's not fair, my job history doesn't matter."],
    )
    assert statuses(events, "tenure")[-1] == "worsened"
    baseline = play(program, [*ANSWERS, CLOSING, "What do you mean?"])[1]
    assert kinds(events, "verdict")[0]["score"] < kinds(baseline, "verdict")[0]["score"]
    # M1: still polite
    assert interviewer(events)[-1] == "I see."


def test_evidence_before_the_close_preempts(program: Program) -> None:
    lines = [ANSWERS[0], "I have 5 years in backend. " + RESOLVE_TENURE, *ANSWERS[2:]]
    _, events = play(program, [*lines, CLOSING])
    assert statuses(events, "tenure") == ["raised", "preempted"]
    cue = kinds(events, "cue")[0]
    assert cue["kind"] == "quick"


def test_anything_else_brings_the_next_concern(program: Program) -> None:
    lines = list(ANSWERS)
    lines[5] = "Honestly I value my work-life balance, so I would rather not do nights."
    _, events = play(
        program,
        [
            *lines,
            CLOSING,
            "what do you mean?",
            RESOLVE_TENURE,
            "Is there anything else?",
            "What do you mean?",
            "To clarify, I'm happy to be on call; I carry the pager one week in four now.",
            "Anything else?",
        ],
    )
    assert statuses(events, "oncall") == ["raised", "hinted", "revealed", "resolved"]
    assert kinds(events, "cue")[-1]["kind"] == "quick"


def test_without_anything_else_the_rest_stay_hidden(program: Program) -> None:
    lines = list(ANSWERS)
    lines[5] = "Honestly I value my work-life balance, so I would rather not do nights."
    _, events = play(program, [*lines, CLOSING, "what do you mean?", RESOLVE_TENURE, "Thanks, bye"])
    assert statuses(events, "oncall") == ["raised"]


def test_misunderstanding_only_in_its_question_and_negation_guarded(program: Program) -> None:
    lines = list(ANSWERS)
    lines[5] = "No burnout worries here, I'm fine with on call."
    _, events = play(program, lines)
    assert statuses(events, "oncall") == []


def test_theme_concern_counts_across_answers(program: Program) -> None:
    lines = list(ANSWERS)
    lines[1] = "I move fast: 5 years of shipping quickly."
    lines[2] = "I built a scrappy prototype of a routing service in 3 weeks."
    _, events = play(program, lines)
    assert statuses(events, "speed") == ["raised"]
    raised = next(e for e in events if e.get("concern") == "speed")
    assert raised["turn"] == 3
    # M1: the reply in that turn is a neutral acknowledgement, whatever was thought
    said = [
        e["text"]
        for e in events
        if e["event"] == "say" and e["turn"] == 3 and e["speaker"] == "interviewer"
    ]
    assert said[0] in program.style.acknowledgements


def test_said_concern_from_a_trigger_phrase(program: Program) -> None:
    lines = list(ANSWERS)
    lines[6] = "My last team was a mess and my manager was clueless, so I want out; payments it is."
    _, events = play(program, lines)
    assert statuses(events, "blame") == ["raised"]


def test_background_concern_follows_facts(program: Program) -> None:
    _, events = play(program, ANSWERS, facts={"job_hopper": False})
    assert statuses(events, "tenure") == []


def test_candidate_questions_are_answered_with_clues(program: Program) -> None:
    _, events = play(program, [*ANSWERS, "Why is this position open?", "Who would I work with?"])
    clues = [e.get("clue") for e in events if e["event"] == "say" and e.get("clue")]
    assert clues == ["tenure", "oncall"]


def test_weak_form_gets_a_polite_non_answer(program: Program) -> None:
    _, events = play(program, [*ANSWERS, "How did I do?"])
    assert kinds(events, "intent")[-1]["intent"] == "how_did_i_do"
    assert interviewer(events)[-1] in program.style.how_did_i_do
    assert not kinds(events, "cue")


def test_state_round_trips_through_json(program: Program) -> None:
    session, _opening = Session.start(program, 9)
    for line in ANSWERS[:4]:
        session.turn(line)
    saved = json.loads(json.dumps(session.state.to_json()))
    clone = Session(program, SessionState.from_json(saved))
    rest = [*ANSWERS[4:], CLOSING, "What do you mean?"]
    a = [session.turn(x).events for x in rest]
    b = [clone.turn(x).events for x in rest]
    assert a == b


def test_turn_after_the_end_is_a_programming_error(program: Program) -> None:
    session, _ = play(program, ["bye"])
    session.end("quit")
    with pytest.raises(EngineError):
        session.turn("hello?")


def test_max_turns_ends_the_session(program: Program) -> None:
    session, events = play(program, ["What do you mean?"] * 200)
    assert session.ended
    assert kinds(events, "end")[0]["reason"] == "completed"
    assert max(e["turn"] for e in events) == program.scenario.max_turns


def test_evidence_given_earlier_preempts_a_concern_raised_later(program: Program) -> None:
    lines = list(ANSWERS)
    lines[3] = "I carried the pager for 3 years; once I got paged at 2am and rolled it back."
    lines[5] = "I value my work-life balance."
    _, events = play(program, lines)
    assert statuses(events, "oncall") == ["raised", "preempted"]
    raised, preempted = (e for e in events if e.get("concern") == "oncall")
    assert raised["turn"] == preempted["turn"] == 6


def test_a_variant_is_never_repeated_back_to_back(program: Program) -> None:
    said = interviewer(play(program, ANSWERS, seed=3)[1])
    acks = [s for s in said if s in program.style.acknowledgements]
    assert len(acks) >= 4
    assert all(a != b for a, b in itertools.pairwise(acks))


def test_the_verdict_weighs_every_status_and_only_those() -> None:
    from closer.engine.format.model import STATUSES
    from closer.engine.runtime.verdict import WEIGHTS

    assert tuple(WEIGHTS) == STATUSES


def test_an_answer_that_settles_a_concern_without_its_own_reply_is_not_answered_it_does() -> None:
    """ "It does, yes." answers "does that address it?"; said to an answer it reads as a reply
    to a question nobody asked. A concern without `replies` gets the answer_* style lines."""
    from closer.engine.runtime.events import SayEvent
    from tests.helpers import DEFAULT, compile_text

    text = DEFAULT.read_text("utf-8")
    start = text.index("  - id: speed")
    end = text.index("\n  - id: oncall", start)
    mine = text[start:end]
    cut = mine.index("    replies:")
    program = compile_text(text[:start] + mine[:cut] + "\n" + text[end:], "no-replies.yaml")
    session, _ = Session.start(program, 1, {"job_hopper": False}, start="why_us")
    said: list[str] = []
    for line in [
        "I ship fast: quick prototypes, hacks, speed above all. Fast, fast, fast.",
        "Any reservations about me?",
        "What do you mean?",
        "I write unit tests, everything goes through code review, and we use feature flags.",
    ]:
        said += [e.text for e in session.turn(line).events if isinstance(e, SayEvent)]
    assert "That helps, thank you. That's what I needed to hear." in said
    assert not any(s.startswith("It does, yes") for s in said)


def test_the_voice_renders_a_line_as_the_template_does() -> None:
    """`Voice._render` skips the template for a line without a brace (every placeholder has
    one): the same text as `template.render` with the session's values and the call's."""
    import random as _random

    from closer.engine.format.template import render
    from closer.engine.runtime.voice import Voice

    values = {"candidate.name": "Sam Lee", "interviewer.name": "Dana"}
    voice = Voice(_random.Random(1), {}, values, lambda: (0, "questions", "q"))
    lines = [
        "Plain words.",
        "Hello {candidate.name}.",
        "{{literal}} and {missing}",
        "a lone { brace",
        "a lone } brace",
        "only a closing }} pair",
        "{interviewer.name} asks about {missing}.",
        "",
    ]
    for line in lines:
        for extra in ({}, {"missing": "the gap"}):
            assert voice._render(line, extra) == render(line, {**values, **extra}), line


def test_what_do_you_mean_after_the_follow_up_puts_the_follow_up_another_way(
    program: Program,
) -> None:
    """Typed in a real terminal: "what do you mean exactly?" right after "Can you give me a
    concrete example from your last job?" got the testing question's own rephrase, as if it had
    not been answered. The follow-up was the last thing asked, so it is the one put another
    way; before the follow-up, the question is."""
    q = program.questions["testing"]
    session, _ = Session.start(program, 1, start="testing")
    assert interviewer(jsons(session.turn("What do you mean?").events)) == list(q.rephrase)
    said = interviewer(jsons(session.turn("Unit tests mostly, and a staging environment.").events))
    assert said[-1] == q.follow_up[0]
    said = interviewer(jsons(session.turn("what do you mean exactly?").events))
    assert said == list(q.follow_up_rephrase)
    # put off until the end, then the follow-up again (not the question already answered)
    session, _ = Session.start(program, 1, start="testing")
    session.turn("Unit tests mostly, and a staging environment.")
    said = interviewer(
        jsons(session.turn("Is there anything that would stop you hiring me?").events)
    )
    assert said[-1] == q.follow_up_rephrase[0]
    answer = "At Tallyhouse I changed invoice rounding and replayed last month's invoices first."
    assert interviewer(jsons(session.turn(answer).events))[-1] == program.questions["oncall"].ask[0]


@pytest.mark.parametrize(
    "line",
    [
        "like what?",  # typed in a real terminal (riverbend): taken as an answer, and praised
        "such as?",
        "Meaning?",
        "sorry?",
        "what sort of thing?",
        "Sorry, what kind of thing are you looking for?",
        "what do you want to know?",
        "for example?",
    ],
)
def test_a_short_question_that_asks_only_what_she_meant_gets_the_question_another_way(
    program: Program, line: str
) -> None:
    session, _ = Session.start(program, 1, start="why_us")
    events = jsons(session.turn(line).events)
    [intent] = [e for e in events if e["event"] == "intent"]
    assert (intent["intent"], intent["rule"]) == ("probe", "context:clarify")
    assert interviewer(events) == list(program.questions["why_us"].rephrase)
    assert not [e for e in events if e["event"] == "assess"]  # not judged as an answer


@pytest.mark.parametrize(
    "line",
    [
        "payments, mostly?",  # a tentative answer
        "like what I said, payments",
        "how big is the team?",  # a question for later
    ],
)
def test_an_answer_or_a_question_for_later_is_not_a_request_to_clarify(
    program: Program, line: str
) -> None:
    session, _ = Session.start(program, 1, start="why_us")
    [intent] = [e for e in jsons(session.turn(line).events) if e["event"] == "intent"]
    assert intent["rule"] != "context:clarify"


def intent_of(persona: str, start: str, line: str) -> dict:
    """The intent event of `line`, said right after the question `start` is asked."""
    session, _ = Session.start(program_for(persona), 1, start=start)
    [intent] = [e for e in jsons(session.turn(line).events) if e["event"] == "intent"]
    return intent


@pytest.mark.parametrize(
    ("persona", "start", "line"),
    [
        # typed in a real terminal: taken as an answer, and she moved on or praised it
        ("talentbridge", "admin", "as in base or the whole package?"),
        ("greenleaf", "busy_saturday", "sorry, keep them going how?"),
        ("greenleaf", "cash_stock", "the till one, or the stock one?"),
        # typed in a real terminal: "stock" alone hears ask_pay, and she kept it for later
        ("greenleaf", "cash_stock", "Which one, the till or the stock?"),
        ("greenleaf", "difficult_customer", "difficult how?"),
        ("ledgerline", "why_us", "meaning at Ledgerline, or payments in general?"),
        ("ledgerline", "testing", "unit tests or integration?"),
        ("ledgerline", "system", "how big a system?"),
        # written blind (tests/data/blind/set_f.jsonl), where they were answers before
        ("ledgerline", "incident", "Do you want one I caused or one I just helped fix?"),
        ("riverbend", "deteriorating", "Does it need to be recent? Most of mine are from before."),
        ("hillcrest", "assessment", "Apologies, should I focus on formative or summative?"),
        ("switchback", "numbers", "Analytics specifically?"),
        ("switchback", "best_project", "Including school research?"),
        ("greenleaf", "busy_saturday", "Sorry, which bit?"),
        ("riverbend", "why_left", "You mean Lakeview? Or why I took time off altogether?"),
        # typed in a real terminal after "how would you let the charge nurse know?"
        ("riverbend", "prioritize", "Sorry, let them know about what exactly?"),
        ("riverbend", "prioritize", "you want me to say how?"),
        ("talentbridge", "admin", "Sorry, is that base only or the whole package?"),
        # the forms set g (tests/data/blind/set_g.jsonl) missed, in other words
        ("riverbend", "charting", "sorry, which system was that?"),  # her rephrase's word
        ("greenleaf", "about_you", "How much do you want, just the job or me as well?"),
        ("hillcrest", "assessment", "Can I clarify whether you mean the day to day stuff?"),
        ("hillcrest", "reflection", "Would you prefer a recent one, or one from my ECT year?"),
        ("ledgerline", "oncall", "Sorry, in what sense?"),
        ("switchback", "numbers", "Surveys only?"),
        ("talentbridge", "current_role", "Like, headcount?"),
        ("talentbridge", "why_move", "Why I'm leaving, or why this role?"),
        ("ledgerline", "incident", "Caused or fixed?"),
        # the forms set h missed at first contact, in other words
        ("ledgerline", "about_you", "What level of detail do you want, the headlines or each job?"),
        ("ledgerline", "system", "Designed end to end?"),  # her own words asked back
        ("ledgerline", "incident", "how serious?"),
        ("riverbend", "deteriorating", "Any patient?"),
        ("switchback", "numbers", "Would survey numbers count?"),
        ("hillcrest", "about_you", "Before I start, should I focus on my training year?"),
    ],
)
def test_a_question_about_her_question_gets_it_another_way(
    persona: str, start: str, line: str
) -> None:
    """Which reading she meant, her own words asked back, how to answer it."""
    intent = intent_of(persona, start, line)
    assert (intent["intent"], intent["rule"]) == ("probe", "context:clarify")


@pytest.mark.parametrize(
    ("persona", "start", "line"),
    [
        ("talentbridge", "why_move", "is the team big or small?"),  # names nothing she asked
        # about her side, though it names Epic (written blind)
        ("riverbend", "charting", "Do you do Epic training before you start, or is it on the job?"),
        ("switchback", "level", "What's Priti like to work for?"),  # her words, but a real question
        ("greenleaf", "keys", "should i bring my dbs certificate on the first day?"),
        ("riverbend", "prioritize", "What are the hours like exactly?"),  # the question word first
        ("talentbridge", "location", "is it hybrid or on site?"),  # "it": the job, not her question
        ("riverbend", "why_nights", "the quiet, mostly?"),  # a tentative answer
        ("hillcrest", "about_you", "is the post permanent or fixed term?"),  # about her side
    ],
)
def test_a_question_for_later_or_a_tentative_answer_is_not_a_request_to_clarify(
    persona: str, start: str, line: str
) -> None:
    assert intent_of(persona, start, line)["rule"] != "context:clarify"


@pytest.mark.parametrize(
    ("persona", "start", "line"),
    [
        # written blind (set h): asked before answering, about her side; taken as answers
        ("hillcrest", "about_you", "Before I start, may I ask if the job is a permanent one?"),
        ("talentbridge", "current_role", "Before I go into mine, how big would my team be?"),
    ],
)
def test_a_question_asked_before_answering_is_kept_for_later(
    persona: str, start: str, line: str
) -> None:
    assert intent_of(persona, start, line)["deferred"] is True


def test_a_blank_is_given_a_moment_and_the_question_another_way_once() -> None:
    """Played in a real terminal (riverbend, hillcrest): "Um, I can't think of one right now."
    got "Mm-hm." and the next question at once. A person gives them a moment and asks it
    another way, once; a second blank, or a request to move on, moves on."""
    riverbend = program_for("riverbend")
    q = riverbend.questions["deteriorating"]
    session, _ = Session.start(riverbend, 1, start="deteriorating")
    said = [e for e in jsons(session.turn("Um, I can't think of one right now.").events)]
    lines = [e["text"] for e in said if e["event"] == "say" and e["speaker"] == "interviewer"]
    assert lines[0] in riverbend.style.nudge and lines[1] in q.rephrase, lines
    assert session.state.state == "deteriorating"
    assert session.state.nudged == ["deteriorating"]
    session.turn("No, sorry, nothing comes to mind.")
    assert session.state.state == "charting"  # once only
    # resumed from a state written before `nudged` existed
    data = session.state.to_json()
    del data["nudged"]
    assert SessionState.from_json(data).nudged == []


@pytest.mark.parametrize(
    "line",
    [
        "Honestly I don't remember the details. Can we move on?",  # asked to move on
        "I'd rather not think of that night again.",  # not a blank
        "I really don't know, I just always check the obs.",  # no "remember", no "think of"
    ],
)
def test_a_request_to_move_on_or_an_answer_is_not_nudged(line: str) -> None:
    session, _ = Session.start(program_for("riverbend"), 1, start="deteriorating")
    session.turn(line)
    assert session.state.nudged == []


def test_a_thanks_once_she_has_nothing_else_is_a_goodbye() -> None:
    """Played in a real terminal (talentbridge): after "No, that's the lot.", "great, thanks
    jade" got "Mm-hm." and the call went on. A short thanks then is the candidate wrapping up;
    a thanks with a question is not."""
    talentbridge = program_for("talentbridge")
    session = at_the_close(talentbridge)  # no worries: "is there anything?" clears at once
    session.turn("Is there anything that would stop you putting me forward?")
    assert session.state.state == "closing_clear"
    intent = next(
        e for e in jsons(session.turn("great, thanks jade").events) if e["event"] == "intent"
    )
    assert (intent["intent"], intent["rule"]) == ("goodbye", "context:wrap_up")
    assert session.ended
    session = at_the_close(talentbridge)
    session.turn("Is there anything that would stop you putting me forward?")
    session.turn("Thanks, and what happens next?")
    assert not session.ended


@pytest.mark.parametrize("said", [1, 2])
def test_the_closing_question_asked_for_anything_else_brings_the_next_concern(said: int) -> None:
    """Blind set i: with a concern on the table, "is there anything else that's giving you pause
    about me?" matched the closing question and was taken as a probe of that concern ("That's
    it, really."): the next concern never came out."""
    switchback = program_for("switchback")
    session = at_the_close(switchback, "level", "quant")
    session.turn("Is there anything that would stop you recommending me?")
    first = session.state.current
    assert first is not None
    if said == 2:
        session.turn("What do you mean?")
    assert session.state.concerns[first].said == said
    turn = jsons(session.turn("Is there anything else that's giving you pause about me?").events)
    intent = next(e for e in turn if e["event"] == "intent")
    assert (intent["intent"], intent["rule"]) == ("anything_else", "context:else")
    other = session.state.current
    assert other is not None and other != first and session.state.concerns[other].said >= 1
    # the closing question asked again, without "else", is still a probe of the one on the table
    session = at_the_close(switchback, "level", "quant")
    session.turn("Is there anything that would stop you recommending me?")
    turn = jsons(session.turn("Is there anything about me that's giving you pause?").events)
    assert next(e for e in turn if e["event"] == "intent")["intent"] == "probe"


def test_no_question_in_an_answer_to_the_concern_does_not_end_the_interview() -> None:
    """Blind set i: "... and I'll be here March to June no question" matched `no_questions`
    ("question" is a slip from "questions"), and her reply to the concern was the goodbye."""
    greenleaf = program_for("greenleaf")
    line = (
        "I'd rather have sundays with family but it's a preference not a condition. My sister "
        "has my daughter when I work, and I'll be here March to June no question"
    )
    for last in (line, "No questions from me, thanks."):
        session = at_the_close(greenleaf, "sundays")
        session.turn("Is there anything that would stop you recommending me?")
        session.turn("What do you mean?")
        assert session.state.concerns["sundays"].said == 2
        session.turn(last)
        assert session.ended == (last != line)
        if last == line:  # heard as an answer to the concern
            assert session.state.concerns["sundays"].status in ("resolved", "partly_resolved")


def _on_the_table(scenario: str, cid: str, said: int) -> Session:
    """A session with `cid`'s vague (said 1) or specific (said 2) line on the table."""
    session = at_the_close(program_for(scenario), cid)
    session.turn("Is there anything that would stop you recommending me?")
    for probe in ("What do you mean?", "Could you say more?", "Sorry, I'm not following."):
        if said < 2 or session.state.concerns[cid].said >= 2:
            break
        session.turn(probe)
    assert session.state.current == cid and session.state.concerns[cid].said == said
    return session


@pytest.mark.parametrize(
    ("scenario", "cid", "said", "line", "intent"),
    [
        # "that's all" asked, not said: she is asked to say more, the interview goes on
        ("greenleaf", "reference", 1, "Sorry, that's all?", "probe"),
        # her word asked back: not evidence that happens to use it
        ("hillcrest", "behaviour", 1, "Consistent in what sense?", "probe"),
        ("ledgerline", "speed", 1, "Deliberately how?", "probe"),
        # "anything else" asked, whatever else matched (thanks for being honest; need from me)
        (
            "hillcrest",
            "safeguarding",
            2,
            "Thank you for being honest with me. Is there anything else you'd want me to clear "
            "up before you ring my referees?",
            "anything_else",
        ),
        ("talentbridge", "counter", 2, "Right, anything else you'd need from me?", "anything_else"),
        # sentences typed without their "I" are not questions ("didnt need the duty manager")
        (
            "greenleaf",
            "customer",
            2,
            "ok so at Harlows I was the one who got called. had a man shouting about a mower, I "
            "took him off the shop floor and sorted an exchange. didnt need the duty manager.",
            None,
        ),
        ("ledgerline", "oncall", 1, "OK. Good to know.", "acknowledge"),
        ("riverbend", "gap", 2, "That's fair. It is a long time.", "acknowledge"),
        # played in tmux: an acknowledgement, then an answer (to another worry): "Got it."
        (
            "greenleaf",
            "customer",
            1,
            "I understand. my sister has my daughter on the sundays I work and I've never "
            "turned one down",
            None,
        ),
        ("riverbend", "clinical", 1, "Aw, thank you, I appreciate that.", "acknowledge"),
        # "take care of my mom" in an answer to the worry, said in its first sentence
        (
            "riverbend",
            "staffing",
            2,
            "Oh no, I didn't leave because of short staffing! I left Lakeview to take care of my "
            "mom through her cancer treatment. I've worked plenty of short nights.",
            None,
        ),
    ],
)
def test_a_line_in_the_closing_discussion_is_taken_as_a_person_would(
    scenario: str, cid: str, said: int, line: str, intent: str | None
) -> None:
    """Blind set j (the closing discussion, six personas): "Sorry, that's all?" was "no more
    questions", and she said goodbye; "consistent in what sense?" counted as evidence of
    consistency; "...to take care of my mom..." was a goodbye."""
    session = _on_the_table(scenario, cid, said)
    turn = jsons(session.turn(line).events)
    assert next(e for e in turn if e["event"] == "intent")["intent"] == intent
    assert not session.ended


@pytest.mark.parametrize(
    ("scenario", "cid", "said", "line"),
    [
        ("greenleaf", "reference", 1, "Well I can't control what Gary chooses to write, can I."),
        ("talentbridge", "counter", 1, "I wouldn't be on the phone to you if I wasn't, would I?"),
        (
            "ledgerline",
            "oncall",
            1,
            "on-call's fine, honestly I don't see why we need to go into it",
        ),
        ("ledgerline", "tenure", 2, "Two of those companies folded. I don't see how that's on me."),
        ("greenleaf", "sundays", 2, "I don't think it's fair to judge me on your last assistant."),
        ("riverbend", "gap", 1, "I mean, it's not like I forgot how to be a nurse."),
        ("switchback", "stakeholders", 2, "I don't think that's a fair assumption."),
        ("talentbridge", "salary", 2, "If they bin CVs over the band, that's their loss."),
        ("greenleaf", "reference", 1, "References never say much. I wouldn't read into it."),
        ("hillcrest", "short_post", 2, "I'm not sure that's entirely fair. She came back early."),
        ("switchback", "quant", 2, "I'd push back on that. Surveys aren't exactly rocket science."),
    ],
)
def test_pushing_back_on_the_concern_makes_it_worse(
    scenario: str, cid: str, said: int, line: str
) -> None:
    """Blind sets i and j: 4 of 24 defensive lines made the concern worse; these are the kinds
    that now do (a negative with its own tag, "can I?", is not a question for her)."""
    session = _on_the_table(scenario, cid, said)
    turn = jsons(session.turn(line).events)
    assert [e["status"] for e in turn if e["event"] == "concern"] == ["worsened"]


@pytest.mark.parametrize(
    "line",
    [
        "I can't control the market, but I can tell you I'm moving in August, can I explain?",
        "Do I need a reference from Gary? Anita Shah would speak for me.",
        "I couldn't exactly remember the dates, but I was there four years.",
    ],
)
def test_a_tag_or_a_not_in_an_answer_is_not_pushback(line: str) -> None:
    assert not pushback(program_for("greenleaf"), normalize(line))


@pytest.mark.parametrize(
    ("line", "asks"),
    [
        ("didnt need the duty manager", False),
        ("had a man shouting about a mower", False),
        ("didn't you say nights?", True),
        ("had you heard of us before?", True),
        ("is the role remote?", True),
        ("did not matter in the end", False),
    ],
)
def test_a_sentence_typed_without_its_i_does_not_open_like_a_question(
    line: str, asks: bool
) -> None:
    """Blind set k: "had a man shouting ... didnt need the duty manager." opened like two
    questions, so an answer to the concern was taken as a probe ("That's really all it is")."""
    assert opens_question(normalize(line).words) == asks


def test_the_word_on_leaving_a_question_does_not_open_like_what_she_asks_next() -> None:
    """Played in tmux (switchback): "Right." then "Right, that's me done. Your turn." read like a
    stutter. The acknowledgement leaves out a variant that opens with the next line's word."""
    switchback = program_for("switchback")
    openings = []
    for seed in range(40):
        session, _ = Session.start(switchback, seed, start="why_us")
        said = [
            e["text"]
            for e in jsons(session.turn("I cycle to work, and the course is done.").events)
            if e["event"] == "say" and e["speaker"] == "interviewer"
        ]
        assert said[-1].startswith("Right, that's me done"), said
        openings.append(said[-2].split()[0])
    assert "Right." not in openings and len(set(openings)) >= 3


@pytest.mark.parametrize(
    ("line", "tone"),
    [
        ("oh it took me 15 minutes to find a spot but I made it", "bad_day"),
        ("it took us ages to park, sorry", "bad_day"),
        ("yes thanks, it took me no time at all", None),
    ],
)
def test_a_hard_journey_told_in_the_small_talk_gets_sympathy(line: str, tone: str | None) -> None:
    """Played in tmux (riverbend): "it took me 15 minutes to find a spot" got "Oh, good." back."""
    session, _ = Session.start(program_for("riverbend"), 1)
    turn = jsons(session.turn(line).events)
    assert next(e for e in turn if e["event"] == "intent").get("tone") == tone


def test_a_goodnight_to_a_night_nurse_manager_is_a_goodbye() -> None:
    """Played in tmux (riverbend): "thank you so much denise, have a good night" got "Oh, okay."
    and the interview went on; "have a good day" was a goodbye, "have a good night" was not."""
    riverbend = program_for("riverbend")
    session = at_the_close(riverbend)
    session.turn("Is there anything that would stop you recommending me?")
    assert session.state.state == "closing_clear"
    session.turn("thank you so much denise, have a good night")
    assert session.ended


def test_a_guess_that_she_has_been_away_names_the_gap() -> None:
    """Played in tmux (riverbend): "you mean because I've been away for a while?" got her second
    vague line, as if it had not named the gap."""
    session = at_the_close(program_for("riverbend"), "gap")
    session.turn("Is there anything that would stop you recommending me?")
    session.turn("you mean because I've been away for a while?")
    assert session.state.concerns["gap"].said == 2


def test_wanting_days_in_the_long_term_raises_the_nights_worry() -> None:
    """Played in tmux (riverbend): "long term I'd probably like days but nights are fine for
    now" raised nothing, and would have counted as commitment to nights ("long term" and
    "nights" anywhere in the line) and as liking nights ("like days but nights")."""
    riverbend = program_for("riverbend")
    session, _ = Session.start(riverbend, 1, start="why_nights")
    session.turn("honestly it works for my family, my husband works days. long term I'd probably "
                 "like days but nights are fine for now")  # fmt: skip
    cs = session.state.concerns["nights"]
    assert cs.status == "raised"
    assert "commitment" not in cs.groups and "preference" not in cs.groups
