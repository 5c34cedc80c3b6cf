"""``OUTDIR/options.json``: the options that shape a corpus run's records, so that ``--resume`` cannot mix runs.

Recorded at the start of a run (written atomically): the inputs, ``--reference-dir``, ``--rules`` (the
folders and a digest of every rule file, packaged ones included, so edited rules count as different),
``--dedup``, ``--timeout`` and any option added later that changes what a record holds
(``to_simplified``). ``--workers``, ``--engine`` and ``--ray-address`` change only how fast the records
come, not what they say, and are not recorded. A ``--resume`` whose options differ from the recorded
ones is refused, naming the first option that differs; an output folder from before this file existed
is resumed as it is.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .worker import CorpusUsageError

OPTIONS = "options.json"
FORMAT = 1

# record key → the option as a user types it (for the refusal message)
OPTION_NAMES = {
    "inputs": "INPUT",
    "reference_dir": "--reference-dir",
    "rule_dirs": "--rules",
    "rules_digest": "--rules",
    "dedup": "--dedup",
    "timeout": "--timeout",
    "to_simplified": "--to-simplified",
}


class OptionsMismatch(CorpusUsageError):
    """``--resume`` was given options that differ from the recorded ones (exit 2): names the option."""

    def __init__(self, key: str, recorded: Any, now: Any) -> None:
        self.option = OPTION_NAMES.get(key, f"--{key.replace('_', '-')}")
        if key == "rules_digest":
            what = "the rule files (--rules, or the packaged rules) changed since the interrupted run"
        else:
            what = f"{self.option} differs from the interrupted run's ({_show(recorded)} then, {_show(now)} now)"
        super().__init__(f"cannot resume: {what}; resume with the same options, or start again in another -o")


def options_record(
    *,
    inputs: Iterable[Path],
    reference_dir: Path | None,
    rule_dirs: Iterable[Path],
    rule_files: Iterable[Path],
    dedup: str,
    timeout: float | None,
    **more: Any,
) -> dict[str, Any]:
    """The options of a run as recorded in ``options.json`` (paths absolute, rules digested).

    ``more``: further record-shaping options (``to_simplified=True``), recorded as given.
    """
    record: dict[str, Any] = {
        "format": FORMAT,
        "inputs": [_absolute(path) for path in inputs],
        "reference_dir": _absolute(reference_dir) if reference_dir is not None else None,
        "rule_dirs": [_absolute(path) for path in rule_dirs],
        "rules_digest": rules_digest(rule_files),
        "dedup": dedup,
        "timeout": timeout,
    }
    record.update(more)
    return record


def rules_digest(files: Iterable[Path]) -> str:
    """sha1 over each rule file's name and content (not where it lies: a moved install is the same rules)."""
    entries = sorted(f"{Path(f).name}\0{hashlib.sha1(Path(f).read_bytes()).hexdigest()}" for f in files)
    return hashlib.sha1("\n".join(entries).encode("utf-8")).hexdigest()


def check_resume(outdir: Path, record: dict[str, Any]) -> None:
    """Raise OptionsMismatch if ``OUTDIR/options.json`` records options other than ``record``.

    An option absent on one side counts as its default (None): a newer docmend's extra option left at
    its default resumes an older run.
    """
    recorded = read_options(outdir)
    if recorded is None:
        return
    for key in [*record, *(key for key in recorded if key not in record)]:
        if key == "format":
            continue
        if _canonical(recorded.get(key)) != _canonical(record.get(key)):
            raise OptionsMismatch(key, recorded.get(key), record.get(key))


def read_options(outdir: Path) -> dict[str, Any] | None:
    """The options recorded in ``outdir``, or None if there are none (or they cannot be read)."""
    try:
        data = json.loads((outdir / OPTIONS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _canonical(value: Any) -> Any:
    if value is False:
        return None
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    return value


def _absolute(path: Path) -> str:
    return os.path.abspath(path)


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "none"
    return str(value)


def write_options(outdir: Path, record: dict[str, Any]) -> None:
    """Write ``OUTDIR/options.json`` atomically (temporary file + rename)."""
    from ..write import write_json

    write_json(outdir / OPTIONS, record)
