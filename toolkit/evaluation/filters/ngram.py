"""A word trigram language model with interpolated Kneser-Ney smoothing, trained on captions.

Counts support `+` and `-` so that the audit can cross-fit: each caption is scored by a model trained
without the captions of its own fold, so the model never prefers a caption because it memorised it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
BOS, EOS = "<s>", "</s>"


def tokenize(text: str) -> list[str]:
    """Lower-case words (punctuation dropped)."""
    return _WORD.findall(text.lower())


@dataclass
class NgramCounts:
    """Raw trigram counts (with two <s> and one </s> per sentence)."""

    trigrams: Counter = field(default_factory=Counter)
    sentences: int = 0

    def add(self, text: str) -> None:
        words = [BOS, BOS, *tokenize(text), EOS]
        self.trigrams.update(zip(words, words[1:], words[2:], strict=False))
        self.sentences += 1

    def __add__(self, other: NgramCounts) -> NgramCounts:
        return NgramCounts(self.trigrams + other.trigrams, self.sentences + other.sentences)

    def __sub__(self, other: NgramCounts) -> NgramCounts:
        return NgramCounts(self.trigrams - other.trigrams, self.sentences - other.sentences)


def train_counts(texts: Iterable[str]) -> NgramCounts:
    counts = NgramCounts()
    for t in texts:
        counts.add(t)
    return counts


class KneserNey:
    """Interpolated Kneser-Ney trigram model (absolute discount `d`); the unigram level is add-one
    smoothed continuation counts, so unseen words get a small non-zero probability."""

    def __init__(self, counts: NgramCounts, d: float = 0.75) -> None:
        self.d = d
        self.c3 = counts.trigrams
        self.c12: Counter = Counter()  # c(u v .)
        self.n12: Counter = Counter()  # distinct w after (u v)
        self.cont23: Counter = Counter()  # N1+(. v w)
        for (u, v, _w), n in self.c3.items():
            self.c12[(u, v)] += n
            self.n12[(u, v)] += 1
        for (_u, v, w) in self.c3:
            self.cont23[(v, w)] += 1
        self.cont2: Counter = Counter()  # N1+(. v .)
        self.n2: Counter = Counter()  # distinct w with N1+(. v w) > 0
        self.cont3: Counter = Counter()  # N1+(. w) over bigram types
        for (v, w), n in self.cont23.items():
            self.cont2[v] += n
            self.n2[v] += 1
            self.cont3[w] += 1
        self.total_cont = sum(self.cont3.values())
        self.vocab = len(self.cont3) + 1

    def _p1(self, w: str) -> float:
        return (self.cont3[w] + 1) / (self.total_cont + self.vocab)

    def _p2(self, v: str, w: str) -> float:
        lower = self._p1(w)
        denom = self.cont2[v]
        if not denom:
            return lower
        return (max(self.cont23[(v, w)] - self.d, 0) + self.d * self.n2[v] * lower) / denom

    def prob(self, u: str, v: str, w: str) -> float:
        lower = self._p2(v, w)
        denom = self.c12[(u, v)]
        if not denom:
            return lower
        return (max(self.c3[(u, v, w)] - self.d, 0) + self.d * self.n12[(u, v)] * lower) / denom

    def logprob(self, text: str) -> float:
        """Natural-log probability of the whole sentence, </s> included."""
        words = [BOS, BOS, *tokenize(text), EOS]
        return sum(math.log(self.prob(u, v, w)) for u, v, w in zip(words, words[1:], words[2:], strict=False))
