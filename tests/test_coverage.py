"""tools.coverage: what a set of case results reached in a scenario, and where the rest is."""

from __future__ import annotations

from closer.engine.runtime.program import Program
from closer.engine.tools.convtest import check_tests, load_tests, run_case
from closer.engine.tools.coverage import measure
from tests.helpers import ROOT

HEAD = "closer_test: 1\nscenario: ledgerline\ncases:\n"


def load(body: str, program: Program) -> list:
    tests = load_tests(HEAD + body, "t.test.yaml")
    assert not check_tests(tests, {"ledgerline": program})
    return list(tests.cases)


def test_coverage_counts_what_a_case_reached(program: Program) -> None:
    (case,) = load(
        "  - name: c\n    start: why_us\n    steps:\n      - say: Sorry, I have to go.\n",
        program,
    )
    cov = measure(program, [run_case(case, program)])
    states = cov.get("states")
    assert {i.name for i in states.reached} == {"opening", "why_us", "ended"}
    transitions = cov.get("transitions")
    assert [i.name for i in transitions.reached] == ["why_us -> ended (leave)"]
    assert transitions.total == len(program.machine.edges) == 20
    missed = {i.name: str(i.span) for i in transitions.missed}
    assert missed["about_you -> system (advance)"].endswith("ledgerline.yaml:137:7")
    assert missed["incident -> testing (advance)"].endswith("ledgerline.yaml:174:17")  # the goto
    assert [i.name for i in cov.get("intents").reached] == ["goodbye"]
    assert {i.name for i in cov.get("concerns").reached} == {"tenure raised"}
    assert cov.to_json()["transitions"]["reached"] == 1  # type: ignore[index]


def test_the_shipped_tests_reach_everything_but_the_unreachable_edge(program: Program) -> None:
    results = []
    for path in sorted((ROOT / "scenarios" / "tests").glob("*.test.yaml")):
        tests = load_tests(path.read_text(encoding="utf-8"), str(path))
        results += [run_case(c, program) for c in tests.cases if c.scenario == "ledgerline"]
    cov = measure(program, results)
    assert cov.cases == len(results) >= 30
    assert {c.kind: len(c.missed) for c in cov.categories} == {
        "states": 0,
        "transitions": 0,
        "intents": 0,
        "concerns": 0,
    }
    assert cov.get("transitions").percent == 100.0
