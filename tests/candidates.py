"""Scripted candidates (tests/data/candidates.json, written blind by someone who had not seen how
Closer judges): strong, average and evasive players for each shipped persona, played through the
engine as a person would. Shared by bench/candidates.py (the table) and tests/test_candidates.py
(the ordering and the gaps).

A script gives, per question id, an answer and a follow-up answer; candidate questions; the
closing question (or none); per concern, what the candidate says after the vague line (`probe`),
after the specific one (`address`) and to check it landed (`check`); how they ask for anything
else; and a goodbye. The player answers the question the interviewer is on, the follow-up when
she asks one on the same question, and in the closing discussion the lines for the concern on
the table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from closer.engine import Session, compile_scenario, load_path
from closer.engine.runtime.events import AssessEvent, CueEvent, SayEvent, VerdictEvent
from closer.engine.runtime.program import CLEAR, CQ, DISCUSSION, Program

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "tests" / "data" / "candidates.json"
PERSONAS = tuple(json.loads(SCRIPTS.read_text(encoding="utf-8")))  # every persona with scripts
KINDS = ("strong", "average", "evasive", "average + strong close")
MAX_TURNS = 60


class Played(NamedTuple):
    outcome: str
    score: int
    quality: float  # the mean share of each question's points its answers earned
    lines: tuple[str, ...]  # what the candidate said
    replies: tuple[str, ...]  # what the interviewer said, in order (cues and the opening too)


def scripts() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(SCRIPTS.read_text(encoding="utf-8"))
    for persona in data.values():
        strong, average = persona["strong"], persona["average"]
        persona["average + strong close"] = {
            **strong,
            **{k: average[k] for k in ("opening", "answers", "follow_ups")},
        }
    return data


def program_for(persona: str) -> Program:
    return compile_scenario(load_path(ROOT / "scenarios" / f"{persona}.yaml"))


class _Player:
    """Chooses the candidate's next line from the script and where the interview is."""

    def __init__(self, script: dict[str, Any]) -> None:
        self.script = script
        self.answered: dict[str, int] = {}
        self.asked = 0
        self.closed = False
        self.said: dict[str, list[str]] = {}  # per concern, the steps said
        self.else_asked = False

    def line(self, program: Program, session: Session) -> str:
        st, s = session.st, self.script
        kind = program.kind(st.state)
        if kind == "opening":
            return str(s["opening"])
        if kind == "question":
            n = self.answered.get(st.state, 0)
            self.answered[st.state] = n + 1
            key = f"q:{st.state}"
            return str(s["answers"][key] if n == 0 else s["follow_ups"][key])
        if kind == CQ:
            if self.asked < len(s["questions"]):
                self.asked += 1
                return str(s["questions"][self.asked - 1])
            if s["closing"] and not self.closed:
                self.closed = True
                return str(s["closing"])
            return str(s["goodbye"])
        if kind == DISCUSSION and st.current in s["concerns"]:
            done = self.said.setdefault(st.current, [])
            lines = s["concerns"][st.current]
            for step in ("probe", "address", "check"):
                if step not in done:
                    done.append(step)
                    if lines.get(step):
                        return str(lines[step])
        if kind in (DISCUSSION, CLEAR) and s["anything_else"] and not self.else_asked:
            self.else_asked = True
            return str(s["anything_else"])
        return str(s["goodbye"])


def play_script(program: Program, script: dict[str, Any], seed: int = 1) -> Played:
    """Play one scripted candidate to the end; the verdict, and what the answers earned."""
    session, opening = Session.start(program, seed)
    player = _Player(script)
    events = list(opening.events)
    said = []
    while not session.ended and len(said) < MAX_TURNS:
        line = player.line(program, session)
        if line == script["goodbye"] and line in said:
            break  # she did not take it as a goodbye: the candidate leaves anyway
        said.append(line)
        events += session.turn(line).events
    if not session.ended:
        events += session.end("eof").events
    verdict = next(e for e in events if isinstance(e, VerdictEvent))
    last: dict[str, AssessEvent] = {}
    for e in events:
        if isinstance(e, AssessEvent):
            last[e.question] = e
    shares = [session.st.answers[q]["points"] / session.st.answers[q]["most"] for q in last]
    quality = sum(shares) / len(shares) if shares else 0.0
    replies = tuple(
        e.text
        for e in events
        if isinstance(e, CueEvent) or (isinstance(e, SayEvent) and e.speaker == "interviewer")
    )
    return Played(verdict.outcome, verdict.score, quality, tuple(said), replies)


def play_all(seed: int = 1) -> dict[str, dict[str, Played]]:
    """Every scripted candidate on every shipped persona."""
    data = scripts()
    out: dict[str, dict[str, Played]] = {}
    for persona in PERSONAS:
        program = program_for(persona)
        out[persona] = {k: play_script(program, data[persona][k], seed) for k in KINDS}
    return out
