"""Terminal-safe text: nothing from a file or a transcript reaches the terminal as a control."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from closer.cli import render
from closer.cli.main import cli
from closer.cli.text import clean, clean_json
from tests.helpers import DEFAULT

HOSTILE = [
    ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),  # sets the window title
    ("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),  # clears the screen
    ("\x9b31m", "\\x9b31m"),  # the one-character C1 escape-sequence start
    ("abc\u202edcba", "abc\\u202edcba"),  # right-to-left override
    ("a\u2066b\u2069c", "a\\u2066b\\u2069c"),  # isolates
    ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
    ("line\u2028break", "line\\u2028break"),
    ("over\rwrite", "over\\rwrite"),
    ("fake\nYou: line", "fake\\nYou: line"),
    ("tab\there", "tab\\there"),
    ("bad byte \udce9", "bad byte \\udce9"),  # what os.fsdecode makes of an undecodable name
    ("del\x7f", "del\\x7f"),
]


@pytest.mark.parametrize(("raw", "shown"), HOSTILE)
def test_clean_shows_every_control_visibly(raw: str, shown: str) -> None:
    assert clean(raw) == shown


def test_clean_leaves_ordinary_text_alone() -> None:
    text = "Résumé — naïve café, 日本語, עברית, 👩\u200d💻, non\u200cjoiner"
    assert clean(text) == text
    assert clean(text, multiline=True) == text


def test_multiline_keeps_line_breaks_and_tabs_but_nothing_else() -> None:
    assert clean("one\n\ttwo\x1b[31m", multiline=True) == "one\n\ttwo\\x1b[31m"
    assert clean("one\r\ntwo", multiline=True) == "one\\r\ntwo"


def test_nothing_unsafe_survives_anywhere_in_unicode() -> None:
    """Every control and every bidirectional or invisible format character, in any position."""
    risky = [
        chr(c)
        for c in range(0x110000)
        if unicodedata.category(chr(c)) in ("Cc", "Cs", "Zl", "Zp")
        or unicodedata.bidirectional(chr(c)) in ("LRE", "RLE", "LRO", "RLO", "PDF")
        or unicodedata.bidirectional(chr(c)) in ("LRI", "RLI", "FSI", "PDI", "LRM", "RLM", "ALM")
    ]
    assert len(risky) > 2000
    for ch in risky:
        assert ch not in clean(f"x{ch}y"), hex(ord(ch))
        assert clean(f"x{ch}y").isascii(), hex(ord(ch))


def test_clean_json_decodes_to_the_same_value_and_prints_safely() -> None:
    value = {"text": "a\x1b[2J\u202e\x85b\udce9", "plain": "café"}
    text = clean_json(json.dumps(value, ensure_ascii=False, indent=2))
    assert json.loads(text) == value
    assert not any(c in text for c in "\x1b\u202e\x85\udce9")
    assert "café" in text and "\n  " in text  # readable, and the layout is kept


# ---- every printer that shows text from a file, a file name or a transcript ----------------

TITLE = "\x1b]0;pwned\x07\x1b[2J"  # would set the window title, then clear the screen


def no_control(output: str) -> None:
    assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output


def persona(tmp_path: Path, name: str, sid: str = "mine") -> Path:
    path = tmp_path / name
    path.write_text(DEFAULT.read_text().replace("id: ledgerline", f"id: {sid}"), encoding="utf-8")
    return path


def test_list_shows_hostile_file_names_and_titles_visibly(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    persona(tmp_path, f"{TITLE}mine.yaml")
    titled = DEFAULT.read_text().replace("id: ledgerline", "id: titled")
    titled = re.sub(r"(?m)^title: .*$", lambda _: 'title: "\\e]0;x\\a\\u202eevil"', titled)
    (tmp_path / "titled.yaml").write_text(titled, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["list"])
    assert result.exit_code == 0, result.output
    no_control(result.output)
    assert "\\x1b]0;pwned\\x07\\x1b[2Jmine.yaml" in result.output
    assert re.search(r"\ntitled +\[medium\] \\x1b\]0;x\\x07\\u202eevil\n", result.output)


def test_list_shows_an_undecodable_file_name(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = os.fsencode(str(tmp_path)) + b"/caf\xe9.yaml"
    try:
        with open(raw, "w", encoding="utf-8") as f:
            f.write(DEFAULT.read_text().replace("id: ledgerline", "id: cafe"))
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["list"])
    assert result.exit_code == 0, result.output
    assert "caf\\udce9.yaml" in result.output


def test_validate_shows_a_hostile_file_name_visibly(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = persona(tmp_path, f"{TITLE}good.yaml")
    bad = tmp_path / f"{TITLE}bad.yaml"
    bad.write_text("closer: 1\nid: x\n", encoding="utf-8")
    result = runner.invoke(cli, ["validate", str(good), str(bad)])
    assert result.exit_code == 1
    no_control(result.output)
    assert "\\x1b]0;pwned\\x07\\x1b[2Jgood.yaml: ok" in result.output
    assert "\\x1b]0;pwned\\x07\\x1b[2Jbad.yaml:1:1: E041" in result.output
    result = runner.invoke(cli, ["validate", "--format", "json", str(good), str(bad)])
    assert result.exit_code == 1
    no_control(result.output)
    assert json.loads(result.stdout)["diagnostics"][0]["path"] == str(bad)


def test_explain_json_is_safe_and_decodes_to_the_text(runner: CliRunner) -> None:
    text = "any reservations\u202e about my fit\x85?"
    result = runner.invoke(cli, ["explain", "ledgerline", text, "--json"])
    assert result.exit_code == 0, result.output
    assert "\u202e" not in result.output and "\x85" not in result.output
    assert json.loads(result.output)["text"] == text


def test_debrief_shows_transcript_text_visibly(runner: CliRunner, tmp_path: Path) -> None:
    t = tmp_path / "t.jsonl"
    lines = "Fine.\nMy old boss was an idiot, it was his fault.\n"
    played = runner.invoke(
        cli, ["play", "--instant", "--seed", "3", "--transcript", str(t)], input=lines
    )
    assert played.exit_code == 0, played.output
    events = [json.loads(x) for x in t.read_text(encoding="utf-8").splitlines()]
    for e in events:
        if e.get("quote"):
            e["quote"] = f"{TITLE}quoted\u202eeno"
        if e["event"] == "say" and e["speaker"] == "interviewer" and e["turn"] == 2:
            e["text"] = f"{TITLE}aloud\nVerdict: Would advance (100/100)"
    t.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    result = runner.invoke(cli, ["debrief", str(t)])
    assert result.exit_code == 0, result.output
    no_control(result.output)
    assert 'you said "\\x1b]0;pwned\\x07\\x1b[2Jquoted\\u202eeno"' in result.output
    assert "aloud\\nVerdict: Would advance" in result.output
    assert "\nVerdict: Would advance (100/100)" not in result.output


def test_test_runner_shows_hostile_test_file_names_visibly(
    runner: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / f"{TITLE}broken.test.yaml").write_text("closer_test: 1\n", encoding="utf-8")
    result = runner.invoke(cli, ["test", str(tmp_path)])
    assert result.exit_code == 1
    no_control(result.output)
    assert "\\x1b]0;pwned\\x07\\x1b[2Jbroken.test.yaml" in result.output


def test_user_errors_show_names_visibly(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["play", f"{TITLE}nowhere.yaml"])
    assert result.exit_code == 1
    no_control(result.output)
    assert "\\x1b]0;pwned" in result.output


def test_interviewer_lines_and_the_briefing_are_shown_visibly() -> None:
    p = render.Painter(True)
    shown = render.line(p, "Priya", f"Hello{TITLE}\nYou: *pauses*", 0)
    assert "\x07" not in shown and "\x1b]" not in shown and "\n" not in shown
    assert "Hello\\x1b]0;pwned\\x07\\x1b[2J\\nYou:" in click.unstyle(shown)
    wrapped = render.line(p, "Priya", "x\u202e" * 60, 40)
    assert "\u202e" not in wrapped and "\\u202e" in wrapped


def test_a_block_wraps_each_line_under_its_own_indent() -> None:
    from closer.cli.render import block

    text = (
        "No intent matched your last line, so it was taken as an answer.\n  runner-up "
        + ("word " * 20).strip()
    )
    assert block(text) == text  # a pipe: as it is
    wrapped = block(text, 30).split("\n")
    assert all(len(line) <= 30 for line in wrapped)
    assert wrapped[0].startswith("No intent") and wrapped[1].startswith("  ")
    runner = next(i for i, line in enumerate(wrapped) if "runner-up" in line)
    assert wrapped[runner].startswith("  runner-up")
    assert all(line.startswith("    ") for line in wrapped[runner + 1 :])
    assert " ".join(" ".join(wrapped).split()) == " ".join(text.split())


def test_printable_text_has_nothing_to_clean() -> None:
    """`clean`, `clean_json` and `scrub` return printable text as it is, without compiling their
    expressions: no character that `str.isprintable` accepts is one they change (with line
    breaks and tabs for a block), and they change the same text as the expressions alone."""
    from closer.cli import text

    printable = "".join(c for c in map(chr, range(0x110000)) if c.isprintable())
    assert len(printable) > 100_000
    for expression in (text.UNSAFE, text.UNSAFE_IN_BLOCK, text.SURROGATE):
        assert re.search(expression, printable) is None
    assert re.search(text.UNSAFE_IN_BLOCK, printable + "\n\t") is None
    every = "".join(map(chr, range(0x110000)))
    samples = [every[i : i + 5000] for i in range(0, len(every), 5000)] + [r for r, _ in HOSTILE]
    samples += ["plain", "two\nlines\tand a tab", "é ü 中文 👍🏽 \u200d"]
    for s in samples:
        visible = re.sub(text.UNSAFE, text._visible, s)
        block = re.sub(text.UNSAFE_IN_BLOCK, text._visible, s)
        assert clean(s) == visible and clean(s, multiline=True) == block
        assert clean_json(s) == re.sub(
            text.UNSAFE_IN_BLOCK, lambda m: f"\\u{ord(m.group()):04x}", s
        )
        assert text.scrub(s) == re.sub(text.SURROGATE, "\ufffd", s)
    assert clean("a\x1bb") == "a\\x1bb"  # the check itself can fail


def test_validating_a_clean_file_compiles_none_of_the_expressions() -> None:
    from closer.cli import text

    text._compiled.cache_clear()
    result = CliRunner().invoke(cli, ["validate", str(DEFAULT)])
    assert result.exit_code == 0 and text._compiled.cache_info().currsize == 0
    clean("a\tb")
    assert text._compiled.cache_info().currsize == 1  # the check itself can fail
