"""Benchmark the cleaning path against the obvious alternatives, in the same run.

Builds a large scraped document (10 MB+ by default) of distinct paragraphs from the shipped sample's
sentences (``bench/inputs.py``: the site header, then the body with the site's chunk markers) and prints:

* MB/s of ``clean_text`` in process, and of the whole ``docmend clean`` command as a process;
* the same input through Unstructured's ``clean_extra_whitespace`` + ``group_broken_paragraphs``
  (if installed: ``pip install '.[bench]'``) and through a naive regex cleaner;
* time at 1/4, 1/2 and the full size, to show the cost is linear;
* what each approach gets right on the sample (header gone, chunk markers gone, split word rejoined,
  title on its own line, headings starting paragraphs, no half-width comma between Chinese).

Run: ``python bench/bench_clean.py [--mb 10]``.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))

from inputs import scraped_document  # noqa: E402
from naive_cleaner import naive_clean as naive_regex_clean  # noqa: E402

from pipeline.rules import load_rules  # noqa: E402
from pipeline.runner import clean_text  # noqa: E402

SAMPLE = ROOT / "samples" / "wangxin_scraped_diyiwenku.txt"


def build_input(target_bytes: int, *, seed: int = 7) -> str:
    """A scraped preview of distinct paragraphs (``bench/inputs.py``): a repeated paragraph would be removed."""
    return scraped_document(target_bytes, seed=seed)


def unstructured_clean() -> Callable[[str], str] | None:
    try:
        from unstructured.cleaners.core import clean_extra_whitespace, group_broken_paragraphs
    except Exception:
        return None

    def run(text: str) -> str:
        return group_broken_paragraphs(clean_extra_whitespace(text))

    return run


def docmend_clean() -> Callable[[str], str]:
    rules = load_rules()
    clean_text("预热，文本。", rules=rules)  # the dictionaries load once, outside the in-process timings

    def run(text: str) -> str:
        return clean_text(text, rules=rules).text

    return run


def timed(fn: Callable[[str], str], text: str) -> tuple[float, str]:
    started = time.perf_counter()
    out = fn(text)
    return time.perf_counter() - started, out


def process_throughput(text: str) -> float:
    """Seconds for the whole ``docmend clean`` command (interpreter start, read, clean, write)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "big.txt"
        src.write_text(text, encoding="utf-8")
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pipeline.cli", "clean", str(src), "-o", str(Path(tmp) / "out"), "-q"],
            check=True,
            cwd=ROOT,
        )
        return time.perf_counter() - started


SAMPLE_CHECKS: list[tuple[str, Callable[[str], bool]]] = [
    ("site header removed", lambda t: "由会员分享" not in t),
    ("no N、 chunk marker left anywhere", lambda t: not re.search(r"\d+、", t)),
    ("split word rejoined (得天下)", lambda t: "得网络者得天下" in t),
    ("title on its own first line", lambda t: t.lstrip().split("\n", 1)[0] == "在调研网信工作强调要求"),
    ("一、二、三、 start paragraphs", lambda t: all(re.search(rf"(?m)^{h}、", t) for h in "一二三")),
    ("no half-width comma between Chinese", lambda t: not re.search(r"[\u4e00-\u9fff],[\u4e00-\u9fff]", t)),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=10.0, help="size of the large input in MB (default 10)")
    args = parser.parse_args()
    text = build_input(int(args.mb * 1_000_000))
    mb = len(text.encode()) / 1_000_000
    tools: dict[str, Callable[[str], str]] = {"docmend clean_text": docmend_clean()}
    unstructured = unstructured_clean()
    if unstructured is not None:
        tools["unstructured whitespace+paragraphs"] = unstructured
    tools["naive regex cleaner"] = naive_regex_clean
    print(f"input: {mb:.1f} MB, {len(text):,} characters, {text.count(chr(10)):,} lines (built from {SAMPLE.name})")
    if unstructured is None:
        print("unstructured: not installed (pip install '.[bench]') — skipped")
    print(f"\n{'tool':<36} {'seconds':>8} {'MB/s':>8}")
    for name, fn in tools.items():
        seconds, _ = timed(fn, text)
        print(f"{name:<36} {seconds:8.2f} {mb / seconds:8.1f}")
    seconds = process_throughput(text)
    print(f"{'docmend clean (whole process)':<36} {seconds:8.2f} {mb / seconds:8.1f}")

    rules = load_rules()
    print("\ncost of edits: docmend clean_text on the input, and on its own output (clean: nothing to change)")
    for label, sample_text in (("as scraped", text), ("already clean", clean_text(text, rules=rules).text)):
        size = len(sample_text.encode()) / 1_000_000
        started = time.perf_counter()
        edits = len(clean_text(sample_text, rules=rules).edits)
        seconds = time.perf_counter() - started
        print(f"  {label:<14} {size:6.1f} MB  {edits:>9,} edits  {seconds:7.2f} s  {size / seconds:7.1f} MB/s")

    print("\nlinearity of docmend clean_text:")
    fn = tools["docmend clean_text"]
    for share in (0.25, 0.5, 1.0):
        part = build_input(int(args.mb * share * 1_000_000))
        part_mb = len(part.encode()) / 1_000_000
        seconds, _ = timed(fn, part)
        print(f"  {part_mb:6.1f} MB  {seconds:7.2f} s  {part_mb / seconds:7.1f} MB/s")

    sample = SAMPLE.read_text(encoding="utf-8")
    print("\nwhat each gets right on the sample:")
    names = list(tools)
    print(f"{'check':<40}" + "".join(f" {n[:22]:>23}" for n in names))
    outputs = {name: tools[name](sample) for name in names}
    for label, check in SAMPLE_CHECKS:
        print(f"{label:<40}" + "".join(f" {'yes' if check(outputs[n]) else 'no':>23}" for n in names))


if __name__ == "__main__":
    main()
