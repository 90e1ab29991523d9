"""When the cycle collector pauses: work that makes many objects and no garbage cycles.

Reading a source builds hundreds of thousands of small objects, and importing a library
thousands of classes, functions and tables that live as long as the process: the
collector would only walk them again and again (a fifth of the reading time at 10,000
quotes; 10-15% of importing the PDF writer).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def no_gc_pauses():
    """The collector off for the block (and on again after it, if it was on)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
