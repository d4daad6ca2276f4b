"""The text-only bias audit: how often a baseline that never sees the image prefers the positive caption
over its negative, per operator, and `balance`, a subsampling that brings these baselines near chance
(the idea of SugarCrepe's adversarial refinement).

Baselines (each compares the caption with its negative; a tie counts one half):
- length: the shorter text is the positive (characters);
- lm: the higher log-probability under a Kneser-Ney trigram model trained on the ingested captions
  (this mixes in length: every extra word costs probability);
- lm_per_token: the same model's mean log-probability per token (length factored out);
- plausibility: the higher mean corpus plausibility of the text's attribute-object and
  subject-relation-object compositions (`toolkit.evaluation.filters.counts`);
- adversary: a logistic regression over the pair's 1-2-gram count difference and length difference,
  fitted per category on the category's own pairs (`toolkit.evaluation.filters.adversary`).
All trained baselines are cross-fitted: a caption is scored by models trained without its own fold.
After balancing, the adversary is fitted again on the kept items (cross-validated): the subsample's own
artefacts, not the stale margins of the model fitted before, give its balanced figure.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from toolkit.evaluation.filters.adversary import PairFeatures, cross_fit, telling_ngrams
from toolkit.evaluation.filters.counts import PlausibilityCounts, PlausibilityModel, iter_caption_parses
from toolkit.evaluation.filters.ngram import KneserNey, NgramCounts, tokenize
from toolkit.evaluation.filters.select import Selection, iter_selected
from toolkit.generation.names import category_of
from toolkit.store import queries as q
from toolkit.text.parse import Parse, parse_texts

BASELINES = ("length", "lm", "lm_per_token", "plausibility", "adversary")
EPS = 1e-9
Progress = Callable[[int], None]


@dataclass
class Item:
    """One (caption, negative) pair to audit; `ref` is the candidate id or the benchmark's file:key."""

    ref: str
    category: str
    caption: str
    negative: str
    gaps: dict[str, float] = field(default_factory=dict)  # > 0: the baseline prefers the caption

    def prefers(self, baseline: str) -> float:
        g = self.gaps[baseline]
        return 1.0 if g > EPS else 0.0 if g < -EPS else 0.5


@dataclass
class AuditConfig:
    folds: int = 5
    balance: bool = False
    tolerance: float = 0.05  # |accuracy - 0.5| a balanced baseline may keep
    min_keep: float = 0.2  # never keep fewer than this fraction of an operator's items
    baselines: tuple[str, ...] = BASELINES
    kn_discount: float = 0.75
    rounds: int = 12  # balance, re-fit the adversary on the kept items, balance again while it is off chance
    step: float = 0.1  # the most of a category's items one round drops (then the adversary is fitted again)
    top_ngrams: int = 5  # telling n-grams reported per category, each way
    seed: int = 0  # the adversary's pair order


def fold_of(text: str, folds: int) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16) % folds


class _Training:
    """LM and plausibility counts per fold of the training captions (all minus fold = the fold's model)."""

    def __init__(self, folds: int) -> None:
        self.folds = folds
        self.ngrams = [NgramCounts() for _ in range(folds)]
        self.plaus = [PlausibilityCounts() for _ in range(folds)]
        self.seen: set[str] = set()
        self.n = 0

    def add(self, text: str, parse: Parse | None) -> None:
        f = fold_of(text, self.folds)
        self.ngrams[f].add(text)
        if parse is not None:
            self.plaus[f].add_scene(parse.scene)
        self.n += 1

    def models(self, d: float) -> tuple[list[KneserNey], list[PlausibilityModel]]:
        total_ng = sum(self.ngrams[1:], self.ngrams[0])
        total_pl = sum(self.plaus[1:], self.plaus[0])
        lms = [KneserNey(total_ng - self.ngrams[f], d) for f in range(self.folds)]
        pls = [PlausibilityModel(total_pl - self.plaus[f]) for f in range(self.folds)]
        return lms, pls


def _score(items: list[Item], parses: dict[str, Parse], training: _Training, config: AuditConfig) -> dict[str, str]:
    """Every baseline's gap on every item; returns the adversary's notes by category (where it could not
    be fitted and scores chance)."""
    lms, pls = training.models(config.kn_discount)
    for it in items:
        f = fold_of(it.caption, config.folds)
        it.gaps["length"] = float(len(it.negative) - len(it.caption))
        pos, neg = lms[f].logprob(it.caption), lms[f].logprob(it.negative)
        it.gaps["lm"] = pos - neg
        it.gaps["lm_per_token"] = pos / (len(tokenize(it.caption)) + 1) - neg / (len(tokenize(it.negative)) + 1)
        if "plausibility" in config.baselines:  # the only baseline that needs the texts' parses
            it.gaps["plausibility"] = (pls[f].text_score(parses[it.caption].scene)
                                       - pls[f].text_score(parses[it.negative].scene))
    if "adversary" not in config.baselines:
        return {}
    notes = {c: _score_adversary(group, config) for c, group in _by_category(items).items()}
    return {c: note for c, note in sorted(notes.items()) if note}


def _by_category(items: Iterable[Item]) -> dict[str, list[Item]]:
    out: dict[str, list[Item]] = defaultdict(list)
    for it in items:
        out[it.category].append(it)
    return out


def _score_adversary(items: Sequence[Item], config: AuditConfig, features: PairFeatures | None = None) -> str | None:
    """Cross-fitted adversary margins of one category's items (folds grouped by caption); returns the
    adversary's note when it could not be fitted (margins 0 = chance)."""
    fit = cross_fit([(it.caption, it.negative) for it in items], [it.caption for it in items], config.folds,
                    config.seed, features)
    for it, g in zip(items, fit.gaps, strict=True):
        it.gaps["adversary"] = g
    return fit.note


def _telling(items: Sequence[Item], config: AuditConfig) -> dict[str, list]:
    return telling_ngrams([(it.caption, it.negative) for it in items], config.top_ngrams, config.seed)


def accuracies(items: Sequence[Item], baselines: Iterable[str] = BASELINES) -> dict[str, float]:
    """Per baseline, how often it prefers the positive (ties count 1/2)."""
    if not items:
        return {b: float("nan") for b in baselines}
    return {b: round(sum(it.prefers(b) for it in items) / len(items), 4) for b in baselines}


def balance(items: Sequence[Item], config: AuditConfig, floor: int | None = None,
            max_drop: int | None = None) -> tuple[list[Item], list[str]]:
    """Drop items (most one-sided first) until every balanceable baseline is within `tolerance` of chance,
    no drop brings them closer, `max_drop` items are dropped, or `floor` items (default: `min_keep` of
    them) are left. Returns (kept
    items, unbalanceable baselines): a baseline is unbalanceable when too few items go against it to reach
    chance within the floor (length and the total LM score for ADD, whose negatives are longer by
    construction)."""
    if not items:
        return [], []
    floor = max(1, int(len(items) * config.min_keep)) if floor is None else max(1, floor)
    bases, stuck = [], []
    for b in config.baselines:
        acc = sum(it.prefers(b) for it in items) / len(items)
        minority = sum((1 - it.prefers(b)) if acc >= 0.5 else it.prefers(b) for it in items)
        # reachable only if keeping every minority item and `floor` items in all gets within tolerance
        (bases if minority / floor >= 0.5 - config.tolerance else stuck).append(b)
    if not bases:
        return list(items), stuck
    scale = {b: (sum(abs(it.gaps[b]) for it in items) / len(items)) or 1.0 for b in bases}
    classes: dict[tuple[float, ...], list[int]] = defaultdict(list)
    for k, it in enumerate(items):
        classes[tuple(it.prefers(b) for b in bases)].append(k)
    for members in classes.values():  # the most one-sided items go first, ties by position for determinism
        members.sort(key=lambda k: (sum(abs(items[k].gaps[b]) / scale[b] for b in bases), -k))
    sums = [sum(it.prefers(b) for it in items) for b in bases]
    n = len(items)
    removed: set[int] = set()

    def objective(s: list[float], m: int) -> float:
        return sum((x / m - 0.5) ** 2 for x in s)

    limit = len(items) if max_drop is None else max_drop
    while n > floor and len(removed) < limit and max(abs(x / n - 0.5) for x in sums) > config.tolerance:
        current = objective(sums, n)
        best = None
        for vec, members in classes.items():
            if not members:
                continue
            cand = [x - v for x, v in zip(sums, vec, strict=True)]
            score = objective(cand, n - 1)
            if score < current - 1e-12 and (best is None or score < best[0]):
                best = (score, vec, cand)
        if best is None:
            break
        _, vec, sums = best
        removed.add(classes[vec].pop())
        n -= 1
    return [it for k, it in enumerate(items) if k not in removed], stuck


def balance_category(items: Sequence[Item], config: AuditConfig) -> tuple[list[Item], list[str], int]:
    """Balance one category's items in rounds: each drops at most `step` of them (`balance`), then fits
    the adversary again on the kept ones (cross-validated), so that the next round drops what the fresh
    model still finds rather than what a stale one found. Stops when every balanceable baseline is within
    `tolerance`, a round drops nothing, `min_keep` is reached or after `rounds` rounds. The kept items are
    copies carrying the last re-fitted margins. Returns (kept, unbalanceable baselines, rounds run)."""
    floor = max(1, int(len(items) * config.min_keep))
    refit = "adversary" in config.baselines
    step = max(1, math.ceil(len(items) * config.step)) if refit else None
    kept = [replace(it, gaps=dict(it.gaps)) for it in items]
    features = PairFeatures.of([(it.caption, it.negative) for it in kept]) if refit else None
    row = {id(it): r for r, it in enumerate(kept)}
    stuck: list[str] = []
    k = 0
    while k < max(1, config.rounds):
        k += 1
        before = len(kept)
        kept, stuck = balance(kept, config, floor, step)
        if not refit:
            break
        rows = [row[id(it)] for it in kept]
        _score_adversary(kept, config, PairFeatures(features.delta[rows], features.names) if features else None)
        acc = accuracies(kept, config.baselines)
        if len(kept) in (before, floor) or all(abs(acc[b] - 0.5) <= config.tolerance or b in stuck
                                               for b in config.baselines):
            break
    return kept, stuck, k


def _report(items: list[Item], config: AuditConfig, meta: dict) -> dict:
    by_cat = dict(sorted(_by_category(items).items()))
    out: dict[str, Any] = {**meta, "n": len(items), "baselines": list(config.baselines),
                           "overall": accuracies(items, config.baselines),
                           "by_operator": {c: {"n": len(v), **accuracies(v, config.baselines)} for c, v in by_cat.items()}}
    if "adversary" in config.baselines:
        out["telling"] = {c: _telling(v, config) for c, v in by_cat.items()}
    if config.balance:
        kept_all: list[Item] = []
        after, telling = {}, {}
        for c, v in by_cat.items():
            kept, stuck, rounds = balance_category(v, config)
            kept_all.extend(kept)
            after[c] = {"n": len(kept), **accuracies(kept, config.baselines), "unbalanceable": stuck, "rounds": rounds}
            if "adversary" in config.baselines:
                telling[c] = _telling(kept, config)
        out["balanced"] = {"tolerance": config.tolerance, "min_keep": config.min_keep, "n": len(kept_all),
                           "overall": accuracies(kept_all, config.baselines), "by_operator": after}
        if telling:
            out["balanced"]["telling"] = telling
        out["kept"] = kept_all
    return out


def _training_from_db(engine: Engine | None, training: _Training, keep: dict[str, Parse | None] | None = None) -> int:
    """Add the stored parsed captions to `training`; a caption named in `keep` gets its parse put there."""
    if engine is None:
        return 0
    n = 0
    for _h, p in iter_caption_parses(engine):
        if p.text not in training.seen:
            training.seen.add(p.text)
        training.add(p.text, p)
        if keep is not None and p.text in keep:
            keep[p.text] = p
        n += 1
    return n


def _training_texts_from_db(engine: Engine, training: _Training, batch: int = 5000) -> int:
    """Add every stored caption's text to `training` (no parses: enough for the LM baselines)."""
    from sqlalchemy import select

    from toolkit.store.models import Caption

    cap, last, n = Caption.__table__, 0, 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(select(cap.c.id, cap.c.text).where(cap.c.id > last).order_by(cap.c.id).limit(batch)).all()
        if not rows:
            return n
        for _id, text in rows:
            training.seen.add(text)
            training.add(text, None)
            n += 1
        last = rows[-1][0]


def audit_items(engine: Engine | None, items: list[Item], config: AuditConfig | None = None, *, nlp: Any = None,
                progress: Progress | None = None) -> dict:
    """The audit report (as `audit_candidates`) of given pairs, e.g. a benchmark set's items: the baselines
    train on the database's captions plus any of the items' captions it lacks, cross-fitted by caption.
    Only the plausibility baseline needs parses (the captions' stored ones, spaCy for the rest); leave it out
    of `config.baselines` to audit without spaCy. With `config.balance` the report holds "balanced" and
    "kept" (the kept items, carrying the re-fitted adversary's margins)."""
    config = config or AuditConfig()
    training = _Training(config.folds)
    parses: dict[str, Parse] = {}
    if "plausibility" in config.baselines:
        keep: dict[str, Parse | None] = dict.fromkeys(it.caption for it in items)
        n_db = _training_from_db(engine, training, keep)
        parses = {t: p for t, p in keep.items() if p is not None}
        _parse_missing(items, parses, nlp, progress)
    else:
        n_db = _training_texts_from_db(engine, training) if engine is not None else 0
    n_items = 0
    for cap in dict.fromkeys(it.caption for it in items):
        if cap not in training.seen:
            training.seen.add(cap)
            training.add(cap, parses.get(cap))
            n_items += 1
    notes = _score(items, parses, training, config)
    meta = {"adversary_notes": notes, "source": {"kind": "items"},
            "trained_on": {"captions": n_db, "item_captions": n_items, "folds": config.folds,
                           "lm": f"kneser-ney trigram d={config.kn_discount}"}}
    return _report(items, config, meta)


def balance_pairs(engine: Engine | None, items: list[Item], config: AuditConfig | None = None, *, nlp: Any = None,
                  progress: Progress | None = None) -> tuple[list[Item], dict]:
    """Score `items` on every baseline of `config` and balance each category (`balance_category`: rounds
    of subsampling with the adversary re-fitted on what is kept). Returns (kept items, the audit report
    with "balanced"; its "kept" list moved out into the first value)."""
    report = audit_items(engine, items, replace(config or AuditConfig(), balance=True), nlp=nlp, progress=progress)
    return report.pop("kept"), report


def audit_candidates(engine: Engine, selection: Selection | None = None, config: AuditConfig | None = None, *,
                     only_passed: str | None = None, nlp: Any = None, progress: Progress | None = None) -> dict:
    """Audit stored candidates (category = `category_of` operator/subtype); `only_passed` names a judge ("rules",
    "llm:<model>") whose latest verdict must be a pass."""
    from toolkit.evaluation.filters.store import latest_verdicts

    selection, config = selection or Selection(), config or AuditConfig()
    with engine.connect() as conn:
        rows = list(iter_selected(conn, selection))
        if only_passed:
            verdicts = latest_verdicts(conn, only_passed, [r["id"] for r in rows])
            rows = [r for r in rows if verdicts.get(r["id"], {}).get("passed")]
        caption_parses = q.load_parses(conn, {r["caption_hash"] for r in rows})
    training = _Training(config.folds)
    n_train = _training_from_db(engine, training)
    items = [Item(str(r["id"]), category_of(r["operator"], r["subtype"], r["length_delta"]), r["caption"], r["text"])
             for r in rows]
    parses = {}
    for r in rows:
        if r["caption_hash"] in caption_parses:
            parses[r["caption"]] = Parse.from_json(r["caption"], caption_parses[r["caption_hash"]][1])
    _parse_missing(items, parses, nlp, progress)
    notes = _score(items, parses, training, config)
    meta = {"adversary_notes": notes, "source": {"kind": "candidates", **selection.to_dict(), "only_passed": only_passed},
            "trained_on": {"captions": n_train, "folds": config.folds, "lm": f"kneser-ney trigram d={config.kn_discount}"}}
    return _report(items, config, meta)


def audit_pairs(path: str | Path, config: AuditConfig | None = None, *, engine: Engine | None = None,
                nlp: Any = None, progress: Progress | None = None) -> dict:
    """Audit an imported benchmark (SugarCrepe folder/file or pairs JSONL, read with `read_pairs`).

    The baselines train on the database's ingested captions (when `engine` is given) plus the benchmark's
    positives, cross-fitted by caption. Bad records are reported under "skipped", the rest is audited.
    """
    from toolkit.text.ingest import BadRecord, read_pairs

    config = config or AuditConfig()
    items, bad = [], []
    for rec in read_pairs(path):
        if isinstance(rec, BadRecord):
            bad.append(str(rec))
            continue
        items.append(Item(f"{rec.source}:{rec.ref}", rec.category, rec.caption, rec.negative))
    training = _Training(config.folds)
    n_db = _training_from_db(engine, training)
    parses: dict[str, Parse] = {}
    _parse_missing(items, parses, nlp, progress)
    n_pos = 0
    for cap in dict.fromkeys(it.caption for it in items):
        training.add(cap, parses[cap])
        n_pos += 1
    notes = _score(items, parses, training, config)
    meta = {"adversary_notes": notes, "source": {"kind": "benchmark", "path": str(path)}, "skipped": bad,
            "trained_on": {"captions": n_db, "benchmark_positives": n_pos, "folds": config.folds,
                           "lm": f"kneser-ney trigram d={config.kn_discount}"}}
    return _report(items, config, meta)


def _parse_missing(items: list[Item], parses: dict[str, Parse], nlp: Any, progress: Progress | None) -> None:
    texts = [t for t in dict.fromkeys(x for it in items for x in (it.caption, it.negative)) if t not in parses]
    for t, p in zip(texts, parse_texts(texts, nlp=nlp), strict=True):
        parses[t] = p
        if progress:
            progress(1)


def write_kept(report: dict, path: str | Path) -> int:
    """Write the items `balance` kept as JSONL ({ref, category, caption, negative}); returns the count."""
    kept = report.get("kept") or []
    with open(path, "w", encoding="utf-8") as fh:
        for it in kept:
            fh.write(json.dumps({"ref": it.ref, "category": it.category, "caption": it.caption,
                                 "negative": it.negative}, ensure_ascii=False) + "\n")
    return len(kept)
