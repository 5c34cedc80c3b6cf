"""Which of a group's templates a new line could fuzzily join, without comparing it with every one.

The learning (:mod:`pipeline.corpus.learn`) looks up each new candidate line among the group's
templates with rapidfuzz's ``ratio`` (at least ``MERGE_SCORE``). Most candidates are body lines that
join nothing, and comparing each with the ~2000 templates of its group was most of the learning's
time. :class:`TemplateShortlist` first drops the templates that cannot reach the score: ``ratio`` is
``200·LCS / (len_a + len_b)`` and the longest common subsequence is at most the number of characters
the two strings share (as multisets), which is at most the number shared by their histograms over
``BUCKETS`` character buckets. One numpy pass over the histograms of the templates gives that bound
for all of them; only the few that pass are scored, in the group's own order, so the template chosen
is the one the full comparison would choose.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

BUCKETS = 256
HISTOGRAMS = 4096  # template histograms kept (a group holds at most 2000 templates)
SLACK = 0.01  # below the score's share, so that rounding never drops a template that reaches it


@lru_cache(maxsize=HISTOGRAMS)
def histogram(key: str) -> np.ndarray:
    """How many of ``key``'s characters fall in each of the ``BUCKETS`` buckets (code point modulo ``BUCKETS``).

    Cached: a group's templates mostly stay from one document to the next, and the shortlist is
    made anew for each document (the learning empties the cache when it is done).

    >>> int(histogram("本文本")[ord("本") % BUCKETS])
    2
    """
    counts = np.bincount(np.frombuffer(key.encode("utf-32-le"), dtype=np.uint32) % BUCKETS, minlength=BUCKETS)
    counts = counts.astype(np.uint16 if len(key) <= np.iinfo(np.uint16).max else np.uint32)
    counts.flags.writeable = False
    return counts


class TemplateShortlist:
    """The templates of a group as they were when one document's lines started to be looked up.

    >>> shortlist = TemplateShortlist(["本文由张三上传", "第一章 总则"])
    >>> shortlist.candidates("本文由李四上传", 70.0)
    ['本文由张三上传']
    """

    def __init__(self, keys: Sequence[str]) -> None:
        """Histograms (``BUCKETS`` buckets by code point) of the template ``keys``, in their order."""
        self.keys = list(keys)
        self.lengths = np.fromiter((len(key) for key in self.keys), dtype=np.int64, count=len(self.keys))
        counts = np.stack([histogram(key) for key in self.keys], axis=1) if self.keys else np.zeros((BUCKETS, 0))
        dtype = np.uint8 if counts.size == 0 or counts.max() <= 255 else np.uint16
        self._by_bucket = counts.astype(dtype)  # one row per bucket, one column per template

    def candidates(self, key: str, score: float) -> list[str]:
        """The template keys (in order) whose ``ratio`` with ``key`` might reach ``score`` (0–100)."""
        if not self.keys:
            return []
        counts = histogram(key)
        used = np.flatnonzero(counts)
        # a key's count capped at the largest a template's can be leaves every minimum as it is
        wanted = np.minimum(counts[used], np.iinfo(self._by_bucket.dtype).max).astype(self._by_bucket.dtype)
        shared = np.minimum(self._by_bucket[used], wanted[:, None]).sum(axis=0, dtype=np.int64)
        needed = (score / 100.0 - SLACK) * (self.lengths + len(key))
        return [self.keys[i] for i in np.flatnonzero(2 * shared >= needed)]
