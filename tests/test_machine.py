"""runtime.machine: the flow and a concern's lifecycle are `transitions` machines that move the
session's own state value; routing happens in the machine, and illegal moves are impossible."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from closer.engine import EngineError, Session, SessionState
from closer.engine.format.patterns import normalize
from closer.engine.runtime import machine
from closer.engine.runtime.concerns import ConcernState
from closer.engine.runtime.machine import LIFECYCLE, concern_machine
from closer.engine.runtime.program import CLEAR, CQ, DISCUSSION, Exit, FollowUp, Program
from tests.helpers import DEFAULT, compile_text
from tests.test_session import ANSWERS, CLOSING


def state_at(program: Program, where: str) -> SessionState:
    return Session.start(program, 1, start=where)[0].state


def test_the_machine_routes_an_answer_by_the_questions_rules(program: Program) -> None:
    machine = program.machine
    st = state_at(program, "incident")
    edge = machine.fire(st, "advance", utt=normalize("I have never had an incident, honestly."))
    assert isinstance(edge.exit, Exit) and edge.exit.rule is not None
    assert (edge.dest, st.state) == ("testing", "testing")  # the rule's goto, and it moved


def test_no_rule_gives_the_follow_up_once_then_the_next_question(program: Program) -> None:
    machine = program.machine
    st = state_at(program, "system")
    utt = normalize("It was a queue.")
    first = machine.fire(st, "advance", utt=utt)
    assert isinstance(first.exit, FollowUp) and first.dest is None and st.state == "system"
    st.follow_ups.append("system")  # what the session records when it asks the follow-up
    second = machine.fire(st, "advance", utt=utt)
    assert isinstance(second.exit, Exit) and second.exit.rule is None
    assert st.state == "incident"


def test_the_close_goes_where_the_pending_concern_says(program: Program) -> None:
    machine = program.machine
    st = state_at(program, CQ)
    assert machine.fire(st, "close", pending=True).dest == DISCUSSION
    assert machine.fire(st, "close", pending=True).dest is None  # stays on the table
    assert machine.fire(st, "close", pending=False).dest == CLEAR
    assert machine.fire(st, "close", pending=False).dest is None
    assert st.state == CLEAR


def test_a_move_the_machine_does_not_declare_is_an_error(program: Program) -> None:
    st = state_at(program, "about_you")
    with pytest.raises(EngineError, match="close"):
        program.machine.fire(st, "close", pending=True)
    with pytest.raises(EngineError, match="no 'jump'"):
        program.machine.fire(st, "jump")
    assert st.state == "about_you"


def test_the_machine_has_no_shortcuts_and_keeps_no_sessions(program: Program) -> None:
    triggers = {t for t, _, _ in program.machine.edges}
    assert triggers == {"advance", "close", "leave"}  # no to_<state> triggers
    sessions = [Session.start(program, seed)[0] for seed in range(20)]
    for s in sessions:
        s.turn(ANSWERS[0])
    assert program.machine._machine.models == []  # fired on each state, never add_model


def test_the_session_state_is_the_machines_state(program: Program) -> None:
    session, _ = Session.start(program, 3)
    turn = session.turn(ANSWERS[0])
    assert turn.moves == (("advance", "opening", "about_you"),)
    assert session.state.state == "about_you"
    # a property over the state value, not an attribute of its own (a compiled class has no
    # __dict__ to hold one)
    assert not hasattr(session, "flow_state") and "state" not in getattr(session, "__dict__", {})


@pytest.mark.parametrize(
    ("path", "legal"),
    [
        (["raised", "hinted", "revealed", "resolved"], True),
        (["raised", "preempted"], True),
        (["raised", "worsened", "hinted", "partly_resolved", "revealed", "resolved"], True),
        (["raised", "hinted", "revealed", "resolved", "hinted"], False),
        (["hinted"], False),
        (["raised", "resolved"], False),
        (["raised", "preempted", "hinted"], False),
    ],
)
def test_the_concern_lifecycle_allows_only_declared_moves(path: list[str], legal: bool) -> None:
    concern = ConcernState()
    machine = concern_machine()
    if legal:
        for status in path:
            machine.move(concern, status)
        assert concern.status == path[-1]
        return
    with pytest.raises(EngineError):
        for status in path:
            machine.move(concern, status)


def test_every_status_but_inactive_is_reached_by_exactly_one_trigger() -> None:
    dests = [dest for _, _, dest in LIFECYCLE]
    assert sorted(dests) == sorted(set(dests))
    assert set(dests) == {
        "raised", "hinted", "revealed", "partly_resolved", "resolved", "preempted", "worsened",
    }  # fmt: skip


def test_a_session_refuses_a_state_from_another_scenario(program: Program) -> None:
    text = DEFAULT.read_text(encoding="utf-8").replace("id: ledgerline", "id: elsewhere", 1)
    other = compile_text(text, "elsewhere.yaml")
    st = Session.start(program, 1)[0].state
    with pytest.raises(EngineError, match="for scenario 'ledgerline'"):
        Session(other, st)
    data = json.loads(json.dumps(st.to_json()))
    data["state"] = "no_such_question"
    with pytest.raises(EngineError, match="no_such_question"):
        Session(program, SessionState.from_json(data))
    data = json.loads(json.dumps(st.to_json()))
    data["concerns"] = {}
    with pytest.raises(EngineError, match="concerns"):
        Session(program, SessionState.from_json(data))


def test_reading_the_state_changes_nothing(program: Program) -> None:
    session, _ = Session.start(program, 5)
    session.turn(ANSWERS[0])
    before = json.dumps(session.state.to_json())
    for _ in range(3):
        assert session.state is session.state
        assert json.dumps(session.state.to_json()) == before
    # and a state read from JSON plays on exactly as the live one does
    twin = Session(program, SessionState.from_json(json.loads(before)))
    a = [e.to_json() for e in session.turn(CLOSING).events]
    b = [e.to_json() for e in twin.turn(CLOSING).events]
    assert a == b


def test_a_fire_does_what_the_transitions_machine_does(program: Program) -> None:
    """`fire` takes the edge from its own table (no event data, callbacks or log lines): for
    every trigger, state and facts, it takes the edge, moves the state and calls `leaving` as
    the machine's own trigger does (fired here with no table: through the machine)."""
    flow = program.machine
    lines = ["", "I'd rather not say.", *ANSWERS, CLOSING]
    for trigger in ("advance", "close", "leave", "jump"):
        for source in flow.states:
            for line in lines:
                for facts in (
                    {"utt": normalize(line), "skip": False, "pending": bool(line)},
                    {"utt": normalize(line), "skip": True, "pending": not line},
                ):
                    outcomes = []
                    for table in (flow._table, {}):
                        model = SimpleNamespace(state=source, follow_ups=[])
                        said: list[tuple[str, str]] = []
                        leaving = lambda e, m=model, s=said: s.append((e.dest, m.state))  # noqa: E731
                        try:
                            edge = machine._fire(
                                flow._machine, table, model, trigger, "state",
                                {**facts, "leaving": leaving},
                            )  # fmt: skip
                        except EngineError as e:
                            outcomes.append(("error", str(e), model.state))
                        else:
                            outcomes.append((edge, model.state, said))
                    assert outcomes[0] == outcomes[1], (trigger, source, line, facts)
    for trigger, sources, _ in LIFECYCLE:
        for status in ConcernState.__dataclass_fields__["status"].default, *sources, "resolved":
            outcomes = []
            for table in (concern_machine()._table, {}):
                concern = ConcernState(status=status)
                try:
                    edge = machine._fire(
                        concern_machine()._machine, table, concern, trigger, "status", {}
                    )
                except EngineError as e:
                    outcomes.append(("error", str(e), concern.status))
                else:
                    outcomes.append((edge, concern.status))
            assert outcomes[0] == outcomes[1], (trigger, status)
