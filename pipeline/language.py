"""Language data the damage steps and the quality record read: jieba's dictionary (words and
frequencies, shipped inside the jieba package), character and bigram frequencies, radicals.
"""

from __future__ import annotations

import importlib.util
import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .tables import WordTable, cached_tables

HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
RE_HAN = re.compile(f"[{HAN_CLASS}]")
QUOTE_OPEN = "“‘「『《"
QUOTE_CLOSE = ("”", "’", "」", "』", "》")
LOG_FLOOR = -9.0  # log10 relative frequency of a character the dictionary never uses
NO_RADICAL = -1
PAIR_CHUNK = 1 << 18  # pairs looked up at a time


def _dictionary_path() -> str:
    """jieba's bundled ``dict.txt``. Only the data file is used, so the package is located, not
    imported (importing it pulls in ``pkg_resources``)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the damage stage needs jieba's dictionary: pip install jieba")
    return os.path.join(next(iter(spec.submodule_search_locations)), "dict.txt")


@lru_cache(maxsize=1)
def dictionary_entries() -> tuple[tuple[str, ...], np.ndarray]:
    """jieba's bundled ``dict.txt``: its words and their frequencies (read once per process, and only
    when the tables are built: see :func:`_tables`)."""
    with open(_dictionary_path(), encoding="utf-8") as handle:
        tokens = handle.read().split()
    words = tuple(tokens[0::3])
    freqs = np.array(list(map(int, tokens[1::3])), dtype=np.float64)
    return words, freqs


@lru_cache(maxsize=1)
def _tables() -> dict[str, np.ndarray]:
    """Every table derived from the dictionary and OpenCC, from the cache of :mod:`pipeline.tables`."""
    return cached_tables(Path(_dictionary_path()), _build_tables)


def _build_tables() -> dict[str, np.ndarray]:
    words, freqs = dictionary_entries()
    cps, weights = _word_code_points(words, freqs)
    simple = _build_simplified_code_points()
    keys, logs = _build_bigram_table(cps, weights)
    table = WordTable.from_words(words, freqs)
    dictionary_entries.cache_clear()  # the word strings are not needed once the tables hold them
    return {
        "char_logs": _build_char_log_frequencies(cps, weights, simple),
        "simplified": simple,
        "bigram_keys": keys,
        "bigram_logs": logs,
        "word_keys": table.keys,
        "word_freqs": table.freqs,
        "long_words": np.array(list(table.long_words), dtype=str),
        "long_freqs": np.array(list(table.long_words.values()), dtype=np.float64),
    }


def _word_code_points(words: tuple[str, ...], freqs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All dictionary words joined by NULs as code points, with each position's word frequency."""
    cps = np.frombuffer("\x00".join(words).encode("utf-32-le"), dtype=np.uint32)
    lengths = np.fromiter((len(w) for w in words), dtype=np.int64, count=len(words))
    weights = np.repeat(freqs, lengths + 1)[: len(cps)]
    return cps, weights


@lru_cache(maxsize=1)
def char_log_frequencies() -> np.ndarray:
    """log10 relative frequency of each BMP character (index: code point), summed over the words
    that contain it. A traditional character counts at least as often as its simplified form, so
    traditional text is not mistaken for rare characters."""
    return _tables()["char_logs"]


def _build_char_log_frequencies(cps: np.ndarray, weights: np.ndarray, simple: np.ndarray) -> np.ndarray:
    counts = np.bincount(np.minimum(cps, 0xFFFF), weights=weights, minlength=0x10000)[:0x10000]
    counts[0] = 0.0
    counts[0xFFFF] = 0.0
    counts = np.maximum(counts, counts[simple])
    total = counts.sum()
    with np.errstate(divide="ignore"):
        logs = np.log10(counts / total)
    logs[~np.isfinite(logs)] = LOG_FLOOR
    return np.maximum(logs, LOG_FLOOR).astype(np.float32)


def _traditional_pairs() -> tuple[tuple[int, int], ...]:
    """(traditional, simplified) code points for the CJK unified ideographs OpenCC maps one to one."""
    try:
        converter = opencc_converter("t2s")
    except ImportError:  # pragma: no cover - opencc is a dependency
        return ()
    chars = [chr(c) for c in range(0x4E00, 0xA000)]
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # pragma: no cover - defensive
        return ()
    return tuple((ord(a), ord(b)) for a, b in zip(chars, converted, strict=True) if a != b and len(b) == 1)


@lru_cache(maxsize=1)
def bigram_table() -> tuple[np.ndarray, np.ndarray]:
    """(sorted keys, log10 relative frequency) of the character pairs inside dictionary words.

    A key is ``first << 21 | second`` (code points); the frequency sums the words holding the pair.
    """
    tables = _tables()
    return tables["bigram_keys"], tables["bigram_logs"]


def _build_bigram_table(cps: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    first = cps[:-1].astype(np.int64)
    second = cps[1:].astype(np.int64)
    inside = (first != 0) & (second != 0)
    keys = ((first << 21) | second)[inside]
    pair_weights = weights[:-1][inside]
    order = np.argsort(keys, kind="stable")
    keys, pair_weights = keys[order], pair_weights[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    summed = np.add.reduceat(pair_weights, starts)
    return keys[starts], np.log10(summed / summed.sum()).astype(np.float32)


@lru_cache(maxsize=1)
def simplified_code_points() -> np.ndarray:
    """BMP code point → its simplified form's (identity for all but OpenCC's one-to-one pairs)."""
    return _tables()["simplified"]


def _build_simplified_code_points() -> np.ndarray:
    table = np.arange(0x10000, dtype=np.int64)
    pairs = np.array([p for p in _traditional_pairs() if p[1] <= 0xFFFF], dtype=np.int64).reshape(-1, 2)
    if len(pairs):
        table[pairs[:, 0]] = pairs[:, 1]
    return table


def bigram_log_frequencies(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """log10 relative frequency of each pair (first[i], second[i]), traditional characters read as
    their simplified forms; LOG_FLOOR where no dictionary word holds the pair."""
    keys, logs = bigram_table()
    simple = simplified_code_points()
    shape = np.shape(first)
    first, second = np.ravel(first), np.ravel(second)
    out = np.empty(len(first), dtype=np.float32)
    for lo in range(0, len(first), PAIR_CHUNK):  # in pieces: the int64 temporaries stay small
        a = simple[np.minimum(first[lo : lo + PAIR_CHUNK], 0xFFFF)]
        b = simple[np.minimum(second[lo : lo + PAIR_CHUNK], 0xFFFF)]
        # each distinct pair looked up once, in order: a text repeats most of its pairs, and sorted
        # lookups in the large table are cache-friendly
        wanted, where = np.unique((a << 21) | b, return_inverse=True)
        at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        out[lo : lo + PAIR_CHUNK] = np.where(keys[at] == wanted, logs[at], np.float32(LOG_FLOOR))[where]
    return out.reshape(shape)


@lru_cache(maxsize=1)
def dictionary_words() -> WordTable:
    """The dictionary's words of two characters or more, with their frequencies (``word in table``,
    ``table.get(word)``): for word coverage of suspect runs and words made across a cut."""
    tables = _tables()
    long_words = dict(zip(tables["long_words"].tolist(), tables["long_freqs"].tolist(), strict=True))
    return WordTable(tables["word_keys"], tables["word_freqs"], long_words)


@lru_cache(maxsize=1)
def _radical_starts() -> np.ndarray:
    """Code points where each Kangxi radical's section of the CJK block begins.

    The unified ideographs U+4E00–U+9FA5 are ordered by radical and stroke count, and each radical's
    section starts with the radical itself; the Kangxi Radicals block names them (NFKC gives the
    ideograph). So the section a character falls in is its radical — no table needed.
    """
    starts = [ord(unicodedata.normalize("NFKC", chr(c))) for c in range(0x2F00, 0x2FD6)]
    return np.array(starts, dtype=np.int64)


def radicals(cps: np.ndarray) -> np.ndarray:
    """The radical number (1–214) of each code point in U+4E00–U+9FA5, else NO_RADICAL."""
    starts = _radical_starts()
    found = np.searchsorted(starts, cps.astype(np.int64), side="right")
    return np.where((cps >= 0x4E00) & (cps <= 0x9FA5), found, NO_RADICAL)


def code_points(text: str) -> np.ndarray:
    """The text's code points as an array (one per character)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def han_mask(cps: np.ndarray) -> np.ndarray:
    """True where the code point is a Han character (URO, extension A, compatibility, SIP/TIP).

    Built in pieces: the comparisons' temporaries stay small however long the text."""
    cps = np.asarray(cps)
    out = np.empty(cps.shape, dtype=bool)
    flat, target = cps.reshape(-1), out.reshape(-1)
    for lo in range(0, len(flat), PAIR_CHUNK):
        piece = flat[lo : lo + PAIR_CHUNK]
        target[lo : lo + PAIR_CHUNK] = (
            ((piece >= 0x4E00) & (piece <= 0x9FFF))
            | ((piece >= 0x3400) & (piece <= 0x4DBF))
            | ((piece >= 0xF900) & (piece <= 0xFAFF))
            | ((piece >= 0x20000) & (piece <= 0x3FFFF))
        )
    return out


def char_logs(cps: np.ndarray) -> np.ndarray:
    """Per-character log10 frequency (LOG_FLOOR outside the BMP)."""
    table = char_log_frequencies()
    cps = np.asarray(cps)
    out = np.empty(cps.shape, dtype=table.dtype)
    flat, target = cps.reshape(-1), out.reshape(-1)
    for lo in range(0, len(flat), PAIR_CHUNK):  # in pieces: no clipped copy of the whole text
        target[lo : lo + PAIR_CHUNK] = table[np.minimum(flat[lo : lo + PAIR_CHUNK], 0xFFFF)]
    return out


@lru_cache(maxsize=4)
def opencc_converter(config: str) -> Any:
    """An OpenCC converter (the ``opencc`` package; ``opencc-python-reimplemented`` as fallback)."""
    import opencc

    try:
        return opencc.OpenCC(config)
    except Exception:  # the reimplementation wants "t2s" without ".json"; the C++ build accepts both
        return opencc.OpenCC(config.removesuffix(".json"))
