"""Writers for the cleaned document: txt, JSON report, md, docx, jsonl — all written atomically.

Each file is written to a temporary file in the target folder and moved into place with
``os.replace``, so a crash never leaves a half-written output.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import orjson

from .document import Document
from .output_group import all_or_none, commit
from .pieces import PIECE_CHARS
from .report import build_record, write_report

FORMATS = ("txt", "md", "docx", "jsonl")


@contextmanager
def atomic_writer(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; on success it replaces ``path``, on error it is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        if "b" in mode:
            handle: IO[Any] = os.fdopen(fd, mode)
        else:
            handle = os.fdopen(fd, mode, encoding="utf-8", newline="\n")
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; outputs get the usual mode
        commit(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    with atomic_writer(path) as handle:
        handle.write(text)


def write_json(path: Path, data: Any) -> None:
    """Write JSON (UTF-8, not ASCII-escaped, indented) atomically.

    orjson, not the standard library: with indentation ``json`` falls back to pure Python, which
    takes seconds on the report of a 10 MB document.
    """
    with atomic_writer(path, "wb") as handle:
        handle.write(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))


def write_text_pieces(path: Path, pieces: Iterable[str]) -> None:
    """Write UTF-8 text given in pieces atomically (a long text is never encoded whole)."""
    with atomic_writer(path) as handle:
        for piece in pieces:
            handle.write(piece)


def clean_text_pieces(doc: Document) -> Iterator[str]:
    """:func:`clean_text_output` in pieces of about ``PIECE_CHARS`` characters, each ending a line."""
    batch: list[str] = []
    size = 0
    for paragraph in doc.iter_paragraphs():
        batch.append(paragraph)
        size += len(paragraph) + 1
        if size >= PIECE_CHARS:
            yield "\n".join(batch) + "\n"
            batch, size = [], 0
    if batch:
        yield "\n".join(batch) + "\n"


def clean_text_output(doc: Document) -> str:
    """The .txt output: one paragraph per line, no blank lines, a final newline (empty if no body)."""
    paragraphs = doc.paragraphs
    return "\n".join(paragraphs) + "\n" if paragraphs else ""


def markdown_output(doc: Document) -> str:
    """Markdown: the title as ``#``, headings (一、 / 第X章) as ``##``, paragraphs separated by blank lines."""
    from .rules import load_rules
    from .stages.paragraphs import heading_patterns

    heading_at_start, _ = heading_patterns(load_rules())
    blocks = []
    for i, para in enumerate(doc.paragraphs):
        if i == 0 and doc.title and para == doc.title:
            blocks.append(f"# {para}")
        elif heading_at_start.match(para) and len(para) <= 60 and "。" not in para:
            blocks.append(f"## {para}")
        else:
            blocks.append(para)
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def write_docx(path: Path, doc: Document) -> None:
    """A .docx with the title as a Title paragraph and one Word paragraph per paragraph."""
    from docx import Document as DocxDocument

    out = DocxDocument()
    for i, para in enumerate(doc.paragraphs):
        if i == 0 and doc.title and para == doc.title:
            out.add_heading(para, level=0)
        else:
            out.add_paragraph(para)
    if doc.title:
        out.core_properties.title = doc.title
    with atomic_writer(path, "wb") as handle:
        out.save(handle)


def output_paths(outdir: Path, stem: str) -> dict[str, Path]:
    """Where each output of a document named ``stem`` goes."""
    return {
        "txt": outdir / f"{stem}.txt",
        "report": outdir / f"{stem}.report.json",
        "md": outdir / f"{stem}.md",
        "docx": outdir / f"{stem}.docx",
        "jsonl": outdir / f"{stem}.jsonl",
        "html": outdir / f"{stem}.review.html",
    }


def write_outputs(
    doc: Document,
    outdir: Path,
    stem: str,
    formats: tuple[str, ...] = (),
    *,
    extra: dict[str, Callable[[Document], str]] | None = None,
    report: str = "compact",
) -> list[Path]:
    """Write the .txt and .report.json of ``doc`` (plus the asked-for formats); return the paths.

    ``report``: ``compact`` (mass substitutions as position lists), ``full`` (every change a record)
    or ``none`` (no report file).

    All or none: every file is written to a temporary file first and they are moved into place together;
    if one cannot be written (a full disk), none of them is.
    """
    with all_or_none():
        return _write_outputs(doc, outdir, stem, formats, extra=extra, report=report)


def _write_outputs(
    doc: Document,
    outdir: Path,
    stem: str,
    formats: tuple[str, ...],
    *,
    extra: dict[str, Callable[[Document], str]] | None,
    report: str,
) -> list[Path]:
    paths = output_paths(outdir, stem)
    written = []
    write_text_pieces(paths["txt"], clean_text_pieces(doc))
    written.append(paths["txt"])
    if report != "none":
        with atomic_writer(paths["report"], "wb") as handle:
            write_report(handle, doc, detail=report)
        written.append(paths["report"])
    if "md" in formats:
        write_text(paths["md"], markdown_output(doc))
        written.append(paths["md"])
    if "docx" in formats:
        write_docx(paths["docx"], doc)
        written.append(paths["docx"])
    if "jsonl" in formats:
        record = build_record(doc)
        write_text(paths["jsonl"], json.dumps(record, ensure_ascii=False) + "\n")
        written.append(paths["jsonl"])
    for name, render in (extra or {}).items():
        write_text(paths[name], render(doc))
        written.append(paths[name])
    return written
