"""Start-up: rule patterns read back from the cache behave as compiled ones; tables read without heavy imports."""

from __future__ import annotations

import re

import pytest
import regex

from pipeline import pattern_cache, rules
from pipeline.stages.damage.injected import _case_variants


def _fresh_rules():
    rules._load.cache_clear()
    return rules.load_rules()


def _behaviour(ruleset):
    """Per rule: its pattern, flags, groups, literals, and what it finds in its own examples."""
    return {
        rule.id: (
            rule.pattern.pattern,
            rule.pattern.flags,
            rule.pattern.groupindex,
            rule.literals,
            [
                [m.span() for m in rule.pattern.finditer(text)]
                for example in rule.examples
                for text in (example.before, example.after)
            ],
        )
        for rule in ruleset.rules
    }


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCMEND_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("DOCMEND_PATTERN_CACHE", raising=False)
    yield tmp_path / "cache"
    rules._load.cache_clear()


def test_cached_patterns_match_as_compiled_ones(cache_dir, monkeypatch):
    monkeypatch.setenv("DOCMEND_PATTERN_CACHE", "0")
    compiled = _behaviour(_fresh_rules())
    monkeypatch.delenv("DOCMEND_PATTERN_CACHE")
    first = _behaviour(_fresh_rules())  # compiles and writes the cache
    assert list(cache_dir.glob("patterns-*.marshal"))

    def no_compiling(pattern, flags):
        raise AssertionError(f"compiled although cached: {pattern}")

    monkeypatch.setattr(pattern_cache, "compile_recorded", no_compiling)
    cached = _behaviour(_fresh_rules())  # every rule pattern from the cache
    assert compiled == first == cached
    assert sum(bool(found) for *_, spans in cached.values() for found in spans) > 50  # the examples do match


def test_a_corrupt_or_unwritable_cache_is_ignored(cache_dir, tmp_path, monkeypatch):
    expected = _behaviour(_fresh_rules())
    for path in cache_dir.glob("patterns-*.marshal"):
        path.write_bytes(b"\x00not marshal")
    assert _behaviour(_fresh_rules()) == expected
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("DOCMEND_CACHE_DIR", str(blocker / "cache"))  # under a file: cannot be made
    assert _behaviour(_fresh_rules()) == expected


def test_a_bad_pattern_is_still_a_rule_error(cache_dir, tmp_path):
    (tmp_path / "layer").mkdir()
    (tmp_path / "layer" / "bad.toml").write_text(
        '[[rule]]\nid = "x.bad"\ndescription = "d"\npattern = "(unclosed"\n', encoding="utf-8"
    )
    with pytest.raises(rules.RuleError, match="bad regular expression"):
        rules.load_rules([tmp_path / "layer"])


def test_recorded_arguments_rebuild_the_same_pattern():
    compiled, arguments = pattern_cache.compile_recorded(r"(?P<title>.+?)第\d+页", regex.V0)
    assert arguments is not None
    rebuilt = regex._main._regex.compile(*arguments)
    assert rebuilt.pattern == compiled.pattern and rebuilt.groupindex == compiled.groupindex
    assert rebuilt.fullmatch("通知第12页").group("title") == "通知"


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
