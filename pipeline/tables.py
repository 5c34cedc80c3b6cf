"""The language tables as arrays, built once per machine and loaded in milliseconds after that.

Building the character, pair and word tables from jieba's ``dict.txt`` (and OpenCC's mapping) takes a
second and about 120 MB on the way; every process and every corpus worker paid it. The arrays are
written once to ``~/.cache/docmend/`` (``$DOCMEND_CACHE_DIR`` or ``$XDG_CACHE_HOME`` if set; a name
derived from the dictionary file and the package versions, so a new jieba or OpenCC builds them
again) and read back with :func:`numpy.load`. Where the cache cannot be written they are simply built
in memory.

The word list itself is held as :class:`WordTable`: the words of two to four characters as sorted
64-bit keys (four 16-bit code points), the few longer ones in a set — a few MB instead of a
``frozenset`` and a ``dict`` of 340,000 strings.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from collections.abc import Callable
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

TABLES_FORMAT = 1
KEY_CHARS = 4  # words of up to this many BMP characters are keys; longer ones are kept as strings


def cache_dir() -> Path:
    """Where the tables are kept."""
    configured = os.environ.get("DOCMEND_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "docmend"


def word_key(word: str) -> int | None:
    """The 64-bit key of a word of 2–4 BMP characters (None for any other string).

    >>> hex(word_key("网络"))
    '0x7f517edc00000000'
    >>> word_key("网"), word_key("网络安全体系"), word_key("a\\x00")
    (None, None, None)
    """
    if not 2 <= len(word) <= KEY_CHARS or "\x00" in word:
        return None
    key = 0
    for ch in word:
        code = ord(ch)
        if code > 0xFFFF:
            return None
        key = key << 16 | code
    return key << 16 * (KEY_CHARS - len(word))


class WordTable:
    """The dictionary's words of two characters or more, with their frequencies: ``word in table``,
    ``table.get(word, default)``.

    >>> table = WordTable.from_words(["网络", "网络安全", "中华人民共和国", "网"], np.array([5.0, 3.0, 2.0, 9.0]))
    >>> "网络" in table, "网络安全" in table, "中华人民共和国" in table, "网" in table, "网安" in table
    (True, True, True, False, False)
    >>> table.get("网络安全", 0.0), table.get("安全", 0.0)
    (3.0, 0.0)
    """

    def __init__(self, keys: np.ndarray, freqs: np.ndarray, long_words: dict[str, float]) -> None:
        """``keys`` sorted and unique, ``freqs`` beside them; ``long_words`` the words that have no key."""
        self.keys = keys
        self.freqs = freqs
        self.long_words = long_words
        self._size = len(keys)
        # the characters a keyed word can start with: most strings of punctuation or Latin letters are
        # answered without a search
        starts = np.zeros(0x10000, dtype=bool)
        starts[(keys >> np.uint64(48)).astype(np.int64)] = True
        self._starts = starts
        # repeated questions (a text repeats its strings) are answered from a cache
        self._frequency = lru_cache(maxsize=1 << 16)(self._lookup)

    @classmethod
    def from_words(cls, words: tuple[str, ...] | list[str], freqs: np.ndarray) -> WordTable:
        """The table of ``words`` of two characters or more (a repeated word keeps its last frequency)."""
        keyed: dict[int, float] = {}
        long_words: dict[str, float] = {}
        for word, freq in zip(words, freqs.tolist(), strict=True):
            if len(word) < 2:
                continue
            key = word_key(word)
            if key is None:
                long_words[word] = float(freq)
            else:
                keyed[key] = float(freq)
        keys = np.array(sorted(keyed), dtype=np.uint64)
        values = np.array([keyed[k] for k in keys.tolist()], dtype=np.float64)
        return cls(keys, values, long_words)

    def _lookup(self, word: str) -> float | None:
        """The frequency of ``word``, None if it is not a word of the table."""
        key = word_key(word)
        if key is None:
            return self.long_words.get(word)
        if not self._starts[key >> 48]:
            return None
        wanted = np.uint64(key)
        at = int(np.searchsorted(self.keys, wanted))
        return float(self.freqs[at]) if at < self._size and self.keys[at] == wanted else None

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and len(word) >= 2 and self._frequency(word) is not None

    def get(self, word: str, default: float = 0.0) -> float:
        found = self._frequency(word) if len(word) >= 2 else None
        return default if found is None else found


def _cache_name(source: Path) -> str:
    stat = source.stat()
    versions = []
    for package in ("jieba", "opencc", "numpy"):
        try:
            versions.append(f"{package}={version(package)}")
        except PackageNotFoundError:
            versions.append(f"{package}=?")
    key = f"{TABLES_FORMAT}|{source}|{stat.st_size}|{stat.st_mtime_ns}|{'|'.join(versions)}"
    return f"tables-{hashlib.sha1(key.encode()).hexdigest()[:16]}.npz"


def cached_tables(source: Path, build: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The arrays ``build`` makes from ``source``, read from the cache if there, else built and cached."""
    path = cache_dir() / _cache_name(source)
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError):
        pass
    tables = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tables.", suffix=".npz", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, **tables)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a read-only home: the tables are built in memory each time
    return tables
