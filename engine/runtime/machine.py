"""The only module that imports transitions: the interview's flow as a state machine.

The machine is built once per scenario and shared by every session. It is never handed a string
callback: every condition is a closure made here, and `resolve_callable` refuses strings outright,
so nothing in a scenario file can name Python code. `auto_transitions=False` keeps it linear in
size and leaves no `to_<state>` shortcut into the closing states.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from transitions import Machine, MachineError

from closer.engine.errors import EngineError

ENDED = "ended"


class _SafeMachine(Machine):  # type: ignore[misc]
    @staticmethod
    def resolve_callable(func: Any, event_data: Any) -> Any:
        if callable(func):
            return func
        raise EngineError(f"refusing to resolve {func!r}: callbacks must be engine functions")


class _Cursor:
    """Where one session stands; a throwaway object the machine moves (never registered)."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


def _dest_is(dest: str) -> Callable[[Any], bool]:
    def check(event: Any) -> bool:
        return bool(event.kwargs.get("dest") == dest)

    return check


class FlowMachine:
    """States, and the edges `(trigger, source, dest)` a session may take between them."""

    def __init__(
        self, states: Iterable[str], edges: Iterable[tuple[str, str, str]], initial: str
    ) -> None:
        self.states = tuple(states)
        self.edges = tuple(dict.fromkeys(edges))
        transitions = [
            {"trigger": trig, "source": src, "dest": dest, "conditions": [_dest_is(dest)]}
            for trig, src, dest in self.edges
        ]
        self._machine = _SafeMachine(
            model=None,
            states=[{"name": s, "final": s == ENDED} for s in self.states],
            transitions=transitions,
            initial=initial,
            auto_transitions=False,
            send_event=True,
            queued=False,
        )

    def fire(self, state: str, trigger: str, dest: str) -> str:
        """Move from `state` along `trigger` to `dest`; an undeclared edge is an EngineError."""
        cursor = _Cursor(state)
        event = self._machine.events.get(trigger)
        try:
            moved = event is not None and event.trigger(cursor, dest=dest)
        except MachineError as e:
            raise EngineError(f"no {trigger!r} edge from {state!r}: {e}") from None
        if not moved or cursor.state != dest:
            raise EngineError(f"no {trigger!r} edge from {state!r} to {dest!r}")
        return cursor.state
