"""The only module that imports transitions: the interview's flow and a concern's lifecycle as
state machines.

Both follow the documented class-level pattern: one `Machine(model=None)` shared by every
session, fired on the session's own state value (`SessionState` for the flow, `ConcernState`
for a concern), never `add_model` (which binds partials per trigger and state to every model and
keeps every model alive). State therefore lives only in the session's JSON-serialisable value,
and the machine is what moves it. A turn's fire takes its edge from the machine's own table as
the machine's trigger would (`_fire`; tests/test_machine.py holds the two alike), without the
library's per-event objects; a trigger with no edge from the state goes through the machine.

Nothing from a scenario file is ever handed to transitions as a name: every condition and
callback is a closure made here, and `resolve_callable` refuses strings outright.
`auto_transitions=False` keeps a machine linear in size and leaves no `to_<state>` shortcut.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any, ClassVar, Final

from transitions import Machine, MachineError

from closer.engine.errors import EngineError
from closer.engine.format.model import STATUSES
from closer.engine.runtime.events import Frozen  # a frozen class, not a dataclass: its cost

ENDED = "ended"

Facts = Mapping[str, Any]
Condition = Callable[[Any, Facts], bool]  # (the model, the trigger's facts) -> may this edge go?


class _SafeMachine(Machine):
    @staticmethod
    def resolve_callable(func: Any, event_data: Any) -> Any:
        if callable(func):
            return func
        raise EngineError(f"refusing to resolve {func!r}: callbacks must be engine functions")


class Edge(Frozen):
    """One declared transition: `dest` None stays in the state (an internal transition, such as
    a follow-up question); `condition` None always passes; `exit` is what the session acts on
    when this edge is taken (for a question, the `Exit` it leaves by). Equal only to itself."""

    _fields: ClassVar[tuple[str, ...]] = ("trigger", "source", "dest", "condition", "exit")
    __slots__ = _fields
    trigger: Final[str]
    source: Final[str]
    dest: Final[str | None]
    condition: Final[Condition | None]
    exit: Final[Any]

    def __init__(
        self,
        trigger: str,
        source: str,
        dest: str | None,
        condition: Condition | None = None,
        exit: Any = None,
    ) -> None:
        self.trigger = trigger
        self.source = source
        self.dest = dest
        self.condition = condition
        self.exit = exit

    def __eq__(self, other: object) -> bool:  # written out: mypyc ignores `= object.__eq__`
        return self is other

    def __hash__(self) -> int:
        return object.__hash__(self)

    @property
    def moves(self) -> bool:
        return self.dest is not None


def _condition(edge: Edge) -> Callable[[Any], bool]:
    test = edge.condition

    def check(event: Any) -> bool:
        return test is None or bool(test(event.model, event.kwargs))

    return check


def _note(edge: Edge) -> Callable[[Any], None]:
    def taken(event: Any) -> None:
        event.kwargs["taken"].append(edge)

    return taken


def _leaving(edge: Edge) -> Callable[[Any], None]:
    """The `before` callback: the session's `leaving` hook, run while the model is still in the
    source state (what is said on the way out is said there)."""

    def call(event: Any) -> None:
        hook = event.kwargs.get("leaving")
        if hook is not None:
            hook(edge)

    return call


class FlowMachine:
    """States and declared edges; the first edge of a trigger whose condition passes is taken,
    in the order given."""

    def __init__(self, states: Iterable[str], edges: Iterable[Edge], initial: str) -> None:
        self.states = tuple(states)
        self.declared = tuple(edges)
        self._table = _table(self.declared)
        self._machine = _SafeMachine(
            model=None,
            states=[{"name": s, "final": s == ENDED} for s in self.states],
            transitions=[
                {
                    "trigger": e.trigger,
                    "source": e.source,
                    "dest": e.dest,
                    "conditions": [_condition(e)],
                    "before": [_leaving(e)],
                    "after": [_note(e)],
                }
                for e in self.declared
            ],
            initial=initial,
            auto_transitions=False,
            send_event=True,
            queued=False,
        )

    @property
    def edges(self) -> tuple[tuple[str, str, str], ...]:
        """The moves a session can make, `(trigger, source, dest)`, each once."""
        return tuple(dict.fromkeys((e.trigger, e.source, e.dest) for e in self.declared if e.dest))

    def fire(self, model: Any, trigger: str, **facts: Any) -> Edge:
        """Fire `trigger` on `model` (whose `state` it moves) and return the edge taken; no
        edge whose condition passes is an EngineError. `facts` reach the conditions; a
        `leaving` fact is called with the edge before the state changes."""
        return _fire(self._machine, self._table, model, trigger, "state", facts)


Table = dict[tuple[str, str], tuple[Edge, ...]]


def _table(edges: Iterable[Edge]) -> Table:
    """The declared edges by trigger and source, in the order the machine tries them."""
    table: dict[tuple[str, str], list[Edge]] = {}
    for e in edges:
        table.setdefault((e.trigger, e.source), []).append(e)
    return {k: tuple(v) for k, v in table.items()}


def _fire(
    machine: Machine, table: Table, model: Any, trigger: str, attribute: str, facts: Any
) -> Edge:
    """What `machine` does with `trigger` on `model`, which moves `attribute`. The machine has
    no callbacks but each edge's own (`_condition`, `_leaving`, `_note`), so its trigger is:
    the first edge from the model's state whose condition holds is taken (its `leaving` fact
    called, then the state moved unless the edge stays). That is done here, from the same
    table, without building the library's event data, its callback chains and its debug log
    lines on every turn; a trigger with no edge from the state (or a state the machine does not
    have) goes through the machine, for its own error."""
    source = getattr(model, attribute)
    edges = table.get((trigger, source))
    if edges is not None:
        kwargs = {"taken": [], **facts}  # what the machine hands each callback as `kwargs`
        for edge in edges:
            test = edge.condition
            if test is None or test(model, kwargs):
                hook = kwargs.get("leaving")
                if hook is not None:
                    hook(edge)
                if edge.dest is not None:
                    setattr(model, attribute, edge.dest)
                return edge
        raise EngineError(f"no {trigger!r} edge from {source!r} whose condition holds")
    event = machine.events.get(trigger)
    taken: list[Edge] = []
    try:
        moved = event is not None and event.trigger(model, taken=taken, **facts)
    except MachineError as e:
        raise EngineError(f"no {trigger!r} edge from {source!r}: {e}") from None
    if not moved or not taken:
        raise EngineError(f"no {trigger!r} edge from {source!r} whose condition holds")
    return taken[0]


# A concern's lifecycle (docs/scenario-format.md). Every status change a session can make is one
# of these; anything else (resolved -> hinted, say) is an EngineError, not merely untested.
LIFECYCLE: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("raise", ("inactive",), "raised"),
    ("preempt", ("raised", "worsened"), "preempted"),
    ("worsen", ("raised", "hinted", "revealed", "partly_resolved", "resolved"), "worsened"),
    ("hint", ("raised", "worsened"), "hinted"),
    ("reveal", ("hinted", "partly_resolved", "worsened"), "revealed"),
    ("partly_resolve", ("hinted", "revealed", "worsened"), "partly_resolved"),
    ("resolve", ("revealed", "partly_resolved"), "resolved"),
)
TRIGGER_TO = {dest: trigger for trigger, _, dest in LIFECYCLE}


class ConcernMachine:
    """The lifecycle table as a machine that moves a `ConcernState.status`."""

    def __init__(self) -> None:
        edges = [Edge(t, s, dest) for t, sources, dest in LIFECYCLE for s in sources]
        self._table = _table(edges)
        self._machine = _SafeMachine(
            model=None,
            states=list(STATUSES),
            transitions=[
                {"trigger": e.trigger, "source": e.source, "dest": e.dest, "after": [_note(e)]}
                for e in edges
            ],
            initial="inactive",
            model_attribute="status",
            auto_transitions=False,
            send_event=True,
            queued=False,
        )

    def move(self, concern: Any, status: str) -> None:
        """Move `concern.status` to `status` along the one trigger that leads there."""
        _fire(self._machine, self._table, concern, TRIGGER_TO[status], "status", {})


@lru_cache(maxsize=1)
def concern_machine() -> ConcernMachine:
    """The one lifecycle machine (the same for every scenario), built on first use."""
    return ConcernMachine()
