"""Record files: JSON lines (``.jsonl``, ``.jsonl.gz``, ``.jsonl.zst``) and Parquet, one document a record.

Paths go through fsspec, so ``memory://``, ``s3://`` (with s3fs installed) and the like work as local
paths do; compression is inferred from the name. Each record comes back with its line (JSON lines) or
row (Parquet) number, counted from 1, and either the record (a dict) or the one-line reason it is bad
(not JSON, not an object, undecodable bytes): a bad record never stops the reading.

>>> import fsspec, json
>>> with fsspec.open("memory://doc/records.jsonl", "w") as handle:
...     _ = handle.write(json.dumps({"text": "正文"}) + "\\nnot json\\n")
>>> [(item.number, item.record, item.error) for item in read_records("memory://doc/records.jsonl")]
[(1, {'text': '正文'}, None), (2, None, 'line 2: not valid JSON')]
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import fsspec

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson", ".ndjson.gz", ".ndjson.zst")
PARQUET_SUFFIXES = (".parquet",)
PARQUET_BATCH = 1024


@dataclass(frozen=True, slots=True)
class RecordItem:
    """One record of a record file: its line or row number (from 1) and the record, or why it is bad."""

    number: int
    record: dict[str, Any] | None
    error: str | None = None


def record_format(name: str) -> str | None:
    """``"jsonl"`` or ``"parquet"`` when ``name`` is a record file, else None.

    >>> record_format("shard-00001.jsonl.zst"), record_format("data.parquet"), record_format("a.txt")
    ('jsonl', 'parquet', None)
    """
    lowered = name.lower()
    if lowered.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if lowered.endswith(PARQUET_SUFFIXES):
        return "parquet"
    return None


def read_records(path: str) -> Iterator[RecordItem]:
    """The records of a JSON-lines or Parquet file (any fsspec path), in order; blank lines skipped.

    Raises OSError when the file itself cannot be opened or its compression is broken.
    """
    if record_format(path) == "parquet":
        yield from _read_parquet(path)
    else:
        yield from _read_jsonl(path)


def _lines(handle: Any) -> Any:
    """Binary lines of an opened file; zstandard's reader can only ``read``, so it gets a buffer."""
    return io.BufferedReader(handle) if "Zstd" in type(handle).__name__ else handle


def _read_jsonl(path: str) -> Iterator[RecordItem]:
    with fsspec.open(path, "rb", compression="infer") as handle:
        for number, raw in enumerate(_lines(handle), start=1):
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                yield RecordItem(number, None, f"line {number}: not UTF-8 ({err.reason} at byte {err.start})")
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                yield RecordItem(number, None, f"line {number}: not valid JSON")
                continue
            if not isinstance(value, dict):
                yield RecordItem(number, None, f"line {number}: a JSON {type(value).__name__}, not an object")
                continue
            yield RecordItem(number, value)


def _read_parquet(path: str) -> Iterator[RecordItem]:
    import pyarrow.parquet as pq

    number = 0
    with fsspec.open(path, "rb") as handle:
        parquet = pq.ParquetFile(handle)
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH):
            for row in batch.to_pylist():
                number += 1
                yield RecordItem(number, row)


def count_records(path: str) -> int:
    """How many records a file holds (Parquet: from its footer; JSON lines: non-blank lines)."""
    if record_format(path) == "parquet":
        import pyarrow.parquet as pq

        with fsspec.open(path, "rb") as handle:
            return pq.ParquetFile(handle).metadata.num_rows
    count = 0
    with fsspec.open(path, "rb", compression="infer") as handle:
        for raw in _lines(handle):
            count += bool(raw.strip())
    return count
