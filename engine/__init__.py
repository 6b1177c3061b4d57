"""Closer's engine: scenario loading, pattern matching and the interview state machine.

Pure: no printing, prompting, clock, environment or global random. Text in, values out.
"""

from typing import TYPE_CHECKING, Any

from closer.engine.errors import Diagnostic, EngineError, ScenarioError, Span
from closer.engine.format import patterns as _patterns
from closer.engine.format.loader import load_path, load_scenario
from closer.engine.runtime.program import Program, compile_scenario

# whether this is the compiled build (`CLOSER_COMPILE=1 pip install .`): mypyc's modules are
# extension modules, not .py files
COMPILED = not (_patterns.__file__ or "").endswith(".py")

if TYPE_CHECKING:
    from closer.engine.runtime.session import Session, SessionState, Turn

_SESSION = ("Session", "SessionState", "Turn")


def __getattr__(name: str) -> Any:
    """The session's names, imported when first asked for: `closer validate`, lint and the
    other tools never import the session and what it runs on (reading, the judge, concerns)."""
    if name in _SESSION:
        from closer.engine.runtime import session

        return getattr(session, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "COMPILED",
    "Diagnostic",
    "EngineError",
    "Program",
    "ScenarioError",
    "Session",
    "SessionState",
    "Span",
    "Turn",
    "compile_scenario",
    "load_path",
    "load_scenario",
]
