"""docmend's speed and memory beside a naive regex cleaner, in one run, as whole processes.

Prints, each figure as the range over ``--repeat`` runs (the machine may be shared: docmend and the
naive cleaner run alternately, so both see the same load):

* **clean**: a 10 MB scraped TXT of distinct paragraphs (``bench/inputs.py``) through the whole
  ``docmend clean`` command and through ``bench/naive_cleaner.py`` (header regex, chunk-marker strip,
  width fix, heading split), each a fresh process: seconds, MB/s, peak RSS, report bytes;
* **memory and report size** of ``docmend clean`` at 10 MB and 20 MB (peak RSS of the process and the
  report's bytes, each as a multiple of the input);
* **restore**: :func:`restore_from_reference` on a 1M-character scraped/reference pair (the corruption
  generator of ``tests/corruption.py``), both texts cleaned first, seconds in this process;
* **corpus**: ``docmend corpus`` on 400 scraped TXT documents of 30 KB, at 1 and 2 workers: docs/s as
  the command reports them and as whole-process wall time, peak RSS of the largest process and, with
  psutil, of the whole process tree.

``--baseline-src DIR`` (a checkout of another version, e.g. ``git archive main | tar -x -C DIR``) adds
that version's ``docmend`` beside this one in the clean, memory and corpus sections, run alternately in
the same run, for before/after figures on a shared machine.

Run: ``python bench/bench_speed.py [--repeat 2] [--only clean,memory,restore,corpus] [--baseline-src DIR]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from inputs import scraped_document  # noqa: E402

DOCMEND = [sys.executable, "-m", "pipeline.cli"]
NAIVE = [sys.executable, str(ROOT / "bench" / "naive_cleaner.py")]


class Measured:
    """A finished child process: wall seconds, peak RSS of its largest process, tree peak (psutil)."""

    def __init__(self, seconds: float, rss_mb: float, tree_mb: float | None) -> None:
        """Hold the figures of one run."""
        self.seconds = seconds
        self.rss_mb = rss_mb
        self.tree_mb = tree_mb


def run_measured(command: list[str], *, tree: bool = False, src: Path = ROOT) -> Measured:
    """Run ``command`` with the package from ``src``, wait for it with ``wait4`` and return its figures."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=src, env=env, stdout=subprocess.DEVNULL)
    sampler = _TreeSampler(process.pid) if tree else None
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    tree_mb = sampler.stop() if sampler else None
    if process.returncode not in (0, 1):
        raise SystemExit(f"{command} exited {process.returncode}")
    return Measured(seconds, usage.ru_maxrss / 1024, tree_mb)


class _TreeSampler:
    """Peak of the summed RSS of a process and its descendants, sampled every 50 ms (needs psutil)."""

    def __init__(self, pid: int) -> None:
        """Start sampling ``pid`` (nothing happens without psutil)."""
        self.peak: float | None = None
        self._done = threading.Event()
        try:
            import psutil
        except ImportError:
            return
        self.peak = 0.0
        self._root = psutil.Process(pid)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        while not self._done.wait(0.05):
            try:
                processes = [self._root, *self._root.children(recursive=True)]
            except psutil.Error:
                return
            total = 0
            for process in processes:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak or 0.0, total / 2**20)

    def stop(self) -> float | None:
        self._done.set()
        if self.peak is not None:
            self._thread.join()
        return self.peak


def span(values: list[float], fmt: str = "{:.2f}") -> str:
    """``a–b`` (or ``a`` when all equal) for a list of figures."""
    low, high = min(values), max(values)
    return fmt.format(low) if fmt.format(low) == fmt.format(high) else f"{fmt.format(low)}–{fmt.format(high)}"


def versions(baseline: Path | None) -> dict[str, Path]:
    """The docmend versions to time: this one, and the baseline checkout if given."""
    return {"docmend clean": ROOT, **({"baseline docmend clean": baseline} if baseline else {})}


def bench_clean(work: Path, mb: float, repeat: int, baseline: Path | None) -> None:
    """docmend clean (and the baseline's) and the naive cleaner, alternately, on the same input."""
    text = scraped_document(int(mb * 1_000_000))
    source = work / f"scraped-{mb:g}mb.txt"
    source.write_text(text, encoding="utf-8")
    size = source.stat().st_size / 1e6
    print(f"\n## clean: {size:.1f} MB, {len(text):,} characters, {text.count(chr(10)):,} lines, distinct paragraphs")
    rows: dict[str, list[Measured]] = {"naive regex cleaner": []}
    reports: dict[str, int] = {}
    for _ in range(repeat):
        rows["naive regex cleaner"].append(run_measured([*NAIVE, str(source), str(work / "naive.txt")]))
        for name, src in versions(baseline).items():
            out = work / "out-clean"
            rows.setdefault(name, []).append(
                run_measured([*DOCMEND, "clean", str(source), "-o", str(out), "-q"], src=src)
            )
            report = out / f"{source.stem}.report.json"
            reports[name] = report.stat().st_size if report.exists() else 0
            subprocess.run(["rm", "-rf", str(out)], check=True)
    print(f"{'whole process':<24} {'seconds':>13} {'MB/s':>13} {'peak RSS MB':>13} {'report MB':>10}")
    for name, runs in rows.items():
        seconds = [r.seconds for r in runs]
        report_mb = f"{reports[name] / 1e6:.1f}" if name in reports else "-"
        print(
            f"{name:<24} {span(seconds):>13} {span([size / s for s in seconds], '{:.1f}'):>13} "
            f"{span([r.rss_mb for r in runs], '{:.0f}'):>13} {report_mb:>10}"
        )
    ratio = [n.seconds / d.seconds for n, d in zip(rows["naive regex cleaner"], rows["docmend clean"], strict=True)]
    print(f"docmend speed / naive speed, run by run: {', '.join(f'{r:.2f}' for r in ratio)}")


def bench_memory(work: Path, sizes: list[float], baseline: Path | None) -> None:
    """Peak RSS and report size of ``docmend clean`` by input size."""
    print("\n## memory and report size of docmend clean (whole process)")
    print(
        f"{'version':<24} {'input MB':>9} {'seconds':>8} {'peak RSS MB':>12} {'× input':>8} "
        f"{'report MB':>10} {'× input':>8}"
    )
    for mb in sizes:
        source = work / f"memory-{mb:g}mb.txt"
        source.write_text(scraped_document(int(mb * 1_000_000), seed=11), encoding="utf-8")
        size = source.stat().st_size / 1e6
        for name, src in versions(baseline).items():
            out = work / "out-memory"
            run = run_measured([*DOCMEND, "clean", str(source), "-o", str(out), "-q"], src=src)
            report = out / f"{source.stem}.report.json"
            report_mb = report.stat().st_size / 1e6 if report.exists() else 0.0
            print(
                f"{name:<24} {size:9.1f} {run.seconds:8.1f} {run.rss_mb:12.0f} {run.rss_mb * 1.048576 / size:8.1f} "
                f"{report_mb:10.1f} {report_mb / size:8.2f}"
            )
            subprocess.run(["rm", "-rf", str(out)], check=True)
        source.unlink()


def bench_restore(chars: int, repeat: int) -> None:
    """restore_from_reference on a cleaned scraped/reference pair of ``chars`` characters."""
    from bench_align import make_pair

    from pipeline.rules import load_rules
    from pipeline.runner import clean_text
    from pipeline.stages.restore import restore_from_reference

    rules = load_rules()
    case = make_pair(chars, 7)
    scraped = clean_text(case.corrupted, rules=rules).text
    reference = clean_text(case.reference, rules=rules).text
    print(f"\n## restore: {len(scraped):,} / {len(reference):,} characters (scraped / reference), both cleaned")
    seconds: list[float] = []
    edits = 0
    for _ in range(repeat):
        started = time.perf_counter()
        applied, _ = restore_from_reference(scraped, reference=reference, rules=rules, metadata={})
        seconds.append(time.perf_counter() - started)
        edits = len(applied)
    print(f"restore_from_reference: {span(seconds)} s ({edits} restorations)")


def bench_corpus(work: Path, docs: int, kb: int, workers: list[int], repeat: int, baseline: Path | None) -> None:
    """docmend corpus on ``docs`` scraped documents of ``kb`` KB."""
    folder = work / "corpus-input"
    folder.mkdir(exist_ok=True)
    for number in range(docs):
        title = f"第{number}号文件关于工作的通知"
        (folder / f"doc-{number:04d}.txt").write_text(
            scraped_document(kb * 1000, seed=1000 + number, title=title), encoding="utf-8"
        )
    total = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
    print(f"\n## corpus: {docs} documents, {total:.1f} MB")
    print(
        f"{'version':<24} {'workers':>7} {'docs/s (summary)':>17} {'docs/s (process)':>17} {'largest RSS MB':>15} "
        f"{'tree MB':>9}"
    )
    for count in workers:
        runs: dict[str, list[tuple[float, Measured]]] = {}
        for _ in range(repeat):
            for name, src in versions(baseline).items():
                out = work / f"corpus-out-{count}"
                measured = run_measured(
                    [*DOCMEND, "corpus", str(folder), "-o", str(out), "--workers", str(count), "-q"], tree=True, src=src
                )
                summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
                runs.setdefault(name, []).append((float(summary["docs_per_s"]), measured))
                subprocess.run(["rm", "-rf", str(out)], check=True)
        for name, done in runs.items():
            trees = [m.tree_mb for _, m in done if m.tree_mb is not None]
            print(
                f"{name.replace(' clean', ' corpus'):<24} {count:>7} {span([r for r, _ in done], '{:.1f}'):>17} "
                f"{span([docs / m.seconds for _, m in done], '{:.1f}'):>17} "
                f"{span([m.rss_mb for _, m in done], '{:.0f}'):>15} "
                f"{span(trees, '{:.0f}') if trees else 'n/a':>9}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each timing (the range is printed)")
    parser.add_argument("--mb", type=float, default=10.0, help="size of the clean input in MB (default 10)")
    parser.add_argument("--memory-mb", default="10,20", help="input sizes of the memory bench (default 10,20)")
    parser.add_argument("--restore-chars", type=int, default=1_000_000)
    parser.add_argument("--docs", type=int, default=400)
    parser.add_argument("--doc-kb", type=int, default=30)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--only", default="clean,memory,restore,corpus", help="comma-separated sections to run")
    parser.add_argument("--baseline-src", type=Path, help="a checkout of another version to time beside this one")
    args = parser.parse_args()
    baseline = args.baseline_src.resolve() if args.baseline_src else None
    only = set(args.only.split(","))
    sections: dict[str, Callable[[Path], None]] = {
        "clean": lambda work: bench_clean(work, args.mb, args.repeat, baseline),
        "memory": lambda work: bench_memory(work, [float(x) for x in args.memory_mb.split(",")], baseline),
        "restore": lambda work: bench_restore(args.restore_chars, args.repeat),
        "corpus": lambda work: bench_corpus(
            work, args.docs, args.doc_kb, [int(x) for x in args.workers.split(",")], args.repeat, baseline
        ),
    }
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as tmp:
        for name, section in sections.items():
            if name in only:
                section(Path(tmp))
                sys.stdout.flush()


if __name__ == "__main__":
    main()
