"""Run the stages over a document: apply their edits, keep the log, map offsets to the input.

The cleaning steps run in order and then again until a pass changes nothing (ftfy's "repeat until
stable"), so cleaning clean output is a no-op. Restoration against a reference, when asked, runs once
after cleaning has settled.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import regex

from .document import Document, Edit, apply_edits, check_edits
from .edit_log import EditLog
from .errors import DocmendError, StageError
from .memory import MemoryKeeper
from .quality import assess_quality
from .rules import RuleSet, load_rules
from .stages import damage, restore
from .stages.boilerplate import strip_boilerplate
from .stages.chrome import flag_chrome, strip_chrome
from .stages.mojibake import fix_mojibake
from .stages.normalise import normalise_punctuation, normalise_unicode, normalise_whitespace
from .stages.page_artefacts import remove_page_artefacts
from .stages.paragraphs import REFERENCE_GIVEN, join_broken_lines, split_paragraphs


class StageFunction(Protocol):
    def __call__(self, text: str, *, rules: RuleSet, metadata: dict[str, Any]) -> list[Edit]: ...


TEXT_END_TRIMMED = "text end trimmed"  # a change that only removed blank space at the end of the text


@dataclass(frozen=True, slots=True)
class Step:
    """One stage function and the stage it belongs to (a stage may have several steps).

    What a confirming pass may skip (see :class:`SettledSteps`), declared per step:

    * ``settles``: one run leaves nothing for a second run on its own output (the step is idempotent);
    * ``unaffected_by``: kinds of change (another step's name, or ``TEXT_END_TRIMMED``) that cannot give
      it new work once it has settled. Every other change can, so a step declaring nothing re-runs after
      any change.
    """

    stage: str
    name: str
    run: StageFunction
    settles: bool = False
    unaffected_by: frozenset[str] = frozenset()


# Removing blank space after the last non-blank character changes no line's content nor the order of
# lines: the line, run and sentence scans of these steps read the same content without it.
BLIND_TO_TEXT_END = frozenset({TEXT_END_TRIMMED})
CLEANING_STEPS: tuple[Step, ...] = (
    Step("normalise", "fix_mojibake", fix_mojibake),
    Step("normalise", "normalise_unicode", normalise_unicode),
    Step("damage", "to_simplified", damage.to_simplified),
    Step("damage", "strip_pinyin_layers", damage.strip_pinyin_layers),
    Step("damage", "remove_anti_copy_noise", damage.remove_anti_copy_noise),
    Step("boilerplate", "strip_boilerplate", strip_boilerplate),
    Step("boilerplate", "strip_chrome", strip_chrome),
    Step("damage", "fix_spaced_headings", damage.fix_spaced_headings),
    Step("page_artefacts", "remove_page_artefacts", remove_page_artefacts),
    Step("paragraphs", "join_broken_lines", join_broken_lines),
    Step("paragraphs", "split_paragraphs", split_paragraphs),
    Step("normalise", "normalise_punctuation", normalise_punctuation),
    Step("damage", "remove_repeated_text", damage.remove_repeated_text, unaffected_by=BLIND_TO_TEXT_END),
    Step("damage", "remove_injected_text", damage.remove_injected_text, unaffected_by=BLIND_TO_TEXT_END),
    Step("normalise", "normalise_whitespace", normalise_whitespace, settles=True, unaffected_by=BLIND_TO_TEXT_END),
)
MAX_PASSES = 4


class SettledSteps:
    """Which steps have nothing left to do on the current text, so that a confirming pass skips them.

    A text is named by the number of edit groups applied so far (it only changes when one is), and each
    group by its kind of change (:func:`change_kind`). A step settled on text ``v`` when its run there
    changed nothing — or changed it, and the step ``settles`` — and left the metadata as it was. It
    still has nothing to do when the metadata is the same and every group applied since ``v`` is of a
    kind the step is declared ``unaffected_by``.
    """

    def __init__(self) -> None:
        self._settled: dict[int, tuple[int, dict[str, Any]]] = {}
        self.kinds: list[str] = []  # the kind of change of each edit group applied, in order

    @staticmethod
    def snapshot(metadata: dict[str, Any]) -> dict[str, Any]:
        return copy.deepcopy(metadata)

    def note(self, index: int, step: Step, changed: bool, before: dict[str, Any], after: dict[str, Any]) -> None:
        """Step ``index`` has run and the text is now ``len(self.kinds)``; remember whether it settled."""
        if before == after and (step.settles or not changed):
            self._settled[index] = (len(self.kinds), before)
        else:
            self._settled.pop(index, None)

    def settled(self, index: int, step: Step, metadata: dict[str, Any]) -> bool:
        seen = self._settled.get(index)
        if seen is None or seen[1] != metadata:
            return False
        return all(kind in step.unaffected_by for kind in self.kinds[seen[0] :])


BLANK = " \t\u3000\n"


def change_kind(step: Step, text: str, edits: Sequence[Any]) -> str:
    """The kind of change ``edits`` make to ``text``: ``TEXT_END_TRIMMED`` when they only remove blank
    space at its end, else the name of the step that made them."""
    if len(edits) == 1 and isinstance(edits[0], Edit):
        edit = edits[0]
        if edit.end == len(text) and not edit.after and not edit.before.strip(BLANK):
            return TEXT_END_TRIMMED
    return step.name


def run_step(
    step: Step, text: str, *, rules: RuleSet, metadata: dict[str, Any], source: str | None = None
) -> list[Edit]:
    """Run one step and return its edits, checked (sorted, inside the text, not overlapping)."""
    try:
        edits = step.run(text, rules=rules, metadata=metadata)
        return check_edits(text, edits, step.stage)
    except StageError as err:
        raise StageError(err.stage, err.reason, source=source) from None


def clean_text(
    text: str,
    *,
    rules: RuleSet | None = None,
    source: str = "<text>",
    metadata: dict[str, Any] | None = None,
    steps: Sequence[Step] = CLEANING_STEPS,
    reference: str | None = None,
    complete: bool = False,
    rerun_every_step: bool = False,
) -> Document:
    """Clean ``text`` and return the Document with its output text and the full edit log.

    ``rerun_every_step`` runs every step in every pass, settled or not (the same output, more slowly:
    for tests of the skipping).

    With ``reference`` (the cleaned text of another version of the same document) the masked spans
    are restored from it afterwards; without one, likely masked spans are flagged as suggestions.
    """
    rules = rules if rules is not None else load_rules()
    doc = Document(source=source, original=text, metadata=dict(metadata or {}))
    if reference is not None:
        doc.metadata[REFERENCE_GIVEN] = True  # the reference's paragraph breaks win over the length prior's
    log = EditLog()
    current = text
    settled = SettledSteps()
    memory = MemoryKeeper(len(text))
    for _ in range(MAX_PASSES):
        changed = False
        for index, step in enumerate(steps):
            if not rerun_every_step and settled.settled(index, step, doc.metadata):
                continue  # nothing it depends on changed since it settled: it would change nothing
            metadata_before = settled.snapshot(doc.metadata)
            edits = run_step(step, current, rules=rules, metadata=doc.metadata, source=source)
            if edits:
                settled.kinds.append(change_kind(step, current, edits))
                current = log.apply_and_record(current, edits)
                changed = True
            settled.note(index, step, bool(edits), metadata_before, doc.metadata)
            memory.after_step()
        if not changed:
            break
    else:
        doc.warnings.append(f"cleaning had not settled after {MAX_PASSES} passes")
    doc.suggestions.extend(_mapped(log, damage.flag_injected_text(current, rules=rules, metadata=doc.metadata)))
    doc.suggestions.extend(_mapped(log, flag_chrome(current, rules=rules, metadata=doc.metadata)))
    current = _restore(doc, log, current, rules, reference, complete)
    doc.text = current
    doc.edits = log
    if not RE_BODY_CHAR.search(current):
        doc.metadata["status"] = NO_BODY
    elif not doc.title:
        _title_from_file_metadata(doc)
    quality = assess_quality(doc.text, doc.original, list(log.ordinary()), doc.metadata, rules=rules)
    doc.metadata["quality"] = quality
    doc.warnings.extend(w["message"] for w in quality.get("warnings", []) if w.get("kind") != "no_body")
    return doc


NO_BODY = "no document body found"
RE_BODY_CHAR = regex.compile(r"[\p{Han}\p{L}\p{N}]")
TITLE_KEYS = ("html_title", "docx_title")  # what ingest read from the file itself, besides the text


def _title_from_file_metadata(doc: Document, *, lines: int = 5, min_chars: int = 4) -> None:
    """Take as title one of the first paragraphs that the page's ``<title>`` (or the DOCX's title
    property) begins with: ``<title>国务院关于…的通知_政府信息公开专栏</title>`` and a first paragraph
    ``国务院关于…的通知`` give that paragraph. Metadata only: the text is not changed."""
    for key in TITLE_KEYS:
        declared = str(doc.metadata.get(key) or "").strip()
        if not declared:
            continue
        for paragraph in doc.paragraphs[:lines]:
            paragraph = paragraph.strip()
            if len(paragraph) >= min_chars and declared.startswith(paragraph):
                doc.metadata["title"] = paragraph
                doc.metadata["title_source"] = key
                return


def _restore(doc: Document, log: EditLog, text: str, rules: RuleSet, reference: str | None, complete: bool) -> str:
    """Restore ``text`` from the reference (logged), or, without one, flag likely masks as suggestions."""
    if reference is None:
        flags = restore.flag_masked_spans(text, rules=rules)
        doc.suggestions.extend(_mapped(log, flags))
        return text
    edits, suggestions = restore.restore_from_reference(
        text, reference=reference, rules=rules, metadata=doc.metadata, complete=complete
    )
    edits = check_edits(text, edits, "restore")
    status = str(doc.metadata.get("reference_status") or "")
    if status.startswith("unrelated"):
        doc.warnings.append(f"reference not used: it is not the same document ({status}); nothing restored")
    doc.suggestions.extend(_mapped(log, suggestions))
    if edits:
        log.record(edits)
        text = apply_edits(text, edits)
    return text


def _mapped(log: EditLog, edits: list[Edit]) -> list[Edit]:
    return log.located(sorted(edits, key=lambda e: (e.start, e.end)), len(log.maps))


@dataclass(slots=True)
class FileResult:
    """The outcome of cleaning one input file."""

    path: Path
    document: Document | None = None
    error: DocmendError | None = None
    seconds: float = 0.0
    format: str | None = None


def clean_file(
    path: Path | str,
    *,
    rules: RuleSet | None = None,
    reference: Path | str | None = None,
    complete: bool = False,
    reference_text: str | None = None,
    to_simplified: bool | str = False,
) -> Document:
    """Read a file in any supported format, clean it (and restore it against ``reference``).

    ``to_simplified``: convert traditional characters to simplified (OpenCC), except quoted classical
    text; ``"all"`` converts that too.
    """
    from .ingest import read_document

    rules = rules if rules is not None else load_rules()
    ingested = read_document(path)
    if reference is not None and reference_text is None:
        reference_text = clean_reference(reference, rules=rules, to_simplified=to_simplified)
    metadata = dict(ingested.metadata)
    metadata.update({"format": ingested.format, "encoding": ingested.encoding})
    if reference is not None:
        metadata["reference"] = str(reference)
    if to_simplified:
        metadata["to_simplified"] = to_simplified
    doc = clean_text(
        ingested.text,
        rules=rules,
        source=str(path),
        metadata=metadata,
        reference=reference_text,
        complete=complete,
    )
    return doc


def clean_reference(reference: Path | str, *, rules: RuleSet, to_simplified: bool | str = False) -> str:
    """Ingest and clean a reference version the same way as the scraped text (any format: an HTML
    page loses its tags, menus and site chrome; ``to_simplified`` converts it too); return its text."""
    from .ingest import read_document

    ingested = read_document(reference)
    metadata = dict(ingested.metadata)
    if to_simplified:
        metadata["to_simplified"] = to_simplified
    return clean_text(ingested.text, rules=rules, source=str(reference), metadata=metadata).text


def clean_files(
    paths: Sequence[Path | str],
    *,
    rules: RuleSet,
    reference: Path | str | None = None,
    complete: bool = False,
    to_simplified: bool | str = False,
    on_result: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Clean each file; one failure becomes that file's error and the others go on."""
    reference_text = (
        clean_reference(reference, rules=rules, to_simplified=to_simplified) if reference is not None else None
    )
    results = []
    for path in paths:
        started = time.perf_counter()
        result = FileResult(Path(path))
        try:
            result.document = clean_file(
                path,
                rules=rules,
                reference=reference,
                complete=complete,
                reference_text=reference_text,
                to_simplified=to_simplified,
            )
        except DocmendError as err:
            result.error = err
        result.seconds = time.perf_counter() - started
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results
