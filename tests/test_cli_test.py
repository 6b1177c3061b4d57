"""`closer test` through click's runner: exit codes, failure output, -k, JUnit, coverage, and
the CI gate on the shipped tests."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from closer.cli.main import cli
from closer.cli.scenarios import shipped_paths
from tests.helpers import ROOT

SHIPPED = ROOT / "scenarios" / "tests"
PASSING = """closer_test: 1
scenario: ledgerline
seed: 3
cases:
  - name: greeting leads to the first question
    steps:
      - say: "Fine, thanks."
        state: about_you
  - name: closing question is deferred
    start: system
    steps:
      - say: "Any concerns about me?"
        intent: closing_question
        state: system
"""
FAILING = """closer_test: 1
scenario: ledgerline
cases:
  - name: wrong state
    steps:
      - say: "Fine, thanks."
        reply: {contains: "walk me through"}
      - say: "I have been an engineer for five years."
        state: why_us
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_tests_pass_with_transition_coverage_over_90(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CI gate: `closer test --coverage --fail-under 90` in the checkout: the shipped tests."""
    monkeypatch.chdir(ROOT)
    result = runner.invoke(cli, ["test", "--coverage", "--fail-under", "90"])
    assert result.exit_code == 0, result.output
    assert " failed" not in result.output
    assert "Coverage of ledgerline" in result.output
    line = next(x for x in result.output.splitlines() if x.strip().startswith("transitions"))
    assert float(line.split()[-1].rstrip("%")) >= 90


def test_every_shipped_test_file_is_package_data() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"tests/*.test.yaml"' in pyproject.split("[tool.setuptools.package-data]")[1]
    assert sorted(SHIPPED.glob("*.test.yaml"))


def test_passing_file_exits_0(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "ok.test.yaml", PASSING)
    result = runner.invoke(cli, ["test", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{path}: 2 passed" in result.output
    assert result.output.rstrip().splitlines()[-1].startswith("2 passed in ")


def test_failure_shows_location_expected_actual_conversation_and_replay(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = write(tmp_path, "bad.test.yaml", FAILING)
    result = runner.invoke(cli, ["test", str(path)])
    assert result.exit_code == 1
    out = result.output
    assert f"FAIL {path}::wrong state" in out
    assert f'{path}:8:14: step 2: say "I have been an engineer for five years."' in out
    assert f"state ({path}:9:16)" in out
    assert 'expected: "why_us"' in out and 'actual:   "system"' in out
    assert "You: I have been an engineer for five years." in out
    assert "Priya: Tell me about a system you designed." in out
    assert f"seed 1; replay: closer test {path} -k 'wrong state'" in out
    assert "Traceback" not in out
    assert out.rstrip().splitlines()[-1].startswith("0 passed, 1 failed")


def test_load_errors_exit_1_with_located_lines(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "e.test.yaml", PASSING.replace("state: about_you", "state: abut_you"))
    result = runner.invoke(cli, ["test", str(path)])
    assert result.exit_code == 1
    assert (
        f"{path}:8:16: T002 unknown state 'abut_you' (did you mean 'about_you'?)" in result.output
    )


def test_unknown_scenario_is_a_located_error(runner: CliRunner, tmp_path: Path) -> None:
    path = write(
        tmp_path, "e.test.yaml", PASSING.replace("scenario: ledgerline", "scenario: ledgerlin")
    )
    result = runner.invoke(cli, ["test", str(path)])
    assert result.exit_code == 1
    assert (
        f"{path}:2:11: T011 unknown scenario 'ledgerlin' (did you mean 'ledgerline'?)"
        in result.output
    )


def test_scenario_path_relative_to_the_test_file(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "personas").mkdir()
    (tmp_path / "personas" / "p.yaml").write_bytes(
        (ROOT / "scenarios" / "ledgerline.yaml").read_bytes()
    )
    (tmp_path / "tests").mkdir()
    write(tmp_path / "tests", "p.test.yaml", PASSING.replace("ledgerline", "../personas/p.yaml"))
    result = runner.invoke(cli, ["test", str(tmp_path / "tests")])
    assert result.exit_code == 0, result.output


def test_a_broken_scenario_is_reported(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path, "p.yaml", "closer: 1\nid: p\n")
    path = write(tmp_path, "p.test.yaml", PASSING.replace("ledgerline", "p.yaml"))
    result = runner.invoke(cli, ["test", str(path)])
    assert result.exit_code == 1
    assert "T011 scenario 'p.yaml' has problems (below)" in result.output
    assert "E041 scenario is missing required key 'title'" in result.output


def test_k_selects_cases(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "ok.test.yaml", PASSING)
    result = runner.invoke(cli, ["test", str(path), "-k", "deferred"])
    assert result.exit_code == 0 and f"{path}: 1 passed" in result.output
    result = runner.invoke(cli, ["test", str(path), "-k", "deferred or greeting", "-v"])
    assert "  ok   greeting leads to the first question\n  ok   closing question is deferred\n" in (
        result.output
    )
    result = runner.invoke(cli, ["test", str(path), "-k", "not deferred and not greeting"])
    assert result.exit_code == 1
    assert "no conversation tests ran (none matched -k)" in result.output


def test_usage_errors_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(cli, ["test", str(tmp_path / "missing.test.yaml")]).exit_code == 2
    assert runner.invoke(cli, ["test", "-k", "(a", str(tmp_path)]).exit_code == 2
    assert runner.invoke(cli, ["test", "--format", "xml"]).exit_code == 2
    assert runner.invoke(cli, ["test", "-o", str(tmp_path / "x.xml")]).exit_code == 2


def test_directory_without_tests_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "odd.test.yaml").mkdir()  # a folder with a test's name is not a test
    result = runner.invoke(cli, ["test", str(tmp_path)])
    assert result.exit_code == 1 and "no conversation tests ran" in result.output


def test_without_paths_every_test_file_under_this_folder_runs_as_pytest_finds_them(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "tests" / "deep").mkdir(parents=True)
    write(tmp_path / "tests", "mine.test.yaml", FAILING)
    write(tmp_path / "tests" / "deep", "ok.test.yaml", PASSING)
    write(tmp_path, "top.test.yaml", PASSING)
    # where pytest does not look either: hidden folders, virtual environments, builds
    for skipped in (".hidden", "venv", "node_modules", "build", "dist", "env", "x.egg"):
        (tmp_path / skipped).mkdir()
        write(tmp_path / skipped, "not-me.test.yaml", "closer_test: 1\n")
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["test"])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "tests/deep/ok.test.yaml: 2 passed"
    assert "tests/mine.test.yaml: 0 passed, 1 failed" in result.output
    assert "top.test.yaml: 2 passed" in result.output
    assert "not-me" not in result.output
    assert "ledgerline-closing.test.yaml" not in result.output  # the shipped tests are not here
    assert result.output.splitlines()[-1].startswith("4 passed, 1 failed in ")


def test_without_paths_and_no_test_files_here_says_where_the_shipped_ones_are(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["test"])
    assert result.exit_code == 1
    assert result.stderr == (
        "closer: no conversation tests ran (no *.test.yaml under this folder; "
        f"the shipped ones: closer test {SHIPPED})\n"
    )


def test_junit_to_a_file(runner: CliRunner, tmp_path: Path) -> None:
    ok = write(tmp_path, "ok.test.yaml", PASSING)
    bad = write(tmp_path, "bad.test.yaml", FAILING)
    broken = write(tmp_path, "broken.test.yaml", "closer_test: 1\n")
    out = tmp_path / "junit.xml"
    result = runner.invoke(
        cli, ["test", str(ok), str(bad), str(broken), "--format", "junit", "-o", str(out)]
    )
    assert result.exit_code == 1
    root = ET.fromstring(out.read_text(encoding="utf-8"))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert suites[str(ok)].get("tests") == "2" and suites[str(ok)].get("failures") == "0"
    assert [c.get("name") for c in suites[str(ok)].iter("testcase")] == [
        "greeting leads to the first question",
        "closing question is deferred",
    ]
    fail = suites[str(bad)].find("testcase/failure")
    assert fail is not None
    assert fail.get("message", "").startswith(f'{bad}:9:16: state: expected "why_us"')
    assert "conversation so far:" in (fail.text or "")
    assert suites[str(broken)].get("errors") == "1"
    assert "E041" in (suites[str(broken)].find("testcase/error").get("message") or "")  # type: ignore[union-attr]


def test_junit_to_stdout_keeps_stdout_pure_xml(tmp_path: Path) -> None:
    ok = write(tmp_path, "ok.test.yaml", PASSING)
    result = CliRunner().invoke(cli, ["test", str(ok), "--format", "junit"])
    assert result.exit_code == 0
    root = ET.fromstring(result.stdout)
    assert root.tag == "testsuites" and "2 passed" in result.stderr


def test_fail_under_applies_to_transitions(runner: CliRunner, tmp_path: Path) -> None:
    ok = write(tmp_path, "ok.test.yaml", PASSING)
    result = runner.invoke(cli, ["test", str(ok), "--fail-under", "50"])
    assert result.exit_code == 1
    assert (
        "closer: transition coverage of ledgerline is 5.0%, under --fail-under 50%" in result.output
    )
    assert "never reached:" in result.output
    assert "ledgerline.yaml:137:7: transition about_you -> system (advance)" in result.output
    assert runner.invoke(cli, ["test", str(ok), "--fail-under", "5"]).exit_code == 0


def test_coverage_json(runner: CliRunner, tmp_path: Path) -> None:
    ok = write(tmp_path, "ok.test.yaml", PASSING)
    out = tmp_path / "cov.json"
    result = runner.invoke(cli, ["test", str(ok), "--coverage-json", str(out)])
    assert result.exit_code == 0, result.output
    (cov,) = json.loads(out.read_text(encoding="utf-8"))
    assert cov["scenario"] == "ledgerline" and cov["cases"] == 2
    assert cov["transitions"]["reached"] == 1 and cov["transitions"]["total"] == 20
    missed = {m["name"]: m["at"] for m in cov["transitions"]["missed"]}
    assert missed["incident -> testing (advance)"].endswith("ledgerline.yaml:174:17")  # the goto
    assert len(missed) == 19


def test_list_never_shows_test_files(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "mine.test.yaml", PASSING)
    (tmp_path / "scenarios").mkdir()
    write(tmp_path / "scenarios", "more.test.yaml", PASSING)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["list", "--json"])
    assert result.exit_code == 0
    assert [e["id"] for e in json.loads(result.output)] == list(shipped_paths())


@pytest.mark.parametrize("name", sorted(p.name for p in SHIPPED.glob("*.test.yaml")))
def test_each_shipped_file_passes_alone(runner: CliRunner, name: str) -> None:
    result = runner.invoke(cli, ["test", str(SHIPPED / name)])
    assert result.exit_code == 0, result.output


def test_playing_a_test_file_says_what_it_is(runner: CliRunner) -> None:
    path = str(SHIPPED / "ledgerline-flow.test.yaml")
    for command in (["play", "--instant", path], ["validate", path]):
        result = runner.invoke(cli, command, input="")
        assert result.exit_code == 1
        assert f"{path}:4:1: E044 this is a conversation test, not a scenario" in result.output
        assert f"(run it with `closer test {path}`)" in result.output
    result = runner.invoke(cli, ["validate", "ledgrline", path])  # a typo does not stop the rest
    assert result.exit_code == 1
    assert "unknown scenario 'ledgrline'; did you mean 'ledgerline'?" in result.stderr
    assert "E044" in result.stdout


def test_the_first_example_in_the_docs_passes(runner: CliRunner, tmp_path: Path) -> None:
    text = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert example.startswith("closer_test: 1\n")
    path = write(tmp_path, "first.test.yaml", example)
    result = runner.invoke(cli, ["test", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{path}: 1 passed" in result.output


def test_the_replay_command_selects_exactly_the_failed_case(
    runner: CliRunner, tmp_path: Path
) -> None:
    from closer.cli.testing import replay_command

    text = FAILING.replace("wrong state", "a state that is not (quite) right") + (
        "  - name: a state that is right\n    steps: [{say: Fine., state: about_you}]\n"
    )
    path = write(tmp_path, "bad.test.yaml", text)
    command = replay_command(str(path), "a state that is not (quite) right")
    assert command.endswith("""-k '"a state that is not (quite) right"'""")
    import shlex

    result = runner.invoke(cli, shlex.split(command)[1:])
    assert result.exit_code == 1
    assert f"{path}: 0 passed, 1 failed" in result.output
    assert (
        replay_command("a b.test.yaml", "plain name")
        == "closer test 'a b.test.yaml' -k 'plain name'"
    )


def test_explore_runs_on_the_scenarios_the_tests_use(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import types

    calls: list[tuple] = []

    def run_explore(targets: list, walks: int, seed: int, echo: object) -> int:
        calls.append(([ref for ref, _ in targets], walks, seed))
        return 1

    fake = types.ModuleType("closer.cli.explore")
    fake.run_explore = run_explore  # type: ignore[attr-defined]
    monkeypatch.setitem(__import__("sys").modules, "closer.cli.explore", fake)
    ok = write(tmp_path, "ok.test.yaml", PASSING)
    result = runner.invoke(cli, ["test", str(ok), "--explore", "5", "--seed", "9"])
    assert calls == [(["ledgerline"], 5, 9)]
    assert result.exit_code == 1  # the explorer's verdict counts


def test_explore_runs_after_the_tests_on_the_scenarios_they_use(
    runner: CliRunner, tmp_path: Path
) -> None:
    ok = write(tmp_path, "ok.test.yaml", PASSING)
    result = runner.invoke(cli, ["test", str(ok), "--explore", "5", "--seed", "2"])
    assert result.exit_code == 0, result.output
    report, explored = result.output.split("\n", 1)
    assert report.startswith(f"{ok}: ") and " passed" in report
    assert "5 walks" in explored and "(seed 2): no violations" in explored


def test_a_scenario_given_and_used_by_the_tests_is_explored_once(
    runner: CliRunner, tmp_path: Path
) -> None:
    from tests.helpers import DEFAULT

    ok = write(tmp_path, "ok.test.yaml", PASSING)  # its cases use ledgerline too
    result = runner.invoke(cli, ["test", "--explore", "3", str(DEFAULT), str(ok)])
    assert result.exit_code == 0, result.output
    assert result.output.count(": 3 walks,") == 1
    assert f"{DEFAULT}: 3 walks" in result.output


def test_the_tutorial_test_passes_with_closer_test(runner: CliRunner, tmp_path: Path) -> None:
    from tests.test_authoring import blocks, whole_file

    write(tmp_path, "riverside.yaml", whole_file())
    test = next(b for b in blocks("yaml") if b.startswith("closer_test:"))
    path = write(tmp_path, "riverside.test.yaml", test)
    result = runner.invoke(cli, ["test", str(path), "--coverage"])
    assert result.exit_code == 0, result.output
    assert f"{path}: 2 passed" in result.output


def test_schema_for_test_files_accepts_the_shipped_tests(runner: CliRunner) -> None:
    import jsonschema
    import yaml

    result = runner.invoke(cli, ["schema", "--tests"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted(SHIPPED.glob("*.test.yaml")):
        assert not list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8"))))
    bad = yaml.safe_load(FAILING.replace("state: why_us", "stat: why_us"))
    assert "'stat' was unexpected" in str(
        jsonschema.exceptions.best_match(validator.iter_errors(bad))
    )
    matcher = yaml.safe_load(FAILING.replace('{contains: "walk me through"}', "{}"))
    assert list(validator.iter_errors(matcher))


def test_test_files_are_read_with_the_scenario_limits(runner: CliRunner, tmp_path: Path) -> None:
    big = tmp_path / "big.test.yaml"
    big.write_text("closer_test: 1\n" + "#" * 600_000 + "\n", encoding="utf-8")
    bad = tmp_path / "bad.test.yaml"
    bad.write_bytes(b"closer_test: 1\nscenario: \xff\n")
    result = runner.invoke(cli, ["test", str(big), str(bad)])
    assert result.exit_code == 1
    assert f"{big}:1:1: E001 " in result.output
    assert f"{bad}:2:" in result.output and " E002 " in result.output
    assert "Traceback" not in result.output


def test_explore_where_there_are_no_tests_explores_the_default_scenario(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["test", "--explore", "3"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ledgerline: 3 walks")
    assert "no conversation tests ran" not in result.output
