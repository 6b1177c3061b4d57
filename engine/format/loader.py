"""Scenario YAML -> a checked, frozen Scenario. Collects every problem, then raises once.

`load_path` is the only function here that reads a file (the scenario and the shipped library).
"""

from __future__ import annotations

import stat
from collections.abc import Iterable
from functools import cached_property, lru_cache, partial
from pathlib import Path
from typing import Any

try:  # CPython's own SHA-256: hashlib's would load OpenSSL first (~2 ms of every start)
    from _sha2 import sha256  # type: ignore[import-not-found, unused-ignore]  # 3.12 and later
except ImportError:  # pragma: no cover - depends on the Python version
    try:
        from _sha256 import sha256  # type: ignore[import-not-found, no-redef, unused-ignore]
    except ImportError:
        from hashlib import sha256  # type: ignore[assignment, unused-ignore]

from closer.engine.errors import Diagnostic, ScenarioError, Span, suggest
from closer.engine.format import model as m
from closer.engine.format.collector import collector_paused
from closer.engine.format.patterns import (
    MAX_COST,
    MAX_TOTAL_COST,
    PART_COST,
    Compiled,
    Pattern,
    PatternError,
    compile_pattern,
    costliest_set,
    placing,
    steps_at_most,
)
from closer.engine.format.schema import LIBRARY, SCENARIO, Rec
from closer.engine.format.source import MAX_BYTES, Y, decode, parse, too_big
from closer.engine.format.template import KNOWN, WITH_MISSING
from closer.engine.format.textcheck import Checker, as_lines

RESERVED_STATES = ("opening", "candidate_questions", "closing_discussion", "closing_clear", "ended")
NAV_INTENTS = tuple(i for i in m.STANDARD_INTENTS if i not in m.CANDIDATE_QUESTIONS)


def load_path(path: str | Path) -> m.Scenario:
    """Read and load a scenario file (raises ScenarioError)."""
    return load_scenario(read_source(path), str(path))


def read_source(path: str | Path) -> str:
    """A regular file's text, within the size limit and valid UTF-8 (E000, E001, E002). The one
    place Closer reads a scenario or conversation-test file."""
    p = Path(path)
    where = Span(str(path), 1, 1)
    try:
        info = p.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ScenarioError([Diagnostic(where, "E000", "not a regular file")])
        if info.st_size > MAX_BYTES:
            raise too_big(str(path), info.st_size)
        with p.open("rb") as f:
            data = f.read(MAX_BYTES + 1)  # decode() refuses anything longer
    except OSError as e:
        raise ScenarioError(
            [Diagnostic(where, "E000", f"cannot read file: {e.strerror or e}")]
        ) from None
    return decode(data, str(path))


def load_scenario(
    text: str, path: str = "<scenario>", library: Library | None = None
) -> m.Scenario:
    """Parse, check and build a scenario from text (pure apart from the cached library)."""
    with collector_paused():
        return _load(text, path, library)


def _load(text: str, path: str, library: Library | None) -> m.Scenario:
    root = parse(text, path)
    if isinstance(root.v, dict) and "library" in root.v and "persona" not in root.v:
        raise ScenarioError(
            [Diagnostic(root.span, "E043", "this is an intent library, not a scenario")]
        )
    if isinstance(root.v, dict) and "closer_test" in root.v and "persona" not in root.v:
        hint = f"run it with `closer test {path}`"
        raise ScenarioError(
            [Diagnostic(root.span, "E044", "this is a conversation test, not a scenario", hint)]
        )
    _structure(root, SCENARIO)
    lib = library if library is not None else standard_library()
    sha = sha256(text.encode()).hexdigest()
    # the library's patterns are compiled when first read, unless the scenario adds entries to
    # one of its word sets (which changes them), or comes near the budget with them (`settle`)
    own_sets = root.get("word_sets")
    lazy = not any(name in lib.set_names for name, _ in own_sets.items()) if own_sets else True
    builder = _Builder(path, lib, lazy)
    scenario = builder.build(root, sha)
    builder.pats.settle(lib)
    _raise_if_any(builder.check.diagnostics)
    return scenario


def _raise_if_any(found: list[Diagnostic]) -> None:
    """All problems together, in file order."""
    if found:
        raise ScenarioError(sorted(found, key=lambda d: (d.span.line, d.span.col, d.code)))


def _structure(root: Y, rec: Rec) -> None:
    found: list[Diagnostic] = []
    rec.check(root, found.append)
    _raise_if_any(found)


# ---- the shared intent library ------------------------------------------------------------


class Library:
    """The standard intents, word sets, markers and default style lines."""

    def __init__(self, root: Y, path: str, sha: str = "") -> None:
        _structure(root, LIBRARY)
        self.path = path
        self.root = root
        self._steps: tuple[int, int] | None = None
        self.intent_steps = 0  # the same total for the intents' patterns alone (with `steps`)
        if sha and sha == SHIPPED_STEPS[0]:  # the shipped text, whose steps are known
            self._steps, self.intent_steps = SHIPPED_STEPS[1:3], SHIPPED_STEPS[3]

    def section(self, key: str) -> Iterable[tuple[str, Y]]:
        y = self.root.get(key)
        return y.items() if y is not None else iter(())

    @cached_property
    def set_names(self) -> frozenset[str]:
        return frozenset(name for name, _ in self.section("word_sets"))

    def steps(self, cache: Compiled) -> tuple[int, int]:
        """At least what the library's costliest pattern costs, and at least what all its
        patterns add to a scenario's budget (E062), read from their text (`steps_at_most`) once
        a process, or kept (`SHIPPED_STEPS`). Reading them compiles its word sets into `cache`
        (a loader's); nothing relies on that: a pattern compiles a set it uses."""
        if self._steps is not None:
            return self._steps
        word_sets = {name: [e.v for e in entries.v] for name, entries in self.section("word_sets")}
        set_steps = {}
        for name in word_sets:
            alone = compile_pattern("@" + name, word_sets, cache)
            set_steps[name] = (alone.cost - PART_COST, placing(alone, set(), warm=False))
        lists = [y.get("patterns") for _, y in self.section("intents")]
        intents = [item.v for y in lists if y is not None for item in y.v]
        lists = [y for _, y in self.section("markers")]
        sources = intents + [item.v for y in lists if y is not None for item in y.v]
        most, total, self.intent_steps = steps_at_most(sources, set_steps, len(intents))
        self._steps = most, total
        return self._steps


@lru_cache(maxsize=1)
def standard_library() -> Library:
    """The shipped `scenarios/library/standard.yaml` (read once per process)."""
    from closer.scenarios import DIR  # the package that ships the YAML files

    ref = DIR / "library" / "standard.yaml"
    data = ref.read_bytes()
    path = str(ref)
    # our own file, in the package: its structure is within the limits that `parse` would count
    # event by event first (tests/test_loader.py), so it is not counted again at every start
    root = parse(decode(data, path), path, counted=True)
    return Library(root, path, sha256(data).hexdigest())


# What `Library.steps` reads from the shipped library's text (its SHA-256, the costliest pattern,
# the total, the intents' total), so that a start need not read it again: used only for exactly
# that text. tests/test_loader.py holds these to what the text gives (and prints them again when
# the library has changed).
SHIPPED_STEPS = (
    "3d5244ee66ae40b3893b700dfd62a1986b0813c3a0459abd3ab2d5fb39494a17",
    1112,
    36234,
    25628,
)


# ---- patterns and word sets ------------------------------------------------------------------


class _Patterns:
    """Word sets and patterns, compiled, and what they cost a reply kept within the budget
    (E060, E062)."""

    def __init__(self, check: Checker, lazy: bool = False) -> None:
        self.check = check
        self.lazy = lazy  # the library's patterns are compiled when first read (`settle`)
        self.alone = lazy  # the scenario's patterns are counted alone, and E062's total waits
        self.order: list[tuple[m.Pat, bool]] = []  # with `lazy`: (pattern, the library's?)
        self.word_sets: dict[str, list[str]] = {}
        self.compiled_sets = Compiled()
        self.broken_sets: set[str] = set()
        self.cost = 0  # what all patterns so far cost on one line: steps, and look-ups (E062)
        self.placed: set[object] = set()

    def add_word_sets(self, lib: Library, own: Y | None) -> tuple[m.WordSet, ...]:
        """The library's sets, then the scenario's: one with a library set's name adds entries
        to it."""
        for name, entries in lib.section("word_sets"):
            self.word_sets[name] = [e.v for e in entries.v]
        found = []
        for name, entries in own.items() if own else ():
            pairs = tuple((e.v, e.span) for e in entries.v)
            found.append(m.WordSet(name, pairs, name in self.word_sets))
            self.word_sets.setdefault(name, []).extend(e.v for e in entries.v)
            self.check_word_set(name, entries)  # the shipped library's are tested
        return tuple(found)

    def check_word_set(self, name: str, entries: Y) -> None:
        """Each entry is a small pattern; report a bad one where it is written."""
        for entry in entries.v:
            self.check.check_controls(entry)
            try:
                compile_pattern(entry.v)
            except PatternError as e:
                self.broken_sets.add(name)
                col = entry.span.col + e.offset + (1 if entry.quoted else 0)
                where = Span(entry.span.path, entry.span.line, col)
                self.check.error(where, "E060", f"bad entry {entry.v!r} in word set @{name}: {e}")

    def compile(self, y: Y | None, library: bool = False) -> tuple[m.Pat, ...]:
        """A list of patterns, each compiled and costed; a bad one is reported and left out. The
        library's, when `lazy`, are compiled when first read, and costed by `settle`."""
        out: list[m.Pat] = []
        items = y.v if y is not None else ()
        check = self.check.check_controls
        word_sets, cache = self.word_sets, self.compiled_sets
        if library and self.lazy:
            for item in items:
                check(item)
                pat = m.Pat.later(
                    item.v, partial(compile_pattern, item.v, word_sets, cache), item.span
                )
                out.append(pat)
                self.order.append((pat, True))
            return tuple(out)
        order = self.order if self.lazy else None
        # counted `alone` (E062's total waits for `settle`): `count`, written out
        placed = self.placed if self.alone else None
        for item in items:  # a load's hot loop
            check(item)
            try:
                pattern = compile_pattern(item.v, word_sets, cache)
            except PatternError as e:
                self._bad(item, e)
                continue
            if pattern.cost > MAX_COST:
                self.check_cost(pattern, item.span)  # reports it
                continue
            if placed is not None:  # `check_cost` for a pattern within MAX_COST
                self.cost += pattern.cost + placing(pattern, placed, False)
            else:
                self.count(pattern, item.span)
            out.append(pat := m.Pat(pattern, item.span))
            if order is not None:
                order.append((pat, False))
        return tuple(out)

    def settle(self, lib: Library) -> None:
        """With the library's patterns left to compile (`lazy`), once every pattern is read:
        nothing to do when the library's text shows that none of its patterns can cost over
        MAX_COST, nor all patterns together over MAX_TOTAL_COST (E062), counting each library
        pattern at most (the scenario's patterns may have placed words the library's then need
        not place, never the other way round). Else every pattern is counted again in file
        order, the library's compiled, as if none had waited: the same E062, where it was."""
        if not self.alone:
            return
        self.alone = False
        most, total = lib.steps(self.compiled_sets)
        if most <= MAX_COST and self.cost + total <= MAX_TOTAL_COST:
            for pat, library in self.order:
                if library:
                    pat.waiting = lib.intent_steps  # what lint's W108 may count instead
            return
        self.cost, self.placed = 0, set()
        for pat, library in self.order:
            if library:
                self.check_cost(pat.pattern, pat.span)
            else:
                self.count(pat.pattern, pat.span)  # its own cost was checked when it was read

    def _bad(self, item: Y, e: PatternError) -> None:
        if any(str(e).startswith(f"word set @{b}:") for b in self.broken_sets):
            return  # already reported where the set is defined
        col = item.span.col + e.offset + (1 if item.quoted else 0)
        span = Span(item.span.path, item.span.line, col)
        hint = ""
        if str(e).startswith("unknown word set"):
            hint = suggest(str(e).split("@", 1)[1], self.word_sets)
        self.check.error(span, "E060", f"bad pattern {item.v!r}: {e}", hint)

    def check_cost(self, pattern: Pattern, span: Span) -> bool:
        """No pattern, and no scenario's patterns together, may cost a reply more than the
        documented budget (E062); False for a pattern refused on its own."""
        if pattern.cost > MAX_COST:
            costly = costliest_set(pattern)
            hint = (
                f"each use of @{costly.name} costs {costly.cost:,} steps, for its "
                f"{len(costly.options)} entries: use it less, or give it fewer or shorter entries"
                if costly is not None
                else "split it into simpler patterns"
            )
            self.check.error(
                span,
                "E062",
                f"pattern {pattern.source!r} costs {pattern.cost:,} steps to match, "
                f"over the limit of {MAX_COST:,}",
                hint,
            )
            return False
        self.count(pattern, span)
        return True

    def count(self, pattern: Pattern, span: Span) -> None:
        """Adds what `pattern` costs a line to the scenario's total, and reports the pattern
        that takes it over the budget (E062; not while the scenario's are counted `alone`)."""
        before = self.cost
        # the words' typo look-up keys are worked out now, or (`alone`: the library's wait too)
        # on the first line that looks for them
        warm = not self.alone and before <= MAX_TOTAL_COST
        self.cost += pattern.cost + placing(pattern, self.placed, warm)
        if not self.alone and before <= MAX_TOTAL_COST < self.cost:
            self.check.error(
                span,
                "E062",
                f"with this pattern, the scenario's patterns cost {self.cost:,} steps to match a "
                f"line, over the limit of {MAX_TOTAL_COST:,}",
                "every line is tried against them all: use fewer patterns, fewer different "
                "words, or smaller word sets",
            )


# ---- building the model ---------------------------------------------------------------------


class _Builder:
    """Builds the Scenario from a tree the schema has checked, checking what the schema
    cannot: names that refer to each other, texts, patterns and their cost."""

    def __init__(self, path: str, lib: Library, lazy: bool = False) -> None:
        self.path = path
        self.lib = lib
        self.check = Checker(path)
        self.pats = _Patterns(self.check, lazy)

    def build(self, root: Y, sha: str) -> m.Scenario:
        word_sets = self.pats.add_word_sets(self.lib, root.get("word_sets"))
        intents = self.intents(root.get("intents"))
        markers = self.markers(root.get("markers"))
        persona = self.persona(root.req("persona"))
        candidate = self.candidate(root.req("candidate"))
        for key in ("title", "description", "position"):
            if (y := root.get(key)) is not None:
                self.check.check_text(y, ())
        flow_y = root.req("flow")
        # questions first: concerns refer to them (`during`), answers refer to concerns (`clue`)
        questions = self.questions(flow_y.req("questions"))
        qids, facts = [q.id for q in questions], [k for k, _ in candidate.facts]
        concerns = _Concerns(self.check, self.pats, qids, facts).build(root.get("concerns"))
        flow = self.flow(flow_y, questions, {c.id for c in concerns}, intents)
        return m.Scenario(
            id=root.req("id").v,
            title=root.req("title").v,
            description=root.value("description", ""),
            position=root.req("position").v,
            persona=persona,
            candidate=candidate,
            intents=intents,
            markers=markers,
            flow=flow,
            concerns=concerns,
            verdict=self.verdict(root),
            max_turns=root.value("max_turns", 80),
            path=self.path,
            sha256=sha,
            word_sets=word_sets,
            difficulty=root.value("difficulty", ""),
        )

    def persona(self, y: Y) -> m.Persona:
        for key in ("name", "role", "company"):
            self.check.check_text(y.req(key), ())
        style = self.style(y.get("style"))
        return m.Persona(y.req("name").v, y.req("role").v, y.req("company").v, style)

    def candidate(self, y: Y) -> m.Candidate:
        self.check.check_text(y.req("name"), ())
        facts_y = y.get("facts")
        for _, fact in facts_y.items() if facts_y else ():
            self.check.check_controls(fact)
        return m.Candidate(
            name=y.req("name").v,
            background=self.check.lines(y.get("background")),
            facts=tuple((k, v.v) for k, v in facts_y.items()) if facts_y else (),
        )

    def verdict(self, root: Y) -> m.Verdict:
        v = root.get("verdict")
        verdict = m.Verdict(**{k: y.v for k, y in v.items()}) if v else m.Verdict()
        if not verdict.advance > verdict.undecided:
            where = v.span if v else root.span
            self.check.error(where, "E070", "verdict.advance must be above verdict.undecided")
        return verdict

    def intents(self, own: Y | None) -> tuple[m.Intent, ...]:
        """The scenario's intents first (extending library ones of the same name unless
        `replace: true`), then the library's untouched ones: file order is precedence order."""
        lib = dict(self.lib.section("intents"))
        mine = dict(own.items()) if own else {}
        out: list[m.Intent] = []
        for name, y in [*mine.items(), *((n, y) for n, y in lib.items() if n not in mine)]:
            base = lib.get(name) if name in mine else None
            prio = y.get("priority") or (base.get("priority") if base is not None else None)
            if base is not None and y.value("replace", False):
                base = None  # the library's patterns and examples go; its priority stays
            pats = self.pats.compile(y.get("patterns"), library=name not in mine)
            for example in y.seq("examples"):
                self.check.check_controls(example)
            examples = as_lines(y.get("examples"))
            if base is not None:
                pats += self.pats.compile(base.get("patterns"), library=True)
                examples += as_lines(base.get("examples"))
            out.append(m.Intent(name, pats, prio.v if prio else 0, y.span, examples))
        return tuple(out)

    def markers(self, own: Y | None) -> tuple[tuple[str, tuple[m.Pat, ...]], ...]:
        found: dict[str, tuple[m.Pat, ...]] = {}
        for name, y in own.items() if own is not None else ():
            if name not in m.MARKERS:
                assert own is not None  # the loop runs only over its items
                self.check.error(
                    own.key_spans[name],
                    "E061",
                    f"unknown marker {name!r}",
                    suggest(name, m.MARKERS) or "markers: " + ", ".join(m.MARKERS),
                )
            found[name] = self.pats.compile(y)
        for name, y in self.lib.section("markers"):
            found[name] = found.get(name, ()) + self.pats.compile(y, library=True)
        return tuple((k, found.get(k, ())) for k in m.MARKERS)

    def style(self, y: Y | None) -> m.Style:
        lib = dict(self.lib.section("style"))
        own = dict(y.items()) if y else {}
        values: dict[str, Any] = {}
        for name in m.Style._fields:
            src = own.get(name) or lib.get(name)
            if name == "hesitation_pause":
                values[name] = float(src.v) if src else 1.5
            else:
                missing = name in (
                    "confirm_partial",
                    "confirm_unresolved",
                    "repair_hint",
                    "answer_partial",
                )
                allowed = WITH_MISSING if missing else KNOWN
                mine = src is own.get(name)  # the library's lines are tested where they live
                values[name] = self.check.lines(src, allowed) if mine else as_lines(src)
        return m.Style(**values)

    def flow(
        self,
        y: Y,
        questions: tuple[m.Question, ...],
        concern_ids: set[str],
        intents: tuple[m.Intent, ...],
    ) -> m.Flow:
        opening, cq = y.req("opening"), y.req("candidate_questions")
        self.check_gotos(questions)
        return m.Flow(
            opening=self.check.lines(opening.get("say")),
            opening_reply=self.check.lines(opening.get("reply")),
            questions=questions,
            cq_prompt=self.check.lines(cq.get("prompt")),
            answers=self.answers(cq.get("answers"), concern_ids, {i.id for i in intents}),
            closing=self.check.lines(y.req("closing").get("say")),
            spans=tuple(y.key_spans.items()),
        )

    def check_gotos(self, questions: tuple[m.Question, ...]) -> None:
        targets = [q.id for q in questions] + ["candidate_questions"]
        for q in questions:
            for r in q.rules:
                if r.goto is not None and r.goto not in targets:
                    self.check.error(
                        r.goto_span or r.span,
                        "E072",
                        f"goto {r.goto!r} is not a question id",
                        suggest(r.goto, targets),
                    )

    def answers(
        self, y: Y | None, concern_ids: set[str], intent_ids: set[str]
    ) -> tuple[m.Answer, ...]:
        if y is None:
            return ()
        out = []
        for name, a in y.items():
            where = y.key_spans[name]
            if name not in intent_ids:
                hint = suggest(name, intent_ids)
                self.check.error(where, "E073", f"answer for unknown intent {name!r}", hint)
            elif name in NAV_INTENTS:
                hint = "answers are for ask_* intents or your own question intents"
                self.check.error(where, "E074", f"{name!r} is not a candidate question", hint)
            if not isinstance(a.v, dict):
                out.append(m.Answer(name, self.check.lines(a), None, a.span))
                continue
            clue = a.get("clue")
            if clue is not None:
                msg = f"clue names unknown concern {clue.v!r}"
                self.check.refer(clue, concern_ids, "E075", msg)
            said = self.check.lines(a.get("say"))
            out.append(m.Answer(name, said, clue.v if clue else None, a.span))
        return tuple(out)

    def questions(self, y: Y) -> tuple[m.Question, ...]:
        out = []
        seen: dict[str, Span] = {}
        for q in y.v:
            id_y = q.req("id")
            if id_y.v in seen:
                first = f"first used at line {seen[id_y.v].line}"
                self.check.error(id_y.span, "E071", f"duplicate question id {id_y.v!r}", first)
            if id_y.v in RESERVED_STATES:
                msg = f"question id {id_y.v!r} is reserved"
                self.check.error(id_y.span, "E076", msg, "pick another id")
            seen[id_y.v] = q.span
            out.append(
                m.Question(
                    id=id_y.v,
                    ask=self.check.lines(q.get("ask")),
                    rephrase=self.check.lines(q.get("rephrase")),
                    follow_up=self.check.lines(q.get("follow_up")),
                    follow_up_if=q.value("follow_up_if", "missing_specifics"),
                    rules=tuple(self.rule(r) for r in q.seq("rules")),
                    span=q.span,
                    rubric=self.rubric(q.get("rubric")),
                    follow_up_rephrase=self.check.lines(q.get("follow_up_rephrase")),
                )
            )
        return tuple(out)

    def rubric(self, y: Y | None) -> m.Rubric:
        if y is None:
            return m.Rubric()
        wants = tuple(dict.fromkeys(w.v for w in y.seq("wants")))
        return m.Rubric(self.pats.compile(y.get("topic")), wants or m.DEFAULT_WANTS)

    def rule(self, r: Y) -> m.Rule:
        goto = r.get("goto")
        return m.Rule(
            self.pats.compile(r.get("when")),
            self.check.lines(r.get("say")),
            goto.v if goto else None,
            r.span,
            goto.span if goto else None,
        )


class _Concerns:
    """The hidden concerns: their sources, evidence, replies, and the names they refer to."""

    def __init__(self, check: Checker, pats: _Patterns, qids: list[str], facts: list[str]) -> None:
        self.check = check
        self.pats = pats
        self.qids = qids
        self.facts = facts

    def build(self, y: Y | None) -> tuple[m.Concern, ...]:
        out: list[m.Concern] = []
        seen: dict[str, Span] = {}
        for c in y.v if y else ():
            id_y = c.req("id")
            if id_y.v in seen:
                first = f"first used at line {seen[id_y.v].line}"
                self.check.error(id_y.span, "E071", f"duplicate concern id {id_y.v!r}", first)
            seen[id_y.v] = c.span
            out.append(self.concern(c))
        return tuple(out)

    def concern(self, c: Y) -> m.Concern:
        ev = c.req("evidence")
        groups = self.groups(ev)
        gids = [g.id for g in groups]
        source = c.req("source").v
        triggers = self.pats.compile(c.get("triggers"))
        theme = self.theme(c.get("theme"))
        self.check_source(c, source, theme)
        self.check_refs(c)
        self.check.check_text(c.req("thought"), KNOWN)
        self.check.check_text(c.req("title"), ())
        replies = c.get("replies")
        return m.Concern(
            id=c.req("id").v,
            title=c.req("title").v,
            severity=c.req("severity").v,
            source=source,
            order=c.value("order", 0),
            probes=c.value("probes", 1),
            preempt=c.value("preempt", True),
            when_fact=c.value("when_fact"),
            triggers=triggers,
            during=tuple(i.v for i in c.seq("during")),
            theme=theme,
            thought=c.req("thought").v,
            vague=self.check.lines(c.get("vague")),
            specific=self.check.lines(c.get("specific")),
            groups=groups,
            resolve=self.need(ev, "resolve", gids),
            partial=self.need(ev, "partial", gids),
            worsened_by=self.pats.compile(c.get("worsened_by")),
            resolved=self.reply(replies, "resolved"),
            partly_resolved=self.reply(replies, "partly_resolved"),
            worsened=self.reply(replies, "worsened"),
            unresolved=self.reply(replies, "unresolved"),
            span=c.span,
            about=self.pats.compile(c.get("about")),
        )

    def groups(self, ev: Y) -> tuple[m.Group, ...]:
        out = []
        for gid, g in ev.req("groups").items():
            self.check.check_text(g.req("label"), ())
            out.append(m.Group(gid, g.req("label").v, self.pats.compile(g.get("patterns"))))
        return tuple(out)

    def need(self, ev: Y, key: str, gids: list[str]) -> m.Need:
        n = ev.get(key)
        if n is None:
            return m.Need()
        if not n.v:
            self.check.error(n.span, "E042", f"evidence.{key} needs `all` or `count`")
        for i in n.seq("all"):
            self.check.refer(i, gids, "E077", f"unknown evidence group {i.v!r}")
        count = n.value("count", 0)
        if count > len(gids):
            self.check.error(
                n.req("count").span,
                "E078",
                f"count {count} is more than the {len(gids)} groups defined",
            )
        return m.Need(tuple(i.v for i in n.seq("all")), count)

    def theme(self, y: Y | None) -> m.Theme | None:
        if y is None:
            return None
        return m.Theme(
            self.pats.compile(y.get("patterns")),
            y.req("at_least").v,
            self.pats.compile(y.get("counter")),
            y.value("at_most", 0),
        )

    def check_source(self, c: Y, source: str, theme: m.Theme | None) -> None:
        if source in ("said", "misunderstanding") and not c.get("triggers"):
            msg = f"a {source!r} concern needs `triggers`"
            self.check.error(c.span, "E079", msg, "the patterns that raise it")
        if source == "theme" and theme is None:
            self.check.error(c.span, "E079", "a 'theme' concern needs `theme`")
        if source == "background" and (c.get("triggers") or c.get("theme")):
            self.check.error(
                c.span,
                "E079",
                "a 'background' concern is raised from the start",
                "remove triggers/theme, or use `when_fact` to make it conditional",
            )

    def check_refs(self, c: Y) -> None:
        cid = c.req("id").v
        for item in c.seq("during"):
            msg = f"concern {cid!r}: during names unknown question {item.v!r}"
            self.check.refer(item, self.qids, "E072", msg)
        fact = c.get("when_fact")
        if fact is not None:
            msg = f"concern {cid!r}: when_fact {fact.v!r} is not in candidate.facts"
            self.check.refer(fact, self.facts, "E080", msg)

    def reply(self, replies: Y | None, key: str) -> m.Lines:
        allowed = WITH_MISSING if key in ("partly_resolved", "unresolved") else KNOWN
        return self.check.lines(replies.get(key), allowed) if replies else ()
