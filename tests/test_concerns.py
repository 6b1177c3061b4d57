"""The concern scan (engine/runtime/concerns.py) reads a line sentence by sentence: a red flag is
not cancelled by counter-evidence in another sentence, only by the same sentence answering it."""

from __future__ import annotations

import pytest

from closer.engine import Session
from closer.engine.format.patterns import normalize
from closer.engine.runtime.events import AssessEvent, ConcernEvent
from closer.engine.runtime.program import Program
from tests.candidates import program_for
from tests.helpers import at_the_close, jsons


def raised(program: Program, start: str, *lines: str) -> list[str]:
    session, _ = Session.start(program, 1, start=start)
    out = []
    for line in lines:
        out += [
            e.concern
            for e in session.turn(line).events
            if isinstance(e, ConcernEvent) and e.status == "raised"
        ]
    return out


def test_a_red_flag_is_not_cancelled_by_another_sentence(program: Program) -> None:
    line = "Speed matters more than perfection. I test it enough."
    assert raised(program, "testing", line) == ["speed"]


def test_the_same_sentence_can_answer_it(program: Program) -> None:
    line = "Speed matters more than perfection, as long as every change has unit tests."
    assert raised(program, "testing", line) == []


def test_theme_emphasis_still_counts_across_answers(program: Program) -> None:
    lines = ("I move fast and ship quickly.", "I built a prototype in a week, a scrappy MVP.")
    assert raised(program, "about_you", *lines) == ["speed"]


def test_on_call_worry_forms_whatever_the_question(program: Program) -> None:
    assert raised(program, "why_us", "Honestly I'd rather not do nights and weekends.") == [
        "oncall"
    ]
    # and an ordinary "rather not" elsewhere is not about on-call
    assert raised(program, "why_us", "I'd rather not say.") == []


def test_staffing_worry_forms_whatever_the_question() -> None:
    riverbend = program_for("riverbend")
    said = "Honestly, I was burned out. We were always short staffed."
    assert raised(riverbend, "about_you", said) == ["staffing"]
    # a nurse describing a night's numbers is not complaining about staffing
    assert (
        raised(
            riverbend,
            "prioritize",
            "With a ratio of five patients each, I'd go to the confused patient first.",
        )
        == []
    )


def test_a_trigger_raised_concern_is_not_preempted_by_the_rest_of_its_answer(
    program: Program,
) -> None:
    session, _ = Session.start(program, 1, start="testing")
    line = (
        "Speed matters more than perfection. I write unit tests and we ship behind feature "
        "flags with rollbacks."
    )
    statuses = [e.status for e in session.turn(line).events if isinstance(e, ConcernEvent)]
    assert statuses == ["raised"]
    later = session.turn("We also run canary releases and reconciliation after each deploy.")
    assert [e.status for e in later.events if isinstance(e, ConcernEvent)] == ["preempted"]


def statuses(program: Program, start: str, line: str) -> list[tuple[str, str]]:
    session, _ = Session.start(program, 1, start=start)
    return [(e.concern, e.status) for e in session.turn(line).events if isinstance(e, ConcernEvent)]


def test_a_misunderstanding_is_not_formed_from_a_line_that_clears_it_up() -> None:
    """She misreads "never opened alone" as "never held the keys", but not in the answer that
    says "I had the keys and the alarm code": a listener hears the whole line."""
    greenleaf = program_for("greenleaf")
    cleared = (
        "Locked up, yes, most Saturdays for the last year, I had the keys and the alarm code. "
        "Opening on my own, no, the duty manager always did the mornings."
    )
    assert statuses(greenleaf, "keys", cleared) == [("keys", "raised"), ("keys", "preempted")]
    # and the answer is not marked down for a red flag it never left standing
    session, _ = Session.start(greenleaf, 1, start="keys")
    [assessed] = [e for e in session.turn(cleared).events if isinstance(e, AssessEvent)]
    assert "red_flag" not in assessed.flags, assessed
    # the same words without the keys are still misread
    alone = "Opening on my own, no, the duty manager always did the mornings."
    assert statuses(greenleaf, "keys", alone) == [("keys", "raised")]
    # a red flag is another matter: the rest of its line does not undo it (test above)


def test_a_resolved_reply_claims_nothing_the_candidate_did_not_say() -> None:
    """Typed in a real terminal (riverbend): a refresher, ACLS booked and Cerner resolved the
    gap, and Denise answered "A refresher course, your license current, and you've kept your
    hands in it": no hands-on practice had been mentioned. Three of five groups resolve it, so
    her reply names none of them."""
    session = at_the_close(program_for("riverbend"), "gap")
    session.turn("Is there anything in my background that would stop you recommending me?")
    session.turn("Is it the gap?")
    turn = session.turn(
        "I did the 40 hour returners refresher this winter and I'm booked on ACLS next month. "
        "We used Cerner at Lakeview but I pick systems up fast."
    )
    [resolved] = [e for e in turn.events if isinstance(e, ConcernEvent)]
    assert resolved.status == "resolved" and "hands_on" not in resolved.evidence
    said = " ".join(e.text for e in turn.events if getattr(e, "by_interviewer", False))
    assert said and "hands" not in said and "license" not in said


def test_a_closing_question_about_one_thing_brings_that_worry_up_first(program: Program) -> None:
    """ "Is X going to be a problem for you?" (written blind, at the closing): a closing question
    about one thing; of the worries she holds, the one it names comes first."""

    def first_worry(line: str) -> str | None:
        session = at_the_close(program, "tenure", "oncall")
        events = jsons(session.turn(line).events)
        [intent] = [e for e in events if e["event"] == "intent"]
        assert intent["intent"] == "closing_question", line
        hinted = [e["concern"] for e in events if e.get("status") == "hinted"]
        return hinted[0] if hinted else None

    assert first_worry("Is being on call going to be a problem for you?") == "oncall"
    assert first_worry("Is the number of jobs on my CV going to be a problem for you?") == "tenure"
    assert first_worry("Will anything I said count against me?") == "tenure"  # names neither
    assert program.concern_by_id["tenure"].order < program.concern_by_id["oncall"].order


def test_an_answer_to_the_worry_that_also_says_goodbye_is_heard_first() -> None:
    """Typed in a real terminal (talentbridge): "i'm flexible on base if the package is good,
    bonus and pension matter more to me. thanks jade, bye" was only a goodbye; the salary worry
    stayed as it was, and so did the verdict."""
    session = at_the_close(program_for("talentbridge"), "salary")
    session.turn("Is there anything that would stop you putting me forward?")
    session.turn("What do you mean?")
    line = "i'm flexible on base if the package is good, bonus and pension matter more. thanks, bye"
    events = jsons(session.turn(line).events)
    statuses = [e["status"] for e in events if e["event"] == "concern"]
    assert statuses and statuses[0] in ("resolved", "partly_resolved"), events
    assert events[-1] == {"event": "end", "turn": events[-1]["turn"], "reason": "completed"}


def test_shadowing_years_before_the_gap_is_not_practice_since_it() -> None:
    """Typed in a real terminal (riverbend): "When Lakeview brought in new IV pumps I shadowed
    the educator for a shift" counted as "hands-on practice since you left", pre-empting the
    worry about the gap, and the debrief said so."""
    riverbend = program_for("riverbend")
    [hands_on] = [g for g in riverbend.concern("gap").groups if g.id == "hands_on"]
    before = "When Lakeview brought in new IV pumps I shadowed the educator for a shift."
    assert not riverbend.any_match(hands_on.patterns, normalize(before))
    for since in (
        "I shadowed a nurse on 4 East last month.",
        "I've been doing shadow shifts at St Mary's.",
        "I have been shadowing on a med surg unit this spring.",
    ):
        assert riverbend.any_match(hands_on.patterns, normalize(since)), since


def test_a_worry_made_worse_is_not_asked_for_evidence_already_given() -> None:
    """Played in a real terminal (switchback): after "burnt out by teaching", every piece of
    evidence got "That helps, genuinely. I'd still want to hear a concrete example." twice: a
    worry made worse cannot be settled, so asking for more misleads. She says so instead, in
    other words each time."""
    switchback = program_for("switchback")
    session, _ = Session.start(switchback, 1, start="candidate_questions")
    session.turn("Honestly I'm a bit burnt out by teaching, I just want out.")
    assert session.state.concerns["commitment"].worse
    session.turn("Is there anything in my background that would stop you recommending me?")
    session.turn("What do you mean?")
    session.turn("What do you mean?")
    assert session.state.concerns["commitment"].said == 2
    said = []
    for line in (
        "I love research itself, I've resigned, and I did the Northcode course in my own time.",
        "About two years. I talked to two UX researchers before I signed up for the course.",
        "Does that address your concern?",
    ):
        said += [e["text"] for e in jsons(session.turn(line).events) if e["event"] == "say"][1:]
    style = switchback.style.still_worried
    assert all(any(line.endswith(s) for s in style) for line in said), said
    assert not any("concrete example" in line or "still want to hear" in line for line in said)
    assert said[0] != said[1]
    assert session.state.concerns["commitment"].status == "partly_resolved"


def _group_matches(persona: str, concern: str, group: str, line: str) -> bool:
    """Does `line` count as evidence of `group` (with the negation guard, as the scan reads)?"""
    program = program_for(persona)
    [g] = [g for g in program.concern(concern).groups if g.id == group]
    return program.any_match(g.patterns, normalize(line), guard=True)


# (concern, group, lines a candidate would say that do not show what the label claims, lines
# that do). The debrief prints the label beside the quote as "evidence that counted".
GREENLEAF_EVIDENCE = [
    # played in tmux: the subject said once, then a list of what she did
    ("customer", "listened",
     ["The duty manager took him to the office."],
     ["I took him to the office, listened, found his payment on the card statement."]),
    ("customer", "sorted",
     ["The duty manager sorted an exchange in the end."],
     ["I took him to the office and sorted an exchange myself."]),
    ("reference", "account",
     ["I did the weekend rota for the whole store.", "I learned the tills in my first week.",
      "I could have stayed at Harlow's another year, but I wanted to step up."],
     ["Gary and I disagreed about the weekend rota.",
      "In hindsight I could have handled it better.",
      "I should have raised it with him privately."]),
    ("reference", "referee",
     ["I'd let my numbers speak for me.", "I'd like to think my record will speak for me."],
     ["Anita, the deputy manager, would happily speak for me.", "She'd happily speak for me."]),
    ("reference", "record",
     ["This job would be a promotion for me.", "I went for a promotion last year but it went "
      "to someone else."],
     ["I was promoted to supervisor after a year.", "They made me supervisor in 2021."]),
    ("customer", "listened",
     ["He refused to listen to anything I said.", "He wanted me to apologise for the weather."],
     ["I listened and let him finish.", "I apologised and took him aside."]),
    ("customer", "sorted",
     ["The duty manager gave him a refund in the end.", "Gary sorted it out in the end.",
      "The manager came over and put it right.", "My manager offered her a voucher.",
      "He'd already exchanged the mower once and it broke again."],
     ["I gave him a refund there and then.", "I offered her an exchange and she was happy.",
      "We tracked down another one from the Bath store.", "So I put it right myself."]),
    ("customer", "outcome",
     ["I'm trained on the tills and the forklift.", "I've run the weekend team since then."],
     ["He came back the next week and thanked me.", "From then on we always checked the stock.",
      "I trained the team on handling returns."]),
    ("sundays", "willing",
     ["My sister will do Sundays for the kids.", "I can't work Sundays, that's the thing."],
     ["I can work Sundays.", "I'm happy to work weekends.", "I'd be more than happy to work "
      "Sundays.", "Sundays are no problem."]),
    ("sundays", "arrangement",
     ["I sorted the rota at Harlow's.", "The duty manager covered Sundays."],
     ["My sister looks after my daughter on Sundays.", "Childcare is sorted."]),
    ("sundays", "experience",
     ["I'd want two Sundays off a month."],
     ["I worked every other Sunday at Harlow's.", "I did weekends for three years."]),
    ("sundays", "peak",
     ["I may be able to do some Sundays."],
     ["I know spring is your busiest time.", "Easter to the end of May is the peak."]),
    ("keys", "keys",
     ["The duty manager had the keys.", "Gary held the keys.", "I never had the alarm code."],
     ["I had the keys and the alarm code.", "I was a keyholder for a year.",
      "They gave me the alarm code.", "I've always had my own keys."]),
    ("keys", "done",
     ["The duty manager locked up most nights.", "The safe was always the manager's job."],
     ["I locked up on my own most Saturdays.", "I cashed up and did the banking."]),
]  # fmt: skip


HILLCREST_EVIDENCE = [
    ("safeguarding", "dsl",
     ["I'd take it to the parents straight away.", "I'd take him to the office immediately."],
     ["I'd pass it to the DSL that same day.", "I'd pass it on straight away.",
      "I'd report it immediately."]),
    ("behaviour", "instance",
     ["Last year I taught Year 3.", "This term I've been doing supply."],
     ["Last year a boy in my class kept throwing chairs.",
      "This term I had a girl who refused to come in."]),
    ("behaviour", "support",
     ["My TA was brilliant with the phonics groups.", "The deputy head took the assembly."],
     ["I'd bring in the TA and the phase leader.", "I'd speak to the SENCO."]),
    ("short_post", "reference",
     ["I haven't asked the head for a reference yet.",
      "I'm not sure the head would give me a reference.",
      "I'd rather you didn't contact my references yet."],
     ["The head at Brookside has offered me a reference.", "My mentor is one of my referees.",
      "The head will give me a reference."]),
    ("short_post", "commitment",
     ["I was there for several years before that as a TA."],
     ["I'd want to be here for many years.", "I'm looking for a permanent post."]),
    ("induction", "observed",
     ["I've observed some great teachers."],
     ["My lesson observations have been good.", "My induction tutor observed me every half term."]),
    ("paperwork", "use",
     ["The TA ran the interventions.", "The school ran interventions but I wasn't involved."],
     ["Probably the reading intervention I ran at Oakfield.",
      "I pulled them into an intervention the next morning.",
      "I used the exit tickets to regroup the next day."]),
]  # fmt: skip


LEDGERLINE_EVIDENCE = [
    ("speed", "money",
     ["The auditors were a pain at Parcelwise."],
     ["We kept an audit trail for every entry.", "Every write is idempotent."]),
    ("speed", "incidents",
     ["Retros were a waste of time at my last job."],
     ["We wrote a blameless postmortem after every incident.", "After the outage we ran a "
      "retro."]),
    ("blame", "respect",
     ["With respect, the team was a mess."],
     ["I have a lot of respect for them.", "I respected my manager.", "They were good people."]),
    ("tenure", "external",
     ["We shut down the old monolith after the migration.", "I built the customer acquisition "
      "funnel.", "We built in redundancy across two regions.", "I pushed the migration and it "
      "failed."],
     ["Brightloop shut down after two years.", "Parcelwise was acquired.",
      "I was made redundant after the acquisition.", "The company went under."]),
    # played in tmux: an incident's fix was credited as "what you finished before each move"
    ("tenure", "completion",
     ["our queue backed up for two hours once. I found the consumer bug, shipped a fix"],
     ["I shipped the migration before I left Parcelwise.", "I handed over the routing service "
      "properly.", "I finished the rewrite before the acquisition closed."]),
    ("tenure", "commitment",
     ["I've been coding for many years.", "The long term fix was idempotency keys."],
     ["Payments is where I want to stay for years.", "I'm looking for something long term."]),
    ("speed", "testing",
     ["I write the code first and think about tests later if there's time."],
     ["I always write unit tests.", "I move fast and ship quickly, but I write tests."]),
    ("oncall", "willing",
     ["I'd be happy to take the lead on the ledger.", "I am not a fan of on call.",
      "I was burned out by on call at my last job.",
      "I hated the on call rotation at my last job."],
     ["I'm happy to be on call.", "I've been on call at every job.", "I'm happy to carry the "
      "pager.", "I'd join the on call rotation.", "I carry a pager one week in four now."]),
    ("oncall", "example",
     ["I don't want to be paged at 3am.", "I hate getting paged for nothing."],
     ["At Tallyhouse last year I was paged at 2 a.m. when a consumer fell behind.",
      "We got paged during the Black Friday peak."]),
    ("blame", "ownership",
     ["I learned Go at my last job.", "Looking back, the team was a mess.",
      "I owned my part of the codebase."],
     ["Looking back, I could have raised it directly with them.", "My part in it was not "
      "pushing back.", "I learned to raise things sooner.", "I take my share of the blame."]),
]  # fmt: skip


RIVERBEND_EVIDENCE = [
    ("staffing", "channels",
     ["I went to the manager to hand in my notice."],
     ["I talked to my manager about the ratios.", "I went through the proper channels."]),
    ("gap", "refresher",
     ["I did my nursing program at State.", "I took a wound care course back in 2015.",
      "I'd be happy to do a refresher if you think I need one."],
     ["I did a 40 hour refresher course this winter.", "I'm halfway through a refresher.",
      "I took a pharmacology course online last month."]),
    ("gap", "credentials",
     ["I'll need to get a current BLS before I start."],
     ["My BLS is current.", "I have an active license and current BLS.",
      "I'm booked to renew my ACLS next month."]),
    ("gap", "hands_on",
     ["I worked agency before Lakeview.", "I was PRN at Lakeview before I went full time.",
      "I volunteer at my church food bank.",
      "I loved my clinical rotation on med surg in nursing school."],
     ["I've been doing per diem shifts at the clinic since January.",
      "I volunteered at the free clinic every week.", "The refresher had 80 clinical hours."]),
    ("gap", "systems",
     ["Epic is what worries me most, honestly."],
     ["I've used Cerner for years, so Epic won't be a stretch.", "I pick things up quickly."]),
    ("gap", "transferable",
     ["The hospice nurse managed her meds."],
     ["I managed all her medications and her port care."]),
    ("nights", "commitment",
     ["I need at least a year to get back up to speed.", "I worked at Lakeview for years."],
     ["I'd stay on nights for years.", "I'm in it for the long haul.",
      "I'd commit to at least two years on nights."]),
    ("nights", "experience",
     ["I'd work nights until a day spot opens."],
     ["I worked nights for six years at Lakeview.", "I've done nights before."]),
    ("clinical", "escalate",
     ["Things escalated quickly with his son."],
     ["I'd escalate to the charge nurse.", "I'd call a rapid response."]),
    ("clinical", "act",
     ["I stayed with her through chemo."],
     ["I'd stay with the patient until the rapid response team arrived."]),
]  # fmt: skip


SWITCHBACK_EVIDENCE = [
    ("level", "hands_on",
     ["I'm very hands on as a head of department.", "I manage two junior teachers.",
      "With all due respect, I deserve more than a mid-level role after eight years."],
     ["I'm happy to be hands on.", "I want to be hands on with the research.",
      "I'm happy to come in at mid level.", "I'd be learning from Priti."]),
    ("commitment", "towards",
     ["I'm curious what the team is like.", "I'm curious about the team structure."],
     ["I'm endlessly curious about why people do what they do.",
      "I love finding out why people do things."]),
    ("commitment", "invested",
     ["Of course I'd be willing to learn.", "I marked books every evening and weekend."],
     ["I did the Northcode course in the evenings.", "I spent my weekends on the portfolio."]),
    ("commitment", "decided",
     ["Last term I ran a survey with Year 10."],
     ["I've resigned; this is my last term.", "I handed in my notice in May."]),
    ("commitment", "thought_through",
     ["I qualified three years ago.", "I mentor new teachers at school."],
     ["I've been planning this for two years.", "My UX mentor told me to build a portfolio."]),
    ("quant", "survey",
     ["I'd like to learn survey design.", "I haven't run a proper survey yet."],
     ["I designed a survey for parents and got 300 responses.",
      "The rider survey got 120 responses."]),
    ("quant", "plan",
     ["I'd start, of course, by listening."],
     ["I'm booked on a stats course in September."]),
    ("level", "pay",
     ["A pay cut would be hard, honestly."],
     ["I'm prepared for a pay cut.", "I'll take a cut, that's fine.", "The band is fine."]),
    ("stakeholders", "senior_example",
     ["My head teacher was really supportive of the move.",
      "My line manager signed off my leave."],
     ["My head teacher pushed back on the survey.", "The trustees were not convinced at first.",
      "At Pedal Power the chair of trustees wanted to keep the paper form."]),
]  # fmt: skip


TALENTBRIDGE_EVIDENCE = [
    ("salary", "flexible",
     ["The base is non-negotiable for me.", "I'd need flexible working for school pickups."],
     ["I'm flexible on the base.", "It's negotiable.", "I'm flexible.", "I'd consider 50."]),
    ("salary", "package",
     ["I've got a family holiday booked in August.", "I have twelve days holiday left."],
     ["The pension and bonus matter more to me.", "The holiday allowance matters to me."]),
    ("notice", "release",
     ["We cut down picking errors by 30 percent.", "I negotiated down our carrier rates."],
     ["I might be able to negotiate my notice down.", "I could negotiate it down.",
      "My boss hinted she'd release me early."]),
    ("notice", "holiday",
     ["Taking the decision to leave wasn't easy.", "We cut lead time to 12 days."],
     ["I have 12 days holiday left.", "I could take my remaining leave."]),
    ("notice", "bridge",
     ["I meet my team every morning at the warehouse."],
     ["I'd love to visit the site before I start.", "I'd come in and meet the shift managers."]),
    ("counter", "decided",
     ["We decided to move the warehouse to a new WMS."],
     ["I've decided it's time to go.", "I wouldn't accept a counter offer."]),
    ("counter", "reason",
     ["I bought a house in Sheffield last year.",
      "I restructured the shift patterns at Brookfield."],
     ["Since the takeover there's no route up for me.", "Brookfield was bought by a bigger "
      "group.", "After the restructure my role changed."]),
    ("counter", "active",
     ["I'm interviewing for two shift managers at Brookfield."],
     ["I've applied for three other roles.", "I've registered with two other agencies."]),
    ("relocation", "clarify",
     ["I'm not moving to Leeds straight away."],
     ["To be clear, we are moving to Leeds.", "We're definitely moving to Leeds in August."]),
    ("relocation", "plan",
     ["I might move this summer, it depends.", "My partner is not keen on Leeds."],
     ["Our lease ends in July.", "We're moving in August.", "My partner already works in "
      "Leeds.", "The plan is to move in September."]),
]  # fmt: skip


def test_evidence_before_a_but_does_not_answer_the_red_flag_after_it(program: Program) -> None:
    """Typed in a real terminal (ledgerline): "Testing matters, but honestly speed matters more
    than perfection." raised nothing: "testing" in the same sentence answered it. What follows
    the "but" is what she hears."""
    line = "Testing matters, but honestly speed matters more than perfection."
    assert raised(program, "testing", line) == ["speed"]
    # the other way round the sentence still answers itself
    line = "Speed matters more than perfection, but every change to money has unit tests first."
    assert raised(program, "testing", line) == []


EVIDENCE = [
    (persona, *row)
    for persona, rows in (
        ("greenleaf", GREENLEAF_EVIDENCE),
        ("hillcrest", HILLCREST_EVIDENCE),
        ("ledgerline", LEDGERLINE_EVIDENCE),
        ("riverbend", RIVERBEND_EVIDENCE),
        ("switchback", SWITCHBACK_EVIDENCE),
        ("talentbridge", TALENTBRIDGE_EVIDENCE),
    )
    for row in rows
]


@pytest.mark.parametrize(("persona", "concern", "group", "over", "genuine"), EVIDENCE)
def test_evidence_says_only_what_the_line_shows(
    persona: str, concern: str, group: str, over: list[str], genuine: list[str]
) -> None:
    """Each persona's evidence groups, audited line by line: what over-claimed no longer counts
    (a colleague's deed, a plan, a time before the gap, a hedge), what shows it still does."""
    for line in over:
        assert not _group_matches(persona, concern, group, line), line
    for line in genuine:
        assert _group_matches(persona, concern, group, line), line


def test_a_worry_settled_while_another_was_on_the_table_is_not_brought_up() -> None:
    """Played in tmux (greenleaf): with the customer worry on the table, "my sister has my
    daughter on the sundays I work and I've never turned one down" settled the Sundays worry;
    on "anything else?" she still said it as if nothing had been said. Settled before she said
    a word of it, it is pre-empted, as before the closing question."""
    greenleaf = program_for("greenleaf")
    session = at_the_close(greenleaf, "reference", "sundays")
    session.turn("Is there anything that would stop you recommending me?")
    assert session.state.current == "reference"
    line = "My sister has my daughter on the Sundays I work, and I've never turned one down."
    events = jsons(session.turn(line).events)
    assert [(e["concern"], e["status"]) for e in events if e["event"] == "concern"] == [
        ("sundays", "preempted")
    ]
    events = jsons(session.turn("Is there anything else?").events)
    assert [e["kind"] for e in events if e["event"] == "cue"] == ["quick"]
    # evidence that does not settle it leaves it to come up, with what was said counted
    session = at_the_close(greenleaf, "reference", "sundays")
    session.turn("Is there anything that would stop you recommending me?")
    session.turn("My sister has my daughter on the Sundays I work.")
    assert session.state.concerns["sundays"].status == "raised"
    events = jsons(session.turn("Is there anything else?").events)
    assert [e["kind"] for e in events if e["event"] == "cue"] == ["hesitation"]
