"""A short line a candidate question matched is read as before when the other intents are asked
first (`reading._read`): whether a sentence of it asks is worked out only when another intent
matched, which most short lines do not."""

from __future__ import annotations

import pytest

from closer.engine.format.patterns import Utterance, normalize
from closer.engine.runtime import reading
from closer.engine.runtime.program import CQ, Program
from closer.engine.runtime.reading import SHORT_REMARK, Context, Reading
from tests.test_index import PERSONAS, shipped_program
from tests.test_turn_work import lines


def read_as_before(program: Program, text: str, utt: Utterance) -> Reading:
    """`reading._read` in the candidate questions as it was: whether a sentence asks for the
    intent the line matched first, then the other intents."""
    allowed = program.listening(CQ, utt)
    match = program.classify(utt, allowed)
    tone = reading.tone_of(program, utt)
    cq = program.candidate_questions
    if (
        len(utt.words) <= SHORT_REMARK
        and match is not None
        and match.intent in cq
        and not reading._asked(program, reading.shapes(text), match.intent, utt)
    ):
        other = program.classify(utt, program.besides(allowed, cq))
        if other is not None:
            return Reading(other, other.intent, tone=tone)
    return Reading(match, match.intent if match else None, tone=tone)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_short_line_in_the_candidate_questions_is_read_as_before(persona: str) -> None:
    program = shipped_program(persona)
    other = asked = 0
    for text in lines():
        utt = normalize(text)
        got = reading._read(program, Context(CQ), text, utt)
        before = read_as_before(program, text, utt)
        assert got == before, text
        if before.intent is not None and before.intent not in program.candidate_questions:
            match = program.classify(utt, program.listening(CQ, utt))
            other += match is not None and match.intent in program.candidate_questions
        asked += got.intent in program.candidate_questions
    assert other > 0 and asked > 100  # both ways out were met


def test_a_short_line_no_other_intent_matches_is_not_split_into_sentences(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    program = shipped_program(PERSONAS[0])
    split: list[str] = []
    shapes = reading.shapes
    monkeypatch.setattr(reading, "shapes", lambda text: split.append(text) or shapes(text))
    text = "what does a typical day look like"
    utt = normalize(text)
    got = reading._read(program, Context(CQ), text, utt)
    assert got.intent in program.candidate_questions
    assert (
        program.classify(
            utt, program.besides(program.listening(CQ, utt), program.candidate_questions)
        )
        is None
    )
    assert split == []
