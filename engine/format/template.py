"""`{candidate.name}`-style placeholders: a fixed table of names, no attribute access, no format().

`{{` and `}}` write literal braces. Unknown names are load errors, reported by `placeholders`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
KNOWN = (
    "candidate.name",
    "candidate.first_name",
    "persona.name",
    "persona.first_name",
    "persona.role",
    "persona.company",
    "position",
)
WITH_MISSING = (*KNOWN, "missing")  # lines that talk about evidence still missing


def values(candidate: str, persona: str, role: str, company: str, position: str) -> dict[str, str]:
    """The placeholder table for one scenario ({missing} is filled in per line)."""
    return {
        "candidate.name": candidate, "candidate.first_name": candidate.split()[0],
        "persona.name": persona, "persona.first_name": persona.split()[0],
        "persona.role": role, "persona.company": company, "position": position,
    }  # fmt: skip


def placeholders(text: str) -> list[tuple[str, int]]:
    """Every placeholder in `text` with its 0-based offset; a lone brace is reported as '{'."""
    out = []
    for m in PLACEHOLDER.finditer(text):
        tok = m.group(0)
        if tok in ("{{", "}}"):
            continue
        out.append((m.group(1) if m.group(1) is not None else tok, m.start()))
    return out


def render(text: str, values: Mapping[str, str]) -> str:
    """Substitute placeholders from `values`; the loader has already rejected unknown names."""

    def sub(m: re.Match[str]) -> str:
        tok = m.group(0)
        if tok == "{{":
            return "{"
        if tok == "}}":
            return "}"
        name = m.group(1)
        return values.get(name, tok) if name is not None else tok

    return PLACEHOLDER.sub(sub, text)
