"""Terminal-safe text (imported at start-up, so it imports nothing heavy).

Everything printed that came from a file, a file name or a transcript goes through `clean` (or,
inside JSON, `clean_json`), so nothing in it can drive the terminal: control characters (every
escape sequence starts with one), lone surrogates (the undecodable bytes of a file name), and the
invisible characters that reorder or hide text (bidirectional embeddings, overrides, isolates and
marks; zero-width space and word joiner; the byte-order mark; line and paragraph separators) are
shown as visible escapes such as `\\x1b` or `\\u202e`, never sent raw. The zero-width joiner and
non-joiner stay: scripts and emoji need them, and they cannot move or hide text.
"""

from __future__ import annotations

import re
from functools import cache

_INVISIBLE = (
    "\x7f-\x9f"  # DEL and the C1 controls (U+009B is a one-character escape-sequence start)
    "\u061c\u200b\u200e\u200f"  # Arabic letter mark, zero-width space, LRM, RLM
    "\u2028\u2029"  # line and paragraph separators
    "\u202a-\u202e\u2066-\u2069"  # bidirectional embeddings, overrides and isolates
    "\u2060-\u2064\u206a-\u206f"  # word joiner, invisible operators, deprecated format controls
    "\ufeff\ufff9-\ufffb"  # byte-order mark, interlinear annotation
    "\ud800-\udfff"  # lone surrogates (os.fsdecode's stand-ins for undecodable bytes)
)
UNSAFE = f"[\x00-\x1f{_INVISIBLE}]"  # for one line: newlines and tabs too
UNSAFE_IN_BLOCK = f"[\x00-\x08\x0b-\x1f{_INVISIBLE}]"  # keeps \t and \n
SURROGATE = r"[\ud800-\udfff]"

# Every character of these classes is one that `str.isprintable` refuses (a control, a format
# character, a separator other than the space, a surrogate), so printable text has nothing to
# change; the expressions (about a millisecond to compile, at every start) are compiled only for
# text that is not, which is rare (tests/test_text.py checks every character).


@cache
def _compiled(expression: str) -> re.Pattern[str]:
    return re.compile(expression)


def _printable(text: str, multiline: bool) -> bool:
    return text.isprintable() or (
        multiline and text.replace("\n", "").replace("\t", "").isprintable()
    )


def _visible(m: re.Match[str]) -> str:
    return m.group().encode("unicode_escape").decode("ascii")  # \x1b, \n, \u202e, \udce9


def clean(text: str, *, multiline: bool = False) -> str:
    """Text from a file or a transcript, made safe for a terminal: every character that could
    drive it or disguise the text is shown as an escape (`\\x1b`, `\\u202e`). A line break or a
    tab is shown too, unless `multiline` (for a block whose line breaks are the caller's own)."""
    if _printable(text, multiline):
        return text
    return _compiled(UNSAFE_IN_BLOCK if multiline else UNSAFE).sub(_visible, text)


def clean_json(text: str) -> str:
    """JSON text (from `json.dumps`) made terminal-safe without changing what it decodes to:
    what `clean` would show is written as a JSON `\\uXXXX` escape instead."""
    if _printable(text, True):
        return text
    return _compiled(UNSAFE_IN_BLOCK).sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """ "1 file", "2 files": a count with its noun, never "file(s)"."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def scrub(text: str) -> str:
    """Input that could not be decoded (lone surrogates from undecodable bytes) made valid:
    each becomes U+FFFD, so the line can be matched, written and replayed like any other."""
    if text.isprintable():
        return text
    return _compiled(SURROGATE).sub("\ufffd", text)
