"""Stage "damage": repair damage inside the body that a site or a broken extraction put there.

Each step returns edits (rule ids ``damage.<name>``); settings come from ``rules/common/damage.toml``.
One module per kind of damage: ``noise``, ``pinyin``, ``headings``, ``repeats``, ``injected``,
``simplified``; ``shared`` holds what they share, and ``pipeline.language`` the language data.

* :func:`remove_anti_copy_noise` — runs of rare characters some sites inject, found from character
  statistics (jieba's word frequencies summed per character, Unicode's radical order), not a list::

      这是正文艹虫蚌衤袄裙这是正文                →   这是正文这是正文

  and blocks of random common characters stuck to real text at a line (chunk) edge, found because
  almost none of their neighbouring pairs occur in any dictionary word.
* :func:`strip_pinyin_layers` — a pinyin layer mixed into the text::

      網(wǎng)絡(luò)   →   網絡            臣chn亮ling言yn   →   臣亮言

* :func:`fix_spaced_headings` — letter-spaced, doubled and table-of-contents lines::

      政 　 府 　 工 　 作 　 报 　 告   →   政府工作报告
      政政府府工工作作报报告告           →   政府工作报告
      第一章 总则……………………1          →   第一章 总则

* :func:`remove_repeated_text` — a summary followed by the same text again, a line repeated right
  after itself or a paragraph repeated later (the later copy goes), a title repeated at the start,
  and text doubled inside a paragraph by a PDF/PPT text layer::

      第第1515章章 解析解析LinuxLinux内核内核   →   第15章 解析Linux内核
      内核是操作系统的核心，通常说的内核是操作系统的核心，通常说的   →   内核是操作系统的核心，通常说的
* :func:`remove_injected_text` / :func:`flag_injected_text` — SEO keyword lines, stock
  aphorisms and keyword links (document titles standing in for a word) inserted mid-text: removed
  where a rule recognises them, otherwise flagged (suggestions: edits with ``before == after``)::

      8. 关于同志…评分表图表与交易pdf视力表打印pdf用图表说话 pdf 达式和语句   →   8. 表达式和语句
* :func:`to_simplified` — traditional → simplified with OpenCC, only when
  ``metadata["to_simplified"]`` asks for it; classical quotations keep their characters unless it is
  ``"all"``.

Every step is idempotent: run on its own output it finds nothing more to do.
"""

from .headings import fix_spaced_headings
from .injected import flag_injected_text, remove_injected_text
from .noise import remove_anti_copy_noise
from .pinyin import is_pinyin_of, strip_pinyin_layers
from .repeats import remove_repeated_text
from .simplified import to_simplified

__all__ = [
    "fix_spaced_headings",
    "flag_injected_text",
    "is_pinyin_of",
    "remove_anti_copy_noise",
    "remove_injected_text",
    "remove_repeated_text",
    "strip_pinyin_layers",
    "to_simplified",
]
