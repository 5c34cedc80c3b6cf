"""The ``docmend clean`` / ``docmend rules`` contract: outputs, exit codes, errors, atomic writes."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SCRAPED
from typer.testing import CliRunner

from pipeline import write
from pipeline.cli import app

runner = CliRunner()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_clean_sample_writes_text_and_report(tmp_path):
    before = digest(SCRAPED)
    result = invoke("clean", str(SCRAPED), "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    text = (tmp_path / "wangxin_scraped_diyiwenku.txt").read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[0] == "在调研网信工作强调要求"
    assert text.endswith("\n") and "" not in lines[:-1]
    report = json.loads((tmp_path / "wangxin_scraped_diyiwenku.report.json").read_text(encoding="utf-8"))
    assert report["title"] == "在调研网信工作强调要求"
    assert report["site"] == "diyiwenku"
    for change in report["changes"]:
        assert {"stage", "rule", "start", "end", "input_start", "input_end", "before", "after", "reason"} <= set(change)
    assert digest(SCRAPED) == before


def test_one_bad_input_does_not_stop_the_others(tmp_path):
    out = tmp_path / "out"
    missing = tmp_path / "missing.txt"
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = invoke("clean", str(missing), str(tmp_path), str(empty), str(SCRAPED), "-o", str(out))
    assert result.exit_code == 1
    assert (out / "wangxin_scraped_diyiwenku.txt").is_file()
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 3
    assert any("missing.txt" in line and "not found" in line for line in errors)
    assert any("empty" in line for line in errors)
    assert "Traceback" not in result.output
    assert not (out / "missing.txt").exists() and not (out / "empty.txt").exists()


def test_extra_formats(tmp_path):
    result = invoke("clean", str(SCRAPED), "-o", str(tmp_path), "--format", "md,docx", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    md = (tmp_path / "wangxin_scraped_diyiwenku.md").read_text(encoding="utf-8")
    assert md.startswith("# 在调研网信工作强调要求\n\n")
    assert "\n## 一、" in md
    record = json.loads((tmp_path / "wangxin_scraped_diyiwenku.jsonl").read_text(encoding="utf-8"))
    assert record["title"] == "在调研网信工作强调要求" and record["text"].startswith("在调研网信工作强调要求\n")
    from docx import Document

    paragraphs = [p.text for p in Document(str(tmp_path / "wangxin_scraped_diyiwenku.docx")).paragraphs]
    txt = (tmp_path / "wangxin_scraped_diyiwenku.txt").read_text(encoding="utf-8").splitlines()
    assert paragraphs == txt


def test_bad_usage_exits_2(tmp_path):
    assert invoke("clean", str(SCRAPED), "--format", "pdf", "-o", str(tmp_path)).exit_code == 2
    assert invoke("clean").exit_code == 2
    assert invoke("clean", str(SCRAPED), "--complete", "-o", str(tmp_path)).exit_code == 2


def test_bad_rule_file_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "rules"
    bad.mkdir()
    (bad / "mine.toml").write_text(
        '[[rule]]\nid = "x.bad"\ndescription = "d"\npattern = "(unclosed"\n', encoding="utf-8"
    )
    result = invoke("clean", str(SCRAPED), "--rules", str(bad), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "mine.toml" in result.output and "x.bad" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    assert invoke("rules", "--rules", str(bad)).exit_code == 2


def test_user_rules_layer_adds_a_rule(tmp_path):
    extra = tmp_path / "rules" / "sites"
    extra.mkdir(parents=True)
    (extra / "mysite.toml").write_text(
        '[site]\nid = "mysite"\nname = "我的站"\n[[rule]]\nid = "mysite.ad"\nkind = "line"\n'
        'description = "my ad line"\npattern = "本文由我的站整理.*"\n'
        '[[rule.example]]\nbefore = "本文由我的站整理发布\\n正文。"\nafter = "正文。"\n',
        encoding="utf-8",
    )
    doc = tmp_path / "doc.txt"
    doc.write_text("本文由我的站整理发布\n正文第一段。\n", encoding="utf-8")
    result = invoke("clean", str(doc), "--rules", str(tmp_path / "rules"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "doc.txt").read_text(encoding="utf-8") == "正文第一段。\n"
    listing = invoke("rules", "--rules", str(tmp_path / "rules"))
    assert listing.exit_code == 0 and "mysite" in listing.output


def test_rules_command_validates_every_example():
    result = invoke("rules")
    assert result.exit_code == 0, result.output
    assert "every example passes" in result.output


def test_never_overwrites_the_input(tmp_path):
    doc = tmp_path / "note.txt"
    doc.write_text("正文,一段。\n", encoding="utf-8")
    before = digest(doc)
    result = invoke("clean", str(doc), "-o", str(tmp_path))
    assert result.exit_code == 2 and "overwrite the input" in result.output
    assert digest(doc) == before


def test_crash_while_writing_leaves_old_file_and_no_partial_file(tmp_path):
    target = tmp_path / "x.txt"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), write.atomic_writer(target) as handle:
        handle.write("half of the new te")
        raise RuntimeError("killed mid-write")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.txt"]


def test_console_script_runs(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "clean", str(SCRAPED), "-o", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "wangxin_scraped_diyiwenku.txt").is_file()


def test_page_of_only_boilerplate_says_no_body(tmp_path):
    page = tmp_path / "download.txt"
    page.write_text(
        "《某文件.docx》由会员分享,可在线阅读,更多相关《某文件.docx(3页珍藏版)》请在第一文库网上搜索。\n展开阅读全文\n",
        encoding="utf-8",
    )
    result = invoke("clean", str(page), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "no document body found" in result.output
    report = json.loads((tmp_path / "out" / "download.report.json").read_text(encoding="utf-8"))
    assert report["status"] == "no document body found"
    assert (tmp_path / "out" / "download.txt").read_text(encoding="utf-8") == ""


def test_to_simplified_only_when_asked(tmp_path):
    doc = tmp_path / "trad.txt"
    doc.write_text("網絡綜合治理體系建設取得新進展。\n", encoding="utf-8")
    assert invoke("clean", str(doc), "-o", str(tmp_path / "keep")).exit_code == 0
    assert (tmp_path / "keep" / "trad.txt").read_text(encoding="utf-8") == "網絡綜合治理體系建設取得新進展。\n"
    assert invoke("clean", str(doc), "-o", str(tmp_path / "simp"), "--to-simplified").exit_code == 0
    assert (tmp_path / "simp" / "trad.txt").read_text(encoding="utf-8") == "网络综合治理体系建设取得新进展。\n"
    report = json.loads((tmp_path / "simp" / "trad.report.json").read_text(encoding="utf-8"))
    assert any(change["stage"] == "damage" and "網" in change["before"] for change in report["changes"])


def test_unrelated_reference_restores_nothing_and_says_so(tmp_path):
    unrelated = SCRAPED.parent.parent / "tests" / "fixtures" / "sites" / "docin.txt"
    result = invoke("clean", str(SCRAPED), "--reference", str(unrelated), "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "not the same document" in result.output and "nothing restored" in result.output
    report = json.loads((tmp_path / "wangxin_scraped_diyiwenku.report.json").read_text(encoding="utf-8"))
    assert not [c for c in report["changes"] if c["stage"] == "restore"]
    assert report["metadata"]["reference_status"].startswith("unrelated")
