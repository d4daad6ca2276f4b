"""Evaluating a model on a SugarCrepe-format benchmark (a folder of category files, one such file, or a pairs
JSONL), the way SugarCrepe's own script does: a pair is passed when the image is strictly closer to the
caption than to the negative; ties fail. Pairs sharing an image and caption share one item, so each image
and text is encoded once."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from toolkit.evaluation.scoring.report import TIE_NOTE, accuracy_table
from toolkit.evaluation.scoring.scorer import Item, Negative, Scorer
from toolkit.text.ingest import SUGARCREPE_CATEGORIES, BadRecord, PairRecord, read_pairs

FAMILY_ORDER = ("replace", "swap", "add")


def _split(category: str) -> tuple[str, str]:
    operator, _, subtype = category.partition("_")
    return operator, subtype or "all"


def pair_items(records: Iterable[PairRecord | BadRecord]) -> tuple[list[Item], list[PairRecord], list[str]]:
    """Group pairs into items by (image, caption); negatives are keyed by the pair's index in the list returned."""
    pairs: list[PairRecord] = []
    bad: list[str] = []
    groups: dict[tuple[str | None, str], list[Negative]] = {}
    for rec in records:
        if isinstance(rec, BadRecord):
            bad.append(str(rec))
            continue
        groups.setdefault((rec.image, rec.caption), []).append(Negative(len(pairs), rec.negative))
        pairs.append(rec)
    items = [Item(f"{pairs[negs[0].key].source}:{pairs[negs[0].key].ref}", image, caption, negs)
             for (image, caption), negs in groups.items()]
    return items, pairs, bad


def evaluate_benchmark(path: str | Path, scorer: Scorer, *, image_root: str | Path | None = None,
                       chunk_size: int = 2048, n_boot: int = 1000, seed: int = 0, progress=None) -> dict:
    """Per-category and overall accuracy (ties counted as failures), with per-pair scores and errors."""
    items, pairs, bad = pair_items(read_pairs(path, image_root=image_root))
    scores, errors = {}, []
    totals = {"images_encoded": 0, "images_cached": 0, "texts_encoded": 0, "texts_cached": 0}
    for outcome in scorer.score_chunks(items, chunk_size, progress=progress):
        scores.update({s.negative_key: s for s in outcome.scores})
        errors.extend(str(e) for e in outcome.errors)
        for k in totals:
            totals[k] += getattr(outcome, k)
    rows = []
    for idx, pair in enumerate(pairs):
        s = scores.get(idx)
        if s is None:
            continue
        operator, subtype = _split(pair.category)
        rows.append({"category": pair.category, "operator": operator, "subtype": subtype, "caption": pair.caption,
                     "negative": pair.negative, "image": pair.image, "ref": f"{pair.source}:{pair.ref}",
                     "pos_sim": s.pos_sim, "neg_sim": s.neg_sim, "margin": s.margin, "tie": s.tie})
    by_category = accuracy_table(rows, ["category"], n_boot=n_boot, seed=seed)
    order = {c: i for i, c in enumerate(SUGARCREPE_CATEGORIES)}
    by_category.sort(key=lambda r: order.get(r["category"], len(order)))
    overall = accuracy_table([{**r, "all": "all"} for r in rows], ["all"], n_boot=n_boot, seed=seed)
    return {
        "benchmark": str(path),
        "model_id": scorer.model_id,
        "model": {k: v for k, v in scorer.config.items() if k != "weights_path"},
        "params": scorer.params,
        "ties_count_as_failures": True,
        "note": TIE_NOTE,
        "pairs_read": len(pairs),
        "pairs_scored": len(rows),
        "pairs_failed": len(pairs) - len(rows),
        "bad_records": bad,
        "errors": errors,
        "encoding": totals,
        "categories": by_category,
        "families": _family_means(by_category),
        "overall": {k: v for k, v in overall[0].items() if k != "all"} if overall else None,
        "pairs": rows,
    }


def _family_means(by_category: list[dict]) -> list[dict]:
    """The mean of category accuracies per operator family, as SugarCrepe's paper reports REPLACE/SWAP/ADD."""
    out = []
    for family in FAMILY_ORDER:
        accs = [r["accuracy"] for r in by_category if _split(r["category"])[0] == family]
        if accs:
            out.append({"family": family, "categories": len(accs), "mean_accuracy": sum(accs) / len(accs)})
    return out


def write_json(result: dict, out: str | Path) -> Path:
    """Write the result atomically (a partial file never replaces a good one)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(tmp, out)
    return out
