"""Is the reference text a masked span stands for a *term* — whole words — or a piece cut out of words?

A word filter stars out a name, an organisation or a word (``***`` for 民主, 网络综合治理, 习近平),
whatever its length; the reference text the alignment places under the stars is then whole words
of its sentence, or a dictionary word of its own. Under a misaligned star run it is usually a piece
of words instead (``络综合治``). The test segments the reference sentence around the span with jieba
and asks whether the span begins and ends at word boundaries.
"""

from __future__ import annotations

import logging
from functools import lru_cache

_WINDOW = 16  # characters of context on each side given to the segmenter


@lru_cache(maxsize=1)
def _tokenizer() -> object:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def is_term(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a term: whole words of its line (:func:`word_bounded`), or a
    dictionary word in itself (政治 inside 政治责任, 党 inside 党员: a filter stars a word wherever
    it occurs, inside longer words too).

    >>> is_term("决扛起乡村振兴的政治责任", 8, 10), is_term("建立健全网络综合治理体系", 5, 9)
    (True, False)
    """
    word = text[start:end]
    return bool(_tokenizer().FREQ.get(word)) or word_bounded(text, start, end)  # type: ignore[attr-defined]


def word_bounded(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` starts and ends at word boundaries of its line (jieba's segmentation).

    >>> word_bounded("建立健全网络综合治理体系", 4, 10)   # 网络综合治理: 网络 / 综合治理
    True
    >>> word_bounded("建立健全网络综合治理体系", 5, 9)    # 络综合治: cut out of words
    False
    """
    if not 0 <= start < end <= len(text):
        return False
    lo = max(0, start - _WINDOW)
    line_start = text.rfind("\n", lo, start) + 1
    lo = max(lo, line_start)
    hi = min(len(text), end + _WINDOW)
    line_end = text.find("\n", end, hi)
    hi = hi if line_end < 0 else line_end
    boundaries = {lo}
    pos = lo
    for word in _tokenizer().cut(text[lo:hi]):  # type: ignore[attr-defined]
        pos += len(word)
        boundaries.add(pos)
    return start in boundaries and end in boundaries
