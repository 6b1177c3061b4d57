"""Why a line was understood the way it was: the winning intent, every runner-up and why it lost,
and (for authors) what the hidden scan saw: concern triggers, evidence and negated matches.

Computed only on demand (`closer explain`, `closer play --trace`, `/why`), never during a normal
turn, so explaining costs nothing when nobody asks. Pure, like the rest of `engine/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from closer.engine.errors import Span
from closer.engine.format import model as m
from closer.engine.format.patterns import Utterance, normalize
from closer.engine.runtime.program import IntentMatch, Program
from closer.engine.runtime.reading import Context, Reading, read

Why = Literal["lower_score", "lower_priority", "later_definition", "not_listening"]


NO_MATCH = "no intent matched: in play the line is taken as an answer to the question, or a remark"


@dataclass(frozen=True, slots=True)
class Contender:
    """An intent with a pattern that matched the line (`match`), and how it fared against the
    winner. It holds the match (`c.match.intent`, ...) rather than extending `IntentMatch`: a
    class made here cannot extend a class of the compiled build."""

    match: IntentMatch
    why: Why
    reason: str

    def to_json(self) -> dict[str, object]:
        return {**self.match.to_json(), "why": self.why, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class ScanHit:
    """A concern pattern that matched (or matched only inside a negation, so did not count)."""

    concern: str
    kind: m.PatternKind
    group: str | None
    pattern: str
    source: Span
    negated: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "concern": self.concern,
            "kind": self.kind,
            "group": self.group,
            "pattern": self.pattern,
            "source": str(self.source),
            "negated": self.negated,
        }

    def describe(self) -> str:
        what = f"evidence group {self.group!r}" if self.group else self.kind.replace("_", " ")
        verdict = "matched inside a negation, so it did not count" if self.negated else "matched"
        return f"concern {self.concern}: {what} '{self.pattern}' {verdict} ({self.source})"


@dataclass(frozen=True, slots=True)
class Explanation:
    text: str
    state: str | None  # None: every intent was listened for (`closer explain` without --state)
    winner: IntentMatch | None
    runners_up: tuple[Contender, ...]
    scan: tuple[ScanHit, ...]
    reading: Reading | None = None  # how the session reads it in `state`, context included

    def in_context(self) -> list[str]:
        """What the state's context made of the line, when it was explained in a state."""
        r = self.reading
        if r is None:
            return []
        out = [f"in context: {r.intent or 'an answer or a remark (no intent)'}"]
        if r.explained:
            out.append(f"  because {r.rule}: {r.explained}")
        elif self.winner is not None and r.intent == self.winner.intent:
            out.append("  (the context changed nothing)")
        if r.guess and not r.explained:
            out.append("  it names the concern on the table: a strong probe")
        if r.tone:
            out.append(f"  it carries a feeling ({r.tone}): she answers that first")
        return out

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "text": self.text,
            "state": self.state,
            "intent": None,
            "rule": None,
            "score": 0,
            "priority": None,
            "source": None,
            "pattern": None,
        }
        if self.winner is not None:
            data.update(self.winner.to_json())
        data["runners_up"] = [c.to_json() for c in self.runners_up]
        data["concerns"] = [h.to_json() for h in self.scan]
        if self.reading is not None:
            r = self.reading
            data["context"] = {
                "intent": r.intent,
                "rule": r.rule,
                "why": r.explained,
                "guess": r.guess,
                "tone": r.tone,
                "deferred": r.deferred_question,
            }
        return data

    def lines(self, limit: int = 6, hidden: bool = True) -> list[str]:
        """Readable lines: the winner, up to `limit` runners-up, then (if `hidden`) the scan."""
        w = self.winner
        if w is None:
            out = [NO_MATCH]
        else:
            out = [
                f"intent {w.intent} by {w.rule} '{w.pattern}' (score {w.score}, "
                f"priority {w.priority}) at {w.source}"
            ]
        for c in self.runners_up[:limit]:
            out.append(f"  lost: {c.match.rule} '{c.match.pattern}': {c.reason}")
        if len(self.runners_up) > limit:
            out.append(f"  ... and {len(self.runners_up) - limit} more (see --json)")
        out += self.in_context()
        if hidden:
            out.extend(h.describe() for h in self.scan)
        return out


def explain(
    program: Program,
    utt: Utterance,
    allowed: frozenset[str],
    state: str | None = None,
    reading: Reading | None = None,
) -> Explanation:
    """Classify `utt` as the session would among `allowed`, and say why every other intent with
    a matching pattern lost."""
    winner = program.classify(utt, allowed)
    found: list[tuple[int, Contender]] = []
    for order, intent in enumerate(program.intents):
        best = program.classify(utt, frozenset({intent.id}))  # its best pattern, same tie-breaks
        if best is None or (winner is not None and best.rule == winner.rule):
            continue
        rule, score = best.rule, best.score
        if intent.id not in allowed:
            why: Why = "not_listening"
            where = f"in state {state}" if state else "here"
            reason = f"not listened for {where}"
        elif winner is None:  # an allowed intent that matched would have won
            raise AssertionError(f"{rule} matched but classify found nothing")
        elif score < winner.score:
            why, reason = "lower_score", f"lower score ({score} < {winner.score})"
        elif intent.id != winner.intent and intent.priority < winner.priority:
            why = "lower_priority"
            reason = f"same score, lower priority ({intent.priority} < {winner.priority})"
        else:
            why = "later_definition"
            reason = "same score and priority, defined later (earlier definitions win)"
        match = IntentMatch(intent.id, rule, score, intent.priority, best.source, best.pattern)
        contender = Contender(match, why, reason)
        found.append((order, contender))
    found.sort(
        key=lambda t: (t[1].why == "not_listening", -t[1].match.score, -t[1].match.priority, t[0])
    )
    return Explanation(
        utt.text, state, winner, tuple(c for _, c in found), tuple(scan(program, utt)), reading
    )


def context(program: Program, where: str) -> Context | None:
    """A state as `closer explain --state` takes it: a state of the flow, or `vague:CONCERN` /
    `specific:CONCERN` (the closing discussion with that concern's vague or specific line on the
    table). None if it is neither."""
    kind, _, cid = where.partition(":")
    if cid:
        concern = program.concern_by_id.get(cid)
        if kind not in ("vague", "specific") or concern is None:
            return None
        return Context("closing_discussion", concern, 1 if kind == "vague" else 2)
    return Context(where) if where in program.machine.states else None


def explain_in(program: Program, text: str, where: str) -> Explanation:
    """`explain` as the session would hear `text` in `where` (see `context`), context included."""
    ctx = context(program, where)
    if ctx is None:
        raise ValueError(f"{where!r} is not a state")
    utt = normalize(text)
    reading = read(program, ctx, text, utt)
    return explain(program, utt, program.listening(ctx.state, utt), where, reading)


def scan(program: Program, utt: Utterance) -> list[ScanHit]:
    """Every concern pattern the line matches, marking those the negation guard throws away."""
    return [
        ScanHit(c.id, kind, group, p.source, p.span, p.pattern.match(utt, guard=True) is None)
        for c in program.concerns
        for kind, group, p in c.patterns()
        if p.pattern.match(utt) is not None
    ]
