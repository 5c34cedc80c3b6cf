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


PREPOSITIONS = frozenset("以在由对向把被同与跟给从据将经按")
"""Single-character prepositions: one followed by punctuation or a function word lost its object."""
_AFTER_LOST_OBJECT = frozenset("，。、；：！？为的等和与及")
_ENUMERATION_END = frozenset("、，。；：等和与及")
TITLES = ("总书记", "书记", "主席", "总理", "部长", "省长", "市长", "县长", "主任", "同志", "委员长", "局长", "厅长")
_NOMINAL = ("n", "j")  # jieba POS flags of nouns (n, nr, ns, nt, nz, vn is not) and abbreviations


@lru_cache(maxsize=4096)
def nominal_kind(words: str) -> str | None:
    """``name`` if ``words`` is a person's name, ``term`` if a noun phrase (no verb, adverb, preposition
    or particle, ending in a noun; jieba POS), else None.

    >>> nominal_kind("矿山"), nominal_kind("危险化学品"), nominal_kind("巡检抽查")
    ('term', 'term', None)
    """
    import jieba.posseg

    _tokenizer()  # the dictionary, loaded quietly
    tags = [(pair.word, pair.flag) for pair in jieba.posseg.cut(words)]
    if not tags or any(flag[:1] in "vdpuc" for _, flag in tags) or not tags[-1][1].startswith(_NOMINAL):
        return None
    return "name" if len(tags) == 1 and tags[0][1] == "nr" else "term"


def deletion_gap(text: str, i: int, words: str) -> str | None:
    """What a deletion of ``words`` at ``text[i]`` left behind, if it is a telltale gap, else None:
    an enumeration slot left empty (``、、``), a preposition with no object (``以、矿山``), an office
    title with no name before it (``，书记指出``).

    >>> deletion_gap("以危险化学品、、消防为重点", 7, "矿山")
    'an empty enumeration slot (、、)'
    >>> deletion_gap("以、矿山、消防为重点", 1, "危险化学品")
    'the preposition 以 with no object'
    """
    before = text[i - 1] if i else "\n"
    after = text[i] if i < len(text) else "\n"
    if before == "、" and after in _ENUMERATION_END:
        return f"an empty enumeration slot ({before}{after})"
    if before in "：，（“\n" and after == "、":
        return f"an empty first enumeration slot ({after})"
    if before in PREPOSITIONS and after in _AFTER_LOST_OBJECT:
        return f"the preposition {before} with no object"
    if (before in "，。；：“\n" or before in PREPOSITIONS) and text.startswith(TITLES, i):
        title = next(t for t in TITLES if text.startswith(t, i))
        return f"the title {title} with no name before it"
    return None
