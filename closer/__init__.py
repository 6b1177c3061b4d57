"""Closer: interview practice in the terminal, with an interviewer whose hidden concerns come out
only when you ask the closing question.

One import package. In the source tree its parts are the top-level folders `engine/`, `cli/` and
`scenarios/`; `pyproject.toml` installs them as `closer.engine`, `closer.cli` and
`closer.scenarios`, so nothing Closer installs can collide with another project's `cli` or
`scenarios`.
"""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # the version is written once, in the package metadata; read it only when asked
    if name == "__version__":
        from importlib.metadata import version

        return version("closer")
    raise AttributeError(f"module 'closer' has no attribute {name!r}")
