"""Fuzzing: what the fuzz found at the terminal's edge."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLOSER = str(Path(sys.executable).parent / "closer")
UNDECODABLE = b"I shipped it \xff\xfe in a week \xc3\n"


@pytest.mark.parametrize("errors", ["", "utf-8:strict"], ids=["locale", "strict"])
def test_bytes_the_terminal_cannot_decode_become_replacement_characters(
    tmp_path: Path, errors: str
) -> None:
    # Python keeps undecodable input as lone surrogates (or raises, with strict decoding); a
    # transcript or a recorded test is UTF-8 and cannot hold them, so `play` crashed writing it
    env = {**os.environ, "PYTHONIOENCODING": errors}
    t, r = tmp_path / "t.jsonl", tmp_path / "r.test.yaml"
    proc = subprocess.run(
        [CLOSER, "play", "--instant", "--seed", "3", "--transcript", str(t), "--record", str(r)],
        input=UNDECODABLE,
        capture_output=True,
        timeout=30,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert b"Traceback" not in proc.stderr
    said = [
        e["text"]
        for e in map(json.loads, t.read_text(encoding="utf-8").splitlines())
        if e.get("speaker") == "candidate"
    ]
    assert said == ["I shipped it \ufffd\ufffd in a week \ufffd"]
    test = subprocess.run([CLOSER, "test", str(r)], capture_output=True, text=True, timeout=30)
    assert test.returncode == 0, test.stdout + test.stderr
