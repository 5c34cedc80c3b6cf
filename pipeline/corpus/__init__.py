"""Bulk mode (``docmend corpus``): one package, one module a concern.

* :mod:`pipeline.corpus.command` — the command, its options and the run (``run_corpus``);
* :mod:`pipeline.corpus.worker` — the inputs found, document ids, the per-document worker and its time limit;
* :mod:`pipeline.corpus.engines` — where documents are cleaned: local worker processes or Ray Data;
* :mod:`pipeline.corpus.outputs` — the corpus, error and summary files, written append-only and resumably;
* :mod:`pipeline.corpus.sketch` — MinHash sketches for near-duplicates and reference discovery;
* :mod:`pipeline.corpus.options_record` — ``options.json``: the options a ``--resume`` must repeat;
* :mod:`pipeline.corpus.outdir_guard` — OUTDIR may not be, or hold, what the run reads;
* :mod:`pipeline.corpus.inputs` / :mod:`pipeline.corpus.tasks` — files, record files (JSONL, Parquet) and
  URLs walked into one task per document;
* :mod:`pipeline.corpus.shards` — ``--output-format`` / ``--shard-size`` shards, sealed whole;
* :mod:`pipeline.corpus.fill` — suggestions for masked spans from documents that hold them unmasked;
* :mod:`pipeline.corpus.learn` — site templates learned from the corpus, written as rule files
  (``learn_read``: one document's candidate lines; ``templates``: masking, aligning, patterns;
  ``learn_command``: run before a corpus run and as ``docmend rules learn``).
"""

from .command import CorpusOptions, Dedup, Engine, corpus_command, run_corpus

__all__ = ["CorpusOptions", "Dedup", "Engine", "corpus_command", "run_corpus"]
