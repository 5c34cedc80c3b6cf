"""Suggestions from the corpus (pipeline/corpus/fill.py): a masked span filled from other documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT
from corpus_gen import TextMaker

from pipeline.corpus import CorpusOptions, run_corpus
from pipeline.corpus.fill import FIELD, find_gaps, suggest_corpus_fills
from pipeline.corpus.outputs import read_jsonl
from pipeline.rules import RuleSet


class Passages:
    """Distinct random contexts (no two documents share one unless a test puts it there)."""

    def __init__(self, seed: int) -> None:
        self.maker = TextMaker(seed)

    def context(self) -> str:
        return self.maker.phrase(8, 10)

    def filler(self) -> str:
        return "".join(self.maker.paragraph() for _ in range(2))


def _record(doc_id: str, text: str, **extra: object) -> dict:
    return {"id": doc_id, "source": f"{doc_id}.txt", "title": None, "text": text, "duplicate_of": None, **extra}


def _write_corpus(path: Path, records: list[dict]) -> Path:
    corpus = path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return corpus


@pytest.fixture()
def case(tmp_path: Path) -> tuple[Path, dict[str, tuple[str, str]]]:
    """A corpus: masked documents, documents holding their text unmasked, and the contexts used."""
    p = Passages(7)
    ctx = {name: (p.context(), p.context()) for name in ("number", "cut", "alone", "conflict")}

    def around(name: str, middle: str) -> str:
        left, right = ctx[name]
        return f"{p.filler()}{left}{middle}{right}。{p.filler()}"

    records = [
        _record("masked-number", around("number", "党的*大")),
        _record("masked-cut", around("cut", "意识斗争")),
        # its own unmasked copy of the passage is no other document's support
        _record("masked-alone", around("alone", "党的*大") + around("alone", "党的二十大")),
        _record("masked-conflict", around("conflict", "党的*大")),
        *(_record(f"holds-number-{k}", around("number", "党的二十大")) for k in range(3)),
        _record("holds-number-copy", around("number", "党的二十大"), duplicate_of="holds-number-0"),
        *(_record(f"holds-cut-{k}", around("cut", "意识形态斗争")) for k in range(2)),
        _record("holds-conflict-a", around("conflict", "党的十九大")),
        _record("holds-conflict-b", around("conflict", "党的二十大")),
        _record("holds-conflict-c", around("conflict", "党的二十大")),
        _record("also-masked-number", around("number", "党的*大")),
    ]
    return _write_corpus(tmp_path, records), ctx


def _suggestions(corpus: Path) -> dict[str, list[dict]]:
    return {r["id"]: r.get(FIELD, []) for r in read_jsonl(corpus)}


def test_masked_number_gets_the_fill_other_documents_hold(rules: RuleSet, case) -> None:
    corpus, _ = case
    before = [r["text"] for r in read_jsonl(corpus)]
    summary = suggest_corpus_fills(corpus, rules=rules)
    found = _suggestions(corpus)
    [suggestion] = found["masked-number"]
    assert (suggestion["before"], suggestion["after"]) == ("党的*大", "党的二十大")
    # three documents, not four: the duplicate of one of them is no independent support
    holders = ["holds-number-0", "holds-number-1", "holds-number-2"]
    assert suggestion["candidates"] == [
        {"text": "党的二十大", "documents": 3, "examples": holders, "sources": [f"{h}.txt" for h in holders]}
    ]
    assert not suggestion["conflict"] and "3 other documents" in suggestion["reason"]
    text = next(r["text"] for r in read_jsonl(corpus) if r["id"] == "masked-number")
    assert text[suggestion["start"] : suggestion["end"]] == "党的*大"
    # never applied: every text as it was
    assert [r["text"] for r in read_jsonl(corpus)] == before
    assert summary.documents_with_suggestions == 4 and summary.conflicting == 1


def test_cut_term_gets_its_missing_part(rules: RuleSet, case) -> None:
    corpus, _ = case
    suggest_corpus_fills(corpus, rules=rules)
    [suggestion] = _suggestions(corpus)["masked-cut"]
    assert (suggestion["before"], suggestion["after"]) == ("意识", "意识形态")
    assert suggestion["candidates"][0]["documents"] == 2


def test_a_mask_nobody_fills_gets_no_suggestion(rules: RuleSet, case) -> None:
    corpus, _ = case
    suggest_corpus_fills(corpus, rules=rules)
    found = _suggestions(corpus)
    assert found["masked-alone"] == []
    assert all(found[k] == [] for k in found if k.startswith("holds-"))


def test_conflicting_candidates_say_so(rules: RuleSet, case) -> None:
    corpus, _ = case
    suggest_corpus_fills(corpus, rules=rules)
    [suggestion] = _suggestions(corpus)["masked-conflict"]
    assert suggestion["conflict"]
    assert [(c["text"], c["documents"]) for c in suggestion["candidates"]] == [("党的二十大", 2), ("党的十九大", 1)]
    assert "disagree" in suggestion["reason"] and suggestion["confidence"] < 0.5


def test_the_same_mask_in_two_documents_counts_neither_as_support(rules: RuleSet, case) -> None:
    corpus, _ = case
    suggest_corpus_fills(corpus, rules=rules)
    [suggestion] = _suggestions(corpus)["also-masked-number"]
    assert suggestion["candidates"][0]["documents"] == 3


def test_a_second_pass_gives_the_same_corpus(rules: RuleSet, case) -> None:
    corpus, _ = case
    suggest_corpus_fills(corpus, rules=rules)
    once = corpus.read_text(encoding="utf-8")
    suggest_corpus_fills(corpus, rules=rules)
    assert corpus.read_text(encoding="utf-8") == once


def test_memory_bound_caps_the_spans_looked_at(rules: RuleSet, case, tmp_path: Path) -> None:
    corpus, _ = case
    rule_dir = tmp_path / "rules" / "common"
    rule_dir.mkdir(parents=True)
    packaged = (ROOT / "rules" / "common" / "corpus_fill.toml").read_text(encoding="utf-8")
    assert "max_spans = 200000" in packaged
    (rule_dir / "corpus_fill.toml").write_text(packaged.replace("max_spans = 200000", "max_spans = 2"), "utf-8")
    from pipeline.rules import load_rules

    capped = load_rules([tmp_path / "rules"])
    summary = suggest_corpus_fills(corpus, rules=capped)
    assert summary.gaps == 2 and summary.gaps_skipped == 3


def test_gap_contexts_hold_no_mask() -> None:
    from pipeline.rules import load_rules

    [gap] = find_gaps("召开*次会议，推动党的*大精神落地。", rules=load_rules())[-1:]
    assert gap.before == "党的*大" and "*" not in gap.pattern.left


def test_corpus_run_writes_suggestions_and_review_pages(tmp_path: Path) -> None:
    p = Passages(11)
    left, right = p.context(), p.context()
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a_masked.txt").write_text(f"{p.filler()}{left}党的*大{right}。{p.filler()}\n", encoding="utf-8")
    for k in range(2):
        (inputs / f"b_holds_{k}.txt").write_text(f"{p.filler()}{left}党的二十大{right}。\n", encoding="utf-8")
    outdir = tmp_path / "out"
    summary = run_corpus(CorpusOptions(inputs=[inputs], outdir=outdir, workers=1))
    assert summary["corpus_suggestions"]["suggestions"] == 1
    records = {Path(r["source"]).name: r for r in read_jsonl(outdir / "corpus.jsonl")}
    [suggestion] = records["a_masked.txt"][FIELD]
    assert suggestion["after"] == "党的二十大" and suggestion["candidates"][0]["documents"] == 2
    assert "党的*大" in records["a_masked.txt"]["text"]  # not applied
    page = (outdir / "review" / f"{records['a_masked.txt']['id']}.review.html").read_text(encoding="utf-8")
    assert "党的二十大" in page and "corpus.fill" in page and "2 other documents" in page
    assert not any(FIELD in r for name, r in records.items() if name != "a_masked.txt")
