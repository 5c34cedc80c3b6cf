"""The language (``lang``) and script (``script``) of a cleaned document, for the quality record.

* Text whose letters are mostly Han characters, with no kana and no hangul, is Chinese (``zh``) — Japanese
  text writes kana, Korean hangul, so this needs no model; everything else is classified by py3langid
  (langid.py's model, shipped inside the package: offline, no download), loaded on first use.
* ``script`` for Chinese is ``Hans`` or ``Hant``: OpenCC's ``t2s`` table tells which characters exist only in
  the traditional or only in the simplified set, and the larger count wins. Other languages get
  the ISO 15924 code of their dominant script (``Latn``, ``Cyrl``, ``Jpan``, ``Kore``, ``Arab``…), or None.

>>> language_and_script("坚持以人民为中心的发展思想，推进各项工作。")
{'lang': 'zh', 'script': 'Hans'}
>>> language_and_script("堅持以人民為中心的發展思想，推進各項工作。")
{'lang': 'zh', 'script': 'Hant'}
>>> language_and_script("The committee approved the annual budget on Monday.")
{'lang': 'en', 'script': 'Latn'}
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import numpy as np
import regex

from .language import code_points, han_mask, simplified_code_points

SAMPLE_CHARS = 4000
CHINESE_HAN_SHARE = 0.6  # of the letters, with no kana and no hangul
SCRIPTS = {
    "Latn": regex.compile(r"\p{Script=Latin}"),
    "Cyrl": regex.compile(r"\p{Script=Cyrillic}"),
    "Arab": regex.compile(r"\p{Script=Arabic}"),
    "Grek": regex.compile(r"\p{Script=Greek}"),
    "Hebr": regex.compile(r"\p{Script=Hebrew}"),
    "Deva": regex.compile(r"\p{Script=Devanagari}"),
    "Thai": regex.compile(r"\p{Script=Thai}"),
}
KANA = ((0x3041, 0x3096), (0x30A1, 0x30FA), (0x31F0, 0x31FF), (0xFF66, 0xFF9D))  # not ・ or ー, also used in Chinese
HANGUL = ((0x1100, 0x11FF), (0x3131, 0x318E), (0xAC00, 0xD7A3))
RE_LETTER = re.compile(r"[^\W\d_]")  # any letter, Han included (the stdlib engine: fast)


def _in_ranges(cps: np.ndarray, ranges: tuple[tuple[int, int], ...]) -> int:
    return int(sum(np.count_nonzero((cps >= low) & (cps <= high)) for low, high in ranges))


@lru_cache(maxsize=1)
def _identifier() -> Any:
    import py3langid

    return py3langid


@lru_cache(maxsize=1)
def _simplified_only() -> np.ndarray:
    """BMP code point → True for the simplified forms OpenCC's t2s maps to that are not traditional themselves."""
    table = simplified_code_points()
    changed = np.flatnonzero(table != np.arange(len(table)))
    marks = np.zeros(len(table), dtype=bool)
    marks[table[changed]] = True
    marks[changed] = False
    return marks


def chinese_script(text: str) -> str:
    """``Hant`` when more of the Han characters are traditional-only than simplified-only, else ``Hans``
    (OpenCC's one-to-one t2s pairs tell which is which).

    >>> chinese_script("國家發展"), chinese_script("国家发展"), chinese_script("人民")
    ('Hant', 'Hans', 'Hans')
    """
    cps = code_points(text[: SAMPLE_CHARS * 2])
    cps = cps[cps < 0x10000]
    table = simplified_code_points()
    traditional = int(np.count_nonzero(table[cps] != cps))
    simplified = int(np.count_nonzero(_simplified_only()[cps]))
    return "Hant" if traditional > simplified else "Hans"


def language_and_script(text: str) -> dict[str, str | None]:
    """``{"lang": ISO 639-1 code or None, "script": ISO 15924 code or None}`` of ``text`` (None when no letters)."""
    sample = text[:SAMPLE_CHARS]
    letters = len(RE_LETTER.findall(sample))
    if not letters:
        return {"lang": None, "script": None}
    cps = code_points(sample)
    han = int(np.count_nonzero(han_mask(cps)))
    kana = _in_ranges(cps, KANA)
    hangul = _in_ranges(cps, HANGUL)
    if han >= CHINESE_HAN_SHARE * letters and not kana and not hangul:
        return {"lang": "zh", "script": chinese_script(sample)}
    lang, _score = _identifier().classify(sample)
    if lang == "zh":
        return {"lang": "zh", "script": chinese_script(sample)}
    if kana or lang == "ja":
        script = "Jpan"
    elif hangul or lang == "ko":
        script = "Kore"
    else:
        counts = {name: len(pattern.findall(sample)) for name, pattern in SCRIPTS.items()}
        best = max(counts, key=counts.__getitem__)
        script = best if counts[best] else None
    return {"lang": lang, "script": script}
