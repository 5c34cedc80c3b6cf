"""The review page, loaded in a real headless browser (Debian's chromium), shows each restoration."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from conftest import REFERENCE, SCRAPED
from typer.testing import CliRunner

from pipeline.cli import app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
needs_browser = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="no chromium here (CI installs it)"
)


def dump_dom(page, profile) -> str:
    assert CHROMIUM is not None, "chromium is not installed (apt-get install chromium)"
    result = subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "--dump-dom", page.as_uri(),
        ],
        capture_output=True, text=True, timeout=90,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@needs_browser
def test_review_page_in_browser_shows_restorations(tmp_path):
    result = CliRunner().invoke(
        app, ["clean", str(SCRAPED), "--reference", str(REFERENCE), "-o", str(tmp_path), "--format", "html"]
    )
    assert result.exit_code == 0, result.output
    page = tmp_path / "wangxin_scraped_diyiwenku.review.html"
    dom = dump_dom(page, tmp_path / "profile")
    assert "在调研网信工作强调要求" in dom
    assert "<ins>二十</ins>" in dom or "<ins>二十大</ins>" in dom
    assert "<ins>形态</ins>" in dom
    assert "<ins>习近平总书记</ins>" in dom
    assert "<del>*</del>" in dom
    restored = int(dom.split('id="restored-count">')[1].split(" ")[0])
    assert restored >= 15


@needs_browser
def test_review_page_without_reference_lists_suspected_masks(tmp_path):
    result = CliRunner().invoke(app, ["clean", str(SCRAPED), "-o", str(tmp_path), "--format", "html"])
    assert result.exit_code == 0, result.output
    dom = dump_dom(tmp_path / "wangxin_scraped_diyiwenku.review.html", tmp_path / "profile")
    assert '0 restored' in dom
    suggestions = int(dom.split('id="suggestion-count">')[1].split(" ")[0])
    assert suggestions >= 5
    assert "<mark>*</mark>" in dom or "<mark>党的*大</mark>" in dom
