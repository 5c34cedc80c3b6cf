"""Giving freed memory back to the system, so that a long document's peak is what it holds, not what it held.

The stages build arrays as large as the text (code points, character frequencies) and drop them at once.
glibc's allocator raises its mmap threshold each time such an array is freed, so the next ones of that
size come from the heap, whose freed pages stay in the process (on a 20 MB input, tens of MB
that nothing uses). :func:`tune_allocator` fixes the threshold, so large arrays are always mapped and
unmapped; :func:`release_freed_memory` returns the heap's free pages after a step. Both do nothing
where the C library is not glibc.
"""

from __future__ import annotations

import ctypes
from functools import lru_cache
from typing import Any

M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 1 << 20  # arrays of a megabyte or more are mapped on their own, and unmapped when freed
LARGE_TEXT = 1 << 20  # characters: from this length on a document's steps give their memory back


@lru_cache(maxsize=1)
def _libc() -> Any:
    try:
        libc = ctypes.CDLL("libc.so.6")  # by name: find_library would run ldconfig in a subprocess
    except OSError:
        return None  # not glibc (musl, macOS): nothing to tune
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


def tune_allocator() -> bool:
    """Fix glibc's mmap threshold (see the module's docstring); True if it was set."""
    libc = _libc()
    return bool(libc is not None and libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def release_freed_memory() -> None:
    """Return the heap's free pages to the system (``malloc_trim``)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


class MemoryKeeper:
    """For one document: on a large text, tunes the allocator and hands freed memory back after each step
    (:meth:`after_step`); on a small one it does nothing (a corpus of small documents pays nothing)."""

    def __init__(self, text_length: int) -> None:
        self.active = text_length >= LARGE_TEXT and tune_allocator()

    def after_step(self) -> None:
        if self.active:
            release_freed_memory()
