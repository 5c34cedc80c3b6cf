"""An invented document-sharing site, 墨香文库 (mxwk.example), that no rule file knows: its pages for the
template-learning tests.

Each page wraps a distinct body (paragraphs of seeded random sentences made of the characters of the
shipped reference sample, as ``corpus_gen`` makes them, each around a classical Chinese sentence, public
domain: 论语, 道德经, 孟子, 大学, 中庸, 荀子, 庄子) in the site's template: a breadcrumb, a share
header with the title, uploader, document number and page count, an upload line with date and
counters, a toolbar, a running page line every few paragraphs, and a footer of notice, price,
related documents and copyright. Everything the template varies (ids, dates, titles, uploader
names, page counts, categories, counters) varies from page to page; one page in six is a saved HTML page.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from corpus_gen import TextMaker
from fixtures_build import build_html

SENTENCES = (
    "学而时习之，不亦说乎？",
    "有朋自远方来，不亦乐乎？",
    "人不知而不愠，不亦君子乎？",
    "其为人也孝弟，而好犯上者，鲜矣。",
    "君子务本，本立而道生。",
    "巧言令色，鲜矣仁。",
    "吾日三省吾身：为人谋而不忠乎？与朋友交而不信乎？传不习乎？",
    "道千乘之国，敬事而信，节用而爱人，使民以时。",
    "弟子入则孝，出则弟，谨而信，泛爱众，而亲仁。",
    "君子不重则不威，学则不固。",
    "慎终追远，民德归厚矣。",
    "礼之用，和为贵。",
    "不患人之不己知，患不知人也。",
    "为政以德，譬如北辰，居其所而众星共之。",
    "温故而知新，可以为师矣。",
    "学而不思则罔，思而不学则殆。",
    "知之为知之，不知为不知，是知也。",
    "人而无信，不知其可也。",
    "见贤思齐焉，见不贤而内自省也。",
    "三人行，必有我师焉。",
    "择其善者而从之，其不善者而改之。",
    "知者不惑，仁者不忧，勇者不惧。",
    "己所不欲，勿施于人。",
    "工欲善其事，必先利其器。",
    "道可道，非常道；名可名，非常名。",
    "天下皆知美之为美，斯恶已。",
    "上善若水，水善利万物而不争。",
    "知人者智，自知者明。",
    "胜人者有力，自胜者强。",
    "千里之行，始于足下。",
    "合抱之木，生于毫末；九层之台，起于累土。",
    "信言不美，美言不信。",
    "天时不如地利，地利不如人和。",
    "得道者多助，失道者寡助。",
    "生于忧患，死于安乐。",
    "老吾老，以及人之老；幼吾幼，以及人之幼。",
    "富贵不能淫，贫贱不能移，威武不能屈。",
    "大学之道，在明明德，在亲民，在止于至善。",
    "知止而后有定，定而后能静，静而后能安。",
    "物有本末，事有终始，知所先后，则近道矣。",
    "博学之，审问之，慎思之，明辨之，笃行之。",
    "青，取之于蓝，而青于蓝；冰，水为之，而寒于水。",
    "不积跬步，无以至千里；不积小流，无以成江海。",
    "锲而舍之，朽木不折；锲而不舍，金石可镂。",
    "吾生也有涯，而知也无涯。",
    "北冥有鱼，其名为鲲。",
    "井蛙不可以语于海者，拘于虚也。",
    "天地与我并生，而万物与我为一。",
)
BOOKS = ("论语", "道德经", "孟子", "大学", "中庸", "荀子", "庄子", "礼记")
PARTS = ("选读", "札记", "讲义", "导读", "摘抄", "读本", "精解", "笔记")
CATEGORIES = ("经典古籍", "诸子百家", "国学启蒙", "教育资料", "文学鉴赏", "读书笔记")
UPLOADERS = ("李明", "王小红", "张建国", "陈静", "刘德明", "赵一舟", "周子涵", "孙雨桐", "吴海波", "郑书文")


@dataclass(slots=True)
class Page:
    """One generated page: its file name, its lines, which lines are the site's and which are body."""

    name: str
    title: str
    lines: list[str]
    template: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)


def _date(rng: random.Random) -> str:
    year, month, day = rng.randint(2015, 2024), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice((f"{year}-{month:02d}-{day:02d}", f"{year}-{month}-{day}"))


def body_paragraphs(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct paragraphs: a classical sentence inside two to four generated ones."""
    maker = TextMaker(rng.randint(0, 2**31))
    paragraphs = []
    for _ in range(count):
        own = maker.paragraph()
        cut = own.index("。") + 1
        paragraphs.append(own[:cut] + rng.choice(SENTENCES) + own[cut:])
    return paragraphs


def make_page(rng: random.Random, number: int, body: list[str] | None = None) -> Page:
    """One page of the site around ``body`` (random classical paragraphs when None)."""
    title = f"{rng.choice(BOOKS)}{rng.choice(PARTS)}（{number + 1}）"
    paragraphs = body if body is not None else body_paragraphs(rng, rng.randint(6, 12))
    uploader = rng.choice(UPLOADERS)
    doc_id = f"MX{rng.randint(10**9, 10**10 - 1)}"
    pages = rng.randint(2, 40)
    date = _date(rng)
    head = [
        f"墨香文库 > {rng.choice(CATEGORIES)} > {title}",
        f"《{title}》由用户{uploader}上传分享，文档编号：{doc_id}，共{pages}页",
        f"上传时间：{date}   浏览：{rng.randint(10, 99999)}次   下载：{rng.randint(0, 999)}次",
        "立即下载 | 加入收藏 | 分享到微信 | 举报",
    ]
    others = rng.sample([f"{b}{p}（{rng.randint(1, 99)}）" for b in BOOKS for p in PARTS], 2)
    tail = [
        f"本文档由 {uploader} 于 {date} 上传至墨香文库，仅供学习交流使用，版权归原作者所有。",
        f"下载本文档需要{rng.randint(1, 20)}积分，开通VIP会员可免费下载全站文档。",
        f"相关推荐：《{others[0]}》 《{others[1]}》",
        f"© 2012-2024 墨香文库 mxwk.example 版权所有 浙ICP备{rng.randint(10**7, 10**8 - 1)}号",
    ]
    lines = [*head, title]
    template = list(head) + list(tail)
    page_number = 1
    for index, paragraph in enumerate(paragraphs):
        if index and index % 4 == 0:
            page_number += 1
            running = f"—— 墨香文库 mxwk.example 第{page_number}页 ——"
            lines.append(running)
            template.append(running)
        lines.append(paragraph)
    lines += tail
    name = f"{doc_id.lower()}.txt" if number % 3 else f"{title}.txt"
    if number % 6 == 5:  # a saved page: the same lines as <p> blocks, the title in <title>
        name = f"{doc_id.lower()}.html"
    return Page(name, title, lines, template, [title, *paragraphs])


def build_site(folder: Path, count: int, *, seed: int = 11, reposted: int = 0) -> list[Page]:
    """Write ``count`` pages of the site into ``folder``; the first ``reposted`` share one body."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    shared = ["学而篇选段", *body_paragraphs(rng, 8)]
    pages = []
    for number in range(count):
        page = make_page(rng, number, body=list(shared) if number < reposted else None)
        if page.name.endswith(".html"):
            build_html(folder / page.name, page.lines, title=f"{page.title}_墨香文库", boilerplate=False)
        else:
            (folder / page.name).write_text("\n".join(page.lines) + "\n", encoding="utf-8")
        pages.append(page)
    return pages


def build_reposts(folder: Path, count: int, *, seed: int = 13) -> tuple[list[str], list[Path]]:
    """``count`` plain files (no site template) that all repost one body under different titles."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    body = ["学而第一", *body_paragraphs(rng, 6), "（全文完）"]
    paths = []
    for number in range(count):
        path = folder / f"repost-{number:03d}.txt"
        path.write_text("\n".join([f"论语选读之{number + 1}", *body]) + "\n", encoding="utf-8")
        paths.append(path)
    return body, paths


def build_notices(folder: Path, count: int, *, seed: int = 17) -> list[Page]:
    """``count`` notices of one genre and no site template: the lines they share (the addressees, 特此通知。,
    the issuing office, the release note) and those that only vary in digits (the document number, the
    date) are all body."""
    rng = random.Random(seed)
    maker = TextMaker(seed)
    folder.mkdir(parents=True, exist_ok=True)
    pages = []
    for number in range(count):
        title = f"国务院办公厅关于{maker.phrase(4, 8)}的通知"
        year = rng.randint(2015, 2024)
        lines = [
            title,
            f"国办发〔{year}〕{rng.randint(1, 60)}号",
            "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：",
            *[maker.paragraph() for _ in range(rng.randint(4, 8))],
            "特此通知。",
            "国务院办公厅",
            f"{year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
            "（此件公开发布）",
        ]
        page = Page(f"notice-{number:03d}.txt", title, lines, [], lines)
        (folder / page.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        pages.append(page)
    return pages
