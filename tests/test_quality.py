"""House rules that are cheap to check: ruff clean, and an engine that stays pure."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_clean() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (pip install '.[test]')")
    proc = subprocess.run([ruff, "check", str(ROOT)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


ENGINE = sorted((ROOT / "engine").rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(ROOT / "engine").as_posix()


@pytest.mark.parametrize("path", ENGINE, ids=_name)
def test_engine_is_pure(path: Path) -> None:
    source = path.read_text()
    # a seeded random.Random instance is allowed; the module-level generator is not
    forbidden = [
        r"^\s*print\(", r"\binput\(", r"^import time|^from time", r"\bos\.environ",
        r"os\.getenv", r"sys\.exit", r"^from random import", r"\bsleep\(",
        r"random\.(random|choice|choices|randint|randrange|shuffle|sample|seed)\(",
        r"^import datetime|^from datetime",
    ]  # fmt: skip
    for pattern in forbidden:
        assert not re.search(pattern, source, re.M), f"{path.name}: {pattern}"


def test_only_source_imports_yaml_and_only_machine_imports_transitions() -> None:
    yaml, transitions = [], []
    for path in ENGINE:
        text = path.read_text()
        if re.search(r"^\s*(import yaml|from yaml)", text, re.M):
            yaml.append(_name(path))
        if re.search(r"^\s*(from transitions|import transitions)", text, re.M):
            transitions.append(_name(path))
    assert yaml == ["format/source.py"]
    assert transitions == ["runtime/machine.py"]


LAYERS = ("format", "runtime", "tools")  # each may import only those before it


@pytest.mark.parametrize("path", ENGINE, ids=_name)
def test_engine_imports_go_from_tools_to_runtime_to_format(path: Path) -> None:
    parts = path.relative_to(ROOT / "engine").parts
    if len(parts) == 1:  # engine/__init__.py is the public face; errors.py is below every layer
        allowed = set(LAYERS) if parts[0] == "__init__.py" else set()
    else:
        allowed = set(LAYERS[: LAYERS.index(parts[0]) + 1])
    for layer in re.findall(r"closer\.engine\.(\w+)", path.read_text()):
        if layer in LAYERS:
            assert layer in allowed, f"{_name(path)} imports closer.engine.{layer}"


def test_nothing_imports_the_old_top_level_names() -> None:
    """One import package: `engine`, `cli` and `scenarios` are folders, not modules to import."""
    old = re.compile(r"^\s*(from|import) (engine|cli|scenarios)\b", re.M)
    for path in sorted(ROOT.glob("*/**/*.py")):
        if ".venv" not in path.parts:
            assert not old.search(path.read_text()), path


@pytest.mark.parametrize("path", ENGINE, ids=_name)
def test_engine_functions_and_classes_fit_on_a_screen(path: Path) -> None:
    """No function over 60 lines and no class over 250: a part you can read whole."""
    import ast

    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            size = (node.end_lineno or node.lineno) - node.lineno + 1
            limit = 250 if isinstance(node, ast.ClassDef) else 60
            assert size <= limit, f"{_name(path)}: {node.name} is {size} lines"
