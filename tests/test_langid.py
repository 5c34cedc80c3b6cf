"""``lang`` and ``script`` in every quality record: py3langid (model shipped in the package) and OpenCC's tables."""

from __future__ import annotations

import json

import pytest
from conftest import REFERENCE, SCRAPED

import docmend
from pipeline.corpus import CorpusOptions, run_corpus
from pipeline.langid import chinese_script, language_and_script
from pipeline.language import opencc_converter

CASES = [
    ("坚持以人民为中心的发展思想，推进各项工作落到实处。", "zh", "Hans"),
    ("堅持以人民為中心的發展思想，推進各項工作落到實處。", "zh", "Hant"),
    ("これは日本語の文章です。東京の会議で予算が承認されました。", "ja", "Jpan"),
    ("한국어 문장입니다. 서울에서 예산이 승인되었습니다.", "ko", "Kore"),
    ("The committee approved the annual budget on Monday after a long debate.", "en", "Latn"),
    ("Der Ausschuss hat den Jahreshaushalt am Montag nach langer Debatte genehmigt.", "de", "Latn"),
    ("Комитет утвердил годовой бюджет в понедельник после долгих дебатов.", "ru", "Cyrl"),
]


@pytest.mark.parametrize(("text", "lang", "script"), CASES)
def test_language_and_script(text, lang, script):
    assert language_and_script(text) == {"lang": lang, "script": script}


def test_no_letters_no_language():
    assert language_and_script("1234 — 5678。") == {"lang": None, "script": None}


def test_script_follows_opencc_conversion():
    simplified = SCRAPED.read_text(encoding="utf-8")
    traditional = opencc_converter("s2t").convert(simplified)
    assert traditional != simplified
    assert chinese_script(simplified) == "Hans" and chinese_script(traditional) == "Hant"


def test_every_quality_record_has_lang_and_script(tmp_path):
    scraped = docmend.clean_file(SCRAPED).quality
    assert (scraped["lang"], scraped["script"]) == ("zh", "Hans")
    result = docmend.clean_file(REFERENCE)
    assert (result.quality["lang"], result.quality["script"]) == ("zh", "Hans")
    traditional = docmend.clean(opencc_converter("s2t").convert(SCRAPED.read_text(encoding="utf-8")))
    assert (traditional.quality["lang"], traditional.quality["script"]) == ("zh", "Hant")
    summary = run_corpus(CorpusOptions(inputs=[SCRAPED], outdir=tmp_path / "out", workers=1, timeout=None))
    record = json.loads((tmp_path / "out" / summary["shards"][0]).read_text(encoding="utf-8"))
    assert record["quality"]["lang"] == "zh" and record["quality"]["script"] == "Hans"
