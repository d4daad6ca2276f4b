"""Counts mined from a corpus of parsed captions, used to order the lexicon's substitutes.

The lexicon decides what may replace what (a valid contrast); the corpus decides which valid choice
comes first: the attribute most often seen on that object, the object most often seen with the
caption's other objects. A hard negative should be plausible, and plausible choices are the ones
captions actually use. Nothing here can make an invalid substitute valid: it only reorders.
Relation counts are kept (they are part of the digest) but do not order relations: the lexicon's
best-contrast order reproduced more benchmark negatives (docs/REPLICATION.md).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from toolkit.text.lexicon import Lexicon, load_lexicon
from toolkit.text.parse import Parse


def canonical_object(lex: Lexicon, lemma: str) -> str:
    entry = lex.object_entry(lemma) or lex.object_entry(lemma.split(" ")[-1])
    return entry.canonical if entry else lemma


@dataclass
class CorpusCounts:
    """Co-occurrence counts over the scene views of a set of captions."""

    source: str = ""
    captions: int = 0
    objects: Counter = field(default_factory=Counter)
    attributes: Counter = field(default_factory=Counter)
    attribute_object: Counter = field(default_factory=Counter)
    cooccur: Counter = field(default_factory=Counter)
    relations: Counter = field(default_factory=Counter)
    relation_subject: Counter = field(default_factory=Counter)
    relation_object: Counter = field(default_factory=Counter)

    @classmethod
    def from_parses(cls, parses: Iterable[Parse], source: str, lexicon: Lexicon | None = None) -> CorpusCounts:
        lex = lexicon or load_lexicon()
        counts = cls(source=source)
        for parse in parses:
            counts.add(parse, lex)
        return counts

    def add(self, parse: Parse, lex: Lexicon) -> None:
        scene = parse.scene
        self.captions += 1
        names = [canonical_object(lex, o.lemma) for o in scene.objects]
        self.objects.update(set(names))
        self.cooccur.update(tuple(sorted(p)) for p in combinations(sorted(set(names)), 2))
        for att in scene.attributes:
            if att.kind in {"block", "group", "compound", "article"}:
                continue
            self.attributes[att.lemma] += 1
            self.attribute_object[(att.lemma, names[att.obj])] += 1
        for rel in scene.relations:
            self.relations[rel.lemma] += 1
            if rel.subj is not None:
                self.relation_subject[(rel.lemma, names[rel.subj])] += 1
            if rel.obj is not None:
                self.relation_object[(rel.lemma, names[rel.obj])] += 1

    def digest(self) -> str:
        """A short hash of the counts, recorded with runs that used them."""
        blob = json.dumps([self.captions, sorted(self.attribute_object.items()), sorted(self.cooccur.items()),
                           sorted(self.relation_subject.items())], default=str)
        return hashlib.sha1(blob.encode()).hexdigest()[:12]

    @staticmethod
    def _order(words: Sequence[str], score) -> list[str]:
        """Highest score first; ties keep the lexicon's order."""
        return [w for _, _, w in sorted((-score(w), i, w) for i, w in enumerate(words))]

    def rank_attributes(self, obj: str, words: Sequence[str]) -> list[str]:
        """Attributes seen on this object first, then the corpus's frequent ones."""
        return self._order(words, lambda w: self.attribute_object[(w, obj)] + 0.01 * self.attributes[w])

    def rank_objects(self, context: Sequence[str], words: Sequence[str]) -> list[str]:
        """Objects seen with the caption's other objects first, then the frequent ones."""
        def score(w: str) -> float:
            return sum(self.cooccur[tuple(sorted((w, c)))] for c in context if c != w) + 0.01 * self.objects[w]

        return self._order(words, score)
