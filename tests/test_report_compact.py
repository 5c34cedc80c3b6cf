"""The compact edit log and report: mass substitutions as one record, the report streamed, replay exact.

* a written report, compact or full, parses to :func:`build_report` and replays to the output;
* a width fix made at many places is one ``substitutions`` record whose positions point at the marks;
* the default report of a scraped document stays within twice the input's size;
* the confirming pass skips a step only when neither the text nor the metadata changed since it last
  changed nothing.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from corpus_gen import TextMaker, scrape
from hypothesis import given
from hypothesis import strategies as st
from test_properties import FRAGMENTS, PROFILE, RULES
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.document import Edit, Substitutions, apply_edits, replay
from pipeline.edit_log import MIN_GROUP, EditLog
from pipeline.errors import StageError
from pipeline.report import build_report, replay_report, write_report
from pipeline.runner import Step, clean_text

# commas between Han characters often enough that the width fix makes substitution groups
comma_heavy = st.lists(st.sampled_from([*FRAGMENTS, *["网络,安全", "治理;体系", "指出:当前"] * 6]), max_size=150).map(
    "".join
)


def written(doc: Any, detail: str) -> dict[str, Any]:
    buffer = io.BytesIO()
    write_report(buffer, doc, detail=detail)
    return json.loads(buffer.getvalue())


@PROFILE
@given(comma_heavy)
def test_written_report_replays_to_output_in_either_detail(text: str) -> None:
    doc = clean_text(text, rules=RULES)
    for detail in ("compact", "full"):
        report = written(doc, detail)
        assert report == json.loads(json.dumps(build_report(doc, detail=detail), ensure_ascii=False))
        assert replay_report(doc.original, report) == doc.text
    assert replay(doc.original, doc.edits) == doc.text


def test_mass_width_fix_is_one_record_with_positions() -> None:
    text = "".join(f"第{n}条网络,安全;" for n in range(40)) + "\n"
    doc = clean_text(text, rules=RULES)
    report = written(doc, "compact")
    records = {(r["before"], r["after"]): r for r in report["substitutions"]}
    assert set(records) == {(",", "，"), (";", "；")}
    comma = records[(",", "，")]
    assert comma["count"] == 40 == len(comma["positions"]) == len(comma["input_positions"])
    assert all(text[p] == "," for p in comma["input_positions"])
    assert report["counts"]["by_rule"]["normalise.punctuation"] == 80
    assert not [c for c in report["changes"] if c["rule"] == "normalise.punctuation"]
    full = written(doc, "full")
    assert "substitutions" not in full
    assert len([c for c in full["changes"] if c["rule"] == "normalise.punctuation"]) == 80
    assert replay_report(doc.original, report) == replay_report(doc.original, full) == doc.text


def test_default_report_of_a_scrape_is_at_most_twice_the_input() -> None:
    maker = TextMaker(3)
    lines = scrape("关于加强网络综合治理的通知", [maker.paragraph() for _ in range(600)])
    text = "\n".join(lines) + "\n"
    doc = clean_text(text, rules=RULES)
    compact = io.BytesIO()
    write_report(compact, doc)
    full = io.BytesIO()
    write_report(full, doc, detail="full")
    size = len(text.encode())
    assert len(compact.getvalue()) <= 2 * size < len(full.getvalue())
    assert json.loads(compact.getvalue())["substitutions"]


def test_few_substitutions_stay_ordinary_edits_with_context() -> None:
    text = "网络,安全。" * (MIN_GROUP - 1)
    doc = clean_text(text, rules=RULES)
    report = written(doc, "compact")
    assert not report["substitutions"]
    width = [c for c in report["changes"] if c["rule"] == "normalise.punctuation"]
    assert len(width) == MIN_GROUP - 1 and all("context" in c for c in width)


def test_substitutions_apply_and_check_like_the_edits_they_stand_for() -> None:
    import numpy as np

    from pipeline.document import check_edits

    text = "甲,乙,丙,丁"
    sub = Substitutions("normalise", "r", ",", "，", "width", np.array([1, 3, 5]))
    assert apply_edits(text, [sub]) == apply_edits(text, list(sub.edits())) == "甲，乙，丙，丁"
    with pytest.raises(StageError, match="overlaps"):
        check_edits(text, [sub, Edit("s", "x", 2, 4, "乙,", "", "drop")], "s")
    with pytest.raises(StageError, match="does not match"):
        check_edits(text, [Substitutions("s", "r", ",", "，", "width", np.array([0]))], "s")
    log = EditLog()
    assert log.apply_and_record(text, [sub]) == "甲，乙，丙，丁"
    assert [e[:7] for e in log] == [e[:7] for e in sub.edits()] and len(log) == 3
    assert [(e.step, e.input_start) for e in log] == [(0, 1), (0, 3), (0, 5)]


def test_cli_report_detail_option(tmp_path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("网络,安全;" * 30 + "\n", encoding="utf-8")
    invoke = CliRunner().invoke
    assert invoke(app, ["clean", str(source), "-o", str(tmp_path / "none"), "--report", "none"]).exit_code == 0
    assert not (tmp_path / "none" / "in.report.json").exists() and (tmp_path / "none" / "in.txt").exists()
    assert invoke(app, ["clean", str(source), "-o", str(tmp_path / "full"), "--report", "full"]).exit_code == 0
    full = json.loads((tmp_path / "full" / "in.report.json").read_text(encoding="utf-8"))
    assert full["detail"] == "full" and "substitutions" not in full
    assert invoke(app, ["clean", str(source), "-o", str(tmp_path / "bad"), "--report", "huge"]).exit_code == 2


def test_confirming_pass_reruns_a_quiet_step_when_the_metadata_changed() -> None:
    def edit_c(text: str, *, rules: Any, metadata: dict[str, Any]) -> list[Edit]:
        at = text.find("c")
        return [Edit("t", "c", at, at + 1, "c", "C", "c")] if at >= 0 else []

    def x_to_y_when_flagged(text: str, *, rules: Any, metadata: dict[str, Any]) -> list[Edit]:
        at = text.find("x")
        return [Edit("t", "x", at, at + 1, "x", "y", "flagged")] if metadata.get("flag") and at >= 0 else []

    def flag(text: str, *, rules: Any, metadata: dict[str, Any]) -> list[Edit]:
        metadata["flag"] = True
        return []

    steps = (Step("t", "c", edit_c), Step("t", "x", x_to_y_when_flagged), Step("t", "flag", flag))
    doc = clean_text("cx", rules=RULES, steps=steps)
    assert doc.text == "Cy"
