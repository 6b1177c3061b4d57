"""What a text written in a scenario may contain, and `Checker`, the one place the loader
collects problems while it builds a scenario (each at the `path:line:col` it was written)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from closer.engine.errors import Diagnostic, Span, suggest
from closer.engine.format import model as m
from closer.engine.format.source import Y
from closer.engine.format.template import KNOWN, placeholders

# Blank letters that fonts draw as nothing, though Unicode does not class them as format
# characters; used to make text that looks empty or spaced.
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")
_JOINERS = frozenset("\u200c\u200d")  # zero-width non-joiner and joiner
# C0 controls but tab and line feed, DEL, and the C1 controls
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(ch: str) -> bool:
    return not ch.isspace() and ch not in _FILLERS and unicodedata.category(ch)[0] not in "CZ"


def hidden(text: str, shown: bool) -> int | None:
    """The offset of the first character the player would not see as written: a format character
    (Unicode category Cf: bidirectional controls, zero-width spaces, soft hyphens, tags ...) or a
    blank filler letter, and in a `shown` text a line break. The two joiners are allowed between
    visible characters, where emoji sequences and some scripts need them."""
    if text.isascii():
        return text.find("\n") if shown and "\n" in text else None
    for i, ch in enumerate(text):
        if ch == "\n":
            if shown:
                return i
        elif ch < "\x80":
            continue
        elif ch in _JOINERS:
            if not (0 < i < len(text) - 1 and _visible(text[i - 1]) and _visible(text[i + 1])):
                return i
        elif ch in _FILLERS or unicodedata.category(ch) == "Cf":
            return i
    return None


def as_lines(y: Y | None) -> m.Lines:
    """One text or a list of variants, as variants (none when it is not written)."""
    if y is None:
        return ()
    return (y.v,) if isinstance(y.v, str) else tuple(i.v for i in y.v)


class Checker:
    """Collects diagnostics, and checks the texts and names a scenario writes."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.diagnostics: list[Diagnostic] = []

    def error(self, span: Span, code: str, message: str, hint: str = "") -> None:
        self.diagnostics.append(Diagnostic(span, code, message, hint))

    def refer(self, y: Y, known: Iterable[str], code: str, message: str) -> None:
        """A name that must be defined elsewhere in the file: report it where it is written."""
        known = list(known)
        if y.v not in known:
            self.error(y.span, code, message, suggest(y.v, known))

    def lines(self, y: Y | None, allowed: tuple[str, ...] = KNOWN) -> m.Lines:
        """Lines the player is shown, each checked (`allowed`: the placeholders it may use)."""
        out = as_lines(y)
        if y is not None:
            for item in [y] if isinstance(y.v, str) else y.v:
                self.check_text(item, allowed)
        return out

    def check_text(self, y: Y, allowed: tuple[str, ...] = KNOWN) -> None:
        for name, offset in placeholders(y.v):
            if name not in allowed:
                hint = suggest(name, allowed) or (
                    "known: " + ", ".join("{" + k + "}" for k in allowed)
                    if allowed
                    else "this field takes no placeholders"
                )
                what = "a lone brace" if name in "{}" else f"unknown placeholder {{{name}}}"
                extra = "; write {{ or }} for a literal brace" if name in "{}" else ""
                self.error(y.at(offset), "E050", what, hint + extra)
        self.check_controls(y, shown=True)

    def check_controls(self, y: Y, shown: bool = False) -> None:
        """Text reaches the terminal: no control characters or escape sequences in it (E051), no
        invisible characters, and in a text the player is shown, no line break (E052)."""
        text = str(y.v)
        control = _CONTROL.search(text)
        if control is not None:
            self.error(
                y.span,
                "E051",
                f"control character U+{ord(control.group()):04X} in text",
                "terminal escape sequences are not allowed",
            )
        if text.isascii() and not (shown and "\n" in text):
            return  # `hidden` finds nothing in it
        at = hidden(text, shown)
        if at is None:
            return
        if text[at] == "\n":  # point at what follows the break, where the next line starts
            where = y.at(at + 1) if at + 1 < len(text) else y.at(at)
            message = "line break inside a line of text"
            hint = "a line is shown as one paragraph: join the lines; use a list for variants"
        else:
            where = y.at(at)
            name = unicodedata.name(text[at], "").lower()
            message = f"invisible character U+{ord(text[at]):04X} ({name}) in text"
            hint = "delete it: the player cannot see it, and it can reorder or hide what they see"
        self.error(where, "E052", message, hint)
