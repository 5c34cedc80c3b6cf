"""Where template learning runs: before a ``docmend corpus`` run, and as ``docmend rules learn``.

``docmend rules learn INPUT... -o DIR`` writes ``DIR/<group>.toml`` (see :mod:`pipeline.corpus.learn`)
and nothing else; ``docmend corpus`` learns into ``OUTDIR/learned/`` first (unless ``--no-learn``)
and cleans with those rules layered over the others.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .worker import Found

LEARNED = "learned"
PARTIAL = ".learned.partial"


def learn_for_corpus(
    outdir: Path,
    found: Sequence[Found],
    rule_dirs: Sequence[Path],
    workers: int,
    *,
    resume: bool,
    console: Console,
    timeout: float | None = None,
    resumed: int = 0,
) -> list[Path]:
    """Learn the corpus's templates into ``outdir/learned``; return the rule folders to add (none when
    nothing was learned).

    On ``--resume`` the folder of the interrupted run is kept as it is; if that run had cleaned
    ``resumed`` documents without one, nothing is learned either, so that the corpus stays of one piece.
    The folder appears whole or not at all: it is written beside and renamed.
    """
    from ..rules import load_rules
    from .learn import learn_templates

    target = outdir / LEARNED
    if resume and target.is_dir():
        return [target] if any(target.glob("*.toml")) else []
    if resume and resumed:
        return []
    partial = outdir / PARTIAL
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    written, _ = learn_templates(
        [(str(item.path), item.rel) for item in found],
        partial,
        rules=load_rules(rule_dirs),
        rule_dirs=[str(d) for d in rule_dirs],
        workers=workers,
        timeout=timeout,
    )
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    if written:
        rules = sum(written.values())
        console.print(f"learned {rules} template rules for {len(written)} groups → {target}", markup=False)
    return [target] if written else []


def learn_command(
    inputs: Annotated[list[Path], typer.Argument(help="Files or folders (walked recursively) of documents.")],
    outdir: Annotated[Path, typer.Option("-o", "--output-dir", help="Folder for the learned rule files.")],
    rules_dirs: Annotated[
        list[Path] | None, typer.Option("--rules", help="Extra rule directory layered over the packaged rules.")
    ] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Processes (default: all cores).")] = None,
    min_group_docs: Annotated[
        int | None, typer.Option("--min-group-docs", min=1, help="Learn only groups of at least this many documents.")
    ] = None,
) -> None:
    """Learn the templates of INPUT's sites (lines most documents of a site share) into OUTDIR/<group>.toml."""
    from ..rules import load_rules
    from .command import default_workers, usage_errors
    from .learn import learn_templates
    from .worker import find_inputs

    console = Console(stderr=True, highlight=False, soft_wrap=True)
    with usage_errors(console):
        rules = load_rules(rules_dirs or ())
        found, _ = find_inputs(inputs, exclude=outdir)
        written, errors = learn_templates(
            [(str(item.path), item.rel) for item in found],
            outdir,
            rules=rules,
            rule_dirs=[str(d) for d in rules_dirs or ()],
            workers=workers or default_workers(),
            min_group_docs=min_group_docs,
        )
    for error in errors:
        console.print(f"error: {error}", markup=False)
    for group, count in written.items():
        console.print(f"{group}: {count} rules → {outdir / (group + '.toml')}", markup=False)
    if not written:
        console.print(f"nothing learned from {len(found)} documents (no group shares a template)", markup=False)
    raise typer.Exit(1 if errors else 0)
