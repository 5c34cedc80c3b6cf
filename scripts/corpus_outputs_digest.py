"""Digest of every output file of one ``docmend corpus`` run, to check that two versions write the same bytes.

Builds a fixed input folder (``bench/inputs.py`` documents of 30 KB, as ``bench/bench_speed.py`` makes
them, a site of 60 pages with a template to learn and 30 notices from ``tests/template_gen.py``, plus
``samples/*.txt`` and ``tests/fixtures/real_tuning``), runs ``docmend corpus`` on it with the
package from ``--src`` into a fixed output folder, and prints a SHA-256 per output file: the records,
errors, duplicates, options, learned rules and review files as written, and ``summary.json`` without its
timings (``seconds``, ``docs_per_s``, ``mb_per_s``). Input and output paths are the same for every
version, since records name their source::

    python scripts/corpus_outputs_digest.py --src /tmp/base > before.txt
    python scripts/corpus_outputs_digest.py > after.txt          # options for docmend corpus after --: -- --dedup drop
    diff before.txt after.txt
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMINGS = ("seconds", "docs_per_s", "mb_per_s")


def build_inputs(folder: Path, docs: int) -> None:
    """Write the fixed input set into ``folder`` (emptied first)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from inputs import scraped_document

    shutil.rmtree(folder, ignore_errors=True)
    (folder / "bench").mkdir(parents=True)
    for number in range(docs):
        title = f"第{number}号文件关于工作的通知"
        text = scraped_document(30_000, seed=1000 + number, title=title)
        (folder / "bench" / f"doc-{number:04d}.txt").write_text(text, encoding="utf-8")
    (folder / "samples").mkdir()
    for path in sorted((ROOT / "samples").glob("*.txt")):
        shutil.copy(path, folder / "samples" / path.name)
    sys.path.insert(0, str(ROOT / "tests"))
    from template_gen import build_notices, build_site

    build_site(folder / "site", 60, seed=11, reposted=3)
    build_notices(folder / "notices", 30)
    (folder / "real").mkdir()
    for path in sorted((ROOT / "tests" / "fixtures" / "real_tuning").iterdir()):
        if path.suffix in (".txt", ".html"):
            shutil.copy(path, folder / "real" / path.name)


def digests(outdir: Path) -> list[str]:
    """``sha256  name`` for every file under ``outdir`` (summary.json without its timings), sorted by name."""
    lines = []
    for path in sorted(p for p in outdir.rglob("*") if p.is_file()):
        name = path.relative_to(outdir).as_posix()
        data = path.read_bytes()
        if name == "summary.json":
            summary = json.loads(data)
            for key in TIMINGS:
                summary.pop(key, None)
            data = json.dumps(summary, ensure_ascii=False, sort_keys=True).encode()
        lines.append(f"{hashlib.sha256(data).hexdigest()}  {name}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--src", type=Path, default=ROOT, help="the checkout whose docmend runs")
    parser.add_argument("--work", type=Path, default=Path("/tmp/docmend-corpus-digest"))
    parser.add_argument("--docs", type=int, default=60)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("extra", nargs="*", help="more options for docmend corpus (e.g. --dedup drop)")
    args = parser.parse_args()
    inputs, outdir = args.work / "in", args.work / "out"
    build_inputs(inputs, args.docs)
    shutil.rmtree(outdir, ignore_errors=True)
    command = [sys.executable, "-m", "pipeline.cli", "corpus", str(inputs), "-o", str(outdir)]
    command += ["--workers", str(args.workers), "-q", *args.extra]
    env = {**os.environ, "PYTHONPATH": str(args.src.resolve())}
    done = subprocess.run(command, cwd=args.src, env=env, check=False)
    print(f"exit {done.returncode}")
    print("\n".join(digests(outdir)))


if __name__ == "__main__":
    main()
