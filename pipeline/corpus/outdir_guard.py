"""The output folder of ``docmend corpus`` may not hold, or be, what the run reads.

OUTDIR may be a new folder inside an input folder (the walk leaves it out), but not an input folder
itself, nor the ``--reference-dir``: its ``summary.json``, ``options.json`` and ``.jsonl`` files would
land among (and replace) the user's own files, and a later run would read them as inputs. Nor may any
file the run writes be one of the files found under the inputs (an input given by name that lies in
OUTDIR), compared through symlinks and hard links.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..output_plan import OutputPlanError, check_overwrites
from .worker import CorpusUsageError


def check_outdir(outdir: Path, folders: Iterable[Path], files: Iterable[Path], outputs: Iterable[str]) -> None:
    """Raise CorpusUsageError if ``outdir`` is one of ``folders`` or an output named ``outputs`` is one of ``files``.

    ``folders``: the input folders and the reference folder; ``files``: every file found under the inputs.
    """
    target = os.path.realpath(outdir)
    for folder in folders:
        if folder.is_dir() and os.path.realpath(folder) == target:
            raise CorpusUsageError(
                f"-o {outdir} is the input folder {folder}: the outputs would be mixed with (and could replace) "
                "its files; choose another -o (a new folder inside it is fine)"
            )
    try:
        check_overwrites(files, [outdir / name for name in outputs])
    except OutputPlanError as err:
        raise CorpusUsageError(str(err)) from None
