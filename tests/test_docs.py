"""The YAML in the docs is real: complete scenarios load clean, conversation tests pass, fragments
at least parse.

Broken examples (fenced as ```yaml diagnostic=CODE at=LINE:COL) are not collected here:
tests/test_lint.py runs each one and checks it gives exactly its code at that position."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from closer.engine import compile_scenario, load_scenario

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.M | re.S)  # a plain ```yaml fence only


def blocks() -> list[tuple[str, int, str]]:
    out = []
    for path in sorted(DOCS.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        for m in BLOCK.finditer(text):
            line = text[: m.start()].count("\n") + 2
            out.append((path.name, line, m.group(1)))
    return out


@pytest.mark.parametrize(("doc", "line", "text"), blocks(), ids=lambda v: str(v)[:20])
def test_yaml_snippets(doc: str, line: int, text: str, tmp_path: Path) -> None:
    if re.search(r"^closer: 1$", text, re.M) and re.search(r"^persona:", text, re.M):
        compile_scenario(load_scenario(text, f"{doc}:{line}"))
    elif text.startswith("closer_test:"):
        from click.testing import CliRunner

        from closer.cli.main import cli
        from tests.test_authoring import whole_file

        (tmp_path / "riverside.yaml").write_text(whole_file(), encoding="utf-8")  # the tutorial's
        path = tmp_path / f"{Path(doc).stem}-{line}.test.yaml"
        path.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(cli, ["test", str(path)])
        assert result.exit_code == 0, result.output
    else:
        yaml.safe_load(text)


def test_docs_have_a_complete_example() -> None:
    assert sum(1 for _, _, t in blocks() if t.startswith(("closer: 1", "#"))) >= 1


def test_broken_examples_are_left_to_the_lint_tests() -> None:
    collected = "".join(t for _, _, t in blocks())
    text = (DOCS / "diagnostics.md").read_text(encoding="utf-8")
    assert "```yaml diagnostic=" in text
    assert "id: [base" in text and "id: [base" not in collected
