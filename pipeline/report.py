"""The JSON report: a view of a Document's edit log (every change, counted and in context).

Two levels of detail: ``full`` lists every change as one record with its context; ``compact`` (the
default) lists mass single-character substitutions (a rule making 40,000 commas full-width) as one
record per step, rule and character pair with its positions, and every other change as in ``full``.
Both replay to the output (:func:`replay_report`). :func:`write_report` streams either to a file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import IO, Any

import orjson

from .document import Document, Edit, Substitutions, replay
from .edit_log import EditLog, as_dict, as_json

CONTEXT_CHARS = 20
DETAILS = ("full", "compact", "none")
REPLAY_NOTE = (
    "apply the changes grouped by 'step', in step order, each group right to left, to the input text: the "
    "result is the output text; a 'substitutions' record stands for one change of 'before' into 'after' at "
    "each of its 'positions' (offsets in the text its step received), in the group of its step"
)


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


def edit_counts(edits: Sequence[Edit], key: str) -> Counter[str]:
    """Edits per ``stage`` or ``rule_id`` (without expanding a log's substitutions)."""
    if isinstance(edits, EditLog):
        return edits.counts(key)
    return Counter(getattr(edit, key) for edit in edits)


def _parts(doc: Document, detail: str) -> Iterator[tuple[str, Any]]:
    """The report's fields in order; the long lists as iterators, so that they can be streamed."""
    by_stage = edit_counts(doc.edits, "stage")
    by_rule = edit_counts(doc.edits, "rule_id")
    metadata = {k: v for k, v in doc.metadata.items() if k not in {"title", "site", "quality"}}
    compact = detail == "compact" and isinstance(doc.edits, EditLog)
    changes: Iterable[Edit] = doc.edits.ordinary() if compact else doc.edits  # type: ignore[union-attr]
    yield "docmend", docmend_version()
    yield "source", doc.source
    yield "title", doc.title
    yield "site", doc.metadata.get("site")
    yield "status", doc.metadata.get("status", "ok")
    yield "input_chars", len(doc.original)
    yield "output_chars", len(doc.text)
    yield "paragraphs", doc.paragraph_count
    yield "quality", doc.metadata.get("quality")
    yield "counts", {"by_stage": dict(by_stage), "by_rule": dict(sorted(by_rule.items()))}
    yield "detail", "compact" if compact else "full"
    yield "changes", (_change(edit, doc.original) for edit in changes)
    if compact:
        yield "substitutions", doc.edits.substitutions()  # type: ignore[union-attr]
    yield "suggestions", (_change(edit, doc.original) for edit in doc.suggestions)
    yield "warnings", list(doc.warnings)
    yield "metadata", metadata
    yield "replay", REPLAY_NOTE


def build_report(doc: Document, *, detail: str = "compact") -> dict[str, Any]:
    """The report of one document: what it is, counts per stage and rule, every change, warnings.

    Each change holds ``stage``, ``rule``, ``start``/``end`` (in the text its step received),
    ``input_start``/``input_end`` (in the input), ``before``, ``after``, ``reason``, ``step`` and,
    where there is one, ``evidence`` and ``confidence``. With ``detail="compact"`` the mass
    single-character substitutions are ``substitutions`` records (``stage``, ``rule``, ``before``,
    ``after``, ``reason``, ``step``, ``count``, ``positions``, ``input_positions``) instead.
    """
    parts = _parts(doc, detail)
    return {key: list(map(_record, value)) if isinstance(value, Iterator) else value for key, value in parts}


def _record(record: Any) -> Any:
    return as_dict(record) if isinstance(record, Substitutions) else record


def write_report(handle: IO[bytes], doc: Document, *, detail: str = "compact") -> None:
    """Stream the report to a binary file, one record per line: the same JSON as :func:`build_report`,
    never held in memory as a whole."""
    dumps = orjson.dumps
    handle.write(b"{")
    for number, (key, value) in enumerate(_parts(doc, detail)):
        handle.write(b"\n" if not number else b",\n")
        handle.write(dumps(key) + b": ")
        if isinstance(value, Iterator):
            handle.write(b"[")
            for count, record in enumerate(value):
                handle.write(b"\n  " if not count else b",\n  ")
                handle.write(as_json(record) if isinstance(record, Substitutions) else dumps(record))
            handle.write(b"]")
        else:
            handle.write(dumps(value))
    handle.write(b"\n}\n")


def report_edits(report: dict[str, Any]) -> list[Edit]:
    """The edits a report (either detail) records, substitutions expanded, ready for :func:`replay`."""
    edits = [
        Edit(c["stage"], c["rule"], c["start"], c["end"], c["before"], c["after"], c["reason"], step=c["step"])
        for c in report["changes"]
    ]
    for r in report.get("substitutions", []):
        edits.extend(
            Edit(r["stage"], r["rule"], p, p + 1, r["before"], r["after"], r["reason"], step=r["step"])
            for p in r["positions"]
        )
    return edits


def replay_report(original: str, report: dict[str, Any]) -> str:
    """The output text, rebuilt from the input and a report (``full`` or ``compact``).

    >>> from pipeline.runner import clean_text
    >>> doc = clean_text("指出,网络,空间,安全,发展,治理,体系,建设,工作。")
    >>> replay_report(doc.original, build_report(doc)) == doc.text
    True
    """
    return replay(original, report_edits(report))


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
        "changes": dict(edit_counts(doc.edits, "stage")),
        "restored": edit_counts(doc.edits, "stage")["restore"],
        "duplicate_of": None,
        "quality": doc.metadata.get("quality"),
    }
