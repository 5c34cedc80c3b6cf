"""The quality record: han_share, removed_share, chars and the warnings for damage cleaning cannot repair."""

from __future__ import annotations

import pytest
from conftest import REFERENCE

from pipeline.document import Edit, apply_edits
from pipeline.quality import assess_quality, bilingual_switches, mojibake_share, spun_score
from pipeline.runner import clean_text
from pipeline.stages.damage import remove_anti_copy_noise

REF = REFERENCE.read_text(encoding="utf-8")
PARAS = REF.split("\n")

# a synonym spinner's substitutions: each word replaced by a rarer near-synonym, systematically
SPIN = {
    "意识形态": "认识形状", "党中央": "党核心", "网络": "网路", "治理": "管治", "重要": "紧要", "建设": "修筑",
    "工作": "劳作", "加强": "增强", "推动": "鞭策", "坚持": "对峙", "提升": "拔高", "主流": "干流",
    "内容": "实质", "管理": "打点", "思想": "想法", "问题": "题目", "安全": "稳妥", "深刻": "深切",
    "全面": "周全", "必须": "务必", "要求": "请求", "精神": "神气", "领导": "引导", "部门": "机关",
    "文化": "文明", "发展": "成长", "体系": "系统", "健全": "健康", "综合": "归纳", "形成": "构成",
    "良好": "杰出", "时代": "年代", "信息": "讯息", "国家": "邦国", "群众": "大众", "完善": "完美",
    "机制": "机理", "能力": "本领", "严格": "严酷", "充分": "足够", "积极": "踊跃", "持续": "连续",
    "不断": "一直", "有效": "管用", "切实": "实在", "建立": "创建", "规范": "标准", "舆论": "言论",
    "传播": "传布", "我们": "咱们", "营造": "营建", "清朗": "明朗", "空间": "空隙", "平台": "台子",
    "技术": "技能", "主体": "主干", "责任": "职责", "格局": "布局", "作用": "效用", "重大": "严重",
    "部署": "布置", "明确": "清楚",
}  # fmt: skip


def spin(text: str) -> str:
    for word, synonym in sorted(SPIN.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(word, synonym)
    return text


def kinds(record: dict) -> list[str]:
    return [w["kind"] for w in record["warnings"]]


def test_clean_sample(rules):
    record = assess_quality(REF, REF, [], {}, rules=rules)
    assert record["chars"] == len(REF)
    assert record["han_share"] > 0.85
    assert record["removed_share"] == 0.0
    assert record["warnings"] == []


def test_removed_share_counts_removing_stages(rules, scraped_text):
    doc = clean_text(scraped_text, rules=rules)
    record = assess_quality(doc.text, doc.original, doc.edits, doc.metadata, rules=rules)
    removed = sum(
        max(0, len(e.before) - len(e.after))
        for e in doc.edits
        if e.stage in ("damage", "boilerplate", "page_artefacts")
    )
    assert removed > 0
    assert record["removed_share"] == round(removed / len(scraped_text), 4)
    assert record["warnings"] == []
    extra = Edit("normalise", "normalise.whitespace", 0, 5, "     ", "", "spaces")
    assert assess_quality(doc.text, doc.original, [*doc.edits, extra], {}, rules=rules) == record


def test_empty_output(rules):
    record = assess_quality("", "《标题》由会员分享……", [], {}, rules=rules)
    assert record["chars"] == 0 and record["han_share"] == 0.0
    assert kinds(record) == ["no_body"]
    assert kinds(assess_quality(" \n。，", "x", [], {}, rules=rules)) == ["no_body"]


@pytest.mark.parametrize(
    "garbage",
    [
        "(cid:3)(cid:17)(cid:42)(cid:42)(cid:5) (cid:71)(cid:72)(cid:3)(cid:88)(cid:11)(cid:12)\n(cid:33)(cid:45)(cid:46)",
        "你好，世界。这是一个测试文档，用来检查乱码。".encode("gbk").decode("latin-1"),
        "你好，世界。这是一个测试文档，用来检查乱码。".encode().decode("cp1252", errors="replace"),
        "!\"#$ %&'( )*+, -./0 !#%& ()*+ $%&' ,-./ \"#$%",
    ],
)
def test_mojibake(rules, garbage):
    record = assess_quality(garbage, garbage, [], {}, rules=rules)
    assert "mojibake" in kinds(record)
    warning = record["warnings"][kinds(record).index("mojibake")]
    assert warning["score"] >= 0.3
    assert mojibake_share(REF) < 0.01


def test_noise(rules):
    noisy = "\n".join(p[:20] + "艹虫蚌衤袄裙" + p[20:] for p in PARAS[3:8])
    edits = remove_anti_copy_noise(noisy, rules=rules, metadata={})
    out = apply_edits(noisy, edits)
    record = assess_quality(out, noisy, edits, {}, rules=rules)
    assert kinds(record) == ["noise"]
    assert record["warnings"][0]["score"] == round(6 * 5 / len(noisy), 4)
    assert record["removed_share"] == record["warnings"][0]["score"]


def test_bilingual_interleaved(rules):
    text = "\n".join(
        [
            "The Cyberspace Administration held its annual meeting on January 4, where officials stressed that",
            "全国网信办主任会议于1月4日召开，会议强调，必须坚持以",
            "the governance system for online content must be improved in order to",
            "健全网络综合治理体系，推动形成良好网络生态，既是落实党管互联网原则的",
            "create a clean and healthy cyberspace for hundreds of millions of users and",
            "政治要求，也是营造清朗网络空间的治本之策，各级部门要",
            "take concrete measures to implement the decisions made at the meeting.",
            "切实履行职责，抓好贯彻落实。",
        ]
    )
    record = assess_quality(text, text, [], {}, rules=rules)
    assert "bilingual" in kinds(record)
    switches, share = bilingual_switches(text)
    assert switches == 6 and share == pytest.approx(6 / 7)
    # whole paragraphs in one language each, ending their sentences: a bilingual document, no warning
    paragraphs = "\n".join(
        [
            "The meeting stressed that the governance system must be improved.",
            "会议强调，必须健全网络综合治理体系。",
            "Officials called for concrete measures.",
            "会议要求各级部门切实履行职责。",
        ]
    )
    assert "bilingual" not in kinds(assess_quality(paragraphs, paragraphs, [], {}, rules=rules))


def test_spun(rules):
    spun = spin(REF)
    assert spun != REF and "网路归纳管治系统" in spun
    record = assess_quality(spun, spun, [], {}, rules=rules)
    assert kinds(record) == ["spun"]
    settings = rules.settings["quality"]
    assert record["warnings"][0]["score"] >= settings["spun_score"] > spun_score(REF, settings)


def test_spun_not_for_classical_text(rules):
    classical = (
        "帝高阳之苗裔兮，朕皇考曰伯庸。摄提贞于孟陬兮，惟庚寅吾以降。皇览揆余初度兮，肇锡余以嘉名。"
        "名余曰正则兮，字余曰灵均。纷吾既有此内美兮，又重之以修能。扈江离与辟芷兮，纫秋兰以为佩。"
    ) * 6
    assert spun_score(classical, rules.settings["quality"]) is None
    assert assess_quality(classical, classical, [], {}, rules=rules)["warnings"] == []
