"""Terminal-safe text (imported at start-up, so it imports nothing heavy)."""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Text from a file, made safe for a terminal: control characters become U+FFFD."""
    return CONTROL.sub("\ufffd", text)


SURROGATE = re.compile(r"[\ud800-\udfff]")


def scrub(text: str) -> str:
    """Input that could not be decoded (lone surrogates from undecodable bytes) made valid:
    each becomes U+FFFD, so the line can be matched, written and replayed like any other."""
    return SURROGATE.sub("\ufffd", text)
