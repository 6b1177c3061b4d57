"""The hidden concerns of one session: raised by the background or by what is said, pre-empted
by evidence given early, surfaced after the closing question, and resolved, part-resolved or
made worse by the candidate's answers (M2, M5-M8).

Every status change goes through `move`, which fires the lifecycle machine
(`machine.LIFECYCLE`) on the concern's `ConcernState` and records the event. Touches only
`SessionState.concerns` and `defensive`, and says lines through the session's `Voice`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from closer.engine.errors import EngineError
from closer.engine.format import model as m
from closer.engine.format.patterns import Utterance, normalize
from closer.engine.runtime.events import ConcernEvent, Event
from closer.engine.runtime.machine import concern_machine
from closer.engine.runtime.program import Program
from closer.engine.runtime.reading import evidence, pushback, sentences
from closer.engine.runtime.voice import Voice

if TYPE_CHECKING:
    from closer.engine.runtime.session import SessionState

ACTIVE = ("raised", "worsened")
DRILL_MOST = 3  # the most concerns a closing drill draws
_WORSENABLE = frozenset({*ACTIVE, "hinted", "revealed", "partly_resolved"})  # what worsens


@dataclass
class ConcernState:
    """One concern in one session. `status` is moved only by the lifecycle machine; `said` is
    what the interviewer has said of it aloud (0 nothing, 1 the vague line, 2 the specific one);
    `worse` stays true once anything made it worse, and then it can no longer be fully resolved;
    `groups` are the evidence groups heard so far; `probes` counts probes after the vague line;
    `theme` and `counter` count a theme concern's emphasis and counter-evidence."""

    status: str = "inactive"
    said: int = 0
    probes: int = 0
    groups: list[str] = field(default_factory=list)
    theme: int = 0
    counter: int = 0
    worse: bool = False


class ConcernTracker:
    def __init__(self, program: Program, st: SessionState, voice: Voice) -> None:
        self.program = program
        self.st = st
        self.voice = voice

    def _any(self, pats: tuple[m.Pat, ...], utt: Utterance) -> bool:
        return self.program.any_match(pats, utt, guard=True)

    def get(self, cid: str | None) -> m.Concern:
        return self.program.concern(cid)

    def move(self, c: m.Concern, status: str, **extra: Any) -> None:
        concern_machine().move(self.st.concerns[c.id], status)
        self.voice.concern(c.id, status, **extra)

    # -- before anything is said aloud ----------------------------------------------------------

    def raise_background(self) -> None:
        facts = self.st.facts
        for c in self.program.concerns:
            if c.source == "background" and (c.when_fact is None or facts.get(c.when_fact)):
                self.move(c, "raised")

    def raise_drawn(self) -> None:
        """A closing drill's concerns (`draw`, with the session's own generator), raised at
        once as if the interview had raised them. They are the turn's `raised` events; the
        same program and seed draw the same ones."""
        for c in draw(self.program, self.st.generator()):
            self.move(c, "raised")

    def scan(self, utt: Utterance, text: str, state: str) -> None:
        """Hidden state only: raise concerns, collect evidence, note what makes things worse.
        Raising reads the line sentence by sentence (`_triggered`); evidence and `worsened_by`
        read it whole."""
        before_close = self.st.closing_turn is None
        said = sentences(text)
        heard = self.program.heard
        # a sentence's words are the line's (unless the line was cut at its limits): a concern
        # whose lists cannot hear the line cannot hear its sentences either
        whole = (len(said) == 1 and said[0] is utt) or _within(said, utt)
        deaf = self.program.deaf(utt) if whole else ()
        hears, states = self.program.any_match, self.st.concerns
        for c in self.program.concerns:
            cs = states[c.id]
            if c.id in deaf and (c.theme is None or not _theme_met(c, cs)):
                continue  # nothing to raise, no evidence, nothing worse: most concerns, most lines
            how = self._triggered(c, cs, said, state) if cs.status == "inactive" else None
            raised = how is not None
            if raised:
                self.move(c, "raised", quote=text)
            if not heard(c, utt):  # no evidence, nothing worse: most concerns, most lines
                new: list[str] = []
                if not raised:
                    continue
                # raised now: it may be pre-empted by evidence given earlier, below
            else:
                new = [
                    g.id for g in c.groups if g.id not in cs.groups and hears(g.patterns, utt, True)
                ]
            # a red flag is not undone by the rest of the line that raised it, a misunderstanding
            # is: she does not misread "never opened alone" in a line that says "I had the keys"
            if new or raised:  # evidence given earlier pre-empts a concern raised now
                flag = how == "trigger" and c.source != "misunderstanding"
                counted = set(cs.groups) if flag else {*cs.groups, *new}
                cs.groups.extend(new)
                # not yet said aloud (before the close, or waiting behind another concern):
                # evidence that settles it means she need not bring it up
                if c.preempt and cs.status in ACTIVE and cs.said == 0 and c.resolve.met(counted):
                    self.move(c, "preempted", quote=text, evidence=list(cs.groups))
                    continue
            if cs.status in _WORSENABLE and hears(c.worsened_by, utt, True):
                cs.worse = True
                if before_close and cs.status != "worsened":
                    self.move(c, "worsened", quote=text)

    def _triggered(
        self, c: m.Concern, cs: ConcernState, said: Sequence[Utterance], state: str
    ) -> str | None:
        """How this line raises the concern: "trigger" (a sentence matched a trigger and did
        not answer it itself), "theme" (the emphasis counted sentence by sentence reached the
        threshold), or None."""
        if c.during and state not in c.during:
            return None
        if c.when_fact is not None and not self.st.facts.get(c.when_fact):
            return None
        if c.source == "background":
            return None
        any_match = self.program.any_match
        if any(any_match(c.triggers, s, True) and not _answers(c, s, self._any) for s in said):
            return "trigger"
        if c.source == "theme" and c.theme is not None:
            count = self.program.count
            for s in said:
                cs.theme += count(c.theme.patterns, s, guard=True)
                cs.counter += count(c.theme.counter, s, guard=True)
            if cs.theme >= c.theme.at_least and cs.counter <= c.theme.at_most:
                return "theme"
        return None

    # -- after the closing question ---------------------------------------------------------------

    def pending(self, asked: Utterance) -> m.Concern | None:
        """The next concern to bring up: active, never said aloud, first by order and severity;
        one the question `asked` names ("is the gap going to be an issue for you?": its `about`
        patterns) before the others."""
        waiting = [
            c
            for c in self.program.concerns
            if self.st.concerns[c.id].status in ACTIVE and self.st.concerns[c.id].said == 0
        ]
        if not waiting:
            return None
        named = [c for c in waiting if self.program.any_match(c.about, asked)]
        return min(
            named or waiting,
            key=lambda c: (c.order, -c.severity, self.program.concerns.index(c)),
        )

    def cue(self, c: m.Concern | None, first: bool) -> None:
        """The hesitation before concern `c` is put on the table, or the quick answer when
        there is none (to the closing question, or to "anything else?")."""
        style = self.program.style
        if c is None:
            quick = style.no_concerns if first and self.st.current is None else style.nothing_else
            self.voice.cue("quick", quick)
        else:
            self.voice.cue("hesitation", style.hesitation)
        self.st.current = c.id if c is not None else None

    def hint(self, c: m.Concern) -> None:
        """Say the vague line (and the specific one straight after, if it needs no probe)."""
        self.st.concerns[c.id].said = 1
        self.voice.say(c.vague)
        self.move(c, "hinted")
        if c.probes == 0:
            self.reveal(c)

    def reveal(self, c: m.Concern) -> None:
        self.st.concerns[c.id].said = 2
        self.voice.say(c.specific)
        self.move(c, "revealed")

    def probe(self, c: m.Concern, strong: bool = False) -> None:
        """The candidate asked what the vague line meant: the specific line once enough probes
        were heard (a `strong` probe, one that names the concern, is enough on its own), else
        the vague line in other words (another variant; the voice never repeats a line)."""
        cs = self.st.concerns[c.id]
        cs.probes += 1
        if strong or cs.probes >= c.probes:
            self.reveal(c)
        else:
            self.voice.say(c.vague)

    def missing(self, c: m.Concern) -> str:
        have = set(self.st.concerns[c.id].groups)
        wanted = [g for g in c.groups if g.id in c.resolve.all and g.id not in have] or [
            g for g in c.groups if g.id not in have
        ]
        return wanted[0].label if wanted else "a concrete example"

    def in_passing(self, c: m.Concern, utt: Utterance, state: str) -> None:
        """A goodbye that also answers the concern on the table ("I'm flexible on base. Thanks,
        bye"): a goodbye is not scanned for evidence; this one is, and she answers it first."""
        if evidence(self.program, c, utt):
            self.scan(utt, utt.text, state)
            self.address(c, None, utt, quiet=False)

    def confirm(self, c: m.Concern) -> None:
        """ "Does that address your concern?" answered from where the concern stands."""
        style = self.program.style
        status = self.st.concerns[c.id].status
        if status == "resolved":
            self.voice.say(style.confirm_resolved)
        elif status == "partly_resolved" and spoiled(c, self.st.concerns[c.id]):
            self.voice.say(style.still_worried)
        elif status == "partly_resolved":
            self.voice.say(style.confirm_partial, missing=self.missing(c))
        else:
            self.voice.say(style.confirm_unresolved, missing=self.missing(c))

    def address(self, c: m.Concern, intent: str | None, utt: Utterance, quiet: bool) -> bool:
        """The candidate answers the concern on the table (or another one already out in the
        open): resolve it, part-resolve it, or make it worse. False when the answer gave her
        nothing to go on: then she says her first reply to that, unless `quiet` (the session
        escalates instead)."""
        style = self.program.style
        if pushback(self.program, utt) or self._any(c.worsened_by, utt):
            cs = self.st.concerns[c.id]
            self.st.defensive += 1
            cs.worse = True
            if cs.status != "worsened":
                self.move(c, "worsened")
            self.voice.say(c.worsened or style.fallback)
            return True
        others = [
            o
            for o in self.program.concerns
            if o.id != c.id
            and self.st.concerns[o.id].said > 0
            and self.st.concerns[o.id].status != "resolved"
        ]
        for target in (c, *others):
            if self._settle(target, utt):
                return True
        if intent == "acknowledge":
            self.voice.say(style.acknowledgements)
            return True
        if not quiet and self.st.concerns[c.id].said < 2:
            self.voice.say(style.not_quite)
        elif not quiet:
            self.voice.say(c.unresolved or style.confirm_unresolved, missing=self.missing(c))
        return False

    def _settle(self, c: m.Concern, utt: Utterance) -> bool:
        """Apply this turn's evidence to a surfaced concern; False if there was none for it."""
        style = self.program.style
        cs = self.st.concerns[c.id]
        if not any(self._any(g.patterns, utt) for g in c.groups):
            return False
        groups = set(cs.groups)
        if c.resolve.met(groups) and cs.said < 2:
            if cs.status != "partly_resolved":
                self.move(c, "partly_resolved", evidence=sorted(groups), early=True)
            self.voice.say(style.not_quite)
        elif c.resolve.met(groups) and not cs.worse:
            if cs.status != "resolved":
                self.move(c, "resolved", evidence=sorted(groups))
            self.voice.say(c.resolved or style.answer_resolved)
        elif c.partial.met(groups) or c.resolve.met(groups):
            if cs.status not in ("partly_resolved", "resolved"):
                self.move(c, "partly_resolved", evidence=sorted(groups), early=cs.said < 2)
            if spoiled(c, cs):  # more evidence cannot settle it: asking for it would mislead
                self.voice.say(style.still_worried)
            else:
                self.voice.say(c.partly_resolved or style.answer_partial, missing=self.missing(c))
        else:
            return False
        return True


def _answers(c: m.Concern, sentence: Utterance, heard: Callable[..., bool]) -> bool:
    """Does this sentence answer the concern its trigger raises ("speed matters more than
    perfection, as long as every change has tests")? Its evidence, or for a theme its
    counter-patterns, in the same sentence; never for a concern that evidence cannot
    pre-empt (`preempt: false`). A red flag after a "but" is answered only after it."""
    if not c.preempt:
        return False
    words = sentence.words
    if "but" in words and c.source != "misunderstanding":  # "testing matters, but speed
        # matters more than perfection": a red flag after the last "but" is what she hears
        after = normalize(" ".join(words[len(words) - words[::-1].index("but") :]))
        if heard(c.triggers, after):
            sentence = after
    if c.theme is not None and heard(c.theme.counter, sentence):
        return True
    return any(heard(g.patterns, sentence) for g in c.groups)


def spoiled(c: m.Concern, cs: ConcernState) -> bool:
    """All the evidence `c` needs is in, but something said made it worse: nothing more the
    candidate gives can settle it now."""
    return cs.worse and c.resolve.met(set(cs.groups))


def _within(said: Sequence[Utterance], utt: Utterance) -> bool:
    """Is every word of the sentences a word of the line (`utt`)?"""
    words = set(utt.words)
    return all(words.issuperset(s.words) for s in said)


def _theme_met(c: m.Concern, cs: ConcernState) -> bool:
    """Would an inactive theme concern be raised by a line that adds nothing to its counts?"""
    theme = c.theme
    return (
        cs.status == "inactive"
        and theme is not None
        and cs.theme >= theme.at_least
        and cs.counter <= theme.at_most
    )


def holdable(program: Program) -> tuple[m.Concern, ...]:
    """The concerns some interview with this persona could raise, which a closing drill may
    draw: a background concern whatever the candidate card's facts say (the drill is practice),
    a theme concern with a theme to count, any other with a trigger. A concern nothing could
    raise is never drawn."""
    return tuple(
        c
        for c in program.concerns
        if c.source == "background"
        or (c.theme is not None if c.source == "theme" else bool(c.triggers))
    )


def draw(program: Program, rng: random.Random) -> tuple[m.Concern, ...]:
    """A closing drill's concerns: 1 to DRILL_MOST distinct ones of `holdable`, drawn with
    `rng` (the session's own generator), in the scenario's order; none when it has none."""
    pool = holdable(program)
    if not pool:
        return ()
    chosen = set(rng.sample(range(len(pool)), rng.randint(1, min(DRILL_MOST, len(pool)))))
    return tuple(c for i, c in enumerate(pool) if i in chosen)


def impossible_move(events: Sequence[Event]) -> tuple[int, str] | None:
    """The first concern event whose status change the lifecycle does not allow (only a
    transcript edited by hand has one), as its index and what is wrong; None if there is none."""
    concerns: dict[str, ConcernState] = {}
    for i, e in enumerate(events):
        if isinstance(e, ConcernEvent):
            cs = concerns.setdefault(e.concern, ConcernState())
            before = cs.status
            try:
                concern_machine().move(cs, e.status)
            except EngineError:
                return i, f"concern {e.concern!r} cannot go from {before} to {e.status}"
    return None
