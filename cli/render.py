"""Turning engine values into terminal text: interviewer lines, cues, the briefing (the debrief
is worded in `closer.cli.debrief`).

Every text here that came from a scenario or a transcript goes through `clean` before it is
styled (`_wrap` cleans what it wraps), so it cannot drive the terminal or forge a line."""

from __future__ import annotations

import re
import textwrap
from typing import TYPE_CHECKING, Any

import click

from closer.cli.text import clean

if TYPE_CHECKING:
    from closer.engine.runtime.program import Program

STAGE = re.compile(r"\*([^*]+)\*")


WIDTH = 78


class Painter:
    """Colour when wanted; plain text otherwise (pipes, NO_COLOR)."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def echo(self, text: str = "", err: bool = False) -> None:
        """Print a line; with colour on, its styles reach a pipe too (click strips them there
        unless told), so `--color` forces colour."""
        click.echo(text, err=err, color=self.color)

    def __call__(self, text: str, **style: Any) -> str:
        return click.style(text, **style) if self.color else text

    def stage(self, text: str) -> str:
        if not self.color:
            return text
        return STAGE.sub(lambda m: click.style(m.group(1), dim=True, italic=True), text)


def line(p: Painter, speaker: str, text: str, width: int = 0) -> str:
    """`Speaker: text`, wrapped under itself to `width` columns when width is given."""
    speaker, text = clean(speaker), clean(text)
    if width:
        indent = " " * (len(speaker) + 2)
        text = textwrap.fill(text, width, initial_indent=indent, subsequent_indent=indent)
        text = text[len(indent) :]
    return f"{p(speaker + ':', fg='cyan', bold=True)} {p.stage(text)}"


def block(text: str, width: int = 0) -> str:
    """Lines of plain text (already clean), each wrapped to `width` columns under its own
    indent and two more; as they are when `width` is 0 (a pipe)."""
    if not width:
        return text
    out = []
    for line in text.split("\n"):
        lead = " " * (len(line) - len(line.lstrip(" ")))
        out.append(
            textwrap.fill(line, width, initial_indent="", subsequent_indent=lead + "  ") or line
        )
    return "\n".join(out)


def _wrap(text: str, indent: str) -> str:
    """One paragraph of text, cleaned, wrapped to WIDTH columns under `indent`."""
    return textwrap.fill(
        clean(text), WIDTH, initial_indent=indent, subsequent_indent=" " * len(indent)
    )


def briefing(p: Painter, program: Program, seed: int) -> str:
    sc = program.scenario
    out = [p(clean(sc.title), bold=True)]
    if sc.description:  # a block scalar's line breaks are only layout: the text is rewrapped
        out.append(p(_wrap(sc.description.replace("\n", " "), ""), dim=True))
    out.append("")
    out.append(
        _wrap(
            f"You are {sc.candidate.name}, interviewing for {sc.position} with "
            f"{sc.persona.name} ({sc.persona.role}, {sc.persona.company}).",
            "",
        )
    )
    out.append("Your background (the interviewer has your resume):")
    out += background(program)
    out.append("")
    out.append(p(f"Type your answers. /help for commands. Seed {seed}.", dim=True))
    return "\n".join(out)


def background(program: Program) -> list[str]:
    """The candidate's background, one wrapped item each (the briefing and /background)."""
    return [_wrap(program.render(b), "  - ") for b in program.scenario.candidate.background]
