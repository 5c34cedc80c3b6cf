"""Train the learned chrome line classifier (pipeline/stages/chrome/line_model.py) on the labelled tuning pages.

Reads tests/fixtures/real_tuning/*.txt with their line labels (labels/NAME.tsv); the held-out pages are never
read. Each page is cleaned up to the chrome stage (the text that stage sees), its candidate lines scored and
turned into features, and each candidate given the label of the raw line it comes from. L2-regularised
logistic regression, fitted by Newton's method (deterministic, numpy only). The regularisation and the removal
threshold are chosen by leave-one-site-out cross-validation: for each strength, the lowest threshold at which
no body line of a left-out site would be removed (beyond those the hand-set score removes), and the strength
that then catches the most chrome lines the hand-set score leaves.

Run: ``python scripts/train_chrome_model.py`` prints the cross-validation figures; ``--write`` writes
``rules/common/chrome_model.toml``; ``--check`` exits 1 when the shipped file differs from what training gives.
"""

from __future__ import annotations

import argparse
import copy
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.language import opencc_converter  # noqa: E402
from pipeline.rules import RuleSet, load_rules  # noqa: E402
from pipeline.runner import CLEANING_STEPS, Step, clean_text  # noqa: E402
from pipeline.stages.chrome import strip_chrome  # noqa: E402
from pipeline.stages.chrome.blocks import BlockSettings  # noqa: E402
from pipeline.stages.chrome.data import ChromeSettings, load_lexicon, looks_traditional  # noqa: E402
from pipeline.stages.chrome.line_model import FEATURES, line_features, removable  # noqa: E402
from pipeline.stages.chrome.score import score_every_line  # noqa: E402

TUNING = ROOT / "tests" / "fixtures" / "real_tuning"
MODEL_FILE = ROOT / "rules" / "common" / "chrome_model.toml"
STRENGTHS = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)  # the L2 penalty on the weights (the bias is not penalised)
MIN_REMOVE_AT = 0.8  # precision first: the model removes a line only when it is at least this sure
THRESHOLDS = tuple(round(MIN_REMOVE_AT + 0.01 * i, 2) for i in range(round((1 - MIN_REMOVE_AT) * 100)))
MARGIN = 0.02  # added to the cross-validated threshold
FLAG_AT = 0.5
DIGITS = 3
PAGE_LINES = 20
TOLERANCE = 1


@dataclass
class Page:
    """One tuning page as the chrome stage sees it, pass after pass: candidates (each distinct line and
    features once), their features and labels."""

    name: str
    site: str
    texts: list[tuple[str, dict]]  # the text (and metadata) each candidate was scored in
    items: list
    features: np.ndarray
    labels: np.ndarray  # 1 chrome, 0 body / title / mixed
    hand: np.ndarray  # removed by the hand-set line score
    chrome_lines: int  # labelled chrome lines of the raw page
    rows: list[int] = field(default_factory=list)  # the raw line number of each candidate


def sites() -> dict[str, str]:
    """Page name -> site, from the tuning README (``- `NAME.txt` — URL (site): ...``)."""
    out = {}
    for line in (TUNING / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("- `") and "(" in line:
            name = line[3:].split("`", 1)[0].removesuffix(".txt")
            out[name] = line.split("(", 1)[1].split(")", 1)[0]
    return out


def read_labels(path: Path, raw: str) -> dict[int, str]:
    """Raw line number -> label, checked against the page's text."""
    lines = raw.split("\n")
    labels = {}
    for row in path.read_text(encoding="utf-8").splitlines():
        number, label, text = row.split("\t", 2)
        assert lines[int(number) - 1].strip() == text, (path.name, number)
        assert label in ("chrome", "body", "title", "mixed"), (path.name, number, label)
        labels[int(number)] = label
    return labels


def chrome_inputs(raw: str, rules: RuleSet) -> list[tuple[str, dict]]:
    """The texts (and metadata) the chrome stage is given while ``raw`` is cleaned, pass after pass, with
    the hand-set chrome rules only (the model switched off)."""
    without_model = copy.copy(rules)
    without_model.settings = {**rules.settings, "chrome_model": {"enabled": False}}
    seen: list[tuple[str, dict]] = []

    def recording(text: str, *, rules: RuleSet, metadata: dict) -> list:
        seen.append((text, copy.deepcopy(metadata)))
        return strip_chrome(text, rules=without_model, metadata=metadata)

    steps = [Step(s.stage, s.name, recording) if s.name == "strip_chrome" else s for s in CLEANING_STEPS]
    clean_text(raw, rules=without_model, steps=steps)
    return seen


def line_key(line: str) -> str:
    """What a line keeps through the stages before the chrome stage: its letters, digits and Han
    characters, in simplified characters."""
    return "".join(RE_WORD_CHARS.findall(_to_simplified(line)))


def _to_simplified(text: str) -> str:
    return opencc_converter("t2s").convert(text)


RE_WORD_CHARS = regex.compile(r"[\p{Han}\p{L}\p{N}]+")


def find_label(line: str, raw_lines: list[tuple[int, str, str, str]]) -> tuple[int, str] | None:
    """The raw line a candidate comes from (equal text, or the same letters and digits, or held in a raw
    line after the stages split it), as (line number, label); None when it cannot be told."""
    stripped, key = line.strip(), line_key(line)
    for number, text, raw_key, label in raw_lines:
        if text == stripped or (key and raw_key == key):
            return number, label
    if len(key) >= 2:
        for number, _, raw_key, label in raw_lines:
            if key in raw_key:
                return None if label == "mixed" else (number, label)  # a piece of a mixed line: unknown
    return None


def load_pages(rules: RuleSet) -> list[Page]:
    cfg, blocks = ChromeSettings.read(rules), BlockSettings.read(rules)
    by_site = sites()
    pages = []
    for path in sorted(TUNING.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        labels = read_labels(TUNING / "labels" / f"{path.stem}.tsv", raw)
        raw_lines = [
            (n, line.strip(), line_key(line), labels[n]) for n, line in enumerate(raw.split("\n"), 1) if n in labels
        ]
        seen: set[tuple[int, bytes]] = set()
        items, rows, features, hand, texts = [], [], [], [], []
        for text, metadata in chrome_inputs(raw, rules):
            lexicon = load_lexicon(rules, traditional=looks_traditional(text))
            scored = score_every_line(text, cfg, lexicon, metadata) if lexicon else []
            matrix = line_features(text, scored, cfg, blocks)
            for item, row in zip(scored, matrix, strict=True):
                found = find_label(item.line, raw_lines)
                if found is None or (found[0], row.tobytes()) in seen:
                    continue
                seen.add((found[0], row.tobytes()))
                items.append(item)
                rows.append(found)
                features.append(row)
                hand.append(item.score(cfg.mid_factor, cfg.gap_factor) >= cfg.remove_at)
                texts.append((text, metadata))
        pages.append(
            Page(
                path.stem,
                by_site[path.stem],
                texts,
                items,
                np.array(features, dtype=np.float64).reshape(len(items), len(FEATURES)),
                np.array([label == "chrome" for _, label in rows], dtype=np.float64),
                np.array(hand, dtype=bool),
                sum(label == "chrome" for label in labels.values()),
                [number for number, _ in rows],
            )
        )
    return pages


def fit(pages: list[Page], strength: float) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method: (weights, bias). Each page weighs at most
    ``PAGE_LINES`` lines: a page with a long menu does not make every short line chrome."""
    used = [p for p in pages if len(p.items)]
    x, y = np.vstack([p.features for p in used]), np.concatenate([p.labels for p in used])
    share = np.concatenate([np.full(len(p.items), min(1.0, PAGE_LINES / len(p.items))) for p in used])
    a = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(a.shape[1])
    penalty = np.full(a.shape[1], strength)
    penalty[-1] = 1e-6
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(a @ w)))
        gradient = a.T @ (share * (p - y)) + penalty * w
        hessian = (a * (share * p * (1 - p))[:, None]).T @ a + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return w[:-1], float(w[-1])


def predict(x: np.ndarray, weights: np.ndarray, bias: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(x @ weights + bias))) if len(x) else np.zeros(0)


@dataclass
class Figures:
    """Leave-one-site-out figures at one threshold."""

    threshold: float
    caught: int  # labelled chrome lines the model would remove
    caught_new: int  # ... that the hand-set line score does not remove
    lost: int  # body, title or mixed lines the model would remove that the hand-set score keeps
    lost_alone: int  # ... and those it removes too
    chrome: int  # labelled chrome lines among the candidates
    chrome_all: int  # labelled chrome lines of the pages


def cross_validate(pages: list[Page], rules: RuleSet, strength: float) -> dict[str, np.ndarray]:
    """Out-of-fold probabilities of each page's candidates, each site's pages predicted by a model trained
    on the other sites."""
    out = {}
    for site in sorted({p.site for p in pages}):
        weights, bias = fit([p for p in pages if p.site != site], strength)
        for page in pages:
            if page.site == site:
                out[page.name] = predict(page.features, weights, bias)
    return out


def figures(pages: list[Page], rules: RuleSet, probabilities: dict[str, np.ndarray], threshold: float) -> Figures:
    """What the model would remove at ``threshold``, counted in distinct raw lines (a line the chrome stage
    sees in several passes counts once: removed if it is removed in one)."""
    cfg = ChromeSettings.read(rules)
    caught, caught_new, lost, lost_alone, chrome = set(), set(), set(), set(), set()
    for page in pages:
        if not len(page.items):
            continue
        mask = np.zeros(len(page.items), dtype=bool)
        likely = probabilities[page.name] >= threshold
        for text, metadata in {id(t[0]): t for t in page.texts}.values():
            idx = [i for i, t in enumerate(page.texts) if t[0] is text]
            mask[idx] = removable(text, [page.items[i] for i in idx], page.features[idx], likely[idx], cfg, metadata)
        hand = {row for row, by_hand in zip(page.rows, page.hand, strict=True) if by_hand}
        for i, row in enumerate(page.rows):
            line = (page.name, row)
            if page.labels[i] == 1:
                chrome.add(line)
                if mask[i]:
                    caught.add(line)
                    if row not in hand:
                        caught_new.add(line)
            elif mask[i]:
                lost_alone.add(line)
                if row not in hand:
                    lost.add(line)
    return Figures(
        threshold,
        len(caught),
        len(caught_new),
        len(lost),
        len(lost_alone),
        len(chrome),
        sum(p.chrome_lines for p in pages),
    )


def choose(pages: list[Page], rules: RuleSet, verbose: bool = True) -> tuple[float, Figures]:
    """The strength and leave-one-site-out figures at the lowest threshold losing no body line (beyond
    those the hand-set score removes anyway)."""
    results = []
    for strength in STRENGTHS:
        probabilities = cross_validate(pages, rules, strength)
        safe = next(
            (f for t in THRESHOLDS if (f := figures(pages, rules, probabilities, t)).lost == 0),
            figures(pages, rules, probabilities, 1.0),
        )
        if verbose:
            print(
                f"strength {strength:5}: lowest safe threshold {safe.threshold:.2f}: chrome lines caught "
                f"{safe.caught}/{safe.chrome} candidates ({safe.chrome_all} labelled), {safe.caught_new} beyond "
                f"the hand-set score, body lines lost {safe.lost} ({safe.lost_alone} counting those the hand-set "
                "score removes)"
            )
        results.append((strength, safe))
    # the strongest regularisation within TOLERANCE lines of the best: a line more is noise on these pages
    most = max(f.caught_new for _, f in results)
    return [(s, f) for s, f in results if f.caught_new >= most - TOLERANCE][-1]


def train(rules: RuleSet | None = None, verbose: bool = True) -> str:
    """The model file's text: trained on all tuning pages at the chosen strength and threshold."""
    rules = rules if rules is not None else load_rules()
    pages = load_pages(rules)
    strength, cv = choose(pages, rules, verbose)
    remove_at = round(min(0.99, cv.threshold + MARGIN), 2)
    probabilities = cross_validate(pages, rules, strength)
    at_shipped = figures(pages, rules, probabilities, remove_at)
    weights, bias = fit(pages, strength)
    summary = (
        f"leave-one-site-out ({len({p.site for p in pages})} sites, {len(pages)} pages) at remove_at {remove_at}: "
        f"chrome lines caught {at_shipped.caught}/{at_shipped.chrome} candidates ({at_shipped.chrome_all} "
        f"labelled), {at_shipped.caught_new} of them beyond the hand-set score; body lines lost {at_shipped.lost} "
        f"({at_shipped.lost_alone} counting those the hand-set score removes as well)"
    )
    if verbose:
        print(f"chosen: strength {strength}, {summary}")
    lines = [
        "# The learned chrome line classifier (pipeline/stages/chrome/line_model.py): logistic regression over the",
        "# line scorer's evidence and each candidate line's shape. Written by scripts/train_chrome_model.py --write",
        "# from the line labels of tests/fixtures/real_tuning/labels/ (tuning pages only; the held-out pages are",
        f"# never read): {sum(len(p.items) for p in pages)} candidate lines of {len(pages)} pages, L2 strength",
        f"# {strength} and remove_at chosen by leave-one-site-out cross-validation: the lowest threshold from",
        f"# {MIN_REMOVE_AT} at which no body line of a left-out site is removed (beyond those the hand-set score",
        f"# removes anyway), plus {MARGIN}. Do not edit by hand: retrain.",
        f"# {summary}",
        "[chrome_model]",
        "enabled = true",
        "# a candidate is removed from this probability on (where it stands in a zone; see line_model.py)",
        f"remove_at = {remove_at}",
        "# ... and flagged from this one",
        f"flag_at = {FLAG_AT}",
        f"bias = {bias:.{DIGITS}f}",
        "",
        "[chrome_model.weights]",
    ]
    lines += [f"{name} = {value:.{DIGITS}f}" for name, value in zip(FEATURES, weights, strict=True)]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {MODEL_FILE.relative_to(ROOT)}")
    parser.add_argument("--check", action="store_true", help="exit 1 when the shipped model differs")
    args = parser.parse_args()
    text = train()
    if args.write:
        MODEL_FILE.write_text(text, encoding="utf-8")
        print(f"wrote {MODEL_FILE.relative_to(ROOT)}")
    if args.check:
        same = MODEL_FILE.exists() and MODEL_FILE.read_text(encoding="utf-8") == text
        print("shipped model reproduced" if same else "shipped model differs from training")
        return 0 if same else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
