"""``docmend clean`` never overwrites an input, never lets two inputs share an output, writes a document's
outputs all or none, and says so in one line when the disk is full."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import SCRAPED
from typer.testing import CliRunner

from pipeline import write
from pipeline.cli import app

runner = CliRunner()
FORMATS = ("txt", "md", "docx", "jsonl", "html")


def invoke(*args: str):
    return runner.invoke(app, list(args))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): digest(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def make_input(folder: Path, name: str) -> Path:
    """A real input in any of the formats a run can also write (txt, md as text, docx, jsonl, html)."""
    from fixtures_build import build_docx

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    text = SCRAPED.read_text(encoding="utf-8")
    if path.suffix == ".docx":
        build_docx(path, text.splitlines())
    elif path.suffix == ".html":
        path.write_text(f"<html><body><p>{text}</p></body></html>", encoding="utf-8")
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("names", "fmt", "victim"),
    [
        (["full.docx"], "docx", "full.docx"),
        (["full.md"], "md", "full.md"),
        (["full.jsonl"], "jsonl", "full.jsonl"),
        (["full.review.html", "full.html"], "html", "full.review.html"),
        (["full.txt"], "txt", "full.txt"),
        (["x.html", "x.report.json"], "txt", "x.report.json"),  # the report of x.html is the second input
    ],
)
def test_no_output_overwrites_an_input(tmp_path, names, fmt, victim):
    """Every file a run writes (each format and the report) is checked, before anything is written."""
    folder = tmp_path / "same"
    sources = [make_input(folder, name) for name in names]
    before = snapshot(folder)
    result = invoke("clean", *(str(s) for s in sources), "-o", str(folder), "--format", fmt)
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [
        f"error: writing {folder / victim} would overwrite the input {folder / victim}; choose another -o"
    ]
    assert snapshot(folder) == before  # nothing written at all, not even the outputs that were safe


def test_an_output_that_is_a_symlink_or_hard_link_to_an_input_is_refused(tmp_path):
    source = make_input(tmp_path / "in", "doc.txt")
    other = make_input(tmp_path / "in", "other.txt")
    out = tmp_path / "out"
    out.mkdir()
    (out / "doc.txt").symlink_to(other)  # writing out/doc.txt would go through to in/other.txt
    result = invoke("clean", str(source), str(other), "-o", str(out))
    assert result.exit_code == 2 and "would overwrite the input" in result.output and str(other) in result.output
    (out / "doc.txt").unlink()
    os.link(other, out / "doc.md")
    result = invoke("clean", str(source), str(other), "-o", str(out), "--format", "md")
    assert result.exit_code == 2 and f"would overwrite the input {other}" in result.output
    assert not (out / "doc.txt").exists() and not (out / "other.txt").exists()


def test_the_reference_is_an_input_too(tmp_path):
    source = make_input(tmp_path / "in", "doc.txt")
    reference = make_input(tmp_path / "out", "doc.md")
    before = digest(reference)
    result = invoke("clean", str(source), "--reference", str(reference), "-o", str(tmp_path / "out"), "--format", "md")
    assert result.exit_code == 2 and f"overwrite the input {reference}" in result.output
    assert digest(reference) == before


def test_inputs_that_share_a_name_get_their_folders_in_the_name(tmp_path):
    """d1/x.txt, d2/x.txt, d2/x-2.txt: three inputs, three outputs (README: "Output names")."""
    for folder, name in (("d1", "x.txt"), ("d2", "x.txt"), ("d2", "x-2.txt")):
        path = make_input(tmp_path / folder, name)
        path.write_text(path.read_text(encoding="utf-8") + f"\n来源{folder}{name}。\n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("clean", *(str(tmp_path / p) for p in ("d1/x.txt", "d2/x.txt", "d2/x-2.txt")), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.txt")) == ["d1__x.txt", "d2__x.txt", "x-2.txt"]
    for name, origin in (("d1__x", "d1x.txt"), ("d2__x", "d2x.txt"), ("x-2", "d2x-2.txt")):
        assert (out / f"{name}.txt").read_text(encoding="utf-8").rstrip().endswith(f"来源{origin}。")
        assert (out / f"{name}.report.json").is_file()


def test_output_names_scheme():
    from pipeline.output_plan import output_names

    names = output_names([Path("/a/p/d/x.txt"), Path("/a/q/d/X.html"), Path("/a/y.txt"), Path("/b/y.pdf")])
    assert list(names.values()) == ["p__d__x", "q__d__X", "a__y", "b__y"]
    assert output_names([Path("solo/x.txt")]) == {Path("solo/x.txt"): "x"}


@pytest.mark.parametrize(
    "inputs",
    [
        ["d/x.txt", "d/x.html"],  # one folder, one stem
        ["d/x.txt", "d/x.txt"],  # the same file twice
        ["d1/x.txt", "d2/x.txt", "e/d1__x.txt"],  # a made-up name that is another input's name
    ],
)
def test_output_names_that_cannot_be_told_apart_are_refused(tmp_path, inputs):
    from pipeline.output_plan import OutputPlanError, output_names

    with pytest.raises(OutputPlanError, match="would both be written as"):
        output_names([tmp_path / p for p in inputs])
    for p in inputs:
        make_input(tmp_path / Path(p).parent, Path(p).name)
    result = invoke("clean", *(str(tmp_path / p) for p in inputs), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and "would both be written as" in result.output
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------------------ disk full


def test_a_failed_write_leaves_none_of_the_documents_outputs(tmp_path, monkeypatch):
    """ENOSPC while writing the third file of a document: no .txt without its report, no temp files."""
    calls = {"n": 0}
    real_write_text = write.write_text

    def full_disk(path: Path, text: str) -> None:
        calls["n"] += 1
        if path.suffix == ".md":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real_write_text(path, text)

    monkeypatch.setattr(write, "write_text", full_disk)
    out = tmp_path / "out"
    result = invoke("clean", str(SCRAPED), "-o", str(out), "--format", "md")
    assert list(out.iterdir()) == []  # neither the .txt nor the report, nor a temporary file
    assert result.exit_code == 3, result.output
    assert result.output.strip().splitlines() == [
        f"error: {SCRAPED}: cannot write outputs to {out}: No space left on device"
    ]


def test_a_failed_move_removes_the_siblings_already_moved(tmp_path, monkeypatch):
    from pipeline import output_group

    real_replace = os.replace

    def failing_replace(src, dst):
        if str(dst).endswith(".report.json"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_replace(src, dst)

    monkeypatch.setattr(output_group.os, "replace", failing_replace)
    result = invoke("clean", str(SCRAPED), "-o", str(tmp_path / "out"))
    assert result.exit_code == 3
    assert list((tmp_path / "out").iterdir()) == []


def _mount_tmpfs(target: Path, size: int) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    target.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)], capture_output=True)
    return done.returncode == 0


PAGE = 4096
DOCS = 4
ARGS = ("--format", "md,jsonl", "-q")


def _pages(size: int) -> int:
    return -(-size // PAGE)


def test_clean_onto_a_full_disk(tmp_path):
    """A real full disk (a tmpfs, root only; skipped where mounting is not permitted), sized so that the
    second document's .txt fits and its other files do not: every document has all its outputs or none,
    no temporary file is left, exit 3 and one line per document not written."""
    inputs = []
    for i in range(DOCS):
        path = tmp_path / "in" / f"doc{i}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(SCRAPED.read_text(encoding="utf-8") + f"\n第{i}份。\n", encoding="utf-8")
        inputs.append(str(path))
    measured = tmp_path / "measured"
    assert invoke("clean", inputs[0], "-o", str(measured), *ARGS).exit_code == 0
    sizes = {p.name: p.stat().st_size for p in measured.iterdir()}
    one_document = sum(_pages(size) for size in sizes.values())
    disk = tmp_path / "small"
    if not _mount_tmpfs(disk, PAGE * (one_document + _pages(sizes["doc0.txt"]) + 1)):
        pytest.skip("cannot mount a tmpfs here (needs root and permission to mount)")
    try:
        result = invoke("clean", *inputs, "-o", str(disk), *ARGS)
        names = {p.name for p in disk.iterdir()}
        assert not any(name.startswith(".") for name in names), names  # no temporary file left behind
        for i in range(DOCS):
            present = {f"doc{i}{ext}" in names for ext in (".txt", ".report.json", ".md", ".jsonl")}
            assert len(present) == 1, f"doc{i}: some outputs written, others not: {sorted(names)}"
        assert result.exit_code == 3, result.output
        errors = result.output.strip().splitlines()
        assert {f"doc{i}.txt" for i in range(DOCS)} & names == {"doc0.txt"}
        assert errors == [f"error: {path}: cannot write outputs to {disk}: No space left on device" for path in inputs[1:]]
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
