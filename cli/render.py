"""Turning engine values into terminal text: interviewer lines, cues, the debrief.

Every text here that came from a scenario or a transcript goes through `clean` before it is
styled (`_wrap` cleans what it wraps), so it cannot drive the terminal or forge a line."""

from __future__ import annotations

import re
import textwrap
from typing import TYPE_CHECKING, Any

import click

from closer.cli.text import clean
from closer.engine.tools.debrief import ConcernReport, Debrief

if TYPE_CHECKING:
    from closer.engine.runtime.program import Program

STAGE = re.compile(r"\*([^*]+)\*")


OUTCOMES = {"advance": "Would advance", "undecided": "On the fence", "reject": "Would not advance"}
SEVERITY = {1: "minor", 2: "real", 3: "serious"}
SOURCES = {
    "background": "from your background",
    "said": "from something you said",
    "theme": "from what you kept emphasising",
    "misunderstanding": "a misunderstanding",
}
STATUS = {
    "raised": "never surfaced",
    "hinted": "hinted at, never made specific",
    "revealed": "out in the open, not addressed",
    "partly_resolved": "partly resolved",
    "resolved": "resolved",
    "worsened": "made worse",
    "preempted": "pre-empted",
}
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


def concern_card(p: Painter, i: int, r: ConcernReport, persona: str) -> list[str]:
    head = (
        f"{i}. {r.title} ({SEVERITY.get(r.severity, r.severity)}, {SOURCES[r.source]}): "
        f"{STATUS.get(r.status, r.status)}"
    )
    color = {"resolved": "green", "preempted": "green", "partly_resolved": "yellow"}.get(
        r.status, "red"
    )
    out = [p(clean(head), fg=color, bold=True)]
    if r.trigger == "your background":
        raised = "Raised by your background, from the start."
    elif r.trigger == "something you said":
        raised = f"Raised by something you said (turn {r.trigger_turn})."
    else:
        raised = f'Raised when you said "{r.trigger}" (turn {r.trigger_turn}).'
    out.append(_wrap(raised, "   "))
    if r.said_aloud:
        out.append(_wrap(f'{persona} said aloud: "{r.said_aloud[0]}"', "   "))
    out.append(_wrap(f'{persona} thought: "{r.thought}"', "   "))
    if r.evidence:
        out.append(_wrap("Evidence that counted: " + "; ".join(r.evidence) + ".", "   "))
    if r.status not in ("resolved", "preempted") and r.missing:
        out.append(_wrap("What was missing: " + "; ".join(r.missing) + ".", "   "))
    if r.early:
        out.append(_wrap("You answered before you knew what the concern really was.", "   "))
    return out


def debrief(p: Painter, d: Debrief, persona: str) -> str:
    out = ["", p("=" * 30 + " Debrief " + "=" * 30, bold=True), ""]
    color = {"advance": "green", "undecided": "yellow", "reject": "red"}[d.outcome]
    verdict = clean(f"Verdict: {OUTCOMES[d.outcome]} ({d.score}/100)")
    out.append(p(verdict, fg=color, bold=True))
    out.append(
        _wrap(
            f"{persona} stayed polite the whole time. Politeness is not endorsement: "
            "here is what was going on inside.",
            "",
        )
    )
    out.append("")
    out.append(p("Concerns", bold=True, underline=True))
    if not d.concerns:
        out.append("   None came up.")
    for i, r in enumerate(d.concerns, 1):
        out += concern_card(p, i, r, persona)
    c = d.scorecard
    out += ["", p("Closing question", bold=True, underline=True)]

    def yes(v: bool | None) -> str:
        return "n/a" if v is None else ("yes" if v else "no")

    asked = f"yes, at turn {c.turn}" if c.asked else "no"
    out.append(f"   Asked:                         {asked}")
    if c.premature:
        out.append(f"   Asked too early (deferred):    {c.premature} time(s)")
    out.append(f"   Full form, with a chance to respond: {yes(c.full_form if c.asked else None)}")
    out.append(f"   Probed before answering:       {yes(c.probed)}")
    out.append(f'   Asked "anything else?":        {yes(c.anything_else if c.asked else None)}')
    if c.weak_forms:
        out.append(f'   "How did I do?" instead:      {c.weak_forms} time(s) (a polite non-answer)')
    if d.clues:
        out += ["", p("Clues in the interviewer's answers", bold=True, underline=True)]
        for intent, title in d.clues:
            out.append(clean(f'   {intent.replace("_", " ")}: hinted at "{title}"'))
    out += ["", p("Concerns you never heard about", bold=True, underline=True)]
    if d.never_heard:
        for r in d.never_heard:
            out.append(_wrap(f'{r.title}: "{r.specific}"', "   - "))
    else:
        out.append("   None: everything that worried the interviewer came out.")
    out += ["", p("Three tips for next time", bold=True, underline=True)]
    out += [_wrap(t, f"   {i}. ") for i, t in enumerate(d.tips, 1)]
    return "\n".join(out)
