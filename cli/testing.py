"""`closer test`: find `*.test.yaml` files, resolve their scenarios, run the cases, and report
(text or JUnit XML), with coverage on request. The pytest plugin shares the loading and the
failure rendering, so a failure reads the same in both."""

from __future__ import annotations

import json
import os
import shlex
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from closer.cli.errors import UserError
from closer.cli.scenarios import shipped_dir, shipped_paths
from closer.cli.text import clean, counted
from closer.engine.runtime.events import CueEvent, SayEvent

if TYPE_CHECKING:  # the engine is imported only when tests run
    from closer.engine.runtime.program import Program
    from closer.engine.tools.convtest import Case, CaseFile, CaseResult
    from closer.engine.tools.coverage import Coverage

SUFFIX = ".test.yaml"


NORECURSE = frozenset({"build", "dist", "node_modules", "venv", "_darcs", "CVS", "{arch}"})


def _skipped(folder: Path) -> bool:
    """A folder pytest does not look in by default: hidden, build output, a virtual environment
    (whose installed Closer holds copies of the shipped tests)."""
    name = folder.name
    return (
        name.startswith(".")
        or name in NORECURSE
        or name.endswith(".egg")
        or (folder / "pyvenv.cfg").is_file()
        or (folder / "conda-meta" / "history").is_file()
    )


def find_tests(root: Path) -> list[Path]:
    """Every *.test.yaml under `root`, in the folders pytest would search, in path order."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not _skipped(Path(folder, d))]
        found += [Path(folder, f) for f in files if f.endswith(SUFFIX)]
    return sorted(p for p in found if p.is_file())


def discover(paths: Iterable[Path]) -> list[Path]:
    """Test files: files as given, directories searched for *.test.yaml; no duplicates."""
    found: dict[Path, Path] = {}
    for p in paths:
        files = sorted(f for f in p.rglob("*" + SUFFIX) if f.is_file()) if p.is_dir() else [p]
        for f in files:
            found.setdefault(f.resolve(), f)
    return list(found.values())


class Programs:
    """Compiled scenarios, each loaded once per run (keyed by resolved path)."""

    def __init__(self) -> None:
        self.by_path: dict[Path, Program] = {}
        self.errors: dict[Path, tuple[str, ...]] = {}

    def resolve(self, ref: str, test_path: Path) -> Path | None:
        local = test_path.parent / ref
        if local.is_file():
            return local.resolve()
        shipped = shipped_paths()
        return shipped[ref].resolve() if ref in shipped else None

    def get(self, path: Path) -> Program | None:
        from closer.engine import ScenarioError, compile_scenario, load_path

        if path not in self.by_path and path not in self.errors:
            try:
                self.by_path[path] = compile_scenario(load_path(path))
            except ScenarioError as e:
                self.errors[path] = tuple(str(d) for d in e.diagnostics)
        return self.by_path.get(path)


@dataclass
class Loaded:
    """One test file: its cases and the program each case runs against, or its problems."""

    path: Path
    tests: CaseFile | None = None
    programs: dict[str, Program] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def load_file(path: Path, programs: Programs) -> Loaded:
    from closer.engine.errors import Diagnostic, ScenarioError, suggest
    from closer.engine.format.loader import read_source
    from closer.engine.tools.convtest import check_tests, load_tests

    out = Loaded(path)
    try:
        out.tests = load_tests(read_source(path), str(path))
    except ScenarioError as e:
        out.errors = [str(d) for d in e.diagnostics]
        return out
    diags: list[Diagnostic] = []
    for ref, span in out.tests.refs().items():
        resolved = programs.resolve(ref, path)
        if resolved is None:
            hint = suggest(ref, shipped_paths()) or "a shipped id, or a path relative to this file"
            diags.append(Diagnostic(span, "T011", f"unknown scenario {ref!r}", hint))
            continue
        program = programs.get(resolved)
        if program is None:
            diags.append(Diagnostic(span, "T011", f"scenario {ref!r} has problems (below)"))
            out.errors += programs.errors[resolved]
            continue
        out.programs[ref] = program
    if not diags:
        diags = check_tests(out.tests, out.programs)
    out.errors = [str(d) for d in diags] + out.errors
    return out


# ---- rendering ----------------------------------------------------------------------------


def replay_command(path: str, name: str) -> str:
    """`closer test FILE -k NAME`, NAME double-quoted when its words would read as operators."""
    words = set(name.lower().split())
    if ('"' not in name) and (words & {"and", "or", "not"} or "(" in name or ")" in name):
        name = f'"{name}"'
    return f"closer test {shlex.quote(path)} -k {shlex.quote(name)}"


def render_failure(result: CaseResult, persona: str = "Interviewer") -> str:
    """A failed case: where, expected beside actual, the conversation so far, seed and replay."""
    case = result.case
    fail = result.failure
    if fail is None:
        raise ValueError(f"{case.name!r} passed: there is no failure to render")
    out = [f"FAIL {case.span.path}::{case.name}"]
    if fail.step is not None:
        say = json.dumps(fail.step.say, ensure_ascii=False)
        out.append(f"  {fail.step.span}: step {fail.position + 1}: say {say}")
    else:
        out.append(f"  {case.span}: after the end ({case.end})")
    for mm in fail.mismatches:
        out.append(f"    {mm.key} ({mm.span})")
        out.append(f"      expected: {mm.expected}")
        out.append(f"      actual:   {mm.actual}")
    out.append("  conversation so far:")
    for e in result.events:
        if isinstance(e, SayEvent):
            who = persona if e.by_interviewer else "You"
            out.append(f"    {who}: {e.text}")
        elif isinstance(e, CueEvent):
            out.append(f"    {persona}: {e.text}")
    extra = f", start {case.start}" if case.start else ""
    extra += ", drill" if case.drill else ""
    extra += f", facts {json.dumps(dict(case.facts), ensure_ascii=False)}" if case.facts else ""
    out.append(f"  seed {case.seed}{extra}; replay: {replay_command(case.span.path, case.name)}")
    return "\n".join(clean(line) for line in out)  # one line each, whatever the files hold


# ---- the command ----------------------------------------------------------------------------


@dataclass
class Run:
    loaded: list[Loaded]
    results: dict[Path, list[CaseResult]]  # per test file
    seconds: float
    programs: Programs  # every scenario compiled for this run, once each

    @property
    def failed(self) -> int:
        return sum(1 for rs in self.results.values() for r in rs if not r.passed)

    @property
    def passed(self) -> int:
        return sum(1 for rs in self.results.values() for r in rs if r.passed)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.loaded if f.errors)


def run_files(files: list[Path], select: Callable[[str], bool]) -> Run:
    from closer.engine.tools.convtest import run_case

    began = time.perf_counter()
    programs = Programs()
    loaded = [load_file(f, programs) for f in files]
    results: dict[Path, list[CaseResult]] = {}
    for f in loaded:
        if f.errors or f.tests is None:
            continue
        results[f.path] = [
            run_case(c, f.programs[c.scenario]) for c in f.tests.cases if select(c.name)
        ]
    return Run(loaded, results, time.perf_counter() - began, programs)


def persona_of(f: Loaded, case: Case) -> str:
    return str(f.programs[case.scenario].scenario.persona.name.split()[0])


def text_report(run: Run, echo: Callable[[str], None], verbose: bool = False) -> None:
    for f in run.loaded:
        if f.errors:
            echo(clean(f"ERROR {f.path}"))
            for line in f.errors:
                echo(clean(f"  {line}"))
            continue
        rs = run.results[f.path]
        if not rs:  # every case deselected by -k
            continue
        fails = [r for r in rs if not r.passed]
        passed = f"{len(rs) - len(fails)} passed" + (f", {len(fails)} failed" if fails else "")
        echo(clean(f"{f.path}: {passed}"))
        if verbose:
            for r in rs:
                echo(clean(f"  {'ok  ' if r.passed else 'FAIL'} {r.case.name}"))
        for r in fails:
            echo(render_failure(r, persona_of(f, r.case)))
    parts = [f"{run.passed} passed"]
    if run.failed:
        parts.append(f"{run.failed} failed")
    if run.errors:
        parts.append(f"{counted(run.errors, 'file')} with errors")
    echo(", ".join(parts) + f" in {run.seconds:.2f}s")


def junit(run: Run) -> str:
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name="closer test")
    for f in run.loaded:
        rs = run.results.get(f.path, [])
        suite = ET.SubElement(
            root,
            "testsuite",
            name=str(f.path),
            tests=str(1 if f.errors else len(rs)),
            failures=str(sum(1 for r in rs if not r.passed)),
            errors=str(1 if f.errors else 0),
        )
        if f.errors:
            tc = ET.SubElement(suite, "testcase", classname=_classname(f.path), name="(load)")
            err = ET.SubElement(tc, "error", message=f.errors[0])
            err.text = "\n".join(f.errors)
        for r in rs:
            tc = ET.SubElement(
                suite,
                "testcase",
                classname=_classname(f.path),
                name=r.case.name,
                file=str(f.path),
                line=str(r.case.span.line),
            )
            if r.failure is not None:
                mm = r.failure.mismatches[0]
                msg = f"{mm.span}: {mm.key}: expected {mm.expected}, got {mm.actual}"
                fail = ET.SubElement(tc, "failure", message=msg)
                fail.text = render_failure(r, persona_of(f, r.case))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")


def rel(path: str) -> str:
    """A path relative to the working directory when it is below it (shorter to read)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return path


def _classname(path: Path) -> str:
    return path.name.removesuffix(SUFFIX)


def coverage_report(run: Run, echo: Callable[[str], None]) -> list[Coverage]:
    from closer.engine.tools.coverage import measure

    by_program: dict[int, tuple[Program, list[CaseResult]]] = {}
    for f in run.loaded:
        for r in run.results.get(f.path, []):
            program = f.programs[r.case.scenario]
            by_program.setdefault(id(program), (program, []))[1].append(r)
    reports = [measure(p, rs) for p, rs in by_program.values()]
    for cov in reports:
        echo("")
        echo(clean(f"Coverage of {cov.scenario} ({rel(cov.path)}) by {counted(cov.cases, 'case')}"))
        for c in cov.categories:
            echo(f"  {c.kind:<12} {len(c.reached):>4}/{c.total:<4} {c.percent:6.1f}%")
        echo(f"  {'total':<12} {'':>9} {cov.percent:6.1f}%")
        missed = [(c.kind, i) for c in cov.categories for i in c.missed]
        if missed:
            echo("  never reached:")
            for kind, item in missed:
                where = (
                    f"{rel(item.span.path)}:{item.span.line}:{item.span.col}: " if item.span else ""
                )
                echo(clean(f"    {where}{kind[:-1]} {item.name}"))
    return reports


def run(
    paths: tuple[Path, ...],
    keyword: str | None,
    fmt: str,
    output: Path | None,
    coverage: bool,
    fail_under: float | None,
    coverage_json: Path | None = None,
    explore: int | None = None,
    seed: int = 1,
    verbose: bool = False,
) -> int:
    """Run `closer test`; returns the exit code."""
    from closer.engine.tools.convtest import keyword_matcher

    try:
        select = keyword_matcher(keyword or "")
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    if output is not None and fmt != "junit":
        raise click.UsageError("-o/--output is for --format junit")
    # with --explore, a scenario file among the PATHs is explored even if no test uses it yet
    scenarios = [p for p in paths if explore and p.is_file() and not p.name.endswith(SUFFIX)]
    tests = tuple(p for p in paths if p not in scenarios)
    files = discover(tests or ([] if scenarios else find_tests(Path("."))))
    result = run_files(files, select)
    to_stdout = fmt == "text" or output is not None  # else stdout carries the XML

    def say(line: str) -> None:  # each part from a file is cleaned where it is put in the text
        click.echo(clean(line, multiline=True), err=not to_stdout)  # and this catches the rest

    # `closer test --explore N my.yaml`, or `closer test --explore N` where there are no tests
    explore_only = bool(scenarios or (explore and not paths)) and not files
    if not explore_only:
        text_report(result, say, verbose)
    if fmt == "junit":
        xml = junit(result)
        if output is None:
            click.echo(clean(xml, multiline=True))
        else:
            try:
                output.write_text(xml, encoding="utf-8")
            except OSError as e:
                raise UserError(f"cannot write {output}: {e.strerror or e}") from None
    code = 0 if result.failed == 0 and result.errors == 0 else 1
    ran = result.passed + result.failed
    if ran == 0 and result.errors == 0 and not explore_only:
        why = " (none matched -k)" if keyword else ""
        if not paths and not files:
            shipped = shlex.quote(str(shipped_dir() / "tests"))
            why = f" (no *.test.yaml under this folder; the shipped ones: closer test {shipped})"
        click.echo(f"closer: no conversation tests ran{why}", err=True)
        code = 1
    if coverage or fail_under is not None or coverage_json is not None:
        reports = coverage_report(result, say)
        if coverage_json is not None:
            data = json.dumps([c.to_json() for c in reports], indent=2)
            try:
                coverage_json.write_text(data + "\n", encoding="utf-8")
            except OSError as e:
                raise UserError(f"cannot write {coverage_json}: {e.strerror or e}") from None
        if fail_under is not None:
            low = [c for c in reports if c.get("transitions").percent < fail_under]
            for c in low:
                say(
                    f"closer: transition coverage of {c.scenario} is "
                    f"{c.get('transitions').percent:.1f}%, under --fail-under {fail_under:g}%"
                )
            if low:
                code = 1
    if explore is not None:
        from closer.cli.explore import run_explore

        code = run_explore(explore_targets(result, scenarios), explore, seed, say) or code
    return code


def explore_targets(run: Run, scenarios: Iterable[Path] = ()) -> list[tuple[str, Any]]:
    """(scenario reference, Program) for each scenario file given and each scenario the loaded
    tests use, each once; the default scenario when there is neither."""
    seen: dict[int, tuple[str, Any]] = {}
    for path in scenarios:
        program = run.programs.get(path.resolve())
        if program is None:
            raise UserError(f"{path} has problems", run.programs.errors[path.resolve()])
        seen.setdefault(id(program), (str(path), program))
    for f in run.loaded:
        for ref, program in f.programs.items():
            seen.setdefault(id(program), (ref, program))
    if not seen:
        from closer.cli.play import load_program
        from closer.cli.scenarios import resolve

        ref, path = resolve(None)
        return [(ref, load_program(path))]
    return list(seen.values())
