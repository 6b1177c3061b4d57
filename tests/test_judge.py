"""Judging answers (engine/runtime/judge.py): what one answer shows, what counts against it, and
how a follow-up adds to the first answer. Driven through the session, as a player would."""

from __future__ import annotations

import random
import sys
from typing import Any

import pytest

from closer.engine import Session, compile_scenario, load_path
from closer.engine.format.patterns import NUMBER_WORDS
from closer.engine.runtime.events import AssessEvent, SayEvent
from closer.engine.runtime.judge import _is_number, features, told
from closer.engine.runtime.program import Program
from closer.engine.runtime.reading import sentences
from closer.scenarios import DIR
from tests.helpers import compile_text, play

STRONG_INCIDENT = (
    "At Tallyhouse last spring our payout queue backed up for two hours. I was on call, I "
    "traced it to a consumer that retried forever, and I shipped a fix with a dead-letter "
    "queue. We cleared the 40,000 stuck payouts by morning and it has not happened since."
)


def answer(program: Program, start: str, *lines: str) -> list[AssessEvent]:
    """The assessments made while answering the question at `start`."""
    session, _ = Session.start(program, 1, start=start)
    found: list[AssessEvent] = []
    for line in lines:
        found += [e for e in session.turn(line).events if isinstance(e, AssessEvent)]
    return found


def test_a_concrete_answer_shows_everything(program: Program) -> None:
    [a] = answer(program, "incident", STRONG_INCIDENT)
    assert a.question == "incident"
    assert set(a.shows) == {"example", "numbers", "ownership", "result", "on_topic"}
    assert a.flags == () and a.lacks == ()
    assert a.points > 0


def test_a_story_told_across_sentences_is_a_concrete_example(program: Program) -> None:
    """Typed in a real terminal: the place and the time in one sentence, the deed in the next.
    The debrief once said this answer "had no concrete example"."""
    line = (
        "At Tallyhouse a Kafka consumer fell behind at 2am and invoices stopped posting. I was on "
        "call, I found a poison message, skipped it to a dead letter queue, and wrote the "
        "postmortem. We added lag alerts and it hasn't happened since."
    )
    [a] = answer(program, "incident", line)
    assert "example" in a.shows and "example" not in a.lacks


@pytest.mark.parametrize(
    "line",
    [
        "I don't remember the details.",
        "Can we move on?",
        "It's all on my resume.",
        "I'd rather not say.",
        # what the blind sets f, g and h labelled evasive and the judge missed, in other words
        "I'd rather not speculate about that, to be honest.",
        "I'd prefer to keep my reasons to myself for now.",
        "It's all in my cover letter really.",
        "I'd rather not go through every job.",
    ],
)
def test_evasions_are_flagged(program: Program, line: str) -> None:
    [a] = answer(program, "incident", line)
    assert "evasive" in a.flags
    assert a.points < 0


def test_a_hedge_inside_a_concrete_answer_is_not_evasive(program: Program) -> None:
    line = (
        "I don't remember the exact number, but I cut our p99 latency from 900 ms to 200 ms "
        "when I rebuilt the routing service at Parcelwise."
    )
    [a] = answer(program, "system", line)
    assert "evasive" not in a.flags
    assert {"numbers", "ownership", "example"} <= set(a.shows)


def test_only_we_and_generic(program: Program) -> None:
    line = "We always tested things carefully and we reviewed each other's code before releases."
    [a] = answer(program, "testing", line)
    assert "only_we" in a.flags
    assert "ownership" not in a.shows and "example" not in a.shows
    assert "example" in a.lacks


def test_a_few_empty_words_are_thin(program: Program) -> None:
    [a] = answer(program, "system", "Yes, it was fine.")
    assert "thin" in a.flags
    assert not set(a.shows) - {"on_topic"}


def test_an_answer_about_something_else_is_off_topic(program: Program) -> None:
    line = "I really enjoy hiking with my family on the weekends, we go up to the lakes a lot."
    [a] = answer(program, "testing", line)
    assert "on_topic" not in a.shows
    assert "off_topic" in a.flags


def test_a_follow_up_answer_adds_to_the_first(program: Program) -> None:
    # no specifics: she asks the follow-up, and the second line is judged with the first
    first = "I designed the routing service at Parcelwise and I built it on Kafka and Postgres."
    second = "It handled about 3,000 requests a second at peak and stayed up through Black Friday."
    a, b = answer(program, "system", first, second)
    assert a.question == b.question == "system"
    assert "numbers" not in a.shows and "numbers" in b.shows
    assert set(a.shows) <= set(b.shows)
    assert b.turn == a.turn + 1 and b.points > a.points


def test_a_red_flag_is_one_that_raised_a_concern(program: Program) -> None:
    [a] = answer(program, "about_you", "My last manager was clueless and the team was a mess.")
    assert "red_flag" in a.flags


def test_no_assessment_for_what_is_not_an_answer(program: Program) -> None:
    session, _ = Session.start(program, 1, start="incident")
    probe = session.turn("What do you mean?")
    assert not [e for e in probe.events if isinstance(e, AssessEvent)]
    deferred = session.turn("Is there anything that would prevent you from recommending me?")
    assert not [e for e in deferred.events if isinstance(e, AssessEvent)]


def test_assessments_are_in_the_transcript_and_round_trip(program: Program) -> None:
    _, events = play(program, ["Good, thanks.", STRONG_INCIDENT, "I don't remember."])
    assess = [e for e in events if e["event"] == "assess"]
    assert [e["question"] for e in assess] == ["about_you", "system"]
    assert "evasive" in assess[1]["flags"]


def test_sentences_split_on_sentence_ends() -> None:
    said = [u.words for u in sentences("Speed matters more. I test it enough! Right? ok")]
    assert said == [
        ("speed", "matters", "more"),
        ("i", "test", "it", "enough"),
        ("right",),
        ("ok",),
    ]


def test_features_count_first_person_actions() -> None:
    f = features("I fixed the bug and we shipped it. I think it is fine. We reviewed it.")
    assert (f.own_actions, f.we_actions) == (1, 2)
    f = features("I'd page the charge nurse and I would call the rapid response team.")
    assert f.own_actions == 2


def test_deeds_listed_after_an_i_that_did_none_are_the_candidates_own() -> None:
    """Found playing hillcrest: "I'd be honest that I can't promise..." has no deed right after
    either "I", but the list after it is what the candidate would do; the debrief said the answer
    "had nothing about what you did yourself"."""
    said = (
        "As I said, I'd be honest that I can't promise to keep it secret, listen, record their"
        " words and go to the DSL that day."
    )
    assert features(said).own_actions == 1
    for nothing_done in (
        "I think it's important, and the team was great.",
        "I was there for two years, then the site closed.",
        "I'm not sure, lunch with the team was nice.",
        "I know, and they said it to the head.",
        "We did it, and then the manager took over.",
        "I'm a bit all over the place this morning though, my mum had a scan yesterday.",
    ):
        assert features(nothing_done).own_actions == 0, nothing_done


MINIMAL = """\
closer: 1
id: mini
title: t
position: p
persona:
  name: Pat
  role: r
  company: c
  style: {acknowledgements: Okay., hesitation: (pauses), no_concerns: None.}
candidate: {name: Sam Lee, background: [Gardener.]}
flow:
  opening: {say: "Hi."}
  questions:
    - id: q1
      ask: "Tell me about your gardening."
      rubric:
        topic: ["(garden*|plant*|tomato*)"]
        wants: [numbers]
  candidate_questions: {prompt: "Questions?", answers: {}}
  closing: {say: "Bye."}
"""


def _assess(program: Program, line: str) -> dict[str, Any]:
    _, events = play(program, ["Hello.", line])
    return next(e for e in events if e["event"] == "assess")


def test_a_rubric_sets_the_topic_and_what_is_wanted() -> None:
    program = compile_text(MINIMAL)
    on = _assess(program, "I grew tomatoes in my garden and I watered them every morning.")
    assert "on_topic" in on["shows"] and on["lacks"] == ["numbers"]
    off = _assess(program, "I like to read novels about the sea and I walk the dog each morning.")
    assert "off_topic" in off["flags"]
    counted = _assess(program, "I grew 40 tomato plants in my garden and I sold them at markets.")
    assert counted["lacks"] == [] and counted["points"] > on["points"]


def test_a_topic_pattern_that_matches_everything_is_w103() -> None:
    from closer.engine.tools.lint import lint

    program = compile_text(
        MINIMAL.replace('topic: ["(garden*|plant*|tomato*)"]', 'topic: ["[so]"]')
    )
    found = [d for d in lint(program) if d.code == "W103"]
    assert [d.span.line for d in found] == [17]  # the `topic:` line
    assert "rubric topic of question 'q1'" in found[0].message


def test_a_word_of_letters_only_holds_no_digit() -> None:
    """`_is_number` skips the letter-by-letter look in a word that `isalpha` says is all
    letters: no character is both a letter and a digit."""
    assert not [i for i in range(sys.maxunicode + 1) if chr(i).isalpha() and chr(i).isdigit()]
    for word in ("2000", "v2", "²", "twenty", "one", "résumé", "x"):
        plain = any(c.isdigit() for c in word) or (word in NUMBER_WORDS and word != "one")
        assert _is_number(word) == plain


def test_features_count_the_numbers_is_number_finds() -> None:
    """`features` counts numbers with `_is_number` written out: the same count, on lines of
    digits, number words, "one" and other words; and sentences without "i" or "we" tell of
    nobody's deeds."""
    rng = random.Random(3)
    vocab = ["2000", "v2", "²", "twenty", "one", "two", "résumé", "x", "3.5", "we", "built", "i"]
    for _ in range(500):
        text = " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 12)))
        text += rng.choice([".", "?", ". We fixed it.", ""])
        f = features(text)
        said = sentences(text)
        assert f.numbers == sum(_is_number(w) for u in said for w in u.words), text
        if not any(w in ("i", "we") for u in said for w in u.words):
            assert f.own_actions == f.we_actions == 0, text


RIVERBEND = DIR / "riverbend.yaml"


@pytest.mark.parametrize(
    ("persona", "question", "line"),
    [
        # the debrief said "had no result" of each (typed in a real terminal)
        (
            "riverbend",
            "deteriorating",
            "On nights at Lakeview I had a post-op hip patient whose heart rate crept up to 120 "
            "and she got a bit muddled around 2 a.m. I rechecked her vitals, her pressure was "
            "dropping, so I called a rapid response. Turned out she was bleeding into the wound "
            "and went back to theatre, and she did fine.",
        ),
        (  # played in tmux: "And how did that patient do, in the end?" was asked after it
            "riverbend",
            "deteriorating",
            "there was a post op patient whose pressure kept dropping and he got really pale. I "
            "called a rapid response and it turned out he was bleeding internally, he went back "
            "to surgery and was fine",
        ),
        (
            "hillcrest",
            "behaviour",
            "At Brookside I had a boy who kept disrupting. I moved his seat, agreed a reset card "
            "with him, and phoned his mum every week. By half term he was rarely leaving the room.",
        ),
        (
            "switchback",
            "pushback",
            "Oh, the chair of trustees at Pedal Power wanted to keep the paper form. I invited her "
            "to watch two test sessions and she came round, we kept a phone option.",
        ),
        (
            "ledgerline",
            "system",
            "At Parcelwise I designed the first routing service. I built it in three weeks with "
            "Python and Postgres and it held up fine until we got acquired.",
        ),
    ],
)
def test_an_outcome_told_plainly_is_a_result(persona: str, question: str, line: str) -> None:
    [a] = answer(compile_scenario(load_path(DIR / f"{persona}.yaml")), question, line)
    assert "result" in a.shows


@pytest.mark.parametrize(
    "line",
    [
        # typed in a real terminal (hillcrest): the debrief said it "had no concrete example"
        "A fractions lesson went badly once because they didn't get equivalent fractions. I just "
        "moved on to keep to the plan.",
        "The launch went sideways when the payment provider timed out.",
    ],
)
def test_a_lesson_or_a_launch_that_went_badly_is_an_example(line: str) -> None:
    [a] = answer(compile_scenario(load_path(DIR / "hillcrest.yaml")), "reflection", line)
    assert "example" in a.shows and "example" not in a.lacks


def test_a_change_that_happened_is_an_example() -> None:
    """Typed in a real terminal (riverbend): Denise asked for "an example of a time you had to
    do that" right after the answer gave one (the sepsis bundle)."""
    program = compile_scenario(load_path(RIVERBEND))
    session, _ = Session.start(program, 1, start="learning")
    said = session.turn(
        "I like to do it hands on. I'd shadow someone for a couple of shifts and ask the "
        "educator when I'm unsure rather than guess. When our sepsis bundle changed I read the "
        "new policy, then walked through it with the charge nurse on a real patient."
    )
    [a] = [e for e in said.events if isinstance(e, AssessEvent)]
    assert "example" in a.shows
    follow_up = program.questions["learning"].follow_up
    lines = [e.text for e in said.events if isinstance(e, SayEvent) and e.speaker != "candidate"]
    assert follow_up and follow_up[0] not in lines and lines, lines
    # neither counts a habit or a hope: nothing happened
    for habit in ("When the policy changes I read it first.", "I hope it goes well."):
        [a] = answer(program, "learning", habit)
        assert not {"example", "result"} & set(a.shows), habit


def test_told_is_something_that_happened_not_a_habit_a_plan_or_a_question() -> None:
    """`judge.told` decides whether a follow-up that digs into a story (`missing_result`,
    `missing_numbers`) has a story to dig into."""
    for story in (
        "A man was really rude about a broken mower, so I got the duty manager.",
        "I cross-trained the pickers so we needed fewer agency staff.",
        "One night her heart rate climbed to 130. She went to the ICU.",
        "We rolled out barcode scanning, and I trained the night team.",
        # "did" and "had" as the verb, not a helper; a story whose subject is not a pronoun
        "I did some interviews with parents about a homework app.",
        "We had a patient who kept pulling out her IV.",
        "The chair of trustees at Pedal Power wanted to keep the paper form.",
    ):
        assert told(story), story
    for nothing in (
        "I don't really remember a specific one, I just stay calm and get the manager.",
        "I'd check her vitals, call a rapid response and stay with her.",
        "I always listen first and try to find a solution.",
        "What happened to the last person?",
        "I'm really interested in nights and I like the team.",
        "I did not really have one.",
        "I had to think about that.",
        "The best way is to ask early.",
    ):
        assert not told(nothing), nothing


@pytest.mark.parametrize(
    "line",
    [
        # typed in a real terminal (ledgerline): the debrief said it "did not clearly answer the
        # question asked and had no concrete example and no result"
        "hmm, we had some issues when traffic spiked around christmas, i added a queue in front "
        "of it and that sorted it",
        "We had an outage when the database fell over on a Friday night. I failed it over to the "
        "replica and that fixed it.",
        "There was a problem when load spiked on Black Friday, I scaled the workers and it did "
        "the trick.",
    ],
)
def test_an_incident_told_in_a_few_words_is_an_incident_with_a_result(line: str) -> None:
    [a] = answer(compile_scenario(load_path(DIR / "ledgerline.yaml")), "incident", line)
    assert {"on_topic", "example", "result", "ownership"} <= set(a.shows), a


def test_id_typed_for_i_would_is_something_you_would_do() -> None:
    """Typed in a real terminal (riverbend): "then id check on the er admission" was said to
    have "nothing about what you did yourself"."""
    program = compile_scenario(load_path(RIVERBEND))
    line = "the confused one climbing out of bed, safety first. then id check on the er admission"
    [a] = answer(program, "prioritize", line)
    assert "ownership" in a.shows and "ownership" not in a.lacks


def test_a_change_made_so_it_does_not_happen_again_is_a_result() -> None:
    """Typed in a real terminal (greenleaf, the till that didn't add up): "we changed the rule so
    refunds over twenty pounds need a second signature" showed no result, and she asked "And
    what did you change afterwards?"."""
    greenleaf = compile_scenario(load_path(DIR / "greenleaf.yaml"))
    told = (
        "We were forty pounds down on a Saturday cash-up once. I recounted the float, then went "
        "through the till roll and found a refund that had been keyed twice. I wrote it up for "
        "the manager and we changed the rule so refunds over twenty pounds need a second "
        "signature."
    )
    [a] = answer(greenleaf, "cash_stock", told)
    assert "result" in a.shows, a
    for lasting in (
        "We never had a double refund after that.",
        "From then on we always counted the float twice.",
        "Since then nobody has skipped the handover.",
    ):
        [a] = answer(greenleaf, "cash_stock", lasting)
        assert "result" in a.shows, (lasting, a)
    for not_one in (
        "I've been at Harlow's since then.",
        "After that we had lunch.",
        "Ever since I was a kid I have loved gardening.",
        "We set up a rota system.",
    ):
        [a] = answer(greenleaf, "cash_stock", not_one)
        assert "result" not in a.shows, (not_one, a)


def test_a_child_in_the_story_is_a_concrete_example() -> None:
    """Typed in a real terminal (hillcrest): "At Brookside there was a boy who kept shouting
    out, so I moved his seat" was not a concrete example."""
    hillcrest = compile_scenario(load_path(DIR / "hillcrest.yaml"))
    for line in (
        "At Brookside there was a boy who kept shouting out, so I moved his seat.",
        "I had a pupil who refused to come in from break.",
    ):
        [a] = answer(hillcrest, "behaviour", line)
        assert "example" in a.shows, (line, a)
