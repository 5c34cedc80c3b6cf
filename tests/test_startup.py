"""Start-up: tables read without heavy imports, case variants from one scan, bad patterns still rule errors."""

from __future__ import annotations

import re

import pytest

from pipeline import rules
from pipeline.stages.damage.injected import _case_variants


def test_a_bad_pattern_is_a_rule_error(tmp_path):
    (tmp_path / "layer").mkdir()
    (tmp_path / "layer" / "bad.toml").write_text(
        '[[rule]]\nid = "x.bad"\ndescription = "d"\npattern = "(unclosed"\n', encoding="utf-8"
    )
    with pytest.raises(rules.RuleError, match="bad regular expression"):
        rules.load_rules([tmp_path / "layer"])


@pytest.mark.parametrize("ch", list("pdfxksé1."))
def test_case_variants_are_those_a_case_insensitive_pattern_matches(ch):
    single = re.compile(re.escape(ch), re.IGNORECASE)
    assert _case_variants(ch) == frozenset(c for c in map(chr, range(0x10000)) if single.fullmatch(c))


def test_pinyin_readings_are_pypinyins_own_without_importing_it():
    import subprocess
    import sys

    from pypinyin.pinyin_dict import pinyin_dict

    from pipeline.stages.damage.pinyin import _pinyin_dict

    assert _pinyin_dict() == pinyin_dict and len(pinyin_dict) > 40000
    probe = "from pipeline.stages.damage.pinyin import _pinyin_dict; import sys; _pinyin_dict(); print('pypinyin' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert shown.strip() == "False"


def test_warm_up_leaves_the_dictionary_words_unread():
    from pipeline import language
    from pipeline.warmup import warm_up

    language.dictionary_entries.cache_clear()
    warm_up(rules.load_rules())
    assert language.dictionary_entries.cache_info().currsize == 0  # the tables came from the cache
