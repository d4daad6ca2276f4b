"""Counts mined from a corpus of parsed captions, used to order the lexicon's substitutes.

The lexicon decides what may replace what (a valid contrast); the corpus decides which valid choice
comes first: the attribute most often seen on that object, the object most often seen with the
caption's other objects. A hard negative should be plausible, and plausible choices are the ones
captions actually use. Nothing here can make an invalid substitute valid: it only reorders.
Relation counts are kept (they are part of the digest) but do not order the lexicon's relations: its
best-contrast order reproduced more benchmark negatives (docs/REPLICATION.md). The verb uses (who does
it, to what) are where a verb outside the lexicon finds its substitutes (toolkit/generation/operators/actions.py),
each still checked against WordNet so that none is a synonym, hypernym or troponym.
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
from toolkit.text.scene import Relation


def agent_kind(lex: Lexicon, names: Sequence[str], subj: int | None) -> str:
    """Who does a verb, coarsely: "person", "animal", another lexicon category, "thing" or "" (unknown)."""
    if subj is None:
        return ""
    category = lex.object_category(names[subj].split(" ")[-1])
    return "person" if category in {"person", "person_role"} else category or "thing"


def is_passive(parse: Parse, rel: Relation) -> bool:
    """A past participle without "have": "dough *kneaded* by a woman", "the dough is *kneaded*"."""
    toks = parse.tokens
    return toks[rel.start].tag == "VBN" and not any(
        toks[c].dep == "aux" and toks[c].lemma.lower() == "have" for c in parse.children[rel.start])


def verb_roles(parse: Parse, lex: Lexicon, names: Sequence[str], rel: Relation) -> tuple[str, str]:
    """(agent kind, complement) of a verb; in the passive the subject is what it is done to and the agent
    is the object of "by" ("" when unsaid)."""
    if not is_passive(parse, rel):
        return agent_kind(lex, names, rel.subj), verb_complement(parse, names, rel)
    by = next((r.obj for r in parse.scene.relations if r.kind == "prep" and r.verb == rel.start and r.lemma == "by"), None)
    return agent_kind(lex, names, by), names[rel.subj] if rel.subj is not None else "thing"


def verb_complement(parse: Parse, names: Sequence[str], rel: Relation) -> str:
    """What follows a verb: its object's name, "prep:<word>" for a preposition of its own, or ""."""
    if rel.obj is not None:
        return names[rel.obj]
    if any(t.dep in {"dobj", "dative"} for t in (parse.tokens[c] for c in parse.children[rel.start])):
        return "thing"  # a pronoun or a word the scene has no object for ("arches his back" has one)
    for other in parse.scene.relations:
        if other.kind == "prep" and other.verb == rel.start and other.start == rel.end:
            return f"prep:{other.lemma}"
    return ""


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
    # (verb lemma, agent kind, what follows): the object's name, "prep:<word>", or "" (nothing)
    verb_use: Counter = field(default_factory=Counter)
    # what is worked out from the counts once (the verbs' uses by verb, their order, the action pool)
    derived: dict = field(default_factory=dict, repr=False, compare=False)

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
            if rel.kind == "verb" and " " not in rel.lemma:
                self.verb_use[(rel.lemma, *verb_roles(parse, lex, names, rel))] += 1
        self.derived.clear()

    def uses_of(self, verb: str) -> Counter:
        """How a verb was used: (agent kind, complement) -> count."""
        if "uses" not in self.derived:
            index: dict[str, Counter] = {}
            for (v, agent, comp), n in self.verb_use.items():
                index.setdefault(v, Counter())[(agent, comp)] += n
            self.derived["uses"] = index
        return self.derived["uses"].get(verb, Counter())

    def verbs(self) -> list[str]:
        """The verbs seen, commonest first (ties alphabetical)."""
        if "verbs" not in self.derived:
            totals: Counter = Counter()
            for (v, _, _), n in self.verb_use.items():
                totals[v] += n
            self.derived["verbs"] = [v for v, _ in sorted(totals.items(), key=lambda vn: (-vn[1], vn[0]))]
        return list(self.derived["verbs"])

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
