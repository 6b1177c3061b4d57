"""What a turn no longer works out is what it would have found: each short cut of the session's
own per-turn work (issue 12, goal 2) held to the work it replaces, on the paraphrase and blind
lines (and pairs of them, as lines of several sentences) for every shipped persona."""

from __future__ import annotations

import dataclasses
import functools
import random
from types import SimpleNamespace

import pytest

from closer.engine.format import model as m
from closer.engine.format.patterns import normalize
from closer.engine.runtime import concerns, judge, reading
from closer.engine.runtime.program import Exit, FollowUp, Program
from closer.scenarios import DIR
from tests.helpers import assert_final
from tests.test_index import paraphrase_lines, shipped_program

PERSONAS = sorted(p.stem for p in DIR.glob("*.yaml"))


@functools.cache
def lines() -> list[str]:
    """Every paraphrase and blind line, a question-marked copy of each, and 300 pairs of them
    (a line of two sentences, one of them sometimes asking)."""
    one = sorted(set(paraphrase_lines()))
    rng = random.Random(17)
    pairs = [f"{rng.choice(one)} {rng.choice(one).rstrip('.?!')}?" for _ in range(300)]
    return one + [f"{x.rstrip('.?!')}?" for x in one[::5]] + pairs


def asked_by_classifying(program: Program, text: str, intent: str) -> bool:
    """`reading._asked` as it was: every sentence that asks is classified."""
    allowed = frozenset({intent})
    return any(program.classify(s.utt, allowed) is not None for s in reading.shapes(text) if s.asks)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_sentence_that_is_the_whole_line_asks_for_what_the_line_matched(persona: str) -> None:
    program = shipped_program(persona)
    shortcut = 0
    for text in lines():
        utt = normalize(text)
        for allowed in {program.listening(s, utt) for s in program.machine.states}:
            match = program.classify(utt, allowed)
            if match is None:
                continue
            parts = reading.shapes(text)
            got = reading._asked(program, parts, match.intent, utt)
            assert got == asked_by_classifying(program, text, match.intent), (text, match)
            shortcut += any(s.utt is utt and s.asks for s in parts)
    assert shortcut > 50  # the short cut was taken, and agreed


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_line_the_tone_markers_cannot_hear_carries_no_feeling(persona: str) -> None:
    program = shipped_program(persona)
    unheard = heard = 0
    for text in lines():
        utt = normalize(text)
        found = [program.marker(name, utt) for name in m.TONES]
        linear = [
            any(p.pattern.match(utt) is not None for p in program.markers.get(name, ()))
            for name in m.TONES
        ]
        assert found == linear, text
        if program.unheard(m.TONES, utt):
            unheard += 1
            assert not any(found), text
        heard += any(found)
    assert unheard > 100 and heard > 20  # both kinds of line were met


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_exit_asks_the_program_what_the_patterns_would_answer(persona: str) -> None:
    program = shipped_program(persona)
    conditions = [
        e.condition
        for e in program.machine.declared
        if isinstance(e.exit, (Exit, FollowUp)) and e.condition is not None
    ]
    state = SimpleNamespace(follow_ups=[], answers={})
    held = 0
    for text in lines()[::3]:
        utt = normalize(text)
        for test in conditions:
            plain = test(state, {"utt": utt})
            assert test(state, {"utt": utt, "hears": program.any_match}) == plain, text
            held += plain
    assert held > 0


def assessed_as_before(program: Program, q: m.Question, lines: list[str]) -> judge.AssessEvent:
    """`judge.assess` as it was: every sentence is asked whether it dodges, concrete or not."""
    text = "\n".join(lines)
    said = reading.sentences(text)
    f = judge.features(text)
    heard = {
        "example": f.stories > 0 or judge._marker(program, "example", said),
        "numbers": f.numbers > 0,
        "ownership": f.own_actions > 0,
        "result": judge._marker(program, "result", said),
        "on_topic": judge._on_topic(program, q, said),
    }
    concrete = heard["example"] or heard["numbers"]
    dodging = [u for u in said if judge._marker(program, "evasive", [u], guard=False)]
    rest = sum(len(u.words) for u in said if u not in dodging)
    evasive = bool(dodging) and not concrete and rest < 2 * judge.THIN
    thin = rest < judge.THIN and not (concrete or heard["result"])
    flagged = {
        "evasive": evasive,
        "thin": thin,
        "only_we": f.we_actions > 0 and f.own_actions == 0,
        "off_topic": not heard["on_topic"] and not (thin or evasive),
        "red_flag": judge._marker(program, "defensive", said),
    }
    shows = tuple(k for k in m.QUALITIES if heard[k])
    flags = tuple(k for k in m.FLAGS if flagged[k])
    lacks = tuple(k for k in q.rubric.wants if k not in shows)
    points = sum(judge.WORTH[k] * (2 if k in q.rubric.wants else 1) for k in shows)
    points -= sum(judge.COST[k] for k in flags)
    return judge.AssessEvent(1, q.id, shows, lacks, flags, points)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_concrete_answer_is_judged_as_when_every_sentence_was_asked_if_it_dodges(
    persona: str,
) -> None:
    program = shipped_program(persona)
    rng = random.Random(5)
    every = lines()
    flags = set()
    for i, text in enumerate(every):
        q = program.questions[program.order[i % len(program.order)]]
        answer = [text] if i % 4 else [text, rng.choice(every)]  # a follow-up's two lines
        got = judge.assess(program, q, answer, 1)
        assert got == assessed_as_before(program, q, answer), answer
        flags.update(got.flags)
    assert {"evasive", "thin"} <= flags  # dodges and thin answers were met


def features_as_before(text: str) -> judge.Features:
    """`judge.features` as it was: every word asked whether it is a number (`_is_number`)."""
    words = numbers = names = own = we = stories = 0
    for utt in reading.sentences(text):
        raw, ws = utt.text, utt.words
        words += len(ws)
        numbers += sum(1 for w in ws if judge._is_number(w))
        names += judge._names(raw)
        if raw.rstrip().endswith("?") or ("i" not in ws and "we" not in ws):
            continue
        mine, told = 0, False
        for i, w in enumerate(ws):
            found = judge._verb_after(ws, i) if w in ("i", "we") else None
            if found is None or not judge._is_action(found[0]):
                continue
            mine += w == "i"
            we += w == "we"
            told = told or (judge._is_past(found[0]) and not found[1])
        if not mine and "i" in ws:
            mine = judge._listed_after_i(ws, utt.clauses)
        own += mine
        stories += told
    return judge.Features(words, numbers, names, own, we, stories if numbers or names else 0)


def test_a_sentence_of_letters_only_is_counted_as_when_every_word_was_asked() -> None:
    numbered = 0
    for text in [*lines(), "We cut it from 40 to 3.5 minutes in 2019.", "twelve of us, x2 and 1st"]:
        got = judge.features(text)
        assert got == features_as_before(text), text
        numbered += got.numbers > 0
    assert numbered > 20


def concern_lists(c: m.Concern) -> list[tuple[m.Pat, ...]]:
    """Every list of patterns the concern scan reads a line with for `c`."""
    theme = [c.theme.patterns, c.theme.counter] if c.theme is not None else []
    return [c.triggers, c.worsened_by, *(g.patterns for g in c.groups), *theme]


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_concern_deaf_to_a_line_hears_none_of_its_sentences(persona: str) -> None:
    """`Program.deaf` (the concern scan passes the concern over) only when no pattern of its
    lists matches the line, nor a sentence of it (tried one by one, without the index)."""
    program = shipped_program(persona)
    deaf = heard = 0
    for text in lines():
        utt = normalize(text)
        said = reading.sentences(text)
        assert concerns._within(said, utt), text  # none of these lines is cut at its limits
        deafened = program.deaf(utt)
        for c in program.concerns:
            found = any(
                p.pattern.match(u, guard) is not None
                for u in (utt, *said)
                for pats in concern_lists(c)
                for p in pats
                for guard in (False, True)
            )
            if c.id in deafened:
                deaf += 1
                assert not found, (text, c.id)
            heard += found
    assert deaf > 500 and heard > 50  # both kinds were met


def test_a_line_cut_at_its_limit_does_not_hold_its_sentences_words() -> None:
    """The scan's short cut needs every sentence's words in the line; a line cut at
    MAX_UTTERANCE may lose the last sentence's, and then the scan asks each list."""
    text = "We were fine. " * 150 + "Nobody ever blamed anyone."
    said = reading.sentences(text)
    assert not concerns._within(said, normalize(text))
    assert concerns._within(said[:-1], normalize(text))


def names_as_before(raw: str) -> int:
    """`judge._names` as it was: every token made, the first left out, the capitals counted."""
    tokens = judge._NAME.findall(raw)
    return sum(1 for t in tokens[1:] if t[0].isupper() and t not in judge._NOT_NAMES)


def test_the_capitalised_words_are_counted_as_when_every_token_was_made() -> None:
    rng = random.Random(11)
    alphabet = "aZbIK  '’-.,é1?"
    texts = [s.text for text in lines() for s in reading.sentences(text)]
    texts += [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(20000)
    ]
    texts += ["I'm at Parcelwise", "OK Bob", "x-Ray -Yes '-No a'-Bc éDe", "’Tis O’Neil's"]
    named = 0
    for raw in texts:
        assert judge._names(raw) == names_as_before(raw), raw
        named += names_as_before(raw) > 0
    assert named > 1000


@dataclasses.dataclass(frozen=True, slots=True)
class DataclassReading:
    """`reading.Reading` as it was: a frozen dataclass."""

    match: object
    intent: str | None
    why: str | None = None
    guess: bool = False
    tone: str | None = None
    deferred_question: bool = False
    form: str | None = None


def test_a_reading_is_what_the_frozen_dataclass_was() -> None:
    """`Reading` is a frozen class with slots, not a dataclass: the same fields, defaults,
    equality, hash and repr (its name aside), frozen, and `but` is `dataclasses.replace`."""
    program = shipped_program("ledgerline")
    utt = normalize("why is this position open?")
    match = program.classify(utt, program.listening("candidate_questions", utt))
    assert match is not None
    cases = [
        (match, match.intent),
        (match, None, "answer"),
        (None, "probe", "guess", True, "hardship"),
        (None, None, None, False, None, True),
        (match, "closing_question", None, False, "nerves", False, "full"),
    ]
    for args in cases:
        new, old = reading.Reading(*args), DataclassReading(*args)
        assert all(getattr(new, f.name) == getattr(old, f.name) for f in dataclasses.fields(old))
        assert repr(new) == repr(old).replace("DataclassReading", "Reading")
        assert new == reading.Reading(*args) and hash(new) == hash(reading.Reading(*args))
        for changes in ({"tone": "bad_day"}, {"form": "plain"}):
            changed = new.but(**changes)
            assert repr(changed) == repr(dataclasses.replace(old, **changes)).replace(
                "DataclassReading", "Reading"
            )
            assert changed != new
        assert_final(new, *new._fields)
    assert reading.Reading(None, None) != reading.Reading(None, None, tone="nerves")


@pytest.mark.compiled_skip("hands the compiled reading a stand-in for SessionState")
@pytest.mark.parametrize("persona", PERSONAS)
def test_a_context_with_no_concern_on_the_table_is_the_one_made_for_its_state(
    persona: str,
) -> None:
    """`context_of` keeps one `Context` a state (it is frozen) for a session with no concern
    on the table: the one it would make, whatever state the last session was in."""
    program = shipped_program(persona)
    states = list(program.machine.states)
    for state in states + states[::-1]:
        st = SimpleNamespace(state=state, current=None, concerns={})
        got = reading.context_of(program, st)  # type: ignore[arg-type]
        assert got == reading.Context(state) and got.state == state
        assert got.concern is None and got.said == 0
    c = program.concerns[0]
    st = SimpleNamespace(
        state="closing_discussion", current=c.id, concerns={c.id: SimpleNamespace(said=1)}
    )
    assert reading.context_of(program, st) == reading.Context(  # type: ignore[arg-type]
        "closing_discussion", c, 1
    )


def test_the_clarifying_openers_are_found_as_when_each_was_compared() -> None:
    """`reading._opens_clarifying` looks the line's first words up once for each opener length;
    it finds what comparing every opener found (each opener itself, each cut short by a word,
    with words after it, and every paraphrase and blind line)."""
    openers = reading._CLARIFY_OPENERS
    leads = [tuple(normalize(text).words) for text in lines()]
    leads += (
        [o for o in openers] + [o[:-1] for o in openers] + [(*o, "the", "rota") for o in openers]
    )
    found = 0
    for lead in leads:
        compared = any(lead[: len(o)] == o for o in openers)
        assert reading._opens_clarifying(lead) == compared, lead
        found += compared
    assert found > len(openers) * 2  # openers were met, and words that are none
