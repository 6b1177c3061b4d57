"""Every shipped scenario is a tested one: it has a conversation test file among the shipped
tests, `closer test --coverage --fail-under 90` reaches it, and random walks break nothing.
Iterates over `scenarios/*.yaml`, so a new persona without tests fails here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from closer.cli.main import cli
from closer.cli.scenarios import shipped_paths
from closer.engine import compile_scenario, load_path
from closer.engine.tools.convtest import load_tests
from closer.engine.tools.explore import explore
from tests.helpers import ROOT

SHIPPED_TESTS = ROOT / "scenarios" / "tests"
NAMES = sorted(shipped_paths())


def _tested() -> dict[str, list[str]]:
    """Scenario reference -> the shipped test files that use it."""
    out: dict[str, list[str]] = {}
    for path in sorted(SHIPPED_TESTS.glob("*.test.yaml")):
        for ref in load_tests(path.read_text(encoding="utf-8"), str(path)).refs():
            out.setdefault(ref, []).append(path.name)
    return out


@pytest.fixture(scope="module")
def coverage(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The CI gate run once: shipped tests, coverage under 90% fails."""
    out = tmp_path_factory.mktemp("cov") / "coverage.json"
    result = CliRunner().invoke(
        cli, ["test", str(SHIPPED_TESTS), "--fail-under", "90", "--coverage-json", str(out)]
    )
    assert result.exit_code == 0, result.output
    return {entry["scenario"]: entry for entry in json.loads(out.read_text(encoding="utf-8"))}


def test_six_interviewers_ship_each_with_a_difficulty() -> None:
    shipped = {"greenleaf", "hillcrest", "ledgerline", "riverbend", "switchback", "talentbridge"}
    assert shipped <= set(NAMES)
    levels = {n: load_path(str(shipped_paths()[n])).difficulty for n in NAMES}
    assert set(levels.values()) == {"easy", "medium", "hard"}, levels  # all three, none missing


def test_every_shipped_persona_has_scripted_candidates() -> None:
    from tests.candidates import PERSONAS

    assert set(PERSONAS) == set(NAMES)  # tests/test_candidates.py orders them on every persona


@pytest.mark.parametrize("name", NAMES)
def test_a_shipped_scenario_id_is_its_file_name(name: str) -> None:
    """`closer play NAME` finds a shipped scenario by file name; tests name it by id."""
    assert load_path(str(shipped_paths()[name])).id == name


@pytest.mark.parametrize("name", NAMES)
def test_every_shipped_scenario_has_a_shipped_test_file(name: str) -> None:
    files = _tested().get(name, [])
    assert files, f"scenarios/{name}.yaml has no test file in scenarios/tests/ (docs/testing.md)"
    assert all(f.startswith(f"{name}-") for f in files), files  # named after their persona


@pytest.mark.parametrize("name", NAMES)
def test_the_coverage_gate_covers_every_shipped_scenario(
    name: str, coverage: dict[str, dict[str, Any]]
) -> None:
    assert name in coverage, f"closer test --coverage never reached {name}"
    entry = coverage[name]
    assert Path(entry["path"]).resolve() == shipped_paths()[name].resolve()
    assert entry["transitions"]["percent"] >= 90, entry["transitions"]["missed"]


@pytest.mark.parametrize("name", NAMES)
def test_random_walks_break_no_invariant_in_any_shipped_scenario(name: str) -> None:
    program = compile_scenario(load_path(str(shipped_paths()[name])))
    walks = max(20, 120 // len(NAMES))  # 120 in all, shared: a new persona does not lengthen it
    report = explore(program, walks, 2026)
    assert report.walks == walks
    assert report.violations == ()


@pytest.mark.parametrize("name", NAMES)
def test_every_shipped_persona_is_fully_covered(
    name: str, coverage: dict[str, dict[str, Any]]
) -> None:
    """Its tests reach every state, transition, intent and tracked concern status."""
    entry = coverage[name]
    for category in ("states", "transitions", "intents", "concerns"):
        assert entry[category]["missed"] == [], (category, entry[category]["missed"])


@pytest.mark.parametrize("name", [n for n in NAMES if n != "ledgerline"])
def test_the_readme_tour_names_every_other_shipped_persona(name: str) -> None:
    assert f"closer play {name} " in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_second_persona_plays_by_name_through_a_pipe(runner: CliRunner) -> None:
    lines = ["Fine, thanks.", "Is there anything that would prevent you from recommending me?"]
    result = runner.invoke(
        cli, ["play", "riverbend", "--instant", "--seed", "1"], input="\n".join(lines) + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "Denise: Hi Morgan! I'm Denise Okafor, I manage 4 West." in result.output
    assert "Oh, we'll get to all of that, I promise!" in result.output  # deferred: too early
    assert "Is your practice current after the gap?" in result.output  # in the debrief


DIRECT = ("straight with you", "be honest", "put it plainly", "be direct", "blunt")


@pytest.mark.parametrize("name", NAMES)
def test_a_hesitation_never_promises_directness_the_vague_line_then_withholds(name: str) -> None:
    """The hesitation comes right before the vague line: "Let me be straight with you." and then
    something vague reads as a contradiction (issue 9)."""
    style = compile_scenario(load_path(shipped_paths()[name])).style
    for line in style.hesitation:
        assert not any(d in line.lower() for d in DIRECT), line


@pytest.mark.parametrize("name", NAMES)
def test_every_shipped_follow_up_can_be_put_another_way(name: str) -> None:
    """ "What do you mean?" right after a follow-up gets the follow-up in other words, not the
    question the candidate has already answered (found typing in a real terminal)."""
    for q in compile_scenario(load_path(shipped_paths()[name])).questions.values():
        if q.follow_up:
            assert q.follow_up_rephrase and q.follow_up_rephrase != q.follow_up, q.id


ONE = ("the one thing", "the main thing", "the only thing")


@pytest.mark.parametrize("name", NAMES)
def test_nothing_else_is_true_however_many_worries_were_talked_over(name: str) -> None:
    """ "Anything else?" after two worries got "No, that's it. That was the one thing." (found
    typing in a real terminal): `nothing_else` is said after any number of them."""
    style = compile_scenario(load_path(shipped_paths()[name])).style
    for line in style.nothing_else:
        assert not any(one in line.lower() for one in ONE), line


@pytest.mark.parametrize("name", NAMES)
def test_a_worry_raised_by_what_was_said_quotes_no_words_in_her_thought_or_lines(
    name: str,
) -> None:
    """Played in tmux (hillcrest): "marking isn't my favourite part" raised the paperwork worry,
    and the debrief said she thought "'Not really a paperwork person.'", and she said "You said
    earlier you're not really a paperwork person": words the candidate never typed. Many
    phrasings raise such a worry, so her thought and lines paraphrase, never quote."""
    sc = load_path(ROOT / "scenarios" / f"{name}.yaml")
    for c in sc.concerns:
        if c.source in ("said", "misunderstanding", "theme"):
            for text in (c.thought, *c.vague, *c.specific):
                assert not text.startswith("'"), (c.id, text)
                assert "you said earlier you" not in text.lower(), (c.id, text)
