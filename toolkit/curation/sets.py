"""Benchmark sets: select candidates (operator, subtype, depth, filter verdicts, score margin), optionally
balance them per category against the blind text-only baselines (`toolkit.evaluation.filters.audit`), sample them
stratified per operator with a seed, store the selection, and list / describe / merge / drop sets."""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select
from sqlalchemy.engine import Connection, Engine

from toolkit.curation.annotations import SCORE, VERDICT, optional_table, resolve_model
from toolkit.generation.names import category_of
from toolkit.store.curation import BenchmarkSet, SetItem
from toolkit.store.models import CandidateRow, Caption, Image, utcnow

ORDERS = ("hardest", "random")
STRATA = ("operator", "category")
VERDICT_CHOICES = ("any", "passed", "failed")


def item_hash(caption: str, negative: str, image: str | None) -> str:
    """Content hash of what an annotator judges: the caption, the negative and the image."""
    return hashlib.sha1(f"{caption}\x00{negative}\x00{image or ''}".encode()).hexdigest()


@dataclass(frozen=True)
class Selection:
    """Which candidates a set holds and in what order. Empty tuples mean "any"."""

    operators: tuple[str, ...] = ()  # a composed candidate matches when each of its operators is listed
    subtypes: tuple[str, ...] = ()
    depths: tuple[int, ...] = ()
    runs: tuple[str, ...] = ()
    verdict: str = "any"  # any | passed (every judge's latest verdict passed) | failed (some latest one failed)
    judges: tuple[str, ...] = ()  # only these judges' verdicts count (default: all)
    model: str | None = None  # score model for margins (default: the only scored model)
    max_margin: float | None = None
    min_margin: float | None = None
    order: str = "random"  # random (seeded shuffle) | hardest (smallest margin first)
    sample: int | None = None  # total size, split evenly over strata
    stratify: str = "operator"  # operator | category (operator_subtype)
    seed: int = 0
    # before sampling, subsample each category (names.category_of) until every blind baseline of
    # `hardneg audit` is within `tolerance` of chance; a category that cannot be balanced is dropped
    balance: bool = False
    tolerance: float = 0.05  # |accuracy - 0.5| a balanced baseline may keep (as AuditConfig)
    min_keep: float = 0.2  # never keep fewer than this fraction of a category's candidates (as AuditConfig)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICT_CHOICES:
            raise ValueError(f"verdict must be one of {', '.join(VERDICT_CHOICES)}, got {self.verdict!r}")
        if self.order not in ORDERS:
            raise ValueError(f"order must be one of {', '.join(ORDERS)}, got {self.order!r}")
        if self.stratify not in STRATA:
            raise ValueError(f"stratify must be one of {', '.join(STRATA)}, got {self.stratify!r}")
        if self.sample is not None and self.sample < 1:
            raise ValueError(f"sample must be at least 1, got {self.sample}")
        if not 0 <= self.tolerance <= 0.5:
            raise ValueError(f"tolerance must be between 0 and 0.5, got {self.tolerance}")
        if not 0 <= self.min_keep <= 1:
            raise ValueError(f"min_keep must be between 0 and 1, got {self.min_keep}")

    @classmethod
    def benchmark(cls, **fields) -> Selection:
        """The benchmark preset: candidates every named judge passed (default: the rules judge), stratified
        per category, balanced against every blind baseline. Other fields as given."""
        if fields.get("verdict", "passed") != "passed":
            raise ValueError(f"a benchmark takes the candidates the filters passed, not verdict {fields['verdict']!r}")
        return cls(**{"stratify": "category", **fields, "verdict": "passed", "judges": tuple(fields.get("judges") or ("rules",)),
                      "balance": True})

    @property
    def needs_scores(self) -> bool:
        return self.order == "hardest" or self.max_margin is not None or self.min_margin is not None

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict) -> Selection:
        known = {f: d[f] for f in cls.__dataclass_fields__ if f in d}
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in known.items()})


@dataclass
class Picked:
    candidate_id: int
    item_hash: str
    stratum: str
    margin: float | None


@dataclass
class SetSummary:
    name: str
    items: int
    matched: int
    duplicates: int
    by_stratum: dict[str, int] = field(default_factory=dict)
    balance: dict | None = None  # with Selection.balance: settings and blind-baseline figures (`balance_report`)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Chosen:
    """What a selection gives: the sampled items, how many candidates matched, duplicates dropped, and the
    balance report (None when the selection does not balance)."""

    picked: list[Picked]
    matched: int
    duplicates: int
    balance: dict | None = None


# --------------------------------------------------------------------------- selection


def _combos(conn: Connection, sel: Selection) -> list[tuple[str, str]]:
    """(operator, subtype) pairs present in the database that the selection admits."""
    cand = CandidateRow.__table__
    pairs = conn.execute(select(cand.c.operator, cand.c.subtype).distinct()).all()
    keep = []
    for op, sub in pairs:
        if sel.operators and not set(op.split("+")) <= set(sel.operators):
            continue
        if sel.subtypes and not set(sub.split("+")) <= set(sel.subtypes):
            continue
        keep.append((op, sub))
    return keep


def _filter_hint(judge: str | None) -> str:
    if judge and judge.startswith("llm"):
        return "run `hardneg filter --llm` first"
    return "run `hardneg filter --rules` first"


def _verdict_clause(conn: Connection, sel: Selection, cand_id):
    table = optional_table(conn, VERDICT)
    if table is None:
        raise ValueError(f"no filter verdicts stored (table {VERDICT!r} is missing): "
                         + _filter_hint(sel.judges[0] if sel.judges else None))
    for judge in sel.judges or (None,):
        stored = select(table.c.id).limit(1)
        if judge is not None:
            stored = stored.where(table.c.judge == judge)
        if conn.execute(stored).first() is None:
            what = f"no verdicts of judge {judge!r} stored" if judge else "no filter verdicts stored"
            raise ValueError(f"{what}, so no candidate can have passed or failed: {_filter_hint(judge)}")
    judged = table.c.candidate_id == cand_id
    if "created_at" in table.c:  # a judge re-run (new prompt or rules) supersedes its earlier verdicts
        older = table.alias("v_latest")
        judged = and_(judged, table.c.created_at == select(func.max(older.c.created_at)).where(
            older.c.candidate_id == table.c.candidate_id, older.c.judge == table.c.judge).scalar_subquery())
    if sel.judges:
        judged = and_(judged, table.c.judge.in_(sel.judges))
    failed = select(table.c.candidate_id).where(judged, table.c.passed.is_(False)).exists()
    if sel.verdict == "failed":
        return failed
    if sel.judges:  # each named judge must have judged it (and, from above, not failed it)
        return and_(~failed, *[select(table.c.candidate_id).where(judged, table.c.judge == j).exists()
                               for j in sel.judges])
    return and_(~failed, select(table.c.candidate_id).where(judged).exists())


def select_candidates(conn: Connection, sel: Selection) -> tuple[list[Picked], int, int]:
    """Candidates the selection admits, sampled and ordered. Returns (picked, matched, duplicates dropped).
    A balancing selection needs the engine (the baselines train on the stored captions): use `choose`."""
    if sel.balance:
        raise ValueError("a balancing selection needs the engine: use toolkit.curation.sets.choose or create_set")
    pool, _texts, matched, dups = _matching(conn, sel)
    return _sample(pool, sel), matched, dups


def choose(engine: Engine, sel: Selection, *, nlp: Any = None) -> Chosen:
    """The selection's items: matched, deduplicated by content, balanced per category when `sel.balance`
    (see `balance_report`), then sampled and ordered. `nlp` parses the negatives for the plausibility
    baseline (default: the spaCy model of `toolkit.text.nlp`)."""
    with engine.connect() as conn:
        pool, texts, matched, dups = _matching(conn, sel)
    report = None
    if sel.balance and pool:
        pool, report = _balanced(engine, pool, texts, sel, nlp)
    return Chosen(_sample(pool, sel), matched, dups, report)


def _matching(conn: Connection, sel: Selection) -> tuple[list[Picked], dict[int, tuple[str, str, str]], int, int]:
    """Every candidate the selection admits, one per content (the hardest by margin); with
    candidate id -> (caption, negative, audit category) of each. Returns (pool, texts, matched, duplicates)."""
    cand, cap, img = CandidateRow.__table__, Caption.__table__, Image.__table__
    combos = _combos(conn, sel)
    if not combos:
        return [], {}, 0, 0
    cols = [cand.c.id, cap.c.text, cand.c.text, img.c.path, cand.c.operator, cand.c.subtype, cand.c.length_delta]
    stmt = select(*cols).join(cap, cap.c.id == cand.c.caption_id).outerjoin(img, img.c.id == cap.c.image_id)
    stmt = stmt.where(or_(*[and_(cand.c.operator == o, cand.c.subtype == s) for o, s in combos]))
    if sel.depths:
        stmt = stmt.where(cand.c.depth.in_(sel.depths))
    if sel.runs:
        stmt = stmt.where(cand.c.run_id.in_(sel.runs))
    if sel.verdict != "any" or sel.judges:
        stmt = stmt.where(_verdict_clause(conn, sel, cand.c.id))
    if sel.needs_scores:
        scores = optional_table(conn, SCORE)
        model = resolve_model(conn, sel.model)
        on = and_(scores.c.candidate_id == cand.c.id, scores.c.model_id == model)
        filtered = sel.max_margin is not None or sel.min_margin is not None
        stmt = stmt.add_columns(scores.c.margin)
        stmt = stmt.join(scores, on) if filtered else stmt.outerjoin(scores, on)
        if sel.max_margin is not None:
            stmt = stmt.where(scores.c.margin <= sel.max_margin)
        if sel.min_margin is not None:
            stmt = stmt.where(scores.c.margin >= sel.min_margin)
    else:
        stmt = stmt.add_columns(None)
    seen: dict[str, Picked] = {}
    texts: dict[int, tuple[str, str, str]] = {}
    matched = 0
    for cid, caption, negative, image, op, sub, delta, margin in conn.execute(stmt.order_by(cand.c.id)):
        matched += 1
        h = item_hash(caption, negative, image)
        stratum = op if sel.stratify == "operator" else f"{op}_{sub}"
        prev = seen.get(h)
        if prev is None or _harder(margin, prev.margin):
            seen[h] = Picked(cid, h, stratum, margin)
            if sel.balance:
                texts[cid] = (caption, negative, category_of(op, sub, delta or 0))
    return list(seen.values()), texts, matched, matched - len(seen)


# --------------------------------------------------------------------------- balancing


def audit_config(sel: Selection):
    """The audit settings a balancing selection uses: every baseline, `hardneg audit`'s defaults otherwise."""
    from toolkit.evaluation.filters.audit import AuditConfig

    return AuditConfig(balance=True, tolerance=sel.tolerance, min_keep=sel.min_keep)


def _balanced(engine: Engine, pool: list[Picked], texts: dict[int, tuple[str, str, str]], sel: Selection,
              nlp: Any) -> tuple[list[Picked], dict]:
    from toolkit.evaluation.filters.audit import Item, balance_pairs

    items = [Item(str(p.candidate_id), texts[p.candidate_id][2], *texts[p.candidate_id][:2]) for p in pool]
    config = audit_config(sel)
    kept, audit = balance_pairs(engine, items, config, nlp=nlp)
    report = balance_report(audit, config)
    keep = {int(it.ref) for it in kept if it.category not in report["dropped"]}
    chosen = [p for p in pool if p.candidate_id in keep]
    if not chosen:
        raise ValueError("balancing left no candidates: every category is unbalanceable ("
                         + "; ".join(f"{c}: {', '.join(b)}" for c, b in report["dropped"].items()) + ")")
    return chosen, report


def balance_report(audit: dict, config) -> dict:
    """The stored summary of a balancing: settings, and per category the blind-baseline figures before and
    after, candidates kept, the baselines it could not balance (such a category is dropped: plain ADD, whose
    negatives are longer), those left outside the tolerance (at `min_keep`), and the telling n-grams."""
    bal = audit["balanced"]
    by_cat, dropped, off = {}, {}, {}
    for cat, before in audit["by_operator"].items():
        after = dict(bal["by_operator"][cat])
        stuck, rounds = after.pop("unbalanceable"), after.pop("rounds")
        if stuck:
            dropped[cat] = stuck
        else:
            far = {b: after[b] for b in config.baselines if abs(after[b] - 0.5) > config.tolerance}
            if far:
                off[cat] = far
        by_cat[cat] = {"before": before, "after": after, "kept": 0 if stuck else after["n"], "dropped": bool(stuck),
                       "unbalanceable": stuck, "rounds": rounds,
                       "telling": {"before": audit.get("telling", {}).get(cat, {}),
                                   "after": bal.get("telling", {}).get(cat, {})}}
    return {"baselines": list(config.baselines), "tolerance": config.tolerance, "min_keep": config.min_keep,
            "folds": config.folds, "rounds": config.rounds, "step": config.step, "seed": config.seed,
            "trained_on": audit["trained_on"], "candidates": audit["n"],
            "kept": sum(v["kept"] for v in by_cat.values()), "dropped": dropped, "off_chance": off,
            "adversary_notes": audit.get("adversary_notes", {}), "by_category": by_cat}


def _harder(a: float | None, b: float | None) -> bool:
    return a is not None and (b is None or a < b)


def _hardness(p: Picked) -> tuple:
    return (p.margin is None, p.margin if p.margin is not None else 0.0, p.candidate_id)


def _order(items: list[Picked], sel: Selection, rng: random.Random) -> list[Picked]:
    if sel.order == "hardest":
        return sorted(items, key=_hardness)
    items = sorted(items, key=lambda p: p.candidate_id)
    rng.shuffle(items)
    return items


def allocate(sizes: dict[str, int], total: int) -> dict[str, int]:
    """Split `total` as evenly as possible over strata, giving what a small stratum cannot take to the others."""
    quota = dict.fromkeys(sizes, 0)
    left = total
    open_ = sorted(k for k, n in sizes.items() if n > 0)
    while left > 0 and open_:
        share, extra = divmod(left, len(open_))
        for i, k in enumerate(open_):
            want = share + (1 if i < extra else 0)
            take = min(want, sizes[k] - quota[k])
            quota[k] += take
            left -= take
        open_ = [k for k in open_ if quota[k] < sizes[k]]
    return quota


def _sample(items: list[Picked], sel: Selection) -> list[Picked]:
    rng = random.Random(sel.seed)
    if sel.sample is None:
        return _order(items, sel, rng)
    strata: dict[str, list[Picked]] = {}
    for p in sorted(items, key=lambda p: p.candidate_id):
        strata.setdefault(p.stratum, []).append(p)
    quota = allocate({k: len(v) for k, v in strata.items()}, sel.sample)
    chosen: list[Picked] = []
    for k in sorted(strata):
        chosen.extend(_order(strata[k], sel, rng)[: quota[k]])
    return _order(chosen, sel, rng)


# --------------------------------------------------------------------------- stored sets


def get_set(conn: Connection, name: str) -> dict:
    """The stored set called `name`, or a ValueError naming the sets that exist."""
    table = BenchmarkSet.__table__
    row = conn.execute(select(table).where(table.c.name == name)).mappings().first()
    if row is None:
        names = [n for (n,) in conn.execute(select(table.c.name).order_by(table.c.name))]
        raise ValueError(f"no set named {name!r}" + (f"; sets: {', '.join(names)}" if names else "; no sets stored"))
    return dict(row)


def _check_name(conn: Connection, name: str) -> None:
    table = BenchmarkSet.__table__
    if conn.execute(select(table.c.id).where(table.c.name == name)).first() is not None:
        raise ValueError(f"a set named {name!r} already exists (drop it first or choose another name)")
    if not name.strip():
        raise ValueError("a set needs a non-empty name")


def _new_set(conn: Connection, name: str, query: dict, seed: int, description: str) -> int:
    table = BenchmarkSet.__table__
    _check_name(conn, name)
    res = conn.execute(insert(table).values(name=name, description=description, query=json.dumps(query),
                                            seed=seed, created_at=utcnow()))
    return res.inserted_primary_key[0]


def add_items(conn: Connection, set_id: int, picked: list[Picked]) -> int:
    """Append items to a set after its last position, skipping content already in it. Returns items added."""
    table = SetItem.__table__
    have = {h for (h,) in conn.execute(select(table.c.item_hash).where(table.c.set_id == set_id))}
    start = conn.execute(select(func.coalesce(func.max(table.c.position), -1)).where(table.c.set_id == set_id)).scalar_one()
    rows, now = [], utcnow()
    for p in picked:
        if p.item_hash in have:
            continue
        have.add(p.item_hash)
        rows.append({"set_id": set_id, "candidate_id": p.candidate_id, "item_hash": p.item_hash,
                     "position": start + 1 + len(rows), "stratum": p.stratum, "created_at": now})
    if rows:
        conn.execute(insert(table), rows)
    return len(rows)


def create_set(engine: Engine, name: str, selection: Selection, description: str = "", *, nlp: Any = None) -> SetSummary:
    """Select candidates and store them as the set `name`. Raises ValueError if nothing matches. A balancing
    selection stores its report (settings, blind-baseline figures per category) in the set's query JSON
    under "balance"; `nlp` parses the negatives for its plausibility baseline."""
    with engine.connect() as conn:
        _check_name(conn, name)
    chosen = choose(engine, selection, nlp=nlp)
    if not chosen.picked:
        raise ValueError(f"no candidates match the selection {json.dumps(selection.to_dict())}")
    query: dict[str, Any] = {"selection": selection.to_dict()}
    if chosen.balance is not None:
        query["balance"] = chosen.balance
    with engine.begin() as conn:
        set_id = _new_set(conn, name, query, selection.seed, description)
        n = add_items(conn, set_id, chosen.picked)
    return SetSummary(name, n, chosen.matched, chosen.duplicates,
                      dict(sorted(Counter(p.stratum for p in chosen.picked).items())), chosen.balance)


def list_sets(engine: Engine) -> list[dict]:
    """Every stored set with its size and creation time."""
    bs, si = BenchmarkSet.__table__, SetItem.__table__
    stmt = (
        select(bs.c.name, bs.c.description, bs.c.seed, bs.c.created_at, bs.c.query, func.count(si.c.id))
        .outerjoin(si, si.c.set_id == bs.c.id)
        .group_by(bs.c.id)
        .order_by(bs.c.name)
    )
    with engine.connect() as conn:
        return [
            {"name": n, "description": d, "seed": s, "created_at": c.isoformat(), "query": json.loads(q), "items": k}
            for n, d, s, c, q, k in conn.execute(stmt)
        ]


def merge_sets(engine: Engine, name: str, sources: list[str], description: str = "") -> SetSummary:
    """A new set with the items of `sources` in order; the same content appears once."""
    if not sources:
        raise ValueError("merge needs at least one source set")
    si = SetItem.__table__
    with engine.begin() as conn:
        picked: list[Picked] = []
        for src in sources:
            sid = get_set(conn, src)["id"]
            rows = conn.execute(select(si.c.candidate_id, si.c.item_hash, si.c.stratum)
                                .where(si.c.set_id == sid).order_by(si.c.position))
            picked.extend(Picked(c, h, s, None) for c, h, s in rows)
        set_id = _new_set(conn, name, {"merge": sources}, 0, description)
        n = add_items(conn, set_id, picked)
    return SetSummary(name, n, len(picked), len(picked) - n, dict(sorted(Counter(p.stratum for p in picked).items())))


def drop_set(engine: Engine, name: str) -> int:
    """Delete a set and its item list; annotators' decisions are kept (they are keyed by content).
    Returns the number of items the set held."""
    si, bs = SetItem.__table__, BenchmarkSet.__table__
    with engine.begin() as conn:
        sid = get_set(conn, name)["id"]
        n = conn.execute(delete(si).where(si.c.set_id == sid)).rowcount
        conn.execute(delete(bs).where(bs.c.id == sid))
    return n


def set_items(conn: Connection, set_id: int) -> list[dict]:
    """The items of a set in review order, with candidate, caption and image."""
    si, cand, cap, img = SetItem.__table__, CandidateRow.__table__, Caption.__table__, Image.__table__
    stmt = (
        select(si.c.id.label("item_id"), si.c.item_hash, si.c.position, si.c.stratum, cand.c.id.label("candidate_id"),
               cand.c.uid, cand.c.run_id, cand.c.text.label("negative"), cand.c.operator, cand.c.subtype,
               cand.c.depth, cand.c.parent_uid, cand.c.length_delta, cand.c.provenance,
               cap.c.text.label("caption"), cap.c.source.label("caption_source"), img.c.path.label("image"))
        .join(cand, cand.c.id == si.c.candidate_id)
        .join(cap, cap.c.id == cand.c.caption_id)
        .outerjoin(img, img.c.id == cap.c.image_id)
        .where(si.c.set_id == set_id)
        .order_by(si.c.position)
    )
    return [dict(r._mapping) for r in conn.execute(stmt)]
