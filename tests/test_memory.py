"""Bounded memory on large inputs: what a plain TXT clean loads, and the whole-text scans done in pieces
giving the same answers as one pass. (The peak RSS figures themselves are measured by
``bench/bench_speed.py --only memory``: memory, like time, is a benchmark figure, not a test.)"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
from ahocorasick_rs import AhoCorasick, MatchKind

from pipeline.language import code_points, han_mask
from pipeline.quality import _pair_counts, _pair_keys
from pipeline.stages.chrome.score import literal_starts
from pipeline.stages.normalise import _nearest_solid

ROOT = Path(__file__).resolve().parent.parent
NOT_FOR_TXT = ("pdfminer", "docx", "bs4", "lxml", "rapidfuzz", "pyarrow", "ray", "datatrove")

LOADED_AFTER_CLEAN = """
import json, sys
from pipeline.cli import main
sys.argv = ["docmend", "clean", sys.argv[1], "-o", sys.argv[2], "-q"]
try:
    main()
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "modules": sorted({name.split(".")[0] for name in sys.modules})}))
"""


def test_cleaning_a_txt_file_loads_no_library_only_other_formats_or_a_reference_need(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("关于网络安全工作的通知\n各单位要加强网络安全管理,落实责任。\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", LOADED_AFTER_CLEAN, str(source), str(tmp_path / "out")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] == 0 and (tmp_path / "out" / "notes.txt").exists()
    loaded = set(result["modules"])
    assert "pipeline" in loaded and "numpy" in loaded  # the check itself sees what was imported
    assert loaded.isdisjoint(NOT_FOR_TXT), sorted(loaded & set(NOT_FOR_TXT))


def test_chrome_literals_found_in_pieces_are_those_of_one_scan() -> None:
    automaton = AhoCorasick(["ab", "bc", "下载", "载人", "首页"], matchkind=MatchKind.Standard)
    rng = random.Random(3)
    for _ in range(300):
        text = "".join(rng.choice("ab c\n下载人首页") for _ in range(rng.randint(0, 200)))
        whole = [start for _, start, _ in automaton.find_matches_as_indexes(text)]
        assert literal_starts(automaton, text, rng.randint(1, 20)) == whole


def test_pair_counts_in_pieces_equal_the_counts_of_all_pairs_at_once() -> None:
    rng = random.Random(5)
    text = "".join(rng.choice("网络安全治理体系建设工作,。a1\n") for _ in range(20_000))
    cps = code_points(text)
    han = han_mask(cps)
    kinds, counts = np.unique(_pair_keys(cps, han[:-1] & han[1:]), return_counts=True)
    for piece in (1, 7, 1000, 1 << 21):
        got_kinds, got_counts = _pair_counts(cps, han, piece)
        assert got_kinds.tolist() == kinds.tolist() and got_counts.tolist() == counts.tolist()
    empty_kinds, empty_counts = _pair_counts(cps[:1], han[:1])
    assert len(empty_kinds) == len(empty_counts) == 0


def test_nearest_non_space_found_without_an_index_of_the_text() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choice("  \t\t a中,") for _ in range(rng.randint(0, 60)))
        cps = code_points(text)
        solid = [i for i, ch in enumerate(text) if ch not in " \t"]
        at = np.array(sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, 5))), dtype=np.int64)
        before = [max((s for s in solid if s < a), default=-1) for a in at.tolist()]
        after = [min((s for s in solid if s >= a), default=-1) for a in at.tolist()]
        assert _nearest_solid(text, cps, at - 1, -1).tolist() == before
        assert _nearest_solid(text, cps, at, 1).tolist() == after
