"""A self-contained HTML page for a person to review what restoration did to one document.

Each restoration and each suggestion is shown in context — the scraped text with the replaced span
struck through, the restored text marked — with its rule, reason, confidence and evidence. No
scripts, no external files: the page opens anywhere.
"""

from __future__ import annotations

import html
from collections import Counter

from .document import Document, Edit, replay

CONTEXT = 36

STYLE = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2rem auto;
       max-width: 70rem; color: #222; line-height: 1.6; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
.meta { color: #555; font-size: .9rem; }
.summary span { display: inline-block; margin-right: 1.2rem; }
.status-warn { color: #a00; font-weight: bold; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { border-bottom: 1px solid #e3e3e3; padding: .4rem .5rem; vertical-align: top; text-align: left; }
th { background: #f4f4f4; }
del { background: #fdd; color: #900; text-decoration: line-through; }
ins { background: #dfd; color: #060; text-decoration: none; font-weight: bold; }
mark { background: #ffe58a; }
.rule { font-family: monospace; font-size: .85rem; white-space: nowrap; }
.conf { text-align: right; white-space: nowrap; }
.evidence { color: #555; font-size: .85rem; }
.empty { color: #777; font-style: italic; }
"""


def _visible(text: str) -> str:
    return html.escape(text).replace("\n", "<span class='rule'>¶</span>")


def _in_context(base: str, edit: Edit, *, suggestion: bool) -> tuple[str, str]:
    """(scraped in context, restored in context) as HTML fragments."""
    left = base[max(0, edit.start - CONTEXT) : edit.start]
    right = base[edit.end : edit.end + CONTEXT]
    before = f"<del>{_visible(edit.before)}</del>" if edit.before else "<del class='empty'>∅</del>"
    if suggestion and edit.before == edit.after:
        scraped = f"…{_visible(left)}<mark>{_visible(edit.before)}</mark>{_visible(right)}…"
        return scraped, "<span class='empty'>(look here)</span>"
    after = f"<ins>{_visible(edit.after)}</ins>" if edit.after else "<ins class='empty'>∅</ins>"
    return f"…{_visible(left)}{before}{_visible(right)}…", f"…{_visible(left)}{after}{_visible(right)}…"


def _rows(base: str, edits: list[Edit], *, suggestion: bool) -> str:
    if not edits:
        return "<p class='empty'>none</p>"
    rows = []
    for number, edit in enumerate(edits, 1):
        scraped, restored = _in_context(base, edit, suggestion=suggestion)
        evidence = f"<div class='evidence'>{html.escape(edit.evidence)}</div>" if edit.evidence else ""
        rows.append(
            f"<tr><td>{number}</td><td class='rule'>{html.escape(edit.rule_id)}</td><td>{scraped}</td>"
            f"<td>{restored}</td><td>{html.escape(edit.reason)}{evidence}</td>"
            f"<td class='conf'>{edit.confidence:.2f}</td></tr>"
        )
    head = "<tr><th>#</th><th>rule</th><th>scraped</th><th>restored</th><th>why</th><th>confidence</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def render_review(doc: Document) -> str:
    """The review page of ``doc``: summary, restorations, suggestions, other changes counted."""
    before_restore = replay(doc.original, [e for e in doc.edits if e.stage != "restore"])
    restorations = [e for e in doc.edits if e.stage == "restore"]
    counts = Counter(e.stage for e in doc.edits)
    title = doc.title or doc.source
    status = doc.metadata.get("reference_status")
    similarity = doc.metadata.get("reference_similarity")
    status_html = ""
    if status:
        status_html = f"<p class='status-warn'>reference: {html.escape(str(status))}</p>"
    elif similarity is not None:
        status_html = f"<p class='meta'>reference similarity: {float(similarity):.2f}</p>"
    summary = "".join(f"<span>{html.escape(stage)}: {n}</span>" for stage, n in sorted(counts.items()))
    warnings = "".join(f"<li>{html.escape(w)}</li>" for w in doc.warnings)
    reference = str(doc.metadata.get("reference") or "none")
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>docmend review — {html.escape(title)}</title>
<style>{STYLE}</style></head>
<body>
<h1>{html.escape(title)}</h1>
<p class="meta">source: {html.escape(doc.source)}<br>reference: {html.escape(reference)}</p>
{status_html}
<p class="summary" id="summary"><span id="restored-count">{len(restorations)} restored</span>
<span id="suggestion-count">{len(doc.suggestions)} suggestions</span>{summary}</p>
{f"<ul>{warnings}</ul>" if warnings else ""}
<h2 id="restorations">Restorations ({len(restorations)})</h2>
{_rows(before_restore, restorations, suggestion=False)}
<h2 id="suggestions">Suggestions, not applied ({len(doc.suggestions)})</h2>
{_rows(before_restore, doc.suggestions, suggestion=True)}
<h2>Restored text</h2>
<div id="text">{"".join(f"<p>{html.escape(p)}</p>" for p in doc.paragraphs)}</div>
</body></html>
"""
