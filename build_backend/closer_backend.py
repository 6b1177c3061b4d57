"""The build backend: setuptools', plus the opt-in compiled build (README, "The compiled build").

`pip install .` builds the pure-Python package, as setuptools alone would. With
`CLOSER_COMPILE=1` set, setup.py compiles the hot engine modules with mypyc, so the build needs
mypy and what mypy reads to type-check them: this backend asks for those only then. An editable
install is refused under `CLOSER_COMPILE=1`: it would keep running the compiled modules after
their source is edited.
"""

from __future__ import annotations

import os
from typing import Any

from setuptools import build_meta
from setuptools.build_meta import (  # noqa: F401  (the hooks this backend does not change)
    build_sdist,
    build_wheel,
    get_requires_for_build_sdist,
    prepare_metadata_for_build_wheel,
)

# mypy, with the stubs and packages it reads while compiling (the project's dependencies, as in
# pyproject.toml: tests/test_build.py checks that they agree)
COMPILE_REQUIRES = [
    "mypy>=2.4",
    "types-PyYAML",
    "transitions>=0.9.2,<0.10",
    "click>=8.1",
    "pyyaml>=6.0",
]
EDITABLE_REFUSED = (
    "closer: CLOSER_COMPILE=1 cannot be used with an editable install (pip install -e): the "
    "compiled modules would go on running after their source is edited. Use `pip install .`, "
    "or unset CLOSER_COMPILE."
)


def compiling() -> bool:
    return os.environ.get("CLOSER_COMPILE", "") not in ("", "0")


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    if compiling():  # setuptools' hook would run setup.py, which needs mypyc already
        return list(COMPILE_REQUIRES)
    found: list[str] = build_meta.get_requires_for_build_wheel(config_settings)
    return found


def _refuse_if_compiling() -> None:
    if compiling():
        raise SystemExit(EDITABLE_REFUSED)


def get_requires_for_build_editable(config_settings: dict[str, Any] | None = None) -> list[str]:
    _refuse_if_compiling()
    found: list[str] = build_meta.get_requires_for_build_editable(config_settings)
    return found


def prepare_metadata_for_build_editable(
    metadata_directory: str, config_settings: dict[str, Any] | None = None
) -> str:
    _refuse_if_compiling()
    found: str = build_meta.prepare_metadata_for_build_editable(metadata_directory, config_settings)
    return found


def build_editable(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    _refuse_if_compiling()
    found: str = build_meta.build_editable(wheel_directory, config_settings, metadata_directory)
    return found
