"""Paragraph-boundary F1 on flattened documents cleaned without a reference.

A document whose paragraphs are known is flattened the way sharing sites flatten it (every paragraph
break removed, or each kept with ``keep_break_rate``), cleaned by ``docmend clean`` without a
reference, and the paragraph breaks of the output are compared with the true ones. Breaks are
positions in the text without line breaks, so the comparison is exact whatever else cleaning does
(the texts here are clean already; where cleaning changes a character, the two texts are lined up).

Documents, fixed before the paragraph rules were written:

* tuning — the documents of the corruption generator (the sample's reference, two speeches), the
  notice of :data:`corruption.DOC_UNRELATED`, the real news and government excerpts of
  ``tests/fixtures/paragraphs_tuning`` (title on the first line, empty when the page showed none) and the
  scraped copies of two real pairs that are not held out (``dushu_gushi``, ``bainian_dadang``), each as
  ``docmend clean`` gives it without the paragraph model and the length prior;
* held out — real text nobody here wrote, with its own paragraphs: the gov.cn page of
  ``tests/fixtures/real_html`` and the scraped copies of ``tests/fixtures/real_pairs`` (each as
  ``docmend clean`` gives it from the file without the paragraph model and the length prior, paragraphs as
  the page had them).

``python tests/paragraph_eval.py [--model] [FILE...]`` prints the table (with ``--model``, with the paragraph
model of ``pipeline/stages/paragraph_model.py`` switched on); each FILE (a text with one paragraph a line, its
title first) is added to the held-out documents.
"""

from __future__ import annotations

import dataclasses
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import Indel

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corruption import DOC_UNRELATED, base_documents

from pipeline.rules import RuleSet, load_rules
from pipeline.runner import clean_file, clean_text
from pipeline.stages.paragraph_model import with_paragraph_model

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HELD_OUT_FILES = (
    FIXTURES / "real_html" / "govcn_5628785.html",
    FIXTURES / "real_pairs" / "xinhua_opening_chinacom.scraped.txt",
    FIXTURES / "real_pairs" / "xinhua_opening_spun.scraped.txt",
    FIXTURES / "real_pairs" / "gdpr_csl.scraped.txt",
)
TUNING_DIR = FIXTURES / "paragraphs_tuning"
TUNING_FILES = (
    FIXTURES / "real_pairs" / "dushu_gushi.scraped.txt",
    FIXTURES / "real_pairs" / "bainian_dadang.scraped.txt",
)
KEEP_BREAK_RATES = (0.0, 0.3)
SEEDS = range(3)


@dataclass(frozen=True, slots=True)
class Source:
    """A document with known paragraphs: ``title`` (given, on its own line) and the body paragraphs."""

    name: str
    title: str | None
    paragraphs: tuple[str, ...]
    held_out: bool
    generated: bool = False  # one of the corruption generator's documents (or its unrelated notice)


@dataclass(slots=True)
class Counts:
    """True, false and missed paragraph breaks (add several with ``+``)."""

    right: int = 0
    wrong: int = 0
    missed: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.right + other.right, self.wrong + other.wrong, self.missed + other.missed)

    @property
    def precision(self) -> float:
        return self.right / (self.right + self.wrong) if self.right + self.wrong else 1.0

    @property
    def recall(self) -> float:
        return self.right / (self.right + self.missed) if self.right + self.missed else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def sources(
    rules: RuleSet | None = None, extra: Sequence[Path] = (), *, include_held_out: bool = True
) -> list[Source]:
    """The tuning documents, then (unless ``include_held_out`` is false) the held-out real ones, then
    ``extra`` files (held out too; the first paragraph of each is taken as its title)."""
    rules = rules or load_rules()
    found = [Source(name, ps[0], tuple(ps[1:]), False, True) for name, ps in base_documents().items()]
    unrelated = DOC_UNRELATED.split("\n")
    found.append(Source("unrelated", unrelated[0], tuple(unrelated[1:]), False, True))
    truth_rules = without_paragraph_model(rules)
    for path in sorted(TUNING_DIR.glob("*.txt")):
        found.append(_tuning_text(path, truth_rules))
    for path in TUNING_FILES:
        found.append(_cleaned_source(path, truth_rules, held_out=False))
    if not include_held_out:
        return found
    for path in HELD_OUT_FILES:
        found.append(_cleaned_source(path, truth_rules, held_out=True))
    for path in extra:
        paragraphs = list(clean_file(path, rules=truth_rules).paragraphs)
        found.append(Source(path.name.split(".")[0], paragraphs[0], tuple(paragraphs[1:]), True))
    return found


def without_paragraph_model(rules: RuleSet) -> RuleSet:
    """``rules`` without the paragraph model and the length prior: the true paragraphs of a real file are its
    lines as cleaning writes them, and neither guess may split them before they are measured."""
    rules = with_paragraph_model(rules, enabled=False)
    tables = dict(rules.settings)
    tables["paragraph_lengths"] = {**tables.get("paragraph_lengths", {}), "enabled": False}
    return dataclasses.replace(rules, settings=tables)


def _tuning_text(path: Path, rules: RuleSet) -> Source:
    """A text of ``paragraphs_tuning`` (title on the first line, empty when none), cleaned as a whole."""
    title, *body = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    title = title.strip()
    text = "\n".join([title, *body] if title else body)
    doc = clean_text(text, rules=rules, metadata={"title": title} if title else {})
    paragraphs = list(doc.paragraphs)
    if title and paragraphs and paragraphs[0] == doc.title:
        return Source(path.stem, paragraphs[0], tuple(paragraphs[1:]), False)
    return Source(path.stem, None, tuple(paragraphs), False)


def _cleaned_source(path: Path, rules: RuleSet, *, held_out: bool) -> Source:
    """A real file as ``docmend clean`` gives it, paragraphs as the page had them."""
    doc = clean_file(path, rules=rules)
    paragraphs = list(doc.paragraphs)
    title = doc.title if paragraphs and paragraphs[0] == doc.title else None
    body = paragraphs[1:] if title else paragraphs
    return Source(path.name.split(".")[0], title, tuple(body), held_out)


def boundaries(paragraphs: Sequence[str]) -> set[int]:
    """Where the breaks between ``paragraphs`` fall in their concatenation."""
    out: set[int] = set()
    pos = 0
    for paragraph in paragraphs[:-1]:
        pos += len(paragraph)
        out.add(pos)
    return out


def flatten(paragraphs: Sequence[str], rnd: random.Random, keep_break_rate: float) -> str:
    """The paragraphs joined with no break, each break kept with ``keep_break_rate``."""
    pieces = [paragraphs[0]]
    for paragraph in paragraphs[1:]:
        pieces.append(("\n" if rnd.random() < keep_break_rate else "") + paragraph)
    return "".join(pieces)


def output_boundaries(output_body: str, flat_body: str) -> set[int]:
    """The output's paragraph breaks as positions in ``flat_body`` (the input body without breaks)."""
    lines = [line for line in output_body.split("\n")]
    compact = "".join(lines)
    found = boundaries(lines)
    if compact == flat_body:
        return found
    mapping = {}
    for tag, i1, i2, j1, j2 in Indel.opcodes(compact, flat_body).as_list():
        if tag == "equal":
            mapping.update(zip(range(i1, i2 + 1), range(j1, j2 + 1), strict=True))
    return {mapping[b] for b in found if b in mapping}


def score_case(source: Source, keep_break_rate: float, seed: int, rules: RuleSet) -> Counts:
    """Clean one flattened copy of ``source`` without a reference and count its paragraph breaks."""
    rnd = random.Random(seed)
    body = flatten(source.paragraphs, rnd, keep_break_rate)
    text = (source.title + "\n" + body) if source.title else body
    doc = clean_text(text, rules=rules, metadata={"title": source.title} if source.title else {})
    paragraphs = list(doc.paragraphs)
    if source.title and paragraphs and paragraphs[0] == source.title:
        paragraphs = paragraphs[1:]
    truth = boundaries(source.paragraphs)
    found = output_boundaries("\n".join(paragraphs), "".join(source.paragraphs))
    return Counts(len(truth & found), len(found - truth), len(truth - found))


def evaluate(
    rules: RuleSet | None = None,
    *,
    keep_break_rates: Sequence[float] = KEEP_BREAK_RATES,
    extra: Sequence[Path] = (),
) -> dict[tuple[str, float], Counts]:
    """Counts per (document, keep_break_rate), summed over :data:`SEEDS`."""
    rules = rules or load_rules()
    table: dict[tuple[str, float], Counts] = {}
    for source in sources(rules, extra):
        for rate in keep_break_rates:
            seeds = SEEDS if rate else range(1)
            total = Counts()
            for seed in seeds:
                total = total + score_case(source, rate, seed, rules)
            table[(source.name, rate)] = total
    return table


def summary(table: dict[tuple[str, float], Counts], held_out: set[str], rate: float) -> tuple[Counts, Counts]:
    """(tuning, held-out) counts at one keep_break_rate."""
    tuning, held = Counts(), Counts()
    for (name, r), counts in table.items():
        if r != rate:
            continue
        if name in held_out:
            held = held + counts
        else:
            tuning = tuning + counts
    return tuning, held


def group_counts(table: dict[tuple[str, float], Counts], names: set[str], rate: float) -> Counts:
    """The counts of the documents ``names`` at one keep_break_rate."""
    return sum((c for (name, r), c in table.items() if r == rate and name in names), Counts())


def main() -> None:
    rules = load_rules()
    if "--model" in sys.argv[1:]:
        rules = with_paragraph_model(rules)
    extra = [Path(arg) for arg in sys.argv[1:] if arg != "--model"]
    held_out = {s.name for s in sources(rules, extra) if s.held_out}
    table = evaluate(rules, extra=extra)
    print(f"{'document':32} {'kept':>5} {'right':>6} {'wrong':>6} {'missed':>6} {'P':>6} {'R':>6} {'F1':>6}")
    for (name, rate), c in table.items():
        tag = " (held out)" if name in held_out else ""
        print(
            f"{name + tag:32} {rate:5.1f} {c.right:6} {c.wrong:6} {c.missed:6} "
            f"{c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f}"
        )
    generated = {s.name for s in sources(rules, extra) if s.generated}
    for rate in KEEP_BREAK_RATES:
        gen = group_counts(table, generated, rate)
        real = group_counts(table, {n for n, _ in table} - generated - held_out, rate)
        print(
            f"breaks kept {rate:.1f}: generator documents F1 {gen.f1:.3f} (P {gen.precision:.3f} R {gen.recall:.3f}), "
            f"real tuning texts F1 {real.f1:.3f} (P {real.precision:.3f} R {real.recall:.3f})"
        )
    for rate in KEEP_BREAK_RATES:
        tuning, held = summary(table, held_out, rate)
        both = tuning + held
        print(
            f"breaks kept {rate:.1f}: tuning F1 {tuning.f1:.3f} (P {tuning.precision:.3f} R {tuning.recall:.3f}), "
            f"held out F1 {held.f1:.3f} (P {held.precision:.3f} R {held.recall:.3f}), all F1 {both.f1:.3f}"
        )


if __name__ == "__main__":
    main()
