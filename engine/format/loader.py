"""Scenario YAML -> a checked, frozen Scenario. Collects every problem, then raises once.

`load_path` is the only function here that reads a file (the scenario and the shipped library).
"""

from __future__ import annotations

import hashlib
import stat
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from closer.engine.errors import Diagnostic, ScenarioError, Span, suggest
from closer.engine.format import model as m
from closer.engine.format.patterns import (
    MAX_COST,
    MAX_TOTAL_COST,
    Pattern,
    PatternError,
    compile_pattern,
    costliest_set,
    placing,
)
from closer.engine.format.schema import LIBRARY, SCENARIO, Rec
from closer.engine.format.source import MAX_BYTES, Y, decode, parse, too_big
from closer.engine.format.template import KNOWN, WITH_MISSING, placeholders

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
    builder = _Builder(path, lib)
    scenario = builder.build(root, hashlib.sha256(text.encode()).hexdigest())
    _raise_if_any(builder.diagnostics)
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

    def __init__(self, root: Y, path: str) -> None:
        _structure(root, LIBRARY)
        self.path = path
        self.root = root

    def section(self, key: str) -> Iterable[tuple[str, Y]]:
        y = self.root.get(key)
        return y.items() if y is not None else iter(())


@lru_cache(maxsize=1)
def standard_library() -> Library:
    """The shipped `scenarios/library/standard.yaml` (read once per process)."""
    from closer.scenarios import DIR  # the package that ships the YAML files

    ref = DIR / "library" / "standard.yaml"
    data = ref.read_bytes()
    path = str(ref)
    return Library(parse(decode(data, path), path), path)


# ---- what a text may contain ----------------------------------------------------------------

# Blank letters that fonts draw as nothing, though Unicode does not class them as format
# characters; used to make text that looks empty or spaced.
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")
_JOINERS = frozenset("\u200c\u200d")  # zero-width non-joiner and joiner


def _visible(ch: str) -> bool:
    return not ch.isspace() and ch not in _FILLERS and unicodedata.category(ch)[0] not in "CZ"


def _hidden(text: str, shown: bool) -> int | None:
    """The offset of the first character the player would not see as written: a format character
    (Unicode category Cf: bidirectional controls, zero-width spaces, soft hyphens, tags ...) or a
    blank filler letter, and in a `shown` text a line break. The two joiners are allowed between
    visible characters, where emoji sequences and some scripts need them."""
    if text.isascii():
        return text.find("\n") if shown and "\n" in text else None
    for i, ch in enumerate(text):
        if ch == "\n":
            if shown:
                return i
        elif ch < "\x80":
            continue
        elif ch in _JOINERS:
            if not (0 < i < len(text) - 1 and _visible(text[i - 1]) and _visible(text[i + 1])):
                return i
        elif ch in _FILLERS or unicodedata.category(ch) == "Cf":
            return i
    return None


# ---- building the model ---------------------------------------------------------------------


def _lines(y: Y | None) -> m.Lines:
    if y is None:
        return ()
    return (y.v,) if isinstance(y.v, str) else tuple(i.v for i in y.v)


class _Builder:
    def __init__(self, path: str, lib: Library) -> None:
        self.path = path
        self.lib = lib
        self.diagnostics: list[Diagnostic] = []
        self.word_sets: dict[str, list[str]] = {}
        self.compiled_sets: dict[str, Any] = {}
        self.broken_sets: set[str] = set()
        self.cost = 0  # what all patterns so far cost on one line: steps, and look-ups (E062)
        self.placed: set[object] = set()

    def error(self, span: Span, code: str, message: str, hint: str = "") -> None:
        self.diagnostics.append(Diagnostic(span, code, message, hint))

    def refer(self, y: Y, known: Iterable[str], code: str, message: str) -> None:
        """A name that must be defined elsewhere in the file: report it where it is written."""
        known = list(known)
        if y.v not in known:
            self.error(y.span, code, message, suggest(y.v, known))

    # -- text --
    def lines(self, y: Y | None, allowed: tuple[str, ...] = KNOWN) -> m.Lines:
        out = _lines(y)
        if y is not None:
            items = [y] if isinstance(y.v, str) else y.v
            for item in items:
                self.check_text(item, allowed)
        return out

    def check_text(self, y: Y, allowed: tuple[str, ...] = KNOWN) -> None:
        for name, offset in placeholders(y.v):
            if name not in allowed:
                pool = allowed
                hint = suggest(name, pool) or (
                    "known: " + ", ".join("{" + k + "}" for k in pool)
                    if pool
                    else "this field takes no placeholders"
                )
                what = "a lone brace" if name in "{}" else f"unknown placeholder {{{name}}}"
                extra = "; write {{ or }} for a literal brace" if name in "{}" else ""
                self.error(y.at(offset), "E050", what, hint + extra)
        self.check_controls(y, shown=True)

    def check_controls(self, y: Y, shown: bool = False) -> None:
        """Text reaches the terminal: no control characters or escape sequences in it (E051), no
        invisible characters, and in a text the player is shown, no line break (E052)."""
        text = str(y.v)
        for ch in text:
            if (ord(ch) < 32 and ch not in "\n\t") or ch == "\x7f" or 0x80 <= ord(ch) < 0xA0:
                self.error(
                    y.span,
                    "E051",
                    f"control character U+{ord(ch):04X} in text",
                    "terminal escape sequences are not allowed",
                )
                break
        at = _hidden(text, shown)
        if at is None:
            return
        if text[at] == "\n":  # point at what follows the break, where the next line starts
            where = y.at(at + 1) if at + 1 < len(text) else y.at(at)
            message = "line break inside a line of text"
            hint = "a line is shown as one paragraph: join the lines; use a list for variants"
        else:
            where = y.at(at)
            name = unicodedata.name(text[at], "").lower()
            message = f"invisible character U+{ord(text[at]):04X} ({name}) in text"
            hint = "delete it: the player cannot see it, and it can reorder or hide what they see"
        self.error(where, "E052", message, hint)

    def check_word_set(self, name: str, entries: Y) -> None:
        """Each entry is a small pattern; report a bad one where it is written."""
        for entry in entries.v:
            self.check_controls(entry)
            try:
                compile_pattern(entry.v)
            except PatternError as e:
                self.broken_sets.add(name)
                col = entry.span.col + e.offset + (1 if entry.quoted else 0)
                where = Span(entry.span.path, entry.span.line, col)
                self.error(where, "E060", f"bad entry {entry.v!r} in word set @{name}: {e}")

    # -- patterns --
    def patterns(self, y: Y | None) -> tuple[m.Pat, ...]:
        if y is None:
            return ()
        out = []
        for item in y.v:
            self.check_controls(item)
            try:
                pattern = compile_pattern(item.v, self.word_sets, self.compiled_sets)
                if self.check_cost(pattern, item.span):
                    out.append(m.Pat(pattern, item.span))
            except PatternError as e:
                if any(str(e).startswith(f"word set @{b}:") for b in self.broken_sets):
                    continue  # already reported where the set is defined
                col = item.span.col + e.offset + (1 if item.quoted else 0)
                span = Span(item.span.path, item.span.line, col)
                hint = ""
                if str(e).startswith("unknown word set"):
                    hint = suggest(str(e).split("@", 1)[1], self.word_sets)
                self.error(span, "E060", f"bad pattern {item.v!r}: {e}", hint)
        return tuple(out)

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
            self.error(
                span,
                "E062",
                f"pattern {pattern.source!r} costs {pattern.cost:,} steps to match, "
                f"over the limit of {MAX_COST:,}",
                hint,
            )
            return False
        before = self.cost
        self.cost += pattern.cost + placing(pattern, self.placed, before <= MAX_TOTAL_COST)
        if before <= MAX_TOTAL_COST < self.cost:
            self.error(
                span,
                "E062",
                f"with this pattern, the scenario's patterns cost {self.cost:,} steps to match a "
                f"line, over the limit of {MAX_TOTAL_COST:,}",
                "every line is tried against them all: use fewer patterns, fewer different "
                "words, or smaller word sets",
            )
        return True

    def build(self, root: Y, sha: str) -> m.Scenario:
        # a scenario's word set with a library set's name adds entries to it
        own_sets = root.get("word_sets")
        for name, entries in self.lib.section("word_sets"):
            self.word_sets[name] = [e.v for e in entries.v]
        word_sets = []
        for name, entries in own_sets.items() if own_sets else ():
            word_sets.append(
                m.WordSet(name, tuple((e.v, e.span) for e in entries.v), name in self.word_sets)
            )
            self.word_sets.setdefault(name, []).extend(e.v for e in entries.v)
            self.check_word_set(name, entries)  # the shipped library's are tested
        persona_y = root.get("persona")
        cand_y = root.get("candidate")
        assert persona_y is not None and cand_y is not None
        intents = self.intents(root.get("intents"))
        markers = self.markers(root.get("markers"))
        persona = m.Persona(
            name=persona_y.get("name").v,
            role=persona_y.get("role").v,  # type: ignore[union-attr]
            company=persona_y.get("company").v,  # type: ignore[union-attr]
            style=self.style(persona_y.get("style")),
        )
        for key in ("name", "role", "company"):
            self.check_text(persona_y.get(key), ())  # type: ignore[arg-type]
        for y in (
            root.get("title"),
            root.get("description"),
            root.get("position"),
            cand_y.get("name"),
        ):
            if y is not None:
                self.check_text(y, ())
        facts_y = cand_y.get("facts")
        for _, fact in facts_y.items() if facts_y else ():
            self.check_controls(fact)
        candidate = m.Candidate(
            name=cand_y.get("name").v,  # type: ignore[union-attr]
            background=tuple(self.lines(cand_y.get("background"))),
            facts=tuple((k, v.v) for k, v in facts_y.items()) if facts_y else (),
        )
        flow_y = root.get("flow")
        assert flow_y is not None
        # questions first: concerns refer to them (`during`), answers refer to concerns (`clue`)
        questions = self.questions(flow_y.get("questions"))  # type: ignore[arg-type]
        concerns = self.concerns(
            root.get("concerns"), [q.id for q in questions], [k for k, _ in candidate.facts]
        )
        flow = self.flow(flow_y, questions, {c.id for c in concerns}, intents)
        v = root.get("verdict")
        verdict = m.Verdict(**{k: y.v for k, y in v.items()}) if v else m.Verdict()
        if not verdict.advance > verdict.undecided:
            self.error(
                v.span if v else root.span,
                "E070",
                "verdict.advance must be above verdict.undecided",
            )
        mt = root.get("max_turns")
        return m.Scenario(
            id=root.get("id").v,
            title=root.get("title").v,  # type: ignore[union-attr]
            description=(root.get("description").v if root.get("description") else ""),  # type: ignore[union-attr]
            position=root.get("position").v,  # type: ignore[union-attr]
            persona=persona,
            candidate=candidate,
            intents=intents,
            markers=markers,
            flow=flow,
            concerns=concerns,
            verdict=verdict,
            max_turns=mt.v if mt else 80,
            path=self.path,
            sha256=sha,
            word_sets=tuple(word_sets),
        )

    def intents(self, own: Y | None) -> tuple[m.Intent, ...]:
        """The scenario's intents first (extending library ones of the same name unless
        `replace: true`), then the library's untouched ones: file order is precedence order."""
        lib = dict(self.lib.section("intents"))
        mine = dict(own.items()) if own else {}
        out: list[m.Intent] = []
        for name, y in [*mine.items(), *((n, y) for n, y in lib.items() if n not in mine)]:
            base = lib.get(name) if name in mine else None
            replace = y.get("replace")
            prio = y.get("priority") or (base.get("priority") if base is not None else None)
            if base is not None and replace is not None and replace.v:
                base = None  # the library's patterns and examples go; its priority stays
            pats = self.patterns(y.get("patterns"))
            for example in y.get("examples").v if y.get("examples") else ():  # type: ignore[union-attr]
                self.check_controls(example)
            examples = _lines(y.get("examples"))
            if base is not None:
                pats += self.patterns(base.get("patterns"))
                examples += _lines(base.get("examples"))
            out.append(m.Intent(name, pats, prio.v if prio else 0, y.span, examples))
        return tuple(out)

    def markers(self, own: Y | None) -> tuple[tuple[str, tuple[m.Pat, ...]], ...]:
        found: dict[str, tuple[m.Pat, ...]] = {}
        if own:
            for name, y in own.items():
                if name not in m.MARKERS:
                    self.error(
                        own.key_spans[name],
                        "E061",
                        f"unknown marker {name!r}",
                        suggest(name, m.MARKERS) or "markers: " + ", ".join(m.MARKERS),
                    )
                found[name] = self.patterns(y)
        for name, y in self.lib.section("markers"):
            found[name] = found.get(name, ()) + self.patterns(y)
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
                missing = name in ("confirm_partial", "confirm_unresolved")
                allowed = WITH_MISSING if missing else KNOWN
                values[name] = self.lines(src, allowed) if src is own.get(name) else _lines(src)
        return m.Style(**values)

    def flow(
        self,
        y: Y,
        questions: tuple[m.Question, ...],
        concern_ids: set[str],
        intents: tuple[m.Intent, ...],
    ) -> m.Flow:
        opening = y.get("opening")
        cq = y.get("candidate_questions")
        assert opening is not None and cq is not None
        qids = {q.id for q in questions}
        for q in questions:
            for r in q.rules:
                if r.goto is not None and r.goto not in qids and r.goto != "candidate_questions":
                    self.error(
                        r.goto_span or r.span,
                        "E072",
                        f"goto {r.goto!r} is not a question id",
                        suggest(r.goto, [*qids, "candidate_questions"]),
                    )
        intent_ids = {i.id for i in intents}
        answers = []
        ans_y = cq.get("answers")
        for name, a in ans_y.items() if ans_y else ():
            if name not in intent_ids:
                self.error(
                    ans_y.key_spans[name],
                    "E073",  # type: ignore[union-attr]
                    f"answer for unknown intent {name!r}",
                    suggest(name, intent_ids),
                )
            elif name in NAV_INTENTS:
                self.error(
                    ans_y.key_spans[name],
                    "E074",  # type: ignore[union-attr]
                    f"{name!r} is not a candidate question",
                    "answers are for ask_* intents or your own question intents",
                )
            if isinstance(a.v, dict):
                clue = a.get("clue")
                if clue is not None:
                    msg = f"clue names unknown concern {clue.v!r}"
                    self.refer(clue, concern_ids, "E075", msg)
                answers.append(
                    m.Answer(name, self.lines(a.get("say")), clue.v if clue else None, a.span)
                )
            else:
                answers.append(m.Answer(name, self.lines(a), None, a.span))
        closing = y.get("closing")
        return m.Flow(
            opening=self.lines(opening.get("say")),
            opening_reply=self.lines(opening.get("reply")),
            questions=questions,
            cq_prompt=self.lines(cq.get("prompt")),
            answers=tuple(answers),
            closing=self.lines(closing.get("say")),  # type: ignore[union-attr]
            spans=tuple(y.key_spans.items()),
        )

    def questions(self, y: Y) -> tuple[m.Question, ...]:
        out = []
        seen: dict[str, Span] = {}
        for q in y.v:
            qid = q.get("id").v  # type: ignore[union-attr]
            if qid in seen:
                self.error(
                    q.get("id").span,
                    "E071",
                    f"duplicate question id {qid!r}",  # type: ignore[union-attr]
                    f"first used at line {seen[qid].line}",
                )
            if qid in RESERVED_STATES:
                self.error(
                    q.get("id").span,
                    "E076",  # type: ignore[union-attr]
                    f"question id {qid!r} is reserved",
                    "pick another id",
                )
            seen[qid] = q.span
            rules = []
            for r in q.get("rules").v if q.get("rules") else ():  # type: ignore[union-attr]
                goto = r.get("goto")
                rules.append(
                    m.Rule(
                        self.patterns(r.get("when")),
                        self.lines(r.get("say")),
                        goto.v if goto else None,
                        r.span,
                        goto.span if goto else None,
                    )
                )
            fu_if = q.get("follow_up_if")
            out.append(
                m.Question(
                    id=qid,
                    ask=self.lines(q.get("ask")),
                    rephrase=self.lines(q.get("rephrase")),
                    follow_up=self.lines(q.get("follow_up")),
                    follow_up_if=fu_if.v if fu_if else "missing_specifics",
                    rules=tuple(rules),
                    span=q.span,
                )
            )
        return tuple(out)

    def concerns(self, y: Y | None, qids: list[str], facts: list[str]) -> tuple[m.Concern, ...]:
        out: list[m.Concern] = []
        seen: dict[str, Span] = {}
        for c in y.v if y else ():
            cid = c.get("id").v
            if cid in seen:
                self.error(
                    c.get("id").span,
                    "E071",
                    f"duplicate concern id {cid!r}",
                    f"first used at line {seen[cid].line}",
                )
            seen[cid] = c.span
            out.append(self.concern(c, qids, facts))
        return tuple(out)

    def concern(self, c: Y, qids: list[str], facts: list[str]) -> m.Concern:
        ev = c.get("evidence")
        assert ev is not None
        groups = []
        for gid, g in ev.get("groups").items():  # type: ignore[union-attr]
            self.check_text(g.get("label"), ())  # type: ignore[arg-type]
            groups.append(
                m.Group(
                    gid,
                    g.get("label").v,  # type: ignore[union-attr]
                    self.patterns(g.get("patterns")),
                )
            )
        gids = [g.id for g in groups]

        def need(key: str) -> m.Need:
            n = ev.get(key)
            if n is None:
                return m.Need()
            if not n.v:
                self.error(n.span, "E042", f"evidence.{key} needs `all` or `count`")
            names = tuple(i.v for i in n.get("all").v) if n.get("all") else ()
            for i in n.get("all").v if n.get("all") else ():
                self.refer(i, gids, "E077", f"unknown evidence group {i.v!r}")
            count = n.get("count").v if n.get("count") else 0
            if count > len(gids):
                self.error(
                    n.get("count").span,
                    "E078",  # type: ignore[union-attr]
                    f"count {count} is more than the {len(gids)} groups defined",
                )
            return m.Need(names, count)

        source = c.get("source").v
        triggers = self.patterns(c.get("triggers"))
        theme_y = c.get("theme")
        theme = None
        if theme_y is not None:
            am = theme_y.get("at_most")
            theme = m.Theme(
                self.patterns(theme_y.get("patterns")),
                theme_y.get("at_least").v,  # type: ignore[union-attr]
                self.patterns(theme_y.get("counter")),
                am.v if am else 0,
            )
        if source in ("said", "misunderstanding") and not c.get("triggers"):
            self.error(
                c.span,
                "E079",
                f"a {source!r} concern needs `triggers`",
                "the patterns that raise it",
            )
        if source == "theme" and theme is None:
            self.error(c.span, "E079", "a 'theme' concern needs `theme`")
        if source == "background" and (c.get("triggers") or theme_y):
            self.error(
                c.span,
                "E079",
                "a 'background' concern is raised from the start",
                "remove triggers/theme, or use `when_fact` to make it conditional",
            )
        replies = c.get("replies")

        def reply(key: str) -> m.Lines:
            allowed = WITH_MISSING if key in ("partly_resolved", "unresolved") else KNOWN
            return self.lines(replies.get(key), allowed) if replies else ()

        def get(key: str, default: Any) -> Any:
            v = c.get(key)
            return v.v if v is not None else default

        cid = c.get("id").v  # type: ignore[union-attr]
        for item in c.get("during").v if c.get("during") else ():  # type: ignore[union-attr]
            msg = f"concern {cid!r}: during names unknown question {item.v!r}"
            self.refer(item, qids, "E072", msg)
        fact = c.get("when_fact")
        if fact is not None:
            msg = f"concern {cid!r}: when_fact {fact.v!r} is not in candidate.facts"
            self.refer(fact, facts, "E080", msg)
        self.check_text(c.get("thought"), KNOWN)  # type: ignore[arg-type]
        self.check_text(c.get("title"), ())  # type: ignore[arg-type]
        return m.Concern(
            id=c.get("id").v,
            title=c.get("title").v,
            severity=c.get("severity").v,  # type: ignore[union-attr]
            source=source,
            order=get("order", 0),
            probes=get("probes", 1),
            preempt=get("preempt", True),
            when_fact=get("when_fact", None),
            triggers=triggers,
            during=tuple(i.v for i in c.get("during").v)  # type: ignore[union-attr]
            if c.get("during")
            else (),
            theme=theme,
            thought=c.get("thought").v,  # type: ignore[union-attr]
            vague=self.lines(c.get("vague")),
            specific=self.lines(c.get("specific")),
            groups=tuple(groups),
            resolve=need("resolve"),
            partial=need("partial"),
            worsened_by=self.patterns(c.get("worsened_by")),
            resolved=reply("resolved"),
            partly_resolved=reply("partly_resolved"),
            worsened=reply("worsened"),
            unresolved=reply("unresolved"),
            span=c.span,
        )
