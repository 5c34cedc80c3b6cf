"""Large scraped inputs for the benchmarks, built from distinct paragraphs.

A repeated paragraph is rightly removed by the cleaner as repeated text, so a benchmark input made of
one paragraph (or one set of sentences) over and over measures the wrong thing. :func:`scraped_document`
builds a 第一文库网 preview of any size in which no sentence repeats: each of the sample's sentences
is given a place, a field and numbers of its own (``在东城安康片区社区治理方面,…``), sentences are grouped
into paragraphs under numbered headings (``三、…``), and the whole is flattened and cut into chunks
numbered ``1、`` ``2、`` … mid-word, with the site's half-width punctuation — as the sample is.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "wangxin_scraped_diyiwenku.txt"
RE_MARKER = re.compile(r"^\d+、", re.MULTILINE)
HEADER = "《{title}.docx》由会员分享,可在线阅读,更多相关《{title}.docx(5页珍藏版)》请在第一文库网上搜索。"

PLACES = tuple(
    "东城 西城 南湖 北山 江口 河湾 青石 白沙 金桥 银杏 松林 柳岸 桃源 梅岭 竹溪 兰亭 新安 永宁 长乐 太平 "
    "丰收 和平 东风 红旗 前进 幸福 光明 振兴 富民 利民".split()
)
SYLLABLES = "安邦昌达丰福光国海华佳建江金锦康乐立林龙美明宁平秋荣瑞盛顺泰天文祥新兴秀雅阳益永勇远志"
TOPICS = tuple(
    "社区治理 基层党建 产业园区 交通运输 生态保护 医疗卫生 教育培训 文化旅游 市场监管 应急管理 数字政务 "
    "科技创新 水利建设 乡村旅游 住房保障 就业服务 养老服务 食品安全 环境整治 招商引资".split()
)
NUMERALS = "一二三四五六七八九十"


def sample_sentences() -> list[str]:
    """The sample's body (header and chunk markers removed) cut into sentences ending with 。"""
    _, *chunks = SAMPLE.read_text(encoding="utf-8").splitlines()
    body = "".join(RE_MARKER.sub("", chunk) for chunk in chunks)
    return [s + "。" for s in body.split("。") if len(s) > 6]


def scraped_document(target_bytes: int, *, seed: int = 7, title: str = "在调研网信工作强调要求") -> str:
    """A scraped preview of about ``target_bytes`` UTF-8 bytes in which no sentence or paragraph repeats."""
    rng = random.Random(seed)
    sentences = sample_sentences()
    chunk_chars = 180
    pieces: list[str] = [title]
    size = len(title.encode())
    section = 0
    while size < target_bytes * 0.99:
        section += 1
        heading = f"{NUMERALS[(section - 1) % 10]}、{rng.choice(PLACES)}{rng.choice(TOPICS)}工作第{section}部分"
        pieces.append(heading)
        size += len(heading.encode())
        for _ in range(rng.randint(2, 5)):
            paragraph = []
            for sentence in rng.sample(sentences, rng.randint(3, 7)):
                place = f"{rng.choice(PLACES)}{''.join(rng.sample(SYLLABLES, 2))}片区"
                sentence = f"在{place}{rng.choice(TOPICS)}方面,{rng.randint(2001, 2024)}年{sentence}"
                paragraph.append(sentence)
            pieces.append("".join(paragraph))
            size += len(pieces[-1].encode())
    body = "".join(pieces)
    lines = [HEADER.format(title=title)]
    for number, start in enumerate(range(0, len(body), chunk_chars), start=1):
        lines.append(f"{number}、{body[start : start + chunk_chars]}")
    return "\n".join(lines) + "\n"
