"""The language tables: cached once as arrays, read back the same; the word table answers like a set."""

from __future__ import annotations

import random

import numpy as np

from pipeline import language
from pipeline.tables import WordTable, cached_tables


def test_tables_are_built_once_then_read_back_the_same(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCMEND_CACHE_DIR", str(tmp_path / "cache"))
    source = tmp_path / "dict.txt"
    source.write_text("网络 3 n\n", encoding="utf-8")
    builds = []

    def build():
        builds.append(1)
        return {"a": np.arange(5, dtype=np.int64), "words": np.array(["网络安全体系", "中华"], dtype=str)}

    first = cached_tables(source, build)
    second = cached_tables(source, build)
    assert len(builds) == 1 and list((tmp_path / "cache").glob("tables-*.npz"))
    assert first.keys() == second.keys()
    assert all(np.array_equal(first[k], second[k]) for k in first)
    source.write_text("网络 4 n\n", encoding="utf-8")  # another dictionary: built again
    cached_tables(source, build)
    assert len(builds) == 2


def test_an_unwritable_cache_still_gives_the_tables(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("DOCMEND_CACHE_DIR", str(blocker / "cache"))  # under a file: cannot be made
    source = tmp_path / "dict.txt"
    source.write_text("x", encoding="utf-8")
    assert cached_tables(source, lambda: {"a": np.ones(3)})["a"].tolist() == [1.0, 1.0, 1.0]


def test_word_table_answers_like_the_set_and_dict_of_the_words():
    words, freqs = language.dictionary_entries()
    rnd = random.Random(3)
    picked = sorted(rnd.sample(range(len(words)), 30_000))
    chosen = [words[i] for i in picked] + ["中华人民共和国万岁", "𠀀字", "网络"]
    weights = np.array([float(freqs[i]) for i in picked] + [7.0, 8.0, 9.0])
    table = WordTable.from_words(chosen, weights)
    expected = {}
    for word, weight in zip(chosen, weights.tolist(), strict=True):
        if len(word) >= 2:
            expected[word] = weight
    probes = list(expected) + [w[:-1] for w in expected] + [w + "的" for w in chosen[:2000]] + ["", "网", "a\x00"]
    for probe in probes:
        assert (probe in table) == (probe in expected), probe
        assert table.get(probe, -1.0) == expected.get(probe, -1.0), probe


def test_dictionary_words_hold_every_word_of_two_characters_or_more():
    words, _ = language.dictionary_entries()
    table = language.dictionary_words()
    sample = random.Random(5).sample(words, 20_000)
    assert all((word in table) == (len(word) >= 2) for word in sample)


def test_bigram_log_frequencies_answer_each_pair_as_the_table_does(monkeypatch):
    keys, logs = language.bigram_table()
    simple = language.simplified_code_points()
    rng = random.Random(5)
    known = [(int(k) >> 21, int(k) & 0x1FFFFF) for k in keys[:: len(keys) // 200]]
    pairs = known + [(rng.randrange(0x4E00, 0x9FA6), rng.randrange(0x4E00, 0x9FA6)) for _ in range(300)]
    pairs = pairs * 3 + [("網", "絡"), ("网", "络")]  # repeats; a traditional pair read as its simplified one
    pairs = [(ord(a), ord(b)) if isinstance(a, str) else (a, b) for a, b in pairs]
    rng.shuffle(pairs)
    table = dict(zip(keys.tolist(), logs.tolist(), strict=True))
    expected = [table.get(int(simple[a]) << 21 | int(simple[b]), language.LOG_FLOOR) for a, b in pairs]
    first, second = (np.array(side, dtype=np.int64) for side in zip(*pairs, strict=True))
    for chunk in (1 << 18, 7):  # one piece, and many pieces
        monkeypatch.setattr(language, "PAIR_CHUNK", chunk)
        got = language.bigram_log_frequencies(first, second)
        assert np.allclose(got, expected)
    assert got[[i for i, p in enumerate(pairs) if p == (ord("網"), ord("絡"))]].max() > language.LOG_FLOOR
