"""Closer's engine: scenario loading, pattern matching and the interview state machine.

Pure: no printing, prompting, clock, environment or global random. Text in, values out.
"""

from engine.errors import Diagnostic, EngineError, ScenarioError, Span
from engine.loader import load_path, load_scenario
from engine.program import Program, compile_scenario
from engine.session import Session, SessionState, Turn

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
