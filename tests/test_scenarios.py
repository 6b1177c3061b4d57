"""Naming a scenario: every id `closer list` shows works by id, a file or folder named like a
shipped id does not hide it silently, and the shell completes ids and files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from closer.cli.main import cli
from closer.cli.scenarios import shipped_paths
from tests.helpers import DEFAULT


def persona(folder: Path, name: str, sid: str) -> Path:
    path = folder / name
    path.write_text(DEFAULT.read_text().replace("id: ledgerline", f"id: {sid}"), encoding="utf-8")
    return path


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_listed_id_plays_and_validates_by_id(runner: CliRunner, here: Path) -> None:
    persona(here, "my-persona.yaml", "mine")
    (here / "scenarios").mkdir()
    persona(here / "scenarios", "other.yml", "theirs")
    listed = [e["id"] for e in json.loads(runner.invoke(cli, ["list", "--json"]).output)]
    assert listed == [*shipped_paths(), "mine", "theirs"]
    for sid in listed:
        result = runner.invoke(cli, ["validate", sid])
        assert result.exit_code == 0, (sid, result.output)
        played = runner.invoke(cli, ["play", sid, "--instant", "--seed", "1"], input="fine\n")
        assert played.exit_code == 0, (sid, played.output)
        assert "stood when you left: " in played.output  # the input ended after one line
    result = runner.invoke(cli, ["validate", "mine"])
    assert result.stdout == f"{here / 'my-persona.yaml'}: ok\n"
    assert runner.invoke(cli, ["graph", "theirs"]).exit_code == 0
    assert runner.invoke(cli, ["explain", "mine", "what do you mean?"]).exit_code == 0


def test_a_local_id_is_stored_as_its_file_so_resume_works_from_elsewhere(
    runner: CliRunner, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = persona(here, "my-persona.yaml", "mine")
    t = here / "t.jsonl"
    args = ["play", "mine", "--instant", "--seed", "2", "--transcript", str(t)]
    assert runner.invoke(cli, args, input="fine\n").exit_code == 0
    head = json.loads(t.read_text().splitlines()[0])
    assert head["scenario"] == "mine" and head["source"] == str(mine.resolve())
    elsewhere = here / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert runner.invoke(cli, ["debrief", str(t)]).exit_code == 0


@pytest.mark.parametrize("kind", ["folder", "file"])
def test_a_file_or_folder_named_like_a_shipped_id_does_not_hide_it_silently(
    runner: CliRunner, here: Path, kind: str
) -> None:
    if kind == "folder":
        (here / "ledgerline").mkdir()
    else:
        persona(here, "ledgerline", "lookalike")
    result = runner.invoke(cli, ["play", "ledgerline", "--instant", "--seed", "1"], input="")
    assert result.exit_code == 0, result.output
    assert "Senior Backend Engineer at Ledgerline" in result.stdout  # the shipped one
    assert result.stderr == (
        f"closer: note: 'ledgerline' is the shipped scenario; for the {kind} here, "
        "write ./ledgerline\n"
    )
    result = runner.invoke(cli, ["validate", "ledgerline"])
    assert result.exit_code == 0
    assert result.stdout == f"{shipped_paths()['ledgerline']}: ok\n"
    assert "write ./ledgerline" in result.stderr
    if kind == "file":  # and the path still reaches the file
        result = runner.invoke(cli, ["validate", "./ledgerline"])
        assert result.exit_code == 0 and result.stdout == "ledgerline: ok\n"


def test_a_file_without_a_yaml_suffix_still_plays_by_name(runner: CliRunner, here: Path) -> None:
    persona(here, "interviewer", "someone")
    result = runner.invoke(cli, ["validate", "interviewer"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("checked 1 file:")


def test_two_local_files_with_one_id_are_named_not_guessed(runner: CliRunner, here: Path) -> None:
    persona(here, "a.yaml", "twin")
    persona(here, "b.yaml", "twin")
    result = runner.invoke(cli, ["play", "twin", "--instant"], input="")
    assert result.exit_code == 1
    assert result.stderr == (
        "closer: 2 scenario files here have the id 'twin' (a.yaml, b.yaml); give the path of one\n"
    )


def test_unknown_ids_are_suggested_from_local_ones_too(runner: CliRunner, here: Path) -> None:
    persona(here, "my-persona.yaml", "mine-for-practice")
    result = runner.invoke(cli, ["validate", "mine-for-pratice"])
    assert result.exit_code == 1
    assert "did you mean 'mine-for-practice'?" in result.stderr


# ---- shell completion, through click's protocol (what the shell's script sends) -------------


def complete(runner: CliRunner, words: str) -> list[tuple[str, str]]:
    """(type, value) pairs that `closer` answers the bash completion script with."""
    env = {
        "_CLOSER_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
    }
    result = runner.invoke(cli, [], prog_name="closer", env=env)
    assert result.exit_code == 0, result.output
    pairs = (line.partition(",") for line in result.output.splitlines() if line)
    return [(kind, value) for kind, _, value in pairs]


def test_completion_offers_shipped_and_local_ids_and_files(runner: CliRunner, here: Path) -> None:
    persona(here, "my-persona.yaml", "mine")
    ids = [*shipped_paths(), "mine"]
    for words in ("closer play ", "closer validate ", "closer explain ", "closer graph "):
        assert complete(runner, words) == [("file", ""), *(("plain", i) for i in ids)], words
    assert complete(runner, "closer play le") == [("file", "le"), ("plain", "ledgerline")]
    assert complete(runner, "closer validate ledgerline mi") == [("file", "mi"), ("plain", "mine")]
    assert complete(runner, "closer explain --json ri") == [("file", "ri"), ("plain", "riverbend")]


def test_completion_of_a_path_is_left_to_the_shell(runner: CliRunner, here: Path) -> None:
    persona(here, "my-persona.yaml", "mine")
    assert complete(runner, "closer play ./m") == [("file", "./m")]
    assert complete(runner, "closer play scenarios/") == [("file", "scenarios/")]
    assert complete(runner, "closer explain ledgerline wh") == []  # TEXT is free text
