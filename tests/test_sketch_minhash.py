"""A document's MinHash signature, taken without sorting its shingles, equals the sorted-set one."""

from __future__ import annotations

import random

import numpy as np

from pipeline.corpus.sketch import Fingerprint, compact_text, minhash, minhash_unsorted, shingle_hashes

WORDS = "通知关于加强网络安全工作的各单位要认真贯彻落实确保取得实效，。第一章总则本办法"


def test_unsorted_signature_is_the_sorted_one():
    rng = random.Random(4)
    for _ in range(300):
        text = "".join(rng.choice(WORDS) for _ in range(rng.choice([0, 3, 5, 6, 40, 400, 3000])))
        hashes = shingle_hashes(compact_text(text))
        expected = minhash(hashes).tobytes() if len(hashes) else None
        assert Fingerprint.of(text).signature == expected
        shuffled = np.repeat(hashes, 2)
        rng.shuffle(shuffled)
        assert np.array_equal(minhash_unsorted(shuffled), minhash(hashes))


def test_an_empty_set_has_the_empty_signature():
    assert not minhash_unsorted(np.zeros(0, dtype=np.uint64)).any()
    assert Fingerprint.of("短").signature is None
