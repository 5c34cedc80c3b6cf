"""Shingles, sketches and the two similarity indexes of ``docmend corpus``.

* :class:`ReferenceIndex` finds, for a scraped document, the reference version it was cut from. It
  shingles the Han characters only (the scraped text has ``*`` for numbers and names deleted, so the
  Han-only sequence still lines up with the reference's), keeps the shingles whose hash falls in a
  fixed 1-in-8 sample (the same sample for every text, so the containment of two samples estimates
  the containment of the full sets) in one sorted array, and proposes the references that share
  most of the document's sampled shingles. A candidate is then verified exactly (see
  :func:`containment`): the share of the document's shingles found in the reference, which is what
  matters when the scraped document is a short preview of a long reference.
* :class:`Deduper` finds exact duplicates (hash of the text without whitespace) and near duplicates
  (MinHash of character 5-grams, banded LSH, Jaccard estimate ≥ 0.9) among the documents it has
  seen, in the order it sees them; it keeps only hashes and signatures, never texts.

Everything here is deterministic across processes and machines (no use of Python's salted ``hash``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import regex

SHINGLE = 5
SAMPLE_MASK = np.uint64(7)  # keep shingles whose hash is 0 mod 8
NUM_PERM = 128
BANDS = 16
ROWS = NUM_PERM // BANDS
NEAR_DUP_JACCARD = 0.9
MATCH_CONTAINMENT = 0.5
MIN_SHARED_SHINGLES = 20
CANDIDATES = 3

RE_HAN = regex.compile(r"\p{Han}+")
RE_SPACE = regex.compile(r"\s+")
_PRIME = np.uint64(1_000_003)
_EMPTY = np.zeros(0, dtype=np.uint64)


def han_text(text: str) -> str:
    """The Han characters of ``text``, in order, everything else dropped."""
    return "".join(RE_HAN.findall(text))


def compact_text(text: str) -> str:
    """``text`` without any whitespace: what duplicate detection compares."""
    return RE_SPACE.sub("", text)


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, vectorised: spreads the bits of each 64-bit value."""
    x = values ^ (values >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


_BIN_BITS = 7  # 2**7 == NUM_PERM bins
_BIN_STARTS = np.arange(NUM_PERM, dtype=np.uint64) << np.uint64(64 - _BIN_BITS)


def shingle_hashes(text: str, size: int = SHINGLE) -> np.ndarray:
    """The distinct 64-bit hashes of the character ``size``-grams of ``text``, sorted."""
    values = _shingle_values(text, size)
    return np.unique(values) if len(values) else _EMPTY


def _shingle_values(text: str, size: int) -> np.ndarray:
    """The 64-bit hash of each character ``size``-gram of ``text``, in text order (repeats included)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    count = len(codes) - size + 1
    if count <= 0:
        return _EMPTY
    rolled = np.zeros(count, dtype=np.uint64)
    for offset in range(size):
        rolled = rolled * _PRIME + codes[offset : offset + count]
    return _mix(rolled)


def sampled(hashes: np.ndarray) -> np.ndarray:
    """The fixed 1-in-8 sample of a set of shingle hashes."""
    return hashes[(hashes & SAMPLE_MASK) == 0]


def containment(part: np.ndarray, whole: np.ndarray) -> float:
    """Share of the (distinct, sorted) hashes ``part`` that are also in ``whole``."""
    if not len(part):
        return 0.0
    return float(np.isin(part, whole, assume_unique=True).sum()) / len(part)


def minhash(hashes: np.ndarray) -> np.ndarray:
    """A 128-value MinHash signature (uint32) of a sorted set of shingle hashes.

    One-permutation hashing: the (already well mixed) hashes fall into 128 bins by their top 7 bits
    and each bin keeps its smallest value, which for a sorted array is one ``searchsorted`` per bin;
    an empty bin borrows the value of the next non-empty one (rotation densification), offset by
    the distance so that two different borrowings differ. Two signatures agree in a position with
    probability about the Jaccard similarity of the two sets.
    """
    count = len(hashes)
    if not count:
        return np.zeros(NUM_PERM, dtype=np.uint32)
    starts = np.searchsorted(hashes, _BIN_STARTS)
    ends = np.append(starts[1:], count)
    present = np.flatnonzero(ends > starts)
    return _densified(hashes[np.minimum(starts, count - 1)], present)


def minhash_unsorted(hashes: np.ndarray) -> np.ndarray:
    """:func:`minhash` of the set of ``hashes`` given in any order, repeats included (no sort needed:
    each bin's smallest value is found directly)."""
    if not len(hashes):
        return np.zeros(NUM_PERM, dtype=np.uint32)
    bins = (hashes >> np.uint64(64 - _BIN_BITS)).astype(np.intp)
    smallest = np.full(NUM_PERM, np.iinfo(np.uint64).max, dtype=np.uint64)
    np.minimum.at(smallest, bins, hashes)
    return _densified(smallest, np.flatnonzero(np.bincount(bins, minlength=NUM_PERM)))


def _densified(smallest: np.ndarray, present: np.ndarray) -> np.ndarray:
    """The signature from each bin's smallest hash (``smallest``, read only at the ``present`` bins)."""
    values = ((smallest >> np.uint64(25)) & np.uint64(0xFFFFFFFF)).astype(np.int64)
    bins = np.arange(NUM_PERM)
    donor = present[np.searchsorted(present, bins) % len(present)]
    distance = (donor - bins) % NUM_PERM
    return ((values[donor] + distance * 0x9E3779B1) & 0xFFFFFFFF).astype(np.uint32)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What duplicate detection needs of one document: an exact-text hash and a MinHash signature."""

    exact: str
    signature: bytes | None

    @classmethod
    def of(cls, text: str) -> Fingerprint:
        """The fingerprint of a document's clean text."""
        compact = compact_text(text)
        exact = hashlib.sha1(compact.encode("utf-8")).hexdigest()
        hashes = _shingle_values(compact, SHINGLE)
        signature = minhash_unsorted(hashes).tobytes() if len(hashes) else None
        return cls(exact, signature)


class Deduper:
    """Remembers the originals seen so far; says which earlier document a new one duplicates.

    Per original it keeps a 64-bit exact-text key, its 512-byte signature (in one growing array)
    and one 64-bit key per LSH band (16 bands of 8 values: a pair at Jaccard 0.9 shares a band with
    probability 0.9999, at 0.5 with 0.06); each band key remembers the first original that had it.
    About 2 KB per original document.
    """

    def __init__(self, threshold: float = NEAR_DUP_JACCARD) -> None:
        """An empty index; near duplicates are those whose signatures agree in ``threshold`` of positions."""
        self.threshold = threshold
        self._exact: dict[int, str] = {}
        self._bands: list[dict[int, int]] = [{} for _ in range(BANDS)]
        self._ids: list[str] = []
        self._signatures = np.zeros((256, NUM_PERM), dtype=np.uint32)

    def __len__(self) -> int:
        return len(self._exact)

    def check(self, record_id: str, fingerprint: Fingerprint) -> str | None:
        """The id of the first original ``fingerprint`` duplicates, or None (then it becomes an original)."""
        exact = int(fingerprint.exact[:16], 16)
        first = self._exact.get(exact)
        if first is not None:
            return first
        signature, keys = None, []
        if fingerprint.signature is not None:
            signature = np.frombuffer(fingerprint.signature, dtype=np.uint32)
            keys = _band_keys(signature)
            near = self._near(signature, keys)
            if near is not None:
                return near
        self._exact[exact] = record_id
        if signature is not None:
            self._add(record_id, signature, keys)
        return None

    def _near(self, signature: np.ndarray, keys: list[int]) -> str | None:
        candidates = sorted({table[key] for table, key in zip(self._bands, keys, strict=True) if key in table})
        for index in candidates:
            if float(np.mean(self._signatures[index] == signature)) >= self.threshold:
                return self._ids[index]
        return None

    def _add(self, record_id: str, signature: np.ndarray, keys: list[int]) -> None:
        index = len(self._ids)
        if index == len(self._signatures):
            self._signatures = np.concatenate([self._signatures, np.zeros_like(self._signatures)])
        self._signatures[index] = signature
        self._ids.append(record_id)
        for table, key in zip(self._bands, keys, strict=True):
            table.setdefault(key, index)


def _band_keys(signature: np.ndarray) -> list[int]:
    """One key per LSH band of a signature: the band's 32 bytes as an integer, hashed to 61 bits.

    (Python's hash of an int is not salted: the keys are the same in every process.)
    """
    data = signature.tobytes()
    step = ROWS * 4
    return [hash(int.from_bytes(data[i : i + step], "little")) for i in range(0, len(data), step)]


@dataclass(frozen=True, slots=True)
class ReferenceIndex:
    """Sampled Han shingles of every reference, in one sorted array, to find candidate references fast."""

    paths: tuple[str, ...]
    keys: np.ndarray
    owners: np.ndarray

    @classmethod
    def build(cls, sketches: Iterable[tuple[str, np.ndarray]]) -> ReferenceIndex:
        """The index of ``(path, sampled shingle hashes)`` pairs, as given by :func:`reference_sketch`."""
        paths: list[str] = []
        keys: list[np.ndarray] = []
        owners: list[np.ndarray] = []
        for path, sample in sketches:
            owners.append(np.full(len(sample), len(paths), dtype=np.int32))
            keys.append(sample)
            paths.append(path)
        if not paths:
            return cls((), _EMPTY, np.zeros(0, dtype=np.int32))
        all_keys = np.concatenate(keys)
        all_owners = np.concatenate(owners)
        order = np.argsort(all_keys, kind="stable")
        return cls(tuple(paths), all_keys[order], all_owners[order])

    def __len__(self) -> int:
        return len(self.paths)

    def candidates(self, hashes: np.ndarray, limit: int = CANDIDATES) -> list[str]:
        """The references sharing most of the sampled ``hashes`` (Han shingles of a document), best first."""
        query = sampled(hashes)
        if not len(query) or not len(self.keys):
            return []
        left = np.searchsorted(self.keys, query, side="left")
        right = np.searchsorted(self.keys, query, side="right")
        lengths = right - left
        total = int(lengths.sum())
        if not total:
            return []
        starts = np.repeat(left - (np.cumsum(lengths) - lengths), lengths)
        hits = self.owners[starts + np.arange(total)]
        counts = np.bincount(hits, minlength=len(self.paths))
        need = max(2, int(len(query) * MATCH_CONTAINMENT / 2))
        ranked = sorted((int(-c), i) for i, c in enumerate(counts) if c >= need)
        return [self.paths[i] for _, i in ranked[:limit]]


def reference_sketch(path: str, text: str) -> tuple[str, np.ndarray]:
    """The sampled Han shingles of one reference's text, for :meth:`ReferenceIndex.build`."""
    return path, sampled(shingle_hashes(han_text(text)))


def best_reference(hashes: np.ndarray, candidates: Iterable[tuple[str, np.ndarray]]) -> tuple[str, float] | None:
    """The candidate ``(path, Han shingle hashes)`` containing most of ``hashes``, if it contains enough.

    Enough means at least half of the document's Han shingles and at least 20 of them: unrelated
    Chinese texts share a few percent at most, a masked preview of the same document 90% and more.
    """
    best: tuple[str, float] | None = None
    for path, reference in candidates:
        score = containment(hashes, reference)
        shared = score * len(hashes)
        if score >= MATCH_CONTAINMENT and shared >= MIN_SHARED_SHINGLES and (best is None or score > best[1]):
            best = (path, score)
    return best
