"""`closer play` as a user runs it: through a real pipe, and in a pseudo-terminal."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pyte
import pytest

from tests.test_session import ANSWERS, CLOSING, RESOLVE_TENURE

CLOSER = str(Path(sys.executable).parent / "closer")


def run(args: list[str], lines: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CLOSER, *args],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=30,
        cwd=cwd,
    )


def events(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def of(evs: list[dict], kind: str) -> list[dict]:
    return [e for e in evs if e["event"] == kind]


def concern_statuses(evs: list[dict]) -> set[str]:
    return {e["status"] for e in of(evs, "concern")}


def test_pipe_without_the_closing_question(tmp_path: Path) -> None:
    t = tmp_path / "t.jsonl"
    proc = run(
        ["play", "--instant", "--seed", "3", "--transcript", str(t)],
        [*ANSWERS, "What are the next steps?"],
    )
    assert proc.returncode == 0, proc.stderr
    evs = events(t)
    assert "raised" in concern_statuses(evs)
    assert not concern_statuses(evs) & {"hinted", "revealed"}
    assert of(evs, "verdict") and of(evs, "end")[-1]["reason"] == "eof"
    assert "Priya: " in proc.stdout and "Debrief" in proc.stdout
    assert "Concerns you never heard about" in proc.stdout
    assert "Will you stay?" in proc.stdout.split("Concerns you never heard about")[1]


def test_pipe_with_the_closing_question_and_a_probe(tmp_path: Path) -> None:
    t = tmp_path / "t.jsonl"
    proc = run(
        ["play", "--instant", "--seed", "3", "--transcript", str(t)],
        [*ANSWERS, CLOSING, "What do you mean by that?"],
    )
    assert proc.returncode == 0, proc.stderr
    evs = events(t)
    assert any(e["intent"] == "closing_question" for e in of(evs, "intent"))
    assert [c["kind"] for c in of(evs, "cue")] == ["hesitation"]
    assert {"hinted", "revealed"} <= concern_statuses(evs)
    assert "four companies in five years" in proc.stdout


def test_pipe_closing_question_too_early_is_deferred(tmp_path: Path) -> None:
    t = tmp_path / "t.jsonl"
    proc = run(
        ["play", "--instant", "--seed", "3", "--transcript", str(t)],
        [ANSWERS[0], CLOSING, *ANSWERS[1:]],
    )
    assert proc.returncode == 0
    evs = events(t)
    closing = [e for e in of(evs, "intent") if e["intent"] == "closing_question"]
    assert closing and all(e.get("deferred") for e in closing)
    assert not concern_statuses(evs) & {"hinted", "revealed"}
    assert not of(evs, "cue")


def test_pipe_same_seed_same_bytes(tmp_path: Path) -> None:
    lines = [*ANSWERS, CLOSING, "what do you mean?", RESOLVE_TENURE, "anything else?"]
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    run(["play", "--instant", "--seed", "11", "--transcript", str(a)], lines)
    run(["play", "--instant", "--seed", "11", "--transcript", str(b)], lines)
    assert a.read_bytes() == b.read_bytes()


def test_resume_ends_exactly_where_an_uninterrupted_session_would(tmp_path: Path) -> None:
    lines = [*ANSWERS, CLOSING, "what do you mean?", RESOLVE_TENURE, "anything else?", "bye"]
    whole, part = tmp_path / "whole.jsonl", tmp_path / "part.jsonl"
    run(["play", "--instant", "--seed", "8", "--transcript", str(whole)], lines)
    first = run(["play", "--instant", "--seed", "8", "--transcript", str(part)], lines[:5])
    assert first.returncode == 0 and of(events(part), "end")[-1]["reason"] == "eof"
    second = run(["play", "--instant", "--resume", str(part)], lines[5:])
    assert second.returncode == 0, second.stderr
    assert "Resumed after 5 turns." in second.stdout
    assert part.read_bytes() == whole.read_bytes()


def test_resume_refuses_a_finished_interview(tmp_path: Path) -> None:
    t = tmp_path / "t.jsonl"
    run(["play", "--instant", "--seed", "1", "--transcript", str(t)], ["hi", "bye"])
    proc = run(["play", "--instant", "--resume", str(t)], [])
    assert proc.returncode == 1
    assert proc.stderr.startswith("closer: that interview already finished")
    assert "Traceback" not in proc.stderr


def test_resume_refuses_an_edited_scenario(tmp_path: Path) -> None:
    src = Path(__file__).parent.parent / "scenarios" / "ledgerline.yaml"
    mine = tmp_path / "mine.yaml"
    mine.write_text(src.read_text())
    t = tmp_path / "t.jsonl"
    run(["play", str(mine), "--instant", "--seed", "1", "--transcript", str(t)], ANSWERS[:2])
    mine.write_text(src.read_text().replace("Got it.", "Got it, thanks."))
    proc = run(["play", "--instant", "--resume", str(t)], [])
    assert proc.returncode == 1 and "has changed since" in proc.stderr


def test_transcript_is_written_as_the_session_goes(tmp_path: Path) -> None:
    t = tmp_path / "t.jsonl"
    with subprocess.Popen(
        [CLOSER, "play", "--instant", "--seed", "2", "--transcript", str(t)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(ANSWERS[0] + "\n")
        child.stdin.flush()
        while "walk me through your background" not in child.stdout.readline():
            pass
        written = events(t)  # the process is still waiting for the next line
        child.kill()
    assert [e["event"] for e in written][:2] == ["session", "concern"]
    assert any(e.get("speaker") == "candidate" for e in written)


def spawn(args: list[str], env: dict[str, str]) -> pexpect.spawn:
    return pexpect.spawn(CLOSER, args, env=env, encoding="utf-8", timeout=10, dimensions=(40, 200))


@pytest.fixture
def pty_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env["TERM"] = "xterm"
    return env


def test_terminal_session_with_commands_colour_and_hesitation(
    tmp_path: Path, pty_env: dict[str, str]
) -> None:
    t = tmp_path / "t.jsonl"
    child = spawn(["play", "ledgerline", "--seed", "4", "--transcript", str(t)], pty_env)
    child.expect("You: ")
    assert "\x1b[" in child.before  # colour in a terminal
    for line in ANSWERS:
        child.sendline(line)
        child.expect("You: ")
    child.sendline("/why")
    child.expect("No intent matched")
    child.sendline(CLOSING)
    started = time.perf_counter()
    child.expect("turnover")  # the vague line comes only after a real pause
    assert time.perf_counter() - started >= 1.5
    child.expect("You: ")
    assert "four companies" not in child.before
    child.sendline("/why")
    child.expect("closing_question")
    child.sendline("/quit")
    child.expect("Debrief")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert of(events(t), "end")[-1]["reason"] == "quit"
    cue = of(events(t), "cue")[0]
    assert cue["kind"] == "hesitation"


def test_no_color_is_respected(tmp_path: Path, pty_env: dict[str, str]) -> None:
    child = spawn(["play", "ledgerline", "--instant", "--seed", "4"], {**pty_env, "NO_COLOR": "1"})
    child.expect("You: ")
    assert "\x1b[" not in child.before
    child.sendeof()
    child.expect(pexpect.EOF)


def test_term_dumb_is_respected_unless_colour_is_asked_for(pty_env: dict[str, str]) -> None:
    child = spawn(["play", "ledgerline", "--instant", "--seed", "4"], {**pty_env, "TERM": "dumb"})
    child.expect("You: ")
    assert "\x1b[" not in child.before
    child.sendeof()
    child.expect(pexpect.EOF)
    child = spawn(
        ["play", "ledgerline", "--instant", "--seed", "4", "--color"], {**pty_env, "TERM": "dumb"}
    )
    child.expect("You: ")
    assert "\x1b[36m" in child.before
    child.sendeof()
    child.expect(pexpect.EOF)


def settle(child: pexpect.spawn, stream: pyte.Stream) -> None:
    """Feed the terminal emulator what the last expect matched, what pexpect read past it, and
    everything the program writes after that until it goes quiet."""
    stream.feed(child.before + child.after + child.buffer)
    child.buffer = ""
    while True:
        try:
            stream.feed(child.read_nonblocking(65536, timeout=0.5))
        except pexpect.TIMEOUT:
            return


def until_shown(
    child: pexpect.spawn, stream: pyte.Stream, screen: pyte.Screen, want: str, wait: float = 10
) -> str:
    """The three rows from the last `You: ` prompt, read as the program redraws them, once they
    show `want` or after `wait` seconds (whatever they show then)."""
    deadline = time.monotonic() + wait
    stream.feed(child.before + child.after + child.buffer)
    child.buffer = ""
    while True:
        rows = screen.display
        # mid-redraw the prompt's row may be blank for a moment: then read on
        prompts = [i for i, row in enumerate(rows) if row.startswith("You: ")]
        shown = "".join(rows[prompts[-1] : prompts[-1] + 3]).rstrip() if prompts else ""
        if shown == want or time.monotonic() > deadline:
            return shown
        with contextlib.suppress(pexpect.TIMEOUT):
            stream.feed(child.read_nonblocking(65536, timeout=0.2))


def test_a_long_answer_wraps_and_edits_cleanly_under_the_coloured_prompt(
    tmp_path: Path, pty_env: dict[str, str]
) -> None:
    """readline must know the prompt's colour codes take no columns: otherwise, once a long
    answer wraps, editing it redraws the line in the wrong place (seen as garbled text)."""
    t = tmp_path / "t.jsonl"
    args = ["play", "ledgerline", "--instant", "--seed", "4", "--transcript", str(t)]
    child = pexpect.spawn(
        CLOSER, args, env=pty_env, encoding="utf-8", timeout=10, dimensions=(24, 80)
    )
    screen = pyte.Screen(80, 24)
    stream = pyte.Stream(screen)
    child.expect("You: ")
    assert "\x1b[32m" in child.before + child.after  # the prompt is coloured
    settle(child, stream)
    answer = " ".join(f"word{i:02d}" for i in range(40))[:200]
    child.send(answer)
    child.expect_exact(answer[-20:])  # echoed (readline breaks the line at column 80 only)
    settle(child, stream)
    child.send("\x01X")  # Ctrl-A, to the start of the line, and one more character there
    child.expect_exact("X")  # the redraw has begun
    # the redraw may arrive in pieces on a loaded machine: wait for the screen, not for quiet
    shown = until_shown(child, stream, screen, "You: X" + answer)
    assert shown == "You: X" + answer
    child.sendline("")
    child.expect("Priya:")  # the reply to the answer, then the next prompt
    child.expect("You: ")
    child.sendeof()
    child.expect(pexpect.EOF)
    said = [e["text"] for e in events(t) if e["event"] == "say" and e["speaker"] == "candidate"]
    assert said == ["X" + answer]


def test_ctrl_c_exits_130_with_the_transcript_closed(
    tmp_path: Path, pty_env: dict[str, str]
) -> None:
    t = tmp_path / "t.jsonl"
    child = spawn(
        ["play", "ledgerline", "--instant", "--seed", "4", "--transcript", str(t)], pty_env
    )
    child.expect("You: ")
    child.sendline(ANSWERS[0])
    child.expect("You: ")
    child.kill(signal.SIGINT)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    evs = events(t)
    assert evs[-1] == {"event": "end", "turn": 1, "reason": "interrupted"}
    assert "Traceback" not in (child.before or "")
