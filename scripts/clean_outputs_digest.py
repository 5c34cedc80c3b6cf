"""Digest of every cleaning output the project has inputs for: one line per input, then one for all.

Cleans ``samples/*.txt``, every ``.txt`` / ``.html`` under ``tests/fixtures/`` (held-out pages included:
only their digests are printed, never their text), and the bench's generated inputs
(``bench/inputs.py``: 40 documents of 30 KB and one of 1 MB), each as ``docmend clean`` would (a file
through ingest, the bench texts as text), and prints a SHA-256 of the output text and of the full
report's JSON. Run it on two versions of the code to check that their outputs are byte-identical::

    python scripts/clean_outputs_digest.py > after.txt
    (cd /tmp/base && python /path/to/scripts/clean_outputs_digest.py --root .) > before.txt
    diff before.txt after.txt

It also prints how many times the cleaning steps ran per document (``step runs``), as a figure of
the work the repeat-until-stable loop does.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
from pathlib import Path


def inputs(root: Path) -> list[Path]:
    """The input files, relative to ``root``, in a fixed order."""
    found = sorted((root / "samples").glob("*.txt"))
    for path in sorted((root / "tests" / "fixtures").rglob("*")):
        if path.suffix in (".txt", ".html") and path.is_file():
            found.append(path)
    return [p.relative_to(root) for p in found]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--bench-docs", type=int, default=40)
    args = parser.parse_args()
    root = args.root.resolve()
    os.chdir(root)
    sys.path[:0] = [str(root), str(root / "bench")]
    from inputs import scraped_document

    from pipeline import runner
    from pipeline.report import write_report
    from pipeline.rules import load_rules

    runs = 0
    original_run_step = runner.run_step

    def counted(*a, **k):  # type: ignore[no-untyped-def]
        nonlocal runs
        runs += 1
        return original_run_step(*a, **k)

    runner.run_step = counted
    rules = load_rules()
    total = hashlib.sha256()
    documents = 0

    def emit(name: str, doc) -> None:  # type: ignore[no-untyped-def]
        nonlocal documents
        report = io.BytesIO()
        write_report(report, doc, detail="full")
        text_digest = hashlib.sha256(doc.text.encode()).hexdigest()[:16]
        line = f"{name} {text_digest} {hashlib.sha256(report.getvalue()).hexdigest()[:16]}"
        total.update(line.encode() + b"\n")
        documents += 1
        print(line)

    for path in inputs(root):
        for simplified in (False, True):
            try:
                doc = runner.clean_file(path, rules=rules, to_simplified=simplified)
            except Exception as err:  # an input that fails must fail the same way in both versions
                line = f"{path}{' simplified' if simplified else ''} error {type(err).__name__}"
                total.update(line.encode() + b"\n")
                print(line)
                continue
            emit(f"{path}{' simplified' if simplified else ''}", doc)
    scraped = root / "samples" / "wangxin_scraped_diyiwenku.txt"
    reference = root / "samples" / "wangxin_reference.txt"
    restored = runner.clean_file(scraped.relative_to(root), rules=rules, reference=reference.relative_to(root))
    emit("sample restored", restored)
    for number in range(args.bench_docs):
        text = scraped_document(30_000, seed=1000 + number, title=f"第{number}号文件关于工作的通知")
        emit(f"bench-30kb-{number}", runner.clean_text(text, rules=rules, source=f"bench-{number}"))
    emit("bench-1mb", runner.clean_text(scraped_document(1_000_000), rules=rules, source="bench-1mb"))
    print(f"all {documents} {total.hexdigest()}")
    print(f"step runs {runs} for {documents} documents: {runs / documents:.2f} per document", file=sys.stderr)


if __name__ == "__main__":
    main()
