"""Choosing where to start: `closer play` with no scenario, in a terminal, offers the list (with
the last result of each from the practice record) and reads a choice. Piped input never gets
here: it plays the default, as it always has."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from closer.cli.scenarios import Entry, entries
from closer.cli.text import clean


class Left(Exception):
    """The player left the picker (Ctrl-D or Ctrl-C): `code` is the exit code."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def lines(found: Sequence[Entry], last: dict[str, str], width: int = 100) -> list[str]:
    """The numbered list: id, persona, role, difficulty, and the last result when there is
    one (on a line of its own, under the persona, when the row would not fit in `width`)."""
    rows = []
    for n, e in enumerate(found, 1):
        who = clean(e.persona or e.title)
        level = f"[{e.difficulty}]" if e.difficulty else ""
        # a local file by its path: two files here may share an id, or use a shipped one
        name = e.id if e.shipped else os.path.relpath(e.path)
        rows.append((f"{n}.", clean(name), who, clean(e.role), level, last.get(e.id, "")))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for r in rows:
        line = ("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))).rstrip()
        if len(line) > width and r[-1]:
            line = "  " + "  ".join(c.ljust(w) for c, w in zip(r[:-1], widths, strict=False))
            indent = 2 + widths[0] + 2 + widths[1] + 2
            out += [line.rstrip(), " " * indent + r[-1]]
        else:
            out.append(line)
    return out


def _last(found: Sequence[Entry]) -> dict[str, str]:
    from closer.cli import history

    latest = history.last_results()
    out = {}
    for e in found:
        r = latest.get(e.id)
        if r is not None:
            said = {"never": "never asked", "too early": "asked too early"}
            asked = said.get(r.closing, r.closing)
            out[e.id] = f"last: {history.verdict(r)}, {asked}"
    return out


def choose(found: Sequence[Entry], answer: str) -> Entry | None:
    """The entry `answer` names: its number, or its id; Enter the default. None: not one."""
    answer = answer.strip()
    if not answer:
        return next((e for e in found if e.default), found[0] if found else None)
    if answer.isdigit():
        n = int(answer)
        return found[n - 1] if 1 <= n <= len(found) else None
    return next((e for e in found if e.id == answer), None)


def pick(read: Callable[[str], str] = input) -> str:
    """Show the list and read a choice until one is good; the SCENARIO to play (a shipped id,
    or a local file's path). Raises Left when the player leaves."""
    found = entries(Path.cwd())
    if not found:
        from closer.cli.scenarios import DEFAULT

        return DEFAULT
    click.echo("Who would you like to practise with?")
    import shutil

    for line in lines(found, _last(found), shutil.get_terminal_size().columns - 1):
        click.echo(line)
    default = next((e for e in found if e.default), found[0])
    prompt = f"Number or id (Enter for {clean(default.id)}): "
    while True:
        try:
            answer = read(prompt)
        except EOFError:
            click.echo()
            raise Left(0) from None
        except KeyboardInterrupt:
            click.echo()
            raise Left(130) from None
        entry = choose(found, answer)
        if entry is not None:
            click.echo()
            return entry.id if entry.shipped else entry.path
        click.echo(clean(f"No {answer.strip()!r} here: a number from 1 to {len(found)}, or an id."))
