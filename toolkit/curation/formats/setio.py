"""Export a stored set to a benchmark format (with a dataset card) and import such files back as a set."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from toolkit.curation.annotations import scores_for, verdicts_for
from toolkit.curation.decisions import final_decisions, set_outcomes, set_stats
from toolkit.curation.formats import card, csvfmt, hf, jsonl, negclip, sugarcrepe
from toolkit.curation.formats.records import BenchRecord
from toolkit.curation.session import ACCEPT, EDIT
from toolkit.curation.sets import Picked, _new_set, add_items, item_hash
from toolkit.generation.operators.compose import candidate_id as candidate_uid
from toolkit.generation.pipeline import ingest
from toolkit.store import queries as q
from toolkit.store.curation import FinalDecision
from toolkit.store.models import CandidateRow, Caption, Run, utcnow
from toolkit.text.records import BadRecord, CaptionRecord

Writer = Callable[[list[BenchRecord], Path, str], list[Path]]
Reader = Callable[[Path], Iterator[BenchRecord | BadRecord]]

FORMATS: dict[str, tuple[Writer, Reader]] = {
    "sugarcrepe": (sugarcrepe.write, sugarcrepe.read),
    "jsonl": (jsonl.write, jsonl.read),
    "csv": (csvfmt.write, csvfmt.read),
    "hf": (hf.write_disk, hf.read_disk),
    "parquet": (hf.write_parquet, hf.read_parquet),
    "negclip": (negclip.write, negclip.read),
}
STATUSES = ("kept", "all")
# the blind baselines a dataset card reports (plausibility is left out: it needs a parse of every negative)
CARD_BASELINES = ("length", "lm", "lm_per_token", "adversary")


@dataclass
class ExportReport:
    name: str
    format: str
    out: str
    items: int
    files: list[str]
    by_category: dict[str, int] = field(default_factory=dict)
    blind: dict | None = None  # the blind-baseline figures written to the card (`blind_figures`)

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def _fmt(fmt: str) -> tuple[Writer, Reader]:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    return FORMATS[fmt]


def set_records(engine: Engine, name: str, status: str = "kept") -> list[BenchRecord]:
    """The set's items as records. "kept": items accepted (original text) or edited (the edited candidate);
    "all": every item with its original text and its outcome as label."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
    cand = CandidateRow.__table__
    with engine.connect() as conn:
        _s, items, decs, outs = set_outcomes(conn, name)
        edit_ids = {o.edit_candidate_id for o in outs.values() if o.status == EDIT and o.edit_candidate_id}
        edited = {r["id"]: dict(r) for r in conn.execute(select(cand).where(cand.c.id.in_(edit_ids))).mappings()} if edit_ids else {}
        ids = [r["candidate_id"] for r in items] + list(edited)
        verdicts, scores = verdicts_for(conn, ids), scores_for(conn, ids)
    out = []
    for r in items:
        o = outs[r["item_hash"]]
        if status == "kept" and not o.kept:
            continue
        src = edited[o.edit_candidate_id] if status == "kept" and o.status == EDIT else None
        row = src or {"id": r["candidate_id"], "text": r["negative"], "uid": r["uid"], "run_id": r["run_id"],
                      "provenance": r["provenance"], "depth": r["depth"]}
        out.append(BenchRecord(
            r["caption"], row["text"], r["image"], r["operator"], r["subtype"], row["depth"],
            key=r["item_hash"][:16], uid=row["uid"], label=o.status, run_id=row["run_id"],
            provenance=json.loads(row["provenance"]),
            extra={"item_hash": r["item_hash"], "decisions": decs.get(r["item_hash"], []),
                   "verdicts": verdicts.get(row["id"], []), "scores": scores.get(row["id"], [])},
        ))
    return out


def export_set(engine: Engine, name: str, fmt: str, out: str | Path, *, status: str = "kept",
               license: str = "unknown") -> ExportReport:
    """Write the set in `fmt` into the folder `out` (replaced if it exists) with a dataset card README.md.
    The folder is built under a temporary name and renamed at the end, so a failed export leaves no half."""
    writer, _ = _fmt(fmt)
    out = Path(out)
    records = set_records(engine, name, status)
    stats = set_stats(engine, name)
    tmp = out.with_name(out.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    files = [str(p.relative_to(tmp)) for p in writer(records, tmp, name)]
    runs, sources = _provenance_summary(engine, records)
    notes = []
    if fmt == "sugarcrepe" and any("+" in r.operator for r in records):
        notes.append("Composed items are in extra files named by their steps; stock SugarCrepe evaluators read "
                     "only the standard category files.")
    if fmt == "negclip":
        notes.append("`neg_image` lists up to three randomly chosen rows with a different image (seeded), not "
                     "nearest-neighbour images as in NegCLIP's own data.")
    if missing := sum(1 for r in records if not r.image):
        notes.append(f"{missing} items have no image path.")
    blind = blind_figures(engine, records)
    (tmp / "README.md").write_text(card.render(
        name=name, fmt=fmt, files=files, records=records, stats=stats, runs=runs, status=status, license=license,
        caption_sources=sources, notes=notes, blind=blind), encoding="utf-8")
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    by_cat: dict[str, int] = {}
    for r in records:
        by_cat[r.category] = by_cat.get(r.category, 0) + 1
    return ExportReport(name, fmt, str(out), len(records), [*files, "README.md"], dict(sorted(by_cat.items())), blind)


def _length_delta(r: BenchRecord) -> int:
    d = r.provenance.get("length_delta") if isinstance(r.provenance, dict) else None
    return d if isinstance(d, int) else len(r.negative.split()) - len(r.caption.split())


def blind_figures(engine: Engine | None, records: list[BenchRecord], folds: int = 5) -> dict:
    """How text-decidable the records are: per audit category (`names.category_of`: length-neutral ADD apart)
    n, each of CARD_BASELINES' accuracies (share of pairs where a text-only baseline picks the caption; 0.5 =
    blind), "longer" (share of negatives with more words than their caption) and the adversary's telling
    n-grams, computed as `hardneg audit` does (baselines trained on the stored captions plus the records',
    cross-fitted by caption)."""
    from toolkit.evaluation.filters.audit import AuditConfig, Item, audit_items
    from toolkit.generation.names import category_of

    config = AuditConfig(folds=folds, baselines=CARD_BASELINES)
    out: dict = {"baselines": list(CARD_BASELINES), "folds": folds, "n": len(records), "by_category": {}}
    if not records:
        return out
    items = [Item(r.key or str(k), category_of(r.operator, r.subtype, _length_delta(r)), r.caption, r.negative)
             for k, r in enumerate(records)]
    report = audit_items(engine, items, config)
    longer: dict[str, list[int]] = {}
    for it in items:
        longer.setdefault(it.category, []).append(int(len(it.negative.split()) > len(it.caption.split())))
    out["by_category"] = {c: {**v, "longer": round(sum(longer[c]) / len(longer[c]), 4)}
                          for c, v in report["by_operator"].items()}
    every = [x for v in longer.values() for x in v]
    out["all"] = {"n": len(items), **report["overall"], "longer": round(sum(every) / len(every), 4)}
    out["telling"] = report.get("telling", {})
    out["trained_on"] = report["trained_on"]
    out["adversary_notes"] = report.get("adversary_notes", {})
    return out


def _provenance_summary(engine: Engine, records: list[BenchRecord]) -> tuple[list[dict], list[str]]:
    run, cap = Run.__table__, Caption.__table__
    run_ids = sorted({r.run_id for r in records if r.run_id})
    texts = sorted({r.caption for r in records})
    with engine.connect() as conn:
        runs = [dict(r) for r in conn.execute(select(run.c.id, run.c.kind, run.c.versions, run.c.config)
                                              .where(run.c.id.in_(run_ids)).order_by(run.c.id)).mappings()]
        sources = set()
        for i in range(0, len(texts), 500):
            sources.update(s for (s,) in conn.execute(select(cap.c.source).distinct()
                                                      .where(cap.c.text.in_(texts[i : i + 500]))) if s)
    return runs, sorted(sources)


# --------------------------------------------------------------------------- import


@dataclass
class ImportReport:
    name: str
    read: int = 0
    items: int = 0
    duplicates: int = 0
    new_candidates: int = 0
    labels: int = 0
    bad: list[BadRecord] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"name": self.name, "read": self.read, "items": self.items, "duplicates": self.duplicates,
                "new_candidates": self.new_candidates, "labels": self.labels, "skipped": len(self.bad)}


def read_records(path: str | Path, fmt: str) -> Iterator[BenchRecord | BadRecord]:
    """Records of an export (file or folder) in `fmt`; bad items come as BadRecord naming file, place, field."""
    _, reader = _fmt(fmt)
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: no such file or folder")
    return reader(p)


def import_set(engine: Engine, path: str | Path, fmt: str, name: str, *, description: str = "") -> ImportReport:
    """Store the records of an export as a new set: captions and candidates are matched to stored ones by
    content (or stored, with provenance from the file, else "import"); items' accept / edit labels become
    final decisions where the item has none. Bad records are reported and skipped."""
    report = ImportReport(name)
    records = []
    for r in read_records(path, fmt):
        if isinstance(r, BadRecord):
            report.bad.append(r)
        else:
            records.append(r)
    report.read = len(records)
    if not records:
        raise ValueError(f"{path}: no readable items" + (f" ({len(report.bad)} bad, first: {report.bad[0]})" if report.bad else ""))
    ingest(engine, (CaptionRecord(r.caption, r.image, str(path), r.key, {}) for r in records), parse=False)
    run_id = hashlib.sha1(f"import\x00{fmt}\x00{Path(path).resolve()}".encode()).hexdigest()[:16]
    cand, cap = CandidateRow.__table__, Caption.__table__
    with engine.begin() as conn:
        q.insert_ignore(conn, Run.__table__, [{
            "id": run_id, "kind": "import", "config": json.dumps({"path": str(path), "format": fmt}), "versions": "{}",
            "seed": 0, "status": "done", "summary": "{}", "created_at": utcnow()}], ["id"])
        keys = {q.caption_key(r.caption, r.image) for r in records}
        caption_ids = dict(conn.execute(select(cap.c.key, cap.c.id).where(cap.c.key.in_(keys))).all())
        picked, now = [], utcnow()
        for r in records:
            cid = caption_ids[q.caption_key(r.caption, r.image)]
            uid = candidate_uid(r.caption, r.negative)
            prov = r.provenance or {"source": "import", "format": fmt, "file": str(path), "edits": [], "fixes": []}
            find = select(cand.c.id).where(cand.c.caption_id == cid, cand.c.uid == uid)
            cand_id = conn.execute(find).scalar()
            if cand_id is None:
                q.insert_ignore(conn, cand, [{
                    "uid": uid, "caption_id": cid, "run_id": run_id, "text": r.negative, "operator": r.operator,
                    "subtype": r.subtype, "depth": r.depth, "parent_uid": prov.get("parent"), "created_at": now,
                    "length_delta": len(r.negative.split()) - len(r.caption.split()),
                    "provenance": json.dumps(prov, ensure_ascii=False, separators=(",", ":"))}], ["caption_id", "uid"])
                cand_id = conn.execute(find).scalar_one()
                report.new_candidates += 1
            picked.append((Picked(cand_id, item_hash(r.caption, r.negative, r.image), r.operator, None), r.label))
        set_id = _new_set(conn, name, {"import": {"path": str(path), "format": fmt}}, 0, description)
        report.items = add_items(conn, set_id, [p for p, _ in picked])
        report.duplicates = len(picked) - report.items
        labelled = {p.item_hash: p for p, label in picked if label in (ACCEPT, EDIT)}
        have = final_decisions(conn, list(labelled))
        rows = [{"item_hash": h, "candidate_id": p.candidate_id, "label": ACCEPT, "edit_candidate_id": None,
                 "decided_by": f"import:{fmt}", "reason": str(path), "created_at": now, "updated_at": now}
                for h, p in labelled.items() if h not in have]
        q.insert_ignore(conn, FinalDecision.__table__, rows, ["item_hash"])
        report.labels = len(rows)
    return report

