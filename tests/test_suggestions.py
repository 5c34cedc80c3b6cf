"""Suggestions end to end: what the cleaner only flags (injected text it does not recognise, likely
masks without a reference) reaches ``doc.suggestions``, the JSON report and the review page."""

from __future__ import annotations

import html
import json

from test_review import CHROMIUM, dump_dom
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.rules import load_rules
from pipeline.runner import clean_text

RULES = load_rules()
LEAD = "网络治理需要政府、企业、社会组织和网民共同参与。"
TAIL = "各级网信部门要切实履行属地管理责任，压实网站平台主体责任。"
APHORISM = "书山有路勤为径，学海无涯苦作舟。"
KEYWORDS_INPUT = "春节,春节习俗,春节由来,春节故事"  # the normaliser makes the commas full-width
KEYWORDS = "春节，春节习俗，春节由来，春节故事"
COUPLET = "孤帆远影碧空尽，长江天际一点流。"
# what the cleaner flags but leaves in the text: (rule, flagged text)
EXPECTED = [
    ("damage.stock-aphorism", APHORISM),
    ("damage.keyword-run", KEYWORDS),
    ("damage.aphorism-like", COUPLET),
    ("restore.flag-masked-date", "*月*日"),
    ("restore.flag-masked-number", "党的*大"),
]
TEXT = "\n".join(
    [
        "同学们要珍惜时间，刻苦学习。" + APHORISM + "只有勤奋读书，才能取得好成绩。",
        KEYWORDS_INPUT,
        LEAD + COUPLET + TAIL,
        "*月*日召开的会议强调，要深入学习贯彻党的*大精神，做好网络安全工作。",
    ]
)


def flagged(suggestions) -> list[tuple[str, str]]:
    return sorted((s.rule_id, s.before) for s in suggestions)


def test_flags_reach_doc_suggestions_mapped_to_the_input():
    doc = clean_text(TEXT, rules=RULES)
    assert flagged(doc.suggestions) == sorted(EXPECTED)
    for suggestion in doc.suggestions:
        assert suggestion.before == suggestion.after  # flagged, not changed
        assert suggestion.before in doc.text
        in_input = doc.original[suggestion.input_start : suggestion.input_end]
        assert in_input == (KEYWORDS_INPUT if suggestion.before == KEYWORDS else suggestion.before)
    for _, snippet in EXPECTED:
        assert snippet in doc.text  # a suggestion never removes text


def test_flags_reach_the_report_and_the_review_page(tmp_path):
    source = tmp_path / "flags.txt"
    source.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["clean", str(source), "-o", str(out), "--format", "html"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "flags.report.json").read_text(encoding="utf-8"))
    assert sorted((s["rule"], s["before"]) for s in report["suggestions"]) == sorted(EXPECTED)
    for suggestion in report["suggestions"]:
        in_input = TEXT[suggestion["input_start"] : suggestion["input_end"]]
        assert in_input == (KEYWORDS_INPUT if suggestion["before"] == KEYWORDS else suggestion["before"])
        assert in_input in suggestion["context"] and suggestion["reason"]
    page = out / "flags.review.html"
    shown = dump_dom(page, tmp_path / "profile") if CHROMIUM else page.read_text(encoding="utf-8")
    assert f'id="suggestion-count">{len(EXPECTED)} suggestions' in shown
    for rule, snippet in EXPECTED:
        assert f"<mark>{html.escape(snippet)}</mark>" in shown, snippet
        assert rule in shown
