"""Where ``docmend clean`` writes each input's outputs, decided (and checked) before anything is written.

Names: an input's outputs are named after its file name without the suffix (``d/x.txt`` → ``x``).
Inputs that would share a name (compared ignoring case) and differ by folder are named after as many of
their parent folders as it takes to tell them apart, joined by ``__``: ``d1/x.txt`` and ``d2/x.txt`` →
``d1__x`` and ``d2__x``. Any clash left (``x.txt`` and ``x.html`` in one folder, one file given twice, a
name made this way that is also another input's name) is refused: :class:`OutputPlanError`.

Overwrites: no file a run would write (every format and the report) may be an input or the reference,
compared after resolving symlinks and by device and inode (hard links): :class:`OutputPlanError`.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from .errors import DocmendError

NAME_JOINER = "__"


class OutputPlanError(DocmendError):
    """The outputs of a run cannot be laid out safely (a name clash, or an input would be overwritten)."""


def output_names(inputs: Sequence[Path]) -> dict[Path, str]:
    """The output name of each input, unique within the run (see the module docstring).

    ``[Path("d1/x.txt"), Path("d2/x.txt"), Path("y.txt")]`` → ``{d1/x.txt: "d1__x", d2/x.txt: "d2__x",
    y.txt: "y"}``. Raises OutputPlanError when two inputs cannot be told apart by their folders.
    """
    groups: dict[str, list[Path]] = defaultdict(list)
    for path in inputs:
        groups[_base(path).casefold()].append(path)
    names: dict[Path, str] = {}
    for group in groups.values():
        if len(group) == 1:
            names[group[0]] = _base(group[0])
            continue
        for path, name in zip(group, _by_parents(group), strict=True):
            names[path] = name
    _refuse_clashes(inputs, names)
    return names


def _base(path: Path) -> str:
    return path.stem or path.name


def _by_parents(group: list[Path]) -> list[str]:
    """Names made of the fewest parent folders that tell every path of ``group`` apart."""
    parents = [Path(os.path.abspath(path)).parent.parts[1:] for path in group]
    deepest = max(len(parts) for parts in parents)
    for depth in range(1, deepest + 1):
        prefixes = [parts[-depth:] if depth <= len(parts) else parts for parts in parents]
        if len({NAME_JOINER.join(prefix).casefold() for prefix in prefixes}) == len(group):
            return [NAME_JOINER.join((*prefix, _base(path))) for prefix, path in zip(prefixes, group, strict=True)]
    return [_base(path) for path in group]  # same folder: left for _refuse_clashes to name


def _refuse_clashes(inputs: Sequence[Path], names: dict[Path, str]) -> None:
    seen: dict[str, Path] = {}
    for path in inputs:
        key = names[path].casefold()
        if key in seen:
            raise OutputPlanError(
                f"{seen[key]} and {path} would both be written as {names[path]}.*; "
                "rename one or clean them in two runs with different -o"
            )
        seen[key] = path


def check_overwrites(sources: Iterable[Path], outputs: Iterable[Path]) -> None:
    """Raise OutputPlanError naming both paths if any of ``outputs`` is one of ``sources`` (the inputs, reference).

    Compared through symlinks (resolved paths) and hard links (same device and inode; only outputs that
    already exist can be one).
    """
    targets: dict[object, Path] = {}
    for output in outputs:
        for key in _identities(output):
            targets.setdefault(key, output)
    linked = any(isinstance(key, tuple) for key in targets)
    for source in sources:
        for key in _identities(source, inode=linked):
            if key in targets:
                raise OutputPlanError(f"writing {targets[key]} would overwrite the input {source}; choose another -o")


def _identities(path: Path, *, inode: bool = True) -> list[object]:
    """What identifies the file at ``path``: its resolved path, and its (device, inode) when it exists."""
    keys: list[object] = [Path(os.path.realpath(path))]
    if not inode:
        return keys
    try:
        info = path.stat()
    except OSError:
        return keys
    keys.append((info.st_dev, info.st_ino))
    return keys
