"""Diagnostics for authors, and the two error types: ScenarioError (the author's file) and
EngineError (a programmer's misuse of the API)."""

# No `from __future__ import annotations` here: a NamedTuple's annotations written as text are
# each compiled to a ForwardRef when the class is made, at every start (tests/test_startup.py)
from collections.abc import Iterable
from typing import Literal, NamedTuple

Severity = Literal["error", "warning"]


class Span(NamedTuple):
    """A 1-based position in a file."""

    path: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


class Diagnostic(NamedTuple):
    """One problem in a scenario file, printed as `path:line:col: CODE message (hint)`."""

    span: Span
    code: str
    message: str
    hint: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        tail = f" ({self.hint})" if self.hint else ""
        return f"{self.span}: {self.code} {self.message}{tail}"


def suggest(word: str, known: Iterable[str]) -> str:
    """A "did you mean 'x'?" hint for a name that is not one of `known`, or ""."""
    import difflib  # only for a mistake: not a cost of every start

    close = difflib.get_close_matches(word, list(known), n=1)
    return f"did you mean {close[0]!r}?" if close else ""


class ScenarioError(Exception):
    """A scenario (or library, or transcript) file has problems; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> None:
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class EngineError(RuntimeError):
    """The engine was used wrongly (a bug in the caller, not in a scenario file)."""
