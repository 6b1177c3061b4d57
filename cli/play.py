"""`closer play`: the interview loop in a terminal, or over a pipe for scripts and tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from closer.cli import render, transcript
from closer.cli.errors import UserError, from_scenario_error
from closer.cli.scenarios import resolve
from closer.cli.text import clean

if TYPE_CHECKING:  # --record is imported only when asked for
    from closer.cli.record import Sink

HELP = """Commands:
  /help        this list
  /why         how your last line was understood: the intent, and what else it could have been
  /background  your background again
  /quit        leave now (you still get the debrief)
Ctrl-D ends the interview as if you had left; Ctrl-C stops at once."""


def load_program(path: Path) -> Any:
    from closer.engine import ScenarioError, compile_scenario, load_path

    try:
        return compile_scenario(load_path(path))
    except ScenarioError as e:
        raise from_scenario_error(e) from None


def _refuse_broken_flow(program: Any) -> None:
    """A scenario whose lint finds errors (an interview that can never end) is not played: the
    player would be stuck. Warnings do not stop play; `closer validate --strict` shows them."""
    from closer.engine.tools.lint import flow_errors

    errors = [str(d) for d in flow_errors(program)]
    if errors:
        raise UserError("the scenario cannot be played", tuple(errors))


def wants_color(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


class Player:
    def __init__(
        self,
        program: Any,
        session: Any,
        painter: render.Painter,
        instant: bool,
        writer: transcript.Writer | Sink | None,
        history: list[dict[str, Any]],
        read: Callable[[], str | None],
        trace: bool = False,
    ) -> None:
        self.program = program
        self.session = session
        self.p = painter
        self.instant = instant
        self.writer = writer
        self.history = history
        self.read = read
        self.persona = program.scenario.persona.name.split()[0]
        self.last: tuple[str, str] | None = None  # (line, state before it), explained on demand
        self.trace = trace
        self.turns = 0
        self.width = 0  # wrap lines to the terminal when playing interactively

    def record(self, events: tuple[dict[str, Any], ...]) -> None:
        self.history.extend(events)
        if self.writer is not None:
            self.writer.write(events)

    def show(self, events: tuple[dict[str, Any], ...]) -> None:
        for e in events:
            if e["event"] == "cue" or (e["event"] == "say" and e["speaker"] == "interviewer"):
                click.echo(render.line(self.p, self.persona, e["text"], self.width))
                if e.get("kind") == "hesitation" and not self.instant:
                    time.sleep(self.program.style.hesitation_pause)

    def command(self, text: str) -> bool:
        """Handle an in-play command; True means the session should end."""
        name = text.split()[0].lower()
        if name in ("/quit", "/exit", "/q"):
            return True
        if name in ("/help", "/?"):
            click.echo(HELP)
        elif name == "/why":
            click.echo(self.why())
        elif name == "/background":
            for b in self.program.scenario.candidate.background:
                click.echo(f"  - {self.program.render(b)}")
        else:
            click.echo(f"Unknown command {name}; /help lists them.")
        return False

    def why(self) -> str:
        """The last line explained: winner and runners-up, not the hidden concerns (that would
        give the game away; `--trace` shows those to authors)."""
        if self.last is None:
            return "Nothing to explain yet: answer the interviewer first."
        result = self.explain(*self.last)
        lines = result.lines(hidden=False)
        if result.winner is None:
            lines[0] = (
                "No intent matched your last line, so it was taken as an answer to the question "
                "(or a remark), and the interviewer replied in character."
            )
        return clean("\n".join(lines))

    def explain(self, text: str, state: str) -> Any:
        from closer.engine.format.patterns import normalize
        from closer.engine.runtime.session import listening
        from closer.engine.tools.explain import explain

        utt = normalize(text)
        return explain(self.program, utt, listening(self.program, state, utt), state)

    def show_trace(self, text: str, state: str, events: tuple[dict[str, Any], ...]) -> None:
        """For authors (`--trace`): everything behind the reply, hidden state included."""
        lines = self.explain(text, state).lines()
        lines[0] = f"[{state}] {lines[0]}"
        for e in events:
            if e["event"] == "concern":
                extra = f" (evidence: {', '.join(e['evidence'])})" if e.get("evidence") else ""
                lines.append(f"concern {e['concern']} -> {e['status']}{extra}")
            elif e["event"] == "intent" and e.get("deferred"):
                lines.append(f"{e['intent']} deferred: asked before the interviewer was ready")
        after = self.session.state.state
        if after != state:
            lines.append(f"state {state} -> {after}")
        for line in lines:
            click.echo(self.p(clean(f"  | {line}"), dim=True))

    def run(self) -> str:
        """Play until the session ends; returns the end reason."""
        while not self.session.ended:
            text = self.read()
            if text is None:
                self.finish("eof")
                break
            text = text.strip()
            if not text:
                continue
            if text.startswith("/"):
                if self.command(text):
                    self.finish("quit")
                continue
            before = self.session.st.state
            turn = self.session.turn(text)
            self.turns += 1
            self.last = (text, before)
            self.record(turn.events)
            self.show(turn.events)
            if self.trace:
                self.show_trace(text, before, turn.events)
        return str(self.history[-1].get("reason", "completed"))

    def finish(self, reason: str) -> None:
        turn = self.session.end(reason)
        self.record(turn.events)
        self.show(turn.events)


def _reader(interactive: bool, painter: render.Painter) -> Callable[[], str | None]:
    # Bytes the terminal's encoding cannot decode become U+FFFD: Python would keep them as lone
    # surrogates (or raise, when decoding strictly), which no UTF-8 transcript or test can hold
    reconfigure = getattr(sys.stdin, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="replace")
    if interactive:
        with contextlib.suppress(ImportError):  # Windows has no readline
            import readline  # noqa: F401  (line editing and history for input())
        prompt = painter("You: ", fg="green", bold=True)

        def read_tty() -> str | None:
            try:
                return input(prompt)
            except EOFError:
                click.echo()
                return None

        return read_tty

    def read_pipe() -> str | None:
        line = sys.stdin.readline()
        return line if line else None

    return read_pipe


def replay(
    program: Any, saved: list[dict[str, Any]]
) -> tuple[Any, list[dict[str, Any]], tuple[str, str] | None]:
    """Rebuild a session from a transcript's candidate lines; check it matches, event by event.

    Also returns the last candidate line and the state before it, for /why."""
    from closer.engine import Session

    head = saved[0]
    body = saved[1:]
    if body and body[-1]["event"] == "end":
        if body[-1].get("reason") == "completed":
            raise UserError(
                "that interview already finished; start a new one, or run "
                "`closer debrief` on the transcript"
            )
        body = body[:-2] if len(body) > 1 and body[-2]["event"] == "verdict" else body[:-1]
    session, opening = Session.start(program, int(head["seed"]))
    produced = [head, *opening.events]
    last = None
    for e in body:
        if e["event"] == "say" and e.get("speaker") == "candidate":
            last = (str(e["text"]), session.st.state)
            produced.extend(session.turn(last[0]).events)
    if produced != [head, *body] or session.ended:
        at = next(
            (i for i, (a, b) in enumerate(zip(produced, [head, *body], strict=False)) if a != b),
            min(len(produced), len(body) + 1),
        )
        raise UserError(
            f"the transcript does not replay against this scenario (line {at + 1} "
            "differs); was the scenario edited?"
        )
    return session, produced, last


def _open(
    scenario: str | None, seed: int | None, resume_path: Path | None
) -> tuple[Any, Any, list[dict[str, Any]], Any, int]:
    """Load the scenario and start a session, or rebuild one from a transcript.

    Returns the program, the session, its events so far (session line first), the last line
    and the state before it (for /why) and the seed."""
    from closer.engine import Session

    saved = transcript.read(resume_path) if resume_path is not None else []
    if saved:
        scenario = scenario or transcript.scenario_ref(saved[0])
        seed = int(saved[0]["seed"])
    ref, path = resolve(scenario)
    program = load_program(path)
    _refuse_broken_flow(program)
    if saved:
        if saved[0].get("sha256") != program.scenario.sha256:
            raise UserError(
                f"{path} has changed since {resume_path} was recorded; "
                "the transcript cannot be resumed against it"
            )
        session, history, last = replay(program, saved)
        return program, session, history, last, int(saved[0]["seed"])
    if seed is None:
        seed = int.from_bytes(os.urandom(4), "big") % 1_000_000
    session, opening = Session.start(program, seed)
    head = transcript.header(program.scenario.id, ref, program.scenario.sha256, seed)
    return program, session, [head, *opening.events], None, seed


def play(
    scenario: str | None,
    seed: int | None,
    instant: bool,
    transcript_path: Path | None,
    resume_path: Path | None,
    color: bool | None,
    trace: bool = False,
    record_path: Path | None = None,
) -> int:
    """Run `closer play`; returns the exit code."""
    from closer.engine.tools.debrief import build_debrief

    program, session, history, last, seed = _open(scenario, seed, resume_path)
    transcript_path = transcript_path or resume_path
    interactive = sys.stdin.isatty()
    painter = render.Painter(wants_color(color))
    # the recording opens first: the transcript may be the resumed file, and opening it
    # truncates it, so nothing is truncated until every output has opened
    writer: transcript.Writer | Sink | None = None
    if record_path is not None:
        from closer.cli.record import Recorder, Tee

        ref = transcript.scenario_ref(history[0])
        writer = Recorder(record_path, ref, seed, lambda: str(session.state.state))
    if transcript_path:
        try:
            log = transcript.Writer(transcript_path)
        except UserError:
            if writer is not None:
                writer.close()
            raise
        writer = log if writer is None else Tee(log, writer)
    read = _reader(interactive, painter)
    player = Player(program, session, painter, instant, writer, [], read, trace)
    player.last = last
    if interactive and sys.stdout.isatty():
        player.width = min(shutil.get_terminal_size().columns, 100) - 1
    try:
        player.record(tuple(history))
        click.echo(render.briefing(painter, program, seed))
        click.echo()
        if resume_path is not None:
            player.turns = sum(1 for e in history if e.get("speaker") == "candidate")
            click.echo(painter(f"(Resumed after {player.turns} turn(s).)", dim=True))
            last = history[-1]["turn"]
            player.show(tuple(e for e in history[1:] if e["turn"] == last))
        else:
            player.show(tuple(history[1:]))
        player.run()
    except KeyboardInterrupt:
        if not session.ended:
            player.finish("interrupted")
        saved = f" Transcript saved to {transcript_path}." if transcript_path else ""
        click.echo("\nInterrupted." + saved, err=True)
        return 130
    finally:
        if writer is not None:
            writer.close()
    report = build_debrief(program, player.history)
    click.echo(render.debrief(painter, report, player.persona))
    if transcript_path:
        click.echo(painter(f"\nTranscript: {transcript_path}", dim=True))
    return 0
