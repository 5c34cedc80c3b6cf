"""docmend as a datatrove pipeline step (``pip install 'docmend[datatrove]'``).

::

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from docmend.integrations.datatrove import DocmendCleaner

    LocalPipelineExecutor(
        pipeline=[JsonlReader("scrapes/"), DocmendCleaner(), JsonlWriter("clean/")], tasks=4
    ).run()

Each document's ``text`` is replaced by docmend's clean text (restored against
``doc.metadata[reference_key]`` when the document carries one); ``doc.metadata["docmend"]`` gets the title,
the edit counts per stage, the restorations and the quality record (``lang``, ``script``, warnings…).
A document with no body left is dropped (``drop_empty=True``, the default) or kept empty. Stats are counted
the datatrove way: ``total``, ``cleaned``, ``dropped_no_body``, ``edits``, ``restored`` and one
``warning_<kind>`` per quality warning.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.utils.typeshelper import StatHints

import docmend


class DocmendCleaner(PipelineStep):
    """Clean ``doc.text`` with docmend; record what was done in ``doc.metadata["docmend"]``."""

    name = "🧹 docmend"
    type = "✂️ - FORMAT"

    def __init__(
        self,
        *,
        reference_key: str | None = "reference",
        metadata_key: str = "docmend",
        drop_empty: bool = True,
        to_simplified: bool = False,
        rules: list[str] | None = None,
    ) -> None:
        """``reference_key``: the metadata field holding another version's text (None: never restore);
        ``rules``: extra rule folders (``--rules``)."""
        super().__init__()
        self.reference_key = reference_key
        self.metadata_key = metadata_key
        self.drop_empty = drop_empty
        self.to_simplified = to_simplified
        self.rules = list(rules or [])

    def clean_document(self, doc: Any) -> bool:
        """Clean one datatrove Document in place; False when it has no body left."""
        reference = doc.metadata.get(self.reference_key) if self.reference_key else None
        result = docmend.clean(
            doc.text,
            reference=reference if isinstance(reference, str) and reference else None,
            to_simplified=self.to_simplified,
            rules=self.rules,
            source=str(doc.id),
        )
        by_stage = Counter(edit["stage"] for edit in result.edits)
        doc.text = result.text
        doc.metadata[self.metadata_key] = {
            "title": result.title,
            "status": result.status,
            "changes": dict(by_stage),
            "restored": by_stage.get("restore", 0),
            "suggestions": len(result.suggestions),
            "quality": result.quality,
        }
        self.stat_update("edits", value=len(result.edits))
        self.stat_update("restored", value=by_stage.get("restore", 0))
        for warning in result.quality.get("warnings", []):
            self.stat_update(f"warning_{warning.get('kind')}")
        return result.ok

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        """Clean each document of the stream; drop those with no body left (unless ``drop_empty=False``)."""
        for doc in data:
            self.stat_update(StatHints.total)
            with self.track_time():
                ok = self.clean_document(doc)
            if not ok and self.drop_empty:
                self.stat_update("dropped_no_body")
                continue
            self.stat_update("cleaned")
            self.update_doc_stats(doc)
            yield doc
