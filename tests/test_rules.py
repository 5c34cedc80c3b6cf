"""Rule files: every example runs, bad files fail clearly, and every site fixture is cleaned right."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from pipeline.errors import RuleError
from pipeline.examples import run_example
from pipeline.rules import load_rules, required_literals
from pipeline.runner import CLEANING_STEPS, clean_text

RULES = load_rules()
FIXTURES = Path(__file__).parent / "fixtures" / "sites"
SITES_REQUIRED = {
    "diyiwenku", "renrendoc", "jinchutou", "book118", "doc88", "docin", "baiduwenku", "360doc", "bingdian", "doczj",
}


@pytest.mark.parametrize(
    "example",
    [e for e in RULES.examples if e.stage != "restore"],
    ids=lambda e: f"{e.path.name}:{e.rule_id or 'file'}",
)
def test_rule_example(example):
    assert run_example(example, RULES) == example.after


def test_required_sites_and_rules_present():
    assert SITES_REQUIRED <= {site.id for site in RULES.sites}
    for site in RULES.sites:
        assert site.rule_ids, site.id
    for rule in RULES.rules:
        assert rule.examples or rule.stage != "boilerplate", f"{rule.id} has no example"


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.txt")), ids=lambda p: p.stem)
def test_site_fixture_must_keep_and_must_drop(fixture):
    expect = tomllib.loads(fixture.with_suffix(".expect.toml").read_text(encoding="utf-8"))
    doc = clean_text(fixture.read_text(encoding="utf-8"), rules=RULES)
    for snippet in expect["must_drop"]:
        assert snippet not in doc.text, f"kept boilerplate {snippet!r}"
    for snippet in expect["must_keep"]:
        assert snippet in doc.text, f"lost body text {snippet!r}"
    assert doc.metadata.get("site") == fixture.stem
    assert not doc.warnings


REMOVING_STAGES = ("boilerplate", "page_artefacts", "damage")  # the stages that take text out


def clean_without(text: str, *stages: str) -> str:
    """``text`` cleaned with the given stages switched off."""
    return clean_text(text, rules=RULES, steps=[step for step in CLEANING_STEPS if step.stage not in stages]).text


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.txt")), ids=lambda p: p.stem)
def test_site_fixture_checks_can_fail(fixture):
    """Each must-drop is in the output once the stage that removes it is switched off (or, for text two
    stages remove, all of them): a snippet the normaliser rewrites, or that is never in the text, could
    never fail. And no must-keep is matched by text those stages remove: leftover chrome cannot pass
    for body text."""
    expect = tomllib.loads(fixture.with_suffix(".expect.toml").read_text(encoding="utf-8"))
    text = fixture.read_text(encoding="utf-8")
    full = clean_text(text, rules=RULES).text
    without = {stage: clean_without(text, stage) for stage in REMOVING_STAGES}
    without_any = clean_without(text, *REMOVING_STAGES)
    for snippet in expect["must_drop"]:
        back = [stage for stage, out in without.items() if snippet in out] or (snippet in without_any and ["all"])
        assert back, f"must-drop {snippet!r} is not in the output even with {REMOVING_STAGES} off: it cannot fail"
    for snippet in expect["must_keep"]:
        for stage, out in [*without.items(), ("all", without_any)]:
            assert out.count(snippet) <= full.count(snippet), f"must-keep {snippet!r} also matches what {stage} removes"


def test_reference_text_untouched_by_boilerplate(reference_text):
    doc = clean_text(reference_text, rules=RULES)
    assert not [e for e in doc.edits if e.stage == "boilerplate"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[[rule]]\nid = 'a.b'\ndescription = 'd'\npattern = '(unclosed'\n", "bad regular expression"),
        ("[[rule]]\nid = 'Bad Id'\ndescription = 'd'\npattern = 'x'\n", "id"),
        ("[[rule]]\nid = 'a.b'\npattern = 'x'\n", "description"),
        ("[[rule]]\nid = 'a.b'\ndescription = 'd'\npattern = 'x'\nkind = 'everything'\n", "kind"),
        ("[[rule]]\nid = 'a.b'\ndescription = 'd'\npattern = 'x'\ncolour = 'red'\n", "unknown keys"),
        ("[[rule]]\nid = 'a.b'\ndescription = 'd'\npattern = 'x'\ntitle_group = 't'\n", "title_group"),
        ("this is = = not toml", "not valid TOML"),
        ("[site]\nname = 'x'\n", "[site]"),
        ("[[rule]]\nid = 'page.dashed-number'\ndescription = 'd'\npattern = 'x'\n", "duplicate rule id"),
    ],
)
def test_bad_rule_file_names_file_and_problem(tmp_path, content, message):
    (tmp_path / "broken.toml").write_text(content, encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_rules([tmp_path])
    assert "broken.toml" in str(info.value) and message in str(info.value)


def test_non_utf8_rule_file(tmp_path):
    (tmp_path / "gbk.toml").write_bytes("[[rule]]\nid = 'a.b'\ndescription = '中文'\npattern = 'x'\n".encode("gbk"))
    with pytest.raises(RuleError, match="not UTF-8"):
        load_rules([tmp_path])


def test_required_literals_are_sound():
    assert required_literals(r"《(?P<title>.+?)》由会员分享.*第一文库网上搜索。?") == ("第一文库网上搜索",)
    assert required_literals("a|bc") is None
    assert required_literals("(?i)abc") is None
    assert required_literals(r"(?:第一|第二)文库网") == ("第一文库网", "第二文库网")
    either = required_literals(r"(?:第一文库|第二文库)网")
    assert either and len(either) == 2
    assert any(lit in "第一文库网" for lit in either) and any(lit in "第二文库网" for lit in either)
    assert required_literals(r"\p{Han}{2}下载吧(?:谢谢)?") == ("下载吧",)
    assert required_literals(r"(?:abc)*xyz|(?:def)?") is None
    # small classes (traditional variants) multiply the run instead of cutting it
    assert required_literals(r"[还還]剩\d+[页頁]未[读讀]") == ("页未读", "页未讀", "頁未读", "頁未讀")
    assert set(required_literals(r"下[载載]本文[档檔]") or ()) == {"下载本文档", "下载本文檔", "下載本文档", "下載本文檔"}
    assert required_literals(r"[^载]下") is None  # a negated class is no literal


def test_literal_prefilter_never_skips_a_real_match():
    for rule in RULES.rules:
        for example in rule.examples:
            if rule.pattern.search(example.before):
                assert rule.may_match(example.before), rule.id


def test_literal_scan_finds_every_line_a_plain_search_finds():
    from pipeline.stages.boilerplate import _lines_by_literal

    line_rules = [rule for rule in RULES.for_stage("boilerplate") if rule.kind == "line"]
    literals = sorted({lit for rule in line_rules if rule.literals for lit in rule.literals})
    lines = [literals[i] + literals[(i * 7 + 3) % len(literals)][1:] + "正文" for i in range(len(literals))]
    lines += ["上传人上传时间", "资源描述", "下载次数下载积分", "本文档由用户提供并上传，普通正文。"]
    text = "\n".join(lines)
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    found = _lines_by_literal(text, starts, line_rules)
    for literal in literals:
        assert found[literal] == {k for k, line in enumerate(lines) if literal in line}, literal
