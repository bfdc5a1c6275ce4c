"""The cycle collector paused around work that allocates many objects and no cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Decoding cached facts and building schemas allocate many short-lived objects next to
    the project's facts, which live for the whole check: the collector would walk those facts
    again and again (a third of the models' build at 2,000 tables). It runs after, as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
