"""The pytest plugin, run in a subprocess on a throwaway folder: one item per case, failures
rendered like `closer test`, -k, -x, xdist, and ordinary Python tests left alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.test_cli_test import FAILING, PASSING


def pytest_run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "ok.test.yaml").write_text(PASSING, encoding="utf-8")
    (tmp_path / "bad.test.yaml").write_text(FAILING, encoding="utf-8")
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    assert 1 + 1 == 2\n")
    return tmp_path


def test_cases_are_items_and_failures_read_like_closer_test(project: Path) -> None:
    proc = pytest_run(project, "-q")
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    assert "1 failed, 3 passed" in out
    assert "FAIL " in out and "bad.test.yaml::wrong state" in out
    assert 'expected: "why_us"' in out and 'actual:   "system"' in out
    assert "bad.test.yaml:8:14: step 2" in out
    assert "Traceback" not in out and "convtest.py" not in out


def test_collect_only_lists_yaml_cases_beside_python_tests(project: Path) -> None:
    proc = pytest_run(project, "--collect-only", "-q")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ids = [x for x in proc.stdout.splitlines() if "::" in x]
    assert "ok.test.yaml::greeting leads to the first question" in ids
    assert "ok.test.yaml::closing question is deferred" in ids
    assert "test_plain.py::test_plain" in ids
    assert len(ids) == 4


def test_k_and_x(project: Path) -> None:
    proc = pytest_run(project, "-q", "-k", "deferred")
    assert proc.returncode == 0 and "1 passed, 3 deselected" in proc.stdout, proc.stdout
    proc = pytest_run(project, "-q", "-x", "bad.test.yaml", "ok.test.yaml")
    assert proc.returncode == 1 and "1 failed" in proc.stdout and "passed" not in proc.stdout


def test_load_errors_are_collection_errors(tmp_path: Path) -> None:
    (tmp_path / "e.test.yaml").write_text(PASSING.replace("about_you", "abut_you"))
    proc = pytest_run(tmp_path, "-q")
    assert proc.returncode == 2, proc.stdout
    assert "e.test.yaml:8:16: T002 unknown state 'abut_you'" in proc.stdout
    assert "Traceback" not in proc.stdout


def test_xdist(project: Path) -> None:
    proc = pytest_run(project, "-q", "-n", "2")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "1 failed, 3 passed" in proc.stdout


def test_reportinfo_points_at_the_case_line(project: Path) -> None:
    import xml.etree.ElementTree as ET

    proc = pytest_run(
        project, "-q", "--junitxml", "out.xml", "-o", "junit_family=xunit1", "ok.test.yaml"
    )
    assert proc.returncode == 0, proc.stdout
    cases = ET.parse(project / "out.xml").getroot().iter("testcase")
    lines = {c.get("name"): c.get("line") for c in cases}
    # pytest writes the 0-based line of reportinfo: `- name:` is on lines 5 and 9
    assert lines == {
        "greeting leads to the first question": "4",
        "closing question is deferred": "8",
    }


def test_the_repo_collects_the_shipped_cases() -> None:
    proc = pytest_run(ROOT, "--collect-only", "-q", "scenarios/tests")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ids = [x for x in proc.stdout.splitlines() if ".test.yaml::" in x]
    assert len(ids) >= 30
    assert any(x.startswith("scenarios/tests/ledgerline-closing.test.yaml::") for x in ids)


def test_loading_the_plugin_imports_nothing_of_closer() -> None:
    code = (
        "import sys, closer.cli.pytest_plugin; "
        "print(sorted(m for m in sys.modules if m.startswith('closer')))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    loaded = "['closer', 'closer.cli', 'closer.cli.pytest_plugin']"
    assert proc.stdout.strip() == loaded, proc.stdout + proc.stderr


def test_other_tools_test_yaml_files_are_left_alone(tmp_path: Path) -> None:
    (tmp_path / "fixture.test.yaml").write_text("name: some other tool's data\nsteps: [1, 2]\n")
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    pass\n")
    proc = pytest_run(tmp_path, "-q")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout
