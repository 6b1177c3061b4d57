"""Closer: interview practice in the terminal, with an interviewer whose hidden concerns come out
only when you ask the closing question.

One import package. In the source tree its parts are the top-level folders `engine/`, `cli/` and
`scenarios/`; `pyproject.toml` installs them as `closer.engine`, `closer.cli` and
`closer.scenarios`, so nothing Closer installs can collide with another project's `cli` or
`scenarios`.
"""

__version__ = "0.2.0"  # the one place the version is written (pyproject.toml reads it)
