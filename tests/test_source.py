"""Reading YAML safely (engine/format/source.py): the limits are counted on what YAML reads, not
on the raw text; every duplicate key is reported; positions are the ones an editor shows,
whatever the line endings; characters that make a file read differently than it looks are
refused.

A `§` in a test's text marks where the diagnostic must point; it is removed before loading."""

from __future__ import annotations

import pytest

from closer.engine import ScenarioError, load_scenario
from closer.engine.format.source import MAX_ALIASES, MAX_DEPTH, MAX_NODES, decode, parse
from tests.helpers import DEFAULT

BASE = DEFAULT.read_text(encoding="utf-8")
HERE = "§"


def located(text: str) -> tuple[str, int, int]:
    """Remove the one `§`; return the text and the 1-based line:col where it was (lines end at
    LF, CRLF or CR, as in YAML and editors; a leading byte-order mark takes no column)."""
    assert text.count(HERE) == 1
    pos = text.index(HERE)
    text = text.replace(HERE, "")
    head = text[:pos].removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text, head.count("\n") + 1, len(head) - (head.rfind("\n") + 1) + 1


def problems(text: str) -> list[tuple[int, int, str]]:
    with pytest.raises(ScenarioError) as e:
        load_scenario(text, "t.yaml")
    return [(d.span.line, d.span.col, d.code) for d in e.value.diagnostics]


def assert_at(marked: str, code: str) -> str:
    """The text (with its §) gives `code` at the §; returns that diagnostic's text."""
    text, line, col = located(marked)
    with pytest.raises(ScenarioError) as e:
        load_scenario(text, "t.yaml")
    found = [(d.span.line, d.span.col, d.code) for d in e.value.diagnostics]
    assert (line, col, code) in found, f"expected {code} at {line}:{col}, got {found}"
    return next(str(d) for d in e.value.diagnostics if (d.span.line, d.span.col) == (line, col))


def with_title(value: str) -> str:
    return BASE.replace(
        "title: Senior Backend Engineer at Ledgerline, with the engineering manager",
        f"title: {value}",
        1,
    )


# ---- nesting depth: counted on YAML's structure, not on brackets in the text -------------------


def test_brackets_in_comments_do_not_count_as_nesting() -> None:
    comments = "".join(f"# see section [{i}\n" for i in range(MAX_DEPTH + 1))
    assert load_scenario(comments + BASE, "t.yaml").id == "ledgerline"


def test_brackets_in_a_quoted_string_do_not_count_as_nesting() -> None:
    assert load_scenario(with_title('"' + "[" * 41 + ' draft"'), "t.yaml").title.startswith("[[")


def test_brackets_in_a_valid_pattern_do_not_count_as_nesting() -> None:
    pattern = "[" * 41 + "so" + "]" * 41 + " fixed term"
    text = BASE.replace("            - fixed term\n", f'            - "{pattern}"\n', 1)
    assert text != BASE
    load_scenario(text, "t.yaml")


def test_real_flow_nesting_is_refused_at_the_first_level_too_deep() -> None:
    assert_at("a: " + "[" * MAX_DEPTH + "§[1" + "]" * (MAX_DEPTH + 1) + "\n", "E012")


def test_real_block_nesting_is_refused_at_the_first_level_too_deep() -> None:
    rows = ["  " * i + "a:" for i in range(MAX_DEPTH + 5)]
    rows[MAX_DEPTH + 1] = "  " * (MAX_DEPTH + 1) + "§a:"
    assert_at("\n".join(rows) + "\n" + "  " * (MAX_DEPTH + 5) + "x\n", "E012")


def test_an_alias_cannot_nest_deeper_than_the_limit() -> None:
    deep = "[" * 30 + "1" + "]" * 30
    assert problems(f"a: &d {deep}\nb: {'[' * 20}*d{']' * 20}\n")[0][2] == "E012"


def test_the_deepest_allowed_nesting_loads_as_yaml() -> None:
    tree = parse("a: " + "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH + "\n", "t.yaml")
    assert tree.get("a") is not None


# ---- keys, values and aliases: each use of an alias counts once --------------------------------


def test_one_alias_of_a_long_list_is_one_alias_use() -> None:
    items = ", ".join(f"w{i}" for i in range(150))
    tree = parse(f"a: &long [{items}]\nb: *long\n", "t.yaml")
    assert len(tree.get("b").v) == 150  # type: ignore[union-attr]


def test_too_many_alias_uses_are_refused_at_the_first_one_over() -> None:
    uses = "".join(f"k{i}: *a\n" for i in range(MAX_ALIASES))
    assert_at(f"a: &a x\n{uses}k: §*a\n", "E011")


def test_too_many_values_are_refused_at_the_first_one_over() -> None:
    items = "".join("- 1\n" for _ in range(MAX_NODES - 3))  # the mapping, `a` and the list count
    assert_at(f"a:\n{items}- §1\n", "E011")


def test_a_long_file_of_comments_is_not_too_many_values() -> None:
    padding = "#\n" * (MAX_NODES + 1)
    assert load_scenario(BASE + padding, "t.yaml").id == "ledgerline"


# ---- duplicate keys: every one in the file -----------------------------------------------------


def test_every_duplicate_key_in_the_file_is_reported() -> None:
    text = BASE.replace("\nposition: ", "\nposition: Staff Engineer\nposition: ", 1)
    text = text.replace("    severity: 3\n", "    severity: 3\n    severity: 1\n", 1)
    text = text.replace("  name: Jordan Avery\n", "  name: Jordan Avery\n  name: Sam\n", 1)
    found = problems(text)
    assert [c for _, _, c in found] == ["E020", "E020", "E020"], found
    lines = [ln for ln, _, _ in found]
    assert lines == sorted(lines) and len(set(lines)) == 3


def test_duplicate_keys_in_nested_mappings_are_each_reported() -> None:
    found = problems("a: {x: 1, x: 2}\nb:\n  c: {y: 1, y: 2}\n  c: 3\n")
    assert found == [(1, 11, "E020"), (3, 13, "E020"), (4, 3, "E020")]


# ---- characters that make a file read differently than it looks --------------------------------


@pytest.mark.parametrize(
    ("char", "name"),
    [("\x85", "U+0085"), ("\u2028", "U+2028"), ("\u2029", "U+2029")],
    ids=["NEL", "LS", "PS"],
)
def test_a_comment_cannot_hide_a_key_behind_a_yaml_line_break(char: str, name: str) -> None:
    text = BASE.replace("\ncloser: 1\n", f"\ncloser: 1\n# ok§{char}max_turns: 5\n", 1)
    message = assert_at(text, "E015")
    assert name in message


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"], ids=["NEL", "LS", "PS"])
def test_yaml_line_breaks_are_refused_inside_values_too(char: str) -> None:
    assert_at(with_title(f"Senior§{char}Engineer"), "E015")


def test_a_file_separated_by_line_separators_is_refused_where_the_editor_shows_it() -> None:
    text = BASE.replace("\n", "\u2028")
    found = problems(text)
    assert found == [(1, text.index("\u2028") + 1, "E015")]


# ---- positions: lines end at LF, CRLF or CR; a byte-order mark takes no column ----------------


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_a_control_character_is_located_whatever_the_line_endings(newline: str) -> None:
    text = BASE.replace("  role: Engineering Manager", "  role: Engineering §\x1bManager", 1)
    assert_at(text.replace("\n", newline), "E015")


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_a_bad_byte_is_located_whatever_the_line_endings(newline: str) -> None:
    head = BASE[: BASE.index("  company: Ledgerline")].replace("\n", newline)
    data = (head + "  company: Ledg").encode() + b"\xff" + b"erline\n"
    _, line, col = located(head + "  company: Ledg§")
    with pytest.raises(ScenarioError) as e:
        decode(data, "t.yaml")
    (d,) = e.value.diagnostics
    assert (d.span.line, d.span.col, d.code) == (line, col, "E002")


def test_a_byte_order_mark_takes_no_column() -> None:
    with pytest.raises(ScenarioError) as e:
        decode("\ufeffid: x".encode() + b"\xff", "t.yaml")
    assert (e.value.diagnostics[0].span.line, e.value.diagnostics[0].span.col) == (1, 6)


def test_a_byte_order_mark_in_the_text_is_ignored() -> None:
    assert load_scenario("\ufeff" + BASE, "t.yaml").id == "ledgerline"
    assert_at("\ufeffid: x§: y\n", "E010")
    assert_at("\ufeffid: §\x07\n", "E015")


def test_a_byte_order_mark_inside_the_file_is_refused_where_it_is() -> None:
    assert_at(BASE.replace("\ncloser: 1\n", "\ncloser: 1\n# x §\ufeff\n", 1), "E015")


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["CRLF", "CR"])
def test_diagnostics_after_the_parser_are_located_whatever_the_line_endings(newline: str) -> None:
    text = BASE.replace("    severity: 3\n", '    severity: §"high"\n', 1)
    assert_at(text.replace("\n", newline), "E030")


WITHOUT_ALIASES = [
    "a: 1\nb: [x, 'y', \"z\", 2.5, true, ~, 2001-12-14]\nc:\n  d: |\n    block\n  e: >\n    f\n",
    "a: !!python/object:os.system x\n",
    "a: [1, !!set {x}]\n",
    "<<: {a: 1}\n",
    "a: 1\na: 2\nb: {c: 1, c: 2}\n",
    "? [a, b]\n: c\n",
    "- !custom x\n",
    "a: !!binary aGk=\n",
]


@pytest.mark.parametrize("text", [*WITHOUT_ALIASES, BASE])
def test_a_text_without_aliases_converts_as_any_text_does(text: str) -> None:
    """A text that uses no alias is converted without counting nodes or following aliases
    (`_Converter.once`): the same tree, or the same problems, as the careful way."""
    from closer.engine.format import source

    assert source._check_structure(text, "t.yaml") == 0
    results = []
    for plain in (False, True):
        loader = source._Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
        try:
            results.append(source._Converter("t.yaml", text, plain).convert_root(node))
        except ScenarioError as e:
            results.append([str(d) for d in e.diagnostics])  # type: ignore[arg-type]
    assert results[0] == results[1]


def test_only_a_text_without_aliases_is_converted_the_plain_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """(What the one pass leaves to the careful path: an alias, a duplicate key.)"""
    from closer.engine.format import source

    seen: list[bool] = []
    real = source._Converter.__init__

    def spy(self: source._Converter, path: str, text: str, plain: bool = False) -> None:
        seen.append(plain)
        real(self, path, text, plain)

    monkeypatch.setattr(source._Converter, "__init__", spy)
    parse("a: &x [1]\nb: *x\n", "t.yaml")
    with pytest.raises(ScenarioError):
        parse("a: [1]\na: [1]\n", "t.yaml")
    parse("a: [1]\nb: [1]\n", "t.yaml")  # read in one pass: no converter
    assert seen == [False, True]


ONE_PASS = [
    *WITHOUT_ALIASES,
    "a: &x [1]\nb: *x\n",
    "a: &x 1\n",
    "a: 1\n---\nb: 2\n",
    "--- a\n",
    "plain words\n",
    "~\n",
    "[]\n",
    "{}\n",
    "- a\n- [b, {c: d}]\n- {}\n",
    "1: a\ntrue: b\nnull: c\n2.5: d\n'q': e\n",
    "2001-12-14: a\n",
    "a: ! 'x'\nb: !!str 1\nc: !!seq [1]\nd: !!map {e: 1}\ne: !!int '7'\nf: !!float x\n",
    "a: !!map [1]\n",
    "a: !!seq {b: 1}\n",
    "a: 0x1F\nb: 1_000\nc: .inf\nd: -.5\ne: yes\nf: No\ng: 0o17\nh: 1e3\n",
    'a: |\n  x\n  y\n\nb: >-\n  p\n  q\nc: "e\\u00e9\\n"\n',
    "a: [1, 2\n",
    "a: b: c\n",
    "a:\n  - b\n c: d\n",
    "{a: 1, [b]: 2}\n",
    "a: <<\n",
    "? a\n",
    "a: &x\n  b: 1\nc: *y\n",
    "[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2) + "\n",
    "a: [" + ", ".join(["x"] * (MAX_NODES + 5)) + "]\n",
    "a: [" + ", ".join(["x"] * (MAX_NODES + 5)) + "\n",
    "a: [" + ", ".join(["x"] * 50) + "]\nb: !!python/none x\nc: [" + "1," * MAX_NODES + "]\n",
    "a: [" + "[" * 1100 + "\n",
]


def careful_and_one_pass(text: str, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """What `parse` gives (a tree, or the diagnostics) in one pass, and by the careful path."""
    from closer.engine.format import source

    out: list[object] = []
    for one_pass in (True, False):
        with monkeypatch.context() as m:
            if not one_pass:
                m.setattr(source, "_read_events", lambda text, path: None)
            try:
                out.append(parse(text, "t.yaml"))
            except ScenarioError as e:
                out.append([str(d) for d in e.diagnostics])
    return out


@pytest.mark.parametrize("text", ONE_PASS)
def test_one_pass_reads_what_the_careful_path_reads(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`_read_events` (count and build from the events at once) against counting, composing
    and converting: the same tree, or the same diagnostics at the same places."""
    one_pass, careful = careful_and_one_pass(text, monkeypatch)
    assert one_pass == careful


def test_one_pass_reads_every_shipped_file_and_mangled_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import random

    from closer.engine.format import source
    from closer.scenarios import DIR

    texts = [p.read_text(encoding="utf-8") for p in sorted(DIR.rglob("*.yaml"))]
    for text in texts:  # every shipped file is read in one pass
        assert source._read_events(text, "t.yaml") is not None
    rng = random.Random(5)
    pieces = [":", " ", "\n", "- ", "[", "]", "{", "}", "'", '"', "&a ", "*a", "!!str ", "#", "  "]
    for _ in range(300):
        text = rng.choice(texts)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text))
            cut = text[at : at + rng.randint(0, 3)]
            text = text[:at] + rng.choice([*pieces, ""]) + text[at + len(cut) :]
        one_pass, careful = careful_and_one_pass(text, monkeypatch)
        assert one_pass == careful, text


def test_a_plain_scalars_tag_is_what_the_resolver_gives() -> None:
    """The one pass gives a plain scalar that starts with a character the resolver has no
    pattern for the string tag without asking it: the same tag as the resolver gives, for texts
    starting with every printable ASCII character and a few others, followed by what makes a
    number, a date, a boolean or null of them."""
    import yaml

    from closer.engine.format import source

    tails = ["", "1", "12", ".5", "e3", "rue", "ull", "o", "es", "0-01-01", "x1", ":"]
    starts = [chr(c) for c in range(32, 127)] + ["é", "\u00a0", "ø", "٣", "true", "NULL", "2020"]
    loader = yaml.CSafeLoader("a: 1")
    try:
        events = source._Events(loader, "a: 1", "f")
        strings = 0
        for start in starts:
            for tail in tails:
                value = start + tail
                expected = loader.resolve(yaml.ScalarNode, value, (True, False))
                assert events.plain_tag(value) == expected, value
                strings += expected == "tag:yaml.org,2002:str"
        assert events.first is not None and 300 < strings < len(starts) * len(tails) - 50
    finally:
        loader.dispose()
