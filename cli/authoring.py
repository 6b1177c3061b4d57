"""Tools for authors: `closer graph`, `closer schema` and `closer new`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from closer.cli.errors import UserError

TEMPLATE = "persona.yaml"
SCHEMA_FILE = "closer.schema.json"  # the name the template's first line refers to
ID_PLACEHOLDER = "__ID__"


def emit(text: str, output: Path | None) -> None:
    """Write `text` to `output`, or to standard output when there is none."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as e:
        raise UserError(f"cannot write {output}: {e.strerror or e}") from None


def graph(scenario: str, fmt: str, output: Path | None) -> None:
    from closer.cli.play import load_program
    from closer.cli.scenarios import resolve
    from closer.engine.tools.graph import RENDERERS, build_graph

    program = load_program(resolve(scenario)[1])
    emit(RENDERERS[fmt](build_graph(program)), output)


def schema_text(library: bool = False) -> str:
    from closer.engine.format.schema import json_schema

    return json.dumps(json_schema(library), indent=2, ensure_ascii=False) + "\n"


def schema(library: bool, output: Path | None) -> None:
    emit(schema_text(library), output)


def template_text() -> str:
    from closer.cli.scenarios import shipped_dir

    return (shipped_dir() / "templates" / TEMPLATE).read_text(encoding="utf-8")


def scaffold(name: str) -> str:
    """The template with NAME as the id. NAME is checked first; plain replacement, no format."""
    return template_text().replace(ID_PLACEHOLDER, name)


def _check_name(name: str) -> str:
    from closer.engine.format.schema import ID_RE

    stem = name[: -len(".yaml")] if name.endswith(".yaml") else name
    if not ID_RE.match(stem) or stem != stem.strip():
        raise UserError(
            f"{name!r} is not a valid scenario id: use lower-case letters, digits, - and _, "
            "starting with a letter (for example: sales-manager)"
        )
    return stem


def _is_closer_schema(text: str) -> bool:
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and str(data.get("$id", "")).startswith("urn:closer:schema:")


def _write_schema(directory: Path) -> str:
    """Write closer.schema.json, or bring it up to date; leave alone a different file of that
    name. Returns what was done, for the user."""
    path = directory / SCHEMA_FILE
    text = schema_text()
    if path.exists():
        try:
            old = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            old = ""
        if old == text:
            return ""
        if not _is_closer_schema(old):
            return f"left {path} alone: it is not a Closer schema"
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise UserError(f"cannot write {path}: {e.strerror or e}") from None
    return f"wrote {path} (lets your editor check and complete keys)"


def new(name: str, directory: Path, force: bool, with_schema: bool) -> None:
    stem = _check_name(name)
    target = directory / f"{stem}.yaml"
    if target.exists() and not force:
        raise UserError(f"{target} already exists; use --force to overwrite it")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        target.write_text(scaffold(stem), encoding="utf-8")
    except OSError as e:
        raise UserError(f"cannot write {target}: {e.strerror or e}") from None
    click.echo(f"wrote {target}")
    if with_schema:
        note = _write_schema(directory)
        if note:
            click.echo(note)
    click.echo(f"next: closer validate {target}   then: closer play {target}")
