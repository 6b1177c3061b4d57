"""What the interviewer says, and the record of it: the seeded choice among a line's variants,
placeholders filled in, and the turn's events in the order they happen.

Touches only the session's random generator, its `last_pick` memory and the events of the turn
in progress; it reads the flow state to stamp each line with its phase and state.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from closer.engine.format import model as m
from closer.engine.format.template import render
from closer.engine.runtime.events import ConcernEvent, CueEvent, Event, SayEvent


class Voice:
    """Picks, renders and records lines for one session."""

    def __init__(
        self,
        rng: random.Random,
        last_pick: dict[str, int],
        values: dict[str, str],
        where: Callable[[], tuple[int, str, str]],
        again: m.Lines = (),
        last_line: str | None = None,
    ) -> None:
        self.rng = rng
        self.last_pick = last_pick
        self.values = values
        self.where = where  # () -> (turn, phase, state), read when a line is said
        self.again = again  # put before a line said twice in a row ("As I said:")
        self.last_line = last_line  # the interviewer's last line, whichever turn it was in
        self.events: list[Event] = []

    def pick(self, lines: m.Lines, **values: str) -> str:
        """A seeded choice among the variants, never the one this set of lines gave last time."""
        index = 0
        if len(lines) > 1:
            key = lines[0][:60]
            last = self.last_pick.get(key)
            index = self.rng.randrange(len(lines) - (last is not None))
            if last is not None and index >= last:
                index += 1
            self.last_pick[key] = index
        return self._render(lines[index], values)

    def _render(self, line: str, values: dict[str, str]) -> str:
        if "{" not in line and "}" not in line:  # every placeholder has a brace
            return line
        return render(line, {**self.values, **values} if values else self.values)

    def say(
        self, lines: m.Lines, clue: str | None = None, then: m.Lines = (), **values: str
    ) -> None:
        """The interviewer says one of `lines` (nothing, if there are none), never the line she
        said last: another variant if there is one, else the same words after "As I said:".
        `then`: the lines she says next, when known; a variant that opens with the same word
        as one of them is left out while another is left ("Right." then "Right, that's me
        done." reads like a stutter)."""
        if not lines:
            return
        if then and len(lines) > 1:
            taken = {_opening(line) for line in then}
            varied = tuple(line for line in lines if _opening(line) not in taken)
            if varied and len(varied) < len(lines):
                lines = varied
        text = self.pick(lines, **values)
        if text == self.last_line:
            others = [line for line in lines if self._render(line, values) != text]
            if others:
                text = self.pick(tuple(others), **values)
            elif self.again:
                text = f"{self.pick(self.again)} {text}"
        turn, phase, state = self.where()
        self.events.append(SayEvent(turn, "interviewer", text, phase, state, clue))
        self.last_line = text

    def cue(self, kind: str, lines: m.Lines) -> None:
        self.events.append(CueEvent(self.where()[0], kind, self.pick(lines)))

    def concern(
        self,
        concern: str,
        status: str,
        quote: str | None = None,
        evidence: list[str] | None = None,
        early: bool = False,
    ) -> None:
        self.events.append(
            ConcernEvent(
                self.where()[0],
                concern,
                status,
                quote,
                tuple(evidence) if evidence is not None else None,
                early,
            )
        )

    def record(self, event: Event) -> None:
        self.events.append(event)

    def take(self) -> tuple[Event, ...]:
        """The turn's events, leaving none behind."""
        events, self.events = tuple(self.events), []
        return events


def _opening(line: str) -> str:
    """A line's first word, lower case, without its punctuation."""
    first = line.split(maxsplit=1)[0] if line.strip() else ""
    return first.strip(".,!?;:*'\"").lower()
