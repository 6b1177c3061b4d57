"""Exploration: seeded random conversations that check the engine's invariants.

A walk is one conversation: a scenario-aware generator (`Sampler`) picks each candidate line from
what the current state listens for (intent examples and patterns turned into sentences, concern
triggers, evidence, themes, question rules, the closing question, probes, goodbyes) and from
noise, weighted so that walks reach the closing phases. Everything about walk `s` (the session
seed, the preset facts, the lines) follows from `s`, so a walk is reproduced from its seed alone.

Each walk is then checked against the invariants in `INVARIANTS` (see docs/exploring.md), by
replaying its lines: on the same program (same events), through a JSON round-trip of the session
state mid-walk (same events), and with the concerns stripped or the facts flipped (the same
interviewer lines up to the closing question). Pure: every generator is a seeded
`random.Random`, never the global one.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from itertools import pairwise
from typing import NamedTuple

from closer.engine.format.model import Fact
from closer.engine.format.patterns import (
    MAX_UTTERANCE,
    Alt,
    Element,
    Gap,
    Number,
    Opt,
    Pattern,
    Word,
)
from closer.engine.runtime.events import (
    ConcernEvent,
    CueEvent,
    Event,
    IntentEvent,
    SayEvent,
    VerdictEvent,
    event_from_json,
    interviewer_says,
)
from closer.engine.runtime.program import CLEAR, CQ, DISCUSSION, Program
from closer.engine.runtime.session import Session, SessionState
from closer.engine.tools.debrief import Debrief, build_debrief, closing_turn
from closer.engine.tools.testyaml import pinned_step, yaml_comment, yaml_flow, yaml_str

INVARIANTS = (
    "exception",  # no exception, in the walk, in any replay, or building its debrief
    "turn_bound",  # the session ends by itself within the scenario's max_turns
    "early_reveal",  # nothing hinted, revealed or hesitated before the closing question
    "hidden_state",  # the interviewer's lines before the close ignore concerns and facts
    "determinism",  # the same seed and lines give the same events
    "well_formed",  # the transcript events are well-formed
    "round_trip",  # the state survives to_json/JSON/from_json mid-walk and carries on the same
    "quotes",  # every quote in the debrief is in that turn's candidate line, word for word
    "no_repeat",  # the interviewer never says the same line twice in a row
)
ASKING = ("closing_question", "anything_else")
STRIPPED = "with the concerns stripped"


class Violation(NamedTuple):
    """One broken invariant: which, why, and the walk that shows it (replayable from its seed)."""

    invariant: str
    message: str
    walk_seed: int
    lines: tuple[str, ...]
    turn: int | None  # the candidate turn where it shows; None when it is about the whole walk


class Walk(NamedTuple):
    """One explored conversation: its seed, preset facts, candidate lines and events."""

    seed: int
    facts: tuple[tuple[str, Fact], ...]
    lines: tuple[str, ...]
    events: tuple[Event, ...]


class ExploreReport(NamedTuple):
    walks: int
    turns: int
    violations: tuple[Violation, ...]


# ---- generating candidate lines -----------------------------------------------------------

# one word each, so that a `*N` gap rendered as at most N of them still matches
FILLER = (
    "um", "well", "so", "basically", "honestly", "really", "the", "a", "like", "actually",
    "quickly", "there", "then",
)  # fmt: skip
ANSWERS = (
    "I worked on the billing service for two years.",
    "Mostly Python, some Go, and a lot of Postgres.",
    "I led a team of 3 on the checkout rewrite.",
    "That was a hard one, but we got there in the end.",
    "I like working with people who care about the details.",
    "Good, thanks. The traffic was fine.",
    "I am not sure, to be honest.",
    "We had a big outage once and I stayed up fixing it.",
    "I moved fast and shipped it in a week.",
    "I wrote the tests first and had the change reviewed.",
)
NOISE_ASIDE = (
    ".", "...", "?", "!", "-", "hm", "ok", "k", "uh", "hmm...", "ya", "nope", "yes", "no",
    "lol", "idk", "?!?",
)  # fmt: skip
UNICODE = (
    "Résumé, naïve café: “quoted” and ‘single’ — done",
    "ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ ａｎｄ １２３",
    "北京 東京 서울 Москва القاهرة",
    "I 🙂 payments 🚀🚀 and ledgers 💸",
    "e\u0301te\u0301 combining accents",
    "zero\u200bwidth\u200bspaces and a soft\u00adhyphen",
    "İstanbul ǅ ß ﬁ Å Ω",
    "\u202eright to left override\u202c done",
    "tab\tseparated\twords",
)
COMMANDS = (
    "quit", "exit", "exit()", ":q", "\\quit", "!quit", "--help", "-h", "help",
    "sudo rm -rf /", "SELECT * FROM users; DROP TABLE users;--", "{candidate.name}",
    "{persona.name} {0} {}", "%s %d %(name)s", "${HOME} $(whoami) `id`", "<script>x</script>",
    "key: value", "- item", "&anchor *alias", "# a comment", "null", "~", "[1, 2]",
    "{\"event\": \"end\"}", "__import__('os')", "\x1b[31mred\x1b[0m",
)  # fmt: skip
SUFFIXES = ("", "", "", "s", "ing", "ed")
NUMBERS = ("2", "3", "40", "2019", "1.5", "three", "two", "twelve", "100")
QUESTIONING = frozenset({"closing_question", "probe", "anything_else", "confirm", "how_did_i_do"})
CLOSERS = ("no_questions", "goodbye")


def render_pattern(pattern: Pattern, rng: random.Random) -> str:
    """A sentence the pattern was written for: words kept, [opt] sometimes, (a|b) one branch,
    @set one entry, # a number, * a few filler words; `a & b` parts in either order."""
    parts = [_render(items, rng) for items in pattern.parts]
    rng.shuffle(parts)
    return " and ".join(" ".join(p) for p in parts if p)


def _render(items: Sequence[Element], rng: random.Random) -> list[str]:
    out: list[str] = []
    for el in items:
        if isinstance(el, Word):
            out.append(el.text + (rng.choice(SUFFIXES) if el.prefix else ""))
        elif isinstance(el, Number):
            out.append(rng.choice(NUMBERS))
        elif isinstance(el, Gap):
            out.extend(rng.choice(FILLER) for _ in range(rng.randint(0, min(el.most or 2, 2))))
        elif isinstance(el, Opt):
            if rng.random() < 0.5:
                out.extend(_render(el.body, rng))
        elif el.options:
            out.extend(_render(rng.choice(el.options), rng))
    return out


def _sentence(words: str, question: bool) -> str:
    words = words.strip() or "okay"
    stop = "?" if question else "" if words[-1:] in ".!?" else "."
    return words[:1].upper() + words[1:] + stop


class Sampler:
    """Scenario-aware candidate lines, weighted by the state the conversation is in."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.intents: dict[str, tuple[tuple[Pattern, ...], tuple[str, ...]]] = {
            i.id: (tuple(p.pattern for p in i.patterns), i.examples) for i in program.intents
        }
        self.chance = tuple(p.pattern for p in program.markers.get("chance", ()))
        self.defensive = tuple(p.pattern for p in program.markers.get("defensive", ()))
        self.specifics = tuple(p.pattern for p in program.markers.get("specifics", ()))
        said: list[Pattern] = []
        evidence: dict[str, list[Pattern]] = {}
        worse: list[Pattern] = []
        for c in program.concerns:
            evidence[c.id] = []
            for kind, _, p in c.patterns():
                {"evidence": evidence[c.id], "worsened_by": worse}.get(kind, said).append(p.pattern)
        self.said = tuple(said)
        self.evidence = {k: tuple(v) for k, v in evidence.items()}
        self.all_evidence = tuple(p for v in evidence.values() for p in v)
        self.worse = tuple(worse)
        self.rules = {
            q.id: tuple(p.pattern for r in q.rules for p in r.patterns)
            for q in program.questions.values()
        }
        self.during = {
            q: tuple(p.pattern for c in program.concerns if q in c.during for p in c.triggers)
            for q in program.questions
        }
        self.cq = tuple(sorted(i for i in program.candidate_questions if i in self.intents))
        self.every = tuple(sorted(self.intents))
        self.others = tuple(i for i in self.every if i not in CLOSERS)
        self.vocabulary = tuple(
            sorted({w.text for ps, _ in self.intents.values() for p in ps for w in _words(p)})
        )

    # the weights: (kind, weight) per state kind; kinds are handled in `line`
    WEIGHTS: Mapping[str, tuple[tuple[str, float], ...]] = {
        "opening": (("answer", 60), ("filler", 15), ("closing", 6), ("intent", 9), ("noise", 10)),
        "question": (
            ("answer", 50), ("rule", 8), ("filler", 10), ("closing", 5), ("cq", 7), ("probe", 3),
            ("goodbye", 0.4), ("intent", 7), ("noise", 9),
        ),
        CQ: (
            ("cq", 28), ("closing", 34), ("answer", 5), ("anything_else", 5), ("confirm", 3),
            ("how_did_i_do", 4), ("closer", 6), ("intent", 7), ("noise", 8),
        ),
        DISCUSSION: (
            ("probe", 22), ("evidence", 24), ("anything_else", 14), ("confirm", 8),
            ("clarify", 4), ("acknowledge", 4), ("closing", 4), ("worse", 4), ("cq", 4),
            ("closer", 5), ("intent", 3), ("noise", 4),
        ),
        CLEAR: (
            ("anything_else", 18), ("closing", 8), ("cq", 18), ("closer", 30), ("confirm", 5),
            ("answer", 5), ("intent", 6), ("noise", 10),
        ),
    }  # fmt: skip

    def line(self, rng: random.Random, state: str, current: str | None) -> str:
        """The next candidate line for a session in `state` (`current`: the concern on the
        table, when there is one)."""
        kind = self.program.kind(state)
        table = self.WEIGHTS.get(kind, self.WEIGHTS[CQ])
        pick = rng.choices([k for k, _ in table], [w for _, w in table])[0]
        text = self._make(pick, rng, state, current)
        # the terminal strips lines, skips blank ones and takes `/...` as a command: so do we
        text = text.replace("\n", " ").replace("\r", " ").strip()
        if not text or text.startswith("/"):
            text = "okay " + text
        return text

    def _make(self, pick: str, rng: random.Random, state: str, current: str | None) -> str:
        if pick == "closing":
            return self.closing(rng, full=rng.random() < 0.5)
        if pick == "answer":
            return self.answer(rng, self.said + self.all_evidence + self.during.get(state, ()))
        if pick == "rule":
            return self.answer(rng, self.rules.get(state, ()) or self.said)
        if pick == "evidence":
            return self.answer(rng, self.evidence.get(current or "", ()) or self.all_evidence)
        if pick == "worse":
            return self.answer(rng, self.worse + self.defensive)
        if pick == "filler":
            return rng.choice(ANSWERS)
        if pick == "noise":
            return self.noise(rng)
        if pick == "cq":
            return self.intent(rng, rng.choice(self.cq)) if self.cq else rng.choice(ANSWERS)
        if pick == "closer":
            return self.intent(rng, rng.choice(CLOSERS))
        if pick == "intent":  # any intent; before the candidate's turn, no goodbyes
            early = self.program.kind(state) in ("opening", "question")
            return self.intent(rng, rng.choice(self.others if early else self.every))
        return self.intent(rng, pick)

    def intent(self, rng: random.Random, intent: str) -> str:
        patterns, examples = self.intents.get(intent, ((), ()))
        if examples and (rng.random() < 0.4 or not patterns):
            return rng.choice(examples)
        if not patterns:
            return rng.choice(ANSWERS)
        question = intent in QUESTIONING or intent in self.program.candidate_questions
        return _sentence(render_pattern(rng.choice(patterns), rng), question)

    def closing(self, rng: random.Random, full: bool) -> str:
        """The closing question: plain, or full (with a request for a chance to respond)."""
        plain = self.intent(rng, "closing_question")
        if not full or not self.chance:
            return plain
        return (
            f"{plain} {_sentence('could i ' + render_pattern(rng.choice(self.chance), rng), True)}"
        )

    def answer(self, rng: random.Random, pool: Sequence[Pattern]) -> str:
        """An answer of one to three fragments, sometimes with a number or an example."""
        if not pool:
            return rng.choice(ANSWERS)
        pieces = [render_pattern(rng.choice(pool), rng) for _ in range(rng.choice((1, 1, 2, 3)))]
        if self.specifics and rng.random() < 0.3:
            pieces.append(render_pattern(rng.choice(self.specifics), rng))
        if rng.random() < 0.3:
            pieces.insert(0, rng.choice(("well", "so", "honestly", "i think", "yes")))
        return _sentence(rng.choice((", ", " and ", ". ")).join(pieces), False)

    def noise(self, rng: random.Random) -> str:
        kind = rng.choice(("words", "aside", "long", "unicode", "command", "typo"))
        if kind == "words" and self.vocabulary:
            return " ".join(rng.choice(self.vocabulary) for _ in range(rng.randint(1, 9)))
        if kind == "long":  # up to the length the engine reads (and a test file may hold)
            words = [rng.choice(self.vocabulary or FILLER) for _ in range(rng.randint(200, 500))]
            return " ".join(words)[:MAX_UTTERANCE]
        if kind == "unicode":
            return rng.choice(UNICODE)
        if kind == "command":
            return rng.choice(COMMANDS)
        if kind == "typo":
            text = rng.choice(ANSWERS)
            i = rng.randrange(len(text) - 1)
            return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        return rng.choice(NOISE_ASIDE)


def _words(pattern: Pattern) -> list[Word]:
    out: list[Word] = []

    def walk(items: Sequence[Element]) -> None:
        for el in items:
            if isinstance(el, Word):
                out.append(el)
            elif isinstance(el, Opt):
                walk(el.body)
            elif isinstance(el, Alt) and not el.name:
                for option in el.options:
                    walk(option)

    for items in pattern.parts:
        walk(items)
    return out


# ---- walking ------------------------------------------------------------------------------


def walk_seeds(seed: int, walks: int) -> list[int]:
    """The session seeds of `walks` walks from the run seed `seed` (0 <= s < 2**31)."""
    rng = random.Random(f"explore:{seed}")
    return [rng.randrange(2**31) for _ in range(walks)]


def walk_facts(program: Program, walk_seed: int) -> dict[str, Fact]:
    """The preset facts of a walk: each true/false fact is flipped in about one walk in four."""
    rng = random.Random(f"facts:{walk_seed}")
    out: dict[str, Fact] = {}
    for name, value in program.scenario.candidate.facts:
        if isinstance(value, bool) and rng.random() < 0.25:
            out[name] = not value
    return out


def flipped_facts(program: Program, facts: Mapping[str, Fact]) -> dict[str, Fact]:
    """Every true/false fact of the scenario the other way round from `facts`."""
    merged = {**dict(program.scenario.candidate.facts), **facts}
    return {k: not v for k, v in merged.items() if isinstance(v, bool)}


def generate(
    program: Program, walk_seed: int, sampler: Sampler | None = None, cap: int | None = None
) -> tuple[Walk, Violation | None]:
    """Play one walk: lines until the session ends (or `cap` lines, then `end("eof")`).
    Returns the walk and, if it broke `exception` or `turn_bound`, that violation."""
    sampler = sampler or Sampler(program)
    limit = program.scenario.max_turns
    cap = limit if cap is None else min(cap, limit)
    facts = walk_facts(program, walk_seed)
    rng = random.Random(f"lines:{walk_seed}")
    lines: list[str] = []
    events: list[Event] = []

    def walk() -> Walk:
        return Walk(walk_seed, tuple(facts.items()), tuple(lines), tuple(events))

    try:
        session, opening = Session.start(program, walk_seed, facts)
        events.extend(opening.events)
        while not session.ended and len(lines) < cap:
            st = session.state
            lines.append(sampler.line(rng, st.state, st.current))
            events.extend(session.turn(lines[-1]).events)
        if not session.ended:
            events.extend(session.end("eof").events)
            if cap == limit:
                message = f"the session was still going after max_turns ({limit}) candidate lines"
                return walk(), Violation("turn_bound", message, walk_seed, tuple(lines), len(lines))
    except Exception as e:  # any exception is the finding
        message = f"{_describe(e)} in the walk"
        return walk(), Violation("exception", message, walk_seed, tuple(lines), len(lines))
    return walk(), None


def replay(
    program: Program,
    seed: int,
    facts: Mapping[str, Fact],
    lines: Sequence[str],
    resume_at: int | None = None,
    states: list[str] | None = None,
) -> list[Event]:
    """The events of `lines` played from the start (ended with `eof` if they run out). With
    `resume_at` = k, the session is rebuilt from its state's JSON after k lines. `states`, if
    given, collects the state after each line."""
    session, opening = Session.start(program, seed, dict(facts))
    events = list(opening.events)
    for i, line in enumerate(lines):
        if session.ended:
            break
        if i == resume_at:
            data = json.loads(json.dumps(session.state.to_json()))
            session = Session(program, SessionState.from_json(data))
        events.extend(session.turn(line).events)
        if states is not None:
            states.append(session.state.state)
    if not session.ended:
        events.extend(session.end("eof").events)
    return events


def explore(
    program: Program,
    walks: int,
    seed: int,
    max_turns: int | None = None,
) -> ExploreReport:
    """Play `walks` seeded random walks on `program` and check every invariant on each.
    `max_turns` below the scenario's own limit cuts walks short (no violation then)."""
    sampler = Sampler(program)
    turns = 0
    found: list[Violation] = []
    for walk_seed in walk_seeds(seed, walks):
        walk, broken = generate(program, walk_seed, sampler, max_turns)
        turns += len(walk.lines)
        if broken is not None:
            found.append(broken)
            if broken.invariant == "exception":
                continue
        found.extend(check(program, walk))
    return ExploreReport(walks, turns, tuple(found))


def check(program: Program, walk: Walk, only: str | None = None) -> list[Violation]:
    """Every invariant (or `only` one) that `walk` breaks, at most one violation of each."""
    facts = dict(walk.facts)
    resume_at = random.Random(f"resume:{walk.seed}").randrange(len(walk.lines) or 1)
    # the hidden-state replay takes one of its two variants per walk, to halve its cost
    strip = random.Random(f"strip:{walk.seed}").random() < 0.5
    strip = strip or not flipped_facts(program, facts)
    built: list[Debrief] = []  # the debrief, built once for "quotes" (its exception: "debrief")
    checks: dict[str, Callable[[], tuple[str, int | None] | None]] = {
        "debrief": lambda: _debrief(program, walk.events, built),
        "quotes": lambda: None if only is None and not built else quotes(walk, built, program),
        "no_repeat": lambda: no_repeat(walk.events),
        "well_formed": lambda: well_formed(program, walk.events),
        "early_reveal": lambda: early_reveal(walk.events),
        "hidden_state": lambda: hidden_state(program, walk, strip),
    }
    if only in (None, "determinism", "round_trip"):
        checks.update(replays(program, walk, resume_at, only))
    out: list[Violation] = []
    for name, run in checks.items():
        if only is not None and name != only:
            continue
        try:
            broken = run()
        except Exception as e:  # any exception is the finding
            out.append(
                Violation("exception", f"{_describe(e)} in {name}", walk.seed, walk.lines, None)
            )
            continue
        if broken is not None:
            message, turn = broken
            lines = walk.lines if turn is None or name == "round_trip" else walk.lines[:turn]
            out.append(Violation(name, message, walk.seed, lines, turn))
    return out


SHRINKABLE = frozenset(
    {"exception", "early_reveal", "hidden_state", "well_formed", "quotes", "no_repeat"}
)


def shrink(program: Program, found: Violation, budget: int = 400) -> Violation:
    """The same violation with as few candidate lines as a greedy search finds (chunks of lines
    dropped while the invariant still breaks, at most `budget` replays). Violations that need
    the whole walk (turn bound, determinism, round-trip) come back unchanged."""
    if found.invariant not in SHRINKABLE:
        return found
    facts = walk_facts(program, found.walk_seed)
    best, lines = found, list(found.lines)
    size = max(1, len(lines) // 2)
    while size >= 1 and budget > 0:
        i = 0
        while i < len(lines) and budget > 0:
            budget -= 1
            trial = lines[:i] + lines[i + size :]
            again = _recheck(program, found, facts, trial)
            if again is not None:
                best, lines = again, list(again.lines)
            else:
                i += size
        size //= 2
    return best


def _recheck(
    program: Program, found: Violation, facts: Mapping[str, Fact], lines: Sequence[str]
) -> Violation | None:
    try:
        events = replay(program, found.walk_seed, facts, lines)
        if found.invariant == "exception":
            build_debrief(program, events)
    except Exception as e:  # the exception is the finding
        if found.invariant != "exception":
            return None
        message = f"{_describe(e)} in a replay"
        return found._replace(message=message, lines=tuple(lines), turn=len(lines))
    if found.invariant == "exception":
        return None
    walk = Walk(found.walk_seed, tuple(facts.items()), tuple(lines), tuple(events))
    again = check(program, walk, only=found.invariant)
    return again[0] if again and again[0].invariant == found.invariant else None


# ---- the invariants ---------------------------------------------------------------------


def replays(
    program: Program, walk: Walk, resume_at: int | None, only: str | None
) -> dict[str, Callable[[], tuple[str, int | None] | None]]:
    """`determinism` and `round_trip` in one replay when all is well: a replay resumed from
    JSON that gives the walk's events is also a replay that gave the same events. Only when it
    differs does a plain replay tell which of the two broke."""
    facts = dict(walk.facts)
    resumed = f"a replay resumed from JSON after line {resume_at}"

    def plain() -> tuple[str, int | None] | None:
        return _same(walk.events, replay(program, walk.seed, facts, walk.lines), "a replay")

    def both() -> tuple[str, int | None] | None:
        got = replay(program, walk.seed, facts, walk.lines, resume_at=resume_at)
        return _same(walk.events, got, resumed)

    if only == "determinism":
        return {"determinism": plain}
    if only == "round_trip":
        return {"round_trip": both}
    found: dict[str, tuple[str, int | None] | None] = {}

    def determinism() -> tuple[str, int | None] | None:
        found["resumed"] = both()
        found["plain"] = plain() if found["resumed"] is not None else None
        return found["plain"]

    def round_trip() -> tuple[str, int | None] | None:
        # a replay that differs even without the round-trip is a determinism problem only
        return found.get("resumed") if found.get("plain") is None else None

    return {"determinism": determinism, "round_trip": round_trip}


def _debrief(program: Program, events: Sequence[Event], built: list[Debrief]) -> None:
    """Part of "no exception": every finished session has a debrief (an exception is caught
    by `check` and reported as `exception ... in debrief`). Kept in `built` for "quotes"."""
    built.append(build_debrief(program, events))


def quotes(walk: Walk, built: list[Debrief], program: Program) -> tuple[str, int | None] | None:
    """A debrief quoting words the candidate did not say at that turn: every quote, without
    its cut marks, must be part of the candidate's line of the turn it names. (`built`: the
    walk's debrief, when the "debrief" check built it; skipped when that raised.)"""
    debrief = built[0] if built else build_debrief(program, walk.events)
    said = {e.turn: e.text for e in walk.events if isinstance(e, SayEvent) and not e.by_interviewer}
    for q in debrief.quotes():
        if q.verbatim not in said.get(q.turn, ""):
            return f"the debrief quotes {json.dumps(q.text)} as said at turn {q.turn}", q.turn
    return None


def no_repeat(events: Sequence[Event]) -> tuple[str, int | None] | None:
    """The interviewer saying the same line twice in a row (two consecutive interviewer
    lines, in one turn or across turns; cues are not lines)."""
    says = interviewer_says(events)
    for before, after in pairwise(says):
        if before.text == after.text:
            return f"the interviewer said {json.dumps(after.text)} twice in a row", after.turn
    return None


def early_reveal(events: Sequence[Event]) -> tuple[str, int | None] | None:
    """A concern hinted or revealed, or a hesitation, before the closing question or "anything
    else?" was asked (and not deferred)."""
    asked = False
    for e in events:
        if isinstance(e, IntentEvent) and e.intent in ASKING and not e.deferred:
            asked = True
        elif asked:
            continue
        elif isinstance(e, ConcernEvent) and e.status in ("hinted", "revealed"):
            return f"concern {e.concern} was {e.status} before it was asked", e.turn
        elif isinstance(e, CueEvent):
            return f"a {e.cue} cue before the closing question", e.turn
    return None


def hidden_state(program: Program, walk: Walk, strip: bool) -> tuple[str, int | None] | None:
    """The interviewer's lines up to the first closing question, with the concerns stripped
    (`strip`) or with every true/false fact flipped, must be the same as in the walk."""
    facts = dict(walk.facts)
    lines = walk.lines[: _close_turn(walk.events)]  # nothing after the close is compared
    if strip:
        other = replace(program, concerns=())
        variant = replay(other, walk.seed, facts, lines)
        how = STRIPPED
    else:
        variant = replay(program, walk.seed, flipped_facts(program, facts), lines)
        how = "with the facts flipped"
    cut = min(_close_turn(walk.events), _close_turn(variant))
    mine = [e for e in interviewer_says(walk.events) if e.turn < cut]
    theirs = [e for e in interviewer_says(variant) if e.turn < cut]
    for a, b in zip(mine, theirs, strict=False):
        if a != b:
            return (
                f"{how}, the interviewer said {json.dumps(b.text)} instead of {json.dumps(a.text)}",
                a.turn,
            )
    if len(mine) != len(theirs):
        extra = (mine if len(mine) > len(theirs) else theirs)[min(len(mine), len(theirs))]
        return f"{how}, the interviewer said a different number of lines", extra.turn
    return None


def well_formed(program: Program, events: Sequence[Event]) -> tuple[str, int | None] | None:
    """Turns never go back and each candidate line is the next turn; exactly one verdict then
    one end, last; the fields hold values this scenario knows; every event is JSON that reads
    back as the same event."""
    intents = {i.id for i in program.intents}
    turn = 0
    for i, e in enumerate(events):
        if e.turn < turn:
            return f"event {i} goes back from turn {turn} to {e.turn}", turn
        if isinstance(e, SayEvent) and not e.by_interviewer and e.turn != turn + 1:
            return f"candidate line {e.turn} after turn {turn}", e.turn
        turn = e.turn
        problem = _field_problem(e, program, intents)
        if problem:
            return f"event {i} ({e.kind}): {problem}", turn
    kinds = [e.kind for e in events]
    if kinds.count("verdict") != 1 or kinds.count("end") != 1 or kinds[-2:] != ["verdict", "end"]:
        return "the transcript does not end with exactly one verdict and one end", None
    return None


def _field_problem(e: Event, program: Program, intents: set[str]) -> str | None:
    try:
        data = json.loads(json.dumps(e.to_json(), allow_nan=False))
        if event_from_json(data) != e:
            return f"does not read back as itself from {data!r}"
    except (TypeError, ValueError) as problem:  # MalformedEvent is a ValueError
        return f"not a transcript event: {problem}"
    if isinstance(e, SayEvent) and e.by_interviewer and e.state not in program.machine.states:
        return f"unknown state {e.state!r}"
    if isinstance(e, IntentEvent) and e.intent is not None and e.intent not in intents:
        return f"unknown intent {e.intent!r}"
    if isinstance(e, ConcernEvent) and e.concern not in program.concern_by_id:
        return f"unknown concern {e.concern!r}"
    if isinstance(e, VerdictEvent) and not 0 <= e.score <= 100:
        return f"bad verdict score {e.score!r}"
    return None


def _same(
    expected: Sequence[Event], got: Sequence[Event], how: str
) -> tuple[str, int | None] | None:
    for a, b in zip(expected, got, strict=False):
        if a != b:
            return (
                f"{how} differs at turn {a.turn}: {_short(b)} instead of {_short(a)}",
                a.turn,
            )
    if len(expected) != len(got):
        return f"{how} has {len(got)} events instead of {len(expected)}", None
    return None


def _close_turn(events: Sequence[Event]) -> int:
    """The on-time closing question's turn; past any walk when there is none."""
    turn = closing_turn(events)
    return 1 << 30 if turn is None else turn


def _interviewer(e: Event) -> bool:
    return isinstance(e, SayEvent) and e.by_interviewer


def _short(e: Event) -> str:
    text = json.dumps(e.to_json(), ensure_ascii=False)
    return text if len(text) <= 160 else text[:157] + "..."


def _describe(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}"


# ---- writing a walk as a conversation test ---------------------------------------------------


def walk_as_test(program: Program, found: Violation | Walk, scenario_ref: str) -> str:
    """The walk (or the violation's walk) as a ready-to-save `*.test.yaml` case. Where the
    invariant says what should have happened, the case expects that; elsewhere it pins what was
    observed (replies, intents, states, concern events), so it fails if the behaviour changes."""
    if isinstance(found, Walk):
        seed, facts, lines, invariant = found.seed, dict(found.facts), found.lines, None
        message, turn = "", None
    else:
        seed, lines, invariant = found.walk_seed, found.lines, found.invariant
        facts, message, turn = walk_facts(program, seed), found.message, found.turn
    states: list[str] = []
    crashed = ""
    try:
        events = replay(program, seed, facts, lines, states=states)
    except Exception as problem:  # the case still shows the lines that crash
        crashed = _describe(problem)
        events = []
    baseline = invariant == "hidden_state" and not crashed
    if baseline:  # what should have been said: what the program says without any concerns
        plain = replay(replace(program, concerns=()), seed, facts, lines)
        events = [e for e in events if not _interviewer(e)] + [e for e in plain if _interviewer(e)]
    per_turn: dict[int, list[Event]] = {}
    for e in events:
        per_turn.setdefault(e.turn, []).append(e)
    name = f"explore walk {seed}" + (f": {invariant}" if invariant else "")
    out = []
    if invariant:
        out.append(
            f"# Found by closer test --explore: {invariant} at turn {turn}. {yaml_comment(message)}"
        )
    else:
        out.append(f"# An explored conversation (walk seed {seed}), its behaviour pinned.")
    if baseline:
        out.append("# The replies expected are those of the same scenario without its concerns.")
    if crashed:
        out.append(f"# Replaying it raises {yaml_comment(crashed)}")
    out += [
        "closer_test: 1",
        f"scenario: {yaml_str(scenario_ref)}",
        f"seed: {seed}",
        "cases:",
    ]
    out += _case(program, name, facts, lines, per_turn, states, invariant, turn, crashed)
    if invariant == "hidden_state" and flipped_facts(program, facts):
        flipped = flipped_facts(program, facts)
        out += _case(
            program, name + " (facts flipped, same lines)", flipped, lines, per_turn, states,
            invariant, turn, crashed, replies_only=True,
        )  # fmt: skip
    return "\n".join(out) + "\n"


def _case(
    program: Program,
    name: str,
    facts: Mapping[str, Fact],
    lines: Sequence[str],
    per_turn: Mapping[int, list[Event]],
    states: Sequence[str],
    invariant: str | None,
    turn: int | None,
    crashed: str,
    replies_only: bool = False,
) -> list[str]:
    out = [f"  - name: {yaml_str(name)}"]
    if facts:
        out.append(f"    facts: {yaml_flow(facts)}")
    out.append("    steps:")
    for i, line in enumerate(lines, start=1):
        out.append(f"      - say: {yaml_str(line)}")
        if not crashed and i <= len(states):
            step = _step(program, per_turn.get(i, []), states[i - 1], invariant, i == turn)
            if replies_only:
                step = {k: v for k, v in step.items() if k == "reply"}
            out += [f"        {k}: {v}" for k, v in step.items()]
    final = [e for es in per_turn.values() for e in es]
    verdict = next((e for e in final if isinstance(e, VerdictEvent)), None)
    if (
        verdict is not None
        and not replies_only
        and invariant in (None, "determinism", "round_trip")
    ):
        last: dict[str, str] = {}
        for e in final:
            if isinstance(e, ConcernEvent):
                last[e.concern] = e.status
        out.append("    expect:")
        out.append(f"      verdict: {verdict.outcome}")
        out.append(f"      score: {{min: {verdict.score}, max: {verdict.score}}}")
        if last:
            out.append(f"      concerns: {yaml_flow(last)}")
    return out


def _step(
    program: Program, evs: Sequence[Event], state: str, invariant: str | None, at: bool
) -> dict[str, str]:
    """The expectations of one step, rendered: pinned from `evs`, except at the violation's
    turn (`at`), where the invariant says what should have happened instead."""
    if at and invariant == "early_reveal":
        early = [
            e.concern
            for e in evs
            if isinstance(e, ConcernEvent) and e.status in ("hinted", "revealed")
        ]
        if early:
            return {"concerns": yaml_flow({c: "hidden" for c in dict.fromkeys(early)})}
        return {"cue": "none"}
    if at and invariant == "turn_bound":
        return {"phase": "ended  # the interview should have ended by now"}
    step = pinned_step(evs, state, program.phase(state))
    if at and invariant == "hidden_state":
        return {"reply": step["reply"]}
    return step
