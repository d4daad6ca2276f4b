"""The learned blind adversary: a logistic regression that reads only the two texts of a pair and says
which one is the true caption (SugarCrepe's "adversarial refinement" baseline).

Features of an ordered pair (X, Y): the 1-2-gram counts of X minus those of Y, plus the word-count
difference. Each pair is shown in a random (seeded) order, labelled 1 when X is the caption. The model
has no intercept, so it is antisymmetric: swapping X and Y flips the margin's sign, and the order carries
no information. The n-gram vocabulary is fitted on the training folds only (an n-gram the training pairs
never show has no weight anyway). Folds are grouped by caption (`GroupKFold`): the model that scores a
pair never saw a pair of the same caption group.

`gap` (margin) > 0: the adversary prefers the caption; 0 is chance. Accuracy = share of gaps > 0 (a tie
counts one half), 0.5 = blind.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

Pair = tuple[str, str]  # (caption, negative)
LENGTH = "<length>"  # the word-count difference feature, named like an n-gram in `telling_ngrams`
TOKEN = r"(?u)\b\w+\b"  # keeps one-letter words ("a"), unlike scikit-learn's default
log = logging.getLogger(__name__)


@dataclass
class CrossFit:
    """Cross-fitted margins, one per pair; `note` says why they are all 0 (chance) when they are."""

    gaps: list[float]
    note: str | None = None


def _words(text: str) -> int:
    return len(text.split())


def _orient(pairs: Sequence[Pair], seed: int) -> tuple[list[str], list[str], np.ndarray]:
    """(first texts, second texts, label: 1 when the first is the caption), in a seeded random order."""
    flip = np.random.default_rng(seed).random(len(pairs)) < 0.5
    xs = [n if f else c for (c, n), f in zip(pairs, flip, strict=True)]
    ys = [c if f else n for (c, n), f in zip(pairs, flip, strict=True)]
    return xs, ys, (~flip).astype(int)


def _vectorizer(texts: Sequence[str]):
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(ngram_range=(1, 2), token_pattern=TOKEN).fit(texts)


def _features(vec, xs: Sequence[str], ys: Sequence[str]) -> sparse.csr_matrix:
    """counts(X) - counts(Y), then the word-count difference as the last column."""
    diff = vec.transform(xs) - vec.transform(ys)
    length = np.array([[_words(x) - _words(y)] for x, y in zip(xs, ys, strict=True)], dtype=float)
    return sparse.hstack([diff, sparse.csr_matrix(length)], format="csr")


def _model(seed: int):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, solver="liblinear", fit_intercept=False, random_state=seed)


def _fit(pairs: Sequence[Pair], seed: int):
    """(vectorizer, fitted model) on these pairs, or None when they hold a single class."""
    xs, ys, label = _orient(pairs, seed)
    if len(set(label.tolist())) < 2:
        return None
    vec = _vectorizer([*xs, *ys])
    return vec, _model(seed).fit(_features(vec, xs, ys), label)


def _margins(fitted, pairs: Sequence[Pair]) -> np.ndarray:
    """w . (phi(caption) - phi(negative)): > 0 when the model prefers the caption."""
    vec, model = fitted
    return _features(vec, [c for c, _ in pairs], [n for _, n in pairs]) @ model.coef_.ravel()


def cross_fit(pairs: Sequence[Pair], groups: Sequence[Hashable], folds: int = 5, seed: int = 0) -> CrossFit:
    """Per pair, the margin of an adversary trained on the other folds (folds grouped by `groups`).

    Fewer distinct groups than folds, or a training fold with a single label, gives 0 (chance) for the
    pairs concerned, with a `note` (also logged) saying so.
    """
    from sklearn.model_selection import GroupKFold

    gaps = np.zeros(len(pairs))
    n_groups = len(set(groups))
    if n_groups < max(folds, 2):
        note = f"adversary: {n_groups} caption group(s) < {max(folds, 2)} folds: not fitted, margins 0 (chance)"
        log.info(note)
        return CrossFit(gaps.tolist(), note)
    notes = []
    index: dict[Hashable, int] = {}
    codes = np.array([index.setdefault(g, len(index)) for g in groups])  # first-seen order: deterministic
    for k, (train, test) in enumerate(GroupKFold(n_splits=folds).split(np.zeros(len(pairs)), groups=codes)):
        fitted = _fit([pairs[i] for i in train], seed + k)
        if fitted is None:
            notes.append(f"fold {k}: one class in training, margins 0 (chance)")
            continue
        gaps[test] = _margins(fitted, [pairs[i] for i in test])
    note = "adversary: " + "; ".join(notes) if notes else None
    if note:
        log.info(note)
    return CrossFit(gaps.tolist(), note)


def adversary_gaps(pairs: Sequence[Pair], groups: Sequence[Hashable], folds: int = 5, seed: int = 0) -> list[float]:
    """Cross-fitted margins (> 0: the adversary prefers the caption); see `cross_fit`."""
    return cross_fit(pairs, groups, folds, seed).gaps


def accuracy(gaps: Sequence[float], eps: float = 1e-9) -> float:
    """Share of pairs where the margin picks the caption (ties count one half); nan when empty."""
    if not gaps:
        return float("nan")
    return sum(1.0 if g > eps else 0.0 if g < -eps else 0.5 for g in gaps) / len(gaps)


def telling_ngrams(pairs: Sequence[Pair], k: int = 5, seed: int = 0) -> dict[str, list[tuple[str, float]]]:
    """The features with the largest weights of an adversary fitted on all `pairs` (descriptive, not
    cross-fitted): "negative" = n-grams that give a text away as the negative (e.g. "lone"), "positive" =
    those that mark the caption. `<length>` is the word-count difference (> 0: longer reads as positive).
    Empty lists when the pairs hold a single class or nothing to learn."""
    fitted = _fit(pairs, seed) if len(pairs) >= 2 else None
    if fitted is None:
        return {"negative": [], "positive": []}
    vec, model = fitted
    names = [*vec.get_feature_names_out().tolist(), LENGTH]
    w = model.coef_.ravel()
    order = np.argsort(w, kind="stable")
    neg = [(names[j], round(float(w[j]), 3)) for j in order[:k] if w[j] < 0]
    pos = [(names[j], round(float(w[j]), 3)) for j in order[::-1][:k] if w[j] > 0]
    return {"negative": neg, "positive": pos}
