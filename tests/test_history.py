"""The practice record (issue 11, part 2) and the picker (part 3): `closer play` through real
pipes and a pseudo-terminal records each finished session, `closer history` reads them back."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest
from click.testing import CliRunner

from closer.cli import history
from closer.cli.main import cli
from closer.engine import Session
from tests.test_session import ANSWERS, CLOSING, RESOLVE_TENURE

CLOSER = str(Path(sys.executable).parent / "closer")
STRONG = [*ANSWERS, CLOSING, "What do you mean by that?", RESOLVE_TENURE]


def env_for(db: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CLOSER_NO_HISTORY"}
    env["CLOSER_HISTORY"] = str(db)
    env.update(extra)
    return env


def play(db: Path, lines: list[str], *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLOSER, "play", "--instant", *args],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=30,
        env=env_for(db, **extra),
    )


def shown(db: Path, *args: str) -> tuple[int, str, str]:
    """`closer history ARGS` through CliRunner: exit code, stdout, stderr."""
    result = CliRunner().invoke(cli, ["history", *args], env={"CLOSER_HISTORY": str(db)})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def rows(db: Path) -> list[dict]:
    code, out, err = shown(db, "--json")
    assert code == 0, err
    return json.loads(out)


# ---- what a row says ------------------------------------------------------------------------


def test_a_session_is_summarised_from_its_events(program) -> None:
    session, opening = Session.start(program, 3)
    events = list(opening.events)
    for line in STRONG:
        events += session.turn(line).events
    events += session.end("eof").events
    head = {"event": "session", "scenario": "ledgerline", "seed": 3}
    row = history.summarise(head, "Priya Natarajan", events, None)
    assert (row.kind, row.end_reason, row.seed) == ("interview", "eof", 3)
    assert row.closing_asked and row.closing_on_time and row.closing == "on time"
    assert (row.concerns_held, row.concerns_heard, row.concerns_cleared) == (1, 1, 1)
    assert row.outcome == "advance" and row.score is not None and row.score >= 70

    too_early, opening = Session.start(program, 3)
    events = [*opening.events, *too_early.turn(CLOSING).events, *too_early.end("quit").events]
    drill = history.summarise({**head, "mode": "drill"}, "Priya", events, None)
    assert drill.kind == "drill" and drill.end_reason == "quit"
    assert drill.closing_asked and not drill.closing_on_time and drill.closing == "too early"
    assert (drill.concerns_heard, drill.concerns_cleared) == (0, 0)


def test_play_records_one_row_per_finished_session(tmp_path: Path) -> None:
    db, t = tmp_path / "sub" / "h.sqlite3", tmp_path / "t.jsonl"
    weak = play(db, ["hi", "bye"], "--seed", "3")
    assert weak.returncode == 0 and "Debrief" in weak.stdout
    strong = play(db, STRONG, "--seed", "3", "--transcript", str(t))
    assert strong.returncode == 0, strong.stderr
    newest, oldest = rows(db)
    assert newest["closing"] == "on time" and newest["transcript"] == str(t.resolve())
    assert (newest["concerns_heard"], newest["concerns_cleared"]) == (1, 1)
    assert newest["end_reason"] == "eof" and newest["outcome"] == "advance"
    assert oldest["closing"] == "never" and oldest["transcript"] is None
    assert oldest["persona"] == "Priya Natarajan" and oldest["scenario"] == "ledgerline"
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA
    code, out, _ = shown(db)
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:3] == ["date", "persona", "kind"]
    assert "on time" in lines[1] and "1/1" in lines[1] and "never" in lines[2]
    assert "advance" in lines[1]


def test_a_resumed_session_replaces_its_own_row(tmp_path: Path) -> None:
    db, t = tmp_path / "h.sqlite3", tmp_path / "t.jsonl"
    assert play(db, ANSWERS[:3], "--seed", "8", "--transcript", str(t)).returncode == 0
    assert rows(db)[0]["closing"] == "never"
    resumed = subprocess.run(
        [CLOSER, "play", "--instant", "--resume", str(t)],
        input="\n".join(STRONG[3:]) + "\n",
        capture_output=True,
        text=True,
        timeout=30,
        env=env_for(db),
    )
    assert resumed.returncode == 0, resumed.stderr
    [row] = rows(db)
    assert row["closing"] == "on time" and row["transcript"] == str(t.resolve())


# ---- the file survives --------------------------------------------------------------------


def test_two_sessions_at_once_both_recorded(tmp_path: Path) -> None:
    """Two `closer play` through pipes end at the same moment, while a third writer holds the
    file's write lock for a second: both wait their turn and both are recorded."""
    db = tmp_path / "h.sqlite3"
    history.record(db, history.Row("2026-01-01T00:00:00+00:00", "x", "X", 0, "interview",
                                   "eof", None, None, False, False, 0, 0, 0, None))  # fmt: skip
    with contextlib.ExitStack() as stack:
        procs = [
            stack.enter_context(
                subprocess.Popen(
                    [CLOSER, "play", "--instant", "--seed", str(seed)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    env=env_for(db),
                )
            )
            for seed in (1, 2)
        ]
        for p in procs:  # both started, both waiting for a line, before either ends
            assert p.stdout is not None and p.stdout.readline()
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("hi\nbye\n")
            p.stdin.close()
        time.sleep(1.0)
        holder.execute("ROLLBACK")
        holder.close()
        outs = [(p.stdout.read(), p.stderr.read(), p.wait(timeout=30)) for p in procs]  # type: ignore[union-attr]
    assert [code for _, _, code in outs] == [0, 0], outs
    assert all(err == "" for _, err, _ in outs), outs
    assert sorted(r["seed"] for r in rows(db)) == [0, 1, 2]


def test_kill_9_mid_session_leaves_the_history_readable(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    assert play(db, ["hi", "bye"], "--seed", "1").returncode == 0
    with subprocess.Popen(
        [CLOSER, "play", "--instant", "--seed", "2"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env_for(db),
    ) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(ANSWERS[0] + "\n")
        proc.stdin.flush()
        while "walk me through your background" not in proc.stdout.readline():
            pass
        proc.send_signal(signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    assert [r["seed"] for r in rows(db)] == [1]  # the killed session is simply not there
    code, out, _ = shown(db)
    assert code == 0 and len(out.splitlines()) == 2
    assert play(db, ["bye"], "--seed", "3").returncode == 0  # and still takes new rows
    assert [r["seed"] for r in rows(db)] == [3, 1]


def test_a_writer_killed_inside_its_transaction_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    """A process killed between BEGIN and COMMIT (the row half written) leaves the rows before
    it, and the next session records as usual."""
    db = tmp_path / "h.sqlite3"
    assert play(db, ["bye"], "--seed", "1").returncode == 0
    code = (
        "import os, sqlite3, sys\n"
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "db.execute('PRAGMA journal_mode = WAL')\n"
        "db.execute('BEGIN IMMEDIATE')\n"
        'db.execute("INSERT INTO sessions (finished, scenario, persona, seed, kind, end_reason,'
        " closing_asked, closing_on_time, concerns_held, concerns_heard, concerns_cleared)"
        " VALUES ('x', 'x', 'x', 99, 'interview', 'eof', 0, 0, 0, 0, 0)\")\n"
        "os.kill(os.getpid(), 9)\n"
    )
    killed = subprocess.run([sys.executable, "-c", code, str(db)], timeout=30)
    assert killed.returncode == -signal.SIGKILL
    assert [r["seed"] for r in rows(db)] == [1]
    assert play(db, ["bye"], "--seed", "2").returncode == 0
    assert [r["seed"] for r in rows(db)] == [2, 1]


@pytest.mark.parametrize(
    "spoil, what",
    [
        (lambda db: db.write_bytes(b"this is not a database, just some text\n" * 200), "not a"),
        (lambda db: _schema(db, history.SCHEMA + 1), "newer Closer"),
        (lambda db: _schema(db, 0, "CREATE TABLE other (x)"), "other tables"),
    ],
    ids=["garbage", "newer", "foreign"],
)
def test_a_bad_history_file_gives_one_line_and_play_goes_on(tmp_path: Path, spoil, what) -> None:
    db = tmp_path / "h.sqlite3"
    spoil(db)
    before = db.read_bytes()
    proc = play(db, ["hi", "bye"], "--seed", "1")
    assert proc.returncode == 0 and "Debrief" in proc.stdout
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith(f"closer: history: {db}: ")
    assert what in proc.stderr and "; not recorded (" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert db.read_bytes() == before  # never repaired or overwritten behind the player's back
    code, out, err = shown(db)
    assert code == 1 and out == ""
    assert err.startswith(f"closer: history: {db}: ") and err.count("\n") == 1 and what in err


def _schema(db: Path, version: int, sql: str = "") -> None:
    con = sqlite3.connect(db)
    if sql:
        con.execute(sql)
    con.execute(f"PRAGMA user_version = {version}")
    con.commit()
    con.close()


def test_no_history_and_the_environment_write_nothing(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    assert play(db, ["bye"], "--seed", "1", "--no-history").returncode == 0
    assert play(db, ["bye"], "--seed", "1", CLOSER_NO_HISTORY="1").returncode == 0
    assert not db.exists()
    assert play(db, ["bye"], "--seed", "1", CLOSER_NO_HISTORY="0").returncode == 0
    assert len(rows(db)) == 1  # "0" does not turn it off
    result = CliRunner().invoke(cli, ["history"], env={"CLOSER_NO_HISTORY": "1"})
    assert result.exit_code == 0 and result.stdout.count("\n") == 1 and "off" in result.stdout


def test_an_empty_or_missing_history_says_so_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    for _ in range(2):  # missing, then an empty file (what sqlite makes of a 0-byte file)
        code, out, err = shown(db)
        assert code == 0 and err == "" and out.count("\n") == 1
        assert out.startswith("No practice recorded yet")
        assert shown(db, "--json")[1] == "[]\n"
        assert shown(db, "--stats")[1].startswith("No practice recorded yet")
        db.touch()


def test_limit_and_stats(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"

    def add(score: int, on_time: bool, cleared: int, kind: str = "interview", when: int = 0):
        row = history.Row(
            f"2026-01-0{when}T10:00:00+00:00", "ledgerline", "Priya Natarajan", when, kind,
            "completed", "advance", score, on_time, on_time, 2, 2, cleared, None,
        )  # fmt: skip
        history.record(db, row)

    add(40, False, 0, when=1)
    add(70, True, 1, when=2)
    add(60, True, 2, when=3)
    add(55, True, 1, "drill", when=4)
    assert [r["seed"] for r in json.loads(shown(db, "--json", "--limit", "2")[1])] == [4, 3]
    assert len(shown(db, "--limit", "1")[1].splitlines()) == 2
    trends = json.loads(shown(db, "--stats", "--json")[1])
    interview, drill = trends
    assert interview["kind"] == "interview" and drill["kind"] == "drill"
    assert (interview["sessions"], interview["first"], interview["latest"]) == (3, 40, 60)
    assert (interview["best"], interview["on_time"]) == (70, 2)
    assert interview["cleared"] == pytest.approx(0.5)
    assert (drill["sessions"], drill["first"], drill["best"]) == (1, 55, 55)
    text = shown(db, "--stats")[1]
    assert text.index("Interviews") < text.index("Drills")
    priya = [line.split() for line in text.splitlines() if "Priya" in line]
    assert priya[0][2:] == ["3", "40", "60", "70", "2/3", "50%"]
    assert priya[1][2:] == ["1", "55", "55", "55", "1/1", "50%"]


# ---- the picker ---------------------------------------------------------------------------


def spawn(args: list[str], env: dict[str, str], cwd: Path) -> pexpect.spawn:
    env = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")}  # the pty's size
    env = {**env, "TERM": "xterm", "NO_COLOR": "1"}
    return pexpect.spawn(
        CLOSER, args, env=env, encoding="utf-8", timeout=15, dimensions=(40, 200), cwd=str(cwd)
    )


PROMPT = r"Number or id \(Enter for ledgerline\): "


def _picked(tmp_path: Path, answers: list[str]) -> tuple[str, list[dict]]:
    """Pick with `answers` (the last one good), say goodbye; what was shown, and the
    transcript's events."""
    db, t = tmp_path / "h.sqlite3", tmp_path / "t.jsonl"
    child = spawn(
        ["play", "--instant", "--seed", "2", "--transcript", str(t)], env_for(db), tmp_path
    )
    child.expect(PROMPT)
    listing = child.before
    for answer in answers[:-1]:
        child.sendline(answer)
        child.expect("No .* here: a number from 1 to")
        child.expect(PROMPT)
    child.sendline(answers[-1])
    child.expect("You: ")
    child.sendeof()
    child.expect("Debrief")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    return listing, [json.loads(x) for x in t.read_text(encoding="utf-8").splitlines()]


def _number_of(listing: str, persona: str) -> str:
    line = next(x for x in listing.splitlines() if persona in x)
    return line.split(".")[0].strip()


def test_picker_by_number_by_id_and_enter(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    listing, _ = _picked(tmp_path, [""])  # Enter: the default
    assert "Priya Natarajan" in listing and "Engineering Manager" in listing
    assert "[medium]" in listing and "last:" not in listing
    assert rows(db)[0]["scenario"] == "ledgerline"
    riverbend = _number_of(listing, " riverbend ")
    listing, evs = _picked(tmp_path, [riverbend])
    assert evs[0]["scenario"] == "riverbend"
    line = next(x for x in listing.splitlines() if "Priya" in x)
    assert "last: " in line and "never asked" in line  # the default's last result
    assert "last:" not in next(x for x in listing.splitlines() if " riverbend " in x)
    listing, evs = _picked(tmp_path, ["riverbend"])
    assert evs[0]["scenario"] == "riverbend"


def test_picker_asks_again_after_a_bad_choice(tmp_path: Path) -> None:
    listing, evs = _picked(tmp_path, ["99", "nobody", "0", "1"])
    first = next(x for x in listing.splitlines() if x.strip().startswith("1."))
    assert evs[0]["scenario"] == first.split()[1]  # 1: the first of the list


@pytest.mark.parametrize("leave, code", [("eof", 0), ("interrupt", 130)])
def test_picker_leaves_cleanly(tmp_path: Path, leave: str, code: int) -> None:
    db = tmp_path / "h.sqlite3"
    child = spawn(["play", "--instant"], env_for(db), tmp_path)
    child.expect(PROMPT)
    if leave == "eof":
        child.sendeof()
    else:
        child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == code
    assert "Traceback" not in child.before and "Priya:" not in child.before
    assert not db.exists()


def test_a_pipe_plays_the_default_without_a_prompt(tmp_path: Path) -> None:
    proc = play(tmp_path / "h.sqlite3", ["1", "bye"], "--seed", "1")
    assert proc.returncode == 0 and proc.stderr == ""
    assert "Number or id" not in proc.stdout and "practise with" not in proc.stdout
    named = play(tmp_path / "h.sqlite3", ["1", "bye"], "ledgerline", "--seed", "1")
    assert proc.stdout == named.stdout  # "1" was the first answer, not a choice


def test_ctrl_c_mid_session_is_recorded_as_interrupted(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    child = spawn(["play", "ledgerline", "--instant", "--seed", "4"], env_for(db), tmp_path)
    child.expect("You: ")
    child.sendline(ANSWERS[0])
    child.expect("You: ")
    child.kill(signal.SIGINT)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    deadline = time.monotonic() + 5
    while not db.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    [row] = rows(db)
    assert row["end_reason"] == "interrupted" and row["outcome"] is not None


def test_the_documented_schema_is_the_one_written() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "history.md").read_text(encoding="utf-8")
    sql = doc.split("```sql\n", 1)[1].split("```", 1)[0]
    assert sql.strip() == history.CREATE.strip() + ";"
    assert f"Version {history.SCHEMA} (`PRAGMA user_version = {history.SCHEMA}`)" in doc


def test_a_drill_is_recorded_as_a_drill_and_kept_apart_in_the_stats(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    close = "Is there anything that would prevent you from recommending me?"
    drill = play(db, [close, "bye"], "--drill", "--seed", "5", "ledgerline")
    assert drill.returncode == 0 and "Drill, seed 5" in drill.stdout, drill.stderr
    interview = play(db, ["hi", "bye"], "--seed", "3", "ledgerline")
    assert interview.returncode == 0, interview.stderr
    newest, oldest = rows(db)
    assert (newest["kind"], oldest["kind"]) == ("interview", "drill")
    assert oldest["closing"] == "on time" and oldest["concerns_heard"] >= 1
    code, out, _ = shown(db, "--stats")
    assert code == 0 and "Drills" in out and "Interviews" in out


def test_the_last_result_goes_under_the_persona_when_the_row_would_not_fit() -> None:
    from closer.cli.picker import lines
    from closer.cli.scenarios import entries

    found = [e for e in entries(Path.cwd()) if e.shipped]
    last = {found[0].id: "last: advance 82, on time"}
    wide = lines(found, last, 200)
    assert len(wide) == len(found) and wide[0].endswith("last: advance 82, on time")
    narrow = lines(found, last, 60)
    assert len(narrow) == len(found) + 1 and "last:" not in narrow[0]
    assert narrow[1].strip() == "last: advance 82, on time"
    assert narrow[1].index("last:") == narrow[0].index(found[0].persona)  # under the persona
