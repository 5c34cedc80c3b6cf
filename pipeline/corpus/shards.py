"""Corpus records written as shards: ``--output-format jsonl|jsonl.gz|jsonl.zst|parquet`` and ``--shard-size N``.

``OUTDIR/corpus.<ext>`` (one shard) or, with a shard size, ``OUTDIR/corpus-00000.<ext>``,
``corpus-00001.<ext>``… of N records each (the last may hold fewer). Resumable record by record: each record is
first appended and flushed to a plain staging file, ``OUTDIR/.corpus-<n>.partial.jsonl``; a shard that is
full (or, at the end of the run, the last one) is written whole to a temporary file and renamed into place,
and its staging file removed. A killed run leaves finished shards and at most one staging file, both read
back by ``--resume``; a shard file is therefore always complete.

Parquet shards hold the same fields as the JSON lines; nested fields (``metadata``, ``quality``,
``changes``) are Arrow structs, or JSON strings where Arrow cannot type them (mixed types across records,
no fields at all).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

OUTPUT_FORMATS = ("jsonl", "jsonl.gz", "jsonl.zst", "parquet")
STAGING = ".corpus-{:05d}.partial.jsonl"
_STAGING_RE = re.compile(r"^\.corpus-(\d{5})\.partial\.jsonl$")


def shard_names(outdir: Path, output_format: str) -> list[Path]:
    """The finished shards in ``outdir`` for ``output_format``, in order."""
    single = outdir / f"corpus.{output_format}"
    pattern = re.compile(rf"^corpus-(\d{{5}})\.{re.escape(output_format)}$")
    numbered = sorted(path for path in outdir.glob(f"corpus-*.{output_format}") if pattern.match(path.name))
    return ([single] if single.is_file() else []) + numbered


def read_shard(path: Path) -> Iterator[dict[str, Any]]:
    """The records of one finished shard (any of the output formats)."""
    if path.name.endswith(".parquet"):
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(path)
        as_json = json.loads((parquet.schema_arrow.metadata or {}).get(JSON_COLUMN_MARK.encode(), b"[]"))
        for batch in parquet.iter_batches(batch_size=1024):
            for row in batch.to_pylist():
                for name in as_json:
                    if row.get(name) is not None:
                        row[name] = json.loads(row[name])
                yield row
        return
    import fsspec

    with fsspec.open(str(path), "rt", encoding="utf-8", compression="infer") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def write_shard(records: list[dict[str, Any]], path: Path, output_format: str) -> None:
    """Write ``records`` to ``path`` atomically (temporary file in the same folder, fsync, rename)."""
    temporary = path.with_name(f".{path.name}.tmp")
    if output_format == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(arrow_table(records), temporary)
    else:
        import fsspec

        with fsspec.open(str(temporary), "wt", encoding="utf-8", compression=_compression(output_format)) as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False, default=json_default) + "\n")
    with temporary.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _compression(output_format: str) -> str | None:
    return {"jsonl.gz": "gzip", "jsonl.zst": "zstd"}.get(output_format)


JSON_COLUMN_MARK = "docmend:json-columns"


def arrow_table(records: list[dict[str, Any]]) -> Any:
    """An Arrow table of ``records``; dict columns Arrow cannot type become JSON strings (named in the schema)."""
    import pyarrow as pa

    plain = [json.loads(json.dumps(record, ensure_ascii=False, default=json_default)) for record in records]
    names = list(dict.fromkeys(key for record in plain for key in record))
    columns, as_json = [], []
    for name in names:
        values = [record.get(name) for record in plain]
        try:
            column = pa.array(values)
            if _has_empty_struct(column.type):
                raise pa.ArrowInvalid("a struct without fields")
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            column = pa.array([None if v is None else json.dumps(v, ensure_ascii=False) for v in values], pa.string())
            as_json.append(name)
        columns.append(column)
    schema_metadata = {JSON_COLUMN_MARK: json.dumps(as_json)} if as_json else None
    return pa.Table.from_arrays(columns, names=names, metadata=schema_metadata)


def _has_empty_struct(data_type: Any) -> bool:
    import pyarrow as pa

    if pa.types.is_struct(data_type):
        return data_type.num_fields == 0 or any(_has_empty_struct(f.type) for f in data_type)
    if pa.types.is_list(data_type) or pa.types.is_large_list(data_type):
        return _has_empty_struct(data_type.value_type)
    return False


def json_default(value: Any) -> Any:
    """JSON for what json cannot write itself: numpy values, sets, bytes, dates; else its str."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


@dataclass(slots=True)
class ShardWriter:
    """Appends records to the staging file of the current shard; writes each shard when it is full."""

    outdir: Path
    output_format: str
    shard_size: int | None = None
    shards: list[str] = field(default_factory=list)
    _number: int = 0
    _count: int = 0
    _handle: IO[str] | None = None

    def used(self) -> list[Path]:
        """What a previous run left here: finished shards and staging files."""
        staged = [path for path in self.outdir.iterdir() if _STAGING_RE.match(path.name)]
        return shard_names(self.outdir, self.output_format) + sorted(staged)

    def read_back(self) -> Iterator[dict[str, Any]]:
        """Every record written so far (finished shards, then staging), and get ready to append after them."""
        from .outputs import read_jsonl

        finished = shard_names(self.outdir, self.output_format)
        self.shards = [path.name for path in finished]
        for path in finished:
            yield from read_shard(path)
        self._number = len([p for p in finished if p.name != f"corpus.{self.output_format}"])
        for path in sorted(p for p in self.outdir.iterdir() if _STAGING_RE.match(p.name)):
            number = int(_STAGING_RE.match(path.name).group(1))  # type: ignore[union-attr]
            for record in read_jsonl(path, repair=True):
                if number == self._number:
                    self._count += 1
                yield record

    def open(self) -> None:
        """Open the staging file of the current shard for appending."""
        self._handle = self._staging(self._number).open("a", encoding="utf-8", newline="\n")

    def _staging(self, number: int) -> Path:
        return self.outdir / STAGING.format(number)

    def write(self, record: dict[str, Any]) -> None:
        """Append one record (flushed); write the shard when it holds ``shard_size`` records."""
        assert self._handle is not None
        self._handle.write(json.dumps(record, ensure_ascii=False, default=json_default) + "\n")
        self._handle.flush()
        self._count += 1
        if self.shard_size and self._count >= self.shard_size:
            self._seal()
            self._number += 1
            self._count = 0
            self.open()

    def finish(self) -> list[str]:
        """Write the last shard (the run is complete); return the names of all shards."""
        if self._count or (not self.shard_size and self._staging(self._number).is_file()):
            self._seal()
        elif self._handle is not None:
            self._handle.close()
            self._staging(self._number).unlink(missing_ok=True)
        self._handle = None
        return list(self.shards)

    def _seal(self) -> None:
        from .outputs import read_jsonl

        if self._handle is not None:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
            self._handle = None
        staging = self._staging(self._number)
        records = list(read_jsonl(staging))
        if self.shard_size:
            target = self.outdir / f"corpus-{self._number:05d}.{self.output_format}"
        else:
            target = self.outdir / f"corpus.{self.output_format}"
            if target.is_file():  # a resumed run that found new documents: the earlier records first
                records = list(read_shard(target)) + records
        write_shard(records, target, self.output_format)
        staging.unlink(missing_ok=True)
        if target.name not in self.shards:
            self.shards.append(target.name)

    def sync(self) -> None:
        """fsync the staging file."""
        if self._handle is not None:
            os.fsync(self._handle.fileno())

    def close(self) -> None:
        """Close the staging file (what it holds stays, for --resume)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
