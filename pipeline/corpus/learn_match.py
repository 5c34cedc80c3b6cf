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

import numpy as np

BUCKETS = 256
SLACK = 0.01  # below the score's share, so that rounding never drops a template that reaches it


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
        codes = np.frombuffer("".join(self.keys).encode("utf-32-le"), dtype=np.uint32)
        rows = np.repeat(np.arange(len(self.keys), dtype=np.int64), self.lengths)
        counts = np.bincount(codes % BUCKETS * len(self.keys) + rows, minlength=BUCKETS * len(self.keys))
        dtype = np.uint8 if counts.size == 0 or counts.max() <= 255 else np.uint16
        self._by_bucket = counts.astype(dtype).reshape(BUCKETS, len(self.keys))  # one row per bucket

    def candidates(self, key: str, score: float) -> list[str]:
        """The template keys (in order) whose ``ratio`` with ``key`` might reach ``score`` (0–100)."""
        if not self.keys:
            return []
        histogram = np.bincount(np.frombuffer(key.encode("utf-32-le"), dtype=np.uint32) % BUCKETS, minlength=BUCKETS)
        used = np.flatnonzero(histogram)
        # a key's count capped at the largest a template's can be leaves every minimum as it is
        wanted = np.minimum(histogram[used], np.iinfo(self._by_bucket.dtype).max).astype(self._by_bucket.dtype)
        shared = np.minimum(self._by_bucket[used], wanted[:, None]).sum(axis=0, dtype=np.int64)
        needed = (score / 100.0 - SLACK) * (self.lengths + len(key))
        return [self.keys[i] for i in np.flatnonzero(2 * shared >= needed)]
