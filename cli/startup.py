"""The cycle collector paused while a command starts (`pause`, then `resume`).

Starting `closer play` or `closer validate` imports Closer's modules and builds what they need:
tens of thousands of objects that live as long as the process, and next to no garbage. Each of
them counts towards the next collection, and each collection walks the young ones again: about
thirty collections, some 3 ms of a start (tests/test_startup.py). Paused until the first line
is shown (or the first file is checked), then everything made joins the oldest generation at
once (`gc.freeze` then `gc.unfreeze`, as the loader does after a build), and the collector runs
as before. Only the `closer` script's commands pause it, never a caller's program.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """The collector off, if it is on, until `resume`."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """The collector back on, if `pause` turned it off (else nothing changes)."""
    global _paused
    if _paused:
        _paused = False
        if not gc.get_freeze_count():  # a caller's own frozen objects are left alone
            gc.freeze()
            gc.unfreeze()
        gc.enable()
