"""How user mistakes leave the program: one clear line (or one line per diagnostic), exit 1."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

import click

from closer.cli.text import clean

if TYPE_CHECKING:
    from closer.engine.errors import ScenarioError


class UserError(click.ClickException):
    """A problem in the user's files or arguments that is not a click usage error (exit 1)."""

    exit_code = 1

    def __init__(self, message: str, lines: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.lines = lines

    def show(self, file: IO[Any] | None = None) -> None:
        for line in self.lines or (f"closer: {self.message}",):
            click.echo(clean(line), err=True)


def from_scenario_error(err: ScenarioError) -> UserError:
    return UserError(str(err), tuple(str(d) for d in err.diagnostics))
