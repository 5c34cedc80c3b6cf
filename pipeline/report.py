"""The JSON report: a view of a Document's edit log (every change, counted and in context)."""

from __future__ import annotations

from collections import Counter
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from pipeline.document import Document, Edit

CONTEXT_CHARS = 20


def docmend_version() -> str:
    try:
        return version("docmend")
    except PackageNotFoundError:
        return "0+unknown"


def _change(edit: Edit, original: str) -> dict[str, Any]:
    # built field by field, not with Edit.to_dict(): a large document's report holds 100k+ of these
    stage, rule, start, end, before, after, reason, evidence, confidence, step, input_start, input_end = edit
    data: dict[str, Any] = {
        "stage": stage,
        "rule": rule,
        "start": start,
        "end": end,
        "before": before,
        "after": after,
        "reason": reason,
        "confidence": confidence,
        "step": step,
        "input_start": input_start,
        "input_end": input_end,
    }
    if evidence is not None:
        data["evidence"] = evidence
    if input_start >= 0:
        data["context"] = original[max(0, input_start - CONTEXT_CHARS) : input_end + CONTEXT_CHARS]
    return data


def build_report(doc: Document) -> dict[str, Any]:
    """The report of one document: what it is, counts per stage and rule, every change, warnings.

    Each change holds ``stage``, ``rule``, ``start``/``end`` (in the text its step received),
    ``input_start``/``input_end`` (in the input), ``before``, ``after``, ``reason``, ``step`` and,
    where there is one, ``evidence`` and ``confidence``.
    """
    by_stage = Counter(edit.stage for edit in doc.edits)
    by_rule = Counter(edit.rule_id for edit in doc.edits)
    metadata = {k: v for k, v in doc.metadata.items() if k not in {"title", "site", "quality"}}
    return {
        "docmend": docmend_version(),
        "source": doc.source,
        "title": doc.title,
        "site": doc.metadata.get("site"),
        "status": doc.metadata.get("status", "ok"),
        "input_chars": len(doc.original),
        "output_chars": len(doc.text),
        "paragraphs": len(doc.paragraphs),
        "quality": doc.metadata.get("quality"),
        "counts": {"by_stage": dict(by_stage), "by_rule": dict(sorted(by_rule.items()))},
        "changes": [_change(edit, doc.original) for edit in doc.edits],
        "suggestions": [_change(edit, doc.original) for edit in doc.suggestions],
        "warnings": list(doc.warnings),
        "metadata": metadata,
        "replay": "apply the changes grouped by 'step', in step order, each group right to left, "
        "to the input text: the result is the output text",
    }


def build_record(doc: Document, *, record_id: str | None = None) -> dict[str, Any]:
    """A corpus record: the document's clean text and a summary of what was done to it."""
    return {
        "id": record_id,
        "source": doc.source,
        "site": doc.metadata.get("site"),
        "title": doc.title,
        "text": doc.text,
        "chars": len(doc.text),
        "reference": doc.metadata.get("reference"),
        "changes": dict(Counter(edit.stage for edit in doc.edits)),
        "restored": sum(1 for edit in doc.edits if edit.stage == "restore"),
        "duplicate_of": None,
        "quality": doc.metadata.get("quality"),
    }
