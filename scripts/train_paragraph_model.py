"""Fit the paragraph model (``rules/common/paragraph_model.toml``) on the tuning documents of
``tests/paragraph_eval.py`` and write its weights and threshold back into that file.

Run from the repository root: ``python scripts/train_paragraph_model.py [--dry-run]``. Each tuning
document is flattened (every break removed, and with 30% kept, several seeds); the paragraph starts the
other rules find are taken as known; every remaining sentence end outside a quotation is one example,
labelled by whether the document has a paragraph break there, with the features of
:func:`pipeline.stages.paragraph_model.boundary_features` (the last break taken from the truth). A logistic
regression with an L2 penalty is fitted by Newton's method. The penalty and the threshold are chosen by
leaving one tuning document out at a time: each is split (by the whole cleaner) with a model fitted on the
others; for each penalty, the threshold with the best paragraph-boundary F1 whose precision stays at or
above ``MIN_PRECISION`` at every keep rate; of the penalties whose F1 is within ``F1_TOLERANCE`` of the
best, the strongest wins (smaller differences are noise on so few documents). The weights written are
then fitted on every tuning document.
The held-out documents are never read. The length prior (``rules/common/paragraph_lengths.toml``), which runs
after the model, is switched off throughout: the model is fitted and judged on its own breaks.
"""

from __future__ import annotations

import dataclasses
import random
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from paragraph_eval import KEEP_BREAK_RATES, SEEDS, Counts, Source, flatten, score_case, sources  # noqa: E402

from pipeline.rules import RuleSet, load_rules  # noqa: E402
from pipeline.stages.paragraph_model import (  # noqa: E402
    ParagraphModel,
    features_for_training,
    paragraph_model,
    with_paragraph_model,
)
from pipeline.stages.paragraphs import _body_start, split_paragraphs  # noqa: E402

MODEL_FILE = ROOT / "rules" / "common" / "paragraph_model.toml"
TRAIN_SEEDS = range(8)
L2_CHOICES = (3.0, 10.0, 30.0, 100.0)
MIN_PRECISION = 0.98
F1_TOLERANCE = 0.01
THRESHOLDS = [round(0.50 + 0.025 * k, 3) for k in range(20)]


def with_model(rules: RuleSet, weights: dict[str, float], threshold: float) -> RuleSet:
    """``rules`` with the model switched on, its weights and threshold replaced."""
    return with_paragraph_model(rules, weights=weights, threshold=threshold)


def without_length_prior(rules: RuleSet) -> RuleSet:
    """``rules`` with the length prior (``[paragraph_lengths]``) switched off."""
    tables = dict(rules.settings)
    tables["paragraph_lengths"] = {**tables.get("paragraph_lengths", {}), "enabled": False}
    return dataclasses.replace(rules, settings=tables)


def flattened(source: Source, rate: float, seed: int) -> tuple[str, set[int], int]:
    """The flattened text as the cleaner gets it, the positions of its true paragraph starts, where its body starts."""
    body = flatten(source.paragraphs, random.Random(seed), rate)
    prefix = (source.title + "\n") if source.title else ""
    truth: set[int] = set()
    pos = len(prefix)
    for paragraph in source.paragraphs[:-1]:
        pos += len(paragraph)
        if body[pos - len(prefix)] == "\n":
            pos += 1
        truth.add(pos)
    return prefix + body, truth, len(prefix)


def examples(rules: RuleSet, model: ParagraphModel, source: Source) -> tuple[np.ndarray, np.ndarray]:
    """The feature matrix and labels over every flattened copy of one tuning document."""
    names = model.feature_names
    rows, labels = [], []
    bare = with_model(rules, {}, 1.0)
    for rate in KEEP_BREAK_RATES:
        for seed in TRAIN_SEEDS if rate else range(1):
            text, truth, _ = flattened(source, rate, seed)
            metadata = {"title": source.title} if source.title else {}
            edits = split_paragraphs(text, rules=bare, metadata=metadata)
            known = sorted(e.end for e in edits if e.after == "\n")
            body_start = _body_start(text, source.title or "")
            for features, label in features_for_training(text, model, known, body_start, truth):
                rows.append([features[n] for n in names])
                labels.append(1.0 if label else 0.0)
    return np.array(rows).reshape(-1, len(names)), np.array(labels)


def fit(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[float, np.ndarray]:
    """Logistic regression (bias unpenalised) by Newton's method: (bias, weights)."""
    design = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ w, -30, 30)))
        grad = design.T @ (p - y) + penalty * w
        hess = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return float(w[0]), w[1:]


def tuning_counts(rules: RuleSet, tuning: list[Source]) -> dict[float, Counts]:
    """Paragraph-boundary counts over ``tuning`` at each keep rate (the whole cleaner)."""
    out = {}
    for rate in KEEP_BREAK_RATES:
        total = Counts()
        for source in tuning:
            for seed in SEEDS if rate else range(1):
                total = total + score_case(source, rate, seed, rules)
        out[rate] = total
    return out


def weights_of(model: ParagraphModel, bias: float, w: np.ndarray) -> dict[str, float]:
    return {"bias": bias, **{name: float(v) for name, v in zip(model.feature_names, w, strict=True)}}


def cross_validated(
    rules: RuleSet, model: ParagraphModel, tuning: list[Source], data: list[tuple[np.ndarray, np.ndarray]], l2: float
) -> dict[float, dict[float, Counts]]:
    """Counts per threshold and keep rate, each document split by a model fitted on the others."""
    table = {t: {r: Counts() for r in KEEP_BREAK_RATES} for t in THRESHOLDS}
    for k, source in enumerate(tuning):
        x = np.vstack([d[0] for i, d in enumerate(data) if i != k])
        y = np.concatenate([d[1] for i, d in enumerate(data) if i != k])
        weights = weights_of(model, *fit(x, y, l2))
        for threshold in THRESHOLDS:
            counts = tuning_counts(with_model(rules, weights, threshold), [source])
            for rate, c in counts.items():
                table[threshold][rate] = table[threshold][rate] + c
    return table


def choose(table: dict[float, dict[float, Counts]]) -> tuple[float, float] | None:
    """(threshold, F1 over both rates) with the best F1 whose precision is at least MIN_PRECISION at each rate."""
    best = None
    for threshold, counts in table.items():
        total = sum(counts.values(), Counts())
        if all(c.precision >= MIN_PRECISION for c in counts.values()) and (best is None or total.f1 > best[1]):
            best = (threshold, total.f1)
    return best


def _line(counts: dict[float, Counts]) -> str:
    return "  ".join(f"kept {r}: P {c.precision:.3f} R {c.recall:.3f} F1 {c.f1:.3f}" for r, c in counts.items())


def write(weights: dict[str, float], threshold: float) -> None:
    """Write the weights table and the threshold into the model file (the weights table ends the file)."""
    text = MODEL_FILE.read_text(encoding="utf-8")
    text = text[: re.search(r"(?m)^\[paragraph_model\.weights\]", text).start()]  # type: ignore[union-attr]
    text = re.sub(r"(?m)^threshold = .*$", f"threshold = {threshold}", text, count=1)
    lines = ["[paragraph_model.weights]", "# fitted by scripts/train_paragraph_model.py: do not edit by hand"]
    lines += [f"{name} = {value:.4f}" for name, value in weights.items()]
    MODEL_FILE.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    # fitted and judged without the length prior, which runs after the model and has precision of its own
    rules = without_length_prior(load_rules())
    tuning = [s for s in sources(rules, include_held_out=False) if not s.held_out]
    # the features need the cues only: a model with a zero weight stands in while fitting
    model = paragraph_model(with_model(rules, {"bias": 0.0}, 0.5))
    assert model is not None
    data = [examples(rules, model, source) for source in tuning]
    print(f"{sum(len(d[1]) for d in data)} examples, {int(sum(d[1].sum() for d in data))} breaks")
    results = []
    for l2 in L2_CHOICES:
        table = cross_validated(rules, model, tuning, data, l2)
        best = choose(table)
        if "-v" in sys.argv:
            for threshold, counts in table.items():
                print(f"  L2 {l2} threshold {threshold:.3f}: {_line(counts)}")
        print(f"L2 {l2}: leave-one-document-out best {best}")
        if best is not None:
            print(f"  {_line(table[best[0]])}")
            results.append((l2, best[0], best[1]))
    if not results:
        sys.exit("no threshold keeps the precision on held-back tuning documents")
    # the strongest penalty whose F1 is within F1_TOLERANCE of the best: differences that small are noise
    top = max(f1 for _, _, f1 in results)
    l2, threshold, _ = max((r for r in results if r[2] >= top - F1_TOLERANCE), key=lambda r: r[0])
    x = np.vstack([d[0] for d in data])
    y = np.concatenate([d[1] for d in data])
    weights = weights_of(model, *fit(x, y, l2))
    for name, value in weights.items():
        print(f"  {name:20} {value:+.3f}")
    print(
        f"chosen L2 {l2}, threshold {threshold}; on all tuning documents: "
        f"{_line(tuning_counts(with_model(rules, weights, threshold), tuning))}"
    )
    if "--dry-run" not in sys.argv:
        write({k: round(v, 4) for k, v in weights.items()}, threshold)


if __name__ == "__main__":
    main()
