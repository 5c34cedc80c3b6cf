"""Masks learned from the document: consistency is evidence.

``masks.toml`` names what sites are known to hide; sites change what they hide with the news. A term
that the reference holds at several aligned places and that the scraped text lacks (or stars) at
most of them is being masked, whatever list names it: the site deleted 网信办 at 7 of its 7
places. A difference seen once stays an edition variant.

    scraped:   …全国主任会议指出…  …召开主任会议…      reference: …全国网信办主任会议指出… …召开网信办主任会议…
    learned:   网信办 deleted at 2 of 2 places → restored at both
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import regex

_TERM = regex.compile(r"[\p{Han}\p{L}\p{N}]+")


@dataclass(frozen=True, slots=True)
class LearnedMask:
    """A term the site hid in this document: ``kind`` (deleted, starred), at ``places`` of the
    ``of`` places the reference holds it (inside aligned blocks)."""

    text: str
    kind: str
    places: int
    of: int

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text, "kind": self.kind, "places": self.places, "of": self.of}

    @property
    def evidence(self) -> str:
        verb = "deleted" if self.kind == "deleted" else "starred out"
        return f"{self.text} {verb} at {self.places} of {self.of} places"


def count_aligned(b: str, term: str, covered: Callable[[int, int], bool]) -> int:
    """How many times ``term`` occurs in ``b`` inside an aligned block (``covered``)."""
    count = 0
    at = b.find(term)
    while at >= 0:
        count += covered(at, at + len(term))
        at = b.find(term, at + len(term))
    return count


def learn_masks(
    b: str,
    candidates: list[tuple[str, int, int, int]],
    covered: Callable[[int, int], bool],
    *,
    min_places: int,
    min_share: float,
    min_chars: int,
    max_chars: int,
) -> dict[str, LearnedMask]:
    """The terms hidden consistently, from ``candidates`` ``(kind, i, j1, j2)``: ``b[j1:j2]`` missing
    (``deleted``) or starred (``starred``) at scraped offset ``i``.

    A term is learned when it is missing at ``min_places`` places or more and at ``min_share`` of
    the places the reference holds it inside aligned blocks; only letters and digits, ``min_chars``
    to ``max_chars`` long.
    """
    groups: dict[tuple[str, str], set[int]] = defaultdict(set)
    for kind, i, j1, j2 in candidates:
        term = b[j1:j2]
        if min_chars <= len(term) <= max_chars and _TERM.fullmatch(term):
            groups[(kind, term)].add(i)
    learned: dict[str, LearnedMask] = {}
    for (kind, term), places in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
        if len(places) < min_places or term in learned:
            continue
        total = max(len(places), count_aligned(b, term, covered))
        if len(places) >= min_share * total:
            learned[term] = LearnedMask(term, kind, len(places), total)
    return learned
