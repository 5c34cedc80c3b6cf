"""The ``docmend`` package: the Python API, its README example, ``--version``, help text, and an import name
that a user's own ``pipeline.py`` / ``pipeline/`` cannot shadow."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import REFERENCE, ROOT, SCRAPED

import docmend
from pipeline.document import replay
from pipeline.report import build_report

README = ROOT / "README.md"


def readme_python_example() -> str:
    section = README.read_text(encoding="utf-8").split("## Python API", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1
    return blocks[0]


def test_readme_example_runs(capsys):
    exec(compile(readme_python_example(), "README.md", "exec"), {})
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("restore ") for line in lines)
    assert any(line.startswith("page_artefacts ") for line in lines)
    assert "a 3月5日召开全国网信办主任会议，研究部署工作。" not in lines  # no reference in clean_records
    assert any(line.startswith("b None {} no text field") for line in lines)


def test_clean_returns_text_edits_and_quality(scraped_text):
    result = docmend.clean(scraped_text)
    assert result.ok and result.title == "在调研网信工作强调要求"
    assert result.text == (ROOT / "samples" / "wangxin_scraped_diyiwenku.clean.txt").read_text(encoding="utf-8").strip()
    assert result.edits and {"stage", "rule", "before", "after", "reason", "input_start"} <= set(result.edits[0])
    assert replay(scraped_text, result.document.edits) == result.document.text
    assert result.suggestions  # masked spans flagged without a reference
    assert set(result.quality) >= {"han_share", "removed_share", "chars", "warnings"}
    full = build_report(result.document, detail="full")
    assert full["changes"] == result.edits and result.report["title"] == result.title
    assert result.report["detail"] == "compact"  # as `docmend clean` writes it by default


def test_clean_with_reference_restores(scraped_text, reference_text):
    without = docmend.clean(scraped_text)
    restored = docmend.clean(scraped_text, reference=reference_text)
    assert "*月*日" in without.text and "*月*日" not in restored.text
    assert any(edit["stage"] == "restore" for edit in restored.edits)


def test_clean_file_matches_the_command_line(tmp_path):
    result = docmend.clean_file(SCRAPED, reference=REFERENCE)
    cli = subprocess.run(
        [sys.executable, "-m", "docmend", "clean", str(SCRAPED), "--reference", str(REFERENCE), "-o", str(tmp_path), "-q", "--report", "full"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert cli.returncode == 0, cli.stderr
    assert (tmp_path / f"{SCRAPED.stem}.txt").read_text(encoding="utf-8").rstrip("\n") == result.text
    report = json.loads((tmp_path / f"{SCRAPED.stem}.report.json").read_text(encoding="utf-8"))
    assert report["changes"] == result.edits


def test_clean_file_raises_a_docmend_error(tmp_path):
    with pytest.raises(docmend.DocmendError, match="file not found"):
        docmend.clean_file(tmp_path / "missing.txt")


def test_clean_records_streams_and_keeps_fields():
    def stream():
        yield {"id": 7, "text": "第 2 页 共 9 页\n正文第一段。", "url": "u", "nested": {"a": [1]}}
        yield {"text": 3}
        yield {"body": "正文", "id": "x"}

    out = list(docmend.clean_records(stream()))
    assert out[0]["id"] == "7" and out[0]["text"] == "正文第一段。"
    assert out[0]["metadata"] == {"url": "u", "nested": {"a": [1]}} and out[0]["changes"]["page_artefacts"] >= 1
    assert out[1]["error"] == "field 'text' is not a string" and len(out[1]["id"]) == 40
    assert out[2] == {"id": "x", "error": "no text field 'text'", "metadata": {"body": "正文"}}
    renamed = list(docmend.clean_records([{"body": "正文", "key": "k", "ref": "正文"}], text_field="body", id_field="key"))
    assert renamed[0]["id"] == "k" and renamed[0]["metadata"] == {"ref": "正文"}


def test_version_everywhere():
    assert re.fullmatch(r"\d+\.\d+\.\d+.*|0\+unknown", docmend.__version__)
    result = subprocess.run([sys.executable, "-m", "docmend", "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == f"docmend {docmend.__version__}"


@pytest.mark.parametrize("command", [[], ["clean"], ["corpus"], ["rules"]])
def test_help_shows_flags_as_flags(command):
    env = {**os.environ, "COLUMNS": "200", "TERM": "dumb"}
    result = subprocess.run(
        [sys.executable, "-m", "docmend", *command, "--help"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0
    assert "<bool>" not in result.stdout and "list[" not in result.stdout, result.stdout
    flag = {"": "--version", "clean": "--complete", "corpus": "--resume", "rules": "--verbose"}[" ".join(command)]
    line = next(line for line in result.stdout.splitlines() if flag in line)
    assert not re.search(rf"{flag}\s+<", line), line


SHADOW_MODULE = "raise ImportError('the user pipeline module was imported instead of docmend\\'s')\n"


@pytest.fixture
def shadowing_project(tmp_path: Path) -> Path:
    """A user's project whose working directory and PYTHONPATH hold a ``pipeline.py`` and a ``pipeline/``."""
    project = tmp_path / "project"
    (project / "lib" / "pipeline").mkdir(parents=True)
    (project / "pipeline.py").write_text(SHADOW_MODULE)
    (project / "lib" / "pipeline" / "__init__.py").write_text(SHADOW_MODULE)
    (project / "lib" / "pipeline" / "runner.py").write_text(SHADOW_MODULE)
    (project / "doc.txt").write_text(SCRAPED.read_text(encoding="utf-8"), encoding="utf-8")
    return project


def shadowed_env(project: Path) -> dict[str, str]:
    """The user's folders first on the path, then this checkout's docmend (the one these tests import)."""
    paths = [str(project / "lib"), str(project), str(ROOT)]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def test_import_docmend_with_a_user_pipeline_module(shadowing_project):
    code = textwrap.dedent(
        """
        import docmend
        result = docmend.clean_file("doc.txt")
        print(result.title)
        print(sorted(name for name in __import__("sys").modules if name == "pipeline" or name.startswith("pipeline.")))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=shadowing_project,
        env=shadowed_env(shadowing_project),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["在调研网信工作强调要求", "[]"]


def test_cli_with_a_user_pipeline_module(shadowing_project):
    for args in (["clean", "doc.txt", "-o", "out", "-q"], ["corpus", "doc.txt", "-o", "corpus", "-q", "--workers", "2"]):
        result = subprocess.run(
            [sys.executable, "-m", "docmend", *args],
            cwd=shadowing_project,
            env=shadowed_env(shadowing_project),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
    assert (shadowing_project / "out" / "doc.txt").read_text(encoding="utf-8").startswith("在调研网信工作强调要求")
    record = json.loads((shadowing_project / "corpus" / "corpus.jsonl").read_text(encoding="utf-8"))
    assert record["title"] == "在调研网信工作强调要求"


def test_corpus_run_inside_a_checkout_of_docmends_source_uses_the_installed_package(tmp_path):
    """``pip install .`` typed in a checkout, then ``docmend corpus`` run there: the checkout's ``docmend/``
    (with no ``_pipeline`` inside) is in the working directory, and the fork server's ``python -c`` put it
    first on its path, so every worker failed to start. The installed layout is built by hand here, as the
    wheel maps it (``pipeline/`` → ``docmend/_pipeline``, ``rules/`` → ``docmend/_pipeline/rules``)."""
    skip = shutil.ignore_patterns("__pycache__")
    site = tmp_path / "site"
    shutil.copytree(ROOT / "docmend", site / "docmend", ignore=skip)
    shutil.copytree(ROOT / "pipeline", site / "docmend" / "_pipeline", ignore=skip)
    shutil.copytree(ROOT / "rules", site / "docmend" / "_pipeline" / "rules", ignore=skip)
    launcher = tmp_path / "bin" / "docmend-script.py"  # what a console script does
    launcher.parent.mkdir()
    launcher.write_text("import sys\nfrom docmend.cli import main\nif __name__ == '__main__':\n    sys.exit(main())\n")
    checkout = tmp_path / "checkout"
    (checkout / "docmend").mkdir(parents=True)
    (checkout / "docmend" / "__init__.py").write_text("")  # importable, but not the installed package
    (checkout / "doc.txt").write_text(SCRAPED.read_text(encoding="utf-8"), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONSAFEPATH"}
    result = subprocess.run(
        [sys.executable, str(launcher), "corpus", "doc.txt", "-o", "corpus", "-q", "--workers", "2"],
        cwd=checkout,
        env={**env, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    record = json.loads((checkout / "corpus" / "corpus.jsonl").read_text(encoding="utf-8"))
    assert record["title"] == "在调研网信工作强调要求"


def test_the_implementation_imports_itself_relatively():
    """Every import inside pipeline/ is relative, so the package works as docmend._pipeline too
    (run ``python scripts/relative_imports.py pipeline`` after adding code that imports ``pipeline.…``)."""
    absolute = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "pipeline").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.match(r"\s*(from pipeline[.\s]|import pipeline\b)", line)
    ]
    assert absolute == []
