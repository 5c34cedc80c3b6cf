"""The learned chrome line classifier (pipeline/stages/chrome/line_model.py): its weights are data
(rules/common/chrome_model.toml) that scripts/train_chrome_model.py reproduces from the labelled tuning lines;
it removes only lines it is sure of in the page's head (or next to chrome), never prose, and says why."""

from __future__ import annotations

import copy
import importlib.util
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.document import replay
from pipeline.rules import RuleSet, load_rules
from pipeline.runner import clean_text
from pipeline.stages.chrome import flag_chrome, strip_chrome
from pipeline.stages.chrome.blocks import BlockSettings
from pipeline.stages.chrome.data import ChromeSettings, load_lexicon
from pipeline.stages.chrome.line_model import FEATURES, ChromeModel, line_features, removable
from pipeline.stages.chrome.score import score_lines

ROOT = Path(__file__).resolve().parent.parent
TUNING = ROOT / "tests" / "fixtures" / "real_tuning"
_RULES = load_rules()


def _trainer():
    spec = importlib.util.spec_from_file_location("train_chrome_model", ROOT / "scripts" / "train_chrome_model.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["train_chrome_model"] = module
    spec.loader.exec_module(module)
    return module


def _without_model(rules: RuleSet) -> RuleSet:
    out = copy.copy(rules)
    out.settings = {**rules.settings, "chrome_model": {"enabled": False}}
    return out


def test_model_loads_from_data(rules):
    """The weights, bias and thresholds are those of the rule file, feature by feature; a rule set without
    the table (or with ``enabled = false``) has no model, and then nothing is removed as ``chrome.model``."""
    table = tomllib.loads((ROOT / "rules" / "common" / "chrome_model.toml").read_text(encoding="utf-8"))
    table = table["chrome_model"]
    model = ChromeModel.read(rules)
    assert model is not None
    assert model.features == FEATURES and set(table["weights"]) == set(FEATURES)
    assert np.allclose(model.weights, [table["weights"][name] for name in FEATURES])
    assert (model.bias, model.remove_at, model.flag_at) == (table["bias"], table["remove_at"], table["flag_at"])
    assert 0.8 <= model.remove_at < 1 and model.flag_at < model.remove_at
    assert ChromeModel.read(_without_model(rules)) is None
    broken = copy.copy(rules)
    broken.settings = {**rules.settings, "chrome_model": {**table, "weights": {"no_such_feature": 1.0}}}
    with pytest.raises(ValueError, match="no_such_feature"):
        ChromeModel.read(broken)


def test_trainer_reproduces_the_shipped_weights_and_loses_no_body_line():
    """Training is deterministic: the trainer gives the shipped file byte for byte. Its leave-one-site-out
    figures at the shipped threshold: no body line removed beyond what the hand-set score removes, and some
    chrome lines caught that the hand-set score leaves."""
    trainer = _trainer()
    rules = load_rules()
    assert trainer.train(rules, verbose=False) == trainer.MODEL_FILE.read_text(encoding="utf-8")
    pages = trainer.load_pages(rules)
    assert {p.site for p in pages} and all(len(p.labels) == len(p.items) for p in pages)
    _strength, figures = trainer.choose(pages, rules, verbose=False)
    assert figures.lost == 0
    assert figures.caught_new > 0


def test_a_model_only_removal_on_a_tuning_page_says_why():
    """On a tuning page (a traditional-script paper site's rows of subject links), the menu lines the hand-set
    rules leave go as ``chrome.model`` edits, each with its probability and the features behind it; with
    the model switched off they stay. Nothing of the body goes."""
    page = TUNING / "donglienglish_19839.txt"
    raw = page.read_text(encoding="utf-8")
    with_model = clean_text(raw, rules=_RULES)
    without = clean_text(raw, rules=_without_model(_RULES))
    removed = [e for e in with_model.edits if e.rule_id == "chrome.model"]
    assert any(e.before.strip().startswith("電氣工程 會計論文 金融論文") for e in removed)
    for edit in removed:
        assert edit.after == "" and "learned chrome model (p=" in edit.reason and "page head" in edit.reason
        assert edit.before.strip() not in with_model.text
    assert "電氣工程" in without.text and "電氣工程" not in with_model.text
    assert replay(raw, with_model.edits) == with_model.text
    expect = tomllib.loads(page.with_suffix(".expect.toml").read_text(encoding="utf-8"))
    assert all(snippet in with_model.text for snippet in expect["must_keep"])


def test_tuning_pages_lose_no_labelled_body_line_to_the_model():
    """Every ``chrome.model`` removal on every tuning page is a line labelled chrome
    (tests/fixtures/real_tuning/labels/)."""
    trainer = _trainer()
    for page in sorted(TUNING.glob("*.txt")):
        raw = page.read_text(encoding="utf-8")
        labels = trainer.read_labels(TUNING / "labels" / f"{page.stem}.tsv", raw)
        keys = {trainer.line_key(raw.split("\n")[n - 1]): label for n, label in labels.items()}
        for edit in clean_text(raw, rules=_RULES).edits:
            if edit.rule_id == "chrome.model":
                assert keys.get(trainer.line_key(edit.before)) == "chrome", (page.name, edit.before)


PROSE_LINES = [
    "在这个过程中，我们发现了一个重要的问题，那就是数据的质量往往决定了模型的效果。",
    "为了解决这个问题，我们对已有的方法做了比较，并且提出了一种更简单的做法。",
    "实验的结果表明，这种做法在多数情况下都是有效的，而且它的代价也很小。",
    "他说：“我们还是先把这件事做完，再去想下一步。”",
    "这是什么？",
    "先看结果。",
    # short sentences holding chrome words (下载 首页 收藏 评论): evidence for chrome, yet prose
    "他在下载页面上等了很久。",
    "我们在首页看到了这个消息，于是转发给了朋友。",
    "收藏的人很多，评论的人很少。",
]
CHROME_LINES = [
    "网站首页 | 新闻中心 | 关于我们",
    "登录 | 注册",
    "发布时间:2021-11-24 10:27:05 来源:互联网",
    "2366人阅读 评论(0) 收藏 举报",
    "www.example.com/news/1.html",
    "• 首页 |",
    "• 毕业论文 |",
    "搜索 高级搜索",
    "关 键 词:",
    "|",
]
BODY_SHAPES = ["二、研究方法", "静夜思", "床前明月光", "前言", "张三", "一种数据处理方法及装置", "• 需求文档"]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(PROSE_LINES + CHROME_LINES + BODY_SHAPES), min_size=1, max_size=30))
def test_prose_is_never_removed_by_the_model(line_list):
    """Whatever the order of prose, chrome and short body lines, the model removes no line that reads as
    prose or ends a sentence, only whole lines of the page's head or of a gap between body lines, each with
    its probability in the reason; and it flags nothing it removed."""
    page = "\n".join(line_list) + "\n"
    edits = strip_chrome(page, rules=_RULES, metadata={})
    for edit in edits:
        if edit.rule_id != "chrome.model":
            continue
        line = edit.before.strip()
        assert line not in PROSE_LINES and not line.endswith(("。", "？", "！", "”"))
        assert edit.after == "" and (edit.before.endswith("\n") or edit.end == len(page))
        assert "learned chrome model (p=" in edit.reason
        assert ("page head" in edit.reason) or ("among short lines" in edit.reason)
    flags = flag_chrome(page, rules=_RULES, metadata={})
    removed = {(e.start, e.end) for e in edits if e.rule_id == "chrome.model"}
    assert not [f for f in flags if f.rule_id == "chrome.model-flagged" and (f.start, f.end + 1) in removed]


def test_the_model_removes_nothing_in_the_tail_whatever_it_thinks():
    """The tuning pages hold no chrome in a page's tail: there no line is removable even if the model were
    sure of every one; the same menu at the page's head is (a run holding a line the hand-set score
    removes)."""
    cfg, blocks = ChromeSettings.read(_RULES), BlockSettings.read(_RULES)
    body = "为了帮助大家更好地理解平台设计思想，本文将具体介绍各关键部分的代码实现。\n" * 3
    menu = "• 首页 |\n• 毕业论文 |\n• 论文格式 |\n• 个人简历 |\n"
    for page, zone in ((body + menu, "tail"), ("标题\n" + menu + body, "head")):
        items = score_lines(page, cfg, load_lexicon(_RULES), {})
        features = line_features(page, items, cfg, blocks)
        allowed = removable(page, items, features, np.ones(len(items), dtype=bool), cfg, {})
        menu_lines = [i for i, item in enumerate(items) if item.line.startswith("•")]
        assert len(menu_lines) == 4 and all(items[i].zone == zone for i in menu_lines)
        assert allowed[menu_lines].any() == (zone == "head")
