"""The files of a corpus run, appended one record per line so that a killed run can be resumed.

``OUTDIR/corpus.jsonl`` (the records), ``OUTDIR/errors.jsonl`` (one line per failed document) and,
with ``--dedup drop``, ``OUTDIR/duplicates.jsonl`` (the dropped duplicates: id, source,
duplicate_of). Every document of a run ends up as exactly one line in exactly one of them. Each line
is written whole and at once (a killed process loses nothing written); the files are fsynced every
second and at the end. A line that cannot be written whole (a full disk) is cut off again and the
run stops with :class:`CorpusOutputError` (exit 3). On ``--resume`` the files are read back: a torn
last line is cut off, and the ids found are the documents already done. A lock
(``OUTDIR/.corpus.lock``) keeps a second run from writing to the same folder at the same time.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import DocmendError
from .shards import ShardWriter, json_default
from .worker import CorpusUsageError

CORPUS = "corpus.jsonl"
ERRORS = "errors.jsonl"
DUPLICATES = "duplicates.jsonl"
SUMMARY = "summary.json"
LOCK = ".corpus.lock"
FSYNC_EVERY = 1.0
# Test hook: with DOCMEND_TEST_KILL_AFTER=N the run SIGKILLs itself right after writing its Nth line,
# so that a test kills a run mid-way at an exact point instead of racing a timer.
KILL_AFTER = "DOCMEND_TEST_KILL_AFTER"
OUTPUT_FILES = (CORPUS, ERRORS, DUPLICATES, SUMMARY, LOCK)
NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


class CorpusOutputError(DocmendError):
    """An output file could not be written (a full disk): the run stops, resumable; exit 3."""

    def __init__(self, path: Path, err: OSError) -> None:
        self.path = path
        self.cause = err
        reason = err.strerror or str(err)
        super().__init__(f"cannot write {path}: {reason}; free space, then run the same command with --resume")


def output_error(path: Path, err: OSError) -> DocmendError:
    """The error for an OSError while writing ``path``: out of space is CorpusOutputError, the rest a usage error."""
    if err.errno in NO_SPACE:
        return CorpusOutputError(path, err)
    return CorpusUsageError(f"cannot write to {path}: {err.strerror or err}")


@dataclass(slots=True)
class Tally:
    """Counts over everything in the output files (including what earlier runs wrote)."""

    ok: int = 0
    failed: int = 0
    duplicates: int = 0
    dropped: int = 0
    chars: int = 0
    matched: int = 0

    def add_record(self, record: dict[str, Any]) -> None:
        """Count one record written to the corpus."""
        self.ok += 1
        self.chars += int(record.get("chars") or 0)
        self.duplicates += record.get("duplicate_of") is not None
        self.matched += record.get("reference") is not None

    def add_dropped(self) -> None:
        """Count one duplicate left out of the corpus."""
        self.duplicates += 1
        self.dropped += 1


@dataclass(slots=True)
class CorpusWriter:
    """Appends records, errors and dropped duplicates to the output folder, line by line."""

    outdir: Path
    tally: Tally = field(default_factory=Tally)
    done: set[str] = field(default_factory=set)
    _handles: dict[str, IO[bytes]] = field(default_factory=dict)
    _synced: float = 0.0
    _lock_handle: IO[str] | None = None
    _written: int = 0
    _kill_after: int = field(default_factory=lambda: int(os.environ.get(KILL_AFTER) or 0))
    shards: ShardWriter | None = None  # records go to shards (--output-format other than jsonl, --shard-size)

    @classmethod
    def open(
        cls,
        outdir: Path,
        *,
        resume: bool,
        on_record: Callable[[dict[str, Any]], None] | None = None,
        output_format: str = "jsonl",
        shard_size: int | None = None,
    ) -> CorpusWriter:
        """Open ``outdir`` for writing; with ``resume`` read back what is there (``on_record`` sees each record).

        Without ``resume`` an output folder that already has records is refused (CorpusUsageError).
        """
        writer = cls(outdir)
        if output_format != "jsonl" or shard_size:
            writer.shards = ShardWriter(outdir, output_format, shard_size)
        try:
            outdir.mkdir(parents=True, exist_ok=True)
            writer._lock()
            if not resume:
                writer._refuse_used()
            else:
                writer._read_back(on_record)
            for name in (CORPUS, ERRORS, DUPLICATES):
                if name == CORPUS and writer.shards is not None:
                    writer.shards.open()
                    continue
                writer._handles[name] = (outdir / name).open("ab" if resume else "wb", buffering=0)
        except OSError as err:
            writer.close()
            raise output_error(outdir, err) from None
        except CorpusUsageError:
            writer.close()
            raise
        writer._synced = time.monotonic()
        return writer

    def _lock(self) -> None:
        """Hold an exclusive lock on ``OUTDIR/.corpus.lock`` until closed: one run per output folder."""
        try:
            import fcntl
        except ImportError:  # Windows: no lock
            return
        handle = (self.outdir / LOCK).open("a")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise CorpusUsageError(f"{self.outdir} is being written by another docmend corpus run") from None
        self._lock_handle = handle

    def _refuse_used(self) -> None:
        for path in self.shards.used() if self.shards is not None else []:
            raise CorpusUsageError(f"{path} already has records; use --resume to finish that run, or another -o")
        for name in (CORPUS, ERRORS, DUPLICATES):
            path = self.outdir / name
            if path.is_file() and path.stat().st_size:
                raise CorpusUsageError(f"{path} already has records; use --resume to finish that run, or another -o")

    def _read_back(self, on_record: Callable[[dict[str, Any]], None] | None) -> None:
        for name in (CORPUS, ERRORS, DUPLICATES):
            if name == CORPUS and self.shards is not None:
                items = self.shards.read_back()
            else:
                items = read_jsonl(self.outdir / name, repair=True)
            for item in items:
                record_id = item.get("id")
                if not isinstance(record_id, str) or record_id in self.done:
                    continue
                self.done.add(record_id)
                if name == CORPUS:
                    self.tally.add_record(item)
                    if on_record is not None:
                        on_record(item)
                elif name == ERRORS:
                    self.tally.failed += 1
                else:
                    self.tally.add_dropped()

    def write_record(self, record: dict[str, Any]) -> None:
        """Append one corpus record."""
        self._append(CORPUS, record)
        self.tally.add_record(record)

    def write_error(self, error: dict[str, Any]) -> None:
        """Append one error record."""
        self._append(ERRORS, error)
        self.tally.failed += 1

    def write_dropped(self, record: dict[str, Any]) -> None:
        """Note one duplicate left out of the corpus (id, source, duplicate_of)."""
        keep = {key: record.get(key) for key in ("id", "source", "duplicate_of")}
        self._append(DUPLICATES, keep)
        self.tally.add_dropped()

    def _append(self, name: str, item: dict[str, Any]) -> None:
        if name == CORPUS and self.shards is not None:
            try:
                self.shards.write(item)
            except OSError as err:
                raise output_error(self.outdir / name, err) from None
        else:
            fd = self._handles[name].fileno()
            line = memoryview((json.dumps(item, ensure_ascii=False, default=json_default) + "\n").encode("utf-8"))
            start = os.lseek(fd, 0, os.SEEK_END)
            try:
                write_all(fd, line)
            except OSError as err:
                _truncate(fd, start)
                raise output_error(self.outdir / name, err) from None
        self.done.add(item["id"])
        self._written += 1
        if self._written == self._kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
        if time.monotonic() - self._synced >= FSYNC_EVERY:
            self.sync()

    def sync(self) -> None:
        """fsync the output files (CorpusOutputError if the disk is full)."""
        for name, handle in self._handles.items():
            try:
                os.fsync(handle.fileno())
            except OSError as err:
                raise output_error(self.outdir / name, err) from None
        if self.shards is not None:
            try:
                self.shards.sync()
            except OSError as err:
                raise output_error(self.outdir, err) from None
        self._synced = time.monotonic()

    def close(self) -> None:
        """fsync and close the output files; remove a duplicates file that stayed empty.

        The files are closed even when the fsync fails; its error is raised after.
        """
        failure: DocmendError | None = None
        if self._handles:
            try:
                self.sync()
            except DocmendError as err:
                failure = err
        for handle in self._handles.values():
            handle.close()
        self._handles = {}
        if self.shards is not None:
            self.shards.close()
        duplicates = self.outdir / DUPLICATES
        if duplicates.is_file() and not duplicates.stat().st_size:
            duplicates.unlink()
        if self._lock_handle is not None:
            self._lock_handle.close()
            self._lock_handle = None
        if failure is not None:
            raise failure


def write_all(fd: int, data: memoryview) -> None:
    """Write every byte of ``data`` to ``fd`` (``os.write`` may write part of it); OSError as it comes."""
    while data:
        data = data[os.write(fd, data) :]


def _truncate(fd: int, size: int) -> None:
    """Cut a file back to ``size`` (a partly written line); a failure here is left to ``--resume`` to repair."""
    try:
        os.ftruncate(fd, size)
    except OSError:
        pass


def finish_records(writer: CorpusWriter) -> list[str]:
    """Write the last shard of a complete run; the names of the files holding the records."""
    return writer.shards.finish() if writer.shards is not None else [CORPUS]


def read_jsonl(path: Path, *, repair: bool = False) -> Iterator[dict[str, Any]]:
    """The JSON objects of a .jsonl file, one per line; lines that do not parse are skipped.

    With ``repair`` a torn last line (one without its newline, as a killed writer leaves it) is cut
    off the file first.
    """
    if not path.is_file():
        return
    if repair:
        _cut_torn_tail(path)
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(item, dict):
                yield item


def _cut_torn_tail(path: Path) -> None:
    with path.open("rb+") as handle:
        size = handle.seek(0, os.SEEK_END)
        if not size:
            return
        position = size
        while position > 0:
            step = min(65536, position)
            handle.seek(position - step)
            chunk = handle.read(step)
            newline = chunk.rfind(b"\n")
            if newline >= 0:
                keep = position - step + newline + 1
                break
            position -= step
        else:
            keep = 0
        if keep < size:
            handle.truncate(keep)
