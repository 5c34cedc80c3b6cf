"""The inputs of a corpus run: document files (one document each) and record files (one document a record).

Record files are JSON lines (``.jsonl``, ``.jsonl.gz``, ``.jsonl.zst``) and Parquet: each record's
``--text-field`` (default ``text``) is the document, its ``--id-field`` (default ``id``) the id — a stable
hash of the file name, the line and the text when absent — and its other fields are kept unchanged under
``metadata`` in the output record. A bad record (not JSON, no text field) becomes an error task: the worker
turns it into an error record naming the line or row. Inputs may be local paths or fsspec URLs
(``memory://…``, ``s3://…`` with s3fs installed); a folder is walked recursively, sorted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..ingest.records import count_records, read_records, record_format
from .worker import SUPPORTED, CorpusUsageError, Found, Task, find_inputs, iter_tasks

RECORD_ID_PREFIX = b"docmend-record\x00"


def is_url(path: str | Path) -> bool:
    """True for an fsspec URL (``memory://a``, ``s3://b/c``), False for a local path.

    >>> is_url("s3://bucket/corpus.jsonl.zst"), is_url("corpus/a.jsonl"), is_url("file:///tmp/a.jsonl")
    (True, False, True)
    """
    return "://" in str(path)


@dataclass(frozen=True, slots=True)
class RecordFile:
    """A record file found under the inputs: where it is, the name its ids are made from, its record count."""

    path: str
    rel: str
    records: int


@dataclass(slots=True)
class CorpusInputs:
    """Everything found under the inputs; ``len()`` is the number of documents (files plus records)."""

    documents: list[Found] = field(default_factory=list)
    record_files: list[RecordFile] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    remote: list[tuple[str, str]] = field(default_factory=list)  # document files by URL: (url, rel)
    text_field: str = "text"
    id_field: str = "id"

    def __len__(self) -> int:
        return len(self.documents) + len(self.remote) + sum(item.records for item in self.record_files)

    def tasks(self, done: set[str] | frozenset[str] = frozenset()) -> Iterator[Task]:
        """One task per document, in order (files first, then each record file), leaving out the ids in ``done``."""
        yield from iter_tasks(self.documents, done=done)
        for url, rel in self.remote:
            yield from _remote_task(url, rel, done)
        used: set[str] = set()
        for item in self.record_files:
            yield from self._record_tasks(item, done, used)

    def _record_tasks(self, item: RecordFile, done: set[str] | frozenset[str], used: set[str]) -> Iterator[Task]:
        where = "row" if record_format(item.path) == "parquet" else "line"
        for found in read_records(item.path):
            source = f"{item.path}:{found.number}"
            task: Task
            if found.record is None:
                task = {"id": _record_id("", f"{item.rel}:{found.number}"), "error": found.error}
            else:
                task = self._task(found.record, f"{item.rel}:{found.number}", f"{where} {found.number}")
            task["source"] = source
            task["id"] = _unique(str(task["id"]), used)
            if task["id"] not in done:
                yield task

    def _task(self, record: dict[str, Any], where: str, number: str) -> Task:
        text = record.get(self.text_field)
        given = record.get(self.id_field)
        metadata = {key: value for key, value in record.items() if key not in (self.text_field, self.id_field)}
        if not isinstance(text, str):
            reason = f"no text field {self.text_field!r}" if text is None else f"{self.text_field!r} is not a string"
            return {"id": given if given is not None else _record_id("", where), "error": f"{number}: {reason}"}
        record_id = str(given) if given is not None else _record_id(text, where)
        return {"id": record_id, "text": text, "metadata": metadata, "bytes": len(text.encode("utf-8"))}


def _remote_task(url: str, rel: str, done: set[str] | frozenset[str]) -> Iterator[Task]:
    """The task of a document file behind a URL, its bytes fetched here (the workers may not see that filesystem,
    as with ``memory://``); the id is made as for a local file, from ``rel`` and the bytes."""
    import fsspec

    try:
        with fsspec.open(url, "rb") as handle:
            data = handle.read()
    except OSError as err:
        record_id = hashlib.sha1(b"docmend-corpus\x00" + rel.encode("utf-8")).hexdigest()
        if record_id not in done:
            yield {"id": record_id, "source": url, "bytes": 0, "error": f"cannot read the file ({err})"}
        return
    record_id = hashlib.sha1(b"docmend-corpus\x00" + rel.encode("utf-8") + b"\x00" + data).hexdigest()
    if record_id not in done:
        yield {"id": record_id, "source": url, "bytes": len(data), "data": data}


def _record_id(text: str, where: str) -> str:
    return hashlib.sha1(RECORD_ID_PREFIX + where.encode("utf-8") + b"\x00" + text.encode("utf-8")).hexdigest()


def _unique(record_id: str, used: set[str]) -> str:
    """``record_id``, or ``record_id#2``, ``#3``… when an earlier record of the run had it."""
    candidate, copy = record_id, 1
    while candidate in used:
        copy += 1
        candidate = f"{record_id}#{copy}"
    used.add(candidate)
    return candidate


def find_corpus_inputs(
    inputs: Sequence[Path | str], *, exclude: Path | None = None, text_field: str = "text", id_field: str = "id"
) -> CorpusInputs:
    """Walk the inputs: document files, record files (counted), unsupported files. Raises CorpusUsageError
    for an input that does not exist."""
    found = CorpusInputs(text_field=text_field, id_field=id_field)
    local = [Path(item) for item in inputs if not is_url(item)]
    if local:
        documents, others = find_inputs(local, exclude=exclude)
        found.documents = documents
        for path in others:
            if record_format(path):
                found.record_files.append(_record_file(path, Path(path).name))
            else:
                found.unsupported.append(path)
    for url in (str(item) for item in inputs if is_url(item)):
        _walk_url(url, found)
    return found


def _record_file(path: str, rel: str) -> RecordFile:
    return RecordFile(path, rel, count_records(path))


def _walk_url(url: str, found: CorpusInputs) -> None:
    from fsspec.core import url_to_fs

    fs, root = url_to_fs(url)
    if not fs.exists(root):
        raise CorpusUsageError(f"no such file or folder: {url}")
    paths = sorted(fs.find(root)) if fs.isdir(root) else [root]
    for path in paths:
        full = fs.unstrip_protocol(path)
        name = path.rsplit("/", 1)[-1]
        if record_format(name):
            found.record_files.append(_record_file(full, name))
        elif Path(name).suffix.lower() in SUPPORTED:
            found.remote.append((full, path))
        else:
            found.unsupported.append(full)
