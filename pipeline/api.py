"""The Python API that ``import docmend`` exposes: clean a string, a file, or a stream of records.

Each function returns what the command line writes, as Python objects: the clean text, the title,
every edit (the report's change records), the suggestions and the quality record.

>>> result = clean("《合同范本.docx》由会员分享,"
...                "可在线阅读,更多相关《合同范本.docx(5页珍藏版)》请在第一文库网上搜索。\\n"
...                "1、甲方应于每月5日前支付租金,逾期按日收取滞纳金。\\n2、乙方不得擅自转租。\\n")
>>> result.title
'合同范本'
>>> print(result.text)
合同范本
1、甲方应于每月5日前支付租金，逾期按日收取滞纳金。
2、乙方不得擅自转租。
>>> sorted({edit["stage"] for edit in result.edits})
['boilerplate', 'normalise', 'paragraphs']
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .document import Document
from .errors import DocmendError
from .rules import RuleSet, load_rules

RECORD_ID_PREFIX = b"docmend-record\x00"


@dataclass(frozen=True, slots=True)
class CleanResult:
    """What cleaning one document gave.

    ``text`` (one paragraph per line), ``title`` (or None), ``edits`` and ``suggestions`` (every change as a
    record, the ``changes`` of a ``--report full`` report: ``stage``, ``rule``, ``start``, ``end``, ``before``,
    ``after``, ``reason``, …),
    ``quality`` (``han_share``, ``removed_share``, ``chars``, ``lang``, ``script``, ``warnings``),
    ``status`` (``"ok"`` or why not), ``warnings`` and the underlying :class:`~pipeline.document.Document`.
    """

    text: str
    title: str | None
    edits: list[dict[str, Any]]
    suggestions: list[dict[str, Any]]
    quality: dict[str, Any]
    status: str
    warnings: list[str]
    document: Document = field(repr=False)

    @property
    def ok(self) -> bool:
        """True when a document body was found."""
        return self.status == "ok"

    @property
    def report(self) -> dict[str, Any]:
        """The JSON report as ``docmend clean`` writes it to ``<name>.report.json`` by default (``compact``)."""
        from .report import build_report

        return build_report(self.document)

    @classmethod
    def of(cls, doc: Document) -> CleanResult:
        """The result of a cleaned :class:`Document`."""
        from .report import _change as change_record

        return cls(
            text=doc.text,
            title=doc.title,
            edits=[change_record(edit, doc.original) for edit in doc.edits],
            suggestions=[change_record(edit, doc.original) for edit in doc.suggestions],
            quality=dict(doc.metadata.get("quality") or {}),
            status=str(doc.metadata.get("status", "ok")),
            warnings=list(doc.warnings),
            document=doc,
        )


@lru_cache(maxsize=8)
def _rules(rule_dirs: tuple[str, ...]) -> RuleSet:
    return load_rules(rule_dirs)


def _ruleset(rules: RuleSet | Sequence[str | Path] | None) -> RuleSet:
    if isinstance(rules, RuleSet):
        return rules
    return _rules(tuple(str(item) for item in rules or ()))


def _options(to_simplified: bool | str) -> dict[str, Any]:
    return {"to_simplified": to_simplified} if to_simplified else {}


def _clean_reference_text(reference: str, rules: RuleSet) -> str:
    from .runner import clean_text

    return clean_text(reference, rules=rules, source="<reference>").text


def clean(
    text: str,
    *,
    reference: str | None = None,
    complete: bool = False,
    to_simplified: bool | str = False,
    rules: RuleSet | Sequence[str | Path] | None = None,
    source: str = "<text>",
) -> CleanResult:
    """Clean one document's text; with ``reference`` (the text of another version) restore what was masked.

    ``rules``: a loaded :class:`RuleSet`, or rule folders layered over the packaged rules (``--rules``).
    ``complete`` (with a reference) also inserts the paragraphs the scraped text lacks; ``to_simplified``
    converts traditional characters to simplified.

    >>> clean("第 1 页 共 2 页\\n坚持以人民为中心的发展思想。").text
    '坚持以人民为中心的发展思想。'
    >>> clean("*月*日召开会议。", reference="3月5日召开会议。").text
    '3月5日召开会议。'
    """
    from .runner import clean_text

    ruleset = _ruleset(rules)
    reference_text = _clean_reference_text(reference, ruleset) if reference is not None else None
    doc = clean_text(
        text,
        rules=ruleset,
        source=source,
        metadata=_options(to_simplified),
        reference=reference_text,
        complete=complete,
    )
    return CleanResult.of(doc)


def clean_file(
    path: str | Path,
    *,
    reference: str | Path | None = None,
    complete: bool = False,
    to_simplified: bool | str = False,
    rules: RuleSet | Sequence[str | Path] | None = None,
) -> CleanResult:
    """Read a TXT (any encoding), HTML, DOCX or PDF file and clean it; ``reference`` is a file too.

    Raises :class:`~pipeline.errors.IngestError` (a :class:`DocmendError`) when the file cannot be read.
    """
    from .runner import clean_file as run_clean_file

    doc = run_clean_file(
        path, rules=_ruleset(rules), reference=reference, complete=complete, to_simplified=to_simplified
    )
    return CleanResult.of(doc)


def record_id(text: str, *, where: str = "") -> str:
    """A stable id for a record that has none: sha1 of where it was found and its text.

    >>> record_id("正文", where="a.jsonl:1") == record_id("正文", where="a.jsonl:1")
    True
    >>> len(record_id("正文"))
    40
    """
    digest = hashlib.sha1(RECORD_ID_PREFIX + where.encode("utf-8") + b"\x00" + text.encode("utf-8"))
    return digest.hexdigest()


def record_fields(doc: Document) -> dict[str, Any]:
    """docmend's fields of an output record (beside ``id``, ``text`` and ``metadata``)."""
    return {
        "title": doc.title,
        "site": doc.metadata.get("site"),
        "chars": len(doc.text),
        "changes": dict(Counter(edit.stage for edit in doc.edits)),
        "restored": sum(1 for edit in doc.edits if edit.stage == "restore"),
        "quality": doc.metadata.get("quality"),
        "status": doc.metadata.get("status", "ok"),
    }


def clean_records(
    records: Iterable[Mapping[str, Any]],
    *,
    text_field: str = "text",
    id_field: str = "id",
    reference_field: str | None = None,
    complete: bool = False,
    to_simplified: bool | str = False,
    rules: RuleSet | Sequence[str | Path] | None = None,
) -> Iterator[dict[str, Any]]:
    """Clean a stream of records (dicts), yielding one output record per input record, in order.

    Each output holds ``id`` (the ``id_field``, or a stable hash when absent), ``text`` (clean), ``metadata``
    (the record's other fields, unchanged) and docmend's fields (``title``, ``site``, ``chars``,
    ``changes``, ``restored``, ``quality``, ``status``). A record without a text field yields
    ``{"id", "error", "metadata"}`` instead; the stream goes on.

    >>> out = list(clean_records([{"id": "a", "text": "第 1 页 共 2 页\\n正文内容。", "url": "http://x"}, {"id": "b"}]))
    >>> out[0]["id"], out[0]["text"], out[0]["metadata"]
    ('a', '正文内容。', {'url': 'http://x'})
    >>> out[1]["error"]
    "no text field 'text'"
    """
    from .runner import clean_text

    ruleset = _ruleset(rules)
    for number, record in enumerate(records, start=1):
        text = record.get(text_field)
        found_id = record.get(id_field)
        metadata = {key: value for key, value in record.items() if key not in (text_field, id_field)}
        if not isinstance(text, str):
            reason = f"no text field {text_field!r}" if text is None else f"field {text_field!r} is not a string"
            rid = str(found_id) if found_id is not None else record_id("", where=f"#{number}")
            yield {"id": rid, "error": reason, "metadata": metadata}
            continue
        rid = str(found_id) if found_id is not None else record_id(text, where=f"#{number}")
        reference = record.get(reference_field) if reference_field else None
        try:
            doc = clean_text(
                text,
                rules=ruleset,
                source=rid,
                metadata=_options(to_simplified),
                reference=_clean_reference_text(reference, ruleset) if isinstance(reference, str) else None,
                complete=complete,
            )
        except DocmendError as err:
            yield {"id": rid, "error": str(err), "metadata": metadata}
            continue
        yield {"id": rid, "text": doc.text, "metadata": metadata, **record_fields(doc)}
