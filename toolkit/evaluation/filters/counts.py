"""Corpus plausibility: attribute-object and subject-relation-object counts mined from stored parses.

A composition's score is a smoothed log ratio, log P(x | context) - log P(x): 0 means "as expected as the
word on its own", negative means the corpus has seen the context often, with few different words, and
never (or rarely) with x. Smoothing is Witten-Bell interpolation towards the unconditioned probability
(prior weight = distinct words seen in the context + `alpha`), which is itself add-one smoothed, so unseen
words and unseen contexts score 0 instead of minus infinity, and a context seen with many different words
("on", "of") penalises a new one far less than a context seen with one word only ("yellow banana").
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

import toolkit
from toolkit.store.models import Caption, ParseRow, utcnow
from toolkit.store.verdicts import PlausibilityCountsRow
from toolkit.text.lexicon import load_lexicon
from toolkit.text.parse import Parse
from toolkit.text.scene import Scene

NONE = "-"  # a missing relation argument

Composition = tuple[str, ...]  # ("att", attr, obj) | ("rel", subj, rel, obj)


def compositions(scene: Scene) -> set[Composition]:
    """The attribute-object pairs and subject-relation-object triples of a scene (counts and articles
    excluded: counting "a person" as an attribute made every new attribute of a person implausible)."""
    objs = scene.objects
    out: set[Composition] = set()
    for a in scene.attributes:
        if a.kind not in {"count", "article"}:  # "a" as a count of one is no attribute either
            out.add(("att", a.lemma, objs[a.obj].lemma))
    for r in scene.relations:
        if r.subj is None and r.obj is None:
            continue
        subj = objs[r.subj].lemma if r.subj is not None else NONE
        obj = objs[r.obj].lemma if r.obj is not None else NONE
        out.add(("rel", subj, r.lemma, obj))
    return out


@dataclass
class PlausibilityCounts:
    """Counts of compositions plus the marginals the smoothing needs; supports + and - (cross-fitting)."""

    att: Counter = field(default_factory=Counter)  # (attr, obj)
    triples: Counter = field(default_factory=Counter)  # (subj, rel, obj)
    captions: int = 0

    def add_scene(self, scene: Scene) -> None:
        self.captions += 1
        for comp in compositions(scene):
            if comp[0] == "att":
                self.att[comp[1:]] += 1
            else:
                self.triples[comp[1:]] += 1

    def __add__(self, other: PlausibilityCounts) -> PlausibilityCounts:
        return PlausibilityCounts(self.att + other.att, self.triples + other.triples, self.captions + other.captions)

    def __sub__(self, other: PlausibilityCounts) -> PlausibilityCounts:
        return PlausibilityCounts(self.att - other.att, self.triples - other.triples, self.captions - other.captions)

    def to_json(self) -> str:
        return json.dumps({
            "captions": self.captions,
            "att": [[*k, n] for k, n in sorted(self.att.items())],
            "triples": [[*k, n] for k, n in sorted(self.triples.items())],
        }, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: str) -> PlausibilityCounts:
        d = json.loads(data)
        return cls(Counter({tuple(r[:2]): r[2] for r in d["att"]}), Counter({tuple(r[:3]): r[3] for r in d["triples"]}),
                   d["captions"])


class PlausibilityModel:
    """Scores compositions against `counts` (see the module docstring for the smoothing)."""

    def __init__(self, counts: PlausibilityCounts, alpha: float = 1.0) -> None:
        self.counts = counts
        self.alpha = alpha
        self.c_a: Counter = Counter()
        self.c_o_att: Counter = Counter()
        self.types: Counter = Counter()  # distinct continuations of each context, for Witten-Bell
        for (a, o), n in counts.att.items():
            self.c_a[a] += n
            self.c_o_att[o] += n
            self.types[("att", o)] += 1
        self.n_att = sum(self.c_a.values())
        self.c_o: Counter = Counter()
        self.c_r: Counter = Counter()
        self.c_s: Counter = Counter()
        self.c_ro: Counter = Counter()
        self.c_sr: Counter = Counter()
        # Which object a relation takes is learned from the uses that have one: "a man walking" (no
        # object) says nothing against "a man walking a horse" (`c_r_obj`, `c_sr_obj` and their types).
        self.c_o_obj: Counter = Counter()
        self.c_r_obj: Counter = Counter()
        self.c_sr_obj: Counter = Counter()
        for (s, r, o), n in counts.triples.items():
            self.c_o[o] += n
            self.c_r[r] += n
            self.c_s[s] += n
            self.c_ro[(r, o)] += n
            self.c_sr[(s, r)] += n
            if o != NONE:
                self.c_o_obj[o] += n
                self.c_r_obj[r] += n
                self.c_sr_obj[(s, r)] += n
                self.types[("s,r", s, r)] += 1
        for (r, o) in self.c_ro:
            if o != NONE:
                self.types[("r", r)] += 1
        for (s, _r) in self.c_sr:
            self.types[("s", s)] += 1
        self.n_rel = sum(self.c_r.values())
        self.n_obj = sum(self.c_o_obj.values())

    @staticmethod
    def _unigram(c: Counter, total: int, key: str) -> float:
        return (c[key] + 1) / (total + len(c) + 1)

    def _interpolate(self, joint: int, context: int, types: int, prior: float) -> float:
        weight = types + self.alpha
        return (joint + weight * prior) / (context + weight)

    def score(self, comp: Composition) -> float:
        """log P(x | context) - log P(x) for one composition."""
        if comp[0] == "att":
            _, a, o = comp
            prior = self._unigram(self.c_a, self.n_att, a)
            p = self._interpolate(self.counts.att[(a, o)], self.c_o_att[o], self.types[("att", o)], prior)
            return math.log(p / prior)
        _, s, r, o = comp
        if o == NONE:  # intransitive: how expected is the relation for this subject
            prior = self._unigram(self.c_r, self.n_rel, r)
            return math.log(self._interpolate(self.c_sr[(s, r)], self.c_s[s], self.types[("s", s)], prior) / prior)
        prior = self._unigram(self.c_o_obj, self.n_obj, o)
        p_o_r = self._interpolate(self.c_ro[(r, o)], self.c_r_obj[r], self.types[("r", r)], prior)
        if s == NONE:
            return math.log(p_o_r / prior)
        p = self._interpolate(self.counts.triples[(s, r, o)], self.c_sr_obj[(s, r)], self.types[("s,r", s, r)], p_o_r)
        return math.log(p / prior)

    def new_compositions(self, caption: Scene, candidate: Scene) -> list[tuple[Composition, float]]:
        """Compositions the candidate has and the caption has not, weakest first."""
        new = compositions(candidate) - compositions(caption)
        return sorted(((c, self.score(c)) for c in new), key=lambda cs: (cs[1], cs[0]))

    def text_score(self, scene: Scene) -> float:
        """Mean score of all compositions of a text (0 when it has none): the audit's plausibility baseline."""
        comps = compositions(scene)
        return sum(self.score(c) for c in comps) / len(comps) if comps else 0.0


def describe(comp: Composition) -> str:
    """"red dog" / "dog chase cat" for messages."""
    if comp[0] == "att":
        return f"{comp[1]} {comp[2]}"
    return " ".join(w for w in comp[1:] if w != NONE)


# ----------------------------------------------------------------------------- mining and storing


def caption_source(engine: Engine) -> dict:
    """What counting the stored captions now would count (its hash names the stored counts)."""
    cap, par = Caption.__table__, ParseRow.__table__
    with engine.connect() as conn:
        n, last = conn.execute(select(func.count(), func.max(cap.c.id)).select_from(cap)
                               .join(par, par.c.text_hash == cap.c.text_hash)).one()
    return {"kind": "captions", "parsed_captions": n, "max_caption_id": last or 0, "lexicon": load_lexicon().version,
            "hardneg": toolkit.__version__, "smoothing": "witten-bell",
            "compositions": "no-articles"}


def source_id(source: dict) -> str:
    return hashlib.sha1(json.dumps(source, sort_keys=True).encode()).hexdigest()[:16]


def iter_caption_parses(engine: Engine, batch: int = 2000) -> Iterable[tuple[str, Parse]]:
    """(caption text_hash, parse) of every stored caption that has a parse, in caption id order."""
    cap, par = Caption.__table__, ParseRow.__table__
    last = 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                select(cap.c.id, cap.c.text, cap.c.text_hash, par.c.data)
                .join(par, par.c.text_hash == cap.c.text_hash)
                .where(cap.c.id > last).order_by(cap.c.id).limit(batch)
            ).all()
        if not rows:
            return
        for _id, text, h, data in rows:
            yield h, Parse.from_json(text, data)
        last = rows[-1][0]


def mine_counts(parses: Iterable[Parse]) -> PlausibilityCounts:
    """Count the compositions of parsed captions."""
    counts = PlausibilityCounts()
    for p in parses:
        counts.add_scene(p.scene)
    return counts


def load_or_mine(engine: Engine) -> tuple[str, dict, PlausibilityCounts]:
    """Counts over the stored captions: reused when nothing was ingested since, else mined and stored.

    Returns (counts id, source description, counts).
    """
    source = caption_source(engine)
    sid = source_id(source)
    table = PlausibilityCountsRow.__table__
    with engine.connect() as conn:
        data = conn.execute(select(table.c.data).where(table.c.id == sid)).scalar_one_or_none()
    if data is not None:
        return sid, source, PlausibilityCounts.from_json(data)
    counts = mine_counts(p for _, p in iter_caption_parses(engine))
    from toolkit.store.queries import insert_ignore

    with engine.begin() as conn:
        insert_ignore(conn, table, [{"id": sid, "source": json.dumps(source), "data": counts.to_json(),
                                     "created_at": utcnow()}], ["id"])
    return sid, source, counts
