"""The lint and `closer validate`: every documented example produces exactly its code where the
docs say, the registry and the docs agree, shipped scenarios are clean, and lint stays fast."""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml
from click.testing import CliRunner

from closer.cli.main import cli
from closer.engine import Diagnostic, ScenarioError, compile_scenario, load_path, load_scenario
from closer.engine.format import model as m
from closer.engine.format.patterns import Utterance, compile_pattern, normalize
from closer.engine.runtime.program import Program
from closer.engine.tools.lint import (
    BY_CODE,
    CHECKS,
    LOAD_CODES,
    _Examples,
    covers,
    lint,
    matches_everything,
)
from tests.helpers import DEFAULT, ROOT, compile_text

DOC = ROOT / "docs" / "diagnostics.md"
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
EXAMPLE = re.compile(
    r"^```yaml diagnostic=(?P<code>[EW]\d{3}) at=(?P<line>\d+):(?P<col>\d+)(?P<whole> whole)?\n"
    r"(?P<text>.*?)^```",
    re.M | re.S,
)
BASE_MARK = "# The base scenario for the examples"
TOP_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:", re.M)
# load codes that need more than a YAML block to show (a file on disk, a byte that is not
# UTF-8, an invisible character, 20,000 values): the loader's own tests cover them
MAX_QUESTIONS = 1000  # closer.engine.format.schema.MAX_QUESTIONS: a 1,005-state scenario
NO_EXAMPLE = {"E000", "E001", "E002", "E011", "E015", "E032", "E036", "E051"}


class Example(NamedTuple):
    code: str
    at: tuple[int, int]
    text: str
    whole: bool
    doc_line: int


def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def examples() -> list[Example]:
    text = doc_text()
    return [
        Example(
            m["code"],
            (int(m["line"]), int(m["col"])),
            m["text"],
            bool(m["whole"]),
            text[: m.start()].count("\n") + 1,
        )
        for m in EXAMPLE.finditer(text)
    ]


def base() -> str:
    text = doc_text()
    start = text.index(BASE_MARK)
    return text[start : text.index("```", start)]


def merged(ex: Example) -> str:
    """The example first, then every top-level section of the base it does not replace."""
    if ex.whole:
        return ex.text
    mine = set(TOP_KEY.findall(ex.text))
    out = [ex.text]
    for section in re.split(r"^(?=[A-Za-z_])", base(), flags=re.M):
        key = TOP_KEY.match(section)
        if key is not None and key[1] not in mine:
            out.append(section)
    return "".join(out)


def run_example(ex: Example) -> list[Diagnostic]:
    try:
        scenario = load_scenario(merged(ex), "example.yaml")
    except ScenarioError as e:
        return list(e.diagnostics)
    return lint(compile_scenario(scenario))


# ---- the docs and the registry --------------------------------------------------------------


def test_the_base_is_clean() -> None:
    assert lint(compile_scenario(load_scenario(base(), "base.yaml"))) == []
    assert lint(load_scenario(base(), "base.yaml")) == []  # a Scenario is compiled first


@pytest.mark.parametrize("ex", examples(), ids=lambda ex: f"{ex.code}@doc:{ex.doc_line}")
def test_documented_example_gives_exactly_its_code(ex: Example) -> None:
    found = run_example(ex)
    assert {d.code for d in found} == {ex.code}, "\n".join(map(str, found))
    assert any((d.span.line, d.span.col) == ex.at for d in found), "\n".join(map(str, found))
    assert all(d.span.path == "example.yaml" for d in found)
    severity = BY_CODE[ex.code].severity if ex.code in BY_CODE else "error"
    assert all(d.severity == severity for d in found)


def test_every_code_is_documented_and_every_documented_code_exists() -> None:
    text = doc_text()
    documented = set(re.findall(r"^### ([EW]\d{3})\b", text, re.M))
    registry = set(BY_CODE) | set(LOAD_CODES)
    assert documented == registry
    with_example = {ex.code for ex in examples()}
    assert with_example <= registry
    assert set(BY_CODE) <= with_example, "every lint check needs an example"
    assert set(LOAD_CODES) - with_example == NO_EXAMPLE


def test_registry_codes_follow_the_scheme() -> None:
    for check in CHECKS:
        assert re.fullmatch(r"[EW]1\d\d", check.code)
        assert check.severity == ("error" if check.code[0] == "E" else "warning")
        assert check.title and check.doc
        assert f"### {check.code} {check.title}\n" in doc_text()
    for code, title in LOAD_CODES.items():
        assert f"### {code} {title}\n" in doc_text()


def test_every_code_the_docs_mention_exists() -> None:
    for path in (DOC, ROOT / "docs" / "scenario-format.md"):
        mentioned = set(re.findall(r"\b[EW]\d{3}\b", path.read_text(encoding="utf-8")))
        assert mentioned <= set(BY_CODE) | set(LOAD_CODES), path.name


# ---- the checks' building blocks ------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "everything"),
    [("*", True), ("*3", True), ("[maybe]", True), ("(a|[b])", True), ("* & [x]", True),
     ("a *", False), ("*3 word", False), ("#", False), ("a & *", False)],
)  # fmt: skip
def test_matches_everything(source: str, everything: bool) -> None:
    assert matches_everything(compile_pattern(source)) is everything


@pytest.mark.parametrize(
    ("earlier", "later", "shadowed"),
    [("team", "the team", True), ("the team", "tell me about the team", True),
     ("the team", "the big team", False), ("the team", "the (team|group)", False),
     ("*", "anything", True), ("a * b", "a * b", True), ("team*", "team", False),
     ("a & b", "b c & x a", True), ("a & b", "a b", True), ("a b", "a & b", False)],
)  # fmt: skip
def test_covers_is_sound(earlier: str, later: str, shadowed: bool) -> None:
    assert covers(compile_pattern(earlier), compile_pattern(later)) is shadowed


def pairwise_shadows(q: m.Question) -> list[tuple[int, int]]:
    """W102 by its definition: every pattern of a rule covered by some earlier rule's."""
    out = []
    for j, rule in enumerate(q.rules):
        earlier = [(i, e.pattern) for i, r in enumerate(q.rules[:j]) for e in r.patterns]
        found = []
        for p in rule.patterns:
            by = next((i for i, e in earlier if covers(e, p.pattern)), None)
            if by is None:
                break
            found.append(by)
        else:
            if found:
                out.append((j, min(found)))
    return out


def one_question(rules: list[list[str]]) -> str:
    lines = [f"        - when: {json.dumps(when)}\n          say: Yes.\n" for when in rules]
    return flow(f"    - id: q\n      ask: Q?\n      rules:\n{''.join(lines)}")


def random_pattern(rng: random.Random) -> str:
    items = ["a", "b", "c", "d*"] * 4 + ["[a]", "*", "(a|b)", "@s", "#"]
    parts = [
        " ".join(rng.choice(items) for _ in range(rng.randint(1, 4)))
        for _ in range(rng.choice([1, 1, 1, 2]))
    ]
    return " & ".join(parts)


def test_the_shadowing_index_finds_what_comparing_every_pair_finds() -> None:
    rng = random.Random(3)
    for _ in range(150):
        rules = [
            [random_pattern(rng) for _ in range(rng.randint(1, 3))]
            for _ in range(rng.randint(2, 12))
        ]
        text = "word_sets:\n  s: [a, b c]\n" + one_question(rules)
        program = compile_text(merged(Example("", (0, 0), text, False, 0)), "example.yaml")
        expected = pairwise_shadows(program.scenario.flow.questions[0])
        got = [(d.message, d.hint) for d in lint(program) if d.code == "W102"]
        assert len(got) == len(expected), (rules, got, expected)
        for (j, by), (message, hint) in zip(expected, got, strict=True):
            assert message.startswith(f"rule {j + 1} ") and hint.startswith(f"rule {by + 1} ")


def test_shadowing_is_checked_through_an_index_not_every_pair() -> None:
    # 280 rules of 30 patterns in one question (near E062 with the library): 35 million pairs,
    # about 8 s compared pair by pair
    rules = [[f"r{i} p{k}" for k in range(30)] for i in range(280)]
    program = compile_text(merged(Example("", (0, 0), one_question(rules), False, 0)))
    started = time.perf_counter()
    assert [d.code for d in lint(program)] == []
    assert time.perf_counter() - started < 2.0  # about 0.1 s


# ---- shipped files and the command ----------------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenarios_are_clean_under_strict(runner: CliRunner, path: Path) -> None:
    result = runner.invoke(cli, ["validate", "--strict", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{path}: ok\n"


def write(tmp_path: Path, ex_code: str) -> tuple[Path, Example]:
    ex = next(e for e in examples() if e.code == ex_code)
    path = tmp_path / f"{ex_code}.yaml"
    path.write_text(merged(ex), encoding="utf-8")
    return path, ex


def test_warnings_pass_unless_strict(runner: CliRunner, tmp_path: Path) -> None:
    path, ex = write(tmp_path, "W104")
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    line = f"{path}:{ex.at[0]}:{ex.at[1]}: W104 "
    assert result.stdout.startswith(line), result.stdout
    assert "1 warning" in result.stderr
    strict = runner.invoke(cli, ["validate", "--strict", str(path)])
    assert strict.exit_code == 1
    assert strict.stdout == result.stdout
    assert "1 of 1 file has problems" in strict.stderr


def test_lint_errors_fail_without_strict(runner: CliRunner, tmp_path: Path) -> None:
    path, ex = write(tmp_path, "E101")
    result = runner.invoke(cli, ["validate", str(path), str(DEFAULT)])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith(f"{path}:{ex.at[0]}:{ex.at[1]}: E101 ")
    assert result.stdout.splitlines()[-1] == f"{DEFAULT}: ok"
    assert result.stderr == "1 of 2 files has problems: 1 error, 0 warnings.\n"


def test_play_refuses_a_flow_that_can_never_end(runner: CliRunner, tmp_path: Path) -> None:
    """Lint errors mean a stuck player: play stops before starting; warnings do not stop it."""
    path, ex = write(tmp_path, "E101")
    result = runner.invoke(cli, ["play", str(path), "--instant"], input="hello\n")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:{ex.at[0]}:{ex.at[1]}: E101 ")
    assert "Traceback" not in result.output and "Hi, shall we start?" not in result.stdout
    warned, _ = write(tmp_path, "W104")
    assert runner.invoke(cli, ["play", str(warned), "--instant"], input="hi\n").exit_code == 0


def test_json_format(runner: CliRunner, tmp_path: Path) -> None:
    path, ex = write(tmp_path, "W101")
    broken = tmp_path / "broken.yaml"
    broken.write_text("closer: 1\nid: [\n")
    result = runner.invoke(cli, ["validate", "--format", "json", str(path), str(broken)])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) == {"diagnostics", "files", "errors", "warnings"}
    assert data["files"] == 2 and data["warnings"] == 1 and data["errors"] == 1
    first, second = data["diagnostics"]
    assert first == {
        "path": str(path),
        "line": ex.at[0],
        "col": ex.at[1],
        "code": "W101",
        "severity": "warning",
        "message": first["message"],
        "hint": first["hint"],
    }
    assert "'extra'" in first["message"] and first["hint"]
    assert second["code"] == "E010" and second["severity"] == "error"
    assert second["path"] == str(broken)


def test_json_clean_is_an_empty_list(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["validate", "--format=json", "--strict", "ledgerline"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"diagnostics": [], "files": 1, "errors": 0, "warnings": 0}


def test_shipped_id_is_accepted(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["validate", "ledgerline"])
    assert result.exit_code == 0
    assert result.stdout == f"{DEFAULT}: ok\n"


def test_missing_file_is_a_located_load_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{tmp_path / 'nope.yaml'}:1:1: E000 cannot read file")


def test_bad_format_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["validate", "--format", "xml", "ledgerline"])
    assert result.exit_code == 2


# ---- speed ------------------------------------------------------------------------------------


def generated(n: int) -> str:
    """A valid scenario with n questions, a goto every tenth question and a few concerns."""
    lines = base().split("  questions:\n")
    questions = []
    for i in range(n):
        questions.append(f"    - id: q{i}\n      ask: Question number {i}?\n")
        if i % 10 == 5 and i + 2 < n:
            questions.append(
                f"      rules:\n        - when: [skip {i}]\n          goto: q{i + 2}\n"
            )
    head, tail = lines[0], lines[1].split("  candidate_questions:", 1)[1]
    concerns = "".join(
        f"  - id: c{k}\n    title: Concern {k}\n    severity: 2\n    source: misunderstanding\n"
        f"    during: [q{k * 7}]\n    triggers: [worry {k}]\n    thought: Hm.\n"
        f"    vague: Well.\n    specific: This.\n    evidence:\n      groups:\n"
        f"        g:\n          label: a reason\n          patterns: [because {k}]\n"
        f"      resolve: {{all: [g]}}\n"
        for k in range(5)
    )
    text = f"{head}  questions:\n{''.join(questions)}  candidate_questions:{tail}"
    return text.rstrip("\n") + "\nconcerns:\n" + concerns


def timed(n: int) -> float:
    program = compile_scenario(load_scenario(generated(n), "big.yaml"))
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        assert lint(program) == []
        best = min(best, time.perf_counter() - start)
    return best


def test_generated_scenario_is_valid_and_lint_is_linear() -> None:
    # the most questions a file can hold (E036): 20 times the small one, so linear time is ~20x
    small, large = timed(50), timed(MAX_QUESTIONS)
    assert large < 1.0
    assert large < 50 * small, f"50 questions: {small:.4f}s, {MAX_QUESTIONS}: {large:.4f}s"


def test_one_question_too_many_is_refused() -> None:
    with pytest.raises(ScenarioError) as e:
        load_scenario(generated(MAX_QUESTIONS + 1), "big.yaml")
    assert [d.code for d in e.value.diagnostics] == ["E036"]


def test_ledgerline_lints_quickly() -> None:
    """Lint costs about as much as loading the file (about 1.5x today): measured against the
    load in the same test, so a busy machine slows both alike."""

    def median(fn: Callable[[], object]) -> float:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return sorted(times)[2]

    program = compile_scenario(load_path(DEFAULT))
    loading = median(lambda: compile_scenario(load_path(DEFAULT)))
    linting = median(lambda: lint(program))
    assert linting < 4 * loading, f"lint {linting:.3f}s, load {loading:.3f}s"


# ---- cases beyond the documented examples -----------------------------------------------------

ANSWERS = "".join(
    f"      {name}: An answer.\n"
    for name in (
        "ask_why_open", "ask_new_or_replacement", "ask_expectations", "ask_long_term",
        "ask_next_steps", "ask_start_date", *m.COMMON_QUESTIONS,
    )
)  # fmt: skip


def flow(questions: str, extra_answers: str = "") -> str:
    return (
        "flow:\n  opening:\n    say: Hi.\n  questions:\n"
        + questions
        + "  candidate_questions:\n    prompt: Your questions?\n    answers:\n"
        + ANSWERS
        + extra_answers
        + "  closing:\n    say: Bye.\n"
    )


def found(text: str) -> list[tuple[str, int, int]]:
    ex = Example("", (0, 0), text, False, 0)
    return [(d.code, d.span.line, d.span.col) for d in run_example(ex)]


def test_only_the_loop_is_reported_not_the_way_into_it() -> None:
    text = flow(
        "    - id: a\n      ask: A?\n"  # line 5: leads into the loop, reported by nothing
        "    - id: b\n      ask: B?\n"  # line 7
        "    - id: c\n      ask: C?\n      rules:\n        - {when: ['*'], goto: b}\n"
    )
    assert found(text) == [("E102", 7, 7)]


def test_a_dead_end_after_conditional_exits_is_still_a_dead_end() -> None:
    text = flow(
        "    - id: a\n      ask: A?\n      rules:\n"
        "        - {when: [done], goto: candidate_questions}\n"
        "        - {when: ['[um]'], goto: a}\n"  # line 9
    )
    assert found(text) == [("E101", 9, 34)]


def test_a_concern_only_during_a_skipped_question_is_never_raised() -> None:
    concern = (
        "concerns:\n  - id: pager\n    title: Pager\n    severity: 2\n"
        "    source: misunderstanding\n    during: [b]\n    triggers: [rather not]\n"
        "    thought: Hm.\n    vague: Well.\n    specific: This.\n    evidence:\n"
        "      groups:\n        ok:\n          label: ok\n          patterns: [happy to]\n"
        "      resolve: {all: [ok]}\n"
    )
    questions = (
        "    - id: a\n      ask: A?\n      rules:\n        - {when: ['*'], goto: c}\n"
        "    - id: b\n      ask: B?\n    - id: c\n      ask: C?\n"
    )
    codes = found(concern + flow(questions))
    assert ("W106", 2, 5) in codes and {c for c, _, _ in codes} == {"W101", "W106"}


def test_a_library_example_taken_by_a_pattern_of_this_file_is_reported_there() -> None:
    intents = (
        "intents:\n  ask_fit:\n    patterns:\n"
        '      - "do you have any reservations about my fit"\n'  # line 4
    )
    answer = "      ask_fit: We'll see.\n"
    assert found(intents + flow("    - id: a\n      ask: A?\n", answer)) == [("W108", 4, 9)]


def _w108_by_classifying_everything(program: Program) -> list[tuple[int, int, str]]:
    """W108 as the docs define it, every example classified (no work budget: the shipped
    scenarios and the examples here stay far within it)."""
    sc = program.scenario
    everything = frozenset(i.id for i in sc.intents)
    out = []
    for intent in sc.intents:
        for example in intent.examples:
            match = program.classify(normalize(example), everything)
            if match is not None and match.intent == intent.id:
                continue
            if match is not None and match.source.path == sc.path:
                span = match.source
            elif intent.span.path == sc.path:
                span = intent.span
            else:
                continue
            out.append((span.line, span.col, example))
    return out


W108_CASES = [
    *(str(p) for p in SHIPPED),
    # a library example taken by a pattern of this file, and one of the file's own examples
    # understood as nothing
    "intents:\n  ask_fit:\n    patterns:\n"
    '      - "do you have any reservations about my fit"\n'
    "  ask_snacks:\n    patterns: [snacks]\n    examples: [what about lunch]\n",
]


@pytest.mark.parametrize(
    "case", W108_CASES, ids=lambda c: Path(c).stem if "\n" not in c else "text"
)
def test_w108_finds_what_classifying_every_example_finds(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """W108 classifies only the examples that can be reported: a library intent's example is
    reported only when a pattern of this file takes it, so when none of the file's patterns
    matches it, classifying it cannot change the result (it took ~40 ms of `closer validate`)."""
    if "\n" in case:
        answer = "      ask_fit: We'll see.\n      ask_snacks: Plenty.\n"
        text = merged(
            Example("", (0, 0), case + flow("    - id: a\n      ask: A?\n", answer), False, 0)
        )
        program = compile_scenario(load_scenario(text, "example.yaml"))
    else:
        program = compile_scenario(load_path(case))
    expected = _w108_by_classifying_everything(program)
    calls = []
    classify = _Examples.classify

    def counted(self: _Examples, utt: Utterance) -> object:
        calls.append(utt)
        return classify(self, utt)

    monkeypatch.setattr(_Examples, "classify", counted)
    got = [
        (d.span.line, d.span.col, d.message.split("'")[1])
        for d in lint(program)
        if d.code == "W108"
    ]
    assert sorted(got) == sorted(expected)
    sc = program.scenario
    examples = sum(len(i.examples) for i in sc.intents)
    own = sum(len(i.examples) for i in sc.intents if i.span.path == sc.path)
    assert own <= len(calls) < examples  # the library's own examples are mostly skipped
    if "\n" in case:  # both kinds are found: the library's example, and the file's own
        assert len(got) == 2 and "what about lunch" in {e for _, _, e in got}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: Path(p).stem)
def test_w108_classifies_its_lines_as_classify_does(path: Path) -> None:
    """W108 classifies its examples through `_Examples`, which compiles only the library
    patterns whose text shows they could match one of them, not all ~370 (and not the index):
    it finds what `Program.classify` finds, every intent allowed, for the lines it was made
    for: every example, and lines written for the intents."""
    program = compile_scenario(load_path(path))
    sc = program.scenario
    rng = random.Random(path.stem)
    lines = [normalize(e) for i in sc.intents for e in i.examples]
    lines += [normalize(x) for x in rng.sample(_paraphrases(), 150)]
    lines += [normalize("thanks"), normalize(""), normalize("what about 3 weeks off")]
    everything = frozenset(i.id for i in sc.intents)
    for chunk in (lines[:5], lines[5:60], lines):  # a few lines, and many
        program = compile_scenario(load_path(path))  # the library waits to be compiled
        pats = [p for i in program.scenario.intents for p in i.patterns]
        waiting = sum(not p.compiled for p in pats)  # none: the file adds to a library set
        examples = _Examples(program.scenario.intents, chunk)
        assert len(examples.ranked) < len(pats) or not waiting  # the check itself can fail
        assert waiting or path.stem != "ledgerline"
        for utt in chunk:
            assert examples.classify(utt) == program.classify(utt, everything), utt.text


def _paraphrases() -> list[str]:
    out: list[str] = []
    for f in sorted((ROOT / "tests" / "data").glob("paraphrases*.yaml")):
        for cases in yaml.safe_load(f.read_text(encoding="utf-8")).values():
            out += [c for c in cases if isinstance(c, str)] if isinstance(cases, list) else []
    return out


def test_validate_compiles_few_of_the_library_patterns() -> None:
    """`closer validate` on the default persona compiles only the library intent patterns that
    could match one of the examples W108 classifies (about 30 of ~380: each about 40 us)."""
    program = compile_scenario(load_path(DEFAULT))
    sc = program.scenario
    library = [p for i in sc.intents for p in i.patterns if p.span.path != sc.path]
    assert not any(p.compiled for p in library)
    lint(program)
    assert 0 < sum(p.compiled for p in library) < len(library) / 8


def test_a_catch_all_rule_with_no_goto_shadows_the_rules_after_it() -> None:
    text = flow(
        "    - id: a\n      ask: A?\n      rules:\n        - {when: ['*'], say: Sure.}\n"
        "        - {when: [payments], say: Good.}\n"  # line 9
    )
    assert found(text) == [("W102", 9, 11)]


def test_never_asked_says_which_rule_skips_it() -> None:
    text = flow(
        "    - id: a\n      ask: A?\n      rules:\n        - {when: ['*'], goto: d}\n"  # line 8
        "    - id: b\n      ask: B?\n    - id: c\n      ask: C?\n    - id: d\n      ask: D?\n"
    )
    ex = Example("", (0, 0), text, False, 0)
    hints = {d.message: d.hint for d in run_example(ex)}
    assert hints == {
        "question 'b' is never asked": "the rule at line 8 of 'a' matches every answer and "
        "jumps past it; give that rule words to match",
        "question 'c' is never asked": "the question before it, 'b', is never asked either",
    }


def test_nothing_after_a_rule_that_always_matches_becomes_an_edge() -> None:
    """The machine, and so the graph and coverage, hold only the ways out a session can take:
    neither the plain answer nor a later rule can follow a rule that matches everything."""
    from closer.engine.tools.coverage import measure
    from closer.engine.tools.graph import build_graph

    text = flow(
        "    - id: a\n      ask: A?\n      rules:\n"
        "        - {when: [refund], goto: c}\n"
        "        - {when: ['*'], goto: b}\n"
        "        - {when: [never], goto: c, say: Unreachable.}\n"
        "    - id: b\n      ask: B?\n    - id: c\n      ask: C?\n"
    )
    ex = Example("", (0, 0), text, False, 0)
    program = compile_scenario(load_scenario(merged(ex), "x.yaml"))
    labels = [e.label for e in build_graph(program).edges if e.source == "a"]
    assert labels == ['rule when "refund" (goto)', 'rule when "*" (goto)']
    # a question whose every answer jumps ahead has no edge to the next question
    text = flow(
        "    - id: a\n      ask: A?\n      rules:\n        - {when: ['*'], goto: c}\n"
        "    - id: b\n      ask: B?\n    - id: c\n      ask: C?\n"
    )
    ex = Example("", (0, 0), text, False, 0)
    program = compile_scenario(load_scenario(merged(ex), "x.yaml"))
    advances = {(s, d) for t, s, d in program.machine.edges if t == "advance" and s == "a"}
    assert advances == {("a", "c")}
    assert measure(program, []).get("transitions").total == len(program.machine.edges)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: Path(p).stem)
def test_w108_budget_is_counted_without_compiling_the_library(path: Path) -> None:
    """W108's budget of a shipped persona is read from the library's text (at least what its
    patterns cost, as the loader's E062 bound), not by compiling the library's ~370 intent
    patterns and warming their words (about 5 ms of `closer validate`): the budget is not near,
    so counting more changes nothing."""
    from closer.engine.format.patterns import line_cost, placing
    from closer.engine.tools.lint import EXAMPLE_WORK, _per_line

    sc = load_path(path)
    pats = [p for i in sc.intents for p in i.patterns]
    bound = _per_line(sc)
    lines = [normalize(e) for i in sc.intents for e in i.examples]
    if sum(p.compiled for p in pats) == sum(p.span.path == sc.path for p in pats):
        assert bound * len(lines) + sum(map(line_cost, lines)) <= EXAMPLE_WORK
    else:  # near the budget by the bound, or the file adds to a library word set: exactly
        assert path.stem != "ledgerline"  # `closer validate` is benchmarked on this one
        assert all(p.compiled for p in pats)
    placed: set[object] = set()
    exact = sum(p.pattern.cost + placing(p.pattern, placed) for p in pats)
    assert exact <= bound <= 2 * exact
    assert _per_line(sc) == exact  # once they are compiled, the exact count


def test_examples_are_checked_within_a_work_budget() -> None:
    # intents near the scenario budget, and 120 long examples: classifying every one took
    # seconds; W108 classifies them in order until its budget is spent
    gaps = "".join('    - "*"\n' for _ in range(100))  # never stops a pass early
    patterns = "".join(f"      - zz{i} @gaps\n" for i in range(240))  # about 250 is over E062
    examples = "".join(
        "      - " + " ".join(f"w{i}x{k}" for k in range(200)) + "\n" for i in range(120)
    )
    text = merged(
        Example(
            "",
            (0, 0),
            f"word_sets:\n  gaps:\n{gaps}intents:\n  heavy:\n    patterns:\n{patterns}"
            f"    examples:\n{examples}"
            + flow("    - id: a\n      ask: A?\n", "      heavy: Yes.\n"),
            False,
            0,
        )
    )
    program = compile_text(text)
    started = time.perf_counter()
    found = [d for d in lint(program) if d.code == "W108"]
    elapsed = time.perf_counter() - started
    assert 0 < len(found) < 120 and all("understood as nothing" in d.message for d in found)
    assert elapsed < 2.0  # about 0.25 s; 1.7 s when every example was classified


# ---- regular expressions, near-dead ends and widened word sets ---------------------------------


@pytest.mark.parametrize(
    "source",
    [r"\d+ years", "a{1,100000}", r"\bteam\b", "colou?r", "team.*lead", "^hello", "bye$",
     "[a-z] team", "lead+ engineer", r"on\-call", "(?:team|group)"],
)  # fmt: skip
def test_regular_expression_syntax_in_a_pattern_is_a_warning(source: str) -> None:
    text = f'intents:\n  closing_question:\n    patterns:\n      - "{source}"\n'.replace(
        "\\", "\\\\"
    )
    found_ = run_example(Example("", (0, 0), text, False, 0))
    assert [(d.code, d.span.line, d.span.col) for d in found_] == [("W109", 4, 9)], found_


@pytest.mark.parametrize(
    "source",
    ["c++ developer", "any questions (for me)?", "what's next?", "#", "*3 team", "@former"],
)
def test_pattern_syntax_is_not_taken_for_a_regular_expression(source: str) -> None:
    text = f'intents:\n  closing_question:\n    patterns:\n      - "{source}"\n'
    assert "W109" not in {d.code for d in run_example(Example("", (0, 0), text, False, 0))}


def test_regular_expressions_are_found_in_rules_and_word_sets() -> None:
    text = "word_sets:\n  pager:\n    - on.call\n    - pager\\s+duty\n" + flow(
        "    - id: a\n      ask: A?\n      rules:\n        - {when: ['\\d+ years'], say: Ok.}\n"
    )
    assert found(text) == [("W109", 4, 7), ("W109", 12, 19)]


@pytest.mark.parametrize("seed", range(10))
def test_regex_syntax_passes_over_only_what_no_expression_finds(seed: int) -> None:
    """`regex_syntax` returns at once for a source without any of `_REGEX_CHARS` (nor a `-`
    in a `[`), without compiling the expressions: the same as trying every one of them."""
    from closer.engine.tools.lint import _regex_scan, regex_syntax

    rng = random.Random(seed)
    pieces = ["team", "a", "1", " ", "[", "]", "(", ")", "|", "*", "-", "z", "\\", ".", "{",
              "}", ",", "+", "?", "^", "$", "d", "w", ":", "@", "#", "[a-z]", "[0"]  # fmt: skip
    found = 0
    for _ in range(2000):
        source = "".join(rng.choices(pieces, k=rng.randint(1, 8)))
        assert regex_syntax(source) == _regex_scan(source), source
        found += regex_syntax(source) is not None
    assert found  # the check itself can fail


def test_the_shipped_patterns_are_not_taken_for_regular_expressions() -> None:
    from closer.engine.tools.lint import regex_syntax

    for path in [*SHIPPED, ROOT / "scenarios" / "library" / "standard.yaml"]:
        for line in path.read_text(encoding="utf-8").splitlines():
            item = line.strip()
            if item.startswith("- "):
                assert regex_syntax(item[2:].strip("\"'")) is None, (path.name, item)


def test_a_question_that_comes_back_to_itself_on_most_answers_is_a_warning() -> None:
    text = flow(
        "    - id: a\n      ask: A?\n      rules:\n"
        "        - {when: [done], goto: candidate_questions}\n"
        "        - {when: ['(i|we|my|the|a|it|to|and)'], goto: a}\n"  # line 9
    )
    (d,) = [d for d in run_example(Example("", (0, 0), text, False, 0))]
    assert (d.code, d.span.line, d.span.col) == ("W110", 9, 55), d
    assert "of 40 ordinary answers" in d.message


def test_a_self_goto_on_a_few_answers_is_fine() -> None:
    text = flow(
        "    - id: a\n      ask: A?\n      rules:\n"
        "        - {when: ['(repeat|say that again)'], goto: a}\n"
    )
    assert found(text) == []


def test_an_entry_that_matches_everything_widens_every_use_of_its_word_set() -> None:
    text = "word_sets:\n  advance:\n    - recommend me\n    - '*'\n"  # line 4
    ex = Example("", (0, 0), text, False, 0)
    (d,) = run_example(ex)
    assert (d.code, d.span.line, d.span.col) == ("W111", 4, 7), d
    assert "@advance" in d.message and "shared library" in d.hint
    program = compile_scenario(load_scenario(merged(ex), "x.yaml"))
    assert program.classify(normalize("could anything prevent you from"), ALL) is not None


ALL = frozenset(["closing_question", "probe", "anything_else", "confirm", "clarify", "acknowledge"])


def test_the_patterns_that_use_a_word_set_are_found_once_not_per_entry() -> None:
    # W111 looked for each gap-only entry's users through every pattern: 4 sets of 500 such
    # entries and 2,000 patterns took 4 s
    gaps = ", ".join(["'*'"] * 500)
    sets = "".join(f"  g{k}: [{gaps}]\n" for k in range(4))
    rules = [[f"r{i} p{k}" for k in range(20)] for i in range(100)]
    program = compile_text(
        merged(Example("", (0, 0), f"word_sets:\n{sets}" + one_question(rules), False, 0))
    )
    started = time.perf_counter()
    assert len([d for d in lint(program) if d.code == "W111"]) == 2000
    assert time.perf_counter() - started < 1.0  # about 0.05 s


def test_the_flow_checks_have_the_registrys_severities() -> None:
    """`flowcheck` (imported by `closer play` without the rest of lint) says each of its codes
    with the severity lint's registry gives it, and lint reports its diagnostics as they are."""
    from closer.engine.tools import flowcheck

    assert {code: BY_CODE[code].severity for code in ("W101", "E101", "E102")} == flowcheck.SEVERITY
    assert flowcheck.SEVERITY["E101"] == "error"  # the check itself can fail
