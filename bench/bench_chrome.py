"""What the generic chrome stage costs: ``clean_text`` with and without it, interleaved in one process.

Builds the same input as ``bench_clean.py`` (distinct paragraphs, ``bench/inputs.py``), cleans it as scraped
and once more as already clean, five times each way, and prints the best and median times and the
overhead. The issue's budget: at most 20% of the cleaning time. Then it cleans ``--docs`` scraped documents
of 30 KB (``bench/inputs.py``) with the stage timed from inside (``strip_chrome`` and ``flag_chrome``):
milliseconds of chrome per document and its share beside the rest, a figure a busy machine disturbs less
than two separate runs.

Run: ``python bench/bench_chrome.py [--mb 2] [--docs 60]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
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
    parser.add_argument("--docs", type=int, default=60, help="30 KB documents timed from inside (0: none)")
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
    if args.docs:
        per_document(rules, args.docs, args.repeat)


def per_document(rules: object, count: int, repeat: int) -> None:
    """Chrome's milliseconds per 30 KB document, timed inside the cleaning, and its share of the rest."""
    from inputs import scraped_document

    spent = [0.0]

    def timed(run: Callable[..., list]) -> Callable[..., list]:
        def wrapper(*args: object, **kwargs: object) -> list:
            started = time.perf_counter()
            try:
                return run(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - started

        return wrapper

    steps = tuple(
        runner.Step(s.stage, s.name, timed(s.run)) if s.name == "strip_chrome" else s for s in runner.CLEANING_STEPS
    )
    flag = runner.flag_chrome
    runner.flag_chrome = timed(flag)
    docs = [scraped_document(30_000, seed=k) for k in range(count)]
    try:
        for doc in docs[:5]:
            runner.clean_text(doc, rules=rules, steps=steps)  # type: ignore[arg-type]
        best: tuple[float, float, float] | None = None
        for _ in range(repeat):
            spent[0] = 0.0
            started = time.perf_counter()
            for doc in docs:
                runner.clean_text(doc, rules=rules, steps=steps)  # type: ignore[arg-type]
            total = time.perf_counter() - started
            share = spent[0] / (total - spent[0])
            if best is None or share < best[0]:
                best = (share, spent[0] / count, total / count)
    finally:
        runner.flag_chrome = flag
    assert best is not None
    print(
        f"{count} documents of 30 KB: chrome {best[1] * 1e3:.2f} ms of {best[2] * 1e3:.2f} ms a document, "
        f"overhead {best[0]:+.0%} (timed inside, best of {repeat})"
    )


if __name__ == "__main__":
    main()
