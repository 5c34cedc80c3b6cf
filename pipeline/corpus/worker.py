"""What ``docmend corpus`` does per document, the same in a local worker process and on Ray.

:func:`find_inputs` walks the inputs, :func:`iter_tasks` gives each document its stable id, and a
:class:`DocumentWorker` turns one task into one result: the corpus record (or the error record) plus
the fingerprint the parent needs for duplicate detection. Nothing here raises for a bad document.
"""

from __future__ import annotations

import hashlib
import os
import signal
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DocmendError, IngestError, StageError
from .sketch import Fingerprint, ReferenceIndex, best_reference, han_text, shingle_hashes

SUPPORTED = frozenset({".txt", ".html", ".htm", ".docx", ".pdf"})
ID_PREFIX = b"docmend-corpus\x00"
REFERENCE_CACHE = 16
READ_CHUNK = 1 << 20

Task = dict[str, Any]
Result = dict[str, Any]


class CorpusUsageError(DocmendError):
    """The command line cannot be carried out (missing input, existing output, missing Ray): exit 2."""


class CorpusRunError(DocmendError):
    """The run itself broke off (e.g. the Ray cluster failed): what was written stays, resumable; exit 1."""


class DocumentTimeout(BaseException):
    """Raised inside a worker when one document runs past the time limit.

    A BaseException, so that no ``except Exception`` in a stage swallows it.
    """


@dataclass(frozen=True, slots=True)
class Found:
    """One file found under the inputs: its path and the relative name its id is made from."""

    path: Path
    rel: str


def find_inputs(inputs: Sequence[Path], *, exclude: Path | None = None) -> tuple[list[Found], list[str]]:
    """The supported files under ``inputs`` (folders walked recursively, sorted) and the unsupported ones.

    A file is listed once even if several inputs reach it; files under ``exclude`` (the output folder)
    are skipped. ``rel`` is the path relative to the folder holding the input (``corpus/a/b.txt`` for
    the input folder ``corpus``), or the file name for an input file.
    """
    supported: list[Found] = []
    unsupported: list[str] = []
    seen: set[Path] = set()
    skip = exclude.resolve() if exclude is not None else None
    for root in inputs:
        if not root.exists():
            raise CorpusUsageError(f"no such file or folder: {root}")
        for path, rel in _walk(root, skip):
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            if path.suffix.lower() in SUPPORTED:
                supported.append(Found(path, rel))
            else:
                unsupported.append(str(path))
    return supported, unsupported


def _walk(root: Path, skip: Path | None) -> Iterator[tuple[Path, str]]:
    if not root.is_dir():
        yield root, root.name
        return
    base = root.resolve().name or "root"
    for folder, dirnames, filenames in os.walk(root):
        here = Path(folder)
        dirnames[:] = sorted(d for d in dirnames if skip is None or (here / d).resolve() != skip)
        for name in sorted(filenames):
            path = here / name
            yield path, f"{base}/{path.relative_to(root).as_posix()}"


def document_id(found: Found) -> tuple[str, int]:
    """The id of a document: sha1 of ``rel`` and the file's bytes (stable across runs and machines), and its size.

    ``sha1(b"docmend-corpus\\0" + rel (UTF-8) + b"\\0" + bytes)``, hex. An unreadable file gets the
    hash of its name alone (its worker will report why it cannot be read).
    """
    digest = hashlib.sha1(ID_PREFIX + found.rel.encode("utf-8") + b"\x00")
    size = 0
    try:
        with found.path.open("rb") as handle:
            while chunk := handle.read(READ_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except OSError:
        return hashlib.sha1(ID_PREFIX + found.rel.encode("utf-8")).hexdigest(), 0
    return digest.hexdigest(), size


def iter_tasks(found: Iterable[Found], *, done: set[str] | frozenset[str] = frozenset()) -> Iterator[Task]:
    """One task per file, in order, leaving out the ids in ``done``; ids made unique within the run."""
    used: set[str] = set()
    for item in found:
        record_id, size = document_id(item)
        copy = 1
        base = record_id
        while record_id in used:  # the same name and bytes reached through two inputs
            copy += 1
            record_id = hashlib.sha1(f"{base}#{copy}".encode()).hexdigest()
        used.add(record_id)
        if record_id not in done:
            yield {"id": record_id, "source": str(item.path), "bytes": size}


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """What every worker needs: rule layers, the reference index, the per-document time limit."""

    rule_dirs: tuple[str, ...] = ()
    index: ReferenceIndex | None = None
    timeout: float | None = None


class DocumentWorker:
    """Cleans one document per call; keeps the rules and recently used references between calls."""

    def __init__(self, config: WorkerConfig) -> None:
        """Load the rules and warm up (:mod:`pipeline.warmup`), outside any document's time limit.

        The references are cleaned on first use and cached.
        """
        from ..rules import load_rules
        from ..warmup import warm_up

        self.config = config
        self.rules = load_rules(config.rule_dirs)
        warm_up(self.rules)
        self._references: OrderedDict[str, tuple[str, np.ndarray] | None] = OrderedDict()

    def __call__(self, task: Task) -> Result:
        """The result of one task: ``record`` or ``error`` (never raises for a bad document)."""
        result: Result = {"id": task["id"], "source": task["source"], "bytes": task.get("bytes", 0)}
        result.update(record=None, error=None, exact=None, signature=None)
        try:
            with time_limit(self.config.timeout):
                self._clean(task, result)
        except DocumentTimeout:
            result["error"] = _error(task, "timeout", f"timed out after {self.config.timeout:g} s")
        except DocmendError as err:
            result["error"] = _error(task, _stage_of(err), getattr(err, "reason", None) or str(err))
        except Exception as err:  # a bug in a stage must not stop the corpus
            result["error"] = _error(task, "internal", f"{type(err).__name__}: {err}")
        if result["error"] is not None:
            result["record"] = None
        return result

    def _clean(self, task: Task, result: Result) -> None:
        from ..report import build_record
        from ..runner import NO_BODY
        from .tasks import clean_task, shape_record

        doc = clean_task(task, self.rules)
        if self.config.index:
            reference, reference_text = self._match(doc.text)
            if reference is not None:
                doc = clean_task(task, self.rules, reference=reference, reference_text=reference_text)
        if doc.metadata.get("status") == NO_BODY:
            result["error"] = _error(task, "clean", NO_BODY)
            return
        record = build_record(doc, record_id=task["id"])
        text = "\n".join(doc.paragraphs)
        record.update(source=task["source"], text=text, chars=len(text), duplicate_of=None)
        if "quality" in doc.metadata:
            record["quality"] = doc.metadata["quality"]
        shape_record(record, task)
        fingerprint = Fingerprint.of(text)
        result.update(record=record, exact=fingerprint.exact, signature=fingerprint.signature)

    def _match(self, text: str) -> tuple[str | None, str | None]:
        """The best reference for a document whose text (cleaned without one) is ``text``, and its clean text.

        Matching on the cleaned text leaves the site's header and boilerplate out of the comparison.
        """
        assert self.config.index is not None
        hashes = shingle_hashes(han_text(text))
        candidates = []
        for path in self.config.index.candidates(hashes):
            loaded = self._reference(path)
            if loaded is not None:
                candidates.append((path, loaded[1]))
        best = best_reference(hashes, candidates)
        if best is None:
            return None, None
        loaded = self._reference(best[0])
        return (best[0], loaded[0]) if loaded else (None, None)

    def _reference(self, path: str) -> tuple[str, np.ndarray] | None:
        """A reference's clean text and Han shingles (None if it cannot be read), cached."""
        from ..runner import clean_reference

        if path in self._references:
            self._references.move_to_end(path)
            return self._references[path]
        try:
            text = clean_reference(path, rules=self.rules)
            loaded: tuple[str, np.ndarray] | None = (text, shingle_hashes(han_text(text)))
        except DocmendError:
            loaded = None
        self._references[path] = loaded
        if len(self._references) > REFERENCE_CACHE:
            self._references.popitem(last=False)
        return loaded


def _stage_of(err: DocmendError) -> str:
    if isinstance(err, IngestError):
        return "ingest"
    if isinstance(err, StageError):
        return err.stage
    return "restore" if type(err).__name__ == "ReferenceMismatchError" else "clean"


def _error(task: Task, stage: str, message: str) -> dict[str, Any]:
    return {"id": task["id"], "source": task["source"], "stage": stage, "error": " ".join(str(message).split())}


def error_result(task: Task, stage: str, message: str) -> Result:
    """A result for a task that never produced one (its worker died or overran the hard limit)."""
    return {
        "id": task["id"],
        "source": task["source"],
        "bytes": task.get("bytes", 0),
        "record": None,
        "error": _error(task, stage, message),
        "exact": None,
        "signature": None,
    }


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`DocumentTimeout` in the block after ``seconds`` (None or 0: no limit).

    On the main thread by SIGALRM; on another thread (Ray Data runs its workers on one) by a timer
    that raises the exception asynchronously in this thread. Either way Python code is interrupted
    between two bytecodes; a single long call into C finishes first.
    """
    if not seconds:
        yield
    elif hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        with _alarm(seconds):
            yield
    else:
        with _thread_timer(seconds):
            yield


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise DocumentTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _thread_timer(seconds: float) -> Iterator[None]:
    import ctypes

    target = ctypes.c_ulong(threading.get_ident())
    lock = threading.Lock()
    state = {"done": False, "fired": False}

    def expire() -> None:
        with lock:
            if not state["done"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, ctypes.py_object(DocumentTimeout))

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["done"] = True
            timer.cancel()
            if state["fired"]:  # not raised yet (the block ended first): take it back
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, None)


def sketch_reference(path: str) -> tuple[str, np.ndarray] | str:
    """Sampled Han shingles of one reference file (for the index), or the one-line reason it cannot be read."""
    from ..ingest import read_document
    from .sketch import reference_sketch

    try:
        return reference_sketch(path, read_document(path).text)
    except DocmendError as err:
        return f"{path}: {getattr(err, 'reason', None) or err}"
    except Exception as err:
        return f"{path}: {type(err).__name__}: {err}"
