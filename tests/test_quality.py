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


@pytest.mark.parametrize("path", sorted((ROOT / "engine").glob("*.py")), ids=lambda p: p.name)
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
    for path in (ROOT / "engine").glob("*.py"):
        text = path.read_text()
        if re.search(r"^import yaml|^from yaml", text, re.M):
            assert path.name == "source.py"
        if re.search(r"^from transitions|^import transitions", text, re.M):
            assert path.name == "machine.py"
