"""The learned blind adversary: a logistic regression that reads only the two texts of a pair and says
which one is the true caption (SugarCrepe's "adversarial refinement" baseline).

Features of an ordered pair (X, Y): the 1-2-gram counts of X minus those of Y, plus the word-count
difference. Each pair is shown in a random (seeded) order, labelled 1 when X is the caption. The model
(logistic regression, C=1, liblinear) has no intercept, so it is antisymmetric: swapping X and Y flips
the margin's sign, and the order carries no information. Folds are grouped by caption (`GroupKFold`):
the model that scores a pair never saw a pair of the same caption group. The n-gram vocabulary is
counted once over all the pairs' texts, which gives the same margins as one fitted per training fold
(see `PairFeatures`).

`gap` (margin) > 0: the adversary prefers the caption; 0 is chance. Accuracy = share of gaps > 0 (a tie
counts one half), 0.5 = blind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Any

import numpy as np
from scipy import sparse

Pair = tuple[str, str]  # (caption, negative)
LENGTH = "<length>"  # the word-count difference feature, named like an n-gram in `telling_ngrams`
TOKEN = r"(?u)\b\w+\b"  # keeps one-letter words ("a"), unlike scikit-learn's default
log = logging.getLogger(__name__)


def _one_thread(f: Callable) -> Callable:
    """Run `f` with one BLAS/OpenMP thread: these fits are small, and on a busy machine the pools' threads
    waiting for each other cost several times the work (58 s instead of 8 s for one audit category)."""

    @wraps(f)
    def run(*args: Any, **kwargs: Any) -> Any:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            return f(*args, **kwargs)

    return run


@dataclass
class CrossFit:
    """Cross-fitted margins, one per pair; `note` says why they are all 0 (chance) when they are."""

    gaps: list[float]
    note: str | None = None


def _words(text: str) -> int:
    return len(text.split())


@dataclass
class PairFeatures:
    """delta = phi(caption) - phi(negative) per pair: the 1-2-gram count differences, then the word-count
    difference as the last column; `names` names the columns.

    The vocabulary is every n-gram of the pairs' texts. Fitting it on the training folds only would give
    the same margins: an n-gram no training pair shows has an all-zero training column, and an L2-penalised
    logistic regression gives such a column weight 0 (its dual solution is a combination of the rows)."""

    delta: sparse.csr_matrix
    names: list[str]

    @classmethod
    def of(cls, pairs: Sequence[Pair]) -> PairFeatures:
        from sklearn.feature_extraction.text import CountVectorizer

        vec = CountVectorizer(ngram_range=(1, 2), token_pattern=TOKEN)
        counts = vec.fit_transform([t for pair in pairs for t in pair]) if pairs else None
        if counts is None or not counts.shape[1]:
            return cls(sparse.csr_matrix((len(pairs), 1)), [LENGTH])
        length = np.array([[_words(c) - _words(n)] for c, n in pairs], dtype=float)
        delta = sparse.hstack([counts[0::2] - counts[1::2], sparse.csr_matrix(length)], format="csr")
        return cls(delta, [*vec.get_feature_names_out().tolist(), LENGTH])


def _oriented(delta: sparse.csr_matrix, seed: int) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Each pair in a seeded random order: features of (first - second), label 1 when the caption is first."""
    first = np.random.default_rng(seed).random(delta.shape[0]) >= 0.5
    sign = np.where(first, 1.0, -1.0)
    return sparse.diags(sign) @ delta, first.astype(int)


def _fit(delta: sparse.csr_matrix, seed: int) -> np.ndarray | None:
    """Weights of the adversary fitted on these pairs' features, or None when they hold a single label."""
    from sklearn.linear_model import LogisticRegression

    x, label = _oriented(delta, seed)
    if len(set(label.tolist())) < 2:
        return None
    model = LogisticRegression(C=1.0, solver="liblinear", fit_intercept=False, random_state=seed)
    return model.fit(x, label).coef_.ravel()


@_one_thread
def cross_fit(pairs: Sequence[Pair], groups: Sequence[Hashable], folds: int = 5, seed: int = 0,
              features: PairFeatures | None = None) -> CrossFit:
    """Per pair, the margin w . delta of an adversary trained on the other folds (folds grouped by `groups`,
    so a caption's pairs never train the model that scores them). `features` may pass the pairs' features
    (e.g. rows of a larger set's, `PairFeatures(delta[rows], names)`) to skip counting the n-grams again.

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
    delta = (features or PairFeatures.of(pairs)).delta
    index: dict[Hashable, int] = {}
    codes = np.array([index.setdefault(g, len(index)) for g in groups])  # first-seen order: deterministic
    notes = []
    for k, (train, test) in enumerate(GroupKFold(n_splits=folds).split(np.zeros(len(pairs)), groups=codes)):
        w = _fit(delta[train], seed + k)
        if w is None:
            notes.append(f"fold {k}: one class in training, margins 0 (chance)")
            continue
        gaps[test] = delta[test] @ w
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


@_one_thread
def telling_ngrams(pairs: Sequence[Pair], k: int = 5, seed: int = 0) -> dict[str, list[tuple[str, float]]]:
    """The features with the largest weights of an adversary fitted on all `pairs` (descriptive, not
    cross-fitted): "negative" = n-grams that give a text away as the negative (e.g. "lone"), "positive" =
    those that mark the caption. `<length>` is the word-count difference (> 0: longer reads as positive).
    Empty lists when the pairs hold a single class or nothing to learn."""
    features = PairFeatures.of(pairs)
    w = _fit(features.delta, seed) if len(pairs) >= 2 else None
    if w is None:
        return {"negative": [], "positive": []}
    order = np.argsort(w, kind="stable")
    neg = [(features.names[j], round(float(w[j]), 3)) for j in order[:k] if w[j] < 0]
    pos = [(features.names[j], round(float(w[j]), 3)) for j in order[::-1][:k] if w[j] > 0]
    return {"negative": neg, "positive": pos}
