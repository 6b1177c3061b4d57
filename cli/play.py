"""`closer play`: the interview loop in a terminal, or over a pipe for scripts and tests."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

import click

from closer.cli import render, startup, transcript
from closer.cli.errors import UserError, from_scenario_error
from closer.cli.scenarios import resolve
from closer.cli.text import clean, counted, scrub
from closer.cli.transcript import drill_of, is_drill
from closer.engine.runtime.events import (
    AssessEvent,
    ConcernEvent,
    CueEvent,
    EndEvent,
    IntentEvent,
    SayEvent,
)

if TYPE_CHECKING:  # the engine is imported only when a command runs
    from closer.cli.record import Recorder, Sink
    from closer.engine import Session
    from closer.engine.runtime.events import Event
    from closer.engine.runtime.program import Program
    from closer.engine.runtime.session import Turn
    from closer.engine.tools.explain import Explanation

DRILL = (
    "A closing drill: the interview is over and {persona} has just asked for your questions. "
    'Practise the close: ask the closing question, probe the vague answer ("what do you mean '
    'by that?"), answer it with evidence, then ask "is there anything else?". The interview '
    "you skipped went the way {persona} remembers it: if you hear that you said something "
    "earlier, answer as if you had."
)
HELP = """Commands:
  /help        this list
  /why         how your last line was understood: the intent, and what else it could have been
  /background  your background again
  /quit        leave now (you still get the debrief)
Ctrl-D ends the interview as if you had left; Ctrl-C stops at once."""


def load_program(path: Path) -> Program:
    from closer.engine import ScenarioError, compile_scenario, load_path

    try:
        return compile_scenario(load_path(path))
    except ScenarioError as e:
        raise from_scenario_error(e) from None


def _refuse_broken_flow(program: Program) -> None:
    """A scenario whose lint finds errors (an interview that can never end) is not played: the
    player would be stuck. Warnings do not stop play; `closer validate --strict` shows them."""
    from closer.engine.tools.flowcheck import flow_errors

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
        program: Program,
        session: Session,
        painter: render.Painter,
        instant: bool,
        writer: transcript.Writer | Sink | None,
        history: list[Event],
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

    def record(self, events: Sequence[Event]) -> None:
        self.history.extend(events)
        if self.writer is not None:
            self.writer.write(transcript.as_json(events))

    def show(self, events: Iterable[Event]) -> None:
        for e in events:
            if isinstance(e, CueEvent) or (isinstance(e, SayEvent) and e.by_interviewer):
                self.p.echo(render.line(self.p, self.persona, e.text, self.width))
                if isinstance(e, CueEvent) and e.cue == "hesitation" and not self.instant:
                    time.sleep(self.program.style.hesitation_pause)

    def command(self, text: str) -> bool:
        """Handle an in-play command; True means the session should end."""
        name = text.split()[0].lower()
        if name in ("/quit", "/exit", "/q"):
            return True
        if name in ("/help", "/?"):
            self.p.echo(HELP)
        elif name == "/why":
            self.p.echo(render.block(self.why(), self.width))
        elif name == "/background":
            self.p.echo("\n".join(render.background(self.program)))
        else:
            self.p.echo(clean(f"Unknown command {name}; /help lists them."))
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
        return "\n".join(clean(line) for line in lines)

    def explain(self, text: str, where: str) -> Explanation:
        from closer.engine.tools.explain import explain_in

        return explain_in(self.program, text, where)

    def show_trace(self, text: str, state: str, events: Iterable[Event]) -> None:
        """For authors (`--trace`): everything behind the reply, hidden state included."""
        lines = self.explain(text, state).lines()
        lines[0] = f"[{state}] {lines[0]}"
        for e in events:
            if isinstance(e, ConcernEvent):
                extra = f" (evidence: {', '.join(e.evidence)})" if e.evidence else ""
                lines.append(f"concern {e.concern} -> {e.status}{extra}")
            elif isinstance(e, IntentEvent) and e.deferred:
                lines.append(f"{e.intent} deferred: asked before the interviewer was ready")
            elif isinstance(e, AssessEvent):
                lines.append(
                    f"answer to {e.question} judged: shows {', '.join(e.shows) or 'nothing'}; "
                    f"lacks {', '.join(e.lacks) or 'nothing'}; "
                    f"flags {', '.join(e.flags) or 'none'} ({e.points} points)"
                )
        after = self.session.state.state
        if after != state:
            lines.append(f"state {state} -> {after}")
        for line in lines:
            self.p.echo(self.p(clean(f"  | {line}"), dim=True))

    def run(self) -> str:
        """Play until the session ends; returns the end reason."""
        while not self.session.ended:
            text = self.read()
            if text is None:
                self.finish("eof")
                break
            text = scrub(text).strip()
            if not text:
                continue
            if text.startswith("/"):
                if self.command(text):
                    self.finish("quit")
                continue
            before = self._where()
            turn = self.session.turn(text)
            self.turns += 1
            self.last = (text, before)
            self.record(turn.events)
            self.show(turn.events)
            if self.trace:
                self.show_trace(text, before, turn.events)
        return next((e.reason for e in reversed(self.history) if isinstance(e, EndEvent)), "")

    def _where(self) -> str:
        """Where the session stands, as `closer explain --state` takes it (only worked out
        here when /why or --trace may need it)."""
        from closer.engine.runtime.reading import where_of

        return where_of(self.program, self.session.st)

    def finish(self, reason: str) -> None:
        events = self.session.end(reason).events
        self.record(events)
        self.show(events)


STYLE = re.compile(r"\x1b\[[0-9;]*m")


def readline_prompt(prompt: str) -> str:
    """The prompt with each colour code between readline's \\001 and \\002 markers: readline
    counts every character outside them as a column, and with the count wrong a long answer that
    wraps is redrawn in the wrong place as soon as it is edited."""
    return STYLE.sub(lambda m: f"\x01{m.group()}\x02", prompt)


def _reader(interactive: bool, painter: render.Painter) -> Callable[[], str | None]:
    # Bytes the terminal's encoding cannot decode become U+FFFD: Python would keep them as lone
    # surrogates (or raise, when decoding strictly), which no UTF-8 transcript or test can hold
    with contextlib.suppress(AttributeError, ValueError, OSError):
        sys.stdin.reconfigure(errors="replace")  # type: ignore[union-attr]
    if interactive:
        prompt = painter("You: ", fg="green", bold=True)
        with contextlib.suppress(ImportError):  # Windows has no readline
            import readline  # noqa: F401  (line editing and history for input())

            prompt = readline_prompt(prompt)  # only readline understands (and hides) them

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


class Replayed(NamedTuple):
    session: Session
    history: list[Event]  # the session's events so far
    last: tuple[str, str] | None  # the last candidate line and the state before it, for /why
    kept: int  # how many of the saved events stand as they are (the rest is written again)


def begin(program: Program, seed: int, drill: bool) -> tuple[Session, Turn]:
    """A new session: a full interview, or a closing drill (`Session.drill`)."""
    from closer.engine import Session

    return Session.drill(program, seed) if drill else Session.start(program, seed)


def drawn(events: Iterable[Event]) -> list[str]:
    """The concerns a drill drew: those its opening turn raised."""
    return [e.concern for e in events if isinstance(e, ConcernEvent) and e.turn == 0]


def replay(program: Program, saved: transcript.Saved) -> Replayed:
    """Rebuild a session from a transcript's candidate lines, checking it event by event.

    A turn cut off mid-write (only the last one can be) is dropped, and so is the verdict and
    end of a session that was left or interrupted: the session goes on from the last whole
    turn. Anything else that differs from what the scenario says is refused. A drill's
    transcript (its session line's `mode`) resumes as that drill."""
    saved_events = saved.events
    at = 1

    def take(events: tuple[Event, ...]) -> bool:
        """True when the saved events go on with `events`; False when they stop part-way
        through them (a torn write); refused when they differ."""
        nonlocal at
        got = saved_events[at : at + len(events)]  # read as this Closer writes them
        for k, e in enumerate(got):
            if e != events[k].to_json():
                _differs(saved, at + k)
        if len(got) < len(events):
            return False
        at += len(events)
        return True

    session, opening = begin(program, int(saved_events[0]["seed"]), is_drill(saved_events[0]))
    if is_drill(saved_events[0]) and saved_events[0].get("drawn") != drawn(opening.events):
        raise UserError(
            f"{saved.name}:{saved.line(0)}:1: the concerns this drill says it drew are not "
            "those its seed draws; was the file edited?"
        )
    history = list(opening.events)
    if not take(opening.events):
        return Replayed(session, history, None, 1)  # the opening is written again
    last = None
    while at < len(saved_events) and saved_events[at].get("speaker") == "candidate":
        start, text, before = at, str(saved_events[at]["text"]), session.st.state
        turn = session.turn(text).events
        if not take(turn):
            return replay(program, saved.upto(start))  # the torn turn is dropped
        history.extend(turn)
        last = (text, before)
        if session.ended:
            raise UserError(
                "that interview already finished; start a new one, or run "
                "`closer debrief` on the transcript"
            )
    tail = ("verdict", "end")  # all that may follow: the end of a session left or interrupted
    for k, e in enumerate(saved_events[at:]):
        if k >= len(tail) or e["event"] != tail[k]:
            _differs(saved, at + k)
    return Replayed(session, history, last, at)


def _differs(saved: transcript.Saved, index: int) -> NoReturn:
    raise UserError(
        f"{saved.name}:{saved.line(index)}:1: the transcript does not replay against this "
        "scenario from this line on; was the scenario edited?"
    )


class Opened(NamedTuple):
    program: Program
    session: Session
    head: dict[str, Any]  # the transcript's session line
    history: list[Event]  # the session's events so far
    last: tuple[str, str] | None  # the last candidate line and the state before it, for /why
    seed: int
    kept: tuple[bytes, int]  # a resumed file's whole turns as written, and how many events


def _open(
    scenario: str | None, seed: int | None, resume_path: Path | None, drill: bool = False
) -> Opened:
    """Load the scenario and start a session (a closing drill if `drill`), or rebuild one from
    a transcript (whose whole turns are kept as they were written; a drill's as the drill)."""
    saved = transcript.load(resume_path) if resume_path is not None else None
    found = None  # the transcript's own scenario, when none is given
    hint = f"; name the scenario: `closer play SCENARIO --resume {resume_path}`"
    if saved is not None and not saved.events:  # cut off before the first turn: start over
        partial = saved.partial or {}
        seed = partial.get("seed", seed)
        drill = drill or partial.get("mode") == "drill"
        if scenario is None and ("source" in partial or "scenario" in partial):
            found = transcript.scenario_path(partial, saved.name, hint)
        saved = None
    if saved is not None and drill and not is_drill(saved.events[0]):
        raise click.UsageError(
            f"{resume_path} is a full interview, not a drill: resume it without --drill"
        )
    if saved is not None and scenario is None:
        found = transcript.scenario_path(saved.events[0], saved.name, hint)
    ref, path = found or resolve(scenario)
    program = load_program(path)
    _refuse_broken_flow(program)
    if saved is not None:
        if saved.events[0].get("sha256") != program.scenario.sha256:
            raise UserError(
                f"{path} has changed since {resume_path} was recorded; "
                "the transcript cannot be resumed against it"
            )
        r = replay(program, saved)
        kept = (saved.prefix(r.kept), r.kept)
        head = saved.events[0]
        return Opened(program, r.session, head, r.history, r.last, int(head["seed"]), kept)
    if seed is None:
        seed = int.from_bytes(os.urandom(4), "big") % 1_000_000
    session, opening = begin(program, seed, drill)
    sc = program.scenario
    head = transcript.header(sc.id, ref, sc.sha256, seed, drawn(opening.events) if drill else None)
    return Opened(program, session, head, list(opening.events), None, seed, (b"", 0))


def play(
    scenario: str | None,
    seed: int | None,
    instant: bool,
    transcript_path: Path | None,
    resume_path: Path | None,
    color: bool | None,
    trace: bool = False,
    record_path: Path | None = None,
    drill: bool = False,
    no_history: bool = False,
) -> int:
    """Run `closer play`; returns the exit code."""
    if scenario is None and resume_path is None and sys.stdin.isatty() and sys.stdout.isatty():
        from closer.cli.picker import Left, pick  # a terminal with no scenario: offer the list

        try:
            scenario = pick()
        except Left as e:
            return e.code
    transcript_path = transcript_path or resume_path
    # locked before it is read: a second `closer play` on the same file is refused
    claim = transcript.Claim(transcript_path) if transcript_path else None
    # the transcript is started (a new file renamed over the old) only at its first write, once
    # every output has opened: a bad --record path leaves a resumed transcript as it was
    writer: transcript.Writer | Sink | None = None
    log: transcript.Writer | None = None
    recorder: Recorder | None = None
    try:
        opened = _open(scenario, seed, resume_path, drill)
        program, session, head, history, last, seed, kept = opened
        if record_path is not None:
            from closer.cli.record import Recorder, Tee

            ref = transcript.scenario_ref(head)
            writer = recorder = Recorder(
                record_path, ref, seed, lambda: session.state.state, is_drill(head)
            )
    except BaseException:
        if claim is not None:
            claim.abandon()
        raise
    if transcript_path:
        log = transcript.Writer(transcript_path, *kept, claim)
        writer = log if writer is None else Tee(log, writer)
    interactive = sys.stdin.isatty()
    painter = render.Painter(wants_color(color))
    read = _reader(interactive, painter)
    player = Player(program, session, painter, instant, writer, history, read, trace)
    player.last = last
    if interactive and sys.stdout.isatty():
        import shutil  # a terminal only: shutil imports the compression modules

        player.width = min(shutil.get_terminal_size().columns, 100) - 1

    def remember() -> None:  # the practice record, once the session is over (docs/history.md)
        if not no_history:
            from closer.cli import history as practice

            name, resumed = program.scenario.persona.name, resume_path is not None
            practice.remember(head, name, player.history, transcript_path, resumed)

    try:
        if writer is not None:  # the first write starts the file: what a resume keeps, and the rest
            writer.write([head, *transcript.as_json(history)])
        painter.echo(render.briefing(painter, program, seed))
        if is_drill(head):
            painter.echo(render.block(clean(DRILL.format(persona=player.persona)), player.width))
        painter.echo()
        if resume_path is not None:
            player.turns = session.state.turn
            painter.echo(painter(f"(Resumed after {counted(player.turns, 'turn')}.)", dim=True))
            player.show(e for e in history if e.turn == player.turns)
        else:
            player.show(history)
        startup.resume()  # the first line is out: the collector runs again (cli/startup.py)
        player.run()
    except KeyboardInterrupt:
        if not session.ended:
            player.finish("interrupted")
        remember()
        saved = f" Transcript saved to {transcript_path}." if transcript_path else ""
        click.echo("\nInterrupted." + saved, err=True)
        return 130
    finally:
        if writer is not None:
            writer.close()
    from closer.cli import debrief  # imported once the interview is over: the first line
    from closer.engine.tools.debrief import build_debrief  # does not wait for them

    report = build_debrief(program, player.history, drill_of(head))
    painter.echo(debrief.text(painter, report, player.persona))
    remember()
    if (log is not None and log.failed) or (recorder is not None and recorder.failed):
        return 1  # the interview went on, but a file asked for is not whole
    if transcript_path:
        painter.echo(painter(f"\nTranscript: {transcript_path}", dim=True))
    return 0
