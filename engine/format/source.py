"""The only module that imports yaml: untrusted text -> a tree of values that keep their positions.

Safety: the text is only *composed* (parsed into nodes) by the safe loader, never constructed into
Python objects by PyYAML; this module builds plain values itself and refuses every tag outside the
YAML core schema. Sizes, nesting depth and alias use are capped so a hostile file cannot exhaust
memory or time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from closer.engine.errors import Diagnostic, ScenarioError, Span

try:  # libyaml is ~10x faster; the pure-Python loader is the fallback.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 512_000
MAX_DEPTH = 40
MAX_NODES = 20_000  # the default persona has ~400
MAX_ALIASES = 100

_CORE = "tag:yaml.org,2002:"


@dataclass(slots=True)
class Y:
    """A value from YAML with its position. `v` is a dict[str, Y], a list[Y] or a scalar."""

    v: Any
    span: Span
    key_spans: dict[str, Span] = field(default_factory=dict)
    quoted: bool = False  # a quoted scalar: its text starts one column after `span`

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

    def get(self, key: str) -> Y | None:
        return self.v.get(key) if isinstance(self.v, dict) else None

    def items(self) -> Iterator[tuple[str, Y]]:
        return iter(self.v.items()) if isinstance(self.v, dict) else iter(())


def _span(path: str, mark: Any) -> Span:
    return Span(path, mark.line + 1, mark.column + 1)


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
        before = data[: e.start].decode("utf-8")  # the valid part: count characters
        line = before.count("\n") + 1
        col = len(before) - (before.rfind("\n") + 1) + 1
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


def parse(text: str, path: str) -> Y:
    """Compose YAML text safely and convert it into a `Y` tree, or raise ScenarioError."""
    if len(text) > MAX_BYTES:
        raise ScenarioError(
            [
                Diagnostic(
                    Span(path, 1, 1), "E001", f"file is over the limit of {MAX_BYTES:,} characters"
                )
            ]
        )
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
    _check_depth(text, path)
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
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
    except yaml.reader.ReaderError as e:
        before = text[: e.position]
        line = before.count("\n") + 1
        col = e.position - (before.rfind("\n") + 1) + 1
        code = ord(e.character) if isinstance(e.character, str) else e.character
        raise ScenarioError(
            [
                Diagnostic(
                    Span(path, line, col),
                    "E015",
                    f"control character U+{code:04X} is not allowed in YAML",
                    "delete it; terminal escape sequences are not allowed",
                )
            ]
        ) from None
    except yaml.YAMLError as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ScenarioError(
            [Diagnostic(Span(path, 1, 1), "E010", f"YAML syntax error: {first}")]
        ) from None
    except RecursionError:
        raise ScenarioError(
            [Diagnostic(Span(path, 1, 1), "E012", f"nesting deeper than {MAX_DEPTH} levels")]
        ) from None
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _CORE + "null"):
        raise ScenarioError([Diagnostic(Span(path, 1, 1), "E003", "the file is empty")])
    return _Converter(path).convert(node)


def _check_depth(text: str, path: str) -> None:
    """Refuse absurd flow nesting, and documents with absurdly many values, before the parser
    builds them (libyaml would build every node before the converter could count them)."""
    values = text.count("\n")  # a block value takes at least a line
    if values > MAX_NODES:
        raise ScenarioError(
            [Diagnostic(Span(path, 1, 1), "E011", f"more than {MAX_NODES:,} lines")]
        )
    depth = 0
    line, col = 1, 0
    quote = ""
    for ch in text:
        col += 1
        if ch == "\n":
            line, col = line + 1, 0
            quote = "" if quote == "'" or quote == '"' else quote
            continue
        if quote:
            if ch == quote:
                quote = ""
            continue
        if ch in "\"'" and depth:
            quote = ch
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ScenarioError(
                    [
                        Diagnostic(
                            Span(path, line, col), "E012", f"nesting deeper than {MAX_DEPTH} levels"
                        )
                    ]
                )
        elif ch in "]}" and depth:
            depth -= 1
        elif ch == "," and depth:
            values += 1
            if values > MAX_NODES:
                raise ScenarioError(
                    [Diagnostic(Span(path, line, col), "E011", f"more than {MAX_NODES:,} values")]
                )


class _Converter:
    def __init__(self, path: str) -> None:
        self.path = path
        self.nodes = 0
        self.aliases = 0
        self.seen: set[int] = set()
        self.active: set[int] = set()

    def fail(self, node: Any, code: str, message: str, hint: str = "") -> ScenarioError:
        return ScenarioError([Diagnostic(_span(self.path, node.start_mark), code, message, hint)])

    def convert(self, node: Any, depth: int = 0) -> Y:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(
                node,
                "E011",
                f"more than {MAX_NODES:,} values" + (" (through aliases)" if self.aliases else ""),
            )
        if depth > MAX_DEPTH:
            raise self.fail(node, "E012", f"nesting deeper than {MAX_DEPTH} levels")
        key = id(node)
        if key in self.active:
            raise self.fail(node, "E011", "an alias refers to itself (recursive structure)")
        if key in self.seen:
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise self.fail(
                    node,
                    "E011",
                    f"more than {MAX_ALIASES} alias uses",
                    "anchors and aliases are allowed, but sparingly",
                )
        self.seen.add(key)
        span = _span(self.path, node.start_mark)
        tag = node.tag or ""
        if isinstance(node, yaml.ScalarNode):
            return Y(self.scalar(node, tag), span, quoted=node.style in ("'", '"'))
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
        dups: list[Diagnostic] = []
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
            k = str(knode.value)
            kspan = _span(self.path, knode.start_mark)
            if k in out:
                first = key_spans[k]
                dups.append(
                    Diagnostic(
                        kspan, "E020", f"duplicate key {k!r}", f"first defined at line {first.line}"
                    )
                )
                continue
            key_spans[k] = kspan
            out[k] = self.convert(vnode, depth + 1)
        if dups:
            raise ScenarioError(dups)
        return Y(out, span, key_spans)

    def scalar(self, node: Any, tag: str) -> Any:
        value = node.value
        if tag == _CORE + "str":
            return str(value)
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
        if tag == _CORE + "timestamp":
            return str(value)
        raise self.fail(
            node,
            "E013",
            f"unsupported tag {tag!r}",
            "scenario files use plain YAML only; Python tags are never executed",
        )
