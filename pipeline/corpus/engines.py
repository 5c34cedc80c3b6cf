"""Run the per-document worker over many tasks: local worker processes, or Ray Data.

Both engines take tasks in source order and give back one result per task **in the same order**,
so that duplicate detection in the parent sees the documents in a deterministic order and the
corpus comes out the same whichever engine and however many workers ran it.

The local engine is a small process pool written for this job rather than
``concurrent.futures``: each worker holds one document at a time, so the parent always knows
which document a worker is on. A worker that dies (a crash in a C extension, the OOM killer)
becomes an error record for that document and is replaced; a document that overruns the time limit
is stopped inside the worker by an alarm, and if the worker does not answer even then, it is
killed and replaced. A worker warms up (rules, dictionaries) before it says it is ready, and gets its
first document only then: the time limit counts the document, not the worker's start. At most
``window`` results are in flight or waiting for an earlier one, so
memory stays bounded whatever the corpus size.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import multiprocessing.forkserver
import os
import pickle
import signal
import socket
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from .worker import (
    CorpusRunError,
    CorpusUsageError,
    DocumentWorker,
    Result,
    Task,
    WorkerConfig,
    error_result,
)

HARD_LIMIT_GRACE = 5.0
READY = "docmend-worker-ready"  # a worker's first message: warmed up, the clock may start
START_ATTEMPTS = 3  # worker processes that die while starting, in a row, before the run gives up
RECYCLE_AFTER = 2000  # documents per worker process, then a fresh one (C-level memory creep stays bounded)
WorkerFactory = Callable[[WorkerConfig], Callable[[Task], Result]]
_PACKAGE = __name__.rsplit(".", 2)[0]  # "pipeline", or "docmend._pipeline" when installed or shadowed
PRELOAD = [f"{_PACKAGE}.{name}" for name in ("corpus.worker", "runner", "report", "ingest")]


def mp_context() -> multiprocessing.context.BaseContext:
    """Worker processes start from a fork server with the pipeline preloaded (fast, no inherited threads).

    Where there is no fork server (Windows) they are spawned.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    if _PACKAGE != "pipeline":
        _start_fork_server_without_the_working_directory()
    return context


def _start_fork_server_without_the_working_directory() -> None:
    """Start the fork server with ``PYTHONSAFEPATH`` set, so that its ``python -c`` does not put the working
    directory first on its path: run from a checkout of docmend's source (where ``pip install .`` was
    typed), the folder ``docmend/`` there would otherwise be preloaded instead of the installed package,
    and every worker would fail to start (``No module named 'docmend._pipeline'``)."""
    before = os.environ.get("PYTHONSAFEPATH")
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        if before is None:
            del os.environ["PYTHONSAFEPATH"]
        else:
            os.environ["PYTHONSAFEPATH"] = before


def _worker_main(conn: Connection, config: WorkerConfig, factory: WorkerFactory) -> None:
    """A worker process: answer each task sent on ``conn`` with its result, until ``None`` or EOF.

    Ctrl-C is the parent's to handle: it stops the workers itself. The worker says :data:`READY` once it
    has loaded and warmed up; only then does the parent send it a document (and start that document's clock).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    worker = factory(config)
    conn.send(READY)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        conn.send(worker(task))


@dataclass(slots=True)
class _Slot:
    process: Any
    conn: Connection
    seq: int = -1
    task: Task | None = None
    deadline: float = float("inf")
    done: int = 0
    ready: bool = False


@dataclass(slots=True)
class LocalEngine:
    """``workers`` processes cleaning one document each; results come back in task order.

    ``factory`` makes the per-document callable in each worker (a picklable, importable callable:
    :class:`DocumentWorker` unless a test swaps it); a worker still busy ``grace`` seconds after the
    time limit is killed; a worker is replaced by a fresh one after ``recycle`` documents.
    """

    config: WorkerConfig
    workers: int
    window: int = 0
    factory: WorkerFactory = DocumentWorker
    grace: float = HARD_LIMIT_GRACE
    recycle: int = RECYCLE_AFTER
    _slots: list[_Slot] = field(default_factory=list)
    _context: Any = None
    _failed_starts: int = 0

    def __post_init__(self) -> None:
        self.window = self.window or 16 * self.workers + 16

    def run(self, tasks: Iterable[Task]) -> Iterator[Result]:
        """Clean every task; yield its result in task order."""
        tasks = iter(tasks)
        first = next(tasks, None)
        if first is None:
            return
        self._context = mp_context()
        self._slots = [self._spawn() for _ in range(self.workers)]
        source = enumerate(itertools.chain([first], tasks))
        exhausted = False
        submitted = next_out = 0
        ready: dict[int, Result] = {}
        try:
            while True:
                for slot in self._slots:
                    if slot.ready and slot.task is None and not exhausted and submitted - next_out < self.window:
                        item = next(source, None)
                        if item is None:
                            exhausted = True
                            break
                        self._send(slot, *item)
                        submitted += 1
                if not any(slot.task is not None for slot in self._slots):
                    if exhausted and next_out == submitted:
                        return
                for seq, result in self._collect():
                    ready[seq] = result
                while next_out in ready:
                    yield ready.pop(next_out)
                    next_out += 1
        finally:
            self._shutdown()

    def _spawn(self) -> _Slot:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_worker_main, args=(child, self.config, self.factory), daemon=True)
        process.start()
        child.close()
        return _Slot(process, parent)

    def _send(self, slot: _Slot, seq: int, task: Task) -> None:
        slot.seq, slot.task = seq, task
        limit = self.config.timeout
        slot.deadline = time.monotonic() + limit + self.grace if limit else float("inf")
        try:
            slot.conn.send(task)
        except (OSError, ValueError):  # the worker is already gone: the sentinel will tell
            pass

    def _collect(self) -> list[tuple[int, Result]]:
        """Wait for a starting worker to be ready, or a busy one to answer, die or overrun; return the results."""
        busy = [slot for slot in self._slots if slot.task is not None]
        starting = [slot for slot in self._slots if not slot.ready]
        if not busy and not starting:
            return []
        timeout = min((slot.deadline for slot in busy), default=float("inf")) - time.monotonic()
        watched = busy + starting
        waitables: list[Any] = [slot.conn for slot in watched] + [slot.process.sentinel for slot in watched]
        signalled = set(wait(waitables, timeout=None if timeout == float("inf") else max(0.0, timeout)))
        for slot in starting:
            self._check_start(slot, signalled)
        finished = []
        for slot in busy:
            result = self._check(slot, signalled)
            if result is not None:
                finished.append((slot.seq, result))
                slot.seq, slot.task, slot.deadline = -1, None, float("inf")
                slot.done += 1
                if slot.done >= self.recycle:
                    self._replace(slot)
        return finished

    def _check_start(self, slot: _Slot, signalled: set[Any]) -> None:
        """Mark a starting worker ready when it says so; replace it if it died (give up after a few)."""
        if slot.conn not in signalled and slot.process.sentinel not in signalled:
            return
        try:
            if slot.conn.poll() and slot.conn.recv() == READY:
                slot.ready = True
                self._failed_starts = 0
                return
        except (EOFError, OSError):
            pass
        if slot.process.is_alive():
            return
        slot.process.join()
        self._failed_starts += 1
        if self._failed_starts >= START_ATTEMPTS:
            code = slot.process.exitcode
            raise CorpusRunError(f"worker processes exit while starting (exit code {code}); nothing was cleaned")
        self._replace(slot)

    def _check(self, slot: _Slot, signalled: set[Any]) -> Result | None:
        task = slot.task
        assert task is not None
        if slot.conn in signalled or slot.process.sentinel in signalled:
            try:
                if slot.conn.poll():
                    return slot.conn.recv()
            except (EOFError, OSError):
                pass
            if slot.process.is_alive():
                return None
            slot.process.join()
            code = slot.process.exitcode
            self._replace(slot)
            return error_result(task, "worker", f"worker process died (exit code {code}) on this document")
        if time.monotonic() >= slot.deadline:
            self._replace(slot)
            limit = self.config.timeout or 0
            return error_result(task, "timeout", f"timed out after {limit:g} s")
        return None

    def _replace(self, slot: _Slot) -> None:
        if slot.process.is_alive():
            slot.process.kill()
        slot.process.join()
        slot.conn.close()
        fresh = self._spawn()
        slot.process, slot.conn, slot.done, slot.ready = fresh.process, fresh.conn, 0, False

    def _shutdown(self) -> None:
        for slot in self._slots:
            try:
                slot.conn.send(None)
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + 2.0
        for slot in self._slots:
            slot.process.join(max(0.0, deadline - time.monotonic()))
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join()
            slot.conn.close()
        self._slots = []


class _RayWorker:
    """The Ray Data callable: one :class:`DocumentWorker` per actor, results pickled into one column."""

    def __init__(self, config: WorkerConfig) -> None:
        self.worker = DocumentWorker(config)

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        task = {"id": row["id"], "source": row["source"], "bytes": int(row["bytes"])}
        return {"payload": pickle.dumps(self.worker(task), protocol=pickle.HIGHEST_PROTOCOL)}


def require_ray() -> None:
    """Exit 2 (via CorpusUsageError) if Ray is not installed."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise CorpusUsageError("--engine ray needs Ray: install docmend[ray]") from None


def check_ray_address(address: str | None, timeout: float = 5.0) -> None:
    """Exit 2 (via CorpusUsageError) if ``host:port`` (or ``ray://host:port``) does not answer.

    ``ray.init`` itself waits for an unreachable cluster without end.
    """
    if not address or address in ("auto", "local"):
        return
    host, _, port = address.split("://", 1)[-1].rpartition(":")
    if not host or not port.isdigit():
        raise CorpusUsageError(f"--ray-address {address}: expected HOST:PORT, ray://HOST:PORT or auto")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as err:
        raise CorpusUsageError(f"cannot reach the Ray cluster at {address}: {err.strerror or err}") from None


@dataclass(slots=True)
class RayEngine:
    """The same worker on Ray Data: ``from_items(tasks).map(worker)``, order preserved.

    Uses the Ray instance already started in this process, else the cluster at ``address``, else a
    local one with ``workers`` CPUs (shut down again at the end). The per-document time limit holds
    (Ray Data calls the worker on a thread: the limit interrupts Python code, not a long call into C).
    An actor that dies fails the run with a one-line CorpusRunError (what was written stays, and
    ``--resume`` goes on from there; the local engine, not Ray, isolates a document that crashes its
    worker). The input files and references must be readable at the same paths on every node.
    """

    config: WorkerConfig
    workers: int
    address: str | None = None

    def run(self, tasks: Iterable[Task]) -> Iterator[Result]:
        """Clean every task on Ray; yield its result in task order."""
        import ray
        import ray.data

        items = list(tasks)
        if not items:
            return
        started = self._init(ray)
        quiet = logging.getLogger("ray.data")
        level = quiet.level
        quiet.setLevel(logging.ERROR)
        try:
            for row in self._dataset(ray, items).iter_rows():
                yield pickle.loads(row["payload"])
        except ray.exceptions.RayError as err:
            message = " ".join(str(err).split())[:300]
            raise CorpusRunError(f"the Ray run failed: {message}; run again with --resume to finish") from None
        finally:
            quiet.setLevel(level)
            if started:
                ray.shutdown()

    def _dataset(self, ray: Any, items: list[Task]) -> Any:
        """``from_items(items).map(worker)`` on an actor pool, order preserved, no progress bars."""
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True
        context.enable_progress_bars = False
        blocks = max(1, min(len(items), (len(items) + 31) // 32))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # max_restarts & co. are "ray_remote_args", deprecated in Ray 2.5x
            return ray.data.from_items(items, override_num_blocks=blocks).map(
                _RayWorker,
                fn_constructor_kwargs={"config": self.config},
                compute=ray.data.ActorPoolStrategy(size=self.workers),
                num_cpus=1,
                max_restarts=0,
                max_task_retries=0,
            )

    def _init(self, ray: Any) -> bool:
        if ray.is_initialized():
            return False
        options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": "ERROR"}
        if self.address:
            ray.init(address=self.address, **options)
        else:
            ray.init(num_cpus=self.workers, **options)
        return True
