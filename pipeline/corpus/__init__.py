"""Bulk mode (``docmend corpus``): one package, one module a concern.

* :mod:`pipeline.corpus.command` — the command, its options and the run (``run_corpus``);
* :mod:`pipeline.corpus.worker` — the inputs found, document ids, the per-document worker and its time limit;
* :mod:`pipeline.corpus.engines` — where documents are cleaned: local worker processes or Ray Data;
* :mod:`pipeline.corpus.outputs` — the corpus, error and summary files, written append-only and resumably;
* :mod:`pipeline.corpus.sketch` — MinHash sketches for near-duplicates and reference discovery.
* :mod:`pipeline.corpus.options_record` — ``options.json``: the options a ``--resume`` must repeat;
* :mod:`pipeline.corpus.outdir_guard` — OUTDIR may not be, or hold, what the run reads.
"""

from pipeline.corpus.command import CorpusOptions, Dedup, Engine, corpus_command, run_corpus

__all__ = ["CorpusOptions", "Dedup", "Engine", "corpus_command", "run_corpus"]
