"""Broken and hostile scenario files: every one gives exit code 1 and a located diagnostic
(`path:line:col: E0xx message`) from both `closer validate FILE` and `closer play FILE --instant`,
within a second, without a traceback and without running anything the file asks for.

Most cases take the shipped default scenario (scenarios/ledgerline.yaml) as text and change one
thing, so each test isolates one problem. In the replacement text a `§` marks where the diagnostic
must point; it is removed before the file is written, and the expected line:col is computed from
the altered text. Large, binary and special files are generated into tmp_path at test time.

A case that reveals a bug gets `bug=` (only the location or the one-line format is wrong: the
location test is xfail) or `broken=` (the whole contract fails: every test of it is xfail), always
xfail(strict=True) with the bug in the reason, so a fix makes the suite say so.
"""

from __future__ import annotations

import gc
import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from closer.cli.main import cli
from closer.engine.format.source import MAX_BYTES

ROOT = Path(__file__).resolve().parent.parent
BASE = (ROOT / "scenarios" / "ledgerline.yaml").read_text(encoding="utf-8")
CLOSER = Path(sys.executable).parent / "closer"
HERE = "§"  # where the diagnostic must point; removed from the file
MARKER = "@@MARKER@@"  # replaced by a path in tmp_path that must never be created
LIMIT = 1.0  # seconds: "within a second"
TIMEOUT = 5.0  # seconds before a hung subprocess is killed
MB = 1024 * 1024

Make = Callable[[Path], tuple[bytes, int, int]]  # tmp_path -> (file bytes, line, col)


# ---- building cases -----------------------------------------------------------------------


def located(text: str) -> tuple[str, int, int]:
    """Remove the one `§` from text; return the text and the 1-based line:col where it was."""
    assert text.count(HERE) == 1, "a case needs exactly one § marking the expected position"
    pos = text.index(HERE)
    text = text.replace(HERE, "")
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return text, line, col


def base_line(prefix: str) -> str:
    """The first whole line of the default scenario that starts with prefix (without newline)."""
    for line in BASE.splitlines():
        if line.startswith(prefix):
            return line
    raise AssertionError(f"scenarios/ledgerline.yaml has no line starting {prefix!r}: update me")


def edit(old: str, new: str) -> Make:
    """The default scenario with the first `old` replaced by `new` (which holds the §)."""

    def make(tmp: Path) -> tuple[bytes, int, int]:
        assert old in BASE, f"scenarios/ledgerline.yaml no longer contains {old!r}: update me"
        text, line, col = located(BASE.replace(old, new.replace(MARKER, str(tmp / "MARKER")), 1))
        return text.encode("utf-8"), line, col

    return make


def edit_line(prefix: str, new: str) -> Make:
    """Replace the whole first line starting with `prefix`."""
    return edit(base_line(prefix) + "\n", new + "\n")


def whole(text: str) -> Make:
    """A file that is just `text` (with its §)."""

    def make(tmp: Path) -> tuple[bytes, int, int]:
        out, line, col = located(text)
        return out.encode("utf-8"), line, col

    return make


def bad_bytes(old: str, before: str, bad: bytes, after: str) -> Make:
    """Replace `old` with before + raw bytes + after; expect the location of the first bad byte,
    as a character column (the unit every other diagnostic uses)."""

    def make(tmp: Path) -> tuple[bytes, int, int]:
        assert old in BASE, f"scenarios/ledgerline.yaml no longer contains {old!r}: update me"
        i = BASE.index(old)
        head = BASE[:i] + before
        data = head.encode() + bad + (after + BASE[i + len(old) :]).encode()
        _, line, col = located(head + HERE)
        return data, line, col

    return make


def made(fn: Callable[[Path], bytes | str], line: int = 1, col: int = 1) -> Make:
    def make(tmp: Path) -> tuple[bytes, int, int]:
        data = fn(tmp)
        return (data.encode() if isinstance(data, str) else data), line, col

    return make


def truncated_at_end(tmp: Path) -> tuple[bytes, int, int]:
    """The file ends in the middle of a two-byte character."""
    _, line, col = located(BASE + "# caf§")
    return (BASE + "# caf").encode() + b"\xc3", line, col


def cut_questions(tmp: Path) -> tuple[bytes, int, int]:
    """flow.questions as a string instead of a list of questions."""
    start = BASE.index("\n  questions:\n") + 1
    end = BASE.index("  candidate_questions:\n")
    text = BASE[:start] + '  questions: §"about_you, system, incident"\n' + BASE[end:]
    out, line, col = located(text)
    return out.encode(), line, col


def billion_laughs() -> str:
    rows = ['a: §&a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 9):
        me, prev = chr(ord("a") + n), chr(ord("a") + n - 1)
        rows.append(f"{me}: &{me} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(rows) + "\n"


def block_mapping(levels: int, mark_at: int) -> str:
    rows = [("  " * i) + (HERE if i == mark_at else "") + "a:" for i in range(levels)]
    return "\n".join(rows) + "\n" + "  " * levels + "x\n"


@dataclass(frozen=True)
class Case:
    id: str
    make: Make
    codes: tuple[str, ...]  # the code(s) the located diagnostic may carry
    also: tuple[str, ...] = ()  # other codes this one problem may legitimately cause
    hint: str = ""  # expected in that diagnostic's text; {prev} is the line before it
    message: str = ""  # expected in that diagnostic's text
    lines: tuple[int, int] | None = None  # only check the line is in this range
    bug: str = ""  # xfail reason: the location or format of the diagnostic is wrong
    broken: str = ""  # xfail reason: the whole contract fails (exit code, execution)
    marks: tuple[pytest.MarkDecorator, ...] = ()


RAW_CONTROL = ("E010", "E015", "E051")  # a raw control byte: a YAML or a text diagnostic
GREETING = "Hi {candidate.first_name}, I'm "  # the opening line, up to the placeholder we change

CASES = [
    # -- YAML syntax
    Case("syntax-extra-colon", edit_line("  role:", "  role: Engineering§: Manager"), ("E010",)),
    Case("syntax-tab-indent", edit_line("  role:", "§\trole: Engineering Manager"), ("E010",)),
    Case("syntax-two-documents", edit_line("id:", "§---\nid: ledgerline"), ("E010",)),
    # -- wrong types
    Case("type-severity-string", edit("    severity: 3\n", '    severity: §"high"\n'), ("E030",)),
    Case("type-questions-string", cut_questions, ("E030",)),
    Case(
        "type-pause-word",
        edit_line("    hesitation_pause:", "    hesitation_pause: §long"),
        ("E030",),
    ),
    Case("type-preempt-word", edit("    preempt: true\n", "    preempt: §sometimes\n"), ("E030",)),
    Case("type-format-version-2", edit("\ncloser: 1\n", "\ncloser: §2\n"), ("E034",)),
    Case(
        "type-facts-list",
        edit("  facts:\n    job_hopper: true\n", "  facts: §[job_hopper]\n"),
        ("E030",),
    ),
    Case("type-root-is-a-list", whole("§- closer: 1\n- id: x\n"), ("E030",)),
    Case("type-null-document", whole("§~\n"), ("E003", "E030")),
    # -- unknown keys, with "did you mean"
    Case(
        "key-persona-nmae",
        edit_line("  name: Priya", "  §nmae: Priya Natarajan"),
        ("E040",),
        also=("E041",),
        hint="did you mean 'name'?",
    ),
    Case(
        "key-top-level-titel",
        edit("\ntitle: ", "\n§titel: "),
        ("E040",),
        also=("E041",),
        hint="did you mean 'title'?",
    ),
    Case(
        "key-concern-severty",
        edit("    severity: 3\n", "    §severty: 3\n"),
        ("E040",),
        also=("E041",),
        hint="did you mean 'severity'?",
    ),
    # -- duplicate keys
    Case(
        "dup-top-level-position",
        edit("\nposition: ", "\nposition: Staff Engineer\n§position: "),
        ("E020",),
        hint="first defined at line {prev}",
    ),
    Case(
        "dup-nested-severity",
        edit("    severity: 3\n", "    severity: 3\n    §severity: 1\n"),
        ("E020",),
        hint="first defined at line {prev}",
    ),
    # -- Python and other non-core tags: refused, never executed (MARKER must not appear)
    Case(
        "tag-object-apply-top-level",
        edit_line("title:", f'title: §!!python/object/apply:os.system ["touch {MARKER}"]'),
        ("E013",),
    ),
    Case(
        "tag-python-name-top-level",
        edit_line("title:", "title: §!!python/name:os.system"),
        ("E013",),
    ),
    Case(
        "tag-object-apply-nested-in-facts",
        edit_line(
            "    job_hopper:",
            f'    job_hopper: §!!python/object/apply:os.system ["touch {MARKER}"]',
        ),
        ("E013",),
    ),
    Case(
        "tag-python-name-in-pattern-list",
        edit_line("            - shut* down", "            - §!!python/name:os.system"),
        ("E013",),
    ),
    Case(
        "tag-object-new-popen-in-flow-list",
        edit_line(
            "    order: 3",  # the on-call concern: a `during` goes here
            f'    during: [§!!python/object/new:subprocess.Popen [["touch", "{MARKER}"]]]',
        ),
        ("E013",),
    ),
    Case("tag-python-module", edit_line("  company:", "  company: §!!python/module:os"), ("E013",)),
    Case(
        "tag-local-include", edit_line("  company:", "  company: §!include /etc/passwd"), ("E013",)
    ),
    Case(
        "tag-object-apply-as-key",
        edit_line(
            "    job_hopper:",
            f'    ? §!!python/object/apply:os.system ["touch {MARKER}"]\n    : true',
        ),
        ("E013", "E014"),
    ),
    Case(
        "tag-python-name-on-a-key",
        edit_line("    job_hopper:", "    §!!python/name:os.system job_hopper: true"),
        ("E013",),
    ),
    # -- aliases
    Case("alias-billion-laughs", whole(billion_laughs()), ("E011",), lines=(1, 9)),
    Case("alias-recursive-list", whole("a: §&a [*a]\n"), ("E011",)),
    Case("alias-recursive-mapping", whole("a: §&a {b: *a}\n"), ("E011",)),
    Case(
        "alias-recursive-in-scenario",
        edit_line("    job_hopper:", "    job_hopper: §&loop [*loop]"),
        ("E011",),
    ),
    # -- size
    Case("size-30-MB", made(lambda tmp: BASE + "#" + "x" * (30 * MB) + "\n"), ("E001",)),
    # -- encoding
    Case(
        "utf8-invalid-byte",
        bad_bytes("  company: Ledgerline\n", "  company: Ledg", b"\xff", "line\n"),
        ("E002",),
        hint="save the file as UTF-8",
    ),
    Case(
        "utf8-latin-1-accent",
        bad_bytes(
            "  name: Priya Natarajan\n", "  name: Priya Natar", "á".encode("latin-1"), "jan\n"
        ),
        ("E002",),
    ),
    Case("utf8-truncated-at-end", truncated_at_end, ("E002",)),
    Case("utf8-utf-16-file", made(lambda tmp: BASE.encode("utf-16")), ("E002",)),
    Case(
        "utf8-after-multibyte-char",
        bad_bytes("  company: Ledgerline\n", "  company: Lédg", b"\xff", "line\n"),
        ("E002",),
    ),
    # -- empty
    Case("empty-zero-bytes", whole("§"), ("E003",)),
    Case("empty-comments-only", whole("§# nothing here\n   # indented comment\n\n"), ("E003",)),
    Case("empty-whitespace-only", whole("§\n   \n\t\n"), ("E003",)),
    Case("empty-bom-only", whole("§\ufeff"), ("E003",)),
    # -- nesting
    Case("depth-10000-brackets", whole("a: " + "[" * 40 + "§" + "[" * 9960 + "\n"), ("E012",)),
    Case("depth-10000-braces", whole("a: " + "{" * 40 + "§" + "{" * 9960 + "\n"), ("E012",)),
    Case(
        "depth-brackets-in-scenario",
        edit_line(
            # a concern's `during` is three levels down: its 38th bracket is the 41st level
            "    order: 3",  # the on-call concern: a `during` goes here
            "    during: " + "[" * 38 + "§" + "[" * 9962 + "oncall" + "]" * 10000,
        ),
        ("E012",),
    ),
    Case("depth-block-mapping-60", whole(block_mapping(60, 41)), ("E012",)),
    Case("depth-block-sequence-10000", whole("- " * 41 + "§" + "- " * 9959 + "x\n"), ("E012",)),
    # -- patterns
    Case(
        "pattern-unclosed-group",
        edit_line("            - shut* down", "            - §(a|"),
        ("E060",),
        message="'(a|'",
    ),
    Case(
        "pattern-unmatched-paren",
        edit_line("            - shut* down", "            - shut* down§)"),
        ("E060",),
    ),
    Case(
        "pattern-unknown-word-set",
        edit_line("            - shut* down", "            - shut* §@formr"),
        ("E060",),
        hint="did you mean 'former'?",
    ),
    Case(
        "pattern-unmatched-paren-quoted",
        edit_line("            - shut* down", '            - "shut* down§)"'),
        ("E060",),
    ),
    # -- placeholders (the location is the placeholder itself)
    *(
        Case(
            f"placeholder-{name}",
            edit(f'say: "{GREETING}{{persona.name}}.', f'say: "{GREETING}§{ph}.'),
            ("E050",),
            message=what,
        )
        for name, ph, what in [
            ("unknown", "{candidate.salary}", "unknown placeholder {candidate.salary}"),
            (
                "attribute-reach",
                "{candidate.name.__class__.__mro__}",
                "unknown placeholder {candidate.name.__class__.__mro__}",
            ),
            ("format-index", "{0.__class__}", "unknown placeholder {0.__class__}"),
            ("lone-brace", "{", "a lone brace"),
        ]
    ),
    # -- dangling references
    Case(
        "ref-goto-nowhere",
        edit_line("          goto: testing", "          goto: §nowhere"),
        ("E072",),
    ),
    Case("ref-during-nope", edit_line("    order: 3", "    during: [§nope]"), ("E072",)),
    Case("ref-clue-nope", edit_line("        clue: speed", "        clue: §nope"), ("E075",)),
    Case(
        "ref-when-fact-typo",
        edit_line("    when_fact:", "    when_fact: §job_hoper"),
        ("E080",),
        hint="did you mean 'job_hopper'?",
    ),
    Case(
        "ref-evidence-group-typo",
        edit_line(
            "      resolve: {all: [external, commitment]}",
            "      resolve: {all: [external, §comitment]}",
        ),
        ("E077",),
        hint="did you mean 'commitment'?",
    ),
    # -- control characters (terminal escapes) in text
    Case(
        "control-escaped-esc",
        edit_line("  role:", r'  role: §"Engineering \x1b[31mManager"'),
        ("E051",),
        message="U+001B",
    ),
    Case(
        "control-yaml-e-escape",
        edit_line("  role:", r'  role: §"Engineering \e[31mManager"'),
        ("E051",),
        message="U+001B",
    ),
    Case(
        "control-c1-csi",
        edit_line("  role:", r'  role: §"Engineering \x9b31mManager"'),
        ("E051",),
        message="U+009B",
    ),
    Case(
        "control-raw-esc-byte",
        edit_line("  role:", "  role: Engineering §\x1b[31mManager"),
        RAW_CONTROL,
    ),
    Case(
        "control-raw-bel-in-comment",
        edit_line("  role:", "  role: Engineering Manager  # ding §\x07"),
        RAW_CONTROL,
    ),
    # -- line breaks that YAML counts and editors do not: a key hidden in a comment
    Case(
        "linebreak-nel-in-comment",
        edit("\ncloser: 1\n", "\ncloser: 1\n# ok§\x85max_turns: 5\n"),
        ("E015",),
        message="U+0085",
    ),
    Case(
        "linebreak-ls-in-value",
        edit_line("  role:", "  role: Engineering§\u2028Manager"),
        ("E015",),
        message="U+2028",
    ),
    # -- a persona line that would print a fake debrief and prompt, or reorder the screen
    Case(
        "text-fake-debrief",
        edit_line(
            "      - Got it.",
            '      - §"Got it.\\n\\nWHAT YOU LEFT WITHOUT KNOWING\\nnothing\\n'
            'verdict: advance\\nYou: "',
        ),
        ("E052",),
        message="line break",
    ),
    Case(
        "text-right-to-left-override",
        edit_line("  role:", "  role: Engineering §\u202eManager"),
        ("E052",),
        message="U+202E",
    ),
    Case(
        "text-zero-width-space",
        edit_line("  company:", "  company: Ledger§\u200bline"),
        ("E052",),
        message="U+200B",
    ),
]


def params(kind: str) -> list[pytest.ParameterSet]:
    """Cases for one test; `kind` is 'location' for the test that checks where it points."""
    out = []
    for c in CASES:
        marks = list(c.marks)
        if c.broken:
            marks.append(pytest.mark.xfail(strict=True, reason=c.broken))
        elif c.bug and kind == "location":
            marks.append(pytest.mark.xfail(strict=True, reason=c.bug))
        out.append(pytest.param(c, id=c.id, marks=marks))
    return out


# ---- running the CLI ------------------------------------------------------------------------


@dataclass
class Written:
    path: Path
    line: int
    col: int
    marker: Path

    @property
    def diag(self) -> re.Pattern[str]:
        return re.compile(rf"^{re.escape(str(self.path))}:(\d+):(\d+): (E\d{{3}}) (.*)$")


def write(case: Case, tmp: Path) -> Written:
    data, line, col = case.make(tmp)
    path = tmp / "broken.yaml"
    path.write_bytes(data)
    return Written(path, line, col, tmp / "MARKER")


def invoke(args: list[str]) -> tuple[Result, float]:
    # the suite's own heap is large by now: a full collection it owes must not land in the
    # timed call (one did, once: 1.00 s for a file refused in 0.05); test_real_process times
    # closer alone, in its own process
    gc.collect()
    start = time.perf_counter()
    result = CliRunner().invoke(cli, args, input="")
    return result, time.perf_counter() - start


def diagnostics(w: Written, text: str) -> list[tuple[int, int, str, str]]:
    out = []
    for line in text.splitlines():
        m = w.diag.match(line)
        if m:
            out.append((int(m[1]), int(m[2]), m[3], line))
    return out


def assert_clean_failure(result: Result, elapsed: float, w: Written) -> None:
    """Exit code 1 through click, no Python exception, nothing executed, within a second."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"unexpected {result.exception!r}\n{result.output}")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert not w.marker.exists(), "the file made closer run a command"
    assert elapsed < LIMIT, f"took {elapsed:.2f}s"


def assert_has_code(case: Case, w: Written, text: str) -> None:
    found = diagnostics(w, text)
    assert any(code in case.codes for _, _, code, _ in found), (
        f"no located {'/'.join(case.codes)} diagnostic in:\n{text}"
    )


# ---- the tests ------------------------------------------------------------------------------


def test_the_base_scenario_is_valid() -> None:
    """Every case changes one thing in this file, so it must be clean to begin with."""
    assert HERE not in BASE
    result = CliRunner().invoke(cli, ["validate", str(ROOT / "scenarios" / "ledgerline.yaml")])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("case", params("validate"))
def test_validate_fails_cleanly(case: Case, tmp_path: Path) -> None:
    w = write(case, tmp_path)
    result, elapsed = invoke(["validate", str(w.path)])
    assert_clean_failure(result, elapsed, w)
    assert_has_code(case, w, result.stdout)
    assert "1 of 1 file has problems" in result.stderr


@pytest.mark.parametrize("case", params("location"))
def test_validate_points_at_the_problem(case: Case, tmp_path: Path) -> None:
    w = write(case, tmp_path)
    result, _ = invoke(["validate", str(w.path)])
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    found = diagnostics(w, result.stdout)
    assert len(found) == len(lines), f"not one diagnostic per line:\n{result.stdout}"
    codes = {code for _, _, code, _ in found}
    assert codes <= {*case.codes, *case.also}, f"more than the one problem:\n{result.stdout}"
    hits = [d for d in found if d[2] in case.codes]
    assert hits, result.stdout
    if case.lines is not None:
        lo, hi = case.lines
        assert any(lo <= ln <= hi and col >= 1 for ln, col, _, _ in hits), result.stdout
        return
    at = [d for d in hits if (d[0], d[1]) == (w.line, w.col)]
    assert at, f"expected {'/'.join(case.codes)} at {w.line}:{w.col}, got:\n{result.stdout}"
    text = at[0][3]
    if case.hint:
        assert case.hint.format(prev=w.line - 1) in text
    if case.message:
        assert case.message in text


@pytest.mark.parametrize("case", params("play"))
def test_play_fails_with_the_same_diagnostics(case: Case, tmp_path: Path) -> None:
    w = write(case, tmp_path)
    result, elapsed = invoke(["play", str(w.path), "--instant"])
    assert_clean_failure(result, elapsed, w)
    assert result.stdout == "", "the interview started"
    assert_has_code(case, w, result.stderr)
    expected, _ = invoke(["validate", str(w.path)])
    assert result.stderr.splitlines() == expected.stdout.splitlines()


def run_closer(
    args: list[str], timeout: float = TIMEOUT, **kw: object
) -> tuple[subprocess.CompletedProcess[str], float]:
    if not CLOSER.exists():
        pytest.skip(f"no console script at {CLOSER}")
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [str(CLOSER), *args], input="", capture_output=True, text=True, timeout=timeout, **kw
        )  # type: ignore[call-overload]
    except subprocess.TimeoutExpired:
        pytest.fail(f"closer {' '.join(args)} still running after {timeout:g}s (killed)")
    return proc, time.perf_counter() - start


@pytest.mark.parametrize("case", params("subprocess"))
def test_real_process(case: Case, tmp_path: Path) -> None:
    """The installed console script, as a user runs it: validate within a second; for the cases
    that try to run a command, play too."""
    w = write(case, tmp_path)
    commands = [["validate", str(w.path)]]
    if case.id.startswith("tag-"):
        commands.append(["play", str(w.path), "--instant"])
    # a second, or ten times `closer --version` measured now when the machine is busier than
    # that: a hang still fails, and load on this shared machine does not
    _, baseline = run_closer(["--version"], cwd=tmp_path)
    limit = max(LIMIT, 10 * baseline)
    for args in commands:
        proc, elapsed = run_closer(args, cwd=tmp_path)
        out = proc.stdout + proc.stderr
        assert proc.returncode == 1, out
        assert "Traceback" not in out
        assert not w.marker.exists(), "the file made closer run a command"
        assert_has_code(case, w, out)
        assert elapsed < limit, f"closer {args[0]} took {elapsed:.2f}s (limit {limit:.2f}s)"


# ---- files that are not ordinary small files --------------------------------------------------

# For the kinds of file that used to hang or crawl: the requirement is 1 s, so a run still going
# at 1.5 s has failed already; waiting the full TIMEOUT would only slow the suite down.
GIVE_UP = 1.5
AS_LIMIT = 512 * MB  # address-space cap for these runs, so a bug cannot eat the machine's memory


def _cap_memory() -> None:  # pragma: no cover - runs in the child
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))


def sparse(tmp: Path) -> Path:
    path = tmp / "sparse.yaml"
    with path.open("wb") as f:
        f.truncate(2 * 1024 * MB)
    if path.stat().st_blocks * 512 > MB:
        pytest.skip("this file system does not make sparse files")
    return path


def dev_zero(tmp: Path) -> Path:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    path = tmp / "zero.yaml"
    path.symlink_to("/dev/zero")
    return path


def fifo(tmp: Path) -> Path:
    path = tmp / "fifo.yaml"
    os.mkfifo(path)
    assert stat.S_ISFIFO(path.stat().st_mode)
    return path


SPECIAL = [
    pytest.param(sparse, "validate", id="sparse-2GiB-validate"),
    pytest.param(sparse, "play", id="sparse-2GiB-play"),
    pytest.param(dev_zero, "validate", id="symlink-to-dev-zero-validate"),
    pytest.param(dev_zero, "play", id="symlink-to-dev-zero-play"),
    pytest.param(fifo, "validate", id="named-pipe-validate"),
    pytest.param(fifo, "play", id="named-pipe-play"),
]


@pytest.mark.skipif(sys.platform != "linux", reason="sparse files, /dev/zero, fifos, rlimits")
@pytest.mark.parametrize(("make", "command"), SPECIAL)
def test_special_files(make: Callable[[Path], Path], command: str, tmp_path: Path) -> None:
    """A sparse 2 GiB file, a symlink to /dev/zero, a named pipe with no writer: refused at once.
    Subprocess only, under a memory cap: a regression would otherwise hang the test runner or
    fill its memory."""
    path = make(tmp_path)
    args = [command, str(path)] + (["--instant"] if command == "play" else [])
    proc, elapsed = run_closer(args, timeout=GIVE_UP, cwd=tmp_path, preexec_fn=_cap_memory)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "Traceback" not in out and "MemoryError" not in out, out
    assert re.search(rf"^{re.escape(str(path))}:1:1: E0\d\d ", out, re.M), out
    assert elapsed < LIMIT, f"took {elapsed:.2f}s"


# ---- files just under the size limit ---------------------------------------------------------


def fill(head: str, item: Callable[[int], str], tail: str = "") -> str:
    """head + item(0) + item(1) + ... + tail, as long as it stays under the engine's byte limit."""
    budget = MAX_BYTES - len(head.encode()) - len(tail.encode()) - 16
    parts, size, i = [], 0, 0
    while True:
        piece = item(i)
        if size + len(piece) > budget:
            return head + "".join(parts) + tail
        parts.append(piece)
        size += len(piece)
        i += 1


FACTS = BASE.index("    job_hopper: true\n")  # where candidate.facts entries go

NEAR_LIMIT = [
    pytest.param(lambda: fill("a: [", lambda i: "[[[]]],", "1]\n"), id="flow-list-of-nested-lists"),
    pytest.param(lambda: fill("a: [", lambda i: "1,", "1]\n"), id="flow-list-of-numbers"),
    pytest.param(lambda: fill("a:\n", lambda i: "- 1\n"), id="block-list-of-numbers"),
    pytest.param(lambda: fill("", lambda i: f"{100_000 + i}: 0\n"), id="unknown-top-level-keys"),
    pytest.param(
        lambda: fill(BASE[:FACTS], lambda i: f"    F{i:06d}: 1\n", BASE[FACTS:]),
        id="bad-fact-names-in-scenario",
    ),
]


@pytest.mark.parametrize("make", NEAR_LIMIT)
def test_near_limit_files_are_still_fast(make: Callable[[], str], tmp_path: Path) -> None:
    """Many tiny values just under the byte limit: refused within a second all the same."""
    path = tmp_path / "big.yaml"
    path.write_text(make())
    assert MAX_BYTES * 0.9 < path.stat().st_size <= MAX_BYTES
    proc, elapsed = run_closer(["validate", str(path)], timeout=GIVE_UP, cwd=tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1 and "Traceback" not in out, out[-2000:]
    assert re.search(rf"^{re.escape(str(path))}:\d+:\d+: E0\d\d ", out, re.M), out[-2000:]
    assert elapsed < LIMIT, f"took {elapsed:.2f}s"


# ---- what the size diagnostic says ----------------------------------------------------------


def thirty_mb(tmp: Path) -> Path:
    path = tmp / "big.yaml"
    path.write_text(BASE + "#" + "x" * (30 * MB) + "\n")
    return path


@pytest.mark.skipif(sys.platform != "linux", reason="sparse files, rlimits")
@pytest.mark.parametrize(
    "make", [pytest.param(thirty_mb, id="30-MB"), pytest.param(sparse, id="sparse-2GiB")]
)
def test_oversized_file_message_states_its_real_size(
    make: Callable[[Path], Path], tmp_path: Path
) -> None:
    """If E001 names a size, it is the file's size, not the size of the part that was read."""
    path = make(tmp_path)
    proc, _ = run_closer(
        ["validate", str(path)], timeout=GIVE_UP, cwd=tmp_path, preexec_fn=_cap_memory
    )
    m = re.search(rf"^{re.escape(str(path))}:1:1: E001 (.*)$", proc.stdout, re.M)
    assert m, proc.stdout + proc.stderr
    said = re.search(r"([\d,]+) bytes", m[1])
    assert said is None or said[1] == f"{path.stat().st_size:,}", m[0]
