"""The `closer` command line through click's CliRunner: exact outputs and exit codes."""

from __future__ import annotations

import json
import re
from importlib import metadata
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

import closer
from closer.cli.main import cli
from closer.cli.scenarios import shipped_paths
from closer.engine import COMPILED
from tests.helpers import DEFAULT

ROOT = Path(__file__).resolve().parent.parent
EXPLAIN_TEXT = "Is there anything that would prevent you from recommending me?"


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    # written once, in closer/__init__.py; pyproject.toml reads it, so the metadata agrees
    assert result.output == f"closer {closer.__version__}{' (compiled)' if COMPILED else ''}\n"
    assert metadata.version("closer") == closer.__version__
    assert not re.search(r'^version = "', (ROOT / "pyproject.toml").read_text(), re.M)


def test_list_json_is_an_array_of_entries(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = DEFAULT.read_text().replace("id: ledgerline", "id: mine")
    (tmp_path / "mine.yaml").write_text(mine.replace("difficulty: medium\n", ""))
    (tmp_path / "notes.yaml").write_text("just: notes\n")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["list", "--json"])
    assert result.exit_code == 0
    entries = json.loads(result.output)
    assert [e["id"] for e in entries] == [*shipped_paths(), "mine"]  # shipped ids are file names
    # sorted by file name, so the default is not necessarily first once more personas ship
    defaults = [e for e in entries if e["default"]]
    assert [e["id"] for e in defaults] == ["ledgerline"]
    default = defaults[0]
    assert set(default) == {"id", "title", "path", "default", "difficulty", "persona", "role"}
    assert Path(default["path"]).is_file()
    shipped = entries[: len(shipped_paths())]
    assert all(e["difficulty"] in ("easy", "medium", "hard") for e in shipped)
    assert default["persona"] == "Priya Natarajan"
    assert entries[-1]["difficulty"] is None  # a file that does not say


def test_list_text(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["list"])
    assert result.exit_code == 0
    # the id column is as wide as the longest id; the default is marked, wherever it sorts
    assert any(
        re.match(r"ledgerline +\[medium\] Senior Backend Engineer at Ledgerline", line)
        and line.endswith("(default)")
        for line in result.output.splitlines()
    )


def test_validate_clean_file(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["validate", str(DEFAULT)])
    assert result.exit_code == 0
    assert result.stdout == f"{DEFAULT}: ok\n"
    assert result.stderr == "checked 1 file: 0 errors, 0 warnings.\n"


def test_validate_reports_every_problem_located(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    text = DEFAULT.read_text()
    text = text.replace("severity: 3", "severity: high", 1).replace(
        "  name: Priya Natarajan", "  nmae: Priya Natarajan"
    )
    bad.write_text(text)
    result = runner.invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    line_of = {
        k: text.splitlines().index(k) + 1 for k in ("    severity: high", "  nmae: Priya Natarajan")
    }
    assert (
        f"{bad}:{line_of['  nmae: Priya Natarajan']}:3: E040 unknown key 'nmae' in persona "
        "(did you mean 'name'?)" in lines
    )
    assert any(
        ln.startswith(f"{bad}:{line_of['    severity: high']}:15: E030 expected a whole number")
        for ln in lines
    )
    assert "Traceback" not in result.output


def test_unknown_scenario_is_one_line_with_a_suggestion(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["play", "ledgerlin", "--instant"], input="")
    assert result.exit_code == 1
    assert result.stderr == "closer: unknown scenario 'ledgerlin'; did you mean 'ledgerline'?\n"


def test_bad_option_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["play", "--seed", "minus-one"])
    assert result.exit_code == 2
    assert "Invalid value for '--seed'" in result.stderr


def test_explain_text(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["explain", "ledgerline", EXPLAIN_TEXT])
    assert result.exit_code == 0
    head = result.output.splitlines()[:5]
    fields = dict(line.split(":", 1) for line in head)
    assert fields["intent"].strip() == "closing_question"
    assert fields["rule"].strip().startswith("closing_question#")
    path, line, _col = fields["source"].strip().rsplit(":", 2)
    # the source location really is where that pattern is written
    assert fields["pattern"].strip() in Path(path).read_text().splitlines()[int(line) - 1]


def test_explain_json_and_stdin(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["explain", "ledgerline", EXPLAIN_TEXT, "--json"])
    data = json.loads(result.output)
    assert data["intent"] == "closing_question" and data["score"] >= 2
    assert {"intent", "rule", "score", "source"} <= set(data)
    path, line, col = data["source"].rsplit(":", 2)
    assert Path(path).name == "standard.yaml" and int(line) > 0 and int(col) > 0
    result = runner.invoke(
        cli, ["explain", "ledgerline", "-"], input="what do you mean?\n\nI like turtles\n"
    )
    rows = [json.loads(x) for x in result.output.splitlines()]
    assert [r["intent"] for r in rows] == ["probe", None]
    assert [r["text"] for r in rows] == ["what do you mean?", "I like turtles"]


def play(runner: CliRunner, seed: int, transcript: Path, lines: str) -> Result:
    args = ["play", "--seed", str(seed), "--instant", "--transcript", str(transcript)]
    return runner.invoke(cli, args, input=lines)


def test_play_through_runner_ends_with_debrief(runner: CliRunner, tmp_path: Path) -> None:
    t = tmp_path / "t.jsonl"
    result = play(runner, 1, t, "fine\n/why\nno questions\n")
    assert result.exit_code == 0, result.output
    assert "Priya: Hi Jordan" in result.output
    assert "Debrief" in result.output and "You left at turn 2" in result.output
    assert "\x1b[" not in result.output  # no colour when not a terminal
    events = [json.loads(x) for x in t.read_text().splitlines()]
    assert events[0] == {
        "event": "session",
        "format": 1,
        "scenario": "ledgerline",
        "seed": 1,
        "source": "ledgerline",
        "sha256": events[0]["sha256"],
    }
    assert events[-1] == {"event": "end", "turn": 2, "reason": "eof"}


def test_debrief_command_rebuilds_the_debrief(runner: CliRunner, tmp_path: Path) -> None:
    t = tmp_path / "t.jsonl"
    played = play(runner, 5, t, "fine\nI am a backend engineer of 5 years\n")
    again = runner.invoke(cli, ["debrief", str(t)])
    assert again.exit_code == 0
    start = played.output.index("=" * 30 + " Debrief")
    end = played.output.index("\nTranscript:")
    assert again.output.strip() == played.output[start:end].strip()


def test_color_flag_forces_colour_into_a_pipe(runner: CliRunner, tmp_path: Path) -> None:
    t = tmp_path / "t.jsonl"
    args = ["play", "--seed", "1", "--instant", "--color", "--transcript", str(t)]
    result = runner.invoke(cli, args, input="fine\n", env={"NO_COLOR": "1", "TERM": "dumb"})
    assert result.exit_code == 0, result.output
    assert "\x1b[36m\x1b[1mPriya:\x1b[0m Hi Jordan" in result.output  # the flag wins over both
    again = runner.invoke(cli, ["debrief", "--color", str(t)], env={"NO_COLOR": "1"})
    assert again.exit_code == 0 and "\x1b[" in again.output
    plain = runner.invoke(cli, ["debrief", str(t)], env={"NO_COLOR": "1"})
    assert plain.exit_code == 0 and "\x1b[" not in plain.output
    assert click.unstyle(again.output) == plain.output


def test_background_command_wraps_like_the_briefing(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["play", "--seed", "1", "--instant"], input="/background\n")
    assert result.exit_code == 0, result.output
    _, rest = result.output.split("Your background (the interviewer has your resume):\n", 1)
    block = rest.split("\n\n", 1)[0]
    assert len(block.splitlines()) > 4  # the first item is long enough to wrap
    assert "\n" + block + "\n" in rest.split("\n\n", 1)[1]  # /background printed the same
    assert max(len(line) for line in block.splitlines()) <= 78
