"""Benchmark ``docmend corpus`` on one ``.jsonl.zst`` record file beside the same documents as ``.txt`` files.

Generates ``--docs`` scraped-style documents (``tests/corpus_gen.py``: share header, flattened chunks, masked
numbers; seeded), writes them once as ``docs.jsonl.zst`` (one record each, with an ``id`` and a ``url``) and once
as one UTF-8 ``.txt`` file each, and runs ``docmend corpus`` over each in a fresh process, printing the
documents/s and MB/s of the run (from ``summary.json``) and the wall time, for the JSON-lines output and for
``--output-format jsonl.zst --shard-size 1000``.

Run: ``python bench/bench_records.py [--docs 10000] [--workers N] [--paragraphs 4] [--no-shards]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def make_documents(count: int, paragraphs: int) -> list[tuple[str, str]]:
    """``count`` scraped-style documents, ``(id, text)``."""
    from corpus_gen import TextMaker, scrape

    maker = TextMaker(seed=12)
    docs = []
    for number in range(count):
        lines = maker.document(paragraphs, scraped_style=True)
        docs.append((f"doc-{number:06d}", "\n".join(scrape(lines[0], lines[1:])) + "\n"))
    return docs


def write_inputs(base: Path, docs: list[tuple[str, str]]) -> tuple[Path, Path]:
    """The record file and the folder of text files holding the same documents."""
    import zstandard

    records = base / "docs.jsonl.zst"
    lines = "".join(
        json.dumps({"id": doc_id, "text": text, "url": f"https://example.cn/{doc_id}"}, ensure_ascii=False) + "\n"
        for doc_id, text in docs
    )
    records.write_bytes(zstandard.ZstdCompressor(level=3).compress(lines.encode("utf-8")))
    folder = base / "files"
    folder.mkdir()
    for doc_id, text in docs:
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    return records, folder


def run(source: Path, outdir: Path, workers: int, *extra: str) -> dict:
    """One ``docmend corpus`` run in a fresh process; its summary plus the wall time."""
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "docmend", "corpus", str(source), "-o", str(outdir), "-q", "--workers", str(workers)]
    result = subprocess.run([*args, *extra], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    if result.returncode not in (0, 1):
        raise SystemExit(f"docmend corpus failed: {result.stderr}")
    summary = json.loads((outdir / "summary.json").read_text(encoding="utf-8"))
    summary["wall"] = wall
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--paragraphs", type=int, default=4)
    parser.add_argument("--no-shards", action="store_true", help="skip the sharded jsonl.zst output run")
    args = parser.parse_args()
    docs = make_documents(args.docs, args.paragraphs)
    chars = sum(len(text) for _, text in docs)
    print(f"{len(docs)} documents, {chars / len(docs):.0f} characters each on average, {args.workers} workers")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        records, folder = write_inputs(base, docs)
        print(f"docs.jsonl.zst: {records.stat().st_size / 1e6:.2f} MB; files: {len(docs)} × .txt")
        sharded = ("--shard-size", "1000")
        runs = [
            ("records .jsonl.zst → corpus.jsonl", records, ()),
            ("files .txt → corpus.jsonl", folder, ()),
            ("records .jsonl.zst → jsonl.zst shards of 1000", records, ("--output-format", "jsonl.zst", *sharded)),
        ]
        for number, (label, source, extra) in enumerate(runs[:2] if args.no_shards else runs):
            summary = run(source, base / f"out{number}", args.workers, *extra)
            print(
                f"{label:<48} {summary['docs_per_s']:>8.1f} docs/s  {summary['mb_per_s']:>6.2f} MB/s  "
                f"{summary['wall']:>7.1f} s wall  ok={summary['ok']} failed={summary['failed']} "
                f"shards={len(summary['shards'])}"
            )


if __name__ == "__main__":
    main()
