"""Rewrite every ``from pipeline.x import y`` inside the implementation package as a relative import.

Run from the repository root: ``python scripts/relative_imports.py pipeline``. Purely mechanical and
idempotent: only ``from pipeline[.a.b] import`` at the start of a line (any indentation) changes, so the
package imports itself under whatever name it is loaded (``pipeline`` in a checkout, ``docmend._pipeline``
installed or when a user's own ``pipeline`` shadows the name). Exit status 1 when an ``import pipeline…``
statement is left that this rewrite cannot express.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

FROM_RE = re.compile(r"^(?P<indent>[ \t]*)from (?P<module>pipeline(?:\.[A-Za-z_][\w.]*)?) import ", re.MULTILINE)
PLAIN_IMPORT_RE = re.compile(r"^[ \t]*import pipeline\b", re.MULTILINE)


def relative(module: str, package: list[str]) -> str:
    """``module`` (absolute, dotted) as seen from inside ``package`` (a list of names)."""
    target = module.split(".")
    common = 0
    while common < min(len(target), len(package)) and target[common] == package[common]:
        common += 1
    return "." * (len(package) - common + 1) + ".".join(target[common:])


def rewrite(path: Path, root: Path) -> bool:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    package = parts[:-1]  # pipeline/corpus/worker.py and pipeline/corpus/__init__.py: inside pipeline.corpus
    text = path.read_text(encoding="utf-8")
    new = FROM_RE.sub(lambda m: f"{m['indent']}from {relative(m['module'], package)} import ", text)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else "pipeline")
    changed = [path for path in sorted(root.rglob("*.py")) if rewrite(path, root)]
    print(f"{len(changed)} files rewritten")
    files = sorted(root.rglob("*.py"))
    left = [str(path) for path in files if PLAIN_IMPORT_RE.search(path.read_text(encoding="utf-8"))]
    for path in left:
        print(f"left: {path} has an 'import pipeline…' statement", file=sys.stderr)
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
