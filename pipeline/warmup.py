"""Load, once, what cleaning the first document would otherwise load on the way (about a second).

A corpus worker warms up before its first document, so that the per-document time limit measures the
document and not the worker's start: the word dictionary and character statistics, OpenCC, the libraries
of the format readers, and every stage's compiled patterns (by cleaning a short built-in page).
"""

from __future__ import annotations

import importlib

from .rules import RuleSet

# A short scraped-looking page: site header, chunk markers, a page footer, a heading, half-width
# punctuation, a pinyin gloss, a traditional character; enough for every stage to build its patterns.
WARM_UP_PAGE = (
    "《关于加强网络安全工作的通知.docx》由会员分享,可在线阅读,更多相关《关于加强网络安全工作的通知.docx》请在第一文库网上搜索。\n"
    "1、一、总体要求\n"
    "为了保障网络安全(wǎng),维护网络空间主权和国家安全、社会公共利益,制定本法。\n"
    "2、各单位要认真贯彻落实,確保各项工作取得实效。\n"
    "第 1 页 共 2 页\n"
)
READER_LIBRARIES = ("pipeline.ingest", "pdfminer.high_level", "pdfminer.layout", "docx", "bs4")


def warm_up(rules: RuleSet) -> None:
    """Load the dictionaries, tables and reader libraries, and clean :data:`WARM_UP_PAGE` once (result unused)."""
    from . import language
    from .runner import clean_text

    for name in READER_LIBRARIES:
        try:
            importlib.import_module(name)
        except ImportError:  # an optional reader missing: its documents fail on their own, later
            pass
    language.dictionary_words()
    language.char_log_frequencies()
    language.bigram_table()
    language.simplified_code_points()
    language.opencc_converter("t2s")
    clean_text(WARM_UP_PAGE, rules=rules, source="warm-up", metadata={})
