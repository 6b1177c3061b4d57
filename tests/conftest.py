"""Shared fixtures: the default scenario compiled once, and a CLI runner."""

from __future__ import annotations

import signal

import pytest
from click.testing import CliRunner

from closer.engine import COMPILED, compile_scenario, load_path
from closer.engine.runtime.program import Program
from tests.helpers import DEFAULT

# A shell that starts a job in the background (`pytest &`, a non-interactive script) hands it
# SIGINT ignored, and every process it starts inherits that: the tests that press Ctrl-C in a
# real `closer play` would then see it ignored. Python's own handler is reset to the default in
# a child at exec, an ignored signal is not.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def program() -> Program:
    return compile_scenario(load_path(DEFAULT))


@pytest.fixture(autouse=True)
def _history_apart(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Every `closer play` a test runs records to a file of the test run, never to the user's
    own practice record (tests of the record set their own file)."""
    monkeypatch.setenv("CLOSER_HISTORY", str(tmp_path_factory.getbasetemp() / "history.sqlite3"))
    monkeypatch.delenv("CLOSER_NO_HISTORY", raising=False)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def default_text() -> str:
    return DEFAULT.read_text(encoding="utf-8")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the compiled build (`CLOSER_COMPILE=1`, README), skip the tests marked
    `compiled_skip(reason)`: those that cannot hold there by design (they patch an engine
    class's methods or hand it a stand-in, which a compiled class does not allow)."""
    if not COMPILED:
        return
    for item in items:
        mark = item.get_closest_marker("compiled_skip")
        if mark is not None:
            item.add_marker(pytest.mark.skip(reason=f"compiled build: {mark.args[0]}"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fuzz-turns",
        type=int,
        default=None,
        metavar="N",
        help="tests/test_fuzz.py: the long run, about N candidate turns over the shipped personas",
    )


@pytest.fixture
def fuzz_turns(request: pytest.FixtureRequest) -> int | None:
    return request.config.getoption("--fuzz-turns")
