"""Typed errors. Every failure names what failed (file, stage, rule) and why, in one line."""

from __future__ import annotations

from pathlib import Path


class DocmendError(Exception):
    """Base class of every error docmend raises on purpose.

    ``str(err)`` is a single line fit to show a user: no traceback is needed to understand it.
    """


class IngestError(DocmendError):
    """A document could not be read: missing, a directory, unsupported, damaged, encrypted, empty."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class RuleError(DocmendError):
    """A rule file is malformed: names the file, the key and what is wrong."""

    def __init__(self, path: Path | str, key: str | None, reason: str) -> None:
        self.path = Path(path)
        self.key = key
        self.reason = reason
        where = f"{self.path} [{key}]" if key else str(self.path)
        super().__init__(f"{where}: {reason}")


class StageError(DocmendError):
    """A stage produced something the runner cannot apply (e.g. overlapping edits)."""

    def __init__(self, stage: str, reason: str, *, source: str | None = None) -> None:
        self.stage = stage
        self.reason = reason
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__(f"{prefix}stage {stage}: {reason}")


class ReferenceMismatchError(DocmendError):
    """The reference version cannot be used (unreadable, or not the same document)."""
