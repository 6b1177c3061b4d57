"""Transcripts that survive anything: bad input bytes, a crash mid-write, a crash mid-resume,
two writers, and hand-edited or hostile files (docs/transcript.md)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from closer.cli.main import cli
from tests.test_play import CLOSER


def pipe(
    args: list[str], data: bytes, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CLOSER, *args],
        input=data,
        capture_output=True,
        timeout=30,
        env={**os.environ, **(env or {})},
    )


def events(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_bytes().decode("utf-8").splitlines()]


# -- 1. invalid UTF-8 on standard input --------------------------------------------------------


@pytest.mark.parametrize("errors", ["surrogateescape", "strict"])
def test_an_invalid_byte_on_stdin_is_replaced_not_fatal(tmp_path: Path, errors: str) -> None:
    t = tmp_path / "t.jsonl"
    proc = pipe(
        ["play", "--instant", "--seed", "3", "--transcript", str(t)],
        b"caf\xe9\nI have been a backend engineer for 5 years.\n",
        {"PYTHONIOENCODING": f"utf-8:{errors}"},
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"Traceback" not in proc.stderr and b"Debrief" in proc.stdout
    evs = events(t)
    said = [e["text"] for e in evs if e["event"] == "say" and e["speaker"] == "candidate"]
    assert said == ["caf\ufffd", "I have been a backend engineer for 5 years."]
    assert [e["event"] for e in evs[-2:]] == ["verdict", "end"]


def test_an_invalid_byte_through_the_runner(runner: CliRunner, tmp_path: Path) -> None:
    t = tmp_path / "t.jsonl"
    result = runner.invoke(
        cli, ["play", "--instant", "--seed", "3", "--transcript", str(t)], input=b"caf\xe9\n"
    )
    assert result.exit_code == 0, result.output
    assert "caf\ufffd" in t.read_text(encoding="utf-8")


def test_the_writer_never_fails_on_a_lone_surrogate(tmp_path: Path) -> None:
    from closer.cli import transcript

    t = tmp_path / "t.jsonl"
    w = transcript.Writer(t)
    w.write([{"event": "say", "turn": 1, "speaker": "candidate", "text": "caf\udce9 \ud800"}])
    w.close()
    assert events(t)[0]["text"] == "caf\udce9 \ud800"  # escaped, valid UTF-8, nothing lost


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_is_one_line_and_the_debrief_still_shows() -> None:
    proc = pipe(["play", "--instant", "--seed", "3", "--transcript", "/dev/full"], b"fine\n")
    err = proc.stderr.decode()
    assert proc.returncode == 1 and "Traceback" not in err
    assert err.splitlines() == [
        "closer: cannot write transcript /dev/full: No space left on device "
        "(the interview goes on without it)"
    ]
    assert b"Debrief" in proc.stdout
