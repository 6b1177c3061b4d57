"""Fuzzing the engine with Hypothesis: every shipped persona, played with what a candidate could
type (arbitrary Unicode, undecodable bytes, commands, very long lines, empty lines, the closing
question mid-sentence or cut off), mixed with the explorer's scenario-aware lines so that the
conversations reach the closing question and the concerns.

Each conversation must raise nothing and keep the explorer's invariants (`check` from
engine/tools/explore.py: debrief, well-formed events, no early reveal, hidden state, determinism,
round-trip), its session state must survive JSON at every point Hypothesis picks and carry on
the same, and its transcript, written and read back the way `closer play` does, must rebuild the
session (`--resume`) and carry on the same.

CI runs a fixed, derandomized budget (a few seconds). The long run is
`pytest tests/test_fuzz.py --fuzz-turns=100000` (docs/exploring.md).
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from closer.cli import transcript
from closer.cli.errors import UserError
from closer.cli.play import replay as resume
from closer.cli.scenarios import shipped_paths
from closer.engine import Session, SessionState, compile_scenario, load_path
from closer.engine.format.patterns import MAX_UTTERANCE
from closer.engine.runtime.events import ConcernEvent, EndEvent, Event
from closer.engine.runtime.program import Program
from closer.engine.tools.debrief import closing_turn
from closer.engine.tools.explore import (
    COMMANDS,
    Sampler,
    Violation,
    Walk,
    check,
    shrink,
    walk_as_test,
    walk_facts,
)

PERSONAS = sorted(shipped_paths())
# conversations per persona in the suite (3 to 5 s of CPU on the dev machine at 30): 60 in all,
# shared by the shipped personas, so a new persona does not lengthen the suite
CI_EXAMPLES = max(12, 60 // len(PERSONAS))

# the kinds of line, repeated for weight; Hypothesis shrinks towards the first
KINDS = (
    ("scenario",) * 14
    + ("closing_inside",) * 3
    + ("unicode",) * 2
    + ("command",) * 2
    + ("long",) * 2
    + ("empty", "bytes", "noise")
)
IN_PLAY = ("/why", "/quit", "/background", "/help", "/", "//", "/WHY please", " /quit")
EMPTY = ("", " ", "   ", "\t", "\n", "\r\n", "\u3000", "\u200b", "\ufeff", "\x00", " \n \t ")
# a byte that never starts a character, a cut sequence, an encoded surrogate, a lone lead byte
BAD_BYTES = (b"\xff", b"\x80", b"\xe2\x82", b"\xed\xa0\x80", b"\xc3")
GLUE = (" ", ", ", "; ", " - ", " — ", "... ", "\n", "", " and ", "? ")
RESUME_ONE_IN = 6  # the session goes through JSON before a turn with this chance


@dataclass
class Stats:
    conversations: int = 0
    turns: int = 0  # candidate lines played (each is played again by the checks)
    closing: int = 0  # conversations where the closing question was asked on time
    surfaced: int = 0  # ... where a concern came out (its vague line said)
    revealed: int = 0  # ... where a concern was revealed (its specific line said)
    resumed: int = 0  # JSON round-trips of the session state
    transcripts: int = 0  # conversations whose transcript was replayed
    kinds: Counter[str] = field(default_factory=Counter)  # lines played, by kind
    heard_inside: int = 0  # closing questions inside a longer line that were understood


class Lines:
    """The candidate lines of one persona, as Hypothesis draws them turn by turn."""

    def __init__(self, sampler: Sampler, errors: str) -> None:
        self.sampler = sampler
        self.errors = errors  # how undecodable bytes are decoded in this conversation
        self.seeds = st.integers(0, 2**32 - 1)

    def draw(self, data: st.DataObject, state: SessionState) -> tuple[str, str]:
        """A kind of line (weighted by `KINDS`) and a line of that kind."""
        kind = data.draw(st.sampled_from(KINDS), label="kind")
        make: Callable[[st.DataObject, SessionState], str] = getattr(self, kind)
        return kind, make(data, state)

    def _rng(self, data: st.DataObject) -> random.Random:
        return random.Random(data.draw(self.seeds))

    def scenario(self, data: st.DataObject, state: SessionState) -> str:
        """What the explorer would say here: the scenario's own words, weighted by state."""
        return self.sampler.line(self._rng(data), state.state, state.current)

    def closing(self, data: st.DataObject) -> str:
        return self.sampler.closing(self._rng(data), full=data.draw(st.booleans()))

    def closing_inside(self, data: st.DataObject, state: SessionState) -> str:
        """The closing question inside a sentence, cut off, or split by other words."""
        question = self.closing(data)
        before = data.draw(st.sampled_from(("", "so", "ok, one more thing:", "Before I go")))
        after = data.draw(st.one_of(st.just(""), st.text(max_size=20)))
        how = data.draw(st.sampled_from(("inside", "cut", "split", "answer")))
        if how == "cut":
            return question[: data.draw(st.integers(0, len(question)))]
        if how == "split":
            at = data.draw(st.integers(0, len(question)))
            return question[:at] + data.draw(st.sampled_from(GLUE)) + after + question[at:]
        if how == "answer":  # an answer that asks it halfway through
            before = self.scenario(data, state)
        glue = data.draw(st.sampled_from(GLUE))
        return f"{before}{glue}{question}{data.draw(st.sampled_from(GLUE))}{after}"

    def unicode(self, data: st.DataObject, state: SessionState) -> str:
        return data.draw(st.text(max_size=60))

    def bytes(self, data: st.DataObject, state: SessionState) -> str:
        """Bytes as Python decodes them (lone surrogates for what it cannot), or as `closer
        play` does (U+FFFD)."""
        typed = data.draw(st.text(max_size=20)).encode("utf-8")
        raw = typed + data.draw(st.sampled_from(BAD_BYTES)) + data.draw(st.binary(max_size=20))
        return raw.decode("utf-8", self.errors)

    def command(self, data: st.DataObject, state: SessionState) -> str:
        return data.draw(st.sampled_from(IN_PLAY + COMMANDS))

    def empty(self, data: st.DataObject, state: SessionState) -> str:
        return data.draw(st.sampled_from(EMPTY))

    def noise(self, data: st.DataObject, state: SessionState) -> str:
        return self.sampler.noise(self._rng(data))

    def long(self, data: st.DataObject, state: SessionState) -> str:
        """Far past what the engine reads (MAX_UTTERANCE), with the closing question or the
        scenario's words near the cut, or repeated text."""
        piece = data.draw(
            st.one_of(st.text(min_size=1, max_size=12), st.just(self.scenario(data, state)))
        )
        size = data.draw(st.integers(MAX_UTTERANCE - 40, 25 * MAX_UTTERANCE))
        text = (piece + " ") * (size // (len(piece) + 1) + 1)
        at = data.draw(st.sampled_from((None, 0, MAX_UTTERANCE - 30, MAX_UTTERANCE, size // 2)))
        if at is not None:
            text = text[:at] + " " + self.closing(data) + " " + text[at:]
        return text[:size]


def converse(
    program: Program,
    sampler: Sampler,
    data: st.DataObject,
    walk_seed: int,
    stats: Stats,
    said: list[str],
) -> tuple[Walk, Violation | None]:
    """Play one conversation (its lines go to `said` as they are drawn), sending the session
    through JSON now and then. Returns the walk as if played straight through (ended with `eof`
    if it did not end) and, like the explorer's walks, a broken turn bound."""
    facts = walk_facts(program, walk_seed)
    lines = Lines(sampler, data.draw(st.sampled_from(("surrogateescape", "replace"))))
    session, opening = Session.start(program, walk_seed, facts)
    events: list[Event] = list(opening.events)
    limit = program.scenario.max_turns
    # mostly played to the end; else the candidate walks out after `length` lines
    length = limit
    # Hypothesis favours the first choice: make it "plays on", or most walks end at once
    if data.draw(st.sampled_from((False, False, True)), label="walks out"):
        # uniform: `integers` favours its bounds, and walking out after one line tests little
        length = data.draw(st.sampled_from(range(1, limit + 1)), label="after")
    while not session.ended and len(said) < length:
        if data.draw(st.integers(0, RESUME_ONE_IN - 1), label="resume") == 0:
            session = through_json(program, session)
            stats.resumed += 1
        kind, line = lines.draw(data, session.state)
        said.append(line)
        turn = session.turn(line)
        events.extend(turn.events)
        stats.kinds[kind] += 1
        stats.turns += 1
        if kind == "closing_inside" and turn.match and turn.match.intent == "closing_question":
            stats.heard_inside += 1
    broken = None
    if not session.ended:
        if len(said) == limit:
            message = f"the session was still going after max_turns ({limit}) candidate lines"
            broken = Violation("turn_bound", message, walk_seed, tuple(said), limit)
        events.extend(session.end("eof").events)
    return Walk(walk_seed, tuple(facts.items()), tuple(said), tuple(events)), broken


def through_json(program: Program, session: Session) -> Session:
    """The session rebuilt from its state's JSON text; the state must come back equal."""
    data = session.state.to_json()
    back = SessionState.from_json(json.loads(json.dumps(data)))
    assert back.to_json() == data
    return Session(program, back)


def replay_transcript(program: Program, walk: Walk, path: Path) -> bool:
    """Write the walk's transcript as `closer play` does, read it back and resume from it (as
    `--resume` does, after a crash before the last turn when it ended by itself), then play the
    rest: the same events. False when the walk is not one `closer play` could have played."""
    if walk.facts or not all(_encodable(line) for line in walk.lines):
        return False  # play sets no facts; its reader never passes lone surrogates (see below)
    events = list(walk.events)
    end = events[-1]
    if isinstance(end, EndEvent) and end.reason == "completed":  # resume refuses it finished
        events = [e for e in events if e.turn < end.turn]
    head = transcript.header(program.scenario.id, program.scenario.id, program.scenario.sha256, 0)
    head["seed"] = walk.seed
    written = [head, *(e.to_json() for e in events)]
    path.write_text("".join(transcript.dumps(e) + "\n" for e in written), "utf-8")
    saved = transcript.load(path)
    assert list(saved.events) == json.loads(json.dumps(written))
    resumed = resume(program, saved)
    session = resumed.session
    rest: list[Event] = []
    for line in walk.lines[session.state.turn :]:
        rest.extend(session.turn(line).events)
    if not session.ended:
        rest.extend(session.end("eof").events)
    body = [e for e in resumed.history if e.kind not in ("verdict", "end")]
    assert body + rest == list(walk.events)
    return True


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def fail(program: Program, found: list[Violation]) -> None:
    """Fail with every broken invariant, and the first one as a conversation test to keep,
    shrunk by the explorer (Hypothesis does not shrink: see `FUZZ`)."""
    if found:
        shown = "\n".join(f"{v.invariant}: {v.message}" for v in found)
        case = walk_as_test(program, shrink(program, found[0]), program.scenario.id)
        case = case.replace("closer test --explore", "tests/test_fuzz.py", 1)
        pytest.fail(
            f"{shown}\nSave as a *.test.yaml file to keep it as a conversation test:\n{case}"
        )


def fuzz_property(program: Program, stats: Stats, tmp: Path) -> Callable[..., None]:
    sampler = Sampler(program)

    @given(data=st.data(), walk_seed=st.integers(0, 2**31 - 1))
    def conversation(data: st.DataObject, walk_seed: int) -> None:
        said: list[str] = []
        try:
            walk, broken = converse(program, sampler, data, walk_seed, stats, said)
        except Exception as e:  # any exception is the finding; show the lines that led to it
            message = f"{type(e).__name__}: {e} in the conversation"
            fail(program, [Violation("exception", message, walk_seed, tuple(said), len(said))])
        found = list(check(program, walk))
        fail(program, [*([broken] if broken else []), *found])
        stats.transcripts += replay_transcript(program, walk, tmp / "t.jsonl")
        stats.conversations += 1
        stats.closing += closing_turn(list(walk.events)) is not None
        statuses = {e.status for e in walk.events if isinstance(e, ConcernEvent)}
        stats.surfaced += "hinted" in statuses
        stats.revealed += "revealed" in statuses

    return conversation


# No shrinking phase: Hypothesis cannot simplify lines made from seeds, and spends its five
# minutes replaying long conversations; the explorer's `shrink` cuts the failing walk instead.
FUZZ = settings(
    deadline=None,
    database=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module", params=PERSONAS)
def persona(request: pytest.FixtureRequest) -> Program:
    return compile_scenario(load_path(shipped_paths()[request.param]))


def test_fuzz_every_shipped_persona(
    persona: Program, fuzz_turns: int | None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stats = Stats()
    started = time.perf_counter()
    if fuzz_turns is None:
        conversation = fuzz_property(persona, stats, tmp_path)
        settings(FUZZ, max_examples=CI_EXAMPLES, derandomize=True)(conversation)()
        # only worth its time if it gets past the questions and into the concerns
        assert stats.closing >= stats.conversations // 3, stats
        assert stats.surfaced and stats.transcripts and stats.resumed and stats.heard_inside, stats
        assert set(stats.kinds) == set(KINDS), stats
        return
    target = math.ceil(fuzz_turns / len(PERSONAS))
    failures: list[str] = []
    batch = 0
    while stats.turns < target and len(failures) < 3:  # batches, reproducible from their number
        per = stats.turns / stats.conversations if stats.conversations else 10
        examples = min(1000, max(10, math.ceil((target - stats.turns) / per)))
        conversation = fuzz_property(persona, stats, tmp_path)
        try:
            seed(batch)(settings(FUZZ, max_examples=examples)(conversation))()
        except (pytest.fail.Exception, AssertionError, UserError) as e:  # go on: how many fail?
            notes = "\n".join(getattr(e, "__notes__", ()))
            failures.append(f"batch {batch}: {type(e).__name__}: {e}\n{notes}")
        batch += 1
    took = time.perf_counter() - started
    with capsys.disabled():
        print(
            f"\nfuzz {persona.scenario.id}: {stats.turns} turns in {stats.conversations} "
            f"conversations ({batch} batches), {took:.0f} s, {stats.turns / took:.0f} turns/s; "
            f"closing question on time in {stats.closing}, a concern hinted in {stats.surfaced} "
            f"and revealed in {stats.revealed}; {stats.resumed} JSON round-trips, "
            f"{stats.transcripts} "
            f"transcripts resumed; {len(failures)} failed batch(es)"
        )
    assert not failures, "\n".join(failures)


# ---- the fuzz fails when the engine does: each kind of line reaches it within the CI budget

TRIPWIRES: dict[str, Callable[[str], bool]] = {
    "a very long line": lambda text: len(text) > 10 * MAX_UTTERANCE,
    "an empty line": lambda text: not text.strip(),
    "undecodable bytes": lambda text: not _encodable(text),
    "a command": lambda text: text.startswith("/"),
    "a control character": lambda text: any(c < " " and c not in "\t\n\r" for c in text),
}


@pytest.mark.parametrize("what", list(TRIPWIRES))
def test_the_fuzz_fails_on_an_engine_that_cannot_take(
    what: str, program: Program, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import closer.engine.runtime.session as session_module

    real = session_module.normalize
    tripped = TRIPWIRES[what]

    def fragile(text: str) -> Any:
        if tripped(text):
            raise RuntimeError(f"cannot take {what}")
        return real(text)

    monkeypatch.setattr(session_module, "normalize", fragile)
    conversation = fuzz_property(program, Stats(), tmp_path)
    once = settings(FUZZ, max_examples=CI_EXAMPLES, derandomize=True)
    with pytest.raises(pytest.fail.Exception, match=f"exception: RuntimeError: cannot take {what}"):
        once(conversation)()


def test_the_fuzz_fails_on_a_state_that_loses_something_in_json(
    program: Program, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    to_json = SessionState.to_json
    monkeypatch.setattr(SessionState, "to_json", lambda self: {**to_json(self), "rng": []})
    conversation = fuzz_property(program, Stats(), tmp_path)
    once = settings(FUZZ, max_examples=CI_EXAMPLES, derandomize=True)
    with pytest.raises(pytest.fail.Exception, match=r"determinism|round_trip"):
        once(conversation)()


def test_the_fuzz_fails_on_a_transcript_that_does_not_replay(
    program: Program, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dumps = transcript.dumps

    def stripping(event: dict[str, Any]) -> str:
        if event.get("speaker") == "candidate":
            event = {**event, "text": event["text"].strip()}
        return dumps(event)

    monkeypatch.setattr(transcript, "dumps", stripping)
    conversation = fuzz_property(program, Stats(), tmp_path)
    once = settings(FUZZ, max_examples=CI_EXAMPLES, derandomize=True)
    with pytest.raises((AssertionError, UserError)):
        once(conversation)()


# ---- what the fuzz found at the terminal's edge --------------------------------------------

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
