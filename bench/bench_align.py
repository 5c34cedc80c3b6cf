"""Benchmark: blocks-first alignment and restoration against a reference, at up to a million characters.

Builds scraped/reference pairs with the corruption generator of ``tests/corruption.py`` (the base
documents, the sample among them, repeated with variations; then masked, names deleted, terms cut,
quote ends damaged, paragraphs moved/dropped/flattened, edition variants injected), and prints:

* the time of :func:`pipeline.align.align` and of :func:`restore_from_reference` (which aligns
  too) at 125k, 250k, 500k and 1M characters, best of ``--repeat`` runs, as CPU time of this
  process (wall time beside it: this may run on a shared machine), with the recall/precision of the
  restoration against the generator's truth;
* the peak memory of one restoration at full size (tracemalloc, and the process's peak RSS);
* the same for a pathologically repetitive document (hundreds of copies of each sentence);
* the alternatives: ``difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()`` and
  rapidfuzz's full ``Indel``/``Levenshtein`` opcodes, timed on prefixes of growing size and
  extrapolated to the full size, then tried on the full strings in a child process capped at
  ``--cap`` seconds (and 4 GiB of memory: the full matrices need far more).

Run: ``PYTHONPATH=. python bench/bench_align.py`` (about seven minutes, most of it the capped
alternatives; ``--no-alternatives`` skips them), ``--quick`` for a
smaller run.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.align import align, align_chars
from pipeline.document import Edit
from pipeline.rules import load_rules
from pipeline.stages.restore import restore_from_reference
from tests.corruption import Corruption, corrupt, evaluate, large_document

MEMORY_CAP = 4 << 30  # bytes of address space for the full-size alternatives


def make_pair(size: int, seed: int, *, varied: bool = True) -> Corruption:
    """A scraped/reference pair of about ``size`` reference characters."""
    rnd = random.Random(seed)
    paragraphs = large_document(size, rnd, varied=varied)
    return corrupt(
        paragraphs,
        rnd,
        title="在调研网信工作强调要求",
        variant_rate=0.1,
        damage_rate=0.7,
        move_rate=0.05,
        drop_rate=0.02,
        keep_break_rate=0.0,
    )


def best_of(repeat: int, fn: Callable[[], object]) -> tuple[float, float, object]:
    """(best CPU seconds, best wall seconds, last result) over ``repeat`` runs."""
    cpu = wall = float("inf")
    result: object = None
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        result = fn()
        cpu = min(cpu, time.process_time() - c0)
        wall = min(wall, time.perf_counter() - w0)
    return cpu, wall, result


def run_restore(case: Corruption, rules: object) -> tuple[list[Edit], list[Edit]]:
    return restore_from_reference(case.corrupted, reference=case.reference, rules=rules, metadata={})  # type: ignore[arg-type]


def scaling(sizes: list[int], seed: int, repeat: int, varied: bool) -> list[dict[str, object]]:
    rules = load_rules()
    rows = []
    for size in sizes:
        case = make_pair(size, seed, varied=varied)
        a, b = case.corrupted, case.reference
        align_cpu, align_wall, al = best_of(repeat, lambda a=a, b=b: align(a, b))
        restore_cpu, restore_wall, result = best_of(repeat, lambda case=case: run_restore(case, rules))
        applied, suggestions = result  # type: ignore[misc]
        score = evaluate(a, case.truth, applied, opcodes=align_chars)
        rows.append(
            {
                "scraped": len(a),
                "reference": len(b),
                "align_cpu": align_cpu,
                "align_wall": align_wall,
                "restore_cpu": restore_cpu,
                "restore_wall": restore_wall,
                "blocks": len(al.blocks),  # type: ignore[attr-defined]
                "similarity": al.similarity,  # type: ignore[attr-defined]
                "edits": len(applied),
                "suggestions": len(suggestions),
                "recall": score.recall,
                "precision": score.precision,
                "variants": f"{score.variants_kept}/{score.variants}",
            }
        )
    return rows


def peak_memory(size: int, seed: int) -> tuple[float, float]:
    """(tracemalloc peak MiB of one restoration, process peak RSS MiB so far)."""
    rules = load_rules()
    case = make_pair(size, seed)
    tracemalloc.start()
    run_restore(case, rules)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return peak / 2**20, rss


_CHILD = """
import resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
a = open(sys.argv[1], encoding="utf-8").read()
b = open(sys.argv[2], encoding="utf-8").read()
kind = sys.argv[3]
start = time.perf_counter()
try:
    if kind == "difflib":
        import difflib
        ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    elif kind == "indel":
        from rapidfuzz.distance import Indel
        ops = Indel.opcodes(a, b)
    else:
        from rapidfuzz.distance import Levenshtein
        ops = Levenshtein.opcodes(a, b)
except MemoryError:
    print("memory")
    sys.exit(0)
print(time.perf_counter() - start)
"""


def run_child(kind: str, a: str, b: str, cap: float) -> str:
    """Time one alternative on (a, b) in a child process; a description of what happened."""
    with tempfile.TemporaryDirectory() as tmp:
        pa, pb = Path(tmp) / "a.txt", Path(tmp) / "b.txt"
        pa.write_text(a, encoding="utf-8")
        pb.write_text(b, encoding="utf-8")
        code = _CHILD.format(cap=MEMORY_CAP)
        try:
            done = subprocess.run(
                [sys.executable, "-c", code, str(pa), str(pb), kind], capture_output=True, text=True, timeout=cap
            )
        except subprocess.TimeoutExpired:
            return f"did not finish in {cap:.0f} s"
        out = done.stdout.strip()
        if out == "memory" or "MemoryError" in done.stderr or "bad_alloc" in done.stderr:
            return f"failed: out of memory (capped at {MEMORY_CAP >> 30} GiB)"
        if done.returncode != 0:
            return f"failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}"
        return f"{float(out):.2f} s"


def alternatives(case: Corruption, cap: float, prefix_sizes: list[int]) -> list[tuple[str, list[str], str, str]]:
    """(name, timings on prefixes, extrapolation to full size, full-size result) per alternative."""
    a, b = case.corrupted, case.reference
    full = len(a)
    rows = []
    for kind, name in (
        ("difflib", "difflib.SequenceMatcher(autojunk=False).get_opcodes"),
        ("indel", "rapidfuzz Indel.opcodes (full strings)"),
        ("levenshtein", "rapidfuzz Levenshtein.opcodes (full strings)"),
    ):
        timings = []
        last: tuple[int, float] | None = None
        for size in prefix_sizes:
            sa, sb = a[:size], b[: int(size * len(b) / len(a))]
            start = time.perf_counter()
            result = run_child(kind, sa, sb, cap)
            elapsed = time.perf_counter() - start
            timings.append(f"{size // 1000}k: {result}")
            if not result.endswith(" s") or result.startswith("did not"):
                break
            last = (size, float(result.split()[0]) if result[0].isdigit() else elapsed)
        if last is not None:
            size, seconds = last
            estimate = seconds * (full / size) ** 2  # all three are quadratic in time on these inputs
            extrapolated = _human(estimate)
        else:
            extrapolated = "n/a"
        if kind != "difflib":
            extrapolated += f" (needs ~{len(a) * len(b) / 8 / 2**30:.0f} GiB)"  # one bit per matrix cell
        rows.append((name, timings, extrapolated, run_child(kind, a, b, cap)))
    return rows


def _human(seconds: float) -> str:
    if seconds < 120:
        return f"~{seconds:.0f} s"
    if seconds < 7200:
        return f"~{seconds / 60:.0f} min"
    return f"~{seconds / 3600:.1f} h"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000, help="full size in reference characters")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best is kept)")
    parser.add_argument("--cap", type=float, default=60.0, help="seconds allowed to each alternative")
    parser.add_argument("--quick", action="store_true", help="quarter size, one run, no full-size alternatives")
    parser.add_argument("--no-alternatives", action="store_true")
    args = parser.parse_args()
    full = args.size // 4 if args.quick else args.size
    repeat = 1 if args.quick else args.repeat
    sizes = [full // 8, full // 4, full // 2, full]

    print(f"# align + restore_from_reference (best of {repeat}; CPU s of this process, wall s in brackets)\n")
    header = (
        f"{'scraped':>9} {'reference':>9} | {'align':>14} | {'restore (total)':>15} | "
        f"{'blocks':>6} {'similarity':>10} {'edits':>6} | {'recall':>6} {'precision':>9} {'variants kept':>13}"
    )
    for varied in (True, False):
        print("varied copies (like the sections of a long report):" if varied else "\nrepetitive copies (stress):")
        print(header)
        print("-" * len(header))
        for row in scaling(sizes if varied else [full], args.seed, repeat, varied):
            print(
                f"{row['scraped']:>9} {row['reference']:>9} | "
                f"{row['align_cpu']:>5.3f} ({row['align_wall']:>5.3f}) | "
                f"{row['restore_cpu']:>6.3f} ({row['restore_wall']:>5.3f}) | "
                f"{row['blocks']:>6} {row['similarity']:>10.4f} {row['edits']:>6} | "
                f"{row['recall']:>6.4f} {row['precision']:>9.4f} {row['variants']:>13}"
            )

    tracemalloc_peak, rss = peak_memory(full, args.seed)
    print(f"\npeak memory of one restoration at full size: {tracemalloc_peak:.0f} MiB (tracemalloc); ", end="")
    print(f"process peak RSS so far {rss:.0f} MiB")

    if args.no_alternatives:
        return
    case = make_pair(full, args.seed)
    prefix_sizes = [4_000, 8_000, 16_000, 32_000] if not args.quick else [2_000, 4_000, 8_000]
    cap = args.cap if not args.quick else min(args.cap, 10.0)
    print(f"\n# alternatives on the same pair ({len(case.corrupted)} / {len(case.reference)} characters), ", end="")
    print(f"each capped at {cap:.0f} s and {MEMORY_CAP >> 30} GiB\n")
    print(f"{'method':<52} | {'on prefixes (wall)':<58} | {'extrapolated':>24} | full size")
    print("-" * 150)
    for name, timings, extrapolated, full_result in alternatives(case, cap, prefix_sizes):
        print(f"{name:<52} | {', '.join(timings):<58} | {extrapolated:>24} | {full_result}")


if __name__ == "__main__":
    main()
