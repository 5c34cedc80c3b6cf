"""What the generic chrome stage costs: ``clean_text`` with and without it, interleaved in one process.

Builds the same input as ``bench_clean.py`` (distinct paragraphs, ``bench/inputs.py``), cleans it as scraped
and once more as already clean, five times each way, and prints the best and median times and the
overhead. The issue's budget: at most 20% of the cleaning time.

Run: ``python bench/bench_chrome.py [--mb 2]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_clean import build_input  # noqa: E402

import pipeline.runner as runner  # noqa: E402
from pipeline.rules import load_rules  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=2.0, help="size of the input in MB (default 2)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rules = load_rules()
    scraped = build_input(int(args.mb * 1_000_000))
    clean = runner.clean_text(scraped, rules=rules).text
    without_steps = [step for step in runner.CLEANING_STEPS if step.name != "strip_chrome"]
    flag = runner.flag_chrome

    def timed(text: str, chrome: bool) -> float:
        runner.flag_chrome = flag if chrome else (lambda *_, **__: [])
        steps = runner.CLEANING_STEPS if chrome else without_steps
        start = time.perf_counter()
        runner.clean_text(text, rules=rules, steps=steps)
        return time.perf_counter() - start

    try:
        for name, text in (("as scraped", scraped), ("already clean", clean)):
            without, with_chrome = [], []
            for _ in range(args.repeat):
                without.append(timed(text, False))
                with_chrome.append(timed(text, True))
            best = min(with_chrome) / min(without) - 1
            median = sorted(with_chrome)[len(with_chrome) // 2] / sorted(without)[len(without) // 2] - 1
            print(
                f"{name:14s} without {min(without):6.2f} s   with {min(with_chrome):6.2f} s   "
                f"overhead {best:+.0%} (best)  {median:+.0%} (median)"
            )
    finally:
        runner.flag_chrome = flag


if __name__ == "__main__":
    main()
