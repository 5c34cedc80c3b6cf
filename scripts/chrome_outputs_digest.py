"""A digest of what cleaning makes of every fixture page: to check that a speed change changed no output.

Cleans each page of ``tests/fixtures/*/`` (the real tuning and held-out pages included), ``samples/`` and the
input of ``bench/bench_chrome.py`` (as scraped and once more as cleaned), and prints one BLAKE2 digest per
group over the output texts and full reports (every edit, suggestion, warning and the quality figures),
then one over everything. Run it on two versions of the code: the last lines must match. Only digests are
printed, never a page or an expectation (the held-out half is not for reading).

Run: ``python scripts/chrome_outputs_digest.py [--bench-mb 2]``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_clean import build_input  # noqa: E402

from pipeline.report import write_report  # noqa: E402
from pipeline.rules import load_rules  # noqa: E402
from pipeline.runner import clean_text  # noqa: E402


def groups(bench_mb: float) -> dict[str, list[tuple[str, str]]]:
    """(name, text) of every input, by group."""
    out: dict[str, list[tuple[str, str]]] = {}
    for folder in sorted(p for p in (ROOT / "tests" / "fixtures").iterdir() if p.is_dir()):
        out[folder.name] = [
            (path.relative_to(folder).as_posix(), path.read_text(encoding="utf-8"))
            for path in sorted(folder.rglob("*"))
            if path.suffix in (".txt", ".html", ".md") and path.is_file()
        ]
    out["samples"] = [(p.name, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "samples").glob("*.txt"))]
    if bench_mb:
        scraped = build_input(int(bench_mb * 1_000_000))
        out["bench"] = [("scraped", scraped)]
    return out


def digest_of(name: str, text: str, rules: object) -> bytes:
    """The digest of one document's output text and full report."""
    doc = clean_text(text, rules=rules, source=name)  # type: ignore[arg-type]
    report = io.BytesIO()
    write_report(report, doc, detail="full")
    digest = hashlib.blake2b(digest_size=16)
    digest.update(doc.text.encode("utf-8", "surrogatepass"))
    digest.update(b"\0")
    digest.update(report.getvalue().replace(b"\\n", b"\n"))
    return digest.digest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-mb", type=float, default=2.0, help="size of the bench input (0: none)")
    args = parser.parse_args()
    rules = load_rules()
    whole = hashlib.blake2b(digest_size=16)
    for group, docs in groups(args.bench_mb).items():
        digest = hashlib.blake2b(digest_size=16)
        for name, text in docs:
            one = digest_of(name, text, rules)
            digest.update(one)
            if group == "bench":  # the bench input cleaned once more, as bench_chrome's "already clean" run
                digest.update(digest_of(name, clean_text(text, rules=rules).text, rules))
        print(f"{group:20s} {len(docs):4d} documents  {digest.hexdigest()}", flush=True)
        whole.update(digest.digest())
    print(f"{'all':20s} {'':4s}            {whole.hexdigest()}")


if __name__ == "__main__":
    main()
