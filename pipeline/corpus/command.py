"""``docmend corpus``: clean a whole collection into one JSON-lines corpus, in parallel and resumably.

``docmend corpus INPUT... -o OUTDIR [--reference-dir DIR] [--workers N] [--engine local|ray]
[--ray-address ADDR] [--dedup off|mark|drop] [--resume] [--rules DIR] [--timeout SECONDS] [--no-learn]``

Writes ``OUTDIR/corpus.jsonl`` (one record per document: ``id``, ``source``, ``site``, ``title``,
``text``, ``chars``, ``reference``, ``changes``, ``restored``, ``duplicate_of``, and ``quality``
when known), ``OUTDIR/errors.jsonl`` (``id``, ``source``, ``stage``, ``error`` per failed document),
``OUTDIR/duplicates.jsonl`` (with ``--dedup drop``: the duplicates left out) and
``OUTDIR/summary.json``. One file each, not sharded.

How it works, in order:

* the inputs are walked (sorted); each supported file gets the id
  ``sha1("docmend-corpus\\0" + relative path + "\\0" + file bytes)``, the relative path being the
  input folder's name and the path under it (``corpus/a/b.txt``), or the name of a file given
  directly (see :func:`pipeline.corpus.worker.document_id`): stable across runs and machines, and two
  copies of one file under two names are two documents;
* unless ``--no-learn``, the templates of the sites are learned first (:mod:`pipeline.corpus.learn`)
  into ``OUTDIR/learned/<group>.toml`` and layered over the other rules for the cleaning;
* with ``--reference-dir`` the references are indexed once (sampled Han 5-gram shingles); each
  document is cleaned, its Han shingles looked up, the candidates verified exactly, and if a
  reference contains at least half of them (the one containing most) the document is cleaned again
  against it; otherwise it stays cleaned without a reference;
* the engine (worker processes, or Ray Data) cleans the documents and hands the results back in
  source order; the parent marks or drops duplicates (exact text, then MinHash near-duplicates) in
  that order, so "the first" is the first in source order, and appends each record to its file;
* ``--resume`` reads back the files of a killed run, skips the ids done and rebuilds the duplicate
  index from the corpus, so that the finished corpus equals an uninterrupted run's.

Exit status: 0 all documents cleaned, 1 some failed (see errors.jsonl), 2 bad usage or rules (a
``--resume`` with other options than the run it resumes, see :mod:`pipeline.corpus.options_record`;
an OUTDIR that is an input folder, see :mod:`pipeline.corpus.outdir_guard`), 3 an output could not be
written (a full disk; ``--resume`` finishes the run once there is space).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from ..errors import DocmendError, RuleError
from .worker import CorpusRunError, CorpusUsageError, Result

if TYPE_CHECKING:
    from .engines import LocalEngine, RayEngine
    from .inputs import CorpusInputs
    from .outputs import CorpusWriter, Tally
    from .sketch import Deduper, ReferenceIndex
    from .worker import WorkerConfig

LOG_EVERY_S = 5.0
LOG_EVERY_DOCS = 1000
DEFAULT_TIMEOUT = 120.0
EXIT_UNWRITTEN = 3


class Engine(StrEnum):
    """Where the documents are cleaned."""

    local = "local"
    ray = "ray"


class OutputFormat(StrEnum):
    """The format of the corpus shards."""

    jsonl = "jsonl"
    jsonl_gz = "jsonl.gz"
    jsonl_zst = "jsonl.zst"
    parquet = "parquet"


class Dedup(StrEnum):
    """What to do with duplicates."""

    off = "off"
    mark = "mark"
    drop = "drop"


@dataclass(slots=True)
class CorpusOptions:
    """Everything a corpus run is asked to do (the command's options)."""

    inputs: list[Path]
    outdir: Path
    reference_dir: Path | None = None
    workers: int = 0
    engine: Engine = Engine.local
    ray_address: str | None = None
    dedup: Dedup = Dedup.mark
    resume: bool = False
    rule_dirs: list[Path] = field(default_factory=list)
    timeout: float | None = DEFAULT_TIMEOUT
    text_field: str = "text"  # record files (.jsonl[.gz|.zst], .parquet): see pipeline.corpus.inputs
    id_field: str = "id"
    output_format: str = "jsonl"  # see pipeline.corpus.shards
    shard_size: int | None = None
    learn: bool = True


@contextlib.contextmanager
def usage_errors(console: Console) -> Iterator[None]:
    """A bad ``--rules`` file or bad usage (CorpusUsageError) as one line on ``console`` and exit status 2."""
    try:
        yield
    except CorpusUsageError as err:
        console.print(f"error: {err}", markup=False)
        raise typer.Exit(2) from None
    except RuleError as err:
        console.print(f"error: bad rule file: {err}", markup=False)
        raise typer.Exit(2) from None


def default_workers() -> int:
    """The number of CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class CorpusProgress:
    """A rich progress bar on a terminal; otherwise a plain log line every few seconds."""

    def __init__(self, console: Console, total: int, completed: int = 0) -> None:
        """Show progress on ``console`` for ``total`` documents, ``completed`` of them done before."""
        self.console = console
        self.total = total
        self.completed = completed
        self.processed = self.failed = self.bytes = 0
        self.started = self._logged = time.perf_counter()
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> CorpusProgress:
        if self.console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(
                TextColumn("corpus"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rates]}"),
                TimeRemainingColumn(),
                console=self.console,
                transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task("corpus", total=self.total, completed=self.completed, rates="")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.update(self._task, rates=self.rates())
            self._bar.stop()
        else:
            self._log()

    def rates(self) -> str:
        """Documents/s, MB/s and failures so far, as one short line."""
        seconds = max(time.perf_counter() - self.started, 1e-9)
        return f"{self.processed / seconds:.1f} docs/s, {self.bytes / seconds / 1e6:.2f} MB/s, {self.failed} failed"

    def advance(self, result: Result) -> None:
        """Count one finished document."""
        self.completed += 1
        self.processed += 1
        self.bytes += int(result.get("bytes") or 0)
        self.failed += result.get("error") is not None
        if self._bar is not None:
            self._bar.update(self._task, completed=self.completed, rates=self.rates())
            return
        now = time.perf_counter()
        if now - self._logged >= LOG_EVERY_S or self.processed % LOG_EVERY_DOCS == 0:
            self._log()

    def _log(self) -> None:
        self._logged = time.perf_counter()
        self.console.print(f"corpus: {self.completed}/{self.total} documents, {self.rates()}", markup=False)


def build_reference_index(reference_dir: Path, workers: int) -> tuple[ReferenceIndex, list[str]]:
    """Index every supported file under ``reference_dir``; return the index and the files that failed."""
    from concurrent.futures import ProcessPoolExecutor

    from .engines import mp_context
    from .sketch import ReferenceIndex
    from .worker import find_inputs, sketch_reference

    if not reference_dir.is_dir():
        raise CorpusUsageError(f"--reference-dir {reference_dir} is not a folder")
    paths = [str(found.path) for found in find_inputs([reference_dir])[0]]
    if workers > 1 and len(paths) > 16:
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp_context()) as pool:
            sketches = list(pool.map(sketch_reference, paths, chunksize=max(1, len(paths) // (4 * workers))))
    else:
        sketches = [sketch_reference(path) for path in paths]
    failures = [item for item in sketches if isinstance(item, str)]
    index = ReferenceIndex.build(item for item in sketches if not isinstance(item, str))
    return index, failures


def _engine(options: CorpusOptions, config: WorkerConfig, workers: int) -> LocalEngine | RayEngine:
    from .engines import LocalEngine, RayEngine

    if options.engine is Engine.ray:
        return RayEngine(config, workers, options.ray_address)
    return LocalEngine(config, workers)


def run_corpus(options: CorpusOptions, *, console: Console | None = None) -> dict[str, Any]:
    """Carry out a corpus run; return its summary (also written to ``OUTDIR/summary.json``).

    Raises CorpusUsageError (missing input, output folder already used or locked, Ray missing or
    unreachable), RuleError (bad ``--rules``) or CorpusRunError (the Ray run broke off).
    """
    from ..rules import load_rules
    from ..write import write_json
    from .engines import check_ray_address, require_ray
    from .fill import REVIEW_DIR, suggest_corpus_fills
    from .inputs import find_corpus_inputs
    from .options_record import OPTIONS, check_resume, write_options
    from .outdir_guard import check_outdir
    from .outputs import CORPUS, OUTPUT_FILES, SUMMARY, CorpusWriter, finish_records, output_error
    from .sketch import Deduper, Fingerprint

    console = console or Console(stderr=True, highlight=False, soft_wrap=True)
    started = time.perf_counter()
    ruleset = load_rules(options.rule_dirs)
    if options.engine is Engine.ray:
        require_ray()
        check_ray_address(options.ray_address)
    found = find_corpus_inputs(
        options.inputs, exclude=options.outdir, text_field=options.text_field, id_field=options.id_field
    )
    unsupported = found.unsupported
    local_inputs = [Path(item) for item in options.inputs if isinstance(item, Path) or "://" not in str(item)]
    folders = [*local_inputs, *([options.reference_dir] if options.reference_dir is not None else [])]
    files = (
        [item.path for item in found.documents]
        + [Path(item.path) for item in found.record_files if "://" not in item.path]
        + [Path(name) for name in unsupported]
    )
    check_outdir(options.outdir, folders, files, (*OUTPUT_FILES, OPTIONS))
    record = _options_record(options, ruleset.files)
    if options.resume:
        check_resume(options.outdir, record)
    deduper = Deduper() if options.dedup is not Dedup.off else None

    def remember(record: dict[str, Any]) -> None:
        if deduper is not None and record.get("duplicate_of") is None:
            deduper.check(record["id"], Fingerprint.of(record.get("text") or ""))

    writer = CorpusWriter.open(
        options.outdir,
        resume=options.resume,
        on_record=remember,
        output_format=options.output_format,
        shard_size=options.shard_size,
    )
    try:
        try:
            write_options(options.outdir, record)
        except OSError as err:
            raise output_error(options.outdir / OPTIONS, err) from None
        stats = _process(options, found, writer, deduper, console)
        shards = finish_records(writer)
        writer.sync()
        fills = None
        if writer.shards is None:  # suggestions are written into corpus.jsonl; shards are sealed as they fill
            try:
                fills = suggest_corpus_fills(
                    options.outdir / CORPUS, rules=ruleset, review_dir=options.outdir / REVIEW_DIR
                )
            except OSError as err:
                raise output_error(options.outdir / CORPUS, err) from None
        summary = _summary(options, found, unsupported, writer.tally, stats, time.perf_counter() - started)
        summary["shards"] = shards
        summary["corpus_suggestions"] = fills.as_dict() if fills is not None else None
        try:
            write_json(options.outdir / SUMMARY, summary)
        except OSError as err:
            raise output_error(options.outdir / SUMMARY, err) from None
    except BaseException:
        with contextlib.suppress(DocmendError):  # the first error is the one to report
            writer.close()
        raise
    writer.close()
    return summary


def _options_record(options: CorpusOptions, rule_files: list[Path]) -> dict[str, Any]:
    """What ``OUTDIR/options.json`` records of this run (the options that shape its records)."""
    from .options_record import options_record

    return options_record(
        inputs=options.inputs,
        reference_dir=options.reference_dir,
        rule_dirs=options.rule_dirs,
        rule_files=rule_files,
        dedup=options.dedup.value,
        timeout=options.timeout,
        text_field=options.text_field,
        id_field=options.id_field,
        output_format=str(options.output_format),
        shard_size=options.shard_size,
        learn=options.learn,
    )


@dataclass(slots=True)
class RunStats:
    """What one run did (as opposed to what the output files hold)."""

    workers: int
    resumed: int
    references: int = 0
    reference_errors: list[str] = field(default_factory=list)
    processed: int = 0
    bytes: int = 0
    learned: list[Path] = field(default_factory=list)


def _process(
    options: CorpusOptions, found: CorpusInputs, writer: CorpusWriter, deduper: Deduper | None, console: Console
) -> RunStats:
    """Index the references, then clean every document not done yet and append its result."""
    from .worker import WorkerConfig

    requested = options.workers or default_workers()
    index, reference_errors = None, []
    if options.reference_dir is not None:
        index, reference_errors = build_reference_index(options.reference_dir, requested)
    workers = max(1, min(requested, len(found) - len(writer.done)))
    stats = RunStats(workers, len(writer.done), len(index) if index is not None else 0, reference_errors)
    if options.learn:
        from .learn_command import learn_for_corpus

        stats.learned = learn_for_corpus(
            options.outdir,
            found.documents,
            options.rule_dirs,
            requested,
            resume=options.resume,
            console=console,
            timeout=options.timeout,
            resumed=stats.resumed,
        )
    config = WorkerConfig(tuple(str(d) for d in [*options.rule_dirs, *stats.learned]), index, options.timeout)
    tasks = found.tasks(done=frozenset(writer.done))
    with CorpusProgress(console, len(found), min(stats.resumed, len(found))) as progress:
        for result in _engine(options, config, workers).run(tasks):
            _write(writer, result, deduper, options.dedup)
            progress.advance(result)
    stats.processed, stats.bytes = progress.processed, progress.bytes
    return stats


def _summary(
    options: CorpusOptions, found: CorpusInputs, unsupported: list[str], tally: Tally, stats: RunStats, seconds: float
) -> dict[str, Any]:
    """The summary.json of a run: counts over the whole output, speed of this run."""
    return {
        "documents": len(found),
        "ok": tally.ok,
        "failed": tally.failed,
        "duplicates": tally.duplicates,
        "dropped": tally.dropped,
        "unsupported": unsupported,
        "chars": tally.chars,
        "with_reference": tally.matched,
        "references": stats.references,
        "reference_errors": stats.reference_errors,
        "processed": stats.processed,
        "resumed": stats.resumed,
        "bytes": stats.bytes,
        "seconds": round(seconds, 3),
        "docs_per_s": round(stats.processed / seconds, 2) if seconds else 0.0,
        "mb_per_s": round(stats.bytes / seconds / 1e6, 3) if seconds else 0.0,
        "engine": options.engine.value,
        "workers": stats.workers,
        "dedup": options.dedup.value,
        "learned": [str(path) for path in stats.learned],
    }


def _write(writer: CorpusWriter, result: Result, deduper: Deduper | None, mode: Dedup) -> None:
    """Decide whether ``result`` duplicates an earlier document, then append it to its file."""
    from .sketch import Fingerprint

    record = result.get("record")
    if record is None:
        writer.write_error(result["error"])
        return
    if deduper is not None and result.get("exact") is not None:
        record["duplicate_of"] = deduper.check(record["id"], Fingerprint(result["exact"], result.get("signature")))
    if record.get("duplicate_of") is not None and mode is Dedup.drop:
        writer.write_dropped(record)
    else:
        writer.write_record(record)


def summary_table(summary: dict[str, Any], outdir: Path) -> Any:
    """The end-of-run table."""
    from rich.table import Table

    table = Table(title=f"corpus → {outdir}", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    dropped = f" ({summary['dropped']} dropped)" if summary["dropped"] else ""
    rows = [
        ("documents", f"{summary['documents']}"),
        ("ok", f"{summary['ok']}"),
        ("failed", f"{summary['failed']}"),
        ("duplicates", f"{summary['duplicates']}{dropped}"),
        ("unsupported files", f"{len(summary['unsupported'])}"),
        ("characters", f"{summary['chars']:,}"),
        ("this run", f"{summary['processed']} documents in {summary['seconds']:.1f} s"),
        ("speed", f"{summary['docs_per_s']:.1f} docs/s, {summary['mb_per_s']:.2f} MB/s"),
        ("engine", f"{summary['engine']}, {summary['workers']} workers"),
    ]
    if summary["references"]:
        rows.insert(4, ("with a reference", f"{summary['with_reference']} (of {summary['references']} references)"))
    shards = summary.get("shards") or []
    if shards != ["corpus.jsonl"]:
        rows.append(("shards", f"{len(shards)}: {shards[0]}…{shards[-1]}" if len(shards) > 2 else ", ".join(shards)))
    if summary["resumed"]:
        rows.append(("resumed after", f"{summary['resumed']} already done"))
    if summary.get("learned"):
        rows.append(("learned templates", ", ".join(summary["learned"])))
    for row in rows:
        table.add_row(*row)
    return table


def corpus_command(
    inputs: Annotated[list[Path], typer.Argument(help="Files or folders (walked recursively) of documents.")],
    outdir: Annotated[Path, typer.Option("-o", "--output-dir", help="Folder for corpus.jsonl, errors.jsonl, …")],
    reference_dir: Annotated[
        Path | None, typer.Option("--reference-dir", help="Folder of reference versions to restore masked text from.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Worker processes (default: all cores).")
    ] = None,
    engine: Annotated[
        Engine, typer.Option("--engine", help="local processes, or ray (needs pip install 'docmend\\[ray]').")
    ] = (Engine.local),
    ray_address: Annotated[
        str | None, typer.Option("--ray-address", help="Address of an existing Ray cluster (with --engine ray).")
    ] = None,
    dedup: Annotated[
        Dedup, typer.Option("--dedup", help="Duplicates: mark (fill duplicate_of), drop (leave out), off.")
    ] = Dedup.mark,
    resume: Annotated[bool, typer.Option("--resume", help="Finish an interrupted run in the same OUTDIR.")] = False,
    rules_dirs: Annotated[
        list[Path] | None, typer.Option("--rules", help="Extra rule directory layered over the packaged rules.")
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0, help="Seconds allowed per document (0: no limit).")
    ] = DEFAULT_TIMEOUT,
    quiet: Annotated[
        bool, typer.Option("-q", "--quiet", help="No progress and no summary table; print only errors.")
    ] = False,
    text_field: Annotated[str, typer.Option("--text-field", help="Record files: the field holding the text.")] = "text",
    id_field: Annotated[
        str, typer.Option("--id-field", help="Record files: the id field (a stable hash when absent).")
    ] = "id",
    output_format: Annotated[
        OutputFormat, typer.Option("--output-format", help="Format of the corpus shards.")
    ] = OutputFormat.jsonl,
    shard_size: Annotated[
        int | None, typer.Option("--shard-size", min=1, help="Records per shard: corpus-00000.<format>, …")
    ] = None,
    learn: Annotated[
        bool,
        typer.Option(
            "--learn/--no-learn",
            help="First learn each site's template (groups of 20+ documents) into OUTDIR/learned and remove it.",
        ),
    ] = True,
) -> None:
    """Clean every document under INPUT into OUTDIR/corpus.jsonl, in parallel; resumable with --resume."""
    from .outputs import CorpusOutputError

    options = CorpusOptions(
        inputs=list(inputs),
        outdir=outdir,
        reference_dir=reference_dir,
        workers=workers or default_workers(),
        engine=engine,
        ray_address=ray_address,
        dedup=dedup,
        resume=resume,
        rule_dirs=list(rules_dirs or []),
        timeout=timeout or None,
        text_field=text_field,
        id_field=id_field,
        output_format=OutputFormat(output_format).value,
        shard_size=shard_size,
        learn=learn,
    )
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        with usage_errors(console):
            summary = run_corpus(options, console=Console(stderr=True, quiet=True) if quiet else console)
    except CorpusRunError as err:
        console.print(f"error: {err}", markup=False)
        raise typer.Exit(1) from None
    except CorpusOutputError as err:
        console.print(f"error: {err}", markup=False)
        raise typer.Exit(EXIT_UNWRITTEN) from None
    except KeyboardInterrupt:
        console.print(f"interrupted; run the same command with --resume to finish {outdir}", markup=False)
        sys.exit(130)
    if not quiet:
        Console(highlight=False, soft_wrap=True).print(summary_table(summary, outdir))
    elif summary["failed"]:
        console.print(f"error: {summary['failed']} documents failed; see {outdir / 'errors.jsonl'}", markup=False)
    raise typer.Exit(1 if summary["failed"] else 0)
