"""The `closer` command group. Imports only click at start-up; each command imports the engine
(and json, and the terminal-safe text) when it runs, so `closer --version` and `closer --help`
stay instant (tests/test_startup.py)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from closer import __version__

if TYPE_CHECKING:  # each command imports the engine when it runs
    from closer.cli.errors import UserError
    from closer.engine.errors import Diagnostic
    from closer.engine.tools.explain import Explanation


# click's path types, each made once: making one looks its name ("file") up in the message
# catalogue (gettext: the file system searched for a translation), at every start
_FILE = click.Path(dir_okay=False, path_type=Path)
_EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


class _Commands(click.Group):
    """The `closer` group, whose commands are made when first asked for (`_command`): making
    one makes its options and arguments, about 0.8 ms for all of them at every start, when a
    start runs one command (`--help` and completion ask for every one)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.later: dict[str, Callable[[], click.Command]] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.later})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        names = [cmd_name] if cmd_name in self.later else []
        if cmd_name not in self.commands and not names:
            names = list(self.later)  # no such command: click's "did you mean" reads them all
        for name in names:
            self.add_command(self.later.pop(name)(), name)
        return super().get_command(ctx, cmd_name)


F = TypeVar("F", bound=Callable[..., Any])


def _later(decorator: Callable[..., Callable[[F], F]]) -> Callable[..., Callable[[F], F]]:
    """`click.option` or `click.argument`, applied when the command is made (`_command`)."""

    def decorate(*args: Any, **kwargs: Any) -> Callable[[F], F]:
        def record(f: F) -> F:
            f.__dict__.setdefault("_made_later", []).append((decorator, args, kwargs))
            return f

        return record

    return decorate


_option = _later(click.option)
_argument = _later(click.argument)


def _command(name: str, **attrs: Any) -> Callable[[F], F]:
    """`cli.command(name, **attrs)`, with the `_option`s and `_argument`s under it applied in
    the order click applies them (from the function up), when the command is first asked for."""

    def register(f: F) -> F:
        def make() -> click.Command:
            for decorator, args, kwargs in f.__dict__.pop("_made_later", []):
                decorator(*args, **kwargs)(f)
            made: Callable[[F], click.Command] = click.command(name, **attrs)
            return made(f)

        cli.later[name] = make
        return f

    return register


def compiled() -> bool:
    """Whether the engine installed is the compiled build (`CLOSER_COMPILE=1`, README), told
    from its files: `closer.engine.COMPILED` says the same, but importing the engine would cost
    `closer --version` most of its time."""
    from importlib.machinery import EXTENSION_SUFFIXES
    from importlib.util import find_spec

    spec = find_spec("closer.engine")
    folders = (spec.submodule_search_locations or []) if spec is not None else []
    return any(
        Path(f, "format", "patterns" + s).exists() for f in folders for s in EXTENSION_SUFFIXES
    )


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"closer {__version__}{' (compiled)' if compiled() else ''}")
        ctx.exit()


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and exit.",
)
def cli() -> None:
    """Closer: practise the question most candidates never ask.

    You play the candidate; an interviewer persona plays the other side. They stay polite
    whatever they think. Ask the closing question to find out what they think.
    """


def _complete_scenario(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    from closer.cli.scenarios import complete

    return complete(ctx, param, incomplete)


@_command("play", short_help="Play an interview (default: the shipped persona).")
@_argument("scenario", required=False, shell_complete=_complete_scenario)
@_option("--seed", type=click.IntRange(0, 2**31 - 1), help="Seed for the interviewer's choices.")
@_option("--instant", is_flag=True, help="No pauses (for scripts and tests).")
@_option(
    "--transcript",
    "transcript_path",
    type=_FILE,
    help="Write a JSON Lines transcript here, flushed every turn.",
)
@_option(
    "--resume",
    "resume_path",
    type=_EXISTING_FILE,
    help="Continue the session saved in this transcript (and keep writing to it).",
)
@_option(
    "--color/--no-color",
    default=None,
    help="Force colour on or off, even into a pipe (default: on for a terminal, off if "
    "NO_COLOR is set or TERM is dumb).",
)
@_option(
    "--record",
    "record_path",
    type=_FILE,
    help="Write the session as a conversation test (*.test.yaml), flushed every turn.",
)
@_option(
    "--trace",
    is_flag=True,
    help="For authors: after every reply, how the line was understood and what it changed "
    "behind the scenes (hidden concerns included).",
)
@_option(
    "--drill",
    is_flag=True,
    help="A closing drill: start at your questions, with 1 to 3 of the persona's hidden "
    "concerns drawn at random (from the seed).",
)
@_option(
    "--no-history",
    is_flag=True,
    help="Do not add this session to the practice record (`closer history`; also "
    "CLOSER_NO_HISTORY=1).",
)
def play(**options: Any) -> None:
    """Play SCENARIO (a file, or an id that `closer list` shows). With none, a terminal
    offers the list to choose from; piped input plays the shipped default persona."""
    from closer.cli import startup

    startup.pause()  # until the first line is shown (cli/startup.py)
    try:
        from closer.cli.play import play as run

        code = run(**options)
    finally:
        startup.resume()
    if code:
        sys.exit(code)


@_command("list", short_help="Shipped scenarios and scenario files here.")
@_option(
    "--json",
    "as_json",
    is_flag=True,
    help="An array of {id, title, path, default, difficulty, persona, role}.",
)
def list_(as_json: bool) -> None:
    """Shipped scenarios, and scenario files in this folder (and ./scenarios)."""
    import json

    from closer.cli.scenarios import entries
    from closer.cli.text import clean

    found = entries(Path.cwd())
    if as_json:
        click.echo(json.dumps([e.to_json() for e in found], indent=2))
        return
    width = max((len(clean(e.id)) for e in found), default=2)
    for e in found:
        mark = " (default)" if e.default else ""
        level = f"[{e.difficulty}] " if e.difficulty else ""
        click.echo(f"{clean(e.id):<{width}}  {level}{clean(e.title)}{mark}")
        click.echo(f"{'':<{width}}  {clean(e.path)}")


@_command("history", short_help="Your practice record: past sessions, and the trend.")
@_option("--json", "as_json", is_flag=True, help="The rows (or, with --stats, the trends).")
@_option("--limit", type=click.IntRange(1), metavar="N", help="Only the N most recent sessions.")
@_option(
    "--stats",
    "with_stats",
    is_flag=True,
    help="Per persona: sessions, first and latest score, best, closing question on time, "
    "concerns cleared; drills apart from full interviews.",
)
def history(as_json: bool, limit: int | None, with_stats: bool) -> None:
    """Past sessions of `closer play`, newest first: date, persona, kind, verdict, whether the
    closing question was asked on time, concerns heard and cleared (docs/history.md)."""
    from closer.cli.history import show

    code = show(as_json, limit, with_stats)
    if code:
        sys.exit(code)


@_command("validate", short_help="Check and lint scenario files.")
@_argument(
    "paths", nargs=-1, required=True, metavar="FILE_OR_ID...", shell_complete=_complete_scenario
)
@_option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
@_option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one line per problem; json: one object with every diagnostic.",
)
def validate(paths: tuple[str, ...], strict: bool, fmt: str) -> None:
    """Check scenario files (or ids that `closer list` shows) and lint them; print every
    problem as path:line:col: CODE message (hint). Codes: docs/diagnostics.md."""
    from closer.cli import startup

    startup.pause()  # until the first file is checked (cli/startup.py)
    try:
        _validate(paths, strict, fmt)
    finally:
        startup.resume()


def _validate(paths: tuple[str, ...], strict: bool, fmt: str) -> None:
    from closer.cli import startup
    from closer.cli.errors import UserError
    from closer.cli.scenarios import looks_like_a_path, resolve
    from closer.cli.text import clean, clean_json, counted
    from closer.engine import ScenarioError, compile_scenario, load_path
    from closer.engine.tools.lint import lint

    global _quick_exit
    _quick_exit = True  # it writes no file and starts nothing: see `main`
    found: list[Diagnostic] = []
    failed = 0
    for name in paths:
        try:  # a missing file is the loader's E000, at its path; an unknown id is said here
            path = Path(name) if looks_like_a_path(name) else resolve(name)[1]
        except UserError as e:  # an unknown id, with "did you mean": say so and go on
            failed += 1
            click.echo(clean(f"closer: {e.message}"), err=True)
            continue
        try:
            diagnostics = lint(compile_scenario(load_path(path)))
        except ScenarioError as e:
            diagnostics = list(e.diagnostics)
        startup.resume()
        found += diagnostics
        if any(d.severity == "error" or strict for d in diagnostics):
            failed += 1
        if fmt == "text":
            for d in diagnostics:
                click.echo(clean(str(d)))
            if not diagnostics:
                click.echo(clean(f"{path}: ok"))
    errors = sum(1 for d in found if d.severity == "error")
    warnings = len(found) - errors
    if fmt == "json":
        rows = [
            {
                "path": d.span.path,
                "line": d.span.line,
                "col": d.span.col,
                "code": d.code,
                "severity": d.severity,
                "message": d.message,
                "hint": d.hint,
            }
            for d in found
        ]
        data = {"diagnostics": rows, "files": len(paths), "errors": errors, "warnings": warnings}
        import json  # only for --format json: about a millisecond of every validate

        click.echo(clean_json(json.dumps(data, indent=2, ensure_ascii=False)))
    counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}."
    if failed:
        have = "has" if failed == 1 else "have"
        click.echo(f"{failed} of {counted(len(paths), 'file')} {have} problems: {counts}", err=True)
        sys.exit(1)
    click.echo(f"checked {counted(len(paths), 'file')}: {counts}", err=True)


@_command("explain", short_help="How a line is understood, and why not otherwise.")
@_argument("scenario", shell_complete=_complete_scenario)
@_argument("text")
@_option("--json", "as_json", is_flag=True, help="One JSON object per utterance.")
@_option(
    "--state",
    help="Explain as the interview would hear it in this state, context included: a state "
    "(candidate_questions, a question id ...), or vague:CONCERN / specific:CONCERN for the "
    "closing discussion with that concern's vague or specific line on the table (default: "
    "every intent listens, no context).",
)
def explain(scenario: str, text: str, as_json: bool, state: str | None) -> None:
    """Which intent TEXT matches in SCENARIO, by which rule, with what score; which other
    intents matched and why they lost; which concern patterns the line touches.

    TEXT `-` reads one utterance a line from standard input and writes one JSON object a line.
    """
    import json

    from closer.cli.play import load_program
    from closer.cli.scenarios import resolve
    from closer.cli.text import clean, clean_json
    from closer.engine.format.patterns import normalize
    from closer.engine.tools.explain import context, explain_in
    from closer.engine.tools.explain import explain as run

    program = load_program(resolve(scenario)[1])
    states = program.machine.states
    if state is not None and context(program, state) is None:
        tables = [f"vague:{c.id}" for c in program.concerns][:2]
        raise click.BadParameter(
            clean(
                f"{state!r} is not a state of {program.scenario.id}; states: {', '.join(states)}"
                f", or vague:CONCERN / specific:CONCERN ({', '.join(tables) or 'no concerns'}"
                ", ...)"
            ),
            param_hint="--state",
        )
    everything = frozenset(i.id for i in program.intents)
    lines = sys.stdin.read().splitlines() if text == "-" else [text]
    for utterance in lines:
        if text == "-" and not utterance.strip():
            continue
        if state is None:
            result = run(program, normalize(utterance), everything, None)
        else:
            result = explain_in(program, utterance, state)
        if as_json or text == "-":
            data = result.to_json()
            data["text"] = utterance
            click.echo(clean_json(json.dumps(data, ensure_ascii=False)))
        else:
            click.echo(_explained(result))


def _explained(result: Explanation) -> str:
    from closer.cli.text import clean

    w = result.winner
    if w is None:
        out = [result.lines()[0]]  # explain.NO_MATCH
    else:
        out = [
            f"intent:  {w.intent}",
            f"rule:    {w.rule}",
            f"pattern: {w.pattern}",
            f"score:   {w.score} (priority {w.priority})",
            f"source:  {w.source}",
        ]
    if result.runners_up:
        out.append("runners-up:")
        out += [
            f"  {c.match.rule} '{c.match.pattern}': {c.reason} [{c.match.source}]"
            for c in result.runners_up
        ]
    out += result.in_context()
    if result.scan:
        out.append("concern patterns:")
        out += [f"  {h.describe()}" for h in result.scan]
    return "\n".join(clean(line) for line in out)  # each line whole, whatever the file holds


@_command("debrief", short_help="Print a saved session's debrief again.")
@_argument(
    "transcript_path",
    metavar="TRANSCRIPT",
    type=_EXISTING_FILE,
)
@_option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown"]),
    default="text",
    show_default=True,
    help="text for the terminal; markdown for a document to share (with a coach).",
)
@_option(
    "--color/--no-color",
    default=None,
    help="Force colour on or off (default as for `closer play`; text only).",
)
def debrief(transcript_path: Path, fmt: str, color: bool | None) -> None:
    """Print the debrief of a saved transcript again."""
    from closer.cli import debrief as words
    from closer.cli import render, transcript
    from closer.cli.errors import UserError
    from closer.cli.play import drawn, load_program, wants_color
    from closer.engine.runtime.concerns import impossible_move
    from closer.engine.tools.debrief import build_debrief

    saved = transcript.read(transcript_path)
    head, events = saved.events[0], transcript.as_events(saved.events)
    problem = impossible_move(events)
    if problem is not None:  # well-formed lines, but events no session writes
        index, what = problem
        line = saved.line(index + 1)  # the session line is event 0
        raise UserError(f"{transcript_path}:{line}:1: {what}; was the file edited?")
    program = load_program(transcript.scenario_path(head, str(transcript_path))[1])
    if head.get("sha256") != program.scenario.sha256:
        click.echo(
            "closer: note: the scenario has changed since this transcript was written.", err=True
        )
    if not any(e.kind == "verdict" for e in events):
        raise UserError(
            f"{transcript_path} has no verdict yet; resume it with "
            f"`closer play --resume {transcript_path}`"
        )
    drill = transcript.drill_of(head)
    if drill is not None and list(drill.drawn) != drawn(events):
        raise UserError(
            f"{transcript_path}:{saved.line(0)}:1: the concerns this drill says it drew are not "
            "those raised at its start; was the file edited?"
        )
    persona = program.scenario.persona.name.split()[0]
    report = build_debrief(program, events, drill)
    if fmt == "markdown":
        click.echo(words.markdown(report, persona, program.scenario.title), nl=False)
        return
    painter = render.Painter(wants_color(color))
    painter.echo(words.text(painter, report, persona))


@_command("test", short_help="Run conversation tests, coverage, exploration.")
@_argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@_option("-k", "keyword", metavar="EXPR", help="Only cases whose name matches (not/and/or).")
@_option("--format", "fmt", type=click.Choice(["text", "junit"]), default="text", show_default=True)
@_option(
    "-o",
    "--output",
    type=_FILE,
    help="Write the JUnit XML here (with --format junit).",
)
@_option("-v", "--verbose", is_flag=True, help="List every case with its result.")
@_option("--coverage", is_flag=True, help="Report what the tests reached in each scenario.")
@_option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    metavar="PCT",
    help="Fail if a scenario's transition coverage is below PCT (implies --coverage).",
)
@_option(
    "--coverage-json",
    type=_FILE,
    help="Also write the coverage as JSON here.",
)
@_option(
    "--explore",
    type=click.IntRange(1, 1_000_000),
    metavar="N",
    help="Also play N seeded random conversations with each scenario the tests use, "
    "and check the engine's invariants.",
)
@_option(
    "--seed",
    type=click.IntRange(0, 2**31 - 1),
    default=1,
    show_default=True,
    help="Seed for --explore.",
)
def test(**options: Any) -> None:
    """Run conversation tests (*.test.yaml) in PATHS (default: every one under this folder).

    Exit 0 when every case passes, 1 on a failure or a file with problems."""
    from closer.cli.testing import run

    code = run(**options)
    if code:
        sys.exit(code)


@_command("graph", short_help="The flow as a Mermaid or DOT diagram.")
@_argument("scenario", shell_complete=_complete_scenario)
@_option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot"]),
    default="mermaid",
    show_default=True,
    help="Mermaid flowchart, or DOT for Graphviz.",
)
@_option("-o", "--output", type=_FILE, help="Write to FILE.")
def graph(scenario: str, fmt: str, output: Path | None) -> None:
    """The flow of SCENARIO as a diagram: states by phase, what moves between them, and where
    the hidden concerns are raised and revealed."""
    from closer.cli import authoring

    authoring.graph(scenario, fmt, output)


@_command("schema", short_help="The format as a JSON Schema, for editors.")
@_option("--library", is_flag=True, help="The intent-library format instead.")
@_option("--tests", is_flag=True, help="The conversation-test format (*.test.yaml) instead.")
@_option("-o", "--output", type=_FILE, help="Write to FILE.")
def schema(library: bool, tests: bool, output: Path | None) -> None:
    """The JSON Schema of the scenario format, for editors (structure only)."""
    from closer.cli import authoring

    if tests:
        import json

        from closer.engine.tools.convtest import json_schema

        text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
        authoring.emit(text, output)
        return
    authoring.schema(library, output)


@_command("new", short_help="Write a new persona file to start from.")
@_argument("name")
@_option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    help="Folder to write NAME.yaml in (default: here).",
)
@_option("--force", is_flag=True, help="Overwrite NAME.yaml if it exists.")
@_option(
    "--schema/--no-schema",
    "with_schema",
    default=True,
    help="Also write closer.schema.json next to it, for editor support (default: yes).",
)
def new(name: str, directory: Path, force: bool, with_schema: bool) -> None:
    """Write NAME.yaml: a small, complete persona to change into your own."""
    from closer.cli import authoring

    authoring.new(name, directory, force, with_schema)


_quick_exit = False  # set by a command that leaves nothing to close but standard output and error


def main() -> None:
    """The `closer` script. After `closer validate`, which writes no file, starts no thread and
    holds nothing open but standard output and error, the process ends without the interpreter's
    teardown (freeing every module and object one by one, then a last collection: about 9 ms of
    a 80 ms validate, more than its lint): the output is flushed, the exit functions run, and the
    exit code is the same. A flush that fails (a closed pipe) ends as the interpreter ends it."""
    try:
        cli(prog_name="closer")
    except SystemExit as done:
        code = 0 if done.code is None else done.code
        if not _quick_exit or not isinstance(code, int):
            raise
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            raise done from None
        import atexit
        import os

        atexit._run_exitfuncs()
        os._exit(code)


def __getattr__(name: str) -> Any:
    if name == "UserError":  # imported on demand, as everything but click is
        from closer.cli.errors import UserError

        return UserError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["UserError", "cli", "main"]
