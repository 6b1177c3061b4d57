"""Transcripts that survive anything: bad input bytes, a crash mid-write, a crash mid-resume,
two writers, and hand-edited or hostile files (docs/transcript.md)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from closer.cli.errors import UserError
from closer.cli.main import cli
from closer.engine.runtime.program import Program
from tests.test_play import CLOSER
from tests.test_session import ANSWERS, CLOSING, RESOLVE_TENURE


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


def test_a_transcript_to_a_pipe_is_written_in_place() -> None:
    proc = pipe(["play", "--instant", "--seed", "3", "--transcript", "/dev/stdout"], b"fine\n")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.startswith(b'{"event": "session", "format": 1, "scenario": "ledgerline"')


# -- 2. a crash in the middle of writing a turn ------------------------------------------------

TWENTY = [
    "Fine, thanks — the café downstairs was great.",
    *ANSWERS[1:4],
    "I write unit and integration tests; my naïve first version had none, 日本語 docs too.",
    *ANSWERS[5:],
    "Why is this position open?",
    "Is this a new role or a replacement? 🙂",
    "What are you looking for in the first year?",
    CLOSING,
    "What do you mean by that?",
    RESOLVE_TENURE,
    "Does that address your concern?",
    "Is there anything else?",
    "What do you mean by that?",
    "I see — I’d love to hear more about the team’s on-call.",
    "How did I do?",
    "What are the next steps?",
    "When would you want someone to start?",
]


def play_twenty(t: Path) -> bytes:
    """A 20-turn transcript (multi-byte characters included), ended by end of input."""
    args = ["play", "--instant", "--seed", "5", "--transcript", str(t)]
    result = CliRunner().invoke(cli, args, input="\n".join(TWENTY) + "\n")
    assert result.exit_code == 0, result.output
    data = t.read_bytes()
    assert data.count(b'"speaker": "candidate"') == 20
    return data


@pytest.fixture(scope="module")
def twenty(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return play_twenty(tmp_path_factory.mktemp("twenty") / "t.jsonl")


def writes(data: bytes) -> list[int]:
    """Where each write of the session ended: the session line and opening, each turn, the end."""
    ends, pos = [], 0
    for raw in data.splitlines(keepends=True):
        e = json.loads(raw)
        if e.get("speaker") == "candidate" or e["event"] == "verdict":  # a write starts here
            ends.append(pos)
        pos += len(raw)
    return [*ends, pos]


def candidate_lines(path: Path) -> list[str]:
    return [e["text"] for e in events(path) if e.get("speaker") == "candidate"]


CUTS = ("empty", "mid-session-line", "mid-opening", "mid-turn", "mid-character")
CUTS += ("before-newline", "mid-end", "whole")


@pytest.mark.parametrize("where", CUTS)
def test_resume_drops_a_torn_turn_and_finishes_identically(
    runner: CliRunner, tmp_path: Path, twenty: bytes, where: str
) -> None:
    ends = writes(twenty)
    turn8 = twenty[ends[7] : ends[8]]
    cut = {
        "empty": 0,
        "mid-session-line": twenty.index(b'"sha256"'),
        "mid-opening": ends[0] - 5,
        "mid-turn": ends[7] + turn8.index(b"\n") + 10,
        "mid-character": ends[4] + twenty[ends[4] : ends[5]].index("日".encode()) + 1,
        "before-newline": ends[8] - 1,
        "mid-end": ends[-2] + 30,
        "whole": len(twenty),
    }[where]
    whole = sum(1 for b in ends[1:-1] if b <= cut)  # candidate turns whose write completed
    t = tmp_path / "t.jsonl"
    t.write_bytes(twenty[:cut])
    rest = "\n".join(TWENTY[whole:]) + "\n"
    seed = ["--seed", "5"] if where == "empty" else []  # else the seed is read from the file
    result = runner.invoke(cli, ["play", "--instant", "--resume", str(t), *seed], rest)
    assert result.exit_code == 0, result.output
    assert f"Resumed after {whole} turn{'s' if whole != 1 else ''}." in result.output
    assert t.read_bytes() == twenty  # nothing lost, nothing doubled


def cut_points(program: Program, data: bytes) -> tuple[int, list[str]]:
    """Resume `data` cut at every byte offset; how many offsets were accepted with nothing
    lost beyond the torn turn, and what went wrong at the others."""
    from closer.cli import transcript
    from closer.cli.play import replay

    ends = writes(data)
    header = data.index(b"\n") + 1
    replayed: dict[int, tuple[int, bytes] | str] = {}  # by the number of whole events read
    wrong = []
    for cut in range(len(data) + 1):
        try:
            saved = transcript.parse(data[:cut], "t.jsonl")
        except UserError as e:
            wrong.append(f"{cut}: {e.message}")
            continue
        if cut < header:  # not even the session line is whole: nothing to lose, start over
            if saved.events or saved.partial is None:
                wrong.append(f"{cut}: not taken as a session line cut off")
            continue
        n = len(saved.events)
        if n not in replayed:
            try:
                r = replay(program, saved)
                replayed[n] = (r.session.state.turn, saved.prefix(r.kept))
            except UserError as e:
                replayed[n] = e.message
        got = replayed[n]
        whole = sum(1 for b in ends[1:-1] if b <= cut)  # turns whose write had completed
        kept = data[: max([header, *(b for b in ends[:-1] if b <= cut)])]
        if got != (whole, kept):
            wrong.append(f"{cut}: {got!r:.100} instead of {whole} turns")
    return len(data) + 1 - len(wrong), wrong


def test_resume_accepts_every_cut_point_of_twenty_turns(program: Program, twenty: bytes) -> None:
    accepted, wrong = cut_points(program, twenty)
    assert wrong == [], f"{accepted} of {len(twenty) + 1} accepted"


# -- 3. a crash in the middle of --resume ------------------------------------------------------

IO_CALLS = {"open", "write", "flush", "fsync", "close", "truncate", "ftruncate", "replace"}
IO_CALLS |= {"rename", "unlink", "remove", "fdopen", "mkstemp", "fchmod", "writelines"}


def test_resume_never_leaves_less_on_disk_than_was_saved(runner: CliRunner, tmp_path: Path) -> None:
    """A process can die between any two I/O calls: after each one, the file on disk must
    still hold every turn that was saved before the resume began."""
    import sys

    t = tmp_path / "t.jsonl"
    first = runner.invoke(
        cli,
        ["play", "--instant", "--seed", "8", "--transcript", str(t)],
        "\n".join(ANSWERS[:5]) + "\n",
    )
    assert first.exit_code == 0, first.output
    saved = t.read_bytes()
    turns = saved[: saved.index(b'{"event": "verdict"')]  # the verdict and end are dropped
    on_disk: list[bytes] = []

    def look(frame: object, event: str, arg: object) -> None:
        if event == "c_return" and getattr(arg, "__name__", "") in IO_CALLS:
            sys.setprofile(None)
            with open(t, "rb") as f:
                on_disk.append(f.read())
            sys.setprofile(look)

    sys.setprofile(look)
    try:
        second = runner.invoke(cli, ["play", "--instant", "--resume", str(t)], ANSWERS[5] + "\n")
    finally:
        sys.setprofile(None)
    assert second.exit_code == 0, second.output
    assert len(on_disk) > 10
    short = [i for i, data in enumerate(on_disk) if not data.startswith(turns)]
    assert short == [], (
        f"{len(short)} of {len(on_disk)} moments held less: {on_disk[short[0]]!r:.80}"
    )


def test_resume_through_a_symlink_replaces_the_file_not_the_link(
    runner: CliRunner, tmp_path: Path
) -> None:
    real, link = tmp_path / "real.jsonl", tmp_path / "link.jsonl"
    link.symlink_to(real)
    runner.invoke(cli, ["play", "--instant", "--seed", "8", "--transcript", str(link)], "fine\n")
    resumed = runner.invoke(cli, ["play", "--instant", "--resume", str(link)], ANSWERS[1] + "\n")
    assert resumed.exit_code == 0, resumed.output
    assert link.is_symlink() and real.read_text(encoding="utf-8").count('"candidate"') == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.jsonl", "real.jsonl"]


# -- 4. two writers ----------------------------------------------------------------------------


def started(args: list[str]) -> subprocess.Popen:
    """`closer play` waiting for the candidate's first line (its files are open by then)."""
    child = subprocess.Popen(
        [CLOSER, "play", "--instant", "--seed", "4", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    while "How's your day going" not in child.stdout.readline():
        assert child.poll() is None, child.stderr.read() if child.stderr else ""
    return child


def finished(child: subprocess.Popen, lines: list[str]) -> tuple[int, str]:
    out, err = child.communicate("\n".join(lines) + "\n", timeout=30)
    assert "Debrief" in out
    return child.returncode, err


@pytest.mark.skipif(os.name == "nt", reason="no lock on Windows (docs/transcript.md)")
@pytest.mark.parametrize("second", ["--transcript", "--resume"])
def test_a_second_writer_of_a_transcript_is_refused(tmp_path: Path, second: str) -> None:
    t = tmp_path / "t.jsonl"
    t.write_bytes(b"")  # --resume needs the file to exist; an empty one starts over
    first = started(["--resume", str(t)])
    try:
        other = pipe(["play", "--instant", "--seed", "9", second, str(t)], b"fine\n")
    finally:
        code, err = finished(first, ANSWERS[:2])
    assert other.returncode == 1 and other.stdout == b""
    assert other.stderr.decode().splitlines() == [
        f"closer: {t} is being written by another `closer play`; "
        "wait for it to end, or choose another file"
    ]
    assert code == 0, err
    assert [e["text"] for e in events(t) if e.get("speaker") == "candidate"] == ANSWERS[:2]
    assert CliRunner().invoke(cli, ["debrief", str(t)]).exit_code == 0


@pytest.mark.skipif(os.name == "nt", reason="no lock on Windows (docs/transcript.md)")
def test_a_second_writer_of_a_recording_is_refused(tmp_path: Path) -> None:
    rec = tmp_path / "r.test.yaml"
    first = started(["--record", str(rec)])
    try:
        other = pipe(["play", "--instant", "--record", str(rec)], b"fine\n")
    finally:
        code, err = finished(first, ANSWERS[:2])
    assert other.returncode == 1
    assert other.stderr.decode().splitlines() == [
        f"closer: {rec} is being written by another `closer play`; "
        "wait for it to end, or choose another file"
    ]
    assert code == 0, err
    assert rec.read_text(encoding="utf-8").count("      - say: ") == 2


# -- 5. malformed, hand-edited and hostile transcripts -----------------------------------------


@pytest.fixture(scope="module")
def short(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """A two-turn session: 0 session, 1 concern, 2 opening, 3 candidate, 4 intent, ...,
    9 the answer's assessment, then verdict and end."""
    t = tmp_path_factory.mktemp("short") / "t.jsonl"
    args = ["play", "--instant", "--seed", "3", "--transcript", str(t)]
    lines = "fine\nI am a backend engineer with 5 years of Python\n"
    assert CliRunner().invoke(cli, args, lines).exit_code == 0
    return events(t)


def written(path: Path, evs: list[dict], bom: bool = False) -> Path:
    text = "".join(json.dumps(e) + "\n" for e in evs)
    path.write_bytes(b"\xef\xbb\xbf" * bom + text.encode("utf-8"))
    return path


def changed(evs: list[dict], index: int, **fields: object) -> list[dict]:
    out = [dict(e) for e in evs]
    out[index].update(fields)
    for k in [k for k, v in fields.items() if v is DROP]:
        del out[index][k]
    return out


DROP = object()
SEED = "the session's 'seed' must be a whole number from 0 to 2147483647, not"
MALFORMED = {
    "seed abc": (0, {"seed": "abc"}, f'{SEED} "abc"'),
    "seed null": (0, {"seed": None}, f"{SEED} null"),
    "seed 1e999": (0, {"seed": 1e999}, f"{SEED} Infinity"),
    "seed true": (0, {"seed": True}, f"{SEED} true"),
    "seed -1": (0, {"seed": -1}, f"{SEED} -1"),
    "no seed": (0, {"seed": DROP}, f"{SEED} null"),
    "scenario 7": (0, {"scenario": 7}, "the session's 'scenario' must be text, not 7"),
    "no text": (3, {"text": DROP}, "a 'say' event needs 'text'"),
    "speaker": (3, {"speaker": "recruiter"}, "'speaker' of a 'say' event is 'recruiter'"),
    "turn text": (3, {"turn": "1"}, "'turn' of a 'say' event is '1'"),
    "no outcome": (12, {"outcome": DROP}, "a 'verdict' event needs 'outcome'"),
    "outcome": (12, {"outcome": "hired"}, "'outcome' of a 'verdict' event is 'hired'"),
    "score": (12, {"score": "high"}, "'score' of a 'verdict' event is 'high'"),
    "score nan": (12, {"score": float("nan")}, "'score' of a 'verdict' event is nan"),
    "status": (1, {"status": "forgotten"}, "'status' of a 'concern' event is 'forgotten'"),
    "evidence": (1, {"evidence": "abc"}, "'evidence' of a 'concern' event is 'abc'"),
    "intent": (4, {"intent": 3}, "'intent' of a 'intent' event is 3"),
    "reason": (13, {"reason": "crash"}, "'reason' of a 'end' event is 'crash'"),
    "assess flag": (9, {"flags": ["rude"]}, "'flags' of an 'assess' event is ['rude']"),
    "assess points": (9, {"points": "many"}, "'points' of a 'assess' event is 'many'"),
    "event": (4, {"event": 5}, 'not a transcript event (no "event")'),
    "kind": (4, {"event": "note"}, "unknown event 'note'"),
}


@pytest.mark.parametrize("command", ["resume", "debrief"])
@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_transcript_is_one_line(
    runner: CliRunner, tmp_path: Path, short: list[dict], command: str, case: str
) -> None:
    index, fields, message = MALFORMED[case]
    t = written(tmp_path / "t.jsonl", changed(short, index, **fields))
    args = ["play", "--instant", "--resume", str(t)] if command == "resume" else ["debrief"]
    result = runner.invoke(cli, [*args, str(t)] if command == "debrief" else args, "")
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"closer: {t}:{index + 1}:1: {message}"), result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_unknown_fields_are_ignored_and_kept(
    runner: CliRunner, tmp_path: Path, short: list[dict]
) -> None:
    evs = changed(short, 0, device="laptop")
    evs = changed(evs, 3, mood={"calm": True})
    t = written(tmp_path / "t.jsonl", evs)
    assert runner.invoke(cli, ["debrief", str(t)]).exit_code == 0
    resumed = runner.invoke(cli, ["play", "--instant", "--resume", str(t)], "thanks\n")
    assert resumed.exit_code == 0, resumed.output
    text = t.read_text(encoding="utf-8")  # the turns kept are kept as they were written
    assert '"device": "laptop"' in text and '"mood": {"calm": true}' in text


def test_a_byte_order_mark_is_accepted(
    runner: CliRunner, tmp_path: Path, short: list[dict]
) -> None:
    t = written(tmp_path / "t.jsonl", short, bom=True)
    assert runner.invoke(cli, ["debrief", str(t)]).exit_code == 0
    resumed = runner.invoke(cli, ["play", "--instant", "--resume", str(t)], "thanks\n")
    assert resumed.exit_code == 0, resumed.output
    assert "Resumed after 2 turns." in resumed.output


SECRET = "root:x:0:0:secret-line"


@pytest.mark.parametrize("command", ["resume", "debrief"])
@pytest.mark.parametrize("source", ["absolute", "relative", "id-like"])
def test_a_forged_source_is_not_followed(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    short: list[dict],
    command: str,
    source: str,
) -> None:
    secret = tmp_path / "passwd"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    ref = {"absolute": str(secret), "relative": "passwd", "id-like": "../passwd"}[source]
    work = tmp_path / "work"
    work.mkdir()
    t = written(work / "t.jsonl", changed(short, 0, source=ref))
    args = ["play", "--instant", "--resume", str(t)] if command == "resume" else ["debrief", str(t)]
    monkeypatch.chdir(work)
    os.symlink(secret, "passwd")
    result = runner.invoke(cli, args, "")
    assert result.exit_code == 1, result.output
    assert "secret" not in result.output and result.output.count("\n") == 1
    assert result.output.startswith(f"closer: {t}:1:1: ")


def test_a_debrief_shows_no_control_characters_from_the_file(
    runner: CliRunner, tmp_path: Path, short: list[dict]
) -> None:
    evs = changed(short, 1, quote="Hi\x1b]0;pwned\x07 there \ud800")  # shown as the trigger
    t = written(tmp_path / "t.jsonl", evs)
    result = runner.invoke(cli, ["debrief", str(t)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "Hi\\x1b]0;pwned\\x07 there \ufffd" in result.output  # shown, not obeyed


def test_events_that_cannot_happen_are_one_line_in_debrief(
    runner: CliRunner, tmp_path: Path, short: list[dict]
) -> None:
    """Each event is well formed, but a concern is revealed without ever being hinted."""
    evs = [
        *short[:5],
        {"event": "concern", "turn": 1, "concern": "tenure", "status": "revealed"},
        {"event": "concern", "turn": 2, "concern": "tenure", "status": "resolved"},
        *short[5:],
    ]
    t = written(tmp_path / "t.jsonl", evs)
    result = runner.invoke(cli, ["debrief", str(t)])
    assert result.exit_code == 1
    assert result.output == (
        f"closer: {t}:6:1: concern 'tenure' cannot go from raised to revealed; "
        "was the file edited?\n"
    )
