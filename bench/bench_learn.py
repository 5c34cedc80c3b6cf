"""Benchmark template learning: its cost beside the cleaning pass, and its memory at two corpus sizes.

Builds pages of the invented site of ``tests/template_gen.py`` (a template around distinct bodies) and
prints, for each size:

* the seconds of ``docmend corpus --no-learn`` and of ``docmend corpus`` (which learns first), both with
  the same workers, and the share of the run the learning took;
* the seconds and the peak Python memory (tracemalloc, a second run) of learning alone, in one process,
  after a warm-up
  (the dictionaries the damage steps load are not counted): past the per-group sample
  (``sample_docs`` in ``rules/common/learn.toml``) it stays flat, as only the group's size still grows.

Run: ``python bench/bench_learn.py [--sizes 200,800] [--workers 2]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def corpus_seconds(corpus: Path, outdir: Path, workers: int, learn: bool) -> float:
    """Wall seconds of one corpus run."""
    from rich.console import Console

    from pipeline.corpus import CorpusOptions, run_corpus

    started = time.perf_counter()
    run_corpus(CorpusOptions([corpus], outdir, workers=workers, learn=learn), console=Console(quiet=True))
    return time.perf_counter() - started


def learning_alone(corpus: Path, outdir: Path) -> tuple[float, int]:
    """(seconds, peak traced bytes) of learning alone, in this process: timed once without tracing,
    then traced (tracemalloc slows Python down several times)."""
    from pipeline.corpus.learn import learn_templates
    from pipeline.corpus.worker import find_inputs
    from pipeline.rules import load_rules

    found = [(str(f.path), f.rel) for f in find_inputs([corpus])[0]]
    rules = load_rules()
    learn_templates(found[:3], outdir / "warm-up", rules=rules, workers=1)
    started = time.perf_counter()
    learn_templates(found, outdir / "timed", rules=rules, workers=1)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    learn_templates(found, outdir / "traced", rules=rules, workers=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak


def main() -> None:
    """Print the table."""
    from template_gen import build_site

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,800")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"{'pages':>6} {'no-learn s':>10} {'learn s':>8} {'learning':>9} {'learn-only s':>12} {'peak MiB':>9}")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            base = Path(tmp)
            build_site(base / "corpus" / "site", size)
            plain = corpus_seconds(base / "corpus", base / "plain", args.workers, learn=False)
            learned = corpus_seconds(base / "corpus", base / "learned", args.workers, learn=True)
            alone, peak = learning_alone(base / "corpus", base / "rules")
            share = (learned - plain) / learned if learned else 0.0
            print(f"{size:>6} {plain:>10.1f} {learned:>8.1f} {share:>8.0%} {alone:>12.1f} {peak / 2**20:>9.1f}")


if __name__ == "__main__":
    main()
