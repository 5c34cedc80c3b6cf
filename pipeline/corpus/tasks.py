"""Clean one corpus task, whatever it holds: a record's text, a local file, or a file's bytes (fetched by URL)."""

from __future__ import annotations

from typing import Any

from ..document import Document
from ..errors import IngestError
from ..rules import RuleSet


def clean_task(
    task: dict[str, Any], rules: RuleSet, *, reference: str | None = None, reference_text: str | None = None
) -> Document:
    """The cleaned Document of ``task``; raises IngestError for a bad record (the task's ``error``)."""
    from ..runner import clean_file, clean_text

    if task.get("error"):
        raise IngestError(task["source"], task["error"])
    metadata: dict[str, Any] = {"reference": reference} if reference is not None else {}
    if "text" in task:
        return clean_text(task["text"], rules=rules, source=task["source"], metadata=metadata, reference=reference_text)
    source = str(task["source"])
    if "data" not in task:
        return clean_file(source, rules=rules, reference=reference, reference_text=reference_text)
    from ..ingest import read_document_bytes

    ingested = read_document_bytes(task["data"], source.rsplit("/", 1)[-1])
    metadata.update(ingested.metadata)
    metadata.update({"format": ingested.format, "encoding": ingested.encoding})
    return clean_text(ingested.text, rules=rules, source=source, metadata=metadata, reference=reference_text)


def shape_record(record: dict[str, Any], task: dict[str, Any]) -> dict[str, Any]:
    """The output record for ``task``: ``metadata`` holds the input record's other fields (``{}`` for a file)."""
    record["metadata"] = task.get("metadata") or {}
    return record
