"""The cycle collector paused while a scenario is built (`collector_paused`)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a scenario is built, back as it was after. A load
    makes tens of thousands of long-lived objects and no garbage cycles; each of them counts
    towards the next collection, and each collection walks all the objects made so far: with
    the collector on, a 10,000-pattern file's load spent about a third of its time in it."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
