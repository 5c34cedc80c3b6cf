"""Templates learned from the corpus: an invented site no rule file knows (tests/template_gen.py) is
learned, written as a readable rule file, and removed by ``docmend corpus``; reposted bodies are not."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import regex
from conftest import ROOT
from template_gen import build_notices, build_reposts, build_site

from pipeline.corpus import CorpusOptions, Dedup, Engine, run_corpus
from pipeline.corpus.learn import MAX_GROUPS, MAX_TEMPLATES, CorpusLearner, GroupCounter, LearnSettings, learn_templates
from pipeline.corpus.learn_read import DocLines
from pipeline.corpus.templates import SLOTS, mask_line, merge_templates
from pipeline.examples import run_examples
from pipeline.rules import load_rules
from pipeline.runner import clean_file, clean_text

PAGES = 36
RE_EVIDENCE = regex.compile(r"in (\d+) of (\d+) documents")


def compact(text: str) -> str:
    return regex.sub(r"\s+", "", text)


def texts_by_name(outdir: Path) -> dict[str, str]:
    records = [json.loads(line) for line in (outdir / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    return {Path(r["source"]).name: compact(r["text"]) for r in records}


def template_lines_left(pages, texts: dict[str, str]) -> tuple[int, int]:
    """(template lines still in the output, template lines in the input)."""
    left = total = 0
    for page in pages:
        for line in page.template:
            total += 1
            left += compact(line) in texts[page.name]
    return left, total


def body_lines_lost(pages, texts: dict[str, str]) -> list[str]:
    return [line for page in pages for line in page.body if compact(line) not in texts[page.name]]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("site")
    pages = build_site(base / "corpus" / "mxwk", PAGES)
    return base / "corpus", pages


@pytest.fixture(scope="module")
def learned_run(site, tmp_path_factory):
    corpus, _ = site
    outdir = tmp_path_factory.mktemp("learned") / "out"
    summary = run_corpus(CorpusOptions([corpus], outdir, workers=2))
    return outdir, summary


def test_unknown_site_template_is_learned_and_removed(site, learned_run, tmp_path):
    corpus, pages = site
    outdir, summary = learned_run
    assert summary["ok"] == PAGES and summary["learned"] == [str(outdir / "learned")]
    learned_texts = texts_by_name(outdir)
    left, total = template_lines_left(pages, learned_texts)
    assert left <= 0.05 * total, f"{left} of {total} template lines left"
    assert body_lines_lost(pages, learned_texts) == []
    # the same corpus without learning: the packaged rules do not know the site; the generic chrome stage
    # takes the lines that look like chrome anywhere (toolbar, counters, running page lines, copyright:
    # about half), this site's breadcrumb and share-header lines stay
    plain = run_corpus(CorpusOptions([corpus], tmp_path / "plain", workers=2, learn=False))
    assert plain["learned"] == []
    plain_left, _ = template_lines_left(pages, texts_by_name(tmp_path / "plain"))
    assert plain_left > 0.3 * total and plain_left >= 5 * max(left, 1)


def test_learned_rule_file_reads_well(site, learned_run):
    _, pages = site
    outdir, _ = learned_run
    files = sorted((outdir / "learned").glob("*.toml"))
    assert [f.name for f in files] == ["corpus-mxwk.toml"]
    text = files[0].read_text(encoding="utf-8")
    assert not SLOTS.intersection(text)
    ruleset = load_rules([outdir / "learned"])
    learned = [rule for rule in ruleset.rules if rule.id.startswith("learned.")]
    assert 5 <= len(learned) <= 12
    assert run_examples(ruleset) == []
    for number, rule in enumerate(learned, start=1):
        assert rule.id == f"learned.corpus-mxwk.{number}"
        assert rule.kind == "line"
        found, of = map(int, RE_EVIDENCE.search(rule.description).groups())
        assert of == PAGES and 0.3 * PAGES <= found <= PAGES
        assert 1 <= len(rule.examples) <= 2
        varies = any(token in rule.pattern.pattern for token in (r"\d+", ".*?"))
        if varies:  # a line that varied shows two different real lines
            assert len({example.before for example in rule.examples}) == 2
        assert len(rule.pattern.pattern) < 120
    assert any(rule.title_group == "title" for rule in learned)
    template = {line.strip() for page in pages for line in page.template}
    body = {line.strip() for page in pages for line in page.body}
    for rule in learned:  # each rule is one of the site's lines, and no body line matches it
        assert any(rule.pattern.fullmatch(line) for line in template), rule.pattern.pattern
        assert not any(rule.pattern.fullmatch(line) for line in body), rule.pattern.pattern


def test_learned_edits_are_logged_with_evidence(site, learned_run):
    corpus, pages = site
    outdir, _ = learned_run
    rules = load_rules([outdir / "learned"])
    page = pages[1]
    doc = clean_file(corpus / "mxwk" / page.name, rules=rules)
    learned = [edit for edit in doc.edits if edit.rule_id.startswith("learned.corpus-mxwk.")]
    assert len(learned) >= len(page.template) - 1
    for edit in learned:
        assert RE_EVIDENCE.search(edit.reason), edit.reason
        assert edit.after == ""
    assert doc.title == page.title
    again = clean_text(doc.text, rules=rules)  # the learned rules find nothing more in their own output
    assert [edit.rule_id for edit in again.edits] == []


def test_reposted_body_is_kept(tmp_path):
    corpus = tmp_path / "corpus"
    pages = build_site(corpus / "mxwk", 40, seed=5, reposted=25)
    outdir = tmp_path / "out"
    run_corpus(CorpusOptions([corpus], outdir, workers=2))
    texts = texts_by_name(outdir)
    assert body_lines_lost(pages, texts) == []
    left, total = template_lines_left(pages, texts)
    assert left <= 0.05 * total, f"{left} of {total} template lines left"
    shared_body = set(pages[0].body[1:])
    for rule in load_rules([outdir / "learned"]).rules:
        if rule.id.startswith("learned."):
            assert not any(rule.pattern.fullmatch(line) for line in shared_body), rule.pattern.pattern
    written = (outdir / "learned" / "corpus-mxwk.toml").read_text(encoding="utf-8")
    assert not [line for line in shared_body if line in written]  # not even suggested


def test_a_body_reposted_without_template_learns_nothing(tmp_path):
    body, paths = build_reposts(tmp_path / "corpus" / "reposts", 30)
    written, errors = learn_templates(
        [(str(path), f"corpus/reposts/{path.name}") for path in paths], tmp_path / "learned", rules=load_rules()
    )
    assert (written, errors) == ({}, [])
    assert not (tmp_path / "learned").exists()
    summary = run_corpus(CorpusOptions([tmp_path / "corpus"], tmp_path / "out", workers=2, dedup=Dedup.off))
    assert summary["learned"] == []
    texts = texts_by_name(tmp_path / "out")
    assert len(texts) == 30
    assert all(compact(line) in text for text in texts.values() for line in body)


def test_lines_a_genre_shares_are_only_suggested(tmp_path):
    pages = build_notices(tmp_path / "corpus" / "notices", 30)
    outdir = tmp_path / "out"
    run_corpus(CorpusOptions([tmp_path / "corpus"], outdir, workers=2))
    assert body_lines_lost(pages, texts_by_name(outdir)) == []
    files = list((outdir / "learned").glob("*.toml"))
    assert files and "# pattern = '''特此通知。'''" in files[0].read_text(encoding="utf-8")
    assert not [rule.id for rule in load_rules([outdir / "learned"]).rules if rule.id.startswith("learned.")]


def test_small_groups_are_not_learned(tmp_path):
    build_site(tmp_path / "corpus" / "mxwk", 12)
    outdir = tmp_path / "out"
    summary = run_corpus(CorpusOptions([tmp_path / "corpus"], outdir, workers=1))
    assert summary["learned"] == []


def test_rules_learn_command_writes_rules_that_validate(site, tmp_path):
    corpus, _ = site
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def docmend(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "pipeline.cli", *args]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)

    result = docmend("rules", "learn", str(corpus), "-o", str(tmp_path / "learned"), "--workers", "1")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "learned" / "corpus-mxwk.toml").is_file()
    assert not (tmp_path / "learned" / "corpus.jsonl").exists()
    check = docmend("rules", "--rules", str(tmp_path / "learned"), "-v")
    assert check.returncode == 0, check.stderr
    assert "learned.corpus-mxwk.1" in check.stdout and "every example passes" in check.stdout


def test_memory_is_bounded_by_the_sample():
    rng = random.Random(3)

    def line() -> str:
        return "".join(chr(0x4E00 + rng.randint(0, 8000)) for _ in range(12))

    counter = GroupCounter("g", "folder g", sample_docs=60)
    for _ in range(400):
        counter.add(DocLines("g", "folder g", [(line(), "x", True, 1, 0.0) for _ in range(60)]))
    assert counter.docs == 60 and counter.seen == 400
    assert len(counter.templates) <= MAX_TEMPLATES
    assert len(counter.prose) == 60
    learner = CorpusLearner(LearnSettings())
    for number in range(MAX_GROUPS + 50):
        learner.add(DocLines(f"g{number}", "folder", [(line(), "x", True, 1, 0.0)]))
    assert len(learner.groups) == MAX_GROUPS


def test_masking_and_merging_keep_the_fixed_text():
    assert mask_line("上传时间：2023-05-17 编号 MX12a3f9c0d2e1", []) == "上传时间：\ue000-\ue000-\ue000 编号 MX\ue000a\ue000f\ue000c\ue000d\ue000e\ue000"
    assert mask_line("编号 a3f9c0d2e1ff") == "编号 \ue002"
    merged = merge_templates("《\ue001》由用户王小红上传分享", "《\ue001》由用户李明上传分享")
    assert merged == "《\ue001》由用户\ue003上传分享"


def test_ray_engine_applies_the_learned_rules(site, learned_run, tmp_path):
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'docmend[ray]')")
    pytest.importorskip("ray.data", reason="Ray Data is not installed (pip install 'docmend[ray]')")
    corpus, _ = site
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    try:
        outdir = tmp_path / "ray"
        summary = run_corpus(CorpusOptions([corpus], outdir, workers=2, engine=Engine.ray))
    finally:
        ray.shutdown()
    assert summary["engine"] == "ray" and summary["learned"]
    assert texts_by_name(outdir) == texts_by_name(learned_run[0])


def test_resume_keeps_the_learned_rules(site, learned_run, tmp_path):
    corpus, _ = site
    outdir = tmp_path / "out"
    shutil.copytree(learned_run[0], outdir)
    rule_file = outdir / "learned" / "corpus-mxwk.toml"
    rule_file.write_text(rule_file.read_text(encoding="utf-8") + "# checked by hand\n", encoding="utf-8")
    lines = (outdir / "corpus.jsonl").read_bytes().splitlines(keepends=True)
    (outdir / "corpus.jsonl").write_bytes(b"".join(lines[: len(lines) // 2]))
    summary = run_corpus(CorpusOptions([corpus], outdir, workers=2, resume=True))
    assert summary["resumed"] == len(lines) // 2
    assert rule_file.read_text(encoding="utf-8").endswith("# checked by hand\n")
    assert texts_by_name(outdir) == texts_by_name(learned_run[0])
