"""The quality record of a cleaned document: how much of it is Chinese text, how much was removed,
and warnings for damage that cleaning cannot repair.

:func:`assess_quality` returns::

    {"chars": 9678, "han_share": 0.93, "removed_share": 0.04,
     "warnings": [{"kind": "noise", "score": 0.012, "message": "…"}]}

Warning kinds: ``no_body`` (nothing left), ``mojibake`` (PDF font or encoding garbage), ``noise``
(anti-copy noise was removed), ``spun`` (synonym-spun rewriting: its character pairs are unusually
rare for Chinese) and ``bilingual`` (two-column bilingual layout interleaved mid-sentence). Thresholds
come from the ``[quality]`` table of ``rules/common/damage.toml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

import numpy as np

from .document import Edit
from .langid import language_and_script
from .language import (
    bigram_log_frequencies,
    bigram_table,
    code_points,
    han_mask,
    simplified_code_points,
)
from .pieces import PIECE_CHARS
from .rules import RuleSet, load_rules
from .stages.damage.noise import text_known_share

REMOVING_STAGES = frozenset({"damage", "boilerplate", "page_artefacts"})
NOISE_RULES = frozenset({"damage.anti-copy-noise", "damage.random-edge-block"})
RE_CID = re.compile(r"\(cid:\d+\)")
RE_BODY = re.compile(r"[^\W_]")  # a letter or digit of any script
# Latin-1 letters and symbols that GBK or UTF-8 bytes read as Latin-1/cp1252 turn into; the
# middle dot, degree, plus-minus, section, multiplication and division signs are real in Chinese text
LATIN1_GARBAGE = "".join(chr(c) for c in range(0x80, 0x100) if chr(c) not in "\u00b7\u00b0\u00b1\u00a7\u00d7\u00f7")
RE_GARBAGE = re.compile(
    "[" + re.escape(LATIN1_GARBAGE) + r"\ue000-\uf8ff\ufffd" + re.escape("!\"#$%&'*+/<=>@\\^_`{|}~") + "]"
)
MODERN_FUNCTION_CHARS = "的了是在和有"
KNOWN_PAIR_LOG = -7.0  # a pair more frequent than this occurs inside dictionary words
SENTENCE_ENDS = "。！？.!?；;:：”」"


def assess_quality(
    doc_text: str, original: str, edits: list[Edit], metadata: dict[str, Any], *, rules: RuleSet | None = None
) -> dict[str, Any]:
    """The quality record of a cleaned document (see the module docstring).

    ``doc_text`` is the cleaned output, ``original`` the input, ``edits`` the run's edit log.
    """
    rules = rules if rules is not None else load_rules()
    settings = rules.settings.get("quality", {})
    non_space = len(doc_text) - sum(doc_text.count(ch) for ch in " \t\n\r\u3000\f")
    han_count = han_characters(doc_text)
    removed = sum(max(0, len(e.before) - len(e.after)) for e in edits if e.stage in REMOVING_STAGES)
    record: dict[str, Any] = {
        "chars": len(doc_text),
        "han_share": round(han_count / non_space, 4) if non_space else 0.0,
        "removed_share": round(removed / len(original), 4) if original else 0.0,
        **language_and_script(doc_text),
        "warnings": [],
    }
    warnings: list[dict[str, Any]] = record["warnings"]
    if not RE_BODY.search(doc_text):
        warnings.append(_warning("no_body", 1.0, "no document body left after cleaning"))
        return record
    mojibake = mojibake_share(doc_text, non_space)
    if mojibake >= float(settings.get("mojibake_share", 0.3)):
        warnings.append(
            _warning("mojibake", mojibake, f"{mojibake:.0%} of the characters are font or encoding garbage")
        )
    noise = noise_share(edits, len(original))
    if noise > float(settings.get("noise_share", 0.0)):
        warnings.append(_warning("noise", noise, f"anti-copy noise removed: {noise:.1%} of the input"))
    spun = spun_score(doc_text, settings, han_count=han_count)
    if spun is not None and spun >= float(settings.get("spun_score", 0.35)):
        warnings.append(
            _warning("spun", spun, "common Chinese character pairs are unusually rare: the text may be synonym-spun")
        )
    switches, share = bilingual_switches(doc_text)
    if share >= float(settings.get("bilingual_share", 0.3)) and switches >= int(
        settings.get("bilingual_min_switches", 3)
    ):
        warnings.append(
            _warning(
                "bilingual",
                share,
                f"{switches} line breaks switch between Latin and Chinese mid-sentence: "
                "a two-column bilingual layout may be interleaved",
            )
        )
    return record


def han_characters(text: str) -> int:
    """How many Han characters the text holds (counted in pieces: no array as long as the text)."""
    pieces = (code_points(text[lo : lo + PIECE_CHARS]) for lo in range(0, len(text), PIECE_CHARS))
    return sum(int(np.count_nonzero(han_mask(cps))) for cps in pieces)


def _warning(kind: str, score: float, message: str) -> dict[str, Any]:
    return {"kind": kind, "score": round(float(score), 4), "message": message}


def mojibake_share(text: str, non_space: int | None = None) -> float:
    """Share of the non-space characters that are garbage: ``(cid:N)`` runs, Latin-1 letters and
    symbols, private-use characters, U+FFFD and ASCII symbols."""
    if non_space is None:
        non_space = len("".join(text.split()))
    if not non_space:
        return 0.0
    cid_chars = sum(len(m) for m in RE_CID.findall(text))
    rest = RE_CID.sub("", text) if cid_chars else text
    garbage = cid_chars + len(RE_GARBAGE.findall(rest))
    return min(1.0, garbage / non_space)


def noise_share(edits: Iterable[Edit], original_length: int) -> float:
    """Share of the input that anti-copy noise removal took out."""
    if not original_length:
        return 0.0
    removed = sum(len(e.before) - len(e.after) for e in edits if e.rule_id in NOISE_RULES)
    return max(0, removed) / original_length


@lru_cache(maxsize=8)
def top_bigram_keys(top_n: int) -> np.ndarray:
    """Sorted keys of the ``top_n`` most frequent character pairs of the frequency data."""
    keys, logs = bigram_table()
    chosen = keys[np.argsort(-logs, kind="stable")[:top_n]]
    return np.sort(chosen)


PAIR_CHUNK = 1 << 18


def _pair_counts(cps: np.ndarray, han: np.ndarray, piece: int = 1 << 21) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys (see :func:`_pair_keys`) of the neighbouring Han pairs and how often each occurs,
    as ``np.unique(keys, return_counts=True)`` gives them, counted in pieces of ``piece`` positions and
    merged: the keys of a 20 MB text at once would take over 100 MB."""
    kinds: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    for lo in range(0, max(0, len(cps) - 1), piece):
        hi = min(lo + piece, len(cps) - 1)
        found, times = np.unique(_pair_keys(cps[lo : hi + 1], han[lo:hi] & han[lo + 1 : hi + 1]), return_counts=True)
        kinds.append(found)
        counts.append(times)
    return _merged_counts(kinds, counts)


def _text_pair_counts(text: str, piece: int = PIECE_CHARS) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_pair_counts` of the text's code points, reading the text in pieces of ``piece`` characters
    (each with the first character of the next, for the pair across)."""
    kinds: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    for lo in range(0, max(0, len(text) - 1), piece):
        cps = code_points(text[lo : lo + piece + 1])
        han = han_mask(cps)
        found, times = np.unique(_pair_keys(cps, han[:-1] & han[1:]), return_counts=True)
        kinds.append(found)
        counts.append(times)
    return _merged_counts(kinds, counts)


def _merged_counts(kinds: list[np.ndarray], counts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys of several pieces' (keys, counts) and their summed counts."""
    if len(kinds) <= 1:
        return (kinds[0], counts[0]) if kinds else (np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64))
    every, times = np.concatenate(kinds), np.concatenate(counts)
    order = np.argsort(every, kind="stable")
    every, times = every[order], times[order]
    firsts = np.flatnonzero(np.r_[True, every[1:] != every[:-1]])
    return every[firsts], np.add.reduceat(times, firsts)


def _pair_keys(cps: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """``first << 16 | second`` (simplified BMP code points) of each marked neighbouring pair, as
    uint32 and built in pieces: a 20 MB text has millions of pairs."""
    simple = simplified_code_points()
    starts = np.flatnonzero(pairs)
    keys = np.empty(len(starts), dtype=np.uint32)
    for lo in range(0, len(starts), PAIR_CHUNK):
        at = starts[lo : lo + PAIR_CHUNK]
        first = simple[np.minimum(cps[at], 0xFFFF)].astype(np.uint32)
        second = simple[np.minimum(cps[at + 1], 0xFFFF)].astype(np.uint32)
        keys[lo : lo + PAIR_CHUNK] = first << 16 | second
    return keys


def top_bigram_share(text: str, top_n: int, *, topic_share: float = 1.0, topic_min: int = 3) -> tuple[float, int]:
    """(share of the text's *known* neighbouring Han pairs that are among the ``top_n`` most
    frequent pairs, number of Han pairs).

    Known pairs are those occurring inside dictionary words: the pairs across the seams of a table
    of contents, a bullet list or an exam paper's run-together items (``规范修订``, ``盘货``) are
    nobody's word and say nothing about the choice of words, so they count on neither side. A
    *topic term* — a pair outside the top that makes up at least ``topic_share`` of the pairs (and
    occurs ``topic_min`` times) — is left out too: a short specialist text repeats its few terms
    (``房屋`` ``租赁`` ``托盘``), whereas a spinner swaps many different common words.

    With ``topic_share = 1`` nothing is left out as a topic term. The sample speech scores 0.59,
    its synonym-spun copy 0.44::

        网络综合治理体系   known pairs 网络 综合 合治 治理 理体 体系 (络综 is a seam)   →   4 of 6 in the top
        网路归纳管治系统   known pairs 网路 路归 归纳 管治 治系 系统 (纳管 is a seam)   →   1 of 6 (系统)
    """
    kinds, counts = _text_pair_counts(text)
    total = int(counts.sum())
    if not total:
        return 0.0, 0
    kinds = (kinds >> 16).astype(np.int64) << 21 | (kinds & 0xFFFF).astype(np.int64)  # the table's keys
    top = top_bigram_keys(top_n)
    at = np.minimum(np.searchsorted(top, kinds), len(top) - 1)
    in_top = top[at] == kinds
    known = in_top | (bigram_log_frequencies(kinds >> 21, kinds & 0x1FFFFF) > KNOWN_PAIR_LOG)
    topic = ~in_top & (counts >= max(topic_min, topic_share * total))
    weights = counts * (known & ~topic)
    counted = int(weights.sum())
    return (float((weights * in_top).sum()) / counted if counted else 0.0), total


def spun_score(text: str, settings: dict[str, Any], *, han_count: int | None = None) -> float | None:
    """How much rarer than normal the text's common character pairs are: ``1 - share / spun_norm``
    (0 = normal, 1 = none of the usual pairs), or None when the text is too short or not modern
    prose (classical text lacks 的了是…, and its pairs are seldom modern words).

    ``share`` is :func:`top_bigram_share` over the dictionary-word pairs, topic terms left out, so
    tables of contents, bullet lists and exam papers on one subject do not read as spun::

        托盘货架是…•规范化托盘货架的日常使用流程•优化仓库空间…   →   0.31 (no warning)
        网路归纳管治系统是…（网络综合治理体系, synonym-spun）       →   0.38 (warning from 0.35)
    """
    han_count = han_characters(text) if han_count is None else han_count
    if not han_count:
        return None
    function_share = sum(text.count(ch) for ch in MODERN_FUNCTION_CHARS) / han_count
    if function_share < float(settings.get("spun_min_function", 0.03)):
        return None
    share, pairs = top_bigram_share(
        text,
        int(settings.get("spun_top_n", 3000)),
        topic_share=float(settings.get("spun_topic_share", 0.02)),
        topic_min=int(settings.get("spun_topic_min", 3)),
    )
    if pairs < int(settings.get("spun_min_pairs", 200)):
        return None
    if text_known_share(text, -7.0) < float(settings.get("spun_min_known", 0.5)):
        return None  # not modern prose: verse, drama, classical text
    norm = float(settings.get("spun_norm", 0.70))
    return max(0.0, min(1.0, 1.0 - share / norm))


def _script(line: str) -> str | None:
    """ "latin" or "han" for a line that is mostly one of them, else None."""
    cps = code_points(line)  # counted on the code points: findall builds a string per Han character
    latin = int((((cps >= 0x41) & (cps <= 0x5A)) | ((cps >= 0x61) & (cps <= 0x7A))).sum())
    han = int(han_mask(cps).sum())
    if latin + han < 4:
        return None
    if latin >= 2 * han and latin >= 4:
        return "latin"
    if han >= 2 * latin and han >= 2:
        return "han"
    return None


def bilingual_switches(text: str) -> tuple[int, float]:
    """(line breaks switching script mid-sentence, their share of the breaks between scripted lines).

    A switch is a break between a mostly-Latin and a mostly-Han line where the first does not end
    a sentence: a two-column bilingual page read across its columns.
    """
    breaks = 0
    switches = 0
    previous: tuple[str | None, str] | None = None  # the last non-empty line's script and last character
    for line in _lines(text):
        line = line.strip()
        if not line:
            continue
        script = _script(line)
        if previous is not None and previous[0] is not None and script is not None:
            breaks += 1
            if previous[0] != script and previous[1] not in SENTENCE_ENDS:
                switches += 1
        previous = (script, line[-1])
    return switches, (switches / breaks if breaks else 0.0)


def _lines(text: str) -> Iterator[str]:
    """The text's lines, one at a time (``text.split("\\n")`` without the list)."""
    start = 0
    while True:
        end = text.find("\n", start)
        if end == -1:
            yield text[start:]
            return
        yield text[start:end]
        start = end + 1
