"""`closer schema`: the JSON Schema from engine/format/schema.py agrees with the loader."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from closer.cli.authoring import scaffold
from closer.cli.main import cli
from closer.engine import ScenarioError, compile_scenario, load_scenario
from closer.engine.format.schema import (
    LIBRARY,
    SCENARIO,
    Either,
    ListOf,
    MapOf,
    Rec,
    T,
    json_schema,
)
from tests.helpers import ROOT
from tests.test_docs import blocks
from tests.test_hostile_files import CASES

SCHEMA = json_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
BASE = yaml.safe_load((ROOT / "scenarios" / "ledgerline.yaml").read_text(encoding="utf-8"))
SHAPE = ("E030", "E031", "E032", "E033", "E034", "E035", "E036", "E037", "E040", "E041")


def errors(data: Any) -> list[str]:
    return [e.message for e in VALIDATOR.iter_errors(data)]


def loader_codes(data: Any) -> set[str]:
    """The codes the loader reports for `data` written out as YAML."""
    try:
        compile_scenario(load_scenario(yaml.safe_dump(data, allow_unicode=True), "t.yaml"))
    except ScenarioError as e:
        return {d.code for d in e.diagnostics}
    return set()


def test_schema_is_valid_draft_2020_12() -> None:
    for library in (False, True):
        schema = json_schema(library)
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"].startswith("urn:closer:schema:")
        assert schema["title"] and "structure only" in schema["description"]
    assert json_schema()["$id"] != json_schema(True)["$id"]


SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_accepts_shipped_scenarios(path: Path) -> None:
    assert errors(yaml.safe_load(path.read_text(encoding="utf-8"))) == []


def test_accepts_the_scaffold_and_the_docs_examples() -> None:
    assert errors(yaml.safe_load(scaffold("my-persona"))) == []
    complete = [t for _, _, t in blocks() if t.startswith("closer: 1") or "\npersona:" in t]
    assert complete
    for text in complete:
        data = yaml.safe_load(text)
        if isinstance(data, dict) and "persona" in data:
            assert errors(data) == [], text[:60]


def test_library_schema_accepts_the_standard_library() -> None:
    data = yaml.safe_load((ROOT / "scenarios/library/standard.yaml").read_text(encoding="utf-8"))
    library = jsonschema.Draft202012Validator(json_schema(library=True))
    assert list(library.iter_errors(data)) == []
    assert errors(data)  # a library is not a scenario


SHAPE_CASES = [c for c in CASES if set(c.codes) <= set(SHAPE) and not c.broken]


@pytest.mark.parametrize("case", SHAPE_CASES, ids=lambda c: c.id)
def test_rejects_the_hostile_shape_cases(case: Any, tmp_path: Path) -> None:
    data, _, _ = case.make(tmp_path)
    assert errors(yaml.safe_load(data.decode("utf-8").replace("§", "")))


Edit = Callable[[dict[str, Any]], None]


def at(*path: str | int) -> Callable[[Any], Edit]:
    """`at(*path)(value)`: an edit of BASE that sets (or, with DELETE, removes) one value."""

    def setter(value: Any) -> Edit:
        def edit(data: dict[str, Any]) -> None:
            node: Any = data
            for key in path[:-1]:
                node = node[key]
            if value is DELETE:
                del node[path[-1]]
            else:
                node[path[-1]] = value

        return edit

    return setter


DELETE = object()
Q0 = ("flow", "questions", 0)
C0 = ("concerns", 0)

# (case id, edit of the default scenario, the code the loader gives for it)
OWN_CASES = [
    ("severity-4", at(*C0, "severity")(4), "E034"),
    ("pause-11", at("persona", "style", "hesitation_pause")(11), "E034"),
    ("max-turns-4", at("max_turns")(4), "E034"),
    ("verdict-101", at("verdict")({"advance": 101}), "E034"),
    ("id-capitals", at("id")("Bad Id"), "E033"),
    ("question-id-digit", at(*Q0, "id")("1st"), "E033"),
    ("source-rumour", at(*C0, "source")("rumour"), "E033"),
    ("follow-up-if-sometimes", at(*Q0, "follow_up_if")("sometimes"), "E033"),
    ("missing-hesitation", at("persona", "style", "hesitation")(DELETE), "E041"),
    ("missing-flow", at("flow")(DELETE), "E041"),
    (
        "missing-answer-say",
        at("flow", "candidate_questions", "answers", "ask_why_open")({"clue": "tenure"}),
        "E041",
    ),
    ("unknown-top-key", at("colour")("blue"), "E040"),
    ("unknown-group-key", at(*C0, "evidence", "groups", "external", "weight")(2), "E040"),
    (
        "unknown-answer-key",
        at("flow", "candidate_questions", "answers", "ask_why_open")(
            {"say": "Because.", "mood": "sad"}
        ),
        "E040",
    ),
    ("word-set-bad-name", at("word_sets", "Bad-Key")(["x"]), "E037"),
    ("no-questions", at("flow", "questions")([]), "E035"),
    ("empty-variants", at("flow", "closing", "say")([]), "E035"),
    ("blank-title", at("title")("   "), "E031"),
    ("long-title", at("title")("x" * 2001), "E032"),
    ("501-background-lines", at("candidate", "background")(["a line"] * 501), "E036"),
    ("ask-boolean", at(*Q0, "ask")(True), "E030"),
    ("answer-number", at("flow", "candidate_questions", "answers", "ask_next_steps")(5), "E030"),
    ("fact-list", at("candidate", "facts", "job_hopper")([1]), "E030"),
    ("preempt-string", at(*C0, "preempt")("yes"), "E030"),
    ("severity-float", at(*C0, "severity")(2.5), "E030"),
    ("concerns-mapping", at("concerns")({"tenure": 1}), "E030"),
]


@pytest.mark.parametrize(
    ("edit", "code"), [c[1:] for c in OWN_CASES], ids=[c[0] for c in OWN_CASES]
)
def test_rejects_what_the_loader_rejects(edit: Edit, code: str) -> None:
    data = copy.deepcopy(BASE)
    edit(data)
    assert code in loader_codes(data)
    assert errors(data)


@pytest.mark.parametrize(
    "edit",
    [
        at("flow", "candidate_questions", "answers", "ask_next_steps")({"say": ["A.", "B."]}),
        at("candidate", "facts", "years")(5),
        at("persona", "style", "hesitation_pause")(0),
        at("description")(DELETE),
        at("verdict")({}),
    ],
)
def test_accepts_what_the_loader_accepts(edit: Edit) -> None:
    data = copy.deepcopy(BASE)
    edit(data)
    assert loader_codes(data) == set()
    assert errors(data) == []


def walk(t: T, fragment: dict[str, Any], seen: list[str], where: str) -> None:
    """Check every field of `t` is in `fragment`, recursively; record each field's path."""
    if isinstance(t, Rec):
        assert fragment["additionalProperties"] is False, where
        assert set(fragment["properties"]) == set(t.fields), where
        assert set(fragment.get("required", [])) == {k for k, f in t.fields.items() if f.required}
        for k, f in t.fields.items():
            prop = fragment["properties"][k]
            assert f.doc and prop["description"] == f.doc, f"{where}.{k}: no doc"
            seen.append(f"{where}.{k}")
            walk(f.type, prop, seen, f"{where}.{k}")
    elif isinstance(t, ListOf):
        walk(t.item, fragment["items"], seen, f"{where}[]")
    elif isinstance(t, MapOf):
        walk(t.value, fragment["additionalProperties"], seen, f"{where}.*")
    elif isinstance(t, Either):
        walk(t.record, fragment["then"], seen, where)
        walk(t.plain, fragment["else"], seen, where)


def count_fields(t: T) -> int:
    if isinstance(t, Rec):
        return sum(1 + count_fields(f.type) for f in t.fields.values())
    if isinstance(t, ListOf):
        return count_fields(t.item)
    if isinstance(t, MapOf):
        return count_fields(t.value)
    if isinstance(t, Either):
        return count_fields(t.record) + count_fields(t.plain)
    return 0


@pytest.mark.parametrize(("rec", "library"), [(SCENARIO, False), (LIBRARY, True)])
def test_every_field_of_the_format_is_in_the_schema(rec: Rec, library: bool) -> None:
    seen: list[str] = []
    walk(rec, json_schema(library), seen, "")
    assert len(seen) == count_fields(rec)
    if not library:
        assert ".concerns[].evidence.groups.*.label" in seen
        assert ".flow.candidate_questions.answers.*.clue" in seen


def test_cli_schema(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == SCHEMA
    out = tmp_path / "closer.schema.json"
    result = runner.invoke(cli, ["schema", "--library", "-o", str(out)])
    assert result.exit_code == 0 and result.output == ""
    assert json.loads(out.read_text(encoding="utf-8")) == json_schema(library=True)


def test_a_list_of_strings_reports_what_each_items_check_reports() -> None:
    """`ListOf` checks a list of plain strings (thousands of patterns) without calling
    `Str.check` on the items that pass: every item it reports, and how, is what `Str.check`
    reports item by item."""
    from closer.engine.errors import Span
    from closer.engine.format.schema import MAX_TEXT, NAME_RE, Str
    from closer.engine.format.source import Y

    values: list[Any] = ["ok", " ", "", "x" * MAX_TEXT, "y" * (MAX_TEXT + 1), 3, None, True]
    values += [[], {}, "\t", " pad ", 2.5]
    for limit in (MAX_TEXT, None, 4):
        for item in (Str(max_len=limit), Str(NAME_RE, "a name", max_len=limit)):
            ys = [Y(v, Span("f", i + 1, 3)) for i, v in enumerate(values)]
            found: list[Any] = []
            ListOf(item).check(Y(ys, Span("f", 1, 1)), found.append)
            each: list[Any] = []
            for y in ys:
                item.check(y, each.append)
            assert found == each and len(each) > 5, (limit, item.pattern)
