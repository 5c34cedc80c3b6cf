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

    A file that breaks off (truncated compression, damaged Parquet, unreadable) ends with one bad item
    saying where and why, numbered after the last record read.
    """
    number = 0
    try:
        reader = _read_parquet(path) if record_format(path) == "parquet" else _read_jsonl(path)
        for item in reader:
            number = item.number
            yield item
    except Exception as err:  # zstandard, gzip, pyarrow and fsspec each raise their own kind
        where = "row" if record_format(path) == "parquet" else "line"
        reason = " ".join(str(err).split()) or type(err).__name__
        yield RecordItem(number + 1, None, f"{where} {number + 1}: the file cannot be read from here on ({reason})")


def _zstd_chunks(handle: Any) -> Iterator[bytes]:
    """The decompressed bytes of a Zstandard stream (one frame or several); raises ValueError when it is cut
    short (zstandard's stream reader would just stop)."""
    import zstandard

    decompressor = zstandard.ZstdDecompressor()
    frame = decompressor.decompressobj()
    pending = False
    while chunk := handle.read(1 << 20):
        while chunk:
            yield frame.decompress(chunk)
            pending = not frame.eof
            chunk = frame.unused_data if frame.eof else b""
            if frame.eof:
                frame = decompressor.decompressobj()
    if pending:
        raise ValueError("the Zstandard stream is cut short")


def _binary_lines(path: str) -> Iterator[bytes]:
    """The lines of a (possibly gzip- or Zstandard-compressed) file, as bytes."""
    if not path.lower().endswith(".zst"):
        with fsspec.open(path, "rb", compression="infer") as handle:
            yield from handle
        return
    with fsspec.open(path, "rb") as handle:
        rest = b""
        for chunk in _zstd_chunks(handle):
            lines = (rest + chunk).split(b"\n")
            rest = lines.pop()
            for line in lines:
                yield line + b"\n"
        if rest:
            yield rest


def _read_jsonl(path: str) -> Iterator[RecordItem]:
    for number, raw in enumerate(_binary_lines(path), start=1):
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
    """How many items :func:`read_records` gives (Parquet: from its footer; JSON lines: non-blank lines;
    a file that breaks off: those before the break and one bad item)."""
    count = 0
    try:
        if record_format(path) == "parquet":
            import pyarrow.parquet as pq

            with fsspec.open(path, "rb") as handle:
                return pq.ParquetFile(handle).metadata.num_rows
        for raw in _binary_lines(path):
            count += bool(raw.strip())
    except Exception:
        return count + 1
    return count
