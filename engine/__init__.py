"""Closer's engine: scenario loading, pattern matching and the interview state machine.

Pure: no printing, prompting, clock, environment or global random. Text in, values out.
"""

from closer.engine.errors import Diagnostic, EngineError, ScenarioError, Span
from closer.engine.format.loader import load_path, load_scenario
from closer.engine.runtime.program import Program, compile_scenario
from closer.engine.runtime.session import Session, SessionState, Turn

__all__ = [
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
