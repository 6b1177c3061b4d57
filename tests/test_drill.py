"""The closing drill: `Session.drill` (the engine's draw) and `closer play --drill` through a real
pipe (the first line, the debrief, the transcript's header, resume, record)."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pytest

from closer.engine import compile_scenario, load_path
from closer.engine.runtime.concerns import holdable
from closer.engine.runtime.events import ConcernEvent, CueEvent, SayEvent
from closer.engine.runtime.program import CQ, Program
from closer.engine.runtime.session import Session
from closer.engine.tools.debrief import build_debrief
from closer.engine.tools.explore import Sampler, Walk, early_reveal, no_repeat, quotes, well_formed
from tests.test_play import events, of, run
from tests.test_record import closer_test
from tests.test_session import CLOSING, RESOLVE_TENURE

SCENARIOS = Path(__file__).parent.parent / "scenarios"


@pytest.fixture(scope="module", params=["ledgerline", "riverbend"])
def program(request: pytest.FixtureRequest) -> Program:
    return compile_scenario(load_path(SCENARIOS / f"{request.param}.yaml"))


@pytest.fixture(scope="module")
def ledgerline() -> Program:
    return compile_scenario(load_path(SCENARIOS / "ledgerline.yaml"))


def drawn(program: Program, seed: int) -> list[str]:
    _, opening = Session.drill(program, seed)
    return [e.concern for e in opening.events if isinstance(e, ConcernEvent)]


# ---- the engine -------------------------------------------------------------------------------


def test_the_drill_starts_at_the_candidates_questions_with_concerns_raised(
    program: Program,
) -> None:
    session, opening = Session.drill(program, 4)
    assert session.state.state == CQ and session.state.turn == 0
    says = [e for e in opening.events if isinstance(e, SayEvent)]
    # no greeting, no question: the prompt for the candidate's questions is the only line
    assert len(says) == 1 and says[0].phase == "candidate_questions"
    assert says[0].text in program.scenario.flow.cq_prompt
    raised = [e for e in opening.events if isinstance(e, ConcernEvent)]
    assert raised and all(e.status == "raised" and e.turn == 0 for e in raised)
    active = {k for k, v in session.state.concerns.items() if v.status == "raised"}
    assert active == {e.concern for e in raised}


def test_the_draw_is_one_to_three_concerns_the_persona_holds_and_the_same_per_seed(
    program: Program,
) -> None:
    can = {c.id for c in holdable(program)}
    seen: set[tuple[str, ...]] = set()
    for seed in range(60):
        ids = drawn(program, seed)
        assert 1 <= len(ids) <= 3 and len(set(ids)) == len(ids)
        assert set(ids) <= can
        assert ids == drawn(program, seed)  # deterministic per seed
        seen.add(tuple(ids))
    assert len(seen) > 3  # the seed really chooses


def test_two_seeds_draw_different_concerns_and_one_seed_the_same(ledgerline: Program) -> None:
    assert drawn(ledgerline, 1) == ["tenure"]
    assert drawn(ledgerline, 5) == ["speed", "oncall", "blame"]
    assert drawn(ledgerline, 5) == drawn(ledgerline, 5)


def test_a_concern_nothing_could_raise_is_never_drawn(ledgerline: Program) -> None:
    # "blame" (said) without its triggers, "speed" (theme) without its theme: no interview
    # could raise either, so no drill holds them; the background concern stays drawable
    mute = tuple(
        c._replace(triggers=()) if c.id == "blame" else c._replace(theme=None) if c.id == "speed"
        else c
        for c in ledgerline.concerns
    )  # fmt: skip
    other = replace(ledgerline, concerns=mute)
    assert [c.id for c in holdable(other)] == ["tenure", "oncall"]
    for seed in range(40):
        assert set(drawn(other, seed)) <= {"tenure", "oncall"}


def test_a_background_concern_is_drawable_whatever_the_card_says(ledgerline: Program) -> None:
    card = ledgerline.scenario.candidate
    no_fact = card._replace(facts=tuple((k, False) for k, _ in card.facts))
    other = replace(ledgerline, scenario=ledgerline.scenario._replace(candidate=no_fact))
    assert "tenure" in {c.id for c in holdable(other)}


def test_a_drill_resumes_from_json_exactly(ledgerline: Program) -> None:
    from closer.engine.runtime.session import SessionState

    lines = [CLOSING, "what do you mean?", RESOLVE_TENURE, "anything else?"]
    whole, _ = Session.drill(ledgerline, 6)
    theirs = [e for line in lines for e in whole.turn(line).events]
    part, _ = Session.drill(ledgerline, 6)
    mine = list(part.turn(lines[0]).events)
    data = json.loads(json.dumps(part.state.to_json()))
    again = Session(ledgerline, SessionState.from_json(data))
    mine += [e for line in lines[1:] for e in again.turn(line).events]
    assert mine == theirs


def test_exploration_invariants_hold_in_drills(program: Program) -> None:
    """`closer test --explore`'s checks on random drills: no line twice in a row, nothing
    surfaced before it was asked, well-formed events, a debrief quoting only what was said."""
    sampler = Sampler(program)
    for seed in range(40):
        rng = random.Random(f"lines:{seed}")
        session, opening = Session.drill(program, seed)
        evs = list(opening.events)
        lines: list[str] = []
        while not session.ended and len(lines) < 25:
            lines.append(sampler.line(rng, session.state.state, session.state.current))
            evs += session.turn(lines[-1]).events
        if not session.ended:
            evs += session.end("eof").events
        walk = Walk(seed, (), tuple(lines), tuple(evs))
        assert no_repeat(evs) is None, (seed, lines)
        assert early_reveal(evs) is None, (seed, lines)
        assert well_formed(program, evs) is None, (seed, lines)
        assert quotes(walk, [build_debrief(program, evs)], program) is None, (seed, lines)


# ---- closer play --drill ------------------------------------------------------------------------


def interviewer_lines(stdout: str) -> list[str]:
    return [x for x in stdout.splitlines() if x.startswith(("Priya: ", "Denise: "))]


def test_play_drill_through_a_pipe(tmp_path: Path) -> None:
    t = tmp_path / "t.jsonl"
    lines = [CLOSING, "What do you mean by that?", RESOLVE_TENURE, "Is there anything else?"]
    proc = run(["play", "--drill", "--instant", "--seed", "6", "--transcript", str(t)], lines)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    said = interviewer_lines(out)
    assert said[0] == "Priya: That's everything from me. What questions do you have for me?"
    assert "A closing drill" in out.split(said[0])[0]  # the briefing says what this is
    # a concern that comes from something said was not said in a drill: the briefing says so
    assert "if you hear that you said something earlier, answer as if you had" in out
    evs = events(t)
    head = evs[0]
    assert head["mode"] == "drill"
    raised = [e["concern"] for e in of(evs, "concern") if e["turn"] == 0]
    assert head["drawn"] == raised == ["tenure", "speed", "oncall"]
    first = of(evs, "intent")[0]
    assert first["turn"] == 1 and first["intent"] == "closing_question"
    assert not first.get("deferred")  # heard as on time
    assert [c["kind"] for c in of(evs, "cue") if c["turn"] == 1] == ["hesitation"]
    debrief = out.split("Debrief")[1]
    assert (
        'Drill, seed 6: the concerns drawn were "Will you stay?", "Speed over safety" and '
        '"Won\'t carry the pager (a misunderstanding)".' in " ".join(debrief.split())
    )
    assert "Your answers" not in debrief
    assert "Drawn for this drill" in debrief


def test_two_seeds_of_play_drill_differ(tmp_path: Path) -> None:
    def heads(seed: int) -> list[str]:
        t = tmp_path / f"{seed}.jsonl"
        args = ["play", "--drill", "--instant", "--seed", str(seed), "--transcript", str(t)]
        proc = run(args, [])
        assert proc.returncode == 0, proc.stderr
        return events(t)[0]["drawn"]

    assert heads(1) == ["tenure"] and heads(5) == ["speed", "oncall", "blame"]


def test_a_drill_without_the_closing_question_never_criticises_answers(tmp_path: Path) -> None:
    proc = run(["play", "riverbend", "--drill", "--instant", "--seed", "2"], ["bye"])
    assert proc.returncode == 0, proc.stderr
    debrief = proc.stdout.split("Debrief")[1]
    assert "Drill, seed 2:" in debrief and "Your answers" not in debrief
    assert "Your answer to" not in debrief and "Put a number" not in debrief


def test_resume_of_a_drill_is_the_drill(tmp_path: Path) -> None:
    lines = [CLOSING, "what do you mean?", RESOLVE_TENURE, "anything else?", "bye"]
    whole, part = tmp_path / "whole.jsonl", tmp_path / "part.jsonl"
    run(["play", "--drill", "--instant", "--seed", "6", "--transcript", str(whole)], lines)
    args = ["play", "--drill", "--instant", "--seed", "6", "--transcript", str(part)]
    first = run(args, lines[:2])
    assert first.returncode == 0 and of(events(part), "end")[-1]["reason"] == "eof"
    second = run(["play", "--instant", "--resume", str(part)], lines[2:])  # no --drill needed
    assert second.returncode == 0, second.stderr
    assert "Resumed after 2 turns." in second.stdout
    assert "Drill, seed 6:" in second.stdout
    assert part.read_bytes() == whole.read_bytes()


def test_drill_and_resume_of_a_full_interview_is_refused(tmp_path: Path) -> None:
    t = tmp_path / "t.jsonl"
    run(["play", "--instant", "--seed", "1", "--transcript", str(t)], ["hi"])
    proc = run(["play", "--drill", "--instant", "--resume", str(t)], [])
    assert proc.returncode == 2
    assert "not a drill" in proc.stderr and "Traceback" not in proc.stderr


def test_debrief_of_a_drill_transcript_names_the_drill(tmp_path: Path) -> None:
    t = tmp_path / "t.jsonl"
    run(["play", "--drill", "--instant", "--seed", "1", "--transcript", str(t)], [CLOSING])
    proc = run(["debrief", str(t)], [])
    assert proc.returncode == 0, proc.stderr
    assert 'Drill, seed 1: the concern drawn was "Will you stay?".' in " ".join(proc.stdout.split())
    md = run(["debrief", "--format", "markdown", str(t)], [])
    assert "Drill, seed 1: the concern drawn was" in md.stdout


def test_a_drill_transcript_with_a_forged_drawn_list_is_refused(tmp_path: Path) -> None:
    t = tmp_path / "t.jsonl"
    run(["play", "--drill", "--instant", "--seed", "1", "--transcript", str(t)], [CLOSING])
    text = t.read_text(encoding="utf-8").replace('"drawn": ["tenure"]', '"drawn": "tenure"')
    t.write_text(text, encoding="utf-8")
    proc = run(["debrief", str(t)], [])
    assert proc.returncode == 1 and proc.stderr.startswith(f"closer: {t}:1:1: ")
    assert "Traceback" not in proc.stderr


def test_a_recorded_drill_replays_as_a_passing_test(tmp_path: Path) -> None:
    rec = tmp_path / "drill.test.yaml"
    lines = [CLOSING, "What do you mean by that?", RESOLVE_TENURE, "Anything else?"]
    proc = run(["play", "--drill", "--instant", "--seed", "6", "--record", str(rec)], lines)
    assert proc.returncode == 0, proc.stderr
    text = rec.read_text(encoding="utf-8")
    assert "    drill: true\n" in text
    ok = closer_test(str(rec))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    # without the drill the same lines are another conversation: the test would fail
    rec.write_text(text.replace("    drill: true\n", ""), encoding="utf-8")
    assert closer_test(str(rec)).returncode == 1


def test_a_persona_with_nothing_to_hold_drills_with_no_concerns(ledgerline: Program) -> None:
    session, opening = Session.drill(replace(ledgerline, concerns=()), 3)
    assert not [e for e in opening.events if isinstance(e, ConcernEvent)]
    cues = [e for e in session.turn(CLOSING).events if isinstance(e, CueEvent)]
    assert [c.cue for c in cues] == ["quick"]  # nothing drawn: the quick yes


def test_a_test_case_cannot_both_drill_and_start_later(ledgerline: Program) -> None:
    from tests.test_convtest import errors

    text = (
        "closer_test: 1\nscenario: ledgerline\ncases:\n  - name: x\n    drill: true\n"
        "    start: candidate_questions\n    steps: []\n"
    )
    assert errors(text, ledgerline) == [
        "t.test.yaml:6:12: T007 `start:` with `drill: true` (a drill starts at the "
        "candidate's questions; leave out `start:`)"
    ]


def test_a_full_interview_has_no_mode_in_its_session_line(tmp_path: Path) -> None:
    t = tmp_path / "t.jsonl"
    run(["play", "--instant", "--seed", "1", "--transcript", str(t)], ["hi"])
    head = events(t)[0]
    assert "mode" not in head and "drawn" not in head  # read as "interview" (docs/transcript.md)
