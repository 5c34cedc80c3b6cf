"""Benchmark the cleaning path on hostile inputs: does its cost stay linear where a careless pass is not?

Each input is built at two sizes (the second twice the first); the run prints the seconds of
``clean_text`` at each, the ratio (about 2 for linear cost, about 4 for quadratic) and the step that
took longest. The inputs are shapes real scrapes take to an extreme: one flattened line of megabytes,
tens of thousands of short lines (a table or a list page), the same boilerplate line over and over,
punctuation soup, nested or unclosed parentheses, a pinyin layer over everything, ``*`` masks.

Run: ``python bench/bench_adversarial.py [--scale 1.0]`` (about a minute at scale 1).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pipeline.runner as runner  # noqa: E402
from pipeline.rules import load_rules  # noqa: E402

SAMPLE_BODY = (ROOT / "samples" / "wangxin_scraped_diyiwenku.txt").read_text(encoding="utf-8").replace("\n", "")


def _choices(pieces: list[str], count: int, joiner: str = "") -> str:
    rnd = random.Random(1)
    return joiner.join(rnd.choice(pieces) for _ in range(count))


INPUTS: dict[str, Callable[[int], str]] = {
    "one flattened line": lambda n: (SAMPLE_BODY * (n // len(SAMPLE_BODY) + 1))[:n],
    "short lines": lambda n: _choices(
        ["一、", "1、", "第3页", "- 3 -", "（一）", "网络", "下载", "*", "......"], n // 4, "\n"
    ),
    "one boilerplate line repeated": lambda n: "下载文档到电脑，查找使用更方便\n" * (n // 16),
    "a page footer every few lines": lambda n: "".join(
        f"{SAMPLE_BODY[k % 900 : k % 900 + 60]}\n第 {k} 页 共 {n // 70} 页\n" for k in range(n // 70)
    ),
    "punctuation soup": lambda n: _choices(list(",.;:!?()（）“”*、。 \n"), n),
    "nested parentheses": lambda n: "(" * (n // 2) + "网" + ")" * (n // 2),
    "pinyin everywhere": lambda n: _choices(["网(wǎng)", "中zhong", "国guo", "(a)", "字"], n // 5),
    "stars between Han": lambda n: _choices(list("*月日党的大意识形态斗争"), n),
    "short lines, body at the very end": lambda n: _choices(list("春夏秋冬山水风云日月星辰江河湖海\n"), n)
    + "\n"
    + SAMPLE_BODY[:300],
}


def time_steps(text: str, rules: object) -> tuple[float, str]:
    """Seconds of ``clean_text`` on ``text`` and the step that took longest."""
    spent: dict[str, float] = {}
    run_step = runner.run_step

    def timed(step: runner.Step, current: str, **kwargs: object) -> list:
        started = time.perf_counter()
        try:
            return run_step(step, current, **kwargs)  # type: ignore[arg-type]
        finally:
            spent[step.name] = spent.get(step.name, 0.0) + time.perf_counter() - started

    runner.run_step = timed  # type: ignore[assignment]
    try:
        started = time.perf_counter()
        runner.clean_text(text, rules=rules)  # type: ignore[arg-type]
        seconds = time.perf_counter() - started
    finally:
        runner.run_step = run_step  # type: ignore[assignment]
    slowest = max(spent, key=spent.__getitem__)
    return seconds, f"{slowest} {spent[slowest]:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the input sizes (default 1)")
    args = parser.parse_args()
    rules = load_rules()
    runner.clean_text("预热，文本。", rules=rules)  # dictionaries load once, outside the timings
    small = int(200_000 * args.scale)
    print(f"{'input':<32} {'chars':>9} {'s':>7} {'chars×2':>9} {'s':>7} {'ratio':>6}  slowest step at ×2")
    for name, build in INPUTS.items():
        first, second = build(small), build(2 * small)
        seconds_1, _ = time_steps(first, rules)
        seconds_2, slowest = time_steps(second, rules)
        ratio = seconds_2 / seconds_1 if seconds_1 else float("nan")
        sizes = f"{len(first):>9,} {seconds_1:7.2f} {len(second):>9,} {seconds_2:7.2f}"
        print(f"{name:<32} {sizes} {ratio:6.1f}  {slowest}")


if __name__ == "__main__":
    main()
