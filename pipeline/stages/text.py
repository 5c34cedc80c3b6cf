"""Small text helpers shared by the stages."""

from __future__ import annotations

import regex

# the file types a document-sharing site names a document by (在调研网信工作强调要求.docx)
FILE_EXTENSIONS = r"(?:docx?|pdf|pptx?|txt|xlsx?|wps|rtf|caj)"
RE_LATIN_END = regex.compile(r"[A-Za-z0-9]$")
RE_LATIN_START = regex.compile(r"^[A-Za-z0-9]")


def joiner(left: str, right: str) -> str:
    """What goes between two pieces of one sentence rejoined: a space between Latin words, else nothing."""
    return " " if RE_LATIN_END.search(left) and RE_LATIN_START.search(right) else ""
