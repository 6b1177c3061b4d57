"""`closer new`: the scaffold is a complete persona that validates, plays and teaches."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from closer.cli.authoring import SCHEMA_FILE, scaffold, schema_text, template_text
from closer.cli.main import cli
from closer.cli.scenarios import entries, shipped_paths
from tests.helpers import ROOT, compile_text, interviewer, play, statuses

CLOSER = str(Path(sys.executable).parent / "closer")
CLOSING = "Is there anything I said today, or in my background, that would prevent you from recommending me?"  # noqa: E501
ANSWERS = [
    "Fine, thanks.",
    "Four years at an online bookshop, and we cut response times by 30 percent.",
    "The customer was rude and kept shouting at me.",
    "He gave up in the end.",  # the follow-up: how did it end?
    "I would meet everyone one to one and listen first.",
]
CONVERSATION = [
    *ANSWERS,
    CLOSING,
    "I was looking after my mother, and I did a refresher course so I'm ready to start.",
    "Is there anything else?",
    "What do you mean by that?",
    "I understand they were frustrated. Afterwards I updated our refund guide and trained staff.",
    "No more questions, thank you.",
]


def test_new_writes_a_persona_that_validates(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["new", "team-lead", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    path = tmp_path / "team-lead.yaml"
    assert result.output.splitlines()[0] == f"wrote {path}"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == f"# yaml-language-server: $schema={SCHEMA_FILE}"
    assert "\nid: team-lead " in text and "__ID__" not in text
    result = runner.invoke(cli, ["validate", "--strict", str(path)])  # no lint warning either
    assert (result.exit_code, result.stdout) == (0, f"{path}: ok\n")
    assert json.loads((tmp_path / SCHEMA_FILE).read_text(encoding="utf-8"))["$id"]


def test_the_scaffold_is_small_and_complete() -> None:
    program = compile_text(scaffold("x"))
    sc = program.scenario
    assert 2 <= len(sc.flow.questions) <= 3
    assert {"ask_why_open", "ask_new_or_replacement", "ask_expectations", "ask_long_term",
            "ask_next_steps", "ask_start_date"} <= {a.intent for a in sc.flow.answers}  # fmt: skip
    sources = {c.source for c in sc.concerns}
    assert len(sc.concerns) == 2 and "background" in sources and len(sources) == 2
    assert any(c.probes == 1 for c in sc.concerns)


def test_both_concerns_can_be_revealed_and_resolved() -> None:
    program = compile_text(scaffold("x"))
    _, events = play(program, CONVERSATION)
    for concern in ("gap", "blame"):
        assert statuses(events, concern)[-3:] == ["hinted", "revealed", "resolved"], concern
    assert [e["outcome"] for e in events if e["event"] == "verdict"] == ["advance"]
    said = interviewer(events)
    assert any("eight months away" in line for line in said)


def test_without_the_closing_question_both_stay_hidden() -> None:
    _, events = play(compile_text(scaffold("x")), [*ANSWERS, "What are the next steps?"])
    assert statuses(events, "gap") == ["raised"] and statuses(events, "blame") == ["raised"]


def test_the_scaffold_plays_through_a_pipe(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(cli, ["new", "pipe-test", "--dir", str(tmp_path)]).exit_code == 0
    proc = subprocess.run(
        [CLOSER, "play", "pipe-test.yaml", "--instant", "--seed", "2"],
        input="\n".join(CONVERSATION) + "\n",
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Dana: " in proc.stdout and "Debrief" in proc.stdout
    assert "Blames the customer" in proc.stdout and proc.stderr == ""


def test_refuses_to_overwrite_without_force(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("my own work\n", encoding="utf-8")
    result = runner.invoke(cli, ["new", "mine", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == f"closer: {path} already exists; use --force to overwrite it\n"
    assert path.read_text(encoding="utf-8") == "my own work\n"
    result = runner.invoke(cli, ["new", "mine", "--dir", str(tmp_path), "--force"])
    assert result.exit_code == 0 and "\nid: mine " in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["Bad Name", "../evil", "9lives", "a" * 65, "x.y", ""])
def test_a_bad_name_is_refused(runner: CliRunner, tmp_path: Path, name: str) -> None:
    result = runner.invoke(cli, ["new", name, "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == (
        f"closer: {name!r} is not a valid scenario id: use lower-case letters, digits, - and _, "
        "starting with a letter (for example: sales-manager)\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_name_like_an_option_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["new", "-x", "--dir", str(tmp_path)])
    assert result.exit_code == 2 and "No such option '-x'" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_yaml_suffix_is_allowed_and_the_folder_is_made(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b"
    result = runner.invoke(cli, ["new", "coach.yaml", "--dir", str(folder), "--no-schema"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["coach.yaml"]


def test_the_schema_file_is_kept_current_but_a_foreign_one_is_left(
    runner: CliRunner, tmp_path: Path
) -> None:
    schema = tmp_path / SCHEMA_FILE
    schema.write_text('{"$id": "urn:closer:schema:scenario:0"}', encoding="utf-8")
    runner.invoke(cli, ["new", "one", "--dir", str(tmp_path)])
    assert schema.read_text(encoding="utf-8") == schema_text()  # an old Closer schema: updated
    schema.write_text('{"$id": "https://example.org/other"}', encoding="utf-8")
    result = runner.invoke(cli, ["new", "two", "--dir", str(tmp_path)])
    assert result.exit_code == 0
    assert f"left {schema} alone: it is not a Closer schema" in result.output
    assert "example.org" in schema.read_text(encoding="utf-8")


def test_the_template_is_not_taken_for_a_scenario(tmp_path: Path) -> None:
    assert "persona" not in shipped_paths() and "templates" not in shipped_paths()
    found = entries(ROOT)
    assert not any("templates" in e.path for e in found)
    assert "__ID__" not in {e.id for e in found}


def test_the_comments_teach_and_point_at_real_sections() -> None:
    text = template_text()
    comments = [line for line in text.splitlines() if "#" in line and "# " in line]
    assert len(comments) >= 40
    headings = set(re.findall(r"^#{2,4} (\d+(?:\.\d+)*)", (ROOT / "docs/scenario-format.md")
                              .read_text(encoding="utf-8"), re.M))  # fmt: skip
    refs = set(re.findall(r"§(\d+(?:\.\d+)*)", text))
    assert len(refs) >= 15
    assert refs <= headings, refs - headings
