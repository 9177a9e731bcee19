"""Help for loops over every goroutine of a big core."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small acyclic objects, then freeze them.

    Decoding 100,000 goroutines allocates millions of ints and tuples; generational collections
    triggered by those allocations cost more than the decoding itself, and find nothing to free.
    What such a pass builds (goroutines, their summaries) lasts as long as the stop, so it is moved
    to the collector's permanent generation (`gc.freeze`): else each of the next young and full
    collections walks it once more (four collections, ~0.3 s, between launch and the thread list
    of 100,000 goroutines). `gc_thaw` gives it back when the session ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def gc_thaw() -> None:
    """Let the collector see again what `gc_paused` froze (a closed session's cycles can then go)."""
    gc.unfreeze()
