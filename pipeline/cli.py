"""The ``docmend`` command: ``clean`` (and ``rules``; ``corpus`` for bulk runs).

Exit status: 0 when every input succeeded, 1 when any failed (the others are still written),
2 for bad usage or bad rule files (or outputs that would clash or overwrite an input), 3 when some
outputs could not be written (a full disk: that document's files are written all or none).
User errors are one line each, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from .cli_help import PlainHelpGroup
from .errors import DocmendError, RuleError
from .report import DETAILS, edit_counts
from .rules import RuleSet, load_rules
from .write import FORMATS, output_paths, write_outputs

app = typer.Typer(
    cls=PlainHelpGroup,
    add_completion=False,
    no_args_is_help=True,
    help="Clean documents scraped from Chinese document-sharing sites into complete, normalised text.",
)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)
out_console = Console(highlight=False, soft_wrap=True)
EXIT_UNWRITTEN = 3


def _print_version(value: bool) -> None:
    if value:
        from .report import docmend_version

        out_console.print(f"docmend {docmend_version()}", markup=False)
        raise typer.Exit(0)


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", is_eager=True, callback=_print_version, help="Print docmend's version and exit."),
    ] = False,
) -> None:
    """Clean documents scraped from Chinese document-sharing sites into complete, normalised text."""


def _load(rule_dirs: list[Path] | None) -> RuleSet:
    try:
        return load_rules(rule_dirs or ())
    except RuleError as err:
        err_console.print(f"error: bad rule file: {err}", markup=False)
        raise typer.Exit(2) from None


def _formats(values: list[str] | None) -> tuple[str, ...]:
    chosen: list[str] = []
    for value in values or []:
        for item in value.split(","):
            item = item.strip().lower()
            if not item:
                continue
            if item not in (*FORMATS, "html"):
                raise typer.BadParameter(f"unknown format {item!r}; choose from txt, md, docx, jsonl, html")
            chosen.append(item)
    return tuple(dict.fromkeys(chosen))


@app.command()
def clean(
    inputs: Annotated[list[Path], typer.Argument(help="Documents to clean: .txt (any encoding), .html, .docx, .pdf.")],
    outdir: Annotated[Path, typer.Option("-o", "--output-dir", help="Where to write the outputs.")] = Path("outputs"),
    reference: Annotated[
        Path | None,
        typer.Option("--reference", help="Another version of the same document to restore masked text from."),
    ] = None,
    rules_dirs: Annotated[
        list[Path] | None, typer.Option("--rules", help="Extra rule directory layered over the packaged rules.")
    ] = None,
    formats: Annotated[
        list[str] | None,
        typer.Option("--format", help="Extra outputs: md, docx, jsonl, html (review page); repeatable."),
    ] = None,
    complete: Annotated[
        bool, typer.Option("--complete", help="With --reference: also insert the paragraphs the scraped text lacks.")
    ] = False,
    to_simplified: Annotated[
        bool,
        typer.Option(
            "--to-simplified", help="Convert traditional characters to simplified (not quoted classical text)."
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Print only errors.")] = False,
    report_detail: Annotated[
        str,
        typer.Option(
            "--report",
            help="Report detail: compact (mass substitutions as position lists; default), full (every change "
            "a record), none (no report).",
        ),
    ] = "compact",
) -> None:
    """Clean each INPUT: writes OUTDIR/<name>.txt (one paragraph per line) and OUTDIR/<name>.report.json."""
    from .runner import FileResult, clean_files

    ruleset = _load(rules_dirs)
    chosen = _formats(formats)
    if report_detail not in DETAILS:
        raise typer.BadParameter(f"choose one of {', '.join(DETAILS)}", param_hint="--report")
    if complete and reference is None:
        raise typer.BadParameter("--complete needs --reference", param_hint="--complete")
    extra = {}
    if "html" in chosen:
        from .review import render_review

        extra["html"] = render_review
    stems = _plan_outputs(inputs, reference, outdir, chosen)
    failures = unwritten = 0

    def report(result: FileResult) -> None:
        nonlocal failures, unwritten
        doc = result.document
        if result.error is not None or doc is None:
            failures += 1
            err_console.print(f"error: {result.error}", markup=False)
            return
        try:
            written = write_outputs(doc, outdir, stems[result.path], chosen, extra=extra, report=report_detail)
        except OSError as err:
            unwritten += 1
            reason = err.strerror or err
            err_console.print(f"error: {result.path}: cannot write outputs to {outdir}: {reason}", markup=False)
            return
        status = doc.metadata.get("status", "ok")
        if status != "ok":
            failures += 1
            err_console.print(f"error: {result.path}: {status}", markup=False)
        elif not quiet:
            restored = edit_counts(doc.edits, "stage")["restore"]
            note = f", {restored} restored" if reference is not None else ""
            flagged = f", {len(doc.suggestions)} to review" if doc.suggestions else ""
            summary = f"{len(doc.edits)} changes{note}{flagged}, {len(doc.paragraphs)} paragraphs"
            err_console.print(f"{result.path} → {written[0]} ({summary})", markup=False)
        for warning in doc.warnings:
            err_console.print(f"warning: {result.path}: {warning}", markup=False)

    try:
        clean_files(
            inputs,
            rules=ruleset,
            reference=reference,
            complete=complete,
            to_simplified=to_simplified,
            on_result=report,
        )
    except DocmendError as err:  # the reference itself could not be used
        err_console.print(f"error: reference {err}", markup=False)
        raise typer.Exit(1) from None
    raise typer.Exit(EXIT_UNWRITTEN if unwritten else 1 if failures else 0)


def _plan_outputs(
    inputs: list[Path], reference: Path | None, outdir: Path, formats: tuple[str, ...]
) -> dict[Path, str]:
    """Each input's output name; exit 2 if two inputs clash or an output would overwrite an input."""
    from .output_plan import OutputPlanError, check_overwrites, output_names

    try:
        names = output_names(inputs)
        kinds = ("txt", "report", *formats)
        planned = [
            path for name in names.values() for kind, path in output_paths(outdir, name).items() if kind in kinds
        ]
        check_overwrites([*inputs, *([reference] if reference is not None else [])], planned)
    except OutputPlanError as err:
        err_console.print(f"error: {err}", markup=False)
        raise typer.Exit(2) from None
    return names


rules_app = typer.Typer(
    add_completion=False, help="List and validate the rule files; 'rules learn' learns new ones from a corpus."
)
app.add_typer(rules_app, name="rules")


@rules_app.callback(invoke_without_command=True)
def rules_command(
    ctx: typer.Context,
    rules_dirs: Annotated[
        list[Path] | None, typer.Option("--rules", help="Extra rule directory layered over the packaged rules.")
    ] = None,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="List every rule with its description.")] = False,
) -> None:
    """List the rule files, sites and rules known, and validate them (runs every rule's examples)."""
    from .examples import run_examples

    if ctx.invoked_subcommand is not None:
        return
    ruleset = _load(rules_dirs)
    table = Table(title="Sites", show_lines=False)
    for column in ("site", "name", "rules", "file"):
        table.add_column(column)
    for site in ruleset.sites:
        table.add_row(site.id, site.name, str(len(site.rule_ids)), site.path.name)
    out_console.print(table)
    common = [rule for rule in ruleset.rules if rule.site is None]
    out_console.print(
        f"{len(ruleset.files)} rule files, {len(ruleset.sites)} sites, {len(ruleset.rules)} rules "
        f"({len(common)} common), {len(ruleset.examples)} examples"
    )
    if verbose:
        for rule in ruleset.rules:
            out_console.print(f"  {rule.id:<40} {rule.kind:<5} {rule.description}", markup=False)
    failures = run_examples(ruleset)
    for failure in failures:
        err_console.print(f"error: {failure}", markup=False)
    if failures:
        err_console.print(f"{len(failures)} rule examples fail")
        raise typer.Exit(2)
    out_console.print("all rule files valid; every example passes")


from .corpus import corpus_command  # noqa: E402
from .corpus.learn_command import learn_command  # noqa: E402

app.command("corpus")(corpus_command)
rules_app.command("learn")(learn_command)


def main() -> None:
    """Entry point of the ``docmend`` console script."""
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
