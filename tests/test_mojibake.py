"""Mojibake (UTF-8 read as Latin-1 / Windows-1252) repaired by ftfy's encoding fixes, logged, before the other
stages; Chinese full-width punctuation untouched; C1-control mojibake no longer rejected as binary."""

from __future__ import annotations

import pytest
from conftest import SCRAPED
from hypothesis import given, settings
from hypothesis import strategies as st

import docmend
from pipeline.document import apply_edits, replay
from pipeline.ingest import read_document
from pipeline.stages.mojibake import fix_mojibake, is_c1_mojibake

SAMPLE = SCRAPED.read_text(encoding="utf-8")


def latin1(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


def cp1252(text: str) -> str:
    return text.encode("utf-8").decode("sloppy-windows-1252")


@pytest.mark.parametrize("damage", [latin1, cp1252], ids=["latin-1 (C1 controls)", "windows-1252"])
def test_whole_document_mojibake_cleans_like_the_original(damage):
    expected = docmend.clean(SAMPLE)
    result = docmend.clean(damage(SAMPLE))
    assert result.text == expected.text and result.title == expected.title
    repairs = [edit for edit in result.edits if edit["rule"] == "normalise.mojibake"]
    assert repairs and all(edit["step"] == 0 for edit in repairs)  # the first step, before normalise_unicode
    assert not [w for w in result.quality["warnings"] if w["kind"] == "mojibake"]
    assert replay(result.document.original, result.document.edits) == result.text


def test_one_damaged_line_is_one_edit_of_the_damaged_part():
    text = f"正常的第一段，没有问题。\n标题：{cp1252('文档下载')}（全文）\n“引号”——破折号…Ａ１"
    edits = fix_mojibake(text, rules=None, metadata={})  # type: ignore[arg-type]
    assert [(e.before, e.after) for e in edits] == [(cp1252("文档下载"), "文档下载")]


def test_chinese_punctuation_and_latin_text_are_not_touched():
    text = "“引号”、‘单引号’——破折号……（括号）ＡＢＣ１２３\ncafé déjà vu — naïve Ürümqi, 1–2 €5\n"
    assert fix_mojibake(text, rules=None, metadata={}) == []  # type: ignore[arg-type]


def test_c1_mojibake_file_is_read_not_rejected_as_binary(tmp_path):
    path = tmp_path / "c1.txt"
    path.write_text(latin1(SAMPLE), encoding="utf-8")
    assert read_document(path).text.startswith(latin1(SAMPLE[:20]))
    assert docmend.clean_file(path).text == docmend.clean(SAMPLE).text


def test_real_binary_control_characters_are_still_binary(tmp_path):
    path = tmp_path / "noise.txt"
    path.write_text("\x85\x90\x91\x92 data " * 200, encoding="utf-8")
    assert not is_c1_mojibake(path.read_text(encoding="utf-8"))
    with pytest.raises(docmend.IngestError, match="binary"):
        read_document(path)


def test_what_ftfy_cannot_repair_keeps_the_warning():
    broken = cp1252("这是一份被损坏的文档，无法完全恢复其中的内容。" * 3).replace("€", "?").replace("æ", "?")
    result = docmend.clean(broken)
    assert any(w["kind"] == "mojibake" for w in result.quality["warnings"])


@settings(max_examples=80, deadline=None, derandomize=True)
@given(st.text(alphabet=st.sampled_from("中文字符测试，。“”《》——…ＡＢ１２ abcé\n"), max_size=80))
def test_repair_undoes_the_damage_and_leaves_clean_text_alone(text):
    assert fix_mojibake(text, rules=None, metadata={}) == []  # type: ignore[arg-type]
    damaged = cp1252(text)
    repaired = apply_edits(damaged, fix_mojibake(damaged, rules=None, metadata={}))  # type: ignore[arg-type]
    # each line is either given back exactly or left as it was: never repaired into something else. ftfy
    # leaves some lines alone (a lone short run such as one ２; 字 next to Latin letters, whose middle byte
    # reads as a soft hyphen: '字文acb'), so "given back" is not asserted here but on whole documents above.
    for original, damaged_line, line in zip(text.split("\n"), damaged.split("\n"), repaired.split("\n"), strict=True):
        assert line in (original, damaged_line)
