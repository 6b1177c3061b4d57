"""A scenario compiled once into what every session shares: intents in precedence order, the
flow machine, and lookup tables. Immutable after `compile_scenario`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Literal, NamedTuple

from closer.engine.errors import Span
from closer.engine.format import model as m
from closer.engine.format import template
from closer.engine.format.patterns import Utterance, first_match, matches_everything
from closer.engine.runtime.machine import ENDED, FlowMachine

Kind = Literal[
    "opening", "question", "candidate_questions", "closing_discussion", "closing_clear", "ended"
]
CQ = "candidate_questions"
DISCUSSION = "closing_discussion"
CLEAR = "closing_clear"
_QUESTION_WORDS = frozenset([
    "what", "why", "how", "when", "where", "who", "which", "is", "are", "do", "does", "did",
    "can", "could", "would", "will", "should", "may", "any", "anything", "have", "has", "was",
    "were", "r",
])  # fmt: skip


@dataclass(frozen=True, slots=True)
class IntentMatch:
    """Which intent an utterance matched, by which pattern, with what score, written where."""

    intent: str
    rule: str
    score: int
    priority: int
    source: Span
    pattern: str

    def to_json(self) -> dict[str, object]:
        return {
            "intent": self.intent,
            "rule": self.rule,
            "score": self.score,
            "priority": self.priority,
            "source": str(self.source),
            "pattern": self.pattern,
        }


class Exit(NamedTuple):
    """A way out of a question: where it leads, and the rule that takes it (None: an answer no
    rule matched, which gets the follow-up, then the next question)."""

    dest: str
    rule: m.Rule | None


def always_matches(rule: m.Rule) -> bool:
    return any(matches_everything(p.pattern) for p in rule.patterns)


def question_exits(scenario: m.Scenario) -> dict[str, tuple[Exit, ...]]:
    """Every way out of each question, in the order the session tries them: its rules, up to
    the first that matches every answer (nothing after it can happen), then plain answers."""
    qs = scenario.flow.questions
    out: dict[str, tuple[Exit, ...]] = {}
    for i, q in enumerate(qs):
        after = qs[i + 1].id if i + 1 < len(qs) else CQ
        exits = []
        for rule in q.rules:
            exits.append(Exit(rule.goto or after, rule))
            if always_matches(rule):
                break
        else:
            exits.append(Exit(after, None))
        out[q.id] = tuple(exits)
    return out


@dataclass(frozen=True)
class Program:
    scenario: m.Scenario
    machine: FlowMachine
    intents: tuple[m.Intent, ...]
    markers: MappingProxyType[str, tuple[m.Pat, ...]]
    questions: MappingProxyType[str, m.Question]
    order: tuple[str, ...]
    answers: MappingProxyType[str, m.Answer]
    concerns: tuple[m.Concern, ...]
    candidate_questions: frozenset[str]
    exits: MappingProxyType[str, tuple[Exit, ...]]

    @cached_property
    def values(self) -> dict[str, str]:
        """Placeholder values for this scenario's lines."""
        sc = self.scenario
        return template.values(
            sc.candidate.name, sc.persona.name, sc.persona.role, sc.persona.company, sc.position
        )

    def render(self, text: str) -> str:
        return template.render(text, self.values)

    @property
    def style(self) -> m.Style:
        return self.scenario.persona.style

    def kind(self, state: str) -> Kind:
        if state in self.questions:
            return "question"
        return state  # type: ignore[return-value]

    def phase(self, state: str) -> str:
        kind = self.kind(state)
        return {"question": "questions", DISCUSSION: "closing", CLEAR: "closing"}.get(kind, kind)

    def next_after(self, state: str) -> str:
        if state == "opening":
            return self.order[0]
        i = self.order.index(state)
        return self.order[i + 1] if i + 1 < len(self.order) else CQ

    def classify(self, utt: Utterance, allowed: frozenset[str]) -> IntentMatch | None:
        """The winning intent among `allowed`: highest score, then priority, then file order."""
        best: IntentMatch | None = None
        for intent in self.intents:
            if intent.id not in allowed:
                continue
            for i, pat in enumerate(intent.patterns):
                if best is not None and (pat.pattern.score, intent.priority) <= (
                    best.score,
                    best.priority,
                ):
                    continue
                if pat.pattern.match(utt) is not None:
                    best = IntentMatch(
                        intent.id,
                        f"{intent.id}#{i + 1}",
                        pat.pattern.score,
                        intent.priority,
                        pat.span,
                        pat.source,
                    )
        return best

    def marker(self, name: str, utt: Utterance) -> bool:
        return first_match([p.pattern for p in self.markers[name]], utt) is not None


def looks_like_question(utt: Utterance) -> bool:
    return "?" in utt.text or (bool(utt.words) and utt.words[0] in _QUESTION_WORDS)


def compile_scenario(scenario: m.Scenario) -> Program:
    """Build the shared Program: states, edges and tables (pure)."""
    qs = scenario.flow.questions
    order = tuple(q.id for q in qs)
    states = ("opening", *order, CQ, DISCUSSION, CLEAR, ENDED)
    exits = question_exits(scenario)
    edges: list[tuple[str, str, str]] = [("advance", "opening", order[0])]
    for q in qs:  # only the ways out a session can take (FlowMachine drops repeats)
        edges.extend(("advance", q.id, e.dest) for e in exits[q.id])
    edges += [
        ("close", CQ, DISCUSSION),
        ("close", CQ, CLEAR),
        ("close", CLEAR, DISCUSSION),
        ("close", DISCUSSION, CLEAR),
    ]
    # any state but the opening can end the interview (a goodbye, max_turns, no more questions);
    # the opening always moves on, and max_turns is at least 5, so it gets no `leave` edge
    edges += [("leave", s, ENDED) for s in states if s not in ("opening", ENDED)]
    answers = {a.intent: a for a in scenario.flow.answers}
    cq = frozenset(m.CANDIDATE_QUESTIONS) | frozenset(answers)
    return Program(
        scenario=scenario,
        machine=FlowMachine(states, edges, "opening"),
        intents=scenario.intents,
        markers=MappingProxyType(dict(scenario.markers)),
        questions=MappingProxyType({q.id: q for q in qs}),
        order=order,
        answers=MappingProxyType(answers),
        concerns=scenario.concerns,
        candidate_questions=cq,
        exits=MappingProxyType(exits),
    )
