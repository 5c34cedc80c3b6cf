"""The content-block classifier of the chrome stage (pipeline/stages/chrome/blocks.py), on small invented
pages: what it removes at a page's head and tail beyond the line scorer, and the body lines of the same
shapes (a heading, a list of short items, a poem) that it keeps. Precision first: each removal has its
counterpart that stays."""

from __future__ import annotations

import bisect
import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.document import apply_edits
from pipeline.rules import load_rules
from pipeline.stages.chrome import flag_chrome, strip_chrome
from pipeline.stages.chrome.blocks import BAD, GOOD, SHORT, BlockSettings, classify, link_like, own_class
from pipeline.stages.chrome.data import ChromeSettings, load_lexicon
from pipeline.stages.chrome.score import lines, score_lines

_RULES = load_rules()
PROSE = (
    "在这个过程中，我们发现了一个重要的问题，那就是数据的质量往往决定了模型的效果。\n"
    "为了解决这个问题，我们对已有的方法做了比较，并且提出了一种更简单的做法。\n"
)
PROSE_2 = "实验的结果表明，这种做法在多数情况下都是有效的，而且它的代价也很小。\n"
HEAD = "网站首页 | 新闻中心 | 关于我们\n登录 | 注册\n"
TAIL = "关于我们 | 联系我们 | 网站地图\n友情链接\nCopyright © 2024 示例网\n"
ITEMS = ["一、总则", "二、范围", "三、职责", "四、程序", "五、附则", "六、附录"]
POEM = ["静夜思", "床前明月光", "疑是地上霜", "举头望明月", "低头思故乡"]
# a site menu: two navigation lines the line scorer removes, bare category names it cannot tell from
# headings, a login line and a breadcrumb
MENU = ["社会", "娱乐", "科技", "汽车", "房产", "教育"]
MENU_PAGE = (
    "网站首页 | 新闻中心 | 关于我们\n" + "\n".join(MENU) + "\n登录 | 注册\n当前位置：首页 > 科技\n" + PROSE + PROSE_2
)


def without_blocks(rules):
    off = copy.copy(rules)
    off.settings = copy.deepcopy(rules.settings)
    off.settings["chrome_blocks"]["enabled"] = False
    return off


def removed(text: str, rules) -> dict[str, str]:
    """Each removed line and the rule that removed it."""
    return {e.before.strip(): e.rule_id for e in strip_chrome(text, rules=rules, metadata={})}


def flagged(text: str, rules) -> set[str]:
    return {f.before.strip() for f in flag_chrome(text, rules=rules, metadata={})}


def test_menu_run_at_the_head_removed(rules):
    """Bare category names in the page's head, among navigation lines: bad by their own features (short,
    no function character or punctuation) and by their context (before the first prose). '社会' holds a
    function character (会): short, bad only by its context, so it is only flagged."""
    gone = removed(MENU_PAGE, rules)
    assert [line for line in MENU if gone.get(line) == "chrome.block"] == MENU[1:]
    assert "社会" not in gone and "社会" in flagged(MENU_PAGE, rules)
    [edit] = [e for e in strip_chrome(MENU_PAGE, rules=rules, metadata={}) if e.before.strip() == "娱乐"]
    assert "page head" in edit.reason and "short, no function character" in edit.reason
    assert PROSE + PROSE_2 in apply_edits(MENU_PAGE, strip_chrome(MENU_PAGE, rules=rules, metadata={}))


def test_tail_of_short_link_lines_removed(rules):
    """Below the body's last prose: related titles and link lines; the line scorer takes most, the
    classifier the bare ones it leaves ('友情链接' after the link lines, '合作伙伴')."""
    tail = "相关文章\n热门标签\n新闻 | 体育 | 财经 | 娱乐\nwww.example.com/news/1.html\n友情链接\n合作伙伴\n"
    page = PROSE + PROSE_2 + tail
    gone = removed(page, rules)
    assert gone.get("友情链接") == "chrome.block" and gone.get("合作伙伴") == "chrome.block"
    assert set(gone) == {line for line in tail.splitlines()}
    assert apply_edits(page, strip_chrome(page, rules=rules, metadata={})) == PROSE + PROSE_2


def test_without_the_classifier_the_bare_lines_stay(rules):
    """The two pages above with the classifier off: the line scorer alone leaves the bare lines (so the
    tests above measure the classifier)."""
    off = without_blocks(rules)
    assert not set(MENU) & set(removed(MENU_PAGE, off))
    page = (
        PROSE
        + PROSE_2
        + "相关文章\n热门标签\n新闻 | 体育 | 财经 | 娱乐\nwww.example.com/news/1.html\n友情链接\n合作伙伴\n"
    )
    assert not {"友情链接", "合作伙伴"} & set(removed(page, off))


def test_short_heading_between_prose_kept(rules):
    """A heading between two prose paragraphs, on a page whose head and tail are chrome: bad by its own
    features, body by its context (followed by prose)."""
    page = HEAD + PROSE + "二、研究方法\n" + PROSE_2 + TAIL
    assert "二、研究方法" not in removed(page, rules)
    assert "二、研究方法" not in flagged(page, rules)
    [heading] = [b for b in _blocks(page, rules) if b.text == "二、研究方法"]
    assert (heading.own, heading.final, heading.zone) == (BAD, GOOD, "body")


def test_list_of_short_items_in_the_middle_kept(rules):
    """Six short numbered items between prose paragraphs (a run of bad lines inside the body, with no
    chrome evidence) stay; the same items in the page's tail among link lines go."""
    middle = HEAD + PROSE + "\n".join(ITEMS) + "\n" + PROSE_2 + TAIL
    assert not set(ITEMS) & set(removed(middle, rules))
    assert not set(ITEMS) & flagged(middle, rules)
    tail = HEAD + PROSE + PROSE_2 + TAIL + "\n".join(ITEMS) + "\n网站地图 | 联系我们\n"
    assert all(removed(tail, rules).get(item) == "chrome.block" for item in ITEMS)


def test_poem_of_short_lines_in_the_body_kept(rules):
    """A poem's title and lines (short, most without any function character) between prose stay, and
    are not even flagged."""
    page = HEAD + PROSE + "\n".join(POEM) + "\n" + PROSE_2 + TAIL
    assert not set(POEM) & set(removed(page, rules))
    assert not set(POEM) & flagged(page, rules)
    assert PROSE + "\n".join(POEM) + "\n" + PROSE_2 in apply_edits(page, strip_chrome(page, rules=rules, metadata={}))


@pytest.mark.parametrize("title", ["帖子排序演算法", "语料标注方法"])
def test_title_at_the_head_kept(rules, title):
    """The page's title, bare and in the head among chrome lines: the first line, or repeated in a
    breadcrumb, it stays."""
    first = title + "\n" + HEAD + "社会\n娱乐\n" + PROSE + PROSE_2
    assert title not in removed(first, rules)
    repeated = HEAD + f"当前位置：首页 > {title}\n{title}\n发布时间：2023-06-26 10:25:43\n" + PROSE + PROSE_2
    assert title not in removed(repeated, rules)


def test_cleaning_again_removes_nothing(rules):
    """What the classifier leaves, it leaves on a second pass too."""
    for page in (MENU_PAGE, HEAD + PROSE + "\n".join(POEM) + "\n" + PROSE_2 + TAIL):
        once = apply_edits(page, strip_chrome(page, rules=rules, metadata={}))
        assert strip_chrome(once, rules=rules, metadata={}) == []


def test_link_like_and_classes():
    """Own features: URLs and menu separators make a line link-like; function characters make prose; a
    short bare line is bad; a short line with a function character is decided by its neighbours."""
    settings = BlockSettings(function_words=tuple("的了是在和也就都而及与着或这那我们一个"))

    assert link_like("www.example.com/a/b.html", settings)
    assert link_like("首页 » 新闻 » 国内", settings)
    assert not link_like("卡尔·马克思", settings)  # a name's dot, without spaces, is no separator
    assert own_class("我们在这里讨论了数据的质量和模型的效果。", 0, settings)[0] == GOOD
    assert own_class("体育", 0, settings)[0] == BAD
    assert own_class("疑是地上霜", 0, settings)[0] == SHORT
    assert (
        own_class("这是一个很长的句子，它却读起来像正文的一部分", 1, settings)[0] == GOOD
    )  # prose outweighs weak chrome


PROSE_LINES = [*PROSE.splitlines(), *PROSE_2.splitlines(), "他说：“我们还是先把这件事做完，再去想下一步。”"]
CHROME_LINES = [
    "网站首页 | 新闻中心 | 关于我们",
    "登录 | 注册",
    "发布时间:2021-11-24 10:27:05 来源:互联网",
    "2366人阅读 评论(0) 收藏 举报",
    "www.example.com/news/1.html",
    "社会",
    "体育",
    "友情链接",
]
BODY_SHAPES = ["二、研究方法", *POEM, *ITEMS]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(PROSE_LINES + CHROME_LINES + BODY_SHAPES), min_size=1, max_size=30))
def test_prose_is_never_removed_by_the_classifier(line_list):
    """Whatever the order of prose, chrome and short body lines, the classifier removes no line that
    reads as prose, and every removal is a whole line that is bad by its own features for a strong
    reason (its reason says so)."""
    rules = _RULES
    page = "\n".join(line_list) + "\n"
    for edit in strip_chrome(page, rules=rules, metadata={}):
        if edit.rule_id != "chrome.block":
            continue
        assert edit.before.strip() not in PROSE_LINES
        assert edit.after == "" and "bad by its own features" in edit.reason


def _blocks(page: str, rules):
    cfg = ChromeSettings.read(rules)
    items = score_lines(page, cfg, load_lexicon(rules), {})
    spans = lines(page)
    starts = [s for s, _ in spans]
    scored = {bisect.bisect_right(starts, item.start) - 1: item for item in items}
    return classify(page, spans, scored, BlockSettings.read(rules), (cfg.flag_at, cfg.remove_at))
