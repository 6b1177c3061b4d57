"""Exploration: seeded random walks are reproducible, clean on the shipped persona, and catch
each invariant when the engine is deliberately broken (by monkeypatching a Session method)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from typing import Any

import pytest
from click.testing import CliRunner

from closer.cli.main import cli
from closer.engine import Session, SessionState
from closer.engine.format.patterns import normalize
from closer.engine.format.source import parse
from closer.engine.runtime.concerns import ConcernTracker
from closer.engine.runtime.events import ConcernEvent, EndEvent, VerdictEvent, interviewer_says
from closer.engine.runtime.program import Program
from closer.engine.runtime.voice import Voice
from closer.engine.tools.explore import (
    COMMANDS,
    INVARIANTS,
    UNICODE,
    Sampler,
    Violation,
    explore,
    generate,
    render_pattern,
    shrink,
    walk_as_test,
    walk_seeds,
)
from closer.engine.tools.testyaml import yaml_str
from tests.helpers import DEFAULT, ROOT, compile_text
from tests.test_session import ANSWERS

# What the default persona does not use: probes 0 and 2, no pre-emption, a fact that is false,
# a concern listening `during` two questions, a rule with `goto`, a custom candidate question.
EDGE = """\
closer: 1
id: edge
title: Edge cases for exploration
position: Data Engineer
max_turns: 25

persona:
  name: Kim Ode
  role: Head of Data
  company: Tarn
  style:
    acknowledgements: ["Okay.", "Right.", "Sure."]
    hesitation: ["*pauses*", "*frowns slightly*"]
    no_concerns: "None at all."

candidate:
  name: Robin Vale
  background:
    - Three years of data engineering.
  facts:
    remote: true
    gap: false

intents:
  ask_stack:
    patterns:
      - (what|which) (stack|tools|tech*)
      - tech stack
    examples:
      - What stack do you use?

flow:
  opening:
    say: "Hi {candidate.first_name}. Ready?"
  questions:
    - id: intro
      ask: Tell me about yourself.
      follow_up: Anything else?
      follow_up_if: always
      rules:
        - when: ["(spark|airflow)"]
          say: Nice.
          goto: scale
    - id: pipelines
      ask: Tell me about a pipeline you built.
      rephrase: Any pipeline at all.
    - id: scale
      ask: How big was the data?
  candidate_questions:
    prompt: Your questions?
    answers:
      ask_stack:
        say: Spark and dbt. Mostly batch.
        clue: batch
      ask_why_open: New role.
  closing:
    say: Thanks, bye.

concerns:
  - id: remote
    title: Remote only
    severity: 1
    source: background
    when_fact: remote
    order: 2
    probes: 0
    preempt: false
    thought: Remote only; we are hybrid.
    vague: We are a hybrid team.
    specific: You are remote only and we meet twice a week.
    evidence:
      groups:
        travel:
          label: that you can come in
          patterns:
            - (come|commute|travel) in
            - (twice|two days) a week
      resolve: {count: 1}
  - id: gap
    title: The gap
    severity: 2
    source: background
    when_fact: gap
    order: 1
    probes: 2
    preempt: true
    thought: A year gap.
    vague: Your timeline has a hole.
    specific: There is a year with nothing on it.
    evidence:
      groups:
        reason:
          label: why
          patterns:
            - (caring|sabbatical|travel*|study*)
        kept:
          label: kept up
          patterns:
            - (course|certif*|side project)
      resolve: {all: [reason, kept]}
      partial: {count: 1}
    worsened_by:
      - none of your business
  - id: batch
    title: Batch only
    severity: 2
    source: theme
    order: 3
    probes: 1
    preempt: true
    theme:
      patterns:
        - batch
        - (nightly|daily) (job|run)*
        - cron
      at_least: 2
      counter:
        - stream*
        - kafka
      at_most: 0
    thought: Only batch.
    vague: We do a lot of streaming.
    specific: I only heard batch jobs.
    evidence:
      groups:
        streaming:
          label: streaming experience
          patterns:
            - (kafka|flink|stream*)
      resolve: {count: 1}
  - id: rude
    title: Rude about data scientists
    severity: 3
    source: said
    during: [pipelines, scale]
    order: 4
    probes: 1
    preempt: false
    triggers:
      - data scientists (are|were) (useless|annoying|clueless)
    thought: Dismissive.
    vague: We work closely with scientists.
    specific: You were dismissive about data scientists.
    evidence:
      groups:
        respect:
          label: respect
          patterns:
            - (respect|learned from|great) *3 (scientists|them)
      resolve: {count: 1}
"""


@pytest.fixture(scope="module")
def short(default_text: str) -> Program:
    """The default persona with a 14-turn limit, so that broken sessions stay cheap."""
    return compile_text(default_text + "\nmax_turns: 14\n", "short.yaml")


def invariants(program: Program, walks: int = 30, seed: int = 1) -> Counter[str]:
    return Counter(v.invariant for v in explore(program, walks, seed).violations)


def parse_case(text: str) -> Any:
    root = parse(text, "found.test.yaml")
    assert root.get("closer_test").v == 1  # type: ignore[union-attr]
    return root


# ---- generating ---------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_walks_and_report(program: Program) -> None:
    assert explore(program, 15, 7) == explore(program, 15, 7)
    seeds = walk_seeds(7, 15)
    assert seeds == walk_seeds(7, 15) and len(set(seeds)) == 15
    assert walk_seeds(8, 15) != seeds
    assert generate(program, seeds[0]) == generate(program, seeds[0])
    assert generate(program, seeds[0])[0].lines != generate(program, seeds[1])[0].lines


def test_walks_do_not_depend_on_the_hash_seed(program: Program) -> None:
    """Replays run in one process; set order must not matter across processes either."""
    code = (
        "import json, sys; from closer.engine import compile_scenario, load_path;"
        "from closer.engine.tools.explore import generate, walk_seeds;"
        "p = compile_scenario(load_path('scenarios/ledgerline.yaml'));"
        "print(json.dumps([[e.to_json() for e in generate(p, s)[0].events]"
        " for s in walk_seeds(1, 8)]))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True, text=True, check=True, cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": str(hash_seed)},
        ).stdout
        for hash_seed in (1, 2)
    }  # fmt: skip
    assert len(outputs) == 1 and len(outputs.pop()) > 1000


def test_walks_reach_the_close_and_end_by_themselves(program: Program) -> None:
    reached: Counter[str] = Counter()
    sampler = Sampler(program)
    for seed in walk_seeds(3, 60):
        walk, broken = generate(program, seed, sampler)
        assert broken is None
        assert walk.events[-1] == EndEvent(len(walk.lines), "completed")
        reached.update(
            {getattr(e, "phase", None) for e in walk.events}
            | {getattr(e, "status", None) for e in walk.events}
        )
    assert reached["closing"] >= 40  # most walks get to the closing question
    assert reached["revealed"] >= 15 and reached["resolved"] >= 3 and reached["preempted"] >= 3


def test_every_intent_pattern_renders_to_a_sentence_it_matches(program: Program) -> None:
    import random

    rng = random.Random(5)
    for intent in program.intents:
        for pat in intent.patterns:
            for _ in range(3):
                sentence = render_pattern(pat.pattern, rng)
                assert pat.pattern.match(normalize(sentence)), (pat.source, sentence)


def test_a_cap_below_max_turns_ends_walks_early_without_a_violation(program: Program) -> None:
    report = explore(program, 10, 2, max_turns=3)
    assert report.turns <= 30 and not report.violations


def test_the_shipped_persona_breaks_no_invariant(program: Program) -> None:
    report = explore(program, 200, 2026)
    assert report.walks == 200 and report.turns > 2000
    assert report.violations == ()


def test_a_scenario_with_other_features_breaks_no_invariant() -> None:
    edge = compile_text(EDGE, "edge.yaml")
    report = explore(edge, 50, 3)
    assert report.violations == ()
    walks = [generate(edge, s)[0] for s in walk_seeds(3, 50)]
    seen = {(e.concern, e.status) for w in walks for e in w.events if isinstance(e, ConcernEvent)}
    assert {("remote", "revealed"), ("gap", "hinted"), ("batch", "raised")} <= seen
    assert any(dict(w.facts).get("gap") for w in walks)  # the false fact is flipped sometimes


# ---- each invariant, broken on purpose ---------------------------------------------------


# These inject a fault by patching an engine class's method: a compiled class's own calls do
# not look the method up on the class, so on the compiled build the fault never happens.
FAULTS = "patches a compiled class's method, which its own calls never see"


@pytest.mark.compiled_skip(FAULTS)
def test_an_exception_is_caught_and_reported(
    short: Program, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(self: Session, intent: str | None) -> bool:
        raise KeyError(intent)

    monkeypatch.setattr(Session, "_common", boom)
    report = explore(short, 30, 1)
    found = [v for v in report.violations if v.invariant == "exception"]
    assert found and "KeyError" in found[0].message
    # the lines stop at the one that raised
    assert found[0].turn == len(found[0].lines)


def test_a_debrief_that_raises_is_an_exception(
    short: Program, monkeypatch: pytest.MonkeyPatch
) -> None:
    import closer.engine.tools.debrief

    monkeypatch.setattr(closer.engine.tools.debrief, "tips", lambda debrief: 1 / 0)
    report = explore(short, 5, 1)
    assert [v.message for v in report.violations] == [
        "ZeroDivisionError: division by zero in debrief"
    ] * 5
    small = shrink(short, report.violations[0])
    assert small.invariant == "exception" and len(small.lines) <= 1


@pytest.mark.compiled_skip(FAULTS)
def test_a_session_that_never_ends_breaks_the_turn_bound(
    short: Program, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Session, "_leave", lambda self, reason: None)
    found = [v for v in explore(short, 5, 1).violations if v.invariant == "turn_bound"]
    assert len(found) == 5 and all(len(v.lines) == 14 for v in found)
    case = parse_case(walk_as_test(short, found[0], "short.yaml"))
    last = case.get("cases").v[0].get("steps").v[-1]
    assert last.get("phase").v == "ended"


@pytest.mark.compiled_skip(FAULTS)
def test_a_concern_hinted_before_the_close_is_an_early_reveal(
    short: Program, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan = ConcernTracker.scan

    def leaky(self: ConcernTracker, utt: Any, text: str, state: str) -> None:
        scan(self, utt, text, state)
        for c in self.program.concerns:
            if self.st.concerns[c.id].status == "raised" and state == "oncall":
                self.move(c, "hinted")

    monkeypatch.setattr(ConcernTracker, "scan", leaky)
    found = [v for v in explore(short, 20, 1).violations if v.invariant == "early_reveal"]
    assert found and "was hinted before it was asked" in found[0].message
    v = max(found, key=lambda v: len(v.lines))
    assert len(v.lines) == v.turn
    small = shrink(short, v)
    assert small.invariant == "early_reveal" and small.walk_seed == v.walk_seed
    assert len(small.lines) < len(v.lines) and small.turn == len(small.lines)
    assert shrink(short, small) == small  # nothing left to drop
    text = walk_as_test(short, small, "ledgerline")
    step = parse_case(text).get("cases").v[0].get("steps").v[-1]
    concern = small.message.split()[1]  # "concern <id> was hinted ..."
    assert step.get("concerns").v[concern].v == "hidden"  # what should have happened


@pytest.mark.compiled_skip(FAULTS)
def test_a_line_that_depends_on_hidden_state_is_caught(
    short: Program, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = Session._question

    def telling(self: Session, intent: str | None, utt: Any) -> None:
        if any(cs.status == "raised" for cs in self.st.concerns.values()):
            self.voice.say(("Hmm.",))
        question(self, intent, utt)

    monkeypatch.setattr(Session, "_question", telling)
    found = [v for v in explore(short, 20, 1).violations if v.invariant == "hidden_state"]
    assert {"stripped" in v.message for v in found} == {True, False}  # both variants catch it
    flipped = shrink(short, next(v for v in found if "flipped" in v.message))
    assert flipped.invariant == "hidden_state" and "flipped" in flipped.message
    cases = parse_case(walk_as_test(short, flipped, "ledgerline")).get("cases").v
    assert len(cases) == 2 and cases[1].get("facts") is not None
    for case in cases:  # both expect what the scenario says without concerns: no "Hmm."
        replies = [step.get("reply") for step in case.get("steps").v]
        said = [r.v if isinstance(r.v, str) else [x.v for x in r.v] for r in replies]
        assert "Hmm." not in str(said) and len(said) == len(flipped.lines)


def test_a_global_counter_breaks_determinism(
    short: Program, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = iter(range(10**9))

    def pick(self: Voice, lines: tuple[str, ...], **values: str) -> str:
        return f"{lines[0]} ({next(calls)})"  # never the same twice: no replay can agree

    monkeypatch.setattr(Voice, "pick", pick)
    found = invariants(short, 10)
    assert found["determinism"] >= 5
    assert found["round_trip"] == 0  # a replay that differs anyway is not a round-trip problem


def test_state_lost_in_json_breaks_the_round_trip(
    short: Program, monkeypatch: pytest.MonkeyPatch
) -> None:
    to_json = SessionState.to_json

    def lossy(self: SessionState) -> dict[str, Any]:
        return {**to_json(self), "rng": [], "last_pick": {}}

    monkeypatch.setattr(SessionState, "to_json", lossy)
    report = explore(short, 20, 1)
    found = [v for v in report.violations if v.invariant == "round_trip"]
    assert found and "resumed from JSON" in found[0].message
    assert not {v.invariant for v in report.violations} - {"round_trip"}


def test_a_quote_the_candidate_did_not_say_breaks_quotes(
    short: Program, monkeypatch: pytest.MonkeyPatch
) -> None:
    import closer.engine.tools.debrief

    excerpt = closer.engine.tools.debrief.excerpt
    monkeypatch.setattr(
        closer.engine.tools.debrief, "excerpt", lambda text, *a, **k: excerpt(text).upper()
    )
    report = explore(short, 10, 1)
    found = [v for v in report.violations if v.invariant == "quotes"]
    assert found and "the debrief quotes" in found[0].message and found[0].turn is not None
    small = shrink(short, found[0])
    assert small.invariant == "quotes" and len(small.lines) <= len(found[0].lines)


def test_the_debrief_quotes_only_what_was_said_in_a_clean_run(program: Program) -> None:
    assert invariants(program, 60, 9)["quotes"] == 0


@pytest.mark.compiled_skip(FAULTS)
def test_a_line_said_twice_in_a_row_breaks_no_repeat(monkeypatch: pytest.MonkeyPatch) -> None:
    from closer.engine.tools.explore import no_repeat, replay

    # EDGE's first question has no rephrase: asked what it means, it is asked again, which the
    # voice turns into "As I said: ..."; with that guard taken out, it is the same line again
    edge = compile_text(EDGE, "edge.yaml")
    events = replay(edge, 1, {}, ["Hi.", "What do you mean?"])
    assert no_repeat(events) is None
    assert any(e.text.startswith("As I said: Tell me") for e in interviewer_says(events))
    say = Voice.say

    def careless(self: Voice, lines: tuple[str, ...], *args: Any, **values: str) -> None:
        self.last_line = None  # forget what was said last
        say(self, lines, *args, **values)

    monkeypatch.setattr(Voice, "say", careless)
    events = replay(edge, 1, {}, ["Hi.", "What do you mean?"])
    assert no_repeat(events) == ('the interviewer said "Tell me about yourself." twice in a row', 2)
    assert no_repeat(replay(edge, 1, {}, ["Hi.", "I built a pipeline."])) is None
    report = explore(edge, 40, 1)
    found = [v for v in report.violations if v.invariant == "no_repeat"]
    assert found and "twice in a row" in found[0].message
    small = shrink(edge, found[0])
    assert small.invariant == "no_repeat" and len(small.lines) <= len(found[0].lines)


@pytest.mark.compiled_skip(FAULTS)
def test_a_second_verdict_is_not_well_formed(
    short: Program, monkeypatch: pytest.MonkeyPatch
) -> None:
    finish = Session._finish

    def twice(self: Session, reason: str) -> None:
        self.voice.record(VerdictEvent(self.st.turn, "advance", 99))
        finish(self, reason)

    monkeypatch.setattr(Session, "_finish", twice)
    found = [v for v in explore(short, 5, 1).violations if v.invariant == "well_formed"]
    assert len(found) == 5 and "exactly one verdict" in found[0].message


def test_every_invariant_is_documented_and_broken_on_purpose_here() -> None:
    doc = (ROOT / "docs" / "exploring.md").read_text(encoding="utf-8")
    source = (ROOT / "tests" / "test_explore.py").read_text(encoding="utf-8")
    for name in INVARIANTS:
        assert f"| `{name}` |" in doc, name
        assert f'v.invariant == "{name}"' in source or f'found["{name}"]' in source, name


# ---- the printed test case --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [*UNICODE, *COMMANDS, "a\u2028b\u2029c\x85d", "\ufeffbom", "\x00\x07\x7f", 'say: "x" # y'],
)
def test_yaml_str_reads_back_as_the_same_text(text: str) -> None:
    assert parse(f"k: {yaml_str(text)}\n", "t.yaml").get("k").v == text  # type: ignore[union-attr]


def test_a_walk_becomes_a_test_case_that_pins_what_happened(program: Program) -> None:
    walk, _ = generate(program, walk_seeds(5, 3)[2])
    root = parse_case(walk_as_test(program, walk, "ledgerline"))
    assert root.get("scenario").v == "ledgerline" and root.get("seed").v == walk.seed
    case = root.get("cases").v[0]
    steps = case.get("steps").v
    assert [s.get("say").v for s in steps] == list(walk.lines)
    assert steps[-1].get("phase").v == "ended"
    expect = case.get("expect")
    verdict = next(e for e in walk.events if isinstance(e, VerdictEvent))
    assert expect.get("verdict").v == verdict.outcome
    assert expect.get("score").get("min").v == verdict.score


@pytest.mark.compiled_skip(FAULTS)
def test_a_violation_case_with_a_crash_keeps_only_the_lines(
    program: Program, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = (*ANSWERS, "Why is this position open?")
    monkeypatch.setattr(Session, "_common", lambda self, intent: 1 / 0)
    found = Violation("exception", "ZeroDivisionError", 4, lines, len(lines))
    text = walk_as_test(program, found, "x")
    assert "# Replaying it raises ZeroDivisionError: division by zero" in text
    steps = parse_case(text).get("cases").v[0].get("steps").v
    assert [set(s.v) for s in steps] == [{"say"}] * len(lines)


# ---- the command -------------------------------------------------------------------------


def test_closer_test_explore_reports_a_clean_run(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["test", "--explore", "5", "--seed", "4", str(DEFAULT)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{DEFAULT}: 5 walks, ")
    assert result.output.rstrip().endswith("(seed 4): no violations")


@pytest.mark.compiled_skip(FAULTS)
def test_closer_test_explore_prints_each_violation_as_a_test_case(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Session, "_common", lambda self, intent: 1 / 0)
    result = runner.invoke(cli, ["test", "--explore", "15", str(DEFAULT)])
    assert result.exit_code == 1
    assert "exception at turn" in result.output and "closer_test: 1" in result.output
    first = result.output.split("conversation test:\n\n", 1)[1].split("\n\nexception", 1)[0]
    parse_case(first.split("\n... and")[0])


def test_closer_test_explore_usage_and_file_errors(runner: CliRunner, tmp_path: Any) -> None:
    assert runner.invoke(cli, ["test", "--explore", "0", str(DEFAULT)]).exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("closer: 1\nid: [\n", encoding="utf-8")
    result = runner.invoke(cli, ["test", "--explore", "3", str(bad)])
    assert result.exit_code == 1 and "E010" in result.output and "Traceback" not in result.output
