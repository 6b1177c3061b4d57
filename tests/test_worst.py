"""The slowest files and lines within the limits (tests/worst.py): each is at the limits, and
still validates and replies fast. bench/worst.py times them properly; here a reply may take ten
times the target of 50 ms, so that a loaded machine does not fail the test."""

from __future__ import annotations

import time

import pytest

from closer.engine import ScenarioError, Session, compile_scenario, load_scenario
from closer.engine.format.patterns import MAX_TOTAL_COST
from closer.engine.format.source import MAX_BYTES
from closer.engine.runtime.program import Program
from closer.engine.tools.lint import lint
from tests.worst import FILES, build, lines, scenario_cost, worst_file


def reply_time(program: Program, line: str) -> float:
    session, _ = Session.start(program, 1)
    session.turn("Hello.")
    started = time.perf_counter()
    turn = session.turn(line)
    elapsed = time.perf_counter() - started
    assert turn.match is None  # nothing matched, so every concern pattern was tried too
    return elapsed


@pytest.mark.parametrize("kind", FILES)
def test_the_worst_files_are_at_the_limits_and_still_fast(kind: str) -> None:
    text = worst_file(kind)
    assert len(text.encode()) <= MAX_BYTES
    started = time.perf_counter()
    program = compile_scenario(load_scenario(text, f"{kind}.yaml"))
    assert {d.code for d in lint(program)} <= {"W108", "W111"}  # examples; gap-only entries
    assert time.perf_counter() - started < 2.0  # the target; about 0.3 s
    assert 0.95 * MAX_TOTAL_COST < scenario_cost(program.scenario) <= MAX_TOTAL_COST
    for name, line in lines().items():
        assert reply_time(program, line) < 0.5, name  # ten times the target; about 0.03 s


def test_the_file_that_took_97_seconds_to_answer_hello_is_refused() -> None:
    # word sets of 500 entries of 60 gaps counted as one part of a pattern each
    padded = {"padded": [" ".join(["*9"] * 59) + f" w{i}" for i in range(500)]}
    text = build(triggers=[f"zz{i} @padded @padded" for i in range(100)], word_sets=padded)
    started = time.perf_counter()
    with pytest.raises(ScenarioError) as e:
        load_scenario(text, "t.yaml")
    assert {d.code for d in e.value.diagnostics} == {"E062"}
    assert len(e.value.diagnostics) == 100  # each pattern, where it is written
    assert time.perf_counter() - started < 2.0
