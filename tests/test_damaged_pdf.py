"""A damaged PDF is one line in words: no pdfminer log line leaks through (even with -q), no byte reprs."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from conftest import ROOT
from fixtures_build import build_pdf

from pipeline.ingest.common import _describe

PARAGRAPHS = ["第一段文字，测试。" * 20, "第二段。" * 30]
IN_WORDS = re.compile(r"error: \S+\.pdf: damaged PDF \([\w /!?,.'-]+\)")


def damaged_pdfs(folder: Path) -> list[Path]:
    """A truncated PDF and PDFs with bytes flipped (seeds that make pdfminer log and dump bytes today)."""
    whole = build_pdf(folder / "whole.pdf", PARAGRAPHS).read_bytes()
    paths = [folder / "cut.pdf"]
    paths[0].write_bytes(whole[: len(whole) // 3])
    for seed in range(6):
        rng = random.Random(seed)
        data = bytearray(whole)
        for _ in range(30):
            data[rng.randrange(200, len(data))] = rng.randrange(256)
        path = folder / f"flipped{seed}.pdf"
        path.write_bytes(bytes(data))
        paths.append(path)
    (folder / "whole.pdf").unlink()
    return paths


@pytest.mark.parametrize("quiet", [True, False])
def test_damaged_pdfs_are_one_line_each_in_words(tmp_path, quiet):
    paths = damaged_pdfs(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "pipeline.cli", "clean", *map(str, paths), "-o", str(tmp_path / "out")]
    result = subprocess.run([*args, *(["-q"] if quiet else [])], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == len(paths), lines  # nothing but docmend's own line per file
    for line, path in zip(lines, paths, strict=True):
        assert line.startswith(f"error: {path}: damaged PDF ("), line
        assert IN_WORDS.fullmatch(line) and "b'" not in line and "\\x" not in line, line


def test_library_messages_lose_their_data():
    assert _describe(Exception("Invalid dictionary construct: [/b'I\\xc7', [b'\\x1c\\x17")) == (
        "invalid dictionary construct"
    )
    assert _describe(ValueError("invalid literal for int() with base 10: b'00\\xf8'")) == (
        "invalid literal for int() with base 10"
    )
    assert _describe(KeyError(b"\xd5")) == "a part the file refers to is missing"
    assert _describe(zlib.error("Error -3 while decompressing data")) == "a compressed stream is corrupt"
    assert _describe(Exception("No /Root object! - Is this really a PDF?")) == (
        "no /Root object! - Is this really a PDF?"
    )
