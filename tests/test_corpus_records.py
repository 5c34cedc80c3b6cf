"""``docmend corpus`` over record files (JSONL, gzip, zstd, Parquet) and sharded outputs in every format,
read back with pyarrow, zstandard and datatrove's own readers; fsspec paths (memory filesystem); resume per record."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from conftest import SCRAPED

from pipeline.corpus import CorpusOptions, run_corpus
from pipeline.corpus.inputs import find_corpus_inputs
from pipeline.corpus.shards import arrow_table, read_shard
from pipeline.ingest.records import count_records, read_records

SAMPLE_TEXT = SCRAPED.read_text(encoding="utf-8")
BODY = "坚持以人民为中心的发展思想，推进第{}项重点工作，确保各项任务落到实处。"


def records(count: int = 7) -> list[dict]:
    """Records with a page marker to remove, an id, and fields of their own (nested and typed)."""
    return [
        {"id": f"doc-{i}", "text": f"第 1 页 共 3 页\n{BODY.format(i)}", "url": f"https://example.cn/{i}", "meta": {"n": i}}
        for i in range(count)
    ]


def jsonl_bytes(items: list, *, bad_lines: dict[int, str] | None = None) -> bytes:
    lines = [json.dumps(item, ensure_ascii=False) for item in items]
    for position, line in sorted((bad_lines or {}).items()):
        lines.insert(position - 1, line)
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_records(path: Path, items: list, *, bad_lines: dict[int, str] | None = None) -> Path:
    data = jsonl_bytes(items, bad_lines=bad_lines)
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    elif path.name.endswith(".zst"):
        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    return path


def run(inputs: list, outdir: Path, **options) -> dict:
    return run_corpus(CorpusOptions(inputs=inputs, outdir=outdir, workers=1, timeout=None, **options))


def all_records(outdir: Path, summary: dict) -> list[dict]:
    return [record for name in summary["shards"] for record in read_shard(outdir / name)]


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.zst"])
def test_jsonl_records_in_any_compression(tmp_path, suffix):
    source = write_records(tmp_path / f"in{suffix}", records(3))
    summary = run([source], tmp_path / "out")
    out = all_records(tmp_path / "out", summary)
    assert [record["id"] for record in out] == ["doc-0", "doc-1", "doc-2"]
    assert all("第 1 页" not in record["text"] and BODY.format(0)[:10] in out[0]["text"] for record in out)
    assert out[1]["metadata"] == {"url": "https://example.cn/1", "meta": {"n": 1}}
    assert out[0]["source"] == f"{source}:1" and out[0]["changes"]
    assert summary["documents"] == 3 and summary["ok"] == 3


def test_bad_records_become_error_records_with_their_line(tmp_path):
    bad = {2: "{not json", 4: json.dumps({"id": "no-text", "body": "x"}), 5: "[1, 2]"}
    source = write_records(tmp_path / "in.jsonl", records(3), bad_lines=bad)
    summary = run([source], tmp_path / "out")
    errors = [json.loads(line) for line in (tmp_path / "out" / "errors.jsonl").read_text().splitlines()]
    assert [(e["source"].rsplit(":", 1)[1], e["stage"], e["error"]) for e in errors] == [
        ("2", "ingest", "line 2: not valid JSON"),
        ("4", "ingest", "line 4: no text field 'text'"),
        ("5", "ingest", "line 5: a JSON list, not an object"),
    ]
    assert errors[1]["id"] == "no-text"
    assert summary["ok"] == 3 and summary["failed"] == 3


def test_text_and_id_fields_and_hashed_ids(tmp_path):
    items = [{"content": BODY.format(i), "lang": "zh"} for i in range(3)]
    source = write_records(tmp_path / "in.jsonl", items)
    first = all_records(tmp_path / "a", run([source], tmp_path / "a", text_field="content"))
    again = all_records(tmp_path / "b", run([source], tmp_path / "b", text_field="content"))
    assert [r["id"] for r in first] == [r["id"] for r in again]  # stable across runs
    assert len({r["id"] for r in first}) == 3 and all(len(r["id"]) == 40 for r in first)
    assert first[0]["metadata"] == {"lang": "zh"} and first[0]["text"] == BODY.format(0)
    renamed = [{"key": f"k{i}", "content": BODY.format(i)} for i in range(2)]
    source = write_records(tmp_path / "keyed.jsonl", renamed)
    out = all_records(tmp_path / "c", run([source], tmp_path / "c", text_field="content", id_field="key"))
    assert [r["id"] for r in out] == ["k0", "k1"] and out[0]["metadata"] == {}


def test_parquet_input_rows_and_nulls(tmp_path):
    table = pa.Table.from_pylist([{"text": BODY.format(i), "id": i, "score": i / 2} for i in range(3)] + [{"text": None}])
    pq.write_table(table, tmp_path / "in.parquet")
    summary = run([tmp_path / "in.parquet"], tmp_path / "out")
    out = all_records(tmp_path / "out", summary)
    assert [r["id"] for r in out] == ["0", "1", "2"] and out[2]["metadata"] == {"score": 1.0}
    error = json.loads((tmp_path / "out" / "errors.jsonl").read_text())
    assert error["error"] == "row 4: no text field 'text'"


@pytest.mark.parametrize("output_format", ["jsonl", "jsonl.gz", "jsonl.zst", "parquet"])
def test_sharded_outputs_hold_every_record_once(tmp_path, output_format):
    source = write_records(tmp_path / "in.jsonl", records(7))
    summary = run([source], tmp_path / "out", output_format=output_format, shard_size=3)
    assert summary["shards"] == [f"corpus-0000{n}.{output_format}" for n in range(3)]
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.name.startswith("corpus")) == summary["shards"]
    sizes = [sum(1 for _ in read_shard(tmp_path / "out" / name)) for name in summary["shards"]]
    assert sizes == [3, 3, 1]
    out = all_records(tmp_path / "out", summary)
    assert [r["id"] for r in out] == [f"doc-{i}" for i in range(7)]
    assert out[4]["metadata"] == {"url": "https://example.cn/4", "meta": {"n": 4}}
    raw = (tmp_path / "out" / summary["shards"][0]).read_bytes()
    magic = {"jsonl": b"{", "jsonl.gz": b"\x1f\x8b", "jsonl.zst": b"\x28\xb5\x2f\xfd", "parquet": b"PAR1"}
    assert raw.startswith(magic[output_format])
    assert not [p for p in (tmp_path / "out").iterdir() if "partial" in p.name or p.name.endswith(".tmp")]


def test_single_shard_without_shard_size(tmp_path):
    source = write_records(tmp_path / "in.jsonl", records(2))
    summary = run([source], tmp_path / "out", output_format="jsonl.zst")
    assert summary["shards"] == ["corpus.jsonl.zst"]
    with zstandard.open(tmp_path / "out" / "corpus.jsonl.zst", "rt", encoding="utf-8") as handle:
        assert [json.loads(line)["id"] for line in handle] == ["doc-0", "doc-1"]


def test_default_output_is_still_one_plain_corpus_jsonl(tmp_path):
    summary = run([SCRAPED], tmp_path / "out")
    assert summary["shards"] == ["corpus.jsonl"]
    record = json.loads((tmp_path / "out" / "corpus.jsonl").read_text(encoding="utf-8"))
    assert record["metadata"] == {} and record["text"]


def test_parquet_columns_arrow_cannot_type_are_json(tmp_path):
    rows = [{"id": "a", "metadata": {}, "x": 1}, {"id": "b", "metadata": {}, "x": "text"}]
    table = arrow_table(rows)
    assert table.schema.field("metadata").type == pa.string() and table.schema.field("x").type == pa.string()
    pq.write_table(table, tmp_path / "t.parquet")
    assert list(read_shard(tmp_path / "t.parquet")) == rows


def test_resume_finishes_the_records_left(tmp_path):
    """A run killed after some records (staging file and one finished shard left) resumes record by record."""
    source = write_records(tmp_path / "in.jsonl", records(7), bad_lines={3: "oops"})
    complete = run([source], tmp_path / "full", output_format="parquet", shard_size=3)
    expected = all_records(tmp_path / "full", complete)
    partial = tmp_path / "partial"
    partial.mkdir()
    pq.write_table(arrow_table(expected[:3]), partial / "corpus-00000.parquet")
    staged = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in expected[3:4])
    (partial / ".corpus-00001.partial.jsonl").write_text(staged + '{"id": "torn', encoding="utf-8")
    with pytest.raises(Exception, match="--resume"):
        run([source], partial, output_format="parquet", shard_size=3)
    summary = run([source], partial, output_format="parquet", shard_size=3, resume=True)
    assert summary["resumed"] == 4 and summary["processed"] == 4  # 3 records and the bad line
    assert summary["shards"] == complete["shards"]
    strip = lambda rs: [{k: v for k, v in r.items() if k != "source"} for r in rs]  # noqa: E731
    assert strip(all_records(partial, summary)) == strip(expected)


def test_datatrove_readers_load_the_outputs(tmp_path):
    pytest.importorskip("datatrove")
    from datatrove.pipeline.readers import JsonlReader, ParquetReader

    source = write_records(tmp_path / "in.jsonl", records(4))
    for output_format, reader in (("jsonl.zst", JsonlReader), ("jsonl.gz", JsonlReader), ("parquet", ParquetReader)):
        outdir = tmp_path / output_format
        run([source], outdir, output_format=output_format, shard_size=3)
        kwargs = {"compression": "infer"} if reader is JsonlReader else {}
        docs = list(reader(str(outdir), glob_pattern=f"corpus-*.{output_format}", **kwargs)())
        assert [doc.id for doc in docs] == ["doc-0", "doc-1", "doc-2", "doc-3"], output_format
        assert docs[2].text == BODY.format(2)
        assert docs[2].metadata["url"] == "https://example.cn/2" and docs[2].metadata["meta"] == {"n": 2}
        assert docs[2].metadata["changes"]["page_artefacts"] >= 1 and "han_share" in docs[2].metadata["quality"]


def test_memory_filesystem_inputs(tmp_path):
    fs = fsspec.filesystem("memory")
    fs.pipe("/docmend-test/shards/a.jsonl.zst", zstandard.ZstdCompressor().compress(jsonl_bytes(records(2))))
    fs.pipe("/docmend-test/shards/sub/b.jsonl", jsonl_bytes(records(3)[2:]))
    fs.pipe("/docmend-test/shards/c.txt", SAMPLE_TEXT.encode("gb18030"))
    fs.pipe("/docmend-test/shards/notes.bin", b"\x00\x01")
    try:
        found = find_corpus_inputs(["memory://docmend-test/shards"])
        assert len(found) == 4 and found.unsupported == ["memory:///docmend-test/shards/notes.bin"]
        summary = run(["memory://docmend-test/shards"], tmp_path / "out")
        out = {r["id"]: r for r in all_records(tmp_path / "out", summary)}
        assert {"doc-0", "doc-1", "doc-2"} <= set(out) and summary["ok"] == 4
        file_record = next(r for r in out.values() if r["source"].endswith("c.txt"))
        assert file_record["title"] == "在调研网信工作强调要求"
    finally:
        fs.rm("/docmend-test", recursive=True)


def test_local_and_memory_filesystems_read_the_same_records(tmp_path):
    data = zstandard.ZstdCompressor().compress(jsonl_bytes(records(3), bad_lines={2: "{"}))
    (tmp_path / "a.jsonl.zst").write_bytes(data)
    fsspec.filesystem("memory").pipe("/docmend-same/a.jsonl.zst", data)
    try:
        local = list(read_records(str(tmp_path / "a.jsonl.zst")))
        via_url = list(read_records(f"file://{tmp_path / 'a.jsonl.zst'}"))
        memory = list(read_records("memory://docmend-same/a.jsonl.zst"))
        assert local == via_url == memory and len(local) == 4 and local[1].error == "line 2: not valid JSON"
        assert count_records("memory://docmend-same/a.jsonl.zst") == 4
    finally:
        fsspec.filesystem("memory").rm("/docmend-same", recursive=True)


def test_a_truncated_shard_gives_its_records_and_one_error(tmp_path):
    data = zstandard.ZstdCompressor().compress(jsonl_bytes(records(40)))
    source = tmp_path / "cut.jsonl.zst"
    source.write_bytes(data[: len(data) // 2])
    summary = run([source, write_records(tmp_path / "whole.jsonl", records(2))], tmp_path / "out")
    errors = [json.loads(line) for line in (tmp_path / "out" / "errors.jsonl").read_text().splitlines()]
    assert len(errors) == 1 and "cannot be read from here on" in errors[0]["error"]
    assert summary["failed"] == 1 and summary["ok"] >= 2  # the records before the cut, and the other file's
    assert summary["documents"] == summary["ok"] + summary["failed"]
