"""`closer play --record FILE` through a real pipe: the recording is a test that passes, and
changing one interviewer line makes `closer test` fail at that line."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.test_play import CLOSER, run
from tests.test_session import ANSWERS, CLOSING, RESOLVE_TENURE

LINES = [*ANSWERS, CLOSING, "What do you mean by that?", RESOLVE_TENURE, "Anything else?"]


def closer_test(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CLOSER, "test", *args], capture_output=True, text=True, timeout=30)


def test_a_recording_replays_as_a_passing_test(tmp_path: Path) -> None:
    rec = tmp_path / "me.test.yaml"
    t = tmp_path / "me.jsonl"
    proc = run(
        ["play", "--instant", "--seed", "7", "--record", str(rec), "--transcript", str(t)], LINES
    )
    assert proc.returncode == 0, proc.stderr
    text = rec.read_text(encoding="utf-8")
    assert text.count("      - say: ") == len(LINES)
    assert 'scenario: "ledgerline"\nseed: 7\n' in text
    assert "        intent: closing_question\n        state: closing_discussion\n" in text
    assert "cue: hesitation" in text and "{concern: tenure, status: resolved}" in text
    assert "    end: eof\n    expect:\n      verdict: advance\n" in text
    assert t.read_text(encoding="utf-8").count('"speaker": "candidate"') == len(LINES)

    ok = closer_test(str(rec))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"{rec}: 1 passed" in ok.stdout

    # change one expected interviewer line: the run fails and points at it
    lines = text.splitlines(keepends=True)
    n = next(i for i, x in enumerate(lines) if "four companies in five years" in x)
    lines[n] = lines[n].replace("four companies", "three companies")
    rec.write_text("".join(lines), encoding="utf-8")
    bad = closer_test(str(rec))
    assert bad.returncode == 1
    assert f"reply ({rec}:{n + 1}:" in bad.stdout
    assert "three companies" in bad.stdout and "four companies" in bad.stdout


def test_a_scenario_file_is_recorded_relative_to_the_recording(tmp_path: Path) -> None:
    scenario = tmp_path / "personas" / "p.yaml"
    scenario.parent.mkdir()
    scenario.write_bytes(
        (Path(__file__).parent.parent / "scenarios" / "ledgerline.yaml").read_bytes()
    )
    (tmp_path / "tests").mkdir()
    rec = tmp_path / "tests" / "p.test.yaml"
    proc = run(
        ["play", str(scenario), "--instant", "--seed", "2", "--record", str(rec)], ANSWERS[:2]
    )
    assert proc.returncode == 0, proc.stderr
    assert 'scenario: "../personas/p.yaml"' in rec.read_text(encoding="utf-8")
    assert closer_test(str(rec)).returncode == 0


def test_an_interrupted_recording_is_still_a_passing_test(tmp_path: Path) -> None:
    rec = tmp_path / "cut.test.yaml"
    proc = subprocess.Popen(
        [CLOSER, "play", "--instant", "--seed", "4", "--record", str(rec)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None
    for line in ANSWERS[:3]:
        proc.stdin.write(line + "\n")
    proc.stdin.flush()
    deadline = time.monotonic() + 20
    while rec.read_text(encoding="utf-8").count("- say: ") < 3 if rec.exists() else True:
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the recording was not flushed turn by turn")
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=20)
    assert proc.returncode == 130
    text = rec.read_text(encoding="utf-8")
    assert "interrupted" in text
    result = closer_test(str(rec))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(os.name != "posix", reason="needs a POSIX path")
def test_record_to_an_unwritable_place_is_one_line(tmp_path: Path) -> None:
    proc = run(["play", "--instant", "--record", str(tmp_path / "no" / "such" / "x.test.yaml")], [])
    assert proc.returncode == 1
    assert proc.stderr.startswith("closer: cannot write recording ")
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "text", ['plain "quoted" \\ text', "tab\there", "del\x7f nel\x85 ls\u2028 ps\u2029", "émoji 🙂"]
)
def test_recorded_strings_read_back_exactly(text: str) -> None:
    from closer.engine.format.source import parse
    from closer.engine.tools.testyaml import yaml_str as q

    assert parse(f"say: {q(text)}\n", "r.test.yaml").v["say"].v == text


def test_record_a_resumed_session(tmp_path: Path) -> None:
    t = tmp_path / "t.jsonl"
    rec = tmp_path / "r.test.yaml"
    first = run(["play", "--instant", "--seed", "6", "--transcript", str(t)], ANSWERS[:2])
    assert first.returncode == 0, first.stderr
    second = run(["play", "--instant", "--resume", str(t), "--record", str(rec)], ANSWERS[2:4])
    assert second.returncode == 0, second.stderr
    text = rec.read_text(encoding="utf-8")
    assert text.count("      - say: ") == 4
    assert text.count("        state: ") == 2  # past turns are replayed without their state
    result = closer_test(str(rec))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_bad_record_path_leaves_the_resumed_transcript_alone(tmp_path: Path) -> None:
    t = tmp_path / "t.jsonl"
    run(["play", "--seed", "2", "--instant", "--transcript", str(t)], ANSWERS[:3])
    lines = t.read_text(encoding="utf-8").splitlines()
    t.write_text("\n".join(lines[:-2]) + "\n", encoding="utf-8")  # as if it had crashed
    saved = t.read_bytes()
    bad = tmp_path / "missing" / "x.test.yaml"
    result = run(["play", "--resume", str(t), "--record", str(bad), "--instant"], [])
    assert result.returncode == 1 and "cannot write recording" in result.stderr
    assert t.read_bytes() == saved


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_at_the_start_is_one_line(tmp_path: Path) -> None:
    proc = run(["play", "--instant", "--record", "/dev/full"], "Hello.\n")
    assert proc.returncode == 1
    assert proc.stderr == "closer: cannot write recording /dev/full: No space left on device\n"


def test_a_disk_that_fails_mid_interview_loses_the_recording_not_the_interview(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from closer.cli.main import cli
    from closer.cli.record import Recorder

    flush, calls = Recorder._flush, []

    def failing(self: Recorder) -> None:
        calls.append(1)
        if len(calls) > 2:  # the header and the opening are written, then the disk fills
            raise OSError(28, "No space left on device")
        flush(self)

    monkeypatch.setattr(Recorder, "_flush", failing)
    r = tmp_path / "r.test.yaml"
    lines = "\n".join([*ANSWERS[:3], "No more questions, thanks."]) + "\n"
    result = CliRunner().invoke(
        cli, ["play", "--instant", "--seed", "2", "--record", str(r)], lines
    )
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    said = result.output.count(f"cannot write recording {r}: No space left on device")
    assert said == 1  # once, then the interview goes on without it
    assert "Debrief" in result.output
