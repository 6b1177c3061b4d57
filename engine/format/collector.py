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
    the collector on, a 10,000-pattern file's load spent about a third of its time in it.

    When the build succeeds, what it made joins the oldest generation at once (`gc.freeze`
    then `gc.unfreeze`: two list splices, no object visited), rather than the youngest: the
    first collection after the load would otherwise walk every object the load made (about a
    fifth of a 10,000-pattern load), and the next ones again. Nothing is left frozen, and the
    caller's own frozen objects, if any, are left alone (then nothing is moved)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
        if was and not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()
    finally:
        if was:
            gc.enable()
