"""Pausing Python's cyclic garbage collector during an evaluation.

A county case builds about a million small lists, dicts and results and no
reference cycles; the collector's repeated passes over them (and over
everything else alive in the app) cost a fifth of the evaluation. Nested or
concurrent evaluations share one pause; the collector comes back, if it was
on, when the last one ends.
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager

_lock = threading.Lock()
_active = 0
_was_enabled = False


@contextmanager
def gc_paused():
    global _active, _was_enabled
    with _lock:
        if _active == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _was_enabled:
                gc.enable()
