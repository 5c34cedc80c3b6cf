"""A corruption generator that knows the truth, for testing restoration from a reference.

Start from a clean document (a list of paragraphs). The *reference* is that document (possibly with
extra chapters). The *scraped* document is another edition of it — edition variants injected
(全县/全市, 持续/不断, a clause dropped or added) — with paragraphs moved, dropped and flattened, and
then damaged the way document-sharing sites damage text: numbers masked with ``*``, names and terms
deleted, ``意识形态`` cut to ``意识``, quote ends damaged. The truth is the scraped edition before the
damage (``expected``: what restoration should give, paragraphs in the scraped order) and the list
of every damage (which must be restored) and every variant (which must be kept), as spans of
``expected``.

:func:`evaluate` compares a restoration with the truth: recall over the damages, precision over
the applied edits (an edit is right when everything it put in matches ``expected`` there).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from rapidfuzz.distance import Indel

from pipeline.document import Edit, apply_edits
from pipeline.stages.restore_script import to_traditional

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

DOC_RURAL = """在全县乡村振兴工作会议上的讲话
同志们：
今天召开全县乡村振兴工作会议，主要任务是以习近平新时代中国特色社会主义思想为指导，全面贯彻落实党的二十大精神和中央农村工作会议精神，总结2023年工作，安排部署2024年任务。刚才，3个乡镇和2个部门作了交流发言，讲得很好，我完全同意。下面，我讲三点意见。
一、充分肯定过去一年取得的成绩
过去一年，全县上下坚持把乡村振兴作为“三农”工作的总抓手，持续加强组织领导，扎实推进各项任务落实，取得了明显成效。全年粮食播种面积稳定在58.6万亩，总产量达到24.3万吨，连续12年保持稳定增长。农村居民人均可支配收入达到18650元，同比增长7.8%。
一是产业发展势头良好。新建高标准农田3.2万亩，培育市级以上龙头企业15家，发展农民专业合作社326个、家庭农场148个。特色种养、农产品加工、乡村旅游等产业加快发展，“一村一品”格局初步形成。
二是人居环境明显改善。深入开展农村人居环境整治提升五年行动，完成农村户厕改造4600户，新建和改造农村公路85公里，行政村生活垃圾收运处置体系实现全覆盖。
三是乡村治理不断深化。坚持和发展新时代“枫桥经验”，推行网格化管理，全县286个行政村全部建立村民议事会。习近平总书记强调，“基层强则国家强，基层安则天下安”。我们必须牢记嘱托，把基层基础工作抓实抓细。
二、准确把握当前面临的形势任务
在肯定成绩的同时，我们也要清醒看到存在的问题和不足。一些地方对乡村振兴的长期性、复杂性认识不足，工作存在重建设轻管理的现象；农业产业链条短，品牌影响力不强；农村基层组织建设仍有薄弱环节，部分村干部担当意识不强，推动发展的本领有待提高。
党的十九届五中全会对全面推进乡村振兴作出重大部署，党的二十大进一步强调“加快建设农业强国”。习近平总书记指出，“全面建设社会主义现代化国家，最艰巨最繁重的任务仍然在农村”。我们要切实增强责任感和紧迫感，坚决扛起乡村振兴的政治责任。
三、扎实做好2024年乡村振兴各项工作
一要牢牢守住粮食安全底线。严格落实耕地保护制度，坚决遏制耕地“非农化”、防止“非粮化”，确保全年粮食播种面积稳定在58万亩以上。加强农田水利设施建设，提升农业防灾减灾能力。
二要加快发展乡村特色产业。坚持以市场需求为导向，做强做优特色种养业，推进农产品精深加工，培育一批叫得响的农业品牌。持续深化农村集体产权制度改革，发展壮大新型农村集体经济。
三要加强农村思想文化阵地建设。牢牢掌握意识形态工作领导权，落实意识形态工作责任制，深入开展习近平新时代中国特色社会主义思想学习教育，培育文明乡风、良好家风、淳朴民风。
四要全面提升乡村治理效能。健全党组织领导的自治、法治、德治相结合的乡村治理体系，加强农村法治宣传教育，增强农民群众的法治意识，推动平安乡村建设。
同志们，乡村振兴任务艰巨、使命光荣。让我们更加紧密地团结在以习近平同志为核心的党中央周围，凝心聚力、真抓实干，奋力谱写全县乡村振兴新篇章！"""

DOC_SAFETY = """在全市安全生产工作会议上的讲话
同志们：
这次会议的主要任务是，深入学习贯彻习近平总书记关于安全生产的重要论述，认真落实全国、全省安全生产电视电话会议精神，总结2023年全市安全生产工作，部署2024年重点任务。
一、安全生产形势总体平稳
2023年，全市上下坚持人民至上、生命至上，持续加强安全生产监管，全年共发生各类生产安全事故36起、死亡14人，同比分别下降18.2%和22.2%，没有发生较大以上事故，安全生产形势保持总体平稳。
一年来，我们组织开展安全生产大检查4轮，排查整改各类隐患12568项，关闭取缔非法违法企业27家，对236家企业实施行政处罚。建成市级应急救援队伍18支，全年开展应急演练540余场次。
二、清醒认识面临的风险挑战
当前，全市正处于工业化、城镇化加快推进阶段，各类风险隐患交织叠加。习近平总书记强调，“人命关天，发展决不能以牺牲人的生命为代价”。这必须作为一条不可逾越的红线。
一些企业主体责任落实不到位，安全投入不足，安全意识淡薄；部分监管部门存在“宽松软”问题，执法检查流于形式；全市危险化学品、道路交通、建筑施工等重点行业领域事故隐患依然突出。
三、全力抓好今年安全生产重点工作
一要压紧压实安全生产责任。严格落实“党政同责、一岗双责、齐抓共管、失职追责”，健全安全生产责任体系，做到“管行业必须管安全、管业务必须管安全、管生产经营必须管安全”。
二要深化重点领域专项整治。以危险化学品、矿山、消防、道路交通为重点，开展为期3个月的专项整治行动，切实消除一批重大事故隐患。强化对“两客一危”车辆的动态监控，坚决遏制重特大事故发生。
三要提升应急处置能力。完善应急预案体系，加强应急物资储备，推进应急指挥信息化建设，确保一旦发生险情能够快速响应、科学处置，最大限度减少人员伤亡和财产损失。
四要加强安全宣传教育。把安全生产纳入干部教育培训内容，深入开展“安全生产月”“安全宣传进企业”等活动，推动全社会牢固树立安全发展理念，营造人人讲安全、个个会应急的浓厚氛围。
五要加强意识形态领域风险防范。坚持正确舆论导向，做好安全生产新闻宣传和舆情应对工作，及时回应社会关切，守住意识形态安全底线。
同志们，安全生产责任重于泰山。我们要以党的二十大精神为指引，以更加坚决的态度、更加有力的措施，全力防范化解重大安全风险，为全市经济社会高质量发展营造安全稳定的环境！"""

DOC_UNRELATED = """关于开展春季植树活动的通知
各学院、各部门：
为进一步美化校园环境，倡导绿色低碳的生活方式，经学校研究，决定于四月上旬组织开展春季植树活动。现将有关事项通知如下。
活动地点为学校东区苗圃及图书馆北侧空地。各单位按照分配的区域组织师生参加，每名参加者需自带手套和水壶，铁锹、树苗由后勤处统一发放。
活动当天如遇雨雪天气，时间顺延，具体安排另行通知。请各单位于本周五前将参加人员名单报送校团委办公室。
植树结束后，各班级认领所栽树木，挂牌管护，定期浇水、施肥、修剪，确保成活率。学校将在年底组织评比，对管护成效突出的班级给予表彰。"""

VARIANT_PAIRS = (
    ("全县", "全市"),
    ("持续", "不断"),
    ("加强", "强化"),
    ("推进", "推动"),
    ("提升", "提高"),
    ("切实", "认真"),
    ("扎实", "深入"),
    ("坚决", "坚定"),
    ("进一步", "更加"),
    ("明显", "显著"),
)

DELETED_TERMS = (
    "习近平新时代中国特色社会主义思想",
    "习近平总书记",
    "习近平同志",
    "习近平",
)

# (regex, kind): sites where the damage can happen; group 1 is what gets damaged
_MASKABLE = re.compile(
    r"([0-9]+(?:\.[0-9]+)?)"
    r"|(?<=党的)([一二三四五六七八九十]+)(?=大|届)"
    r"|(?<=届)([一二三四五六七八九十]+)(?=中全会)"
    r"|(?<=第)([一二三四五六七八九十百]+)(?=[章条次届])"
)
_MASK_CHARS = ("*", "*", "*", "**", "＊", "×")
FILTERED_TERMS = (
    ("党",),
    ("民主", "政治", "人民", "舆论", "群众", "乡村", "农村", "企业"),
    ("党中央", "互联网", "总书记", "网信办", "党组织"),
    ("枫桥经验", "网络空间", "社会主义", "乡村振兴", "安全生产", "网络强国"),
    ("危险化学品", "村民议事会", "高标准农田", "应急救援队"),
    ("网络综合治理", "农村人居环境", "网络生态治理", "应急预案体系"),
)
"""Terms a word filter may star out, by length (1–6 characters): names, organisations, words."""
UNLISTED_DELETIONS = (
    "网信办",
    "党中央",
    "网络空间",
    "人民群众",
    "网络强国",
    "乡村振兴",
    "农村",
    "安全生产",
    "危险化学品",
)
"""Terms no list names that a site may delete at every place (masks.toml knows none of them)."""
UNLISTED_TRUNCATIONS = (("网络综合治理", "网络"), ("乡村振兴", "乡村"), ("安全生产", "安全"), ("网络空间", "网络"))
"""Terms a site may cut at every place (full, shown), unlike 意识形态 → 意识 no list names them."""
ENUMERATED_TERMS = ("主战场", "人工智能", "竞争力", "共同富裕", "党政机关", "道路交通", "危险化学品", "矿山", "消防")
"""Names and noun phrases in enumerations a site may delete once (leaving 、、 or 以、)."""
ENUMERATED_PHRASES = (
    "巡检抽查",
    "破解难点问题",
    "注重跟踪问效",
    "内容管控",
    "协同治网",
    "依法治网",
    "文化培育",
    "一岗双责",
    "齐抓共管",
)
"""Verb phrases in enumerations another edition may leave out: to keep."""
_FILTER_MASKS = ("***", "***", "***", "**", "*")
_CLAUSE = re.compile(r"(?<=，)[^，。；：“”！？\n]{4,14}，")
_ADDED_CLAUSES = ("在此基础上，", "总的来看，", "从实际情况看，", "按照上级要求，", "结合本地实际，")


def base_documents() -> dict[str, list[str]]:
    """The clean documents cases are made from: name -> paragraphs (the first is the title)."""
    reference = (SAMPLES / "wangxin_reference.txt").read_text(encoding="utf-8")
    sample = ["在调研网信工作强调要求", *[p for p in reference.split("\n") if p.strip()]]
    return {
        "wangxin": sample,
        "rural": DOC_RURAL.split("\n"),
        "safety": DOC_SAFETY.split("\n"),
    }


@dataclass(frozen=True, slots=True)
class TruthItem:
    """One thing restoration must get right, as a span of the expected text.

    ``kind`` is a damage (``mask``, ``deleted-term``, ``truncated-term``, ``quote-end``: the scraped
    text shows ``corrupted`` where ``expected[start:end] == original`` must come back) or a variant
    (``variant``, ``variant-addition``: the scraped edition's own wording, to keep; ``variant-omission``:
    the reference has ``original`` that the scraped edition lacks at ``start == end``, not to insert).
    """

    kind: str
    start: int
    end: int
    original: str
    corrupted: str

    @property
    def is_damage(self) -> bool:
        return not self.kind.startswith("variant")


@dataclass(slots=True)
class Truth:
    """What the restored text must be and why."""

    expected: str
    items: list[TruthItem] = field(default_factory=list)
    options: dict[str, object] = field(default_factory=dict)

    @property
    def damages(self) -> list[TruthItem]:
        return [item for item in self.items if item.is_damage]

    @property
    def variants(self) -> list[TruthItem]:
        return [item for item in self.items if not item.is_damage]


class Corruption(NamedTuple):
    corrupted: str
    reference: str
    truth: Truth


# ----------------------------------------------------------------------------------------------
# building blocks


def _variants(
    paragraph: str, rnd: random.Random, rate: float, omissions: Sequence[str] = ()
) -> tuple[str, list[tuple[str, int, int, str, str]]]:
    """Another edition's wording: word substitutions, a clause dropped or added.

    Returns the new paragraph and (kind, start, end, reference text, edition text) in it.
    """
    changes: list[tuple[int, int, str, str]] = []  # span in the original paragraph, kind, new text
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e + 1 < ts or s > te + 1 for ts, te in taken)

    for a, b in VARIANT_PAIRS:
        for word, other in ((a, b), (b, a)):
            for m in re.finditer(word, paragraph):
                if rnd.random() < rate and free(m.start(), m.end()):
                    changes.append((m.start(), m.end(), "variant", other))
                    taken.append((m.start(), m.end()))
    for phrase in omissions:  # an enumeration item this edition leaves out (with its 、)
        for m in re.finditer(re.escape(phrase) + "、", paragraph):
            if free(m.start(), m.end()):
                changes.append((m.start(), m.end(), "variant-omission", ""))
                taken.append((m.start(), m.end()))
    if rnd.random() < rate:
        clauses = [m for m in _CLAUSE.finditer(paragraph) if not any(t in m.group() for t in DELETED_TERMS)]
        clauses = [
            m for m in clauses if "意识" not in m.group() and not re.search(r"[0-9一二三四五六七八九十]", m.group())
        ]
        if clauses:
            m = rnd.choice(clauses)
            if free(m.start(), m.end()):
                changes.append((m.start(), m.end(), "variant-omission", ""))
                taken.append((m.start(), m.end()))
    if rnd.random() < rate / 2:
        spots = [m.end() for m in re.finditer("。", paragraph) if m.end() < len(paragraph)]
        if spots:
            at = rnd.choice(spots)
            if free(at, at):
                changes.append((at, at, "variant-addition", rnd.choice(_ADDED_CLAUSES)))
                taken.append((at, at))
    changes.sort()
    out: list[str] = []
    items = []
    cursor = 0
    pos = 0
    for s, e, kind, new in changes:
        out.append(paragraph[cursor:s])
        pos += s - cursor
        items.append((kind, pos, pos + len(new), paragraph[s:e], new))
        out.append(new)
        pos += len(new)
        cursor = e
    out.append(paragraph[cursor:])
    return "".join(out), items


def _damage_sites(
    paragraph: str,
    protected: Sequence[tuple[int, int]],
    filtered: Sequence[str] = (),
    unlisted: Sequence[tuple[str, str]] = (),
) -> list[tuple[int, int, str, list[str]]]:
    """Every place a site could damage: (start, end, kind, possible replacements).

    ``filtered`` terms are starred out by a word filter (``word-filter``: ``***`` whatever their
    length); ``unlisted`` (term, shown) pairs are deleted (shown empty) or cut (``unlisted``).
    """
    sites: list[tuple[int, int, str, list[str]]] = []
    for term, shown in unlisted:
        for m in re.finditer(re.escape(term), paragraph):
            if not any(m.start() < e and m.end() > s for s, e, _, _ in sites):
                sites.append((m.start(), m.end(), "unlisted", [shown]))
    for term in filtered:
        for m in re.finditer(re.escape(term), paragraph):
            if not any(m.start() < e and m.end() > s for s, e, _, _ in sites):
                sites.append((m.start(), m.end(), "word-filter", list(_FILTER_MASKS)))
    for m in _MASKABLE.finditer(paragraph):
        g = next(n for n in range(1, 5) if m.group(n))
        if not any(m.start(g) < e and m.end(g) > s for s, e, _, _ in sites):
            sites.append((m.start(g), m.end(g), "mask", list(_MASK_CHARS)))
    taken = [(s, e) for s, e, _, _ in sites]
    for term in DELETED_TERMS:
        for m in re.finditer(term, paragraph):
            if any(m.start() < e and m.end() > s for s, e in taken):
                continue
            options = [""]
            if term == "习近平新时代中国特色社会主义思想":
                options.append("思想")
            if term == "习近平总书记":
                options.append("总书记")
            sites.append((m.start(), m.end(), "deleted-term", options))
            taken.append((m.start(), m.end()))
    for m in re.finditer("意识形态", paragraph):
        if any(m.start() < e and m.end() > s for s, e in taken):
            continue
        sites.append((m.start(), m.end(), "truncated-term", ["意识"]))
    for m in re.finditer("”。", paragraph):
        sites.append((m.start(), m.end(), "quote-end", ["二", ""]))
    for m in re.finditer("”(?=[^。])", paragraph):
        if m.end() < len(paragraph) and paragraph[m.end()] not in "“”":
            sites.append((m.start(), m.end(), "quote-end", [""]))
    # never damage next to a variant (the site and the edition would blur into one difference)
    return [s for s in sites if all(s[1] + 1 < ps or s[0] > pe + 1 for ps, pe in protected)]


def _damage(
    paragraph: str,
    rnd: random.Random,
    rate: float,
    protected: Sequence[tuple[int, int]],
    filtered: Sequence[str] = (),
    unlisted: Sequence[tuple[str, str]] = (),
    combined: bool = False,
) -> tuple[str, list[tuple[str, int, int, str, str]]]:
    """The paragraph as a site shows it, and (kind, start in the clean paragraph, end, original, shown).

    With ``combined``, two damages may touch (a damaged quote end right before a deleted name).
    """
    chosen = []
    last_end = -1
    for s, e, kind, options in sorted(_damage_sites(paragraph, protected, filtered, unlisted)):
        consistent = kind in ("word-filter", "unlisted")  # a filter, a site's list: every occurrence
        if s < last_end or (s == last_end and not combined) or (rnd.random() >= rate and not consistent):
            continue
        chosen.append((s, e, kind, rnd.choice(options)))
        last_end = e
    out: list[str] = []
    cursor = 0
    items = []
    for s, e, kind, shown in chosen:
        out.append(paragraph[cursor:s])
        out.append(shown)
        cursor = e
        items.append((kind, s, e, paragraph[s:e], shown))
    out.append(paragraph[cursor:])
    return "".join(out), items


def corrupt(
    paragraphs: Sequence[str],
    rnd: random.Random,
    *,
    title: str | None = None,
    extra_reference: Sequence[str] = (),
    extra_scraped: Sequence[str] = (),
    variant_rate: float = 0.15,
    damage_rate: float = 0.7,
    move_rate: float = 0.2,
    drop_rate: float = 0.1,
    keep_break_rate: float = 0.0,
    cut_first: bool = False,
    filtered_terms: Sequence[str] = (),
    unlisted: Sequence[tuple[str, str]] = (),
    combined: bool = False,
    omissions: Sequence[str] = (),
    reference_share: float = 1.0,
    reference_traditional: bool = False,
    gloss_rate: float = 0.0,
) -> Corruption:
    """Make a (scraped, reference, truth) triple from a clean document's paragraphs.

    The reference is ``paragraphs`` (with ``extra_reference`` chapters inserted at random places).
    The scraped edition gets variants (rate per candidate word), loses paragraphs (``drop_rate``),
    has some moved (``move_rate``), gains ``extra_scraped`` paragraphs the reference lacks, may start
    in the middle of its first paragraph (``cut_first``: a preview cut), is damaged (``damage_rate``
    per damage site; ``filtered_terms`` are starred out too, ``***`` whatever their length, and the
    ``unlisted`` (term, shown) pairs deleted or cut at every place; with ``combined`` two damages
    may touch; ``omissions`` are enumeration items the edition leaves out, to keep) and flattened: each paragraph break survives with ``keep_break_rate``. With a ``title``, the scraped
    text starts with it on its own line (the title is not in the reference).

    The reference may be cut to its first paragraphs (``reference_share`` of its characters: a
    preview or an excerpt): the scraped paragraphs it lacks cannot be restored, so the expected text
    keeps them as the site shows them, joined as scraped. It may be converted to traditional script
    (``reference_traditional``) with a pinyin gloss after a ``gloss_rate`` share of its characters
    (``網(wǎng)``, as mirror sites show them): what is restored must still come out simplified.
    """
    body = [p for p in paragraphs if p.strip()]
    reference = list(body)
    for extra in extra_reference:
        reference.insert(rnd.randrange(len(reference) + 1), extra)

    # the scraped edition: variants, then order, drops and extras; each with its body index (-1: extra)
    edition: list[tuple[str, list[tuple[str, int, int, str, str]], int]] = []
    for n, p in enumerate(body):
        text, items = _variants(p, rnd, variant_rate, omissions)
        edition.append((text, items, n))
    kept = [e for e in edition if rnd.random() >= drop_rate] or edition[:1]
    order = list(range(len(kept)))
    for n in range(len(order) - 1):
        if rnd.random() < move_rate:
            m = min(len(order) - 1, n + rnd.randint(1, 3))
            order[n], order[m] = order[m], order[n]
    scraped_paras = [kept[n] for n in order]
    for extra in extra_scraped:
        scraped_paras.insert(rnd.randrange(1, len(scraped_paras) + 1), (extra, [], -1))
    if cut_first and scraped_paras:
        text, items, source = scraped_paras[0]
        cuts = [m.end() for m in re.finditer("[。；]", text) if m.end() < len(text) - 10]
        if cuts:
            cut = rnd.choice(cuts)
            items = [(k, s - cut, e - cut, o, c) for k, s, e, o, c in items if s >= cut]
            scraped_paras[0] = (text[cut:], items, source)
    full = reference_share >= 1.0
    covered = set(range(len(body)))
    if not full:
        total = sum(len(p) + 1 for p in reference)
        size = 0
        cut_reference: list[str] = []
        for p in reference:
            if cut_reference and size + len(p) > reference_share * total:
                break
            cut_reference.append(p)
            size += len(p) + 1
        reference = cut_reference
        covered = {n for n, p in enumerate(body) if p in set(cut_reference)}

    rows = []
    for text, variant_items, source in scraped_paras:
        protected = [(s, e) for _, s, e, _, _ in variant_items]
        if source >= 0:
            shown, damages = _damage(text, rnd, damage_rate, protected, filtered_terms, unlisted, combined)
        else:
            shown, damages = text, []
        keep_break = rnd.random() < keep_break_rate
        rows.append((text, variant_items, shown, damages, keep_break, full or source in covered))

    expected_parts: list[str] = []
    scraped_parts: list[str] = []
    truth_items: list[TruthItem] = []
    pos_expected = 0
    if title:
        expected_parts.append(title + "\n")
        scraped_parts.append(title + "\n")
        pos_expected = len(title) + 1
    for n, (text, variant_items, shown, damages, keep_break, is_covered) in enumerate(rows):
        if not is_covered:
            text, variant_items, damages = shown, [], []  # nothing can come back: kept as shown
        for kind, s, e, ref_text, new in variant_items:
            truth_items.append(TruthItem(kind, pos_expected + s, pos_expected + e, ref_text, new))
        for kind, s, e, original, damaged in damages:
            truth_items.append(TruthItem(kind, pos_expected + s, pos_expected + e, original, damaged))
        last = n == len(rows) - 1
        expected_break = not last and (keep_break or is_covered or rows[n + 1][5])
        expected_parts.append(text + ("\n" if expected_break else ""))
        scraped_parts.append(shown + ("" if last else ("\n" if keep_break else "")))
        pos_expected += len(text) + (1 if expected_break else 0)
    truth_items.sort(key=lambda t: (t.start, t.end))
    reference_text = "\n".join(reference)
    if reference_traditional:
        reference_text = _glossed(to_traditional(reference_text), rnd, gloss_rate)
    options = {
        "title": title,
        "extra_reference": len(extra_reference),
        "extra_scraped": len(extra_scraped),
        "cut_first": cut_first,
        "keep_break_rate": keep_break_rate,
        "filtered_terms": tuple(filtered_terms),
        "unlisted": tuple(unlisted),
        "reference_share": reference_share,
        "reference_traditional": reference_traditional,
    }
    return Corruption("".join(scraped_parts), reference_text, Truth("".join(expected_parts), truth_items, options))


def _glossed(text: str, rnd: random.Random, rate: float) -> str:
    """``text`` with its pinyin (tone marks) in parentheses after a ``rate`` share of its Han characters."""
    if rate <= 0:
        return text
    from pypinyin import Style, lazy_pinyin  # here: its dictionaries are 200k objects the GC would walk

    out = []
    for char in text:
        out.append(char)
        if "\u4e00" <= char <= "\u9fff" and rnd.random() < rate:
            reading = lazy_pinyin(char, style=Style.TONE)[0]
            if reading != char and reading.isalpha():
                out.append(f"({reading})")
    return "".join(out)


def generate_case(seed: int) -> Corruption:
    """A random case: one base document, random options, all from ``seed``."""
    rnd = random.Random(seed)
    docs = base_documents()
    name = rnd.choice(sorted(docs))
    paragraphs = docs[name]
    title, body = paragraphs[0], paragraphs[1:]
    others = [p for other, ps in docs.items() if other != name for p in ps[1:] if len(p) > 30]
    extra_reference = rnd.sample(others, rnd.choice((0, 0, 1, 3))) if others else []
    unrelated = [p for p in DOC_UNRELATED.split("\n")[2:]]
    extra_scraped = rnd.sample(unrelated, rnd.choice((0, 0, 0, 1)))
    return corrupt(
        body,
        rnd,
        title=title if rnd.random() < 0.7 else None,
        extra_reference=extra_reference,
        extra_scraped=extra_scraped,
        variant_rate=rnd.choice((0.0, 0.1, 0.2, 0.3)),
        damage_rate=rnd.choice((0.5, 0.8, 1.0)),
        move_rate=rnd.choice((0.0, 0.15, 0.3)),
        drop_rate=rnd.choice((0.0, 0.05, 0.15)),
        keep_break_rate=rnd.choice((0.0, 0.0, 0.3, 1.0)),
        cut_first=rnd.random() < 0.4,
    )


REFERENCE_KINDS = ("traditional", "partial", "word-filter", "unlisted")


def generate_reference_case(seed: int, kind: str) -> Corruption:
    """A random case for one kind of reference or damage users really meet (``REFERENCE_KINDS``):

    * ``traditional`` — the reference is in traditional script with pinyin glosses (a mirror site);
    * ``partial`` — the reference is cut to its first fifth (a preview, an excerpt);
    * ``word-filter`` — terms of 1–6 characters present in the document (``FILTERED_TERMS``, one of
      each length the document holds) are starred out (``***``) besides the usual damage;
    * ``unlisted`` — masks no list names: a term of ``UNLISTED_DELETIONS`` deleted and one of
      ``UNLISTED_TRUNCATIONS`` cut at every place it occurs (twice or more), two
      ``ENUMERATED_TERMS`` deleted where they occur once (the gap tells), damages touching; and two
      ``ENUMERATED_PHRASES`` left out by the edition (to keep).
    """
    if kind not in REFERENCE_KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    rnd = random.Random(seed * 7919 + REFERENCE_KINDS.index(kind))
    docs = base_documents()
    name = rnd.choice(sorted(docs))
    paragraphs = docs[name]
    title, body = paragraphs[0], paragraphs[1:]
    text = "".join(body)
    filtered: list[str] = []
    if kind == "word-filter":
        for group in FILTERED_TERMS:
            present = [t for t in group if t in text]
            if present:
                filtered.append(rnd.choice(present))
    unlisted: list[tuple[str, str]] = []
    omissions: list[str] = []
    if kind == "unlisted":
        deletions = [t for t in UNLISTED_DELETIONS if text.count(t) >= 2]
        truncations = [(t, s) for t, s in UNLISTED_TRUNCATIONS if text.count(t) >= 2]
        if truncations:
            unlisted.append(rnd.choice(truncations))
        deletions = [t for t in deletions if not any(t in full or full in t for full, _ in unlisted)]
        if deletions:
            unlisted.append((rnd.choice(deletions), ""))
        once = [t for t in ENUMERATED_TERMS if text.count(t) == 1 and not any(t in f or f in t for f, _ in unlisted)]
        unlisted.extend((t, "") for t in rnd.sample(once, min(2, len(once))))  # deleted once: the gap tells
        omitted = [p for p in ENUMERATED_PHRASES if p + "、" in text]
        omissions = rnd.sample(omitted, min(2, len(omitted)))
    return corrupt(
        body,
        rnd,
        title=title if rnd.random() < 0.7 else None,
        unlisted=unlisted,
        combined=kind == "unlisted",
        omissions=omissions,
        variant_rate=rnd.choice((0.0, 0.1, 0.2)),
        damage_rate=rnd.choice((0.5, 0.8, 1.0)),
        move_rate=rnd.choice((0.0, 0.15)),
        drop_rate=rnd.choice((0.0, 0.05)),
        keep_break_rate=rnd.choice((0.0, 0.3, 1.0)),
        cut_first=kind != "partial" and rnd.random() < 0.3,
        filtered_terms=filtered,
        reference_share=0.2 if kind == "partial" else 1.0,
        reference_traditional=kind == "traditional",
        gloss_rate=rnd.choice((0.2, 0.5)) if kind == "traditional" else 0.0,
    )


_PLACES = tuple(
    "东城 西城 南湖 北山 江口 河湾 青石 白沙 金桥 银杏 松林 柳岸 桃源 梅岭 竹溪 兰亭 新安 永宁 长乐 太平 丰收 和平 东风 红旗 前进 幸福 光明 振兴 富民 利民".split()
)
_SYLLABLES = "安邦昌达丰福光国海华佳建江金锦康乐立林龙美明宁平秋荣瑞盛顺泰天文祥新兴秀雅阳益永勇远志"
_TOPICS = tuple(
    "社区治理 基层党建 产业园区 交通运输 生态保护 医疗卫生 教育培训 文化旅游 市场监管 应急管理 数字政务 科技创新 水利建设 乡村旅游 住房保障 就业服务 养老服务 食品安全 环境整治 招商引资".split()
)


def large_document(target_chars: int, rnd: random.Random, *, varied: bool = True) -> list[str]:
    """A long clean document (about ``target_chars``) from the base documents repeated with variations.

    Each copy of a paragraph gets its sentences shuffled, its numbers changed and some words
    swapped (numbers keep their digit count). With ``varied`` (the default) every sentence also names its own place and field
    (``在东城安康片区社区治理方面，``), so copies differ the way the sections of a long report do; without it
    the document is pathologically repetitive (hundreds of near-identical copies of each sentence).
    """
    docs = base_documents()
    pool = [p for ps in docs.values() for p in ps[1:] if len(p) > 20]
    out: list[str] = []
    total = 0
    section = 0
    while total < target_chars:
        section += 1
        heading = f"第{section}部分　{rnd.choice(_PLACES)}{rnd.choice(_TOPICS)}"
        out.append(heading)
        total += len(heading) + 1
        for p in rnd.sample(pool, min(len(pool), 12)):
            sentences = [s for s in re.split(r"(?<=[。；！])", p) if s]
            if len(sentences) > 2:
                head, rest = sentences[:1], sentences[1:]
                rnd.shuffle(rest)
                sentences = head + rest
            if varied:
                sentences = [
                    f"在{rnd.choice(_PLACES)}{''.join(rnd.sample(_SYLLABLES, 2))}片区{rnd.choice(_TOPICS)}方面，{s}"
                    if len(s) > 12 and rnd.random() < 0.8
                    else s
                    for s in sentences
                ]
            text = "".join(sentences)
            text = re.sub(r"[0-9]", lambda m: str(rnd.randint(1 if m.start() == 0 else 0, 9)), text)
            for a, b in VARIANT_PAIRS:
                if rnd.random() < 0.3:
                    text = text.replace(a, b)
            out.append(text)
            total += len(text) + 1
    return out


# ----------------------------------------------------------------------------------------------
# scoring


@dataclass(slots=True)
class Score:
    """Counts behind precision and recall (add several with ``+``)."""

    damages: int = 0
    restored: int = 0
    edits: int = 0
    right_edits: int = 0
    variants: int = 0
    variants_kept: int = 0
    wrong: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    def __add__(self, other: Score) -> Score:
        return Score(
            self.damages + other.damages,
            self.restored + other.restored,
            self.edits + other.edits,
            self.right_edits + other.right_edits,
            self.variants + other.variants,
            self.variants_kept + other.variants_kept,
            self.wrong + other.wrong,
            self.missed + other.missed,
        )

    @property
    def recall(self) -> float:
        return self.restored / self.damages if self.damages else 1.0

    @property
    def precision(self) -> float:
        return self.right_edits / self.edits if self.edits else 1.0

    @property
    def variants_kept_rate(self) -> float:
        return self.variants_kept / self.variants if self.variants else 1.0


def _indel_opcodes(a: str, b: str) -> list[tuple[str, int, int, int, int]]:
    return Indel.opcodes(a, b).as_list()


def _matched(
    output: str, expected: str, opcodes: Callable[[str, str], list[tuple[str, int, int, int, int]]]
) -> tuple[list[bool], list[bool], list[int]]:
    """Per character: is it matched to an equal character of the other text?

    Also, for each character of ``expected``, the output offset it lines up with (or -1).
    """
    in_out = [False] * len(output)
    in_exp = [False] * len(expected)
    exp_to_out = [-1] * len(expected)
    for tag, i1, i2, j1, j2 in opcodes(output, expected):
        if tag == "equal":
            in_out[i1:i2] = [True] * (i2 - i1)
            in_exp[j1:j2] = [True] * (j2 - j1)
            exp_to_out[j1:j2] = range(i1, i2)
    return in_out, in_exp, exp_to_out


def evaluate(
    corrupted: str,
    truth: Truth,
    applied: Sequence[Edit],
    *,
    opcodes: Callable[[str, str], list[tuple[str, int, int, int, int]]] = _indel_opcodes,
) -> Score:
    """Score the applied edits of a restoration of ``corrupted`` against ``truth``.

    An edit is right when every character it puts in (paragraph breaks included) lines up with the
    same character of ``truth.expected``; a damage is restored when its span of ``expected`` lines
    up with the output; a variant is kept when its span does (or, for an omission, when nothing was
    inserted there). Output and expected text are lined up by ``opcodes`` (exact LCS by default;
    the benchmark passes :func:`pipeline.align.align_chars` for a million characters).
    """
    output = apply_edits(corrupted, applied)
    in_out, in_exp, exp_to_out = _matched(output, truth.expected, opcodes)
    score = Score()
    shift = 0
    for edit in sorted(applied, key=lambda e: (e.start, e.end)):
        start = edit.start + shift
        shift += len(edit.after) - (edit.end - edit.start)
        score.edits += 1
        if all(in_out[start : start + len(edit.after)]):
            score.right_edits += 1
        else:
            score.wrong.append(f"{edit.rule_id} {edit.before!r}->{edit.after!r} ({edit.evidence})")
    for item in truth.items:
        ok = all(in_exp[item.start : item.end])
        if item.kind == "variant-omission":
            at = exp_to_out[item.start - 1] + 1 if item.start else 0
            ok = at > 0 and item.original not in output[max(0, at - 2) : at + len(item.original) + 2]
        if item.is_damage:
            score.damages += 1
            score.restored += ok
            if not ok:
                context = truth.expected[max(0, item.start - 8) : item.end + 8]
                score.missed.append(f"{item.kind} {item.corrupted!r}->{item.original!r} in …{context}…")
        else:
            score.variants += 1
            score.variants_kept += ok
    return score
