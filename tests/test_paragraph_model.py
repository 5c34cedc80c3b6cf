"""The paragraph model (pipeline/stages/paragraph_model.py): breaks between sentences of flattened text
where no explicit cue stands, weighed by a logistic model fitted by scripts/train_paragraph_model.py.

Its figures on the tuning and held-out documents are pinned in tests/test_paragraph_recovery.py; these
tests hold what the model may do at all (only after a sentence end, outside quotations, pieces long
enough), that its weights are data that match its features, and that its tuning texts are apart from
the held-out ones.
"""

from __future__ import annotations

import itertools

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st
from paragraph_eval import sources

from pipeline.rules import RuleSet
from pipeline.runner import clean_text
from pipeline.stages.paragraph_model import (
    RULE_ID,
    candidate_ends,
    model_paragraph_starts,
    paragraph_model,
    surviving_paragraph_chars,
    with_paragraph_model,
)
from pipeline.stages.paragraphs import PARAGRAPH_CHARS, split_paragraphs

LEAD = (
    "中共中央总书记、国家主席、中央军委主席习近平近日在山西考察时强调，山西要认真落实党中央关于促进中部地区加快崛起的战略部署，要坚持稳中求进工作总基调，完整准确全面贯彻新发展理念，"
    "统筹好发展和安全，努力在推动资源型经济转型发展上迈出新步伐，奋力谱写推进中国式现代化新篇章。"
)
VISIT = "7月7日至8日，习近平在山西省委书记和省长陪同下，先后到阳泉、太原考察调研。"
REST = (
    "百团大战是抗日战争中的重大战役，极大振奋了全国军民抗战到底的信心。记者在纪念馆看到，一张张历史照片、一件件珍贵实物，"
    "生动展现了抗日军民同仇敌忾、勇御外侮的光辉历史，习近平不时驻足察看和沉思。"
)
QUOTE = "“中国近年来致力于战胜贫困等发展经验值得学习，对于拉美人民来说，这是很好的榜样。”巴西劳动者电视台记者毛路说。"
NEWS = LEAD + VISIT + REST


@pytest.fixture(scope="module")
def model_rules(rules: RuleSet) -> RuleSet:
    return with_paragraph_model(rules)


def test_a_long_news_stretch_is_split_where_a_new_time_opens_a_sentence(model_rules: RuleSet) -> None:
    starts = model_paragraph_starts(NEWS, rules=model_rules)
    assert [NEWS[pos : pos + 6] for pos, _, _ in starts] == ["7月7日至8"]
    assert all(rule_id == RULE_ID and "probability" in reason for _, rule_id, reason in starts)


def test_a_paragraph_of_ordinary_length_is_left_whole(model_rules: RuleSet) -> None:
    assert model_paragraph_starts(LEAD + VISIT, rules=model_rules) == []


def test_the_model_is_off_unless_switched_on_and_needs_its_weights(rules: RuleSet, model_rules: RuleSet) -> None:
    assert paragraph_model(rules) is None  # the packaged rules leave it off
    assert model_paragraph_starts(NEWS, rules=rules) == []
    assert "\n" not in clean_text(NEWS, rules=rules).text
    no_weights = with_paragraph_model(rules, weights={})
    assert model_paragraph_starts(NEWS, rules=no_weights) == []
    assert model_paragraph_starts(NEWS, rules=model_rules) != []


def test_the_cleaner_puts_the_models_break_in_with_its_rule_id(model_rules: RuleSet) -> None:
    doc = clean_text(NEWS, rules=model_rules)
    assert doc.text.split("\n")[1].startswith("7月7日至8日")
    assert any(edit.rule_id == RULE_ID for edit in doc.edits)


def test_weights_match_the_features(model_rules: RuleSet) -> None:
    model = paragraph_model(model_rules)
    assert model is not None
    weights = set(model_rules.setting("paragraph_model", "weights"))
    assert weights == {"bias", *model.feature_names}
    assert 0.5 <= model.threshold < 1.0


def test_candidates_are_sentence_ends_outside_quotations() -> None:
    text = "他说：“好。走吧。”大家笑了。会议指出，要抓落实……下一步工作另行安排。"
    assert [text[:pos][-4:] for pos in candidate_ends(text)] == ["走吧。”", "家笑了。", "落实……"]


def test_kept_paragraph_length_is_measured_once_per_document(model_rules: RuleSet) -> None:
    """Later passes see the model's own breaks; they must not count as paragraphs that kept theirs."""
    kept = "\n".join(["这是一个保留了段落换行的段落，长度正好足够二十个字。"] * 3)
    metadata: dict = {}
    split_paragraphs(kept + "\n" + QUOTE, rules=model_rules, metadata=metadata)
    assert metadata[PARAGRAPH_CHARS] == surviving_paragraph_chars(kept) == 26
    longer = "\n".join([QUOTE] * 4)  # the next pass: more lines, of another length
    split_paragraphs(longer, rules=model_rules, metadata=metadata)
    assert metadata[PARAGRAPH_CHARS] == 26
    metadata_flat: dict = {}
    split_paragraphs(QUOTE, rules=model_rules, metadata=metadata_flat)
    assert metadata_flat[PARAGRAPH_CHARS] is None


PIECES = [LEAD, VISIT, REST, QUOTE, "“", "”", "。", "……", "他说，", "会议强调，", "据了解，", "目前，", "7月7日，"]
SENTENCE_END_BEFORE = regex.compile(r"(?:[。！？!?]|……)[”’」』]?$")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=14))
def test_model_breaks_follow_a_sentence_end_outside_quotes_and_leave_long_pieces(
    model_rules: RuleSet, pieces: list[str]
) -> None:
    text = "".join(pieces)
    model = paragraph_model(model_rules)
    assert model is not None
    starts = [pos for pos, _, _ in model_paragraph_starts(text, rules=model_rules)]
    allowed = set(candidate_ends(text))
    bounds = [0, *starts, len(text)]
    for pos in starts:
        assert pos in allowed and SENTENCE_END_BEFORE.search(text[:pos]), text[pos - 10 : pos + 5]
    if starts:
        assert all(b - a >= model.min_piece_chars for a, b in itertools.pairwise(bounds))


def test_tuning_texts_are_apart_from_the_held_out_ones(rules: RuleSet) -> None:
    """No real tuning text shares a run of 20 characters with a held-out one (no copy of one on both sides;
    the generator's speeches share set phrases of the party's language with the gov.cn page)."""
    found = sources(rules)
    held = ["".join(s.paragraphs) for s in found if s.held_out]
    for source in (s for s in found if not s.held_out and not s.generated):
        text = "".join(source.paragraphs)
        pieces = {text[i : i + 20] for i in range(0, max(1, len(text) - 20), 10)}
        assert not any(piece in other for piece in pieces for other in held), source.name
    assert not any(s.held_out for s in sources(rules, include_held_out=False))
