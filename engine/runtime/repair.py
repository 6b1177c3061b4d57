"""How the interviewer keeps the conversation going when it stalls, and answers feelings: the
way a person does, never the same line twice (M1: the tone stays polite whatever she thinks).

`Repair` counts the turns in a row that moved nothing on (`SessionState.stuck`) and escalates:
a first reply, then asking what the candidate means (or, with only her vague line said,
spelling the concern out), then moving on gracefully. It also picks the fitting word for a line
that carries a feeling (`Reading.tone`). Touches only `SessionState.stuck`, and says lines
through the session's `Voice`; the concern's own moves go through the `ConcernTracker`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from closer.engine.format import model as m
from closer.engine.format.patterns import Utterance
from closer.engine.runtime.concerns import ConcernTracker, spoiled
from closer.engine.runtime.events import AssessEvent
from closer.engine.runtime.program import looks_like_question
from closer.engine.runtime.reading import Reading
from closer.engine.runtime.voice import Voice

if TYPE_CHECKING:
    from closer.engine.runtime.session import SessionState


class Repair:
    def __init__(
        self, style: m.Style, st: SessionState, voice: Voice, concerns: ConcernTracker
    ) -> None:
        self.style = style
        self.st = st
        self.voice = voice
        self.concerns = concerns
        self.level = 0  # `stuck` as this turn found it
        self.reading = Reading(None, None)
        self.dodged = False  # this turn's answer to a question was judged evasive

    def begin(self, reading: Reading) -> None:
        """A new line: remember how far repair had gone, and assume this turn moves on."""
        self.level, self.st.stuck = self.st.stuck, 0
        self.reading = reading
        self.dodged = False

    def answered(self, judged: AssessEvent) -> None:
        """How this turn's answer to a question was judged (see `acknowledge`)."""
        self.dodged = "evasive" in judged.flags

    def acknowledge(self, plain: m.Lines) -> m.Lines:
        """The word on leaving a question: one for a feeling, a plain "Okay." for a dodge (not
        "that's helpful"), else `plain`."""
        return self.tone() or (self.style.fallback if self.dodged else plain)

    def stuck(self) -> int:
        """This turn moved nothing on: how many turns before it did the same (0, 1, 2 ...)."""
        self.st.stuck = self.level + 1
        return self.level

    def tone(self) -> m.Lines:
        """What a person says first to a line that carries a feeling (nothing if it does not)."""
        tone, s = self.reading.tone, self.style
        if tone is None:  # most lines
            return ()
        table = {"hardship": s.sympathy, "nerves": s.reassure, "bad_day": s.sympathy_light}
        return table.get(tone, ())

    def not_understood(self, utt: Utterance, first: m.Lines) -> None:
        """No intent: an unknown question gets an honest answer; a remark gets a fitting word,
        then (if the next line is not understood either) a request to put it another way,
        then a graceful move on."""
        if looks_like_question(utt):
            self.voice.say(self.style.unknown_question)
            return
        tone = self.tone()
        level = self.stuck()
        if tone:
            self.voice.say(tone)
        elif level == 0:
            self.voice.say(first)
        elif level == 1:
            self.voice.say(self.style.repair_ask)
        else:
            self.voice.say(self.style.repair_move_on)

    def probe(self, c: m.Concern) -> None:
        """Asked what she meant. Vague line on the table: a probe (a guess that names it
        counts in full) brings her closer to the specific line. Specific line on the table:
        the heart of it, then what would help, then a graceful move on: never the same again."""
        cs = self.st.concerns[c.id]
        if cs.said == 1:
            self.concerns.probe(c, strong=self.reading.guess)
            return
        level = self.stuck()
        if level == 0:
            self.voice.say(self.style.already_said)
        elif level == 1 and cs.status not in ("resolved", "preempted") and not spoiled(c, cs):
            self.voice.say(self.style.repair_hint, missing=self.concerns.missing(c))
        else:
            self.voice.say(self.style.repair_move_on)

    def address(self, c: m.Concern, intent: str | None, utt: Utterance) -> None:
        """An answer to the concern on the table, judged on its evidence. One that gives her
        nothing to go on escalates: her first reply, then asking what they mean (or, with only
        the vague line said, spelling the concern out), then moving on."""
        if self.concerns.address(c, intent, utt, quiet=self.level > 0):
            return
        level = self.stuck()
        if level == 0:
            return  # address() said its first reply
        if self.st.concerns[c.id].said == 1:
            self.voice.say(self.style.plainly)
            self.concerns.reveal(c)
        elif level == 1:
            self.voice.say(self.style.repair_ask)
        else:
            self.voice.say(self.style.repair_move_on)
