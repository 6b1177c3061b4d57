"""Conversation tests as data (tools.convtest, tools.coverage): loading, name checks, running,
selection, and the start-state option of Session.start."""

from __future__ import annotations

import pytest

from closer.engine import EngineError, ScenarioError, Session
from closer.engine.runtime.events import ConcernEvent, CueEvent, EndEvent, event_from_json
from closer.engine.runtime.program import Program
from closer.engine.tools.convtest import (
    check_tests,
    interviewer_lines,
    keyword_matcher,
    load_tests,
    run_case,
)
from tests.helpers import play
from tests.test_session import ANSWERS

HEAD = "closer_test: 1\nscenario: ledgerline\ncases:\n"


def load(body: str, program: Program) -> list:
    tests = load_tests(HEAD + body, "t.test.yaml")
    problems = check_tests(tests, {"ledgerline": program})
    if problems:
        raise ScenarioError(problems)
    return list(tests.cases)


def errors(text: str, program: Program | None = None) -> list[str]:
    try:
        tests = load_tests(text, "t.test.yaml")
    except ScenarioError as e:
        return [str(d) for d in e.diagnostics]
    assert program is not None, "expected a structural error"
    return [str(d) for d in check_tests(tests, {"ledgerline": program})]


# ---- loading -------------------------------------------------------------------------------


def test_unknown_key_is_located_with_a_suggestion() -> None:
    text = HEAD + "  - name: a\n    steps:\n      - say: hi\n        reply_: Okay.\n"
    assert errors(text) == [
        "t.test.yaml:7:9: E040 unknown key 'reply_' in step (did you mean 'reply'?)"
    ]


def test_names_are_checked_against_the_scenario(program: Program) -> None:
    text = HEAD + (
        "  - name: a\n"
        "    facts: {job_hoper: true}\n"
        "    start: candidate_question\n"
        "    steps:\n"
        "      - say: hi\n"
        "        intent: closing_questoin\n"
        "        state: why_uss\n"
        "        phase: closin\n"
        "        concerns: {tenur: hiden}\n"
        "        events: [{concern: speed, status: raisd}]\n"
        "    expect:\n"
        "      debrief: {never_heard: [blam]}\n"
    )
    assert errors(text, program) == [
        "t.test.yaml:5:13: T006 unknown fact 'job_hoper' (did you mean 'job_hopper'?)",
        "t.test.yaml:6:12: T007 unknown start state 'candidate_question' "
        "(did you mean 'candidate_questions'?)",
        "t.test.yaml:9:17: T001 unknown intent 'closing_questoin' "
        "(did you mean 'closing_question'?)",
        "t.test.yaml:10:16: T002 unknown state 'why_uss' (did you mean 'why_us'?)",
        "t.test.yaml:11:16: T003 unknown phase 'closin' (did you mean 'closing'?)",
        "t.test.yaml:12:20: T004 unknown concern 'tenur' (did you mean 'tenure'?)",
        "t.test.yaml:12:27: T005 'hiden' is not a concern status (did you mean 'hidden'?)",
        "t.test.yaml:13:17: T005 unknown status 'raisd' (did you mean 'raised'?)",
        "t.test.yaml:15:30: T004 unknown concern 'blam' (did you mean 'blame'?)",
    ]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("  - name: a\n    steps: []\n  - name: a\n    steps: []\n", "T008"),
        ("  - name: a\n    steps:\n      - say: hi\n        reply: {regex: '(a+)+b'}\n", "T009"),
        ("  - name: a\n    steps:\n      - say: hi\n        reply: {regex: '(ab'}\n", "T009"),
        (
            "  - name: a\n    steps:\n      - say: hi\n        reply: {contains: a, any: [b]}\n",
            "T010",
        ),
        ("  - name: a\n    steps: []\n    expect: {score: {min: 80, max: 20}}\n", "T013"),
        ("  - name: a\n    steps:\n      - reply: hi\n", "E041"),
        ("  - name: a\n    steps: []\n    end: crash\n", "E033"),
        ("  - name: a\n    steps:\n      - {say: hi, cue: maybe}\n", "E033"),
    ],
)
def test_load_errors_have_codes(body: str, code: str) -> None:
    found = errors(HEAD + body)
    assert found and all(f": {code} " in f for f in found), found


def test_a_scenario_file_is_not_a_test_file(default_text: str) -> None:
    assert errors(default_text) == [
        "t.test.yaml:3:1: T012 this is a scenario, not a test file (see docs/testing.md)"
    ]


def test_defaults_and_overrides(program: Program) -> None:
    tests = load_tests(
        "closer_test: 1\nscenario: ledgerline\nseed: 7\ncases:\n"
        "  - {name: a, steps: []}\n"
        "  - {name: b, seed: 2, scenario: other.yaml, end: quit, steps: []}\n",
        "t.test.yaml",
    )
    a, b = tests.cases
    assert (a.seed, a.scenario, a.end, a.start) == (7, "ledgerline", "eof", None)
    assert (b.seed, b.scenario, b.end) == (2, "other.yaml", "quit")
    assert list(tests.refs()) == ["ledgerline", "other.yaml"]


# ---- running -------------------------------------------------------------------------------


def test_a_passing_case_checks_every_key(program: Program) -> None:
    (case,) = load(
        "  - name: closing\n"
        "    start: candidate_questions\n"
        "    steps:\n"
        "      - say: Do you have any concerns about me?\n"
        "        intent: closing_question\n"
        "        cue: hesitation\n"
        "        state: closing_discussion\n"
        "        phase: closing\n"
        "        reply: {contains: turnover}\n"
        "        concerns: {tenure: hinted, speed: hidden, oncall: not revealed}\n"
        "        events: [{concern: tenure, status: hinted}]\n"
        "    expect:\n"
        "      verdict: undecided\n"
        "      score: {min: 60, max: 70}\n"
        "      concerns: {tenure: not hidden}\n"
        "      debrief: {asked: true, full_form: false, probed: null, never_heard: []}\n",
        program,
    )
    result = run_case(case, program)
    assert result.passed, result.failure
    assert [s.position for s in result.steps] == [0, 1]  # the step, then the checks after the end
    assert result.start == "candidate_questions"
    assert ("close", "candidate_questions", "closing_discussion") in result.edges
    assert result.events[-1].to_json() == {"event": "end", "turn": 1, "reason": "eof"}


def test_a_failing_step_reports_where_and_what(program: Program) -> None:
    (case,) = load(
        "  - name: wrong\n"
        "    steps:\n"
        "      - say: Fine, thanks.\n"
        "        state: about_you\n"
        "      - say: I have been an engineer for five years.\n"
        "        state: incident\n"
        "        intent: probe\n"
        "        reply: Nope.\n"
        "      - say: never reached\n",
        program,
    )
    result = run_case(case, program)
    fail = result.failure
    assert fail is not None and fail.position == 1 and fail.step is not None
    assert str(fail.step.span) == "t.test.yaml:8:14"
    got = {m.key: (str(m.span), m.expected, m.actual) for m in fail.mismatches}
    assert got["state"] == ("t.test.yaml:9:16", '"incident"', '"system"')
    assert got["intent"] == ("t.test.yaml:10:17", '"probe"', "null")
    assert got["reply"][1] == '"Nope."' and "Tell me about a system" in got["reply"][2]
    assert len(result.steps) == 2  # stopped at the failing step


def test_debrief_expectations_of_quotes_leaving_and_preemption(program: Program) -> None:
    """`quotes`: words some quote of the debrief holds; `left_early`; `preempted`: ids."""
    line = "Brightloop shut down and Parcelwise was acquired; payments is where I want to stay."
    (good, bad) = load(
        "  - name: good\n"
        "    start: why_us\n"
        f"    steps:\n      - say: {line!r}\n"
        "    end: quit\n"
        "    expect:\n"
        "      debrief: {preempted: [tenure], left_early: true, quotes: [Parcelwise was]}\n"
        "  - name: bad\n"
        "    start: why_us\n"
        f"    steps:\n      - say: {line!r}\n"
        "    expect:\n"
        "      debrief: {preempted: [], left_early: false, quotes: [I never said this]}\n",
        program,
    )
    assert run_case(good, program).passed, run_case(good, program).failure
    fail = run_case(bad, program).failure
    assert fail is not None
    got = {m.key: (m.expected, m.actual) for m in fail.mismatches}
    assert got["debrief.preempted"] == ("[]", '["tenure"]')
    assert got["debrief.left_early"] == ("false", "true")
    assert got["debrief.quotes"][0] == '["I never said this"]'
    assert "Parcelwise was acquired" in got["debrief.quotes"][1]
    text = (
        HEAD + "  - name: a\n    steps: [{say: hi}]\n    expect: {debrief: {preempted: [tenur]}}\n"
    )
    assert errors(text, program) == [
        "t.test.yaml:6:35: T004 unknown concern 'tenur' (did you mean 'tenure'?)"
    ]


@pytest.mark.parametrize(
    ("reply", "ok"),
    [
        ('"Okay.\\nFirst, walk me through your background."', False),
        ("[\"Good. Let's get into it: I'll ask you a few questions, then leave time for yours.\","
         " \"First, walk me through your background.\"]", True),
        ("{contains: walk me through}", True),
        ("{contains: Walk me through}", False),
        ("{regex: '^Good\\..*background\\.$'}", True),
        ("{any: [nope, also nope]}", False),
    ],
)  # fmt: skip
def test_reply_forms(program: Program, reply: str, ok: bool) -> None:
    (case,) = load(
        f"  - name: r\n    seed: 3\n    steps:\n      - say: Fine.\n        reply: {reply}\n",
        program,
    )
    assert run_case(case, program).passed is ok


def test_a_step_after_the_interview_ended_fails(program: Program) -> None:
    (case,) = load(
        "  - name: gone\n    start: why_us\n    steps:\n"
        "      - say: Sorry, I have to go.\n      - say: Hello?\n",
        program,
    )
    fail = run_case(case, program).failure
    assert fail is not None and fail.position == 1
    assert fail.mismatches[0].actual == "it had ended"


@pytest.mark.parametrize(
    ("expr", "status", "level", "ok"),
    [
        ("raised", "raised", 0, True),
        ("not raised", "raised", 0, False),
        ("hidden", "worsened", 0, True),
        ("hidden", "hinted", 1, False),
        ("not hidden", "hinted", 1, True),
        ("not revealed", "partly_resolved", 1, True),  # the specific line not said yet
        ("not revealed", "partly_resolved", 2, False),
        ("revealed", "revealed", 2, True),
    ],
)
def test_status_expressions(expr: str, status: str, level: int, ok: bool) -> None:
    from closer.engine.tools.convtest import _status_matches

    assert _status_matches(expr, status, level) is ok


def test_facts_override_the_candidate_facts(program: Program) -> None:
    (case,) = load(
        "  - name: f\n    facts: {job_hopper: false}\n    steps: []\n"
        "    expect: {verdict: advance, score: 80, concerns: {tenure: inactive}}\n",
        program,
    )
    assert run_case(case, program).passed


def test_quit_end_reason(program: Program) -> None:
    (case,) = load("  - name: q\n    end: quit\n    steps: [{say: Fine.}]\n", program)
    assert run_case(case, program).events[-1] == EndEvent(1, "quit")


def test_reply_is_what_she_said_and_cue_lines_are_not_in_it(program: Program) -> None:
    _, events = play(program, [*ANSWERS, "Any concerns about me?"], seed=3)
    last = [event_from_json(e) for e in events if e.get("turn") == len(ANSWERS) + 1]
    cue = next(e for e in last if isinstance(e, CueEvent))
    assert cue.cue == "hesitation"
    lines = interviewer_lines(last)
    assert cue.text not in lines and "turnover" in lines[0]


# ---- selection -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "name", "ok"),
    [
        ("", "anything", True),
        ("tenure", "Tenure resolved", True),
        ("tenure resolved", "tenure resolved with evidence", True),
        ("tenure resolved", "tenure is resolved", False),
        ("not tenure", "tenure resolved", False),
        ("tenure and not worse", "tenure resolved", True),
        ("speed or blame", "blame raised", True),
        ("(speed or blame) and not raised", "blame raised", False),
        ('"does not surface"', "a concern that does not surface", True),
        ('"does not surface"', "a concern that surfaces", False),
        ('speed and "not (yet)"', "speed not (yet) raised", True),
    ],
)
def test_keyword_expressions(expr: str, name: str, ok: bool) -> None:
    assert keyword_matcher(expr)(name) is ok


@pytest.mark.parametrize("expr", ["and", "(tenure", "tenure or", "tenure )"])
def test_bad_keyword_expressions(expr: str) -> None:
    with pytest.raises(ValueError, match="-k"):
        keyword_matcher(expr)


# ---- the start-state option ----------------------------------------------------------------


def test_start_asks_the_starting_question_after_the_greeting(program: Program) -> None:
    session, opening = Session.start(program, 1, start="oncall")
    assert session.state.state == "oncall"
    said = interviewer_lines(opening.events)
    assert (
        said[0].startswith("Hi Jordan")
        and said[1] == "How do you feel about being in an on-call rotation?"
    )
    assert {e.turn for e in opening.events} == {0}


def test_start_at_the_candidates_questions(program: Program) -> None:
    session, opening = Session.start(program, 1, start="candidate_questions")
    assert session.state.state == "candidate_questions"
    assert interviewer_lines(opening.events)[-1].startswith("That's everything from me.")
    turn = session.turn("Is there anything that would prevent you from recommending me?")
    assert any(isinstance(e, ConcernEvent) and e.status == "hinted" for e in turn.events)


def test_no_start_is_unchanged(program: Program) -> None:
    a = Session.start(program, 4)[1].events
    b = Session.start(program, 4, None, None)[1].events
    assert a == b and len(interviewer_lines(a)) == 1


def test_bad_start_is_a_programming_error(program: Program) -> None:
    with pytest.raises(EngineError, match="cannot start at 'closing_clear'"):
        Session.start(program, 1, start="closing_clear")


@pytest.mark.parametrize(
    "text",
    [
        HEAD + "  - name: !!python/object/apply:os.system [echo pwned]\n    steps: []\n",
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
            for i in range(9)
        ),
        HEAD + '  - name: a\n    steps:\n      - say: "' + "x" * 600_000 + '"\n',
    ],
    ids=["python-tag", "alias-bomb", "too-big"],
)
def test_hostile_test_files_are_refused_with_a_diagnostic(text: str) -> None:
    with pytest.raises(ScenarioError) as err:
        load_tests(text, "h.test.yaml")
    assert all(str(d).startswith("h.test.yaml:") for d in err.value.diagnostics)


def test_a_long_line_is_a_valid_step(program: Program) -> None:
    """A player may paste a long line (the engine reads its first 2,000 characters)."""
    (case,) = load(f'  - name: long\n    steps:\n      - say: "{"word " * 1000}"\n', program)
    assert run_case(case, program).passed


def test_assess_checks_what_an_answer_was_judged(program: Program) -> None:
    (case,) = load(
        "  - name: judged\n"
        "    start: incident\n"
        "    steps:\n"
        "      - say: What do you mean?\n"
        "        assess: null\n"
        "      - say: I don't remember the details.\n"
        "        assess: {question: incident, flags: [evasive], shows: []}\n",
        program,
    )
    assert run_case(case, program).passed


@pytest.mark.parametrize(
    ("assess", "key"),
    [
        ("{flags: [only_we]}", "assess.flags"),
        ("{shows: [example]}", "assess.shows"),
        ("{lacks: []}", "assess.lacks"),
        ("{question: system}", "assess.question"),
        ("null", "assess"),
    ],
)
def test_assess_mismatches_say_what_was_judged(program: Program, assess: str, key: str) -> None:
    (case,) = load(
        "  - name: judged\n"
        "    start: incident\n"
        "    steps:\n"
        "      - say: I don't remember the details.\n"
        f"        assess: {assess}\n",
        program,
    )
    fail = run_case(case, program).failure
    assert fail is not None
    assert [m.key for m in fail.mismatches] == [key]


def test_assess_names_are_checked(program: Program) -> None:
    with pytest.raises(ScenarioError, match="E033"):
        load(
            "  - name: x\n    steps:\n      - say: Hi.\n        assess: {flags: [rude]}\n", program
        )
    found = errors(
        HEAD + "  - name: x\n    steps:\n      - say: Hi.\n        assess: {question: nope}\n",
        program,
    )
    assert len(found) == 1 and "T002 unknown question 'nope'" in found[0]
