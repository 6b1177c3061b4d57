"""Building a scenario: merging with the library, references, and where problems are reported."""

from __future__ import annotations

import hashlib

import pytest

from closer.engine import ScenarioError, load_scenario
from closer.engine.format.patterns import normalize
from tests.helpers import compile_text


def codes(text: str) -> list[tuple[int, int, str]]:
    with pytest.raises(ScenarioError) as e:
        load_scenario(text, "t.yaml")
    return [(d.span.line, d.span.col, d.code) for d in e.value.diagnostics]


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_default_scenario_loads(default_text: str) -> None:
    sc = load_scenario(default_text, "ledgerline.yaml")
    assert sc.id == "ledgerline" and len(sc.flow.questions) >= 5
    assert {c.source for c in sc.concerns} >= {"background", "said", "misunderstanding"}


def test_intents_extend_the_library_and_keep_precedence(default_text: str) -> None:
    text = default_text.replace(
        "intents:\n",
        "intents:\n  probe:\n    patterns: [come again]\n    examples: [come again?]\n",
    )
    program = compile_text(text)
    probe = next(i for i in program.intents if i.id == "probe")
    assert probe.patterns[0].source == "come again" and len(probe.patterns) > 5
    assert probe.priority == 6 and "come again?" in probe.examples
    assert [i.id for i in program.intents].index("probe") < [i.id for i in program.intents].index(
        "anything_else"
    )  # the scenario's own intents come first


def test_replace_drops_library_patterns_but_keeps_priority(default_text: str) -> None:
    text = default_text.replace(
        "intents:\n", "intents:\n  probe:\n    replace: true\n    patterns: [come again]\n"
    )
    probe = next(i for i in compile_text(text).intents if i.id == "probe")
    assert [p.source for p in probe.patterns] == ["come again"] and probe.priority == 6


def test_word_sets_extend_the_library(default_text: str) -> None:
    text = default_text.replace("word_sets:\n", "word_sets:\n  doubt:\n    - the heebie jeebies\n")
    program = compile_text(text)
    utt = normalize("does anything about me give you the heebie jeebies?")
    match = program.classify(utt, frozenset({"closing_question"}))
    assert match is not None and match.intent == "closing_question"


def test_a_bad_word_set_entry_is_reported_once_where_it_is(default_text: str) -> None:
    text = default_text.replace("word_sets:\n", "word_sets:\n  doubt:\n    - (broken\n")
    found = codes(text)
    assert found == [(line_of(text, "(broken"), 7, "E060")]


def test_control_characters_in_patterns_are_refused(default_text: str) -> None:
    text = default_text.replace("      - how often *4 carry the pager", '      - "pager\\e[2J"')
    assert (line_of(text, "pager\\e"), 9, "E051") in codes(text)


def test_references_point_at_the_value(default_text: str) -> None:
    text = default_text.replace("        clue: speed", "        clue: sped")
    assert codes(text) == [(line_of(text, "clue: sped"), 15, "E075")]


def test_library_file_is_not_a_scenario() -> None:
    from tests.helpers import ROOT

    text = (ROOT / "scenarios" / "library" / "standard.yaml").read_text()
    assert codes(text) == [(line_of(text, "closer: 1"), 1, "E043")]


def test_when_fact_gates_a_said_concern(default_text: str) -> None:
    text = default_text.replace(
        "    source: said\n", "    source: said\n    when_fact: job_hopper\n"
    )
    from tests.helpers import play

    program = compile_text(text)
    line = "My last team was a mess and my manager was clueless."
    answers = ["hi", "5 years", "2 services", "1 incident", "3 tests", "1 week in 4", line]
    _, on = play(program, answers)
    _, off = play(program, answers, facts={"job_hopper": False})
    assert any(e.get("concern") == "blame" for e in on)
    assert not any(e.get("concern") == "blame" for e in off)


def test_placeholders_are_checked_and_filled(default_text: str) -> None:
    text = default_text.replace("{persona.company}. Thanks", "{persona.salary}. Thanks")
    (found,) = codes(text)
    assert found[2] == "E050"
    program = compile_text(default_text)
    assert program.render("{candidate.first_name} at {{home}}") == "Jordan at {home}"


def test_a_trailing_newline_does_not_sneak_into_an_id(default_text: str) -> None:
    """`$` alone would match before a final newline; ids and names must match whole."""
    text = default_text.replace("id: ledgerline\n", 'id: "ledgerline\\n"\n', 1)
    with pytest.raises(ScenarioError) as e:
        load_scenario(text, "s.yaml")
    assert [d.code for d in e.value.diagnostics] == ["E033"]
    text = default_text.replace("  - id: about_you\n", '  - id: "about_you\\n"\n', 1)
    with pytest.raises(ScenarioError) as e:
        load_scenario(text, "s.yaml")
    assert "E033" in [d.code for d in e.value.diagnostics]


# ---- positions inside a text: the character itself, whatever the YAML style -------------------

HERE = "§"


def located(text: str) -> tuple[str, int, int]:
    """Remove the one `§`; return the text and the 1-based line:col where it was."""
    pos = text.index(HERE)
    text = text.replace(HERE, "", 1)
    return text, text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1


TITLE = "title: Senior Backend Engineer at Ledgerline, with the engineering manager\n"
OPENING = "    say: \"Hi {candidate.first_name}, I'm {persona.name}."


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (TITLE, 'title: "Meet §{persona.nmae}"\n', "unknown placeholder {persona.nmae}"),
        (TITLE, "title: 'It''s a ''job'' at §{persona.nmae}'\n", "{persona.nmae}"),
        (TITLE, "title: Meet the team at §{persona.company}\n", "{persona.company}"),
        (TITLE, 'title: "Tab\\there, then §{x}"\n', "{x}"),
        (TITLE, 'title: "Braces {{ok}} then a lone §{ brace"\n', "a lone brace"),
        (TITLE, "title: >\n  A long title\n  with §{persona.nmae}\n", "{persona.nmae}"),
        (TITLE, "title: |  # a {comment}\n  One\n  Two §{x}\n", "{x}"),
        (TITLE, "title:\n  first line\n  then §{x}\n", "{x}"),
        (OPENING, "    say: \"Hi {candidate.first_name}, I'm §{persona.nam}.", "{persona.nam}"),
    ],
    ids=["double", "single", "plain", "escape", "lone", "folded", "literal", "plain-2", "line"],
)
def test_a_bad_placeholder_is_reported_where_it_is_written(
    default_text: str, old: str, new: str, message: str
) -> None:
    assert old in default_text
    text, line, col = located(default_text.replace(old, new, 1))
    with pytest.raises(ScenarioError) as e:
        load_scenario(text, "t.yaml")
    found = [d for d in e.value.diagnostics if d.code == "E050"]
    assert [(d.span.line, d.span.col) for d in found] == [(line, col)], found
    assert message in found[0].message


# ---- what a text may contain: one visible line (docs/scenario-format.md, "Text") --------------

ACK = "      - Got it.\n"
PATTERN = "      - how often *4 carry the pager"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (ACK, '      - §"Got it.\\n\\nDEBRIEF\\nVerdict: advance\\nYou: "\n', "line break"),
        (TITLE, "title: |\n  One\n  §Two\n", "line break"),
        (TITLE, "title: >\n  One\n\n  §Two\n", "line break"),
        (ACK, "      - Got it. §\u202eevah I\n", "U+202E"),
        (ACK, '      - §"Got it. \\u202eevah I"\n', "U+202E"),
        (ACK, "      - Got §\u2066it\u2069.\n", "U+2066"),
        (ACK, "      - Got §\u200b it.\n", "U+200B"),
        (ACK, "      - Got it.§\u200d\n", "U+200D"),
        (ACK, "      - Got §\u3164it.\n", "U+3164"),
        (ACK, "      - Got §\u00adit.\n", "U+00AD"),
        (PATTERN, PATTERN.replace("the pager", "the §\u200bpager"), "U+200B"),
        ("    job_hopper: true", "    job_hopper: tr§\u200eue", "U+200E"),
    ],
    ids=[
        "fake-debrief", "literal-block", "folded-blank-line", "rlo", "rlo-escaped", "isolate",
        "zero-width-space", "joiner-at-the-end", "hangul-filler", "soft-hyphen", "in-a-pattern",
        "in-a-fact",
    ],
)  # fmt: skip
def test_a_text_that_is_not_one_visible_line_is_refused_where_it_is(
    default_text: str, old: str, new: str, message: str
) -> None:
    assert old in default_text
    text, line, col = located(default_text.replace(old, new, 1))
    with pytest.raises(ScenarioError) as e:
        load_scenario(text, "t.yaml")
    found = [d for d in e.value.diagnostics if d.code == "E052"]
    assert [(d.span.line, d.span.col) for d in found] == [(line, col)], e.value.diagnostics
    assert message in found[0].message


def test_joiners_inside_an_emoji_or_a_word_are_allowed(default_text: str) -> None:
    coder = "\U0001f469\u200d\U0001f4bb"  # woman technologist: a joined emoji
    rainbow = "\U0001f3f3\ufe0f\u200d\U0001f308"  # a variation selector before the joiner
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # a non-joiner inside a word
    line = f"      - Got it {coder} {rainbow} {persian}.\tThanks.\n"
    sc = load_scenario(default_text.replace(ACK, line, 1), "t.yaml")
    assert any(coder in a for a in sc.persona.style.acknowledgements)


def test_a_block_keeps_no_final_line_break(default_text: str) -> None:
    text = default_text.replace(TITLE, "title: >\n  A long\n  title\n\n", 1)
    assert load_scenario(text, "t.yaml").title == "A long title"
    text = default_text.replace(TITLE, "title: |+\n  A title\n\n", 1)
    assert load_scenario(text, "t.yaml").title == "A title"


# ---- what patterns may cost a reply (E062) --------------------------------------------------


def test_a_pattern_that_would_cost_too_much_to_match_is_refused_where_it_is(
    default_text: str,
) -> None:
    # each entry is one step per gap, and every use of the set counts them all again
    entries = "".join(f'    - "{"*9 " * 20}w{i}"\n' for i in range(25))
    text = default_text.replace("word_sets:\n", f"word_sets:\n  padded:\n{entries}").replace(
        "intents:\n", 'intents:\n  probe:\n    patterns: ["say @padded & @padded"]\n'
    )
    with pytest.raises(ScenarioError) as e:
        load_scenario(text, "t.yaml")
    (d,) = e.value.diagnostics
    assert (d.span.line, d.span.col, d.code) == (line_of(text, "say @padded"), 16, "E062")
    assert d.message == (
        "pattern 'say @padded & @padded' costs 2,111 steps to match, over the limit of 2,000"
    )
    assert d.hint.startswith("each use of @padded costs 1,051 steps, for its 25 entries")
    # once is within the limit
    load_scenario(text.replace("say @padded & @padded", "say @padded"), "t.yaml")


def test_all_patterns_together_have_a_budget_too(default_text: str) -> None:
    gaps = "".join(f'    - "{"* " * 20}x"\n' for _ in range(10))
    triggers = "".join(f"      - zz{i} @gaps\n" for i in range(480))
    text = default_text.replace("word_sets:\n", f"word_sets:\n  gaps:\n{gaps}").replace(
        "    triggers:\n", f"    triggers:\n{triggers}", 1
    )
    with pytest.raises(ScenarioError) as e:
        load_scenario(text, "t.yaml")
    (d,) = e.value.diagnostics  # once, at the pattern that goes over
    first = line_of(text, "      - zz0 @gaps")
    assert d.code == "E062" and first < d.span.line < first + 480
    assert d.message.startswith("with this pattern, the scenario's patterns cost ")
    assert d.message.endswith("steps to match a line, over the limit of 80,000")
    assert d.hint.startswith("every line is tried against them all")


def test_the_cycle_collector_is_paused_while_loading_and_left_as_it_was(
    default_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from closer.engine.format import loader

    seen = []
    real = loader._load

    def spy(*args: object) -> object:
        seen.append(gc.isenabled())
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(loader, "_load", spy)
    assert gc.isenabled()
    load_scenario(default_text, "t.yaml")
    assert seen == [False] and gc.isenabled()
    with pytest.raises(ScenarioError):
        load_scenario("id: [", "t.yaml")
    assert gc.isenabled()  # back on after a file with problems too
    gc.disable()
    try:
        load_scenario(default_text, "t.yaml")
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()


def test_what_a_load_builds_joins_the_oldest_generation_without_a_collection(
    default_text: str,
) -> None:
    """The first collection after a load would walk every object it made: they go straight to
    the oldest generation instead, no collection runs during the load, and nothing is left
    frozen (a cycle dropped before it is still collected)."""
    import gc
    import weakref

    class Node:
        pass

    cycle = Node()
    cycle.me = cycle  # type: ignore[attr-defined]
    gone = weakref.ref(cycle)
    del cycle
    runs: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            runs.append(info["generation"])

    assert gc.isenabled()
    gc.callbacks.append(seen)
    try:
        scenario = load_scenario(default_text, "t.yaml")
        young = gc.get_objects(generation=0)
    finally:
        gc.callbacks.remove(seen)
    assert runs == []
    assert gc.is_tracked(scenario) and not any(o is scenario for o in young)
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert gone() is None
    # a caller's frozen objects stay frozen
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        load_scenario(default_text, "t.yaml")
        assert gc.get_freeze_count() == frozen and gc.isenabled()
    finally:
        gc.unfreeze()


def test_the_shipped_library_steps_kept_are_what_its_text_gives() -> None:
    """A start takes `Library.steps` of the shipped library from `SHIPPED_STEPS` (for exactly
    the text they were read from) and parses it without counting its events first: both give
    what reading the text gives."""
    from closer.engine.format import source
    from closer.engine.format.loader import SHIPPED_STEPS, Library, standard_library
    from closer.engine.format.patterns import Compiled
    from closer.scenarios import DIR

    ref = DIR / "library" / "standard.yaml"
    data, path = ref.read_bytes(), str(ref)
    text = data.decode("utf-8")
    # within every limit, and no alias: counting refuses nothing, and `counted` may convert it
    # as a tree without aliases
    assert source._check_structure(text, path) == 0
    root = source.parse(text, path)
    assert source.parse(text, path, counted=True) == root
    read = Library(root, path)  # no digest: its steps are read from its text
    most, total = read.steps(Compiled())
    found = (hashlib.sha256(data).hexdigest(), most, total, read.intent_steps)
    where = "engine/format/loader.py"
    assert found == SHIPPED_STEPS, f"the library has changed: in {where}, SHIPPED_STEPS = {found}"
    shipped = standard_library()
    assert shipped.steps(Compiled()) == (most, total)
    assert shipped.intent_steps == read.intent_steps
    assert shipped.root == root
    # another text (here the same one with a comment) has its steps read from it
    other = Library(root, path, hashlib.sha256(data + b"#\n").hexdigest())
    assert other._steps is None
