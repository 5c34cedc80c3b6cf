"""Benchmark ``docmend corpus``: throughput and peak memory by engine and worker count, at two corpus sizes.

Builds a generated mixed-format corpus (``tests/corpus_gen.py``: txt in UTF-8 and GBK, html, docx, a
few pdf, scraped-style documents with references and distractors, duplicates, two broken files) and
runs the corpus command on it once per configuration, each in a fresh process, printing:

* documents/s and MB/s (input bytes) of the run, for the local engine with each ``--workers`` count
  and for the Ray engine (its start-up, ``ray.init``, is timed separately);
* peak memory: the parent's (``RUSAGE_SELF`` max RSS), the largest worker's (``RUSAGE_CHILDREN``
  max RSS, read after the workers and the fork server have been reaped), and, if psutil is
  installed, the peak of the summed RSS of the whole process tree, sampled every 50 ms;
* the same for the default worker count at a second, larger corpus: peak memory stays flat
  because documents stream through (only hashes and MinHash signatures are kept).

Run: ``python bench/bench_corpus.py [--docs 1000] [--large 4000] [--workers 1,2,8,16] [--no-ray]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def make_corpus(base: Path, docs: int) -> tuple[Path, Path]:
    """Generate a corpus of about ``docs`` documents under ``base``; return its input and reference folders."""
    from corpus_gen import build_corpus

    spec = build_corpus(base, plain=max(10, docs - 35), pdfs=4)
    return spec.input, spec.references


class TreeSampler:
    """Peak of the summed RSS of this process and all its descendants (needs psutil; else reports None)."""

    def __init__(self, every: float = 0.05) -> None:
        """Sample every ``every`` seconds once started."""
        self.every = every
        self.peak: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        try:
            import psutil  # noqa: F401
        except ImportError:
            return self
        self.peak = 0
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.wait(self.every):
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak or 0, total)


def run_one(args: argparse.Namespace) -> dict[str, Any]:
    """One configuration, in this (fresh) process: run the corpus, measure, stop the helpers, report."""
    from pipeline.corpus import CorpusOptions, Engine, run_corpus

    ray_init = 0.0
    engine = Engine(args.engine)
    with TreeSampler() as sampler:
        if engine is Engine.ray:
            import ray

            started = time.perf_counter()
            ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
            ray_init = time.perf_counter() - started
        options = CorpusOptions(
            [Path(args.input)], Path(args.out), reference_dir=Path(args.refs), workers=args.workers, engine=engine
        )
        summary = run_corpus(options)
        if engine is Engine.ray:
            ray.shutdown()
    _stop_forkserver()
    return {
        "engine": args.engine,
        "workers": args.workers,
        "documents": summary["documents"],
        "mb": summary["bytes"] / 1e6,
        "seconds": summary["seconds"],
        "docs_per_s": summary["docs_per_s"],
        "mb_per_s": summary["mb_per_s"],
        "ray_init_s": ray_init,
        "parent_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "child_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "tree_mb": sampler.peak / 1e6 if sampler.peak is not None else None,
    }


def _stop_forkserver() -> None:
    """Stop multiprocessing's fork server so that it and the workers it forked are reaped (RUSAGE_CHILDREN)."""
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)
    if stop is not None:
        stop()


def measure(inputs: tuple[Path, Path], workers: int, engine: str, work: Path) -> dict[str, Any]:
    """Run one configuration in a fresh interpreter and return what it measured."""
    out = Path(tempfile.mkdtemp(dir=work, prefix=f"{engine}-{workers}-"))
    command = [sys.executable, __file__, "--one", "--input", str(inputs[0]), "--refs", str(inputs[1])]
    command += ["--out", str(out / "out"), "--workers", str(workers), "--engine", engine]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{engine} with {workers} workers failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def row(result: dict[str, Any]) -> str:
    """One line of the results table."""
    tree = f"{result['tree_mb']:8.0f}" if result["tree_mb"] is not None else f"{'n/a':>8}"
    extra = f"  (+ {result['ray_init_s']:.1f} s ray.init)" if result["engine"] == "ray" else ""
    return (
        f"{result['engine']:<6} {result['workers']:>3} {result['documents']:>6} {result['seconds']:8.2f} "
        f"{result['docs_per_s']:8.1f} {result['mb_per_s']:7.2f} {result['parent_mb']:8.0f} {result['child_mb']:8.0f} "
        f"{tree}{extra}"
    )


HEADER = (
    f"{'engine':<6} {'wrk':>3} {'docs':>6} {'seconds':>8} {'docs/s':>8} {'MB/s':>7} {'parentMB':>8} "
    f"{'childMB':>8} {'treeMB':>8}"
)


def main() -> None:
    """Parse the options; build the corpora; run and print every configuration."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=1000, help="documents in the main corpus (default 1000)")
    parser.add_argument("--large", type=int, default=4000, help="documents in the larger corpus (default 4000)")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts (default 1,2)")
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray engine")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--refs", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--engine", default="local", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        args.workers = int(args.workers)
        print(json.dumps(run_one(args)))
        return
    counts = [int(n) for n in args.workers.split(",") if n.strip()]
    with tempfile.TemporaryDirectory(prefix="bench-corpus-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        small = make_corpus(work / "small", args.docs)
        large = make_corpus(work / "large", args.large)
        print(f"generated {args.docs} + {args.large} documents in {time.perf_counter() - started:.1f} s")
        print(HEADER)
        for workers in counts:
            print(row(measure(small, workers, "local", work)), flush=True)
        if not args.no_ray:
            try:
                import ray  # noqa: F401

                print(row(measure(small, max(counts), "ray", work)), flush=True)
            except ImportError:
                print("ray: not installed (pip install 'docmend[ray]') — skipped")
        print(f"\npeak memory vs corpus size (local, {max(counts)} workers):")
        print(HEADER)
        print(row(measure(small, max(counts), "local", work)), flush=True)
        print(row(measure(large, max(counts), "local", work)), flush=True)


if __name__ == "__main__":
    main()
