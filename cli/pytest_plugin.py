"""pytest plugin (entry point `pytest11: closer`): collects `*.test.yaml` conversation tests,
one item per case, and reports failures the way `closer test` does, without a traceback.

Loading is lazy: until pytest meets a `*.test.yaml` file with a `closer_test:` key this module
has imported nothing but pytest (and re), so it costs nothing in projects without conversation
tests, and other tools' `*.test.yaml` files are not touched."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # imported only when a conversation test is collected
    from closer.cli.testing import Programs

SUFFIX = ".test.yaml"
_programs: list[Programs] = []  # one per process (per xdist worker)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.name.endswith(SUFFIX) and is_closer_test(file_path):
        return ConversationFile.from_parent(parent, path=file_path)
    return None


def is_closer_test(path: Path) -> bool:
    """A `closer_test:` key in the first 4 KiB: other tools' `*.test.yaml` files are left alone
    (the plugin is active wherever Closer is installed)."""
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return re.search(rb"^closer_test\s*:", head, re.M) is not None


def _shared_programs() -> Programs:
    if not _programs:
        from closer.cli.testing import Programs

        _programs.append(Programs())
    return _programs[0]


class LoadError(Exception):
    """A test file (or its scenario) has problems: one line per diagnostic."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class CaseFailed(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class ConversationFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        from closer.cli.testing import load_file

        loaded = load_file(self.path, _shared_programs())
        if loaded.errors or loaded.tests is None:
            raise LoadError(loaded.errors)
        for case in loaded.tests.cases:
            yield CaseItem.from_parent(
                self, name=case.name, case=case, program=loaded.programs[case.scenario]
            )

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:  # type: ignore[override]
        if isinstance(excinfo.value, LoadError):
            from closer.cli.text import clean

            return "\n".join(clean(line) for line in excinfo.value.lines)
        return super().repr_failure(excinfo)


class CaseItem(pytest.Item):
    def __init__(self, *, case: Any, program: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.program = program

    def runtest(self) -> None:
        from closer.cli.testing import render_failure
        from closer.engine.tools.convtest import run_case

        result = run_case(self.case, self.program)
        if not result.passed:
            persona = self.program.scenario.persona.name.split()[0]
            raise CaseFailed(render_failure(result, persona))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:  # type: ignore[override]
        if isinstance(excinfo.value, CaseFailed):
            return excinfo.value.text
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.case.span.line - 1, f"conversation test: {self.name}"
