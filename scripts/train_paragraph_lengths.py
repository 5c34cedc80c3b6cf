"""Fit the length prior (``rules/common/paragraph_lengths.toml``) on the real tuning texts of
``tests/paragraph_eval.py`` and write it back into that file.

Run from the repository root: ``python scripts/train_paragraph_lengths.py [--dry-run]``.

* The prior: the geometric mean and the spread (standard deviation of the logarithm) of the lengths of the
  real tuning texts' paragraphs of 20 characters or more.
* The cue weights: a logistic regression (L2 penalty ``L2``) over every sentence end of each real tuning
  text's flattened body, labelled by whether a paragraph starts there, with the cue features of
  :func:`pipeline.stages.paragraph_model.boundary_features` (not the ones that measure the pieces' lengths:
  those are the prior's part).
* ``cue_weight`` and ``break_bonus``: chosen by leaving one real tuning text out at a time: it is cleaned by
  the whole cleaner (every break removed, and 30% kept) with a prior and weights fitted on the others; of the
  grid's settings whose precision over both keep rates is at least ``MIN_PRECISION``, the best F1 wins.

The generator's documents are scored too (they must keep their precision) but do not fit anything. The
held-out documents are never read.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
import statistics
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from paragraph_eval import KEEP_BREAK_RATES, SEEDS, Counts, Source, boundaries, score_case, sources  # noqa: E402
from train_paragraph_model import fit  # noqa: E402

from pipeline.rules import RuleSet, load_rules  # noqa: E402
from pipeline.stages.paragraph_model import (  # noqa: E402
    ParagraphModel,
    boundary_features,
    candidate_ends,
    cue_model,
    document_context,
)

LENGTHS_FILE = ROOT / "rules" / "common" / "paragraph_lengths.toml"
LENGTH_FEATURES = {"before", "after", "before_short", "after_short", "sentences_before", "sentences_after"}
L2 = 1.0
CUE_WEIGHTS = (1.0, 2.0, 3.0)
BREAK_BONUSES = (0.0, 0.5, 1.0, 1.5)
MIN_PRECISION = 0.6
MIN_CHARS = 20


def with_lengths(rules: RuleSet, *, weights: dict[str, float], **fitted: float) -> RuleSet:
    """``rules`` with the length prior's weights and fitted settings (``prior_chars``, ``cue_weight``…) replaced."""
    tables = dict(rules.settings)
    table = dict(tables.get("paragraph_lengths", {}))
    table["fitted"] = {**table.get("fitted", {}), **fitted}
    table["weights"] = weights
    tables["paragraph_lengths"] = table
    return dataclasses.replace(rules, settings=tables)


def bare_model(rules: RuleSet) -> ParagraphModel:
    """The cues of the paragraph model and of the length prior, without weights."""
    return cue_model(rules, {}, rules.settings.get("paragraph_lengths", {}).get("cues", []))


def feature_names(rules: RuleSet) -> list[str]:
    model = bare_model(rules)
    return [name for name in model.feature_names if name not in LENGTH_FEATURES]


def examples(rules: RuleSet, source: Source, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of every sentence end of one text's flattened body."""
    model = bare_model(rules)
    body = "".join(source.paragraphs)
    text = (source.title + "\n" + body) if source.title else body
    context = document_context(text, model, 100)
    truth = boundaries(source.paragraphs)
    ends = list(candidate_ends(body))
    rows = [boundary_features(body, pos, (0, len(body)), ends, model, context) for pos in ends]
    x = np.array([[row[name] for name in names] for row in rows]).reshape(-1, len(names))
    return x, np.array([1.0 if pos in truth else 0.0 for pos in ends])


def prior(paragraphs: list[int]) -> tuple[float, float]:
    logs = [math.log(n) for n in paragraphs]
    return math.exp(statistics.mean(logs)), statistics.stdev(logs)


def fitted(data: dict[str, tuple[np.ndarray, np.ndarray, list[int]]], names: list[str], keep: list[str]) -> dict:
    """The prior and weights fitted on the texts ``keep``."""
    x = np.vstack([data[n][0] for n in keep])
    y = np.concatenate([data[n][1] for n in keep])
    bias, w = fit(x, y, L2)
    chars, sigma = prior([n for name in keep for n in data[name][2]])
    weights = {"bias": round(bias, 4), **{n: round(float(v), 4) for n, v in zip(names, w, strict=True)}}
    return {"prior_chars": round(chars, 1), "log_sigma": round(sigma, 3), "weights": weights}


def counts(rules: RuleSet, source: Source) -> dict[float, Counts]:
    return {
        rate: sum((score_case(source, rate, seed, rules) for seed in (SEEDS if rate else range(1))), Counts())
        for rate in KEEP_BREAK_RATES
    }


def write(settings: dict) -> None:
    """Write the fitted settings and the weights table at the end of the file."""
    text = LENGTHS_FILE.read_text(encoding="utf-8")
    cut = re.search(r"(?m)^# fitted by scripts/train_paragraph_lengths\.py", text)
    text = text[: cut.start()] if cut else text.rstrip("\n") + "\n\n"
    lines = ["# fitted by scripts/train_paragraph_lengths.py: do not edit by hand", "[paragraph_lengths.fitted]"]
    for key in ("prior_chars", "log_sigma", "cue_weight", "break_bonus"):
        lines.append(f"{key} = {settings[key]}")
    lines += ["", "[paragraph_lengths.weights]"]
    lines += [f"{name} = {value}" for name, value in settings["weights"].items()]
    LENGTHS_FILE.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    rules = load_rules()
    names = feature_names(rules)
    tuning = sources(rules, include_held_out=False)
    real = [s for s in tuning if not s.generated]
    data = {}
    for s in real:
        x, y = examples(rules, s, names)
        data[s.name] = (x, y, [len(p) for p in s.paragraphs if len(p) >= MIN_CHARS])
    print(f"{len(real)} real tuning texts, {sum(len(d[1]) for d in data.values())} sentence ends")
    folds = {s.name: fitted(data, names, [n for n in data if n != s.name]) for s in tuning}
    results = []
    for cue_weight, bonus in itertools.product(CUE_WEIGHTS, BREAK_BONUSES):
        real_total = {rate: Counts() for rate in KEEP_BREAK_RATES}
        generated = Counts()
        for source in tuning:
            layer = with_lengths(rules, cue_weight=cue_weight, break_bonus=bonus, **folds[source.name])
            for rate, c in counts(layer, source).items():
                if source.generated:
                    generated = generated + c
                else:
                    real_total[rate] = real_total[rate] + c
        both = sum(real_total.values(), Counts())
        line = "  ".join(f"kept {r}: P {c.precision:.3f} R {c.recall:.3f} F1 {c.f1:.3f}" for r, c in real_total.items())
        print(f"cue_weight {cue_weight} break_bonus {bonus}: real {line}  generator P {generated.precision:.3f}")
        results.append((both.precision >= MIN_PRECISION, both.f1, cue_weight, bonus))
    ok = [r for r in results if r[0]]
    if not ok:
        sys.exit(f"no setting keeps precision {MIN_PRECISION} on held-back tuning texts")
    _, f1, cue_weight, bonus = max(ok, key=lambda r: r[1])
    settings = {**fitted(data, names, list(data)), "cue_weight": cue_weight, "break_bonus": bonus}
    print(f"chosen cue_weight {cue_weight}, break_bonus {bonus} (leave-one-text-out F1 {f1:.3f}): {settings}")
    if "--dry-run" not in sys.argv:
        write(settings)


if __name__ == "__main__":
    main()
