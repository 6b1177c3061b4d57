"""Lint's flow checks (W101, E101, E102) on their own, so that `closer play`, which refuses a
scenario whose interview can never end (`flow_errors`), does not import the rest of lint before
its first line (about half a millisecond of every start). `lint` reports them with the others."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from closer.engine.errors import Diagnostic, Severity, Span
from closer.engine.runtime.program import CQ, Program, always_matches

# as lint's registry (`lint.CHECKS`) has them: tests/test_lint.py holds the two together
SEVERITY: dict[str, Severity] = {"W101": "warning", "E101": "error", "E102": "error"}


def flow_errors(program: Program) -> list[Diagnostic]:
    """The lint errors that leave a player stuck (E101, E102): what `closer play` refuses."""
    return [d for d in diagnostics(program) if d.severity == "error"]


def _diag(code: str, span: Span, message: str, hint: str) -> Diagnostic:
    return Diagnostic(span, code, message, hint, SEVERITY[code])


def edges_of(program: Program) -> dict[str, list[str]]:
    """Where each question can go next (the machine's edges, as the program worked them out)."""
    return {qid: [e.dest for e in exits] for qid, exits in program.exits.items()}


def reach(start: Iterable[str], edges: dict[str, list[str]]) -> set[str]:
    """The questions reached from `start` along `edges`, `start` included."""
    seen = set(start)
    todo = list(seen)
    while todo:
        for dest in edges.get(todo.pop(), ()):
            if dest not in seen:
                seen.add(dest)
                todo.append(dest)
    return seen


def diagnostics(program: Program) -> Iterator[Diagnostic]:
    """W101, E101 and E102, in question order."""
    qs = program.scenario.flow.questions
    exits = edges_of(program)
    reached = reach([program.order[0]], exits)
    back: dict[str, list[str]] = {}
    for src, dests in exits.items():
        for dest in dests:
            back.setdefault(dest, []).append(src)
    finishing = reach([CQ], back)
    trapped = {q.id for q in qs if q.id in reached and q.id not in finishing}
    reported: set[str] = set()
    for i, q in enumerate(qs):
        always = next((r for r in q.rules if always_matches(r)), None)
        if q.id not in reached:  # never the first question: the opening leads there
            prev = qs[i - 1]
            skip = next((r for r in prev.rules if always_matches(r)), None)
            yield _diag(
                "W101",
                q.span,
                f"question {q.id!r} is never asked",
                f"the rule at line {skip.span.line} of {prev.id!r} matches every answer and "
                "jumps past it; give that rule words to match"
                if prev.id in reached and skip is not None
                else f"the question before it, {prev.id!r}, is never asked either",
            )
        elif always is not None and always.goto == q.id:  # no fallback on: a dead end
            ways = [d for d in exits[q.id] if d != q.id]
            yield _diag(
                "E101",
                always.goto_span or always.span,
                f"question {q.id!r} is a dead end: a rule that always matches goes back to it"
                + (", so only answers matching an earlier rule move on" if ways else ""),
                "give the rule words to match, or point its goto at another question",
            )
            reported.add(q.id)
        elif q.id in trapped and q.id not in reported and q.id in reach(exits[q.id], exits):
            inside = {k: [d for d in v if d in trapped] for k, v in exits.items() if k in trapped}
            loop = {x for x in reach([q.id], inside) if q.id in reach([x], inside)}
            names = ", ".join(repr(x.id) for x in qs if x.id in loop)
            reported |= loop
            yield _diag(
                "E102",
                q.span,
                f"questions {names} loop forever: none leads to candidate_questions",
                "give one of their always-matching rules words to match, or change a goto",
            )
