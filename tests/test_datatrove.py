"""docmend inside datatrove: a real LocalPipelineExecutor runs JsonlReader → DocmendCleaner → JsonlWriter."""

from __future__ import annotations

import gzip
import json

import pytest
from conftest import REFERENCE, SCRAPED

pytest.importorskip("datatrove")

from datatrove.data import Document
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

from docmend.integrations.datatrove import DocmendCleaner

BOILERPLATE = "《在调研网信工作强调要求.docx》由会员分享"


def test_local_pipeline_executor_cleans_and_restores(tmp_path):
    scraped = SCRAPED.read_text(encoding="utf-8")
    reference = REFERENCE.read_text(encoding="utf-8")
    source = tmp_path / "in"
    source.mkdir()
    rows = [
        {"id": "plain", "text": scraped, "metadata": {"url": "https://example.cn/1"}},
        {"id": "with-ref", "text": scraped, "metadata": {"reference": reference}},
        {"id": "empty", "text": "第 1 页 共 2 页\n- 2 -\n", "metadata": {}},
    ]
    (source / "docs.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    executor = LocalPipelineExecutor(
        pipeline=[JsonlReader(str(source)), DocmendCleaner(), JsonlWriter(str(tmp_path / "out"))],
        tasks=1,
        logging_dir=str(tmp_path / "logs"),
    )
    stats = executor.run()
    [output] = list((tmp_path / "out").glob("*.jsonl.gz"))
    docs = {d["id"]: d for d in map(json.loads, gzip.open(output, "rt", encoding="utf-8"))}
    assert set(docs) == {"plain", "with-ref"}  # the page with no body is dropped
    assert BOILERPLATE in scraped and BOILERPLATE not in docs["plain"]["text"]
    assert docs["plain"]["text"].startswith("在调研网信工作强调要求\n")
    assert "*月*日" in docs["plain"]["text"] and "*月*日" not in docs["with-ref"]["text"]
    meta = docs["with-ref"]["metadata"]["docmend"]
    assert meta["restored"] > 0 and meta["changes"]["boilerplate"] >= 1 and "han_share" in meta["quality"]
    assert docs["plain"]["metadata"]["url"] == "https://example.cn/1"
    cleaner_stats = next(s for s in stats.stats if DocmendCleaner.name in s.name)
    assert cleaner_stats.stats["total"].total == 3
    assert cleaner_stats.stats["dropped_no_body"].total == 1 and cleaner_stats.stats["cleaned"].total == 2
    assert cleaner_stats.stats["restored"].total == meta["restored"]


def test_cleaner_keeps_empty_documents_when_asked():
    docs = [Document(text="第 1 页 共 2 页\n", id="x")]
    kept = list(DocmendCleaner(drop_empty=False).run(iter(docs)))
    assert len(kept) == 1 and kept[0].text == "" and kept[0].metadata["docmend"]["status"] != "ok"
