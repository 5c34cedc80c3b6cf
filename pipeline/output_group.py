"""Files written together or not at all: a document's .txt, report and other formats.

Outside a group, :func:`commit` moves a finished temporary file into place at once (``os.replace``).
Inside ``with all_or_none():`` the moves wait until the block ends without an error; then every file is
moved into place. If the block fails (a full disk while writing the third file), the temporary files are
removed and nothing is moved; if a move itself fails, the files already moved are removed again, so a
document never ends up with a .txt but no report.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

_pending: ContextVar[list[tuple[Path, Path]] | None] = ContextVar("pending_outputs", default=None)


def commit(tmp: Path, path: Path) -> None:
    """Move the finished temporary file ``tmp`` to ``path`` now, or when the enclosing group succeeds."""
    pending = _pending.get()
    if pending is None:
        os.replace(tmp, path)
    else:
        pending.append((tmp, path))


@contextmanager
def all_or_none() -> Iterator[None]:
    """Write the files of the block together: all moved into place at its end, or none (see the module)."""
    pending: list[tuple[Path, Path]] = []
    token = _pending.set(pending)
    try:
        yield
    except BaseException:
        _discard(tmp for tmp, _ in pending)
        raise
    finally:
        _pending.reset(token)
    moved: list[Path] = []
    try:
        for tmp, path in pending:
            os.replace(tmp, path)
            moved.append(path)
    except BaseException:
        _discard(moved)
        _discard(tmp for tmp, path in pending if path not in moved)
        raise


def _discard(paths: Iterator[Path] | list[Path]) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass
