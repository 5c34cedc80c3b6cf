"""``docmend corpus``: every document once, references matched, duplicates, resume after a kill, Ray = local."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import REFERENCE, ROOT, SCRAPED
from corpus_gen import CorpusSpec, FlakyWorker, build_corpus, scrape

from pipeline.corpus import CorpusOptions, Dedup, Engine, run_corpus
from pipeline.corpus.engines import LocalEngine
from pipeline.corpus.outputs import KILL_AFTER, read_jsonl
from pipeline.corpus.sketch import (
    Deduper,
    Fingerprint,
    ReferenceIndex,
    best_reference,
    han_text,
    reference_sketch,
    shingle_hashes,
)
from pipeline.corpus.worker import DocumentTimeout, DocumentWorker, WorkerConfig, time_limit

RESTORE_BUILT = (ROOT / "pipeline" / "stages" / "restore.py").is_file()
FILES = ("corpus.jsonl", "errors.jsonl", "duplicates.jsonl")


def docmend(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """Run ``docmend`` in a fresh process (as a user would), stdout/stderr captured."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, env=env, timeout=600, **kwargs
    )


def corpus_args(spec: CorpusSpec, outdir: Path, *extra: str) -> list[str]:
    return ["corpus", str(spec.input), "-o", str(outdir), "--reference-dir", str(spec.references), *extra]


def load(outdir: Path) -> dict[str, dict]:
    """Every line of the output files, by id (fails on an id written twice)."""
    records: dict[str, dict] = {}
    for name in FILES:
        path = outdir / name
        if not path.exists():
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for line in lines:
            item = json.loads(line)
            assert item["id"] not in records, f"{item['id']} written twice"
            records[item["id"]] = {**item, "file": name}
    return records


def by_name(spec: CorpusSpec, records: dict[str, dict]) -> dict[str, dict]:
    return {Path(r["source"]).relative_to(spec.input).as_posix(): r for r in records.values()}


@pytest.fixture(scope="module")
def spec(tmp_path_factory) -> CorpusSpec:
    return build_corpus(tmp_path_factory.mktemp("generated"), plain=200)


@pytest.fixture(scope="module")
def baseline(spec, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    outdir = tmp_path_factory.mktemp("baseline") / "out"
    result = docmend(*corpus_args(spec, outdir, "--workers", "2"))
    return outdir, result


def test_every_document_exactly_once(spec, baseline):
    outdir, result = baseline
    assert result.returncode == 1, result.stderr  # the two broken files failed, the rest went on
    records = by_name(spec, load(outdir))
    assert set(records) == set(spec.docs)
    summary = json.loads((outdir / "summary.json").read_text(encoding="utf-8"))
    assert summary["documents"] == len(spec.docs)
    assert summary["ok"] + summary["failed"] == len(spec.docs)
    assert summary["failed"] == 2
    assert sorted(Path(p).relative_to(spec.input).as_posix() for p in summary["unsupported"]) == spec.unsupported
    assert summary["engine"] == "local" and summary["workers"] == 2
    assert summary["processed"] == len(spec.docs) and summary["seconds"] >= 0  # speed: bench/bench_corpus.py
    assert isinstance(summary["docs_per_s"], float) and isinstance(summary["mb_per_s"], float)
    assert "documents" in result.stdout and "docs/s" in result.stdout  # the summary table
    assert "corpus: " in result.stderr  # plain progress lines when stderr is not a terminal
    assert "Traceback" not in result.stderr


def test_records_have_the_contract_fields(spec, baseline):
    records = by_name(spec, load(baseline[0]))
    fields = ["id", "source", "site", "title", "text", "chars", "reference", "changes", "restored", "duplicate_of"]
    sample = records["scraped-sample.txt"]
    assert list(sample)[: len(fields)] == fields
    assert sample["site"] == "diyiwenku" and sample["title"] == "在调研网信工作强调要求"
    assert sample["chars"] == len(sample["text"]) and "\n\n" not in sample["text"]
    assert sample["changes"]["boilerplate"] >= 1
    rel = "input/scraped-sample.txt"
    data = (spec.input / "scraped-sample.txt").read_bytes()
    assert sample["id"] == hashlib.sha1(b"docmend-corpus\x00" + rel.encode() + b"\x00" + data).hexdigest()


def test_broken_files_become_error_records(spec, baseline):
    records = by_name(spec, load(baseline[0]))
    for name, doc in spec.docs.items():
        assert (records[name]["file"] == "errors.jsonl") == doc.broken, name
    assert records["broken-junk.txt"]["stage"] == "ingest"
    assert records["broken-truncated.docx"]["stage"] == "ingest"
    assert all(records[n]["error"] for n in ("broken-junk.txt", "broken-truncated.docx"))


def test_matched_documents_get_their_reference_and_others_none(spec, baseline):
    records = by_name(spec, load(baseline[0]))
    for name, doc in spec.docs.items():
        if doc.broken:
            continue
        got = records[name]["reference"]
        assert (Path(got).name if got else None) == doc.reference, name
        if doc.reference and RESTORE_BUILT:
            assert records[name]["restored"] > 0, name
    assert len(spec.matched) == 17


def test_duplicates_are_marked_with_the_first_seen(spec, baseline):
    records = by_name(spec, load(baseline[0]))
    expected = {name: records[original]["id"] for name, original in spec.duplicates.items()}
    marked = {name: r["duplicate_of"] for name, r in records.items() if r.get("duplicate_of")}
    assert marked == expected


def test_dedup_drop_leaves_duplicates_out(spec, baseline, tmp_path):
    outdir = tmp_path / "drop"
    summary = run_corpus(
        CorpusOptions([spec.input], outdir, reference_dir=spec.references, workers=2, dedup=Dedup.drop)
    )
    corpus = {r["source"] for r in read_jsonl(outdir / "corpus.jsonl")}
    dropped = {Path(r["source"]).relative_to(spec.input).as_posix() for r in read_jsonl(outdir / "duplicates.jsonl")}
    assert dropped == set(spec.duplicates)
    assert not corpus & {str(spec.input / name) for name in dropped}
    assert summary["dropped"] == summary["duplicates"] == len(spec.duplicates)
    full = load(baseline[0])
    for record in read_jsonl(outdir / "corpus.jsonl"):
        assert record == {k: v for k, v in full[record["id"]].items() if k != "file"}


def test_existing_output_needs_resume(spec, baseline):
    outdir, _ = baseline
    before = (outdir / "corpus.jsonl").read_bytes()
    result = docmend(*corpus_args(spec, outdir, "--workers", "1"))
    assert result.returncode == 2
    assert "--resume" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert (outdir / "corpus.jsonl").read_bytes() == before


def test_resume_after_sigkill_gives_the_same_records(spec, baseline, tmp_path):
    outdir = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(ROOT), KILL_AFTER: "40"}  # the run SIGKILLs itself after 40 lines
    args = [sys.executable, "-m", "pipeline.cli", *corpus_args(spec, outdir, "--workers", "1")]
    process = subprocess.Popen(
        args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        assert process.wait(timeout=600) == -signal.SIGKILL
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # its worker, as a kill of the whole run would
    written = sum((outdir / name).read_bytes().count(b"\n") for name in FILES if (outdir / name).exists())
    assert written == 40
    result = docmend(*corpus_args(spec, outdir, "--workers", "2", "--resume"))
    assert result.returncode == 1, result.stderr
    assert load(outdir) == load(baseline[0])
    summary = json.loads((outdir / "summary.json").read_text(encoding="utf-8"))
    assert summary["resumed"] == written and summary["ok"] + summary["failed"] == len(spec.docs)


def test_resume_cuts_a_torn_last_line(spec, baseline, tmp_path):
    outdir = tmp_path / "torn"
    outdir.mkdir()
    lines = (baseline[0] / "corpus.jsonl").read_bytes().splitlines(keepends=True)
    (outdir / "corpus.jsonl").write_bytes(b"".join(lines[:100]) + lines[100][: len(lines[100]) // 2])
    run_corpus(CorpusOptions([spec.input], outdir, reference_dir=spec.references, workers=2, resume=True))
    assert load(outdir) == load(baseline[0])


def test_ray_engine_gives_the_same_records(spec, baseline, tmp_path):
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'docmend[ray]')")
    pytest.importorskip("ray.data", reason="Ray Data is not installed (pip install 'docmend[ray]')")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    try:
        outdir = tmp_path / "ray"
        summary = run_corpus(
            CorpusOptions([spec.input], outdir, reference_dir=spec.references, workers=2, engine=Engine.ray)
        )
    finally:
        ray.shutdown()
    assert summary["engine"] == "ray"
    assert load(outdir) == load(baseline[0])


def test_ray_engine_without_ray_exits_2(spec, tmp_path):
    code = (
        "import sys; sys.modules['ray'] = None; sys.argv = ['docmend'] + sys.argv[1:]\n"
        "from pipeline.cli import main; main()"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = ["corpus", str(spec.input), "-o", str(tmp_path / "out"), "--engine", "ray"]
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 2
    assert "install docmend[ray]" in result.stderr and "Traceback" not in result.stderr


def test_unreachable_ray_cluster_exits_2(tmp_path):
    pytest.importorskip("ray", reason="Ray is not installed (pip install 'docmend[ray]')")
    result = docmend(
        "corpus", str(SCRAPED), "-o", str(tmp_path / "out"), "--engine", "ray", "--ray-address", "127.0.0.1:1"
    )
    assert result.returncode == 2 and "cannot reach the Ray cluster" in result.stderr


def test_bad_usage_exits_2(tmp_path):
    result = docmend("corpus", str(tmp_path / "missing"), "-o", str(tmp_path / "out"))
    assert result.returncode == 2 and "no such file or folder" in result.stderr
    result = docmend("corpus", str(SCRAPED), "-o", str(tmp_path / "out"), "--dedup", "sometimes")
    assert result.returncode == 2
    bad_rules = tmp_path / "rules" / "sites"
    bad_rules.mkdir(parents=True)
    (bad_rules / "broken.toml").write_text("[site\nid = ", encoding="utf-8")
    result = docmend("corpus", str(SCRAPED), "-o", str(tmp_path / "out"), "--rules", str(tmp_path / "rules"))
    assert result.returncode == 2 and "bad rule file" in result.stderr
    assert not (tmp_path / "out" / "corpus.jsonl").exists()


def test_reference_matching_on_the_sample():
    scraped = SCRAPED.read_text(encoding="utf-8")
    reference = REFERENCE.read_text(encoding="utf-8")
    fixtures = sorted((ROOT / "tests" / "fixtures" / "sites").glob("*.txt"))
    unrelated = [p.read_text(encoding="utf-8") for p in fixtures]
    index = ReferenceIndex.build(
        [reference_sketch("reference", reference)]
        + [reference_sketch(p.name, t) for p, t in zip(fixtures, unrelated, strict=True)]
    )
    full = {"reference": shingle_hashes(han_text(reference))}
    full.update({p.name: shingle_hashes(han_text(t)) for p, t in zip(fixtures, unrelated, strict=True)})

    def match(text: str) -> str | None:
        hashes = shingle_hashes(han_text(text))
        best = best_reference(hashes, [(name, full[name]) for name in index.candidates(hashes)])
        return best[0] if best else None

    assert match(scraped) == "reference"
    assert match(scraped.splitlines()[3]) == "reference"  # one chunk of a long reference
    other = ReferenceIndex.build([reference_sketch("reference", reference)])
    for text in unrelated:
        hashes = shingle_hashes(han_text(text))
        assert best_reference(hashes, [("reference", full["reference"])]) is None
        assert other.candidates(hashes) == []


def test_worker_record_equals_clean_file(rules):
    from pipeline.runner import clean_file

    index = ReferenceIndex.build([reference_sketch(str(REFERENCE), REFERENCE.read_text(encoding="utf-8"))])
    worker = DocumentWorker(WorkerConfig(index=index, timeout=60))
    result = worker({"id": "x", "source": str(SCRAPED), "bytes": 1})
    expected = clean_file(SCRAPED, rules=rules, reference=REFERENCE)
    assert result["error"] is None
    assert result["record"]["text"] == "\n".join(expected.paragraphs)
    assert result["record"]["reference"] == str(REFERENCE)
    assert result["exact"] == Fingerprint.of(result["record"]["text"]).exact


def test_deduper_exact_and_near_in_order():
    text = "\n".join(scrape("标题", [SCRAPED.read_text(encoding="utf-8")])[1:])
    deduper = Deduper()
    assert deduper.check("a", Fingerprint.of(text)) is None
    assert deduper.check("b", Fingerprint.of(text.replace("\n", " \n"))) == "a"
    assert deduper.check("c", Fingerprint.of(text[:-4] + "完全不同")) == "a"
    assert deduper.check("d", Fingerprint.of(text[: len(text) // 2])) is None
    assert deduper.check("e", Fingerprint.of(REFERENCE.read_text(encoding="utf-8"))) is None


def test_local_engine_survives_timeouts_and_crashes():
    kinds = ["ok", "loop", "ok", "crash", "ok", "stuck", "ok", "ok"]
    tasks = [{"id": f"{i}", "source": f"{kind}:{i}", "bytes": 1} for i, kind in enumerate(kinds)]
    # loop and stuck never finish, so they time out whatever the limit; ok answers at once, so never does
    engine = LocalEngine(WorkerConfig(timeout=2), workers=2, factory=FlakyWorker, grace=2)
    results = list(engine.run(tasks))
    assert [r["id"] for r in results] == [t["id"] for t in tasks]
    outcome = {r["source"].split(":")[0]: r for r in results}
    assert all(r["error"] is None for r in results if r["source"].startswith("ok"))
    assert outcome["loop"]["error"]["error"] == "timed out after 2 s"
    assert outcome["stuck"]["error"]["error"] == "timed out after 2 s"  # killed by the engine
    assert outcome["crash"]["error"]["stage"] == "worker"


def test_time_limit_off_the_main_thread():
    caught: list[str] = []

    def work() -> None:
        try:
            with time_limit(0.2):
                while True:
                    sum(range(1000))
        except DocumentTimeout:
            caught.append("timeout")
        with time_limit(5):
            caught.append("quick")
        time.sleep(0.1)
        caught.append("after")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(120)
    assert caught == ["timeout", "quick", "after"]


def test_local_engine_recycles_workers():
    tasks = [{"id": f"{i}", "source": f"ok:{i}", "bytes": 1} for i in range(9)]
    results = list(LocalEngine(WorkerConfig(), workers=1, factory=FlakyWorker, recycle=3).run(tasks))
    assert [r["id"] for r in results] == [t["id"] for t in tasks]
    assert len({r["pid"] for r in results}) == 3


def docmend_with_slow_hooks(*args: str, **env: str) -> subprocess.CompletedProcess:
    """``docmend`` with tests/slow_hooks on the path: ``sleep-*`` documents take 600 s (see its sitecustomize)."""
    path = os.pathsep.join([str(ROOT / "tests" / "slow_hooks"), str(ROOT)])
    environ = {**os.environ, "PYTHONPATH": path, "DOCMEND_TEST_HOOKS": "1", **env}
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, env=environ, timeout=300
    )


def small_documents(folder: Path, count: int) -> list[str]:
    folder.mkdir()
    names = [f"doc{i}.txt" for i in range(count)]
    for i, name in enumerate(names):
        (folder / name).write_text(f"第{i + 1}条 为了保障网络安全，制定本法。\n", encoding="utf-8")
    return names


def test_a_document_over_the_time_limit_becomes_an_error_record(tmp_path):
    """A document that sleeps 600 s against a 4 s limit (100× what a small document takes): an error record."""
    inputs = tmp_path / "in"
    small = small_documents(inputs, 3)
    (inputs / "sleep-forever.txt").write_bytes(SCRAPED.read_bytes())
    result = docmend_with_slow_hooks("corpus", str(inputs), "-o", str(tmp_path / "out"), "--timeout", "4")
    assert result.returncode == 1, result.stderr
    errors = list(read_jsonl(tmp_path / "out" / "errors.jsonl"))
    assert [(Path(e["source"]).name, e["stage"], e["error"]) for e in errors] == [
        ("sleep-forever.txt", "timeout", "timed out after 4 s")
    ]
    assert sorted(Path(r["source"]).name for r in read_jsonl(tmp_path / "out" / "corpus.jsonl")) == small


def test_the_time_limit_does_not_count_the_workers_warm_up(tmp_path):
    """Each worker's first clean pays a one-off 6 s (as loading dictionaries does, slower): with a 4 s limit
    per document, no document times out, the first of each worker included."""
    inputs = tmp_path / "in"
    names = small_documents(inputs, 6)
    args = ["corpus", str(inputs), "-o", str(tmp_path / "out"), "--timeout", "4", "--workers", "2"]
    result = docmend_with_slow_hooks(*args, DOCMEND_TEST_FIRST_CLEAN_SLEEP="6")
    assert result.returncode == 0, result.stderr + (tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8")
    assert sorted(Path(r["source"]).name for r in read_jsonl(tmp_path / "out" / "corpus.jsonl")) == names


def test_quiet_prints_only_errors(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("第一条 为了保障网络安全，制定本法。", encoding="utf-8")
    (folder / "junk.txt").write_bytes(bytes(range(256)) * 8)
    result = docmend("corpus", str(folder), "-o", str(tmp_path / "out"), "-q", "--workers", "1")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [f"error: 1 documents failed; see {tmp_path / 'out' / 'errors.jsonl'}"]
    assert len((tmp_path / "out" / "corpus.jsonl").read_text(encoding="utf-8").splitlines()) == 1
