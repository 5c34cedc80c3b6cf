"""Quality gate on real pages of sites no rule file names (tests/fixtures/real_tuning, real_heldout), as
trafilatura's eval_gate: the must-drop / must-keep scores may not fall below pinned floors; and the
anti-copy noise rule's false positives on known-clean body text are counted.

The floors are the figures reached when the gate was written, less a small margin. Precision first: no
must-keep snippet may be lost in either half. ``python tests/real_scores.py -v`` prints the figures.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from conftest import REFERENCE
from real_scores import FIXTURES, HALVES, expectations, pages, score

from pipeline.document import replay
from pipeline.runner import CLEANING_STEPS, clean_text
from pipeline.stages.damage.noise import remove_anti_copy_noise

# must-drop snippets left at most (reached: tuning 33 of 234, held-out 70 of 156 with the forms of issue 10c in
# chrome.toml — SEO keyword + disclaimer tail, CNKI <正> mark, section labels and fold buttons, reading toolbar,
# bulleted menu items, reprint notice, news video credits — and the model retrained on them: the tuning gain
# did not reach the held-out pages, which stayed at 70; before them: tuning 69 of 234, held-out 70 of 156
# with the traditional share header and the 范文 collection intro (chrome.toml) — the held-out gain, 82 -> 70, is all on two pages,
# qilupro_43792861 and xuefen_9303353, whose intro lines the lead had seen in search results before writing
# that template, so it is not evidence of generalisation (the other 43 held-out pages did not move);
# tuning 74 of 234, held-out 82 of 156 with the learned chrome line
# model, rules/common/chrome_model.toml, trained on the tuning pages' line labels; 68 with the weights trained
# before the paragraph length prior and the chrome speed-ups were merged; tuning 86 of 234, held-out
# 82 of 156 once the third batch of
# new sites was added, with the rules as they were then — the third batch alone 70 of 112 and 30 of 57;
# before it: tuning 16 of 122, held-out 52 of 99 with the content-block classifier; 19 and 58 before it —
# the first batch 8 of 96 and 40 of 63, the second batch of new sites 11 of 26 and 18 of 36; with the rules
# as they were when the second batch was added: 34 of 122 and 64 of 99; before the generic chrome stage:
# 91 of 96 and 56 of 63 on the first batch)
MAX_DROP_LEFT = {"real_tuning": 35, "real_heldout": 72}
NOISE_RULES = {"damage.anti-copy-noise", "damage.random-edge-block"}


@pytest.mark.parametrize("half", HALVES)
def test_quality_gate(rules, half):
    scores = score(half, rules)
    assert not scores.keep_lost, f"{half}: body text lost: {_shown(half, scores.keep_lost)}"
    assert len(scores.drop_left) <= MAX_DROP_LEFT[half], (
        f"{half}: {scores.line()}; left: {_shown(half, scores.drop_left)}"
    )


def _shown(half: str, snippets: list[tuple[str, str]]) -> object:
    """What a failure message may show: tuning snippets whole, held-out ones only as page names, so that a
    failing gate never puts held-out text in front of whoever tunes the rules."""
    return snippets if half == "real_tuning" else sorted({page for page, _ in snippets})


def test_halves_are_fixed_and_apart():
    """At least 40 pages from at least 20 sites, no site in both halves (the README names each page's site)."""
    names = {half: [p.stem for p in pages(half)] for half in HALVES}
    assert sum(len(v) for v in names.values()) >= 40
    sites = {half: _sites(FIXTURES / half / "README.md") for half in HALVES}
    assert len(sites["real_tuning"] | sites["real_heldout"]) >= 20
    assert not sites["real_tuning"] & sites["real_heldout"]
    for half in HALVES:
        for page in pages(half):
            expect = expectations(page)
            assert expect["must_drop"] or expect["must_keep"], page.name
            assert all(len(s) >= 10 for s in expect["must_keep"]), page.name


def _sites(readme: Path) -> set[str]:
    return {
        line.split("(", 1)[1].split(")", 1)[0]
        for line in readme.read_text(encoding="utf-8").splitlines()
        if line.startswith("- `")
    }


@pytest.mark.parametrize("half", HALVES)
def test_every_must_drop_needs_the_boilerplate_stages(rules, half):
    """A must-drop snippet that some other stage removes tests nothing: with the boilerplate stage
    (site rules and generic chrome) switched off, every snippet must be left in the output."""
    steps = [step for step in CLEANING_STEPS if step.stage != "boilerplate"]
    vacuous = []
    for page in pages(half):
        text = clean_text(page.read_text(encoding="utf-8"), rules=rules, steps=steps).text
        vacuous += [(page.stem, s) for s in expectations(page)["must_drop"] if s not in text]
    assert not vacuous


def _known_clean_bodies() -> list[tuple[str, str]]:
    """Body text known to be clean: the reference texts, and the long lines of the real pages' bodies
    (each page's lines of at least 30 characters, run together)."""
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in sorted((FIXTURES / "real_pairs").glob("*.reference.txt"))]
    folders = ["real", "real_tuning", "real_heldout", "sites"]
    for page in sorted(p for folder in folders for p in (FIXTURES / folder).glob("*.txt")):
        lines = [line.strip() for line in page.read_text(encoding="utf-8").splitlines() if len(line.strip()) >= 30]
        texts.append((page.name, "".join(lines)))
    return texts


def test_noise_rule_false_positives_at_chunk_edges(rules):
    """Known-clean body text cut into chunks of 20..139 characters (every chunk edge falls inside a
    sentence, often inside a word, as sites cut pages): what the noise rule removes there is a false
    positive. Before the fix it removed 11 pieces of real text at 10,586 such edges ('信豪迈地站在了实' cut
    from '自信豪迈地站在了实|现'); then 2 (a forum post's typos '撒回重评重发吗', and a spam word
    the scraped page itself injected); 3 once the third batch of real pages was added (traditional-script
    words '小編今天就為您帶' of a 范文 site's intro line, cut at a chunk edge of 20 characters)."""
    found = []
    for name, body in _known_clean_bodies():
        for width in range(20, 140, 7):
            cut = "\n".join(body[i : i + width] for i in range(0, len(body), width))
            found += [(name, width, e.before) for e in remove_anti_copy_noise(cut, rules=rules, metadata={})]
    assert len(found) <= 3, found


def test_noise_rule_removes_nothing_from_reference_texts(rules):
    for reference in sorted((FIXTURES / "real_pairs").glob("*.reference.txt")):
        doc = clean_text(reference.read_text(encoding="utf-8"), rules=rules)
        assert not [e for e in doc.edits if e.rule_id in NOISE_RULES], reference.name


@pytest.mark.parametrize("half", HALVES)
def test_noise_rule_leaves_must_keep_text(rules, half):
    """No noise removal touches a must-keep snippet (located in the page's input)."""
    for page in pages(half):
        raw = page.read_text(encoding="utf-8")
        doc = clean_text(raw, rules=rules)
        spans = [(raw.find(s), raw.find(s) + len(s)) for s in expectations(page)["must_keep"] if s in raw]
        hits = [
            e.before
            for e in doc.edits
            if e.rule_id in NOISE_RULES and any(e.input_start < end and start < e.input_end for start, end in spans)
        ]
        assert not hits, (page.name, _shown(half, [(page.name, hit) for hit in hits]))


@pytest.mark.parametrize(
    "text",
    [
        # function characters glue real words (地 站在 了): few dictionary pairs, yet text
        "法国华侨华人会主席蔡君柱表示，中共二十大是中国人民自信豪迈地站在了实\n现中华民族伟大复兴新的历史起点上召开的重要会议。",
        # 记|录 cut by the chunk break: the block at the line's start goes on from the line before
        # (tests/fixtures/real/renrendoc_176260434.txt cut into chunks of 20 characters)
        "以提出看房请求。系统会安排租赁者与房主见\n面。对于每次看房,系统会生成一条看 房记\n录并将其写入看房记录文件中。5收取手续费\n。房主登记完房屋后,系统会生成一份费用",
    ],
    ids=["function-characters", "word-across-break"],
)
def test_noise_rule_keeps_real_text_at_a_chunk_edge(rules, text):
    assert remove_anti_copy_noise(text, rules=rules, metadata={}) == []


def test_word_across_the_break_alone_keeps_a_cut_word(rules):
    """With the function-character guard switched off, the check across the line break still keeps them."""

    without = copy.copy(rules)
    without.settings = copy.deepcopy(rules.settings)
    without.settings["damage_noise"]["block_max_function"] = 99
    for text in (
        "法国华侨华人会主席蔡君柱表示，中共二十大是中国人民自信豪迈地站在了实\n现中华民族伟大复兴新的历史起点上召开的重要会议。",
        "以提出看房请求。系统会安排租赁者与房主见\n面。对于每次看房,系统会生成一条看 房记\n录并将其写入看房记录文件中。5收取手续费\n。房主登记完房屋后,系统会生成一份费用",
    ):
        assert remove_anti_copy_noise(text, rules=without, metadata={}) == []
    # still found: a random block with no word across the break
    body = next(line for line in REFERENCE.read_text(encoding="utf-8").splitlines() if line.startswith("当前，互联网"))
    assert remove_anti_copy_noise(body + "\n整置夫包志模利问球怎" + body, rules=without, metadata={})


@pytest.mark.parametrize("half", HALVES)
def test_real_pages_replay_and_settle(rules, half):
    """Every removal is a logged edit (the report replays to the output) and cleaning the output again
    changes nothing."""
    for page in pages(half):
        raw = page.read_text(encoding="utf-8")
        doc = clean_text(raw, rules=rules)
        assert replay(raw, doc.edits) == doc.text, page.name
        assert clean_text(doc.text, rules=rules).text == doc.text, page.name
        assert all(e.reason for e in doc.edits if e.rule_id.startswith("chrome.")), page.name
