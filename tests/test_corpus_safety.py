"""``docmend corpus`` keeps what it was given and what it wrote: OUTDIR never among the inputs, a resume
never mixes two runs' options, a full disk is one line and exit 3, and ``--resume`` then finishes the run."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from corpus_gen import CorpusSpec, build_corpus

from pipeline.corpus import CorpusOptions, Dedup, run_corpus
from pipeline.corpus import outputs as corpus_outputs
from pipeline.corpus.outputs import read_jsonl
from pipeline.corpus.worker import CorpusUsageError

FILES = ("corpus.jsonl", "errors.jsonl", "duplicates.jsonl")


def docmend(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, env=env, timeout=300
    )


def lines_by_id(outdir: Path) -> dict[str, dict]:
    """Every line of the output files by id; fails on an id written twice or a line that is not JSON."""
    records: dict[str, dict] = {}
    for name in FILES:
        path = outdir / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            assert item["id"] not in records, f"{item['id']} written twice"
            records[item["id"]] = {**item, "file": name}
    return records


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> CorpusSpec:
    return build_corpus(tmp_path_factory.mktemp("small"), plain=24, families=2, distractors=1, duplicates=3, pdfs=1)


@pytest.fixture(scope="module")
def small_baseline(small, tmp_path_factory) -> Path:
    outdir = tmp_path_factory.mktemp("small-baseline") / "out"
    run_corpus(CorpusOptions([small.input], outdir, reference_dir=small.references, workers=2))
    return outdir


# ----------------------------------------------------------------------------------------- OUTDIR


def test_outdir_may_not_be_an_input_folder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("第一条 为了保障网络安全，制定本法。\n", encoding="utf-8")
    (folder / "summary.json").write_text('{"mine": true}\n', encoding="utf-8")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    result = docmend("corpus", str(folder), "-o", str(folder), "--workers", "1")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: -o {folder} is the input folder {folder}: the outputs would be mixed with (and could replace) "
        "its files; choose another -o (a new folder inside it is fine)"
    ]
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_an_input_file_that_is_an_output_file_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    mine = out / "summary.json"
    mine.write_text('{"mine": true}\n', encoding="utf-8")
    with pytest.raises(CorpusUsageError, match=f"would overwrite the input {mine}"):
        run_corpus(CorpusOptions([mine], out, workers=1))
    assert mine.read_text(encoding="utf-8") == '{"mine": true}\n'


def test_a_new_outdir_inside_the_input_folder_is_fine(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("第一条 为了保障网络安全，制定本法。\n", encoding="utf-8")
    summary = run_corpus(CorpusOptions([folder], folder / "out", workers=1))
    assert summary["documents"] == summary["ok"] == 1


# ----------------------------------------------------------------------------------------- --resume


def _first_run(small: CorpusSpec, outdir: Path, *extra: str) -> None:
    """A run that wrote part of its records (the first half of them), as a killed run leaves them."""
    result = docmend("corpus", str(small.input), "-o", str(outdir), "--workers", "2", *extra)
    assert result.returncode in (0, 1), result.stderr
    corpus = outdir / "corpus.jsonl"
    lines = corpus.read_bytes().splitlines(keepends=True)
    corpus.write_bytes(b"".join(lines[: len(lines) // 2]))
    (outdir / "summary.json").unlink()


@pytest.fixture(scope="module")
def interrupted(small, tmp_path_factory) -> Path:
    """The output folder of a run with ``--timeout 60`` (other options default) that wrote half its records."""
    outdir = tmp_path_factory.mktemp("interrupted") / "out"
    _first_run(small, outdir, "--timeout", "60")
    return outdir


@pytest.mark.parametrize(
    ("then", "option"),
    [
        (("--dedup", "drop"), "--dedup"),
        (("--dedup", "off"), "--dedup"),
        (("--reference-dir", "REFS"), "--reference-dir"),
        (("--rules", "RULES"), "--rules"),
        (("--timeout", "30"), "--timeout"),
    ],
)
def test_resume_with_other_options_is_refused(small, interrupted, tmp_path, then, option):
    rules = tmp_path / "rules"
    (rules / "sites").mkdir(parents=True)
    (rules / "sites" / "extra.toml").write_text('[site]\nid = "extra"\nname = "Extra"\ndomains = []\n', "utf-8")
    swap = {"REFS": str(small.references), "RULES": str(rules)}
    outdir = tmp_path / "out"
    shutil.copytree(interrupted, outdir)
    before = {name: (outdir / name).read_bytes() for name in (*FILES, "options.json") if (outdir / name).exists()}
    args = ["corpus", str(small.input), "-o", str(outdir), "--resume", "--timeout", "60"]
    result = docmend(*args, *(swap.get(a, a) for a in then))
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: cannot resume: ") and option in line
    after = {name: (outdir / name).read_bytes() for name in (*FILES, "options.json") if (outdir / name).exists()}
    assert after == before


def test_resume_refuses_edited_rules(small, tmp_path):
    rules = tmp_path / "rules"
    (rules / "sites").mkdir(parents=True)
    site = rules / "sites" / "extra.toml"
    site.write_text('[site]\nid = "extra"\nname = "Extra"\ndomains = []\n', "utf-8")
    outdir = tmp_path / "out"
    _first_run(small, outdir, "--rules", str(rules))
    site.write_text('[site]\nid = "extra"\nname = "Extra, edited"\ndomains = []\n', "utf-8")
    result = docmend("corpus", str(small.input), "-o", str(outdir), "--resume", "--rules", str(rules))
    assert result.returncode == 2 and "the rule files (--rules, or the packaged rules) changed" in result.stderr


def test_resume_with_the_same_options_finishes_the_run(small, tmp_path):
    outdir = tmp_path / "out"
    _first_run(small, outdir, "--dedup", "drop")
    recorded = json.loads((outdir / "options.json").read_text(encoding="utf-8"))
    assert recorded["dedup"] == "drop" and recorded["inputs"] == [str(small.input)]
    result = docmend("corpus", str(small.input), "-o", str(outdir), "--resume", "--dedup", "drop", "--workers", "1")
    assert result.returncode in (0, 1), result.stderr
    summary = json.loads((outdir / "summary.json").read_text(encoding="utf-8"))
    assert summary["dedup"] == "drop" and summary["resumed"] > 0
    assert summary["ok"] + summary["failed"] + summary["dropped"] == summary["documents"]


# ----------------------------------------------------------------------------------------- disk full


def test_a_full_disk_stops_the_run_without_a_torn_line_and_resume_finishes_it(
    small, small_baseline, tmp_path, monkeypatch
):
    """The writer fails (ENOSPC) half-way through the 10th line: that line is cut off again, the run stops
    with CorpusOutputError, and --resume gives exactly the records of an uninterrupted run."""
    from pipeline.corpus.outputs import CorpusOutputError

    real = corpus_outputs.write_all
    calls = {"n": 0}

    def fills_up(fd: int, data: memoryview) -> None:
        calls["n"] += 1
        if calls["n"] >= 10:
            real(fd, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd, data)

    monkeypatch.setattr(corpus_outputs, "write_all", fills_up)
    outdir = tmp_path / "out"
    options = CorpusOptions([small.input], outdir, reference_dir=small.references, workers=2)
    with pytest.raises(CorpusOutputError, match="No space left on device; free space, then run the same command"):
        run_corpus(options)
    assert not (outdir / "summary.json").exists()
    for name in FILES:
        if (outdir / name).exists():
            data = (outdir / name).read_bytes()
            assert not data or data.endswith(b"\n"), f"{name} was left with a torn line"
    assert len(lines_by_id(outdir)) == 9
    monkeypatch.setattr(corpus_outputs, "write_all", real)
    options.resume = True
    run_corpus(options)
    assert lines_by_id(outdir) == lines_by_id(small_baseline)


def _mount_tmpfs(target: Path, size: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    target.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)], capture_output=True)
    return done.returncode == 0


def test_corpus_onto_a_real_full_disk_then_resume(small, small_baseline, tmp_path):
    """A 32 KiB tmpfs (root only; skipped where mounting is not permitted): exit 3, one line, no traceback;
    made larger, ``--resume`` finishes with every document exactly once, as an uninterrupted run."""
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, "32k"):
        pytest.skip("cannot mount a tmpfs here (needs root and permission to mount)")
    try:
        outdir = disk / "out"
        args = ["corpus", str(small.input), "-o", str(outdir), "--reference-dir", str(small.references)]
        result = docmend(*args, "--workers", "2", "-q")
        assert result.returncode == 3, result.stderr
        [line] = result.stderr.strip().splitlines()
        assert re.fullmatch(
            rf"error: cannot write {re.escape(str(outdir))}/\S+: No space left on device; "
            "free space, then run the same command with --resume",
            line,
        ), line
        assert 0 < len(lines_by_id(outdir)) < len(small.docs)
        remount = ["mount", "-o", "remount,size=16m", str(disk)]
        subprocess.run(remount, check=True, capture_output=True)
        result = docmend(*args, "--workers", "2", "-q", "--resume")
        assert result.returncode == 1, result.stderr  # the broken files of the corpus are error records
        assert lines_by_id(outdir) == lines_by_id(small_baseline)
        summary = json.loads((outdir / "summary.json").read_text(encoding="utf-8"))
        assert summary["ok"] + summary["failed"] == len(small.docs) == summary["documents"]
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_dedup_drop_resume_matches_an_uninterrupted_run(small, tmp_path):
    """The issue's case, the right way round: the same --dedup drop on resume gives the uninterrupted result."""
    whole = tmp_path / "whole"
    run_corpus(CorpusOptions([small.input], whole, workers=2, dedup=Dedup.drop))
    outdir = tmp_path / "out"
    _first_run(small, outdir, "--dedup", "drop")
    run_corpus(CorpusOptions([small.input], outdir, workers=2, dedup=Dedup.drop, resume=True))
    assert lines_by_id(outdir) == lines_by_id(whole)
    assert {r["id"] for r in read_jsonl(outdir / "duplicates.jsonl")} == {
        r["id"] for r in read_jsonl(whole / "duplicates.jsonl")
    }
