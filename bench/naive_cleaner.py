"""A naive regex cleaner for scraped previews: what people write first, the speed baseline.

Four passes of the standard library's ``re``: the site's share header dropped, chunk markers (``12、``
at a line start) stripped and the chunks rejoined, half-width ``, ; : ! ?`` between Chinese made
full-width, and a line break put before headings (``一、`` ``（一）`` ``第X章``). No log, no checks.

Run as a process like ``docmend clean``: ``python bench/naive_cleaner.py INPUT OUTPUT``.
"""

from __future__ import annotations

import re
import sys

RE_HEADER = re.compile(r"^《.+?》由会员分享.*?上搜索。?\n", re.MULTILINE)
RE_CHUNK = re.compile(r"\n?^\d+、", re.MULTILINE)
RE_HALF_WIDTH = re.compile(r"(?<=[\u4e00-\u9fff“”])([,;:!?])(?=[\u4e00-\u9fff“”])")
WIDTH = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}
NUMBER = "[一二三四五六七八九十百]+"
RE_HEADING = re.compile(rf"(?<=[。！？”])(?={NUMBER}、|（{NUMBER}）|第{NUMBER}[章节条])")


def naive_clean(text: str) -> str:
    """Header, chunk markers, punctuation width, heading breaks: ``1、甲,乙`` → ``甲，乙``."""
    text = RE_HEADER.sub("", text)
    text = RE_CHUNK.sub("", text)
    text = RE_HALF_WIDTH.sub(lambda m: WIDTH[m.group(1)], text)
    return RE_HEADING.sub("\n", text)


def main() -> None:
    source, target = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as handle:
        text = handle.read()
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(naive_clean(text))


if __name__ == "__main__":
    main()
