"""What a set of conversation-test runs reached in a scenario: states, transitions (the flow
machine's edges), intents the scenario can listen for, and concern statuses (raised, revealed,
resolved per concern). Everything never reached is listed with where it is written. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from closer.engine.errors import Span
from closer.engine.runtime.events import ConcernEvent, IntentEvent
from closer.engine.runtime.machine import ENDED
from closer.engine.runtime.program import CLEAR, CQ, DISCUSSION, Program
from closer.engine.tools.convtest import CaseResult

TRACKED = ("raised", "revealed", "resolved")
KINDS = ("states", "transitions", "intents", "concerns")


class Item(NamedTuple):
    name: str
    span: Span | None


class Category(NamedTuple):
    kind: str
    reached: tuple[Item, ...]
    missed: tuple[Item, ...]

    @property
    def total(self) -> int:
        return len(self.reached) + len(self.missed)

    @property
    def percent(self) -> float:
        return 100.0 * len(self.reached) / self.total if self.total else 100.0


class Coverage(NamedTuple):
    scenario: str
    path: str
    cases: int
    categories: tuple[Category, ...]

    def get(self, kind: str) -> Category:
        return next(c for c in self.categories if c.kind == kind)

    @property
    def percent(self) -> float:
        total = sum(c.total for c in self.categories)
        return 100.0 * sum(len(c.reached) for c in self.categories) / total if total else 100.0

    def to_json(self) -> dict[str, object]:
        return {
            "scenario": self.scenario,
            "path": self.path,
            "cases": self.cases,
            "total": round(self.percent, 1),
            **{
                c.kind: {
                    "reached": len(c.reached),
                    "total": c.total,
                    "percent": round(c.percent, 1),
                    "missed": [
                        {"name": i.name, "at": str(i.span) if i.span else None} for i in c.missed
                    ],
                }
                for c in self.categories
            },
        }


def _split(kind: str, items: Iterable[Item], hit: set[str]) -> Category:
    items = list(items)
    return Category(
        kind,
        tuple(i for i in items if i.name in hit),
        tuple(i for i in items if i.name not in hit),
    )


def edge_name(edge: tuple[str, str, str]) -> str:
    trigger, source, dest = edge
    return f"{source} -> {dest} ({trigger})"


def measure(program: Program, results: Iterable[CaseResult]) -> Coverage:
    """Coverage of `program` by these case results (all run against it)."""
    results = list(results)
    sc = program.scenario
    flow = dict(sc.flow.spans)
    state_span: dict[str, Span | None] = {q.id: q.span for q in sc.flow.questions}
    state_span.update(
        {
            "opening": flow.get("opening"),
            CQ: flow.get("candidate_questions"),
            DISCUSSION: flow.get("candidate_questions"),
            CLEAR: flow.get("candidate_questions"),
            ENDED: flow.get("closing"),
        }
    )
    goto_span = {
        (q.id, r.goto): r.goto_span or r.span for q in sc.flow.questions for r in q.rules if r.goto
    }

    seen_states = {"opening"}
    seen_edges: set[str] = set()
    seen_intents: set[str] = set()
    seen_status: set[str] = set()
    for r in results:
        seen_states.add(r.start)
        seen_states.update(dest for _, _, dest in r.edges)
        seen_edges.update(edge_name(e) for e in r.edges)
        for e in r.events:
            if isinstance(e, IntentEvent) and e.intent:
                seen_intents.add(e.intent)
            elif isinstance(e, ConcernEvent):
                seen_status.add(f"{e.concern} {e.status}")

    states = [Item(s, state_span.get(s)) for s in program.machine.states]
    edges = [
        Item(edge_name(e), goto_span.get((e[1], e[2])) or state_span.get(e[1]))
        for e in program.machine.edges
    ]
    listening = program.listened_for
    intents = [Item(i.id, i.span) for i in program.intents if i.id in listening]
    statuses = [Item(f"{c.id} {s}", c.span) for c in program.concerns for s in TRACKED]
    return Coverage(
        sc.id,
        sc.path,
        len(results),
        (
            _split("states", states, seen_states),
            _split("transitions", edges, seen_edges),
            _split("intents", intents, seen_intents),
            _split("concerns", statuses, seen_status),
        ),
    )
