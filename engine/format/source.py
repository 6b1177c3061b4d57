"""The only module that imports yaml: untrusted text -> a tree of values that keep their positions.

Safety: the text is only *composed* (parsed into nodes) by the safe loader, never constructed into
Python objects by PyYAML; this module builds plain values itself and refuses every tag outside the
YAML core schema. Sizes, nesting depth and alias use are capped, counted on the parser's events
before any node is built, so a hostile file cannot exhaust memory or time. Characters that make a
file read differently than it looks (control characters, the line breaks YAML counts and editors
do not) are refused before it is parsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from typing import Any

import yaml

from closer.engine.errors import Diagnostic, EngineError, ScenarioError, Span

try:  # libyaml is ~10x faster; the pure-Python loader is the fallback.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 512_000
MAX_DEPTH = 40
MAX_NODES = 20_000  # the default persona has ~400
MAX_ALIASES = 100

_CORE = "tag:yaml.org,2002:"


class Y:
    """A value from YAML with its position. `v` is a dict[str, Y], a list[Y] or a scalar. (A
    plain class: a dataclass costs every start about half a millisecond to make.)"""

    __slots__ = ("key_spans", "quoted", "raw", "span", "v")

    def __init__(
        self,
        v: Any,
        span: Span,
        key_spans: dict[str, Span] | None = None,
        quoted: bool = False,  # a quoted scalar: its text starts one column after `span`
        raw: str = "",  # a string as written in the file, quotes, escapes and line breaks included
    ) -> None:
        self.v = v
        self.span = span
        self.key_spans: dict[str, Span] = {} if key_spans is None else key_spans
        self.quoted = quoted
        self.raw = raw

    def __repr__(self) -> str:
        return (
            f"Y(v={self.v!r}, span={self.span!r}, key_spans={self.key_spans!r}, "
            f"quoted={self.quoted!r}, raw={self.raw!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Y):
            return NotImplemented
        mine = (self.v, self.span, self.key_spans, self.quoted, self.raw)
        return mine == (other.v, other.span, other.key_spans, other.quoted, other.raw)

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was

    @property
    def kind(self) -> str:
        if isinstance(self.v, dict):
            return "mapping"
        if isinstance(self.v, list):
            return "list"
        if self.v is None:
            return "null"
        if isinstance(self.v, bool):
            return "boolean"
        if isinstance(self.v, int):
            return "integer"
        if isinstance(self.v, float):
            return "number"
        return "string"

    def at(self, offset: int) -> Span:
        """Where the file shows the character at `offset` of this string. A character that is
        not written as itself (an escape, a folded line break) gives the value's own start."""
        text = self.v
        if not isinstance(text, str) or not self.raw or not 0 <= offset < len(text):
            return self.span
        char = text[offset]
        # a block scalar's first line is its indicator, and may hold a comment
        body = self.raw.find("\n") + 1 if self.raw[:1] in "|>" else 0
        i = body - 1
        for _ in range(text.count(char, 0, offset) + 1):
            i = self.raw.find(char, i + 1)
            if i < 0:
                return self.span
        line, col = position(self.raw, i)
        return Span(
            self.span.path, self.span.line + line - 1, col if line > 1 else self.span.col + col - 1
        )

    def get(self, key: str) -> Y | None:
        return self.v.get(key) if isinstance(self.v, dict) else None

    def req(self, key: str) -> Y:
        """A key the schema requires: the loader checks the structure before it builds
        anything, so a missing one is a bug in Closer, not in the file."""
        found = self.get(key)
        if found is None:
            raise EngineError(f"{self.span}: required key {key!r} is missing")
        return found

    def value(self, key: str, default: Any = None) -> Any:
        """An optional key's plain value, or `default` when it is not written."""
        found = self.get(key)
        return default if found is None else found.v

    def seq(self, key: str) -> list[Y]:
        """An optional list's items (none when it is not written)."""
        found = self.get(key)
        return list(found.v) if found is not None and isinstance(found.v, list) else []

    def items(self) -> Iterator[tuple[str, Y]]:
        return iter(self.v.items()) if isinstance(self.v, dict) else iter(())


def _span(path: str, mark: Any) -> Span:
    return Span(path, mark.line + 1, mark.column + 1)


def position(text: str, index: int) -> tuple[int, int]:
    """The 1-based line and column of `text[index]`, lines ending at LF, CRLF or CR (as YAML and
    editors count them; the other YAML line breaks are refused before anything is counted)."""
    head = text[:index]
    breaks = head.count("\n") + head.count("\r") - head.count("\r\n")
    last = max(head.rfind("\n"), head.rfind("\r"))
    return breaks + 1, index - last


def too_big(path: str, size: int) -> ScenarioError:
    return ScenarioError(
        [
            Diagnostic(
                Span(path, 1, 1),
                "E001",
                f"file is {size:,} bytes, over the limit of {MAX_BYTES:,}",
                "split it up or trim it; scenarios are usually a few kilobytes",
            )
        ]
    )


def decode(data: bytes, path: str) -> str:
    """Bytes -> text, refusing oversized or non-UTF-8 files with a located diagnostic."""
    if len(data) > MAX_BYTES:
        raise too_big(path, len(data))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        before = data[: e.start].decode("utf-8").removeprefix("\ufeff")  # count characters
        line, col = position(before, len(before))
        raise ScenarioError(
            [
                Diagnostic(
                    Span(path, line, col),
                    "E002",
                    f"invalid UTF-8 (byte 0x{data[e.start]:02x})",
                    "save the file as UTF-8",
                )
            ]
        ) from None
    return text.removeprefix("\ufeff")


def parse(text: str, path: str, counted: bool = False) -> Y:
    """Compose YAML text safely and convert it into a `Y` tree, or raise ScenarioError.
    `counted`: no counting first, and no alias (the shipped library: a test counts it)."""
    text = text.removeprefix("\ufeff")
    if len(text) > MAX_BYTES:
        raise ScenarioError(
            [
                Diagnostic(
                    Span(path, 1, 1), "E001", f"file is over the limit of {MAX_BYTES:,} characters"
                )
            ]
        )
    _check_characters(text, path)
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise ScenarioError(
            [
                Diagnostic(
                    Span(path, 1, 1),
                    "E003",
                    "the file is empty",
                    "start from a copy of scenarios/ledgerline.yaml; see docs/scenario-format.md",
                )
            ]
        )
    read = _read_events(text, path)  # the usual case, in one pass
    return read if read is not None else _careful(text, path, counted)


def _careful(text: str, path: str, counted: bool) -> Y:
    """`parse` by counting the events first, then composing nodes and converting them: what
    finds and reports every problem, and follows aliases."""
    aliases = 0 if counted else _check_structure(text, path)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        span = _span(path, mark) if mark else Span(path, 1, 1)
        msg = " ".join(str(p) for p in (e.context, e.problem) if p)
        raise ScenarioError(
            [
                Diagnostic(
                    span,
                    "E010",
                    f"YAML syntax error: {msg}",
                    "check indentation, colons and quotes here",
                )
            ]
        ) from None
    except yaml.reader.ReaderError as e:  # pragma: no cover - _check_characters comes first
        line, col = position(text, e.position)
        code = ord(e.character) if isinstance(e.character, str) else e.character
        raise ScenarioError(
            [Diagnostic(Span(path, line, col), "E015", f"character U+{code:04X} is not allowed")]
        ) from None
    except yaml.YAMLError as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ScenarioError(
            [Diagnostic(Span(path, 1, 1), "E010", f"YAML syntax error: {first}")]
        ) from None
    finally:
        loader.dispose()
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _CORE + "null"):
        raise ScenarioError([Diagnostic(Span(path, 1, 1), "E003", "the file is empty")])
    return _Converter(path, text, plain=aliases == 0).convert_root(node)


# Characters refused anywhere in the file, comments included: the control characters (a
# terminal would obey them), the three line breaks that YAML counts and editors do not (so
# `# ok<U+2028>max_turns: 5` would be a key that looks like part of a comment), a byte-order
# mark after the start, and what YAML itself refuses (surrogates, U+FFFE, U+FFFF).
_REFUSED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]"
)
_LINE_BREAKS = {0x85: "next line", 0x2028: "line separator", 0x2029: "paragraph separator"}


def _check_characters(text: str, path: str) -> None:
    found = _REFUSED.search(text)
    if found is None:
        return
    code = ord(found.group())
    where = Span(path, *position(text, found.start()))
    if code in _LINE_BREAKS:
        message = f"{_LINE_BREAKS[code]} U+{code:04X} is not allowed"
        hint = (
            "YAML starts a new line there and editors do not, so what follows can be read as a "
            "key while it looks like a comment; delete it"
        )
    elif code == 0xFEFF:
        message = "byte-order mark U+FEFF inside the file"
        hint = "delete it; it is invisible, and allowed only as the very first character"
    elif code < 0x20 or 0x7F <= code <= 0x9F:
        message = f"control character U+{code:04X} is not allowed in YAML"
        hint = "delete it; terminal escape sequences are not allowed"
    else:
        message = f"character U+{code:04X} is not allowed in YAML"
        hint = "delete it"
    raise ScenarioError([Diagnostic(where, "E015", message, hint)])


_OPEN = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _check_structure(text: str, path: str) -> int | None:
    """Count what YAML reads, event by event, before any node is built: refuse collections
    nested too deep (E012) and too many keys and values or alias uses (E011) at the event that
    goes over. Brackets in comments, quotes and patterns are only text here. Returns how many
    aliases the text uses (None when it does not parse: composing reports where)."""
    parser = _Loader(text)
    try:
        return _count_events(parser.get_event, path)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        if mark is None or "maximum nesting depth" not in str(e.problem):
            return None  # composing reports it, with its position
        # libyaml reads ahead of the events it hands out, and gave up at its own limit of 1,000
        # levels before handing out ours: the text before that point has every event we need
        prefix = _Loader(text[: mark.index])
        try:
            _count_events(prefix.get_event, path)
        except yaml.YAMLError:
            pass
        finally:
            prefix.dispose()
        raise _fail(path, mark, "E012", f"nesting deeper than {MAX_DEPTH} levels") from None
    finally:
        parser.dispose()


def _count_events(next_event: Any, path: str) -> int:
    depth = -1  # the top-level collection is level 0
    nodes = aliases = 0
    for event in iter(next_event, None):
        kind = type(event)
        if kind is yaml.ScalarEvent:
            nodes += 1
        elif kind in _CLOSE:
            depth -= 1
            continue
        elif kind in _OPEN:
            nodes += 1
            depth += 1
            if depth > MAX_DEPTH:
                message = f"nesting deeper than {MAX_DEPTH} levels"
                raise _fail(path, event.start_mark, "E012", message)
        elif kind is yaml.AliasEvent:
            nodes += 1
            aliases += 1
            if aliases > MAX_ALIASES:
                hint = "anchors and aliases are allowed, but sparingly"
                message = f"more than {MAX_ALIASES} alias uses"
                raise _fail(path, event.start_mark, "E011", message, hint)
        else:
            continue
        if nodes > MAX_NODES:
            raise _too_many(path, event.start_mark)
    return aliases


def _too_many(path: str, mark: Any) -> ScenarioError:
    return _fail(path, mark, "E011", f"more than {MAX_NODES:,} keys and values")


_SCALAR = yaml.ScalarEvent
# a Span made without its Python-level constructor (the same tuple): a load makes one a value
_new_span = partial(tuple.__new__, Span)
_KEY_TAGS = frozenset(_CORE + t for t in ("str", "int", "bool", "null", "float"))
_VALUE_TAGS = _KEY_TAGS | {_CORE + "timestamp"}
_STR = _CORE + "str"


def _read_events(text: str, path: str) -> Y | None:
    """`parse`'s usual case in one pass over the parser's events: each counted as
    `_count_events` counts it (so a limit is refused at the same event, with the same
    diagnostic, before anything after it is read) and turned into a `Y` as it comes, with no
    node built. None for what it leaves to the careful path (count, compose, convert), which
    finds the same and reports anything wrong: a YAML error, an anchor or alias, a tag or key
    that is refused, a duplicate key, anything but one document holding a collection.
    tests/test_source.py holds it to that path."""
    parser = _Loader(text)
    try:
        return _Events(parser, text, path).document()
    except yaml.YAMLError:
        return None
    finally:
        parser.dispose()


class _Events:
    """The state of `_read_events`: the counts, and the collections open (each a dict with its
    keys' spans and the key waiting for its value, or a list)."""

    __slots__ = ("depth", "first", "next", "nodes", "path", "resolve", "tags", "text")

    def __init__(self, parser: Any, text: str, path: str) -> None:
        self.next = parser.get_event
        self.resolve = parser.resolve
        # a plain scalar's resolved tag depends on its text alone: many repeat (keys, numbers)
        self.tags: dict[str, str] = {}
        # the first characters for which the resolver tries its patterns: a plain scalar that
        # starts with any other is a string (when it has no pattern for any text, nor by path)
        found = parser.yaml_implicit_resolvers
        plain = None not in found and not parser.yaml_path_resolvers
        self.first: frozenset[str] | None = frozenset(found) if plain else None
        self.text = text
        self.path = path
        self.depth = -1  # the top-level collection is level 0
        self.nodes = 0

    def document(self) -> Y | None:
        get = self.next
        if type(get()) is not yaml.StreamStartEvent or type(get()) is not yaml.DocumentStartEvent:
            return None
        first = get()
        if type(first) not in _OPEN:
            return None
        root = self.collection(first)
        if root is None or type(get()) is not yaml.DocumentEndEvent:
            return None
        return root if type(get()) is yaml.StreamEndEvent else None

    def collection(self, event: Any) -> Y | None:
        """The collection `event` starts, read to its end (None: left to the careful path)."""
        self.count(event)
        kind = type(event)
        if event.anchor is not None:
            return None
        tag = event.tag
        if tag is None or tag == "!":
            node = yaml.MappingNode if kind is yaml.MappingStartEvent else yaml.SequenceNode
            tag = self.resolve(node, None, event.implicit)
        mark: Any = event.start_mark
        span = Span(self.path, mark.line + 1, mark.column + 1)
        get = self.next
        if kind is yaml.SequenceStartEvent:
            if tag != _CORE + "seq":
                return None
            items: list[Y] = []
            while True:
                item = self.value(get())
                if item is None:
                    return None
                if item is _END:
                    return Y(items, span)
                items.append(item)
        if tag != _CORE + "map":
            return None
        out: dict[str, Y] = {}
        key_spans: dict[str, Span] = {}
        while True:
            key = get()
            if type(key) is yaml.MappingEndEvent:
                self.depth -= 1
                return Y(out, span, key_spans)
            if type(key) is not yaml.ScalarEvent or key.anchor is not None:
                return None
            self.count(key)
            tag = key.tag
            if tag is None or tag == "!":
                tag = self.plain_tag(key.value) if key.implicit[0] else _STR
            k = str(key.value)
            if tag not in _KEY_TAGS or k in out:
                return None
            mark = key.start_mark
            key_spans[k] = _new_span((self.path, mark.line + 1, mark.column + 1))
            found = self.value(get())
            if found is None or found is _END:
                return None
            out[k] = found

    def value(self, event: Any) -> Y | None:
        """A value, `_END` at the end of a list, None for what is left to the careful path."""
        kind = type(event)
        if kind is not _SCALAR:
            if kind is yaml.SequenceEndEvent:
                self.depth -= 1
                return _END
            return self.collection(event) if kind in _OPEN else None
        self.nodes += 1  # `count`, written out for a scalar: a load's hot loop
        if self.nodes > MAX_NODES:
            raise _too_many(self.path, event.start_mark)
        if event.anchor is not None:
            return None
        tag = event.tag
        text = event.value
        if tag is None or tag == "!":
            # what the resolver gives: a quoted scalar is a string, a plain one is resolved
            if event.implicit[0]:
                tag = self.tags.get(text)
                if tag is None:
                    tag = self.plain_tag(text)
            else:
                tag = _STR
        mark = event.start_mark
        span = _new_span((self.path, mark.line + 1, mark.column + 1))
        style = event.style
        if tag == _STR:
            value = text.rstrip("\n") if style == "|" or style == ">" else text
        elif tag not in _VALUE_TAGS:
            return None
        else:
            value = _plain_value(text, style, tag)
            if not isinstance(value, str):
                return Y(value, span)
        raw = self.text[mark.index : event.end_mark.index]
        return Y(value, span, None, style == "'" or style == '"', raw)

    def plain_tag(self, value: str) -> str:
        """What the resolver gives a plain scalar (implicit tag) with this text."""
        tag = self.tags.get(value)
        if tag is None:
            first = self.first
            if first is not None and value and value[0] not in first:
                tag = _STR  # what the resolver gives: it has no pattern to try
            else:
                tag = self.resolve(yaml.ScalarNode, value, (True, False))
            self.tags[value] = tag
        return tag

    def count(self, event: Any) -> None:
        """`_count_events` for one scalar or collection start: the same refusals."""
        self.nodes += 1
        if type(event) is not yaml.ScalarEvent:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                message = f"nesting deeper than {MAX_DEPTH} levels"
                raise _fail(self.path, event.start_mark, "E012", message)
        if self.nodes > MAX_NODES:
            raise _too_many(self.path, event.start_mark)


_END = Y(None, Span("", 0, 0))  # `_Events.value` at the end of a list


def _fail(path: str, mark: Any, code: str, message: str, hint: str = "") -> ScenarioError:
    return ScenarioError([Diagnostic(_span(path, mark), code, message, hint)])


class _Converter:
    """Nodes -> `Y`. `plain`: the text uses no alias, and its events were counted (keys and
    values, nesting): every node is then met once, at the depth the events had, so the counts
    and the checks for aliases are left out (`convert` could refuse nothing)."""

    def __init__(self, path: str, text: str, plain: bool = False) -> None:
        self.path = path
        self.text = text
        self.plain = plain
        self.nodes = 0
        self.reused = False  # an alias was followed: its values count again
        self.seen: set[int] = set()
        self.active: set[int] = set()
        self.duplicates: list[Diagnostic] = []

    def fail(self, node: Any, code: str, message: str, hint: str = "") -> ScenarioError:
        return ScenarioError([Diagnostic(_span(self.path, node.start_mark), code, message, hint)])

    def convert_root(self, node: Any) -> Y:
        """The whole tree; every duplicate key in it is reported together."""
        root = self.once(node) if self.plain else self.convert(node)
        if self.duplicates:
            raise ScenarioError(self.duplicates)
        return root

    def once(self, node: Any) -> Y:
        """`convert` for a node of a tree without aliases (see `plain`)."""
        mark = node.start_mark
        span = Span(self.path, mark.line + 1, mark.column + 1)
        tag = node.tag or ""
        if isinstance(node, yaml.ScalarNode):
            value = self.scalar(node, tag)
            if not isinstance(value, str):
                return Y(value, span)
            raw = self.text[mark.index : node.end_mark.index]
            return Y(value, span, quoted=node.style in ("'", '"'), raw=raw)
        if isinstance(node, yaml.SequenceNode):
            if tag != _CORE + "seq":
                raise self.fail(
                    node, "E013", f"unsupported tag {tag!r}", "scenario files use plain YAML only"
                )
            return Y([self.once(n) for n in node.value], span)
        if tag != _CORE + "map":
            raise self.fail(
                node, "E013", f"unsupported tag {tag!r}", "scenario files use plain YAML only"
            )
        return self.mapping(node, span, 0)

    def convert(self, node: Any, depth: int = 0) -> Y:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(
                node,
                "E011",
                f"more than {MAX_NODES:,} keys and values"
                + (" (through aliases)" if self.reused else ""),
            )
        key = id(node)
        if key in self.active:
            raise self.fail(node, "E011", "an alias refers to itself (recursive structure)")
        self.reused = self.reused or key in self.seen
        self.seen.add(key)
        span = _span(self.path, node.start_mark)
        tag = node.tag or ""
        if isinstance(node, yaml.ScalarNode):
            value = self.scalar(node, tag)
            if not isinstance(value, str):
                return Y(value, span)
            raw = self.text[node.start_mark.index : node.end_mark.index]
            return Y(value, span, quoted=node.style in ("'", '"'), raw=raw)
        if depth > MAX_DEPTH:  # only through an alias: the parser's events were counted
            raise self.fail(node, "E012", f"nesting deeper than {MAX_DEPTH} levels")
        self.active.add(key)
        try:
            if isinstance(node, yaml.SequenceNode):
                if tag != _CORE + "seq":
                    raise self.fail(
                        node,
                        "E013",
                        f"unsupported tag {tag!r}",
                        "scenario files use plain YAML only",
                    )
                return Y([self.convert(n, depth + 1) for n in node.value], span)
            if tag != _CORE + "map":
                raise self.fail(
                    node, "E013", f"unsupported tag {tag!r}", "scenario files use plain YAML only"
                )
            return self.mapping(node, span, depth)
        finally:
            self.active.discard(key)

    def mapping(self, node: Any, span: Span, depth: int) -> Y:
        out: dict[str, Y] = {}
        key_spans: dict[str, Span] = {}
        for knode, vnode in node.value:
            if knode.tag == _CORE + "merge":
                raise self.fail(
                    knode, "E013", "merge keys (`<<`) are not supported", "write the keys out"
                )
            if not isinstance(knode, yaml.ScalarNode):
                raise self.fail(knode, "E014", "mapping keys must be plain words")
            if knode.tag not in (
                _CORE + "str",
                _CORE + "int",
                _CORE + "bool",
                _CORE + "null",
                _CORE + "float",
            ):
                raise self.fail(
                    knode,
                    "E013",
                    f"unsupported tag {knode.tag!r}",
                    "scenario files use plain YAML only; Python tags are never executed",
                )
            self.nodes += 1  # a key counts, as it does while parsing
            k = str(knode.value)
            kspan = _span(self.path, knode.start_mark)
            if k in out:
                first = key_spans[k]
                self.duplicates.append(
                    Diagnostic(
                        kspan, "E020", f"duplicate key {k!r}", f"first defined at line {first.line}"
                    )
                )
                continue
            key_spans[k] = kspan
            out[k] = self.once(vnode) if self.plain else self.convert(vnode, depth + 1)
        return Y(out, span, key_spans)

    def scalar(self, node: Any, tag: str) -> Any:
        if tag not in _VALUE_TAGS:
            raise self.fail(
                node,
                "E013",
                f"unsupported tag {tag!r}",
                "scenario files use plain YAML only; Python tags are never executed",
            )
        return _plain_value(node.value, node.style, tag)


def _plain_value(value: Any, style: str | None, tag: str) -> Any:
    """A scalar's value, for a tag of `_VALUE_TAGS`."""
    if tag == _CORE + "str":
        # a block (`>` or `|`) ends in a line break that no text of a scenario wants
        return str(value).rstrip("\n") if style in ("|", ">") else str(value)
    if tag == _CORE + "null":
        return None
    if tag == _CORE + "bool":
        return value.lower() in ("true", "yes", "on")
    if tag == _CORE + "int":
        try:
            return int(value.replace("_", ""), 0)
        except ValueError:
            return str(value)
    if tag == _CORE + "float":
        try:
            return float(value.replace("_", ""))
        except ValueError:
            return str(value)
    return str(value)  # a timestamp
