"""Decisions in the database: persisting a session's effects, human-edited candidates, each item's
outcome across annotators, conflicts and their reviewed final decisions, and a set's statistics."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Engine

import toolkit
from toolkit.curation.agreement import pairwise_kappa
from toolkit.curation.annotations import scores_for, verdicts_for
from toolkit.curation.session import ACCEPT, EDIT, IGNORE, REJECT, Mark, QueueItem, Record, Retract, Session
from toolkit.curation.sets import get_set, set_items
from toolkit.generation.operators.compose import candidate_id as candidate_uid
from toolkit.store import queries as q
from toolkit.store.curation import Decision, FinalDecision
from toolkit.store.models import CandidateRow, Caption, Run, utcnow

HUMAN_EDIT_RUN = "human-edit"
HUMAN_EDIT = "human edit"
CONFLICT, UNDECIDED, IGNORED = "conflict", "undecided", "ignored"


# --------------------------------------------------------------------------- human edits


def store_human_edit(conn: Connection, candidate_id: int, text: str, annotator: str) -> int:
    """Store `text` as a new candidate for the same caption, provenance "human edit" with the original as
    parent. Returns its id (an existing candidate's id when the caption already has that negative)."""
    cand = CandidateRow.__table__
    orig = conn.execute(select(cand).where(cand.c.id == candidate_id)).mappings().one()
    caption = conn.execute(select(Caption.__table__.c.text).where(Caption.__table__.c.id == orig["caption_id"])).scalar_one()
    q.insert_ignore(conn, Run.__table__, [{
        "id": HUMAN_EDIT_RUN, "kind": HUMAN_EDIT, "config": "{}", "versions": json.dumps({"hardneg": toolkit.__version__}),
        "seed": 0, "status": "done", "summary": "{}", "created_at": utcnow(),
    }], ["id"])
    uid = candidate_uid(caption, text)
    provenance = {
        "source": HUMAN_EDIT, "edited_by": annotator, "edited_at": utcnow().isoformat(),
        "parent": orig["uid"], "parent_text": orig["text"], "parent_provenance": json.loads(orig["provenance"]),
        "edits": [], "fixes": [], "length_delta": len(text.split()) - len(caption.split()),
    }
    q.insert_ignore(conn, cand, [{
        "uid": uid, "caption_id": orig["caption_id"], "run_id": HUMAN_EDIT_RUN, "text": text,
        "operator": orig["operator"], "subtype": orig["subtype"], "depth": orig["depth"], "parent_uid": orig["uid"],
        "length_delta": provenance["length_delta"], "created_at": utcnow(),
        "provenance": json.dumps(provenance, ensure_ascii=False, separators=(",", ":")),
    }], ["caption_id", "uid"])
    return conn.execute(select(cand.c.id).where(cand.c.caption_id == orig["caption_id"], cand.c.uid == uid)).scalar_one()


# --------------------------------------------------------------------------- sessions


def queue_items(conn: Connection, set_id: int) -> list[QueueItem]:
    """The set's items as the session shows them, with edit details, verdicts and score margins."""
    rows = set_items(conn, set_id)
    ids = [r["candidate_id"] for r in rows]
    verdicts, scores = verdicts_for(conn, ids), scores_for(conn, ids)
    out = []
    for r in rows:
        prov = json.loads(r["provenance"])
        detail = "; ".join(e.get("detail", "") for e in prov.get("edits", [])) or prov.get("source", "")
        info = {"detail": detail, "verdicts": verdicts.get(r["candidate_id"], []),
                "scores": scores.get(r["candidate_id"], []), "uid": r["uid"]}
        out.append(QueueItem(r["item_hash"], r["candidate_id"], r["caption"], r["negative"], r["image"],
                             r["operator"], r["subtype"], r["depth"], info))
    return out


def _edit_texts(conn: Connection, ids: set[int]) -> dict[int, str]:
    cand = CandidateRow.__table__
    if not ids:
        return {}
    return dict(conn.execute(select(cand.c.id, cand.c.text).where(cand.c.id.in_(ids))).all())


def annotator_marks(conn: Connection, annotator: str) -> list[tuple[str, Mark]]:
    """The annotator's decisions, oldest first, as (item hash, Mark)."""
    d = Decision.__table__
    rows = conn.execute(select(d.c.item_hash, d.c.label, d.c.reason, d.c.edit_candidate_id)
                        .where(d.c.annotator == annotator).order_by(d.c.updated_at, d.c.id)).all()
    texts = _edit_texts(conn, {e for *_, e in rows if e is not None})
    return [(h, Mark(label, reason or "", texts.get(e) if e is not None else None)) for h, label, reason, e in rows]


class SessionStore:
    """Loads a session for (set, annotator) and writes each effect at once, in its own transaction."""

    def __init__(self, engine: Engine, set_name: str, annotator: str) -> None:
        if not annotator.strip():
            raise ValueError("an annotator name is required")
        self.engine = engine
        self.annotator = annotator.strip()
        with engine.connect() as conn:
            self.set = get_set(conn, set_name)

    def load(self) -> Session:
        with self.engine.connect() as conn:
            items = queue_items(conn, self.set["id"])
            return Session(items, annotator_marks(conn, self.annotator))

    def apply(self, effect: Record | Retract) -> None:
        d = Decision.__table__
        item = effect.item
        with self.engine.begin() as conn:
            if isinstance(effect, Retract):
                conn.execute(delete(d).where(d.c.annotator == self.annotator, d.c.item_hash == item.item_hash))
                return
            mark = effect.mark
            edit_id = store_human_edit(conn, item.candidate_id, mark.edit_text, self.annotator) if mark.label == EDIT else None
            now = utcnow()
            values = {"label": mark.label, "reason": mark.reason, "edit_candidate_id": edit_id,
                      "candidate_id": item.candidate_id, "set_id": self.set["id"], "updated_at": now}
            done = conn.execute(update(d).where(d.c.annotator == self.annotator, d.c.item_hash == item.item_hash)
                                .values(**values)).rowcount
            if not done:
                conn.execute(insert(d).values(annotator=self.annotator, item_hash=item.item_hash, created_at=now, **values))


# --------------------------------------------------------------------------- outcomes across annotators


@dataclass
class Outcome:
    """Where an item stands: accept / reject / edit (with the text), ignored, undecided or conflict."""

    status: str
    edit_candidate_id: int | None = None
    edit_text: str | None = None
    source: str = ""  # "review", "agreed" (all annotators who did not ignore), or "" when open

    @property
    def kept(self) -> bool:
        return self.status in (ACCEPT, EDIT)


def item_decisions(conn: Connection, hashes: list[str]) -> dict[str, list[dict]]:
    """item hash -> every annotator's decision on it (with the edited text)."""
    d = Decision.__table__
    out: dict[str, list[dict]] = {}
    rows = []
    for i in range(0, len(hashes), 500):
        rows += conn.execute(select(d).where(d.c.item_hash.in_(hashes[i : i + 500])).order_by(d.c.annotator)).mappings().all()
    texts = _edit_texts(conn, {r["edit_candidate_id"] for r in rows if r["edit_candidate_id"] is not None})
    for r in rows:
        out.setdefault(r["item_hash"], []).append({
            "annotator": r["annotator"], "label": r["label"], "reason": r["reason"],
            "edit_candidate_id": r["edit_candidate_id"], "edit_text": texts.get(r["edit_candidate_id"]),
            "updated_at": r["updated_at"].isoformat(),
        })
    return out


def final_decisions(conn: Connection, hashes: list[str]) -> dict[str, dict]:
    f = FinalDecision.__table__
    out = {}
    for i in range(0, len(hashes), 500):
        for r in conn.execute(select(f).where(f.c.item_hash.in_(hashes[i : i + 500]))).mappings():
            out[r["item_hash"]] = dict(r)
    texts = _edit_texts(conn, {r["edit_candidate_id"] for r in out.values() if r["edit_candidate_id"] is not None})
    for r in out.values():
        r["edit_text"] = texts.get(r["edit_candidate_id"])
    return out


def outcome(decisions: list[dict], final: dict | None) -> Outcome:
    """A reviewed final decision wins; otherwise the annotators who did not ignore the item must agree."""
    if final is not None:
        return Outcome(final["label"], final["edit_candidate_id"], final.get("edit_text"), "review")
    if not decisions:
        return Outcome(UNDECIDED)
    votes = {(d["label"], d["edit_text"] if d["label"] == EDIT else None) for d in decisions if d["label"] != IGNORE}
    if not votes:
        return Outcome(IGNORED)
    if len(votes) > 1:
        return Outcome(CONFLICT)
    label, text = votes.pop()
    edit_id = next((d["edit_candidate_id"] for d in decisions if d["label"] == EDIT), None) if label == EDIT else None
    return Outcome(label, edit_id, text, "agreed")


def set_outcomes(conn: Connection, set_name: str) -> tuple[dict, list[dict], dict[str, list[dict]], dict[str, Outcome]]:
    """(set row, items, decisions per item, outcome per item) for a stored set."""
    s = get_set(conn, set_name)
    items = set_items(conn, s["id"])
    hashes = [r["item_hash"] for r in items]
    decs = item_decisions(conn, hashes)
    finals = final_decisions(conn, hashes)
    return s, items, decs, {h: outcome(decs.get(h, []), finals.get(h)) for h in hashes}


def conflicts(engine: Engine, set_name: str, include_reviewed: bool = False) -> list[dict]:
    """Items annotators disagree on (not ignoring), with every annotator's decision."""
    with engine.connect() as conn:
        _s, items, decs, outs = set_outcomes(conn, set_name)
        finals = final_decisions(conn, [r["item_hash"] for r in items])
    out = []
    for r in items:
        h = r["item_hash"]
        disagree = len({(d["label"], d["edit_text"]) for d in decs.get(h, []) if d["label"] != IGNORE}) > 1
        if outs[h].status == CONFLICT or (include_reviewed and disagree and h in finals):
            out.append({**_public(r), "decisions": decs.get(h, []), "final": outs[h].status if h in finals else None})
    return out


def _public(r: dict) -> dict:
    return {"item_hash": r["item_hash"], "candidate_id": r["candidate_id"], "caption": r["caption"],
            "negative": r["negative"], "image": r["image"], "operator": r["operator"], "subtype": r["subtype"],
            "depth": r["depth"]}


def record_final(engine: Engine, item_hash: str, candidate_id: int, label: str, decided_by: str,
                 edit_candidate_id: int | None = None, reason: str = "") -> None:
    """Store (or replace) the final decision for an item."""
    if label not in (ACCEPT, REJECT, IGNORE, EDIT):
        raise ValueError(f"final label must be accept, reject, ignore or edit, got {label!r}")
    if (label == EDIT) != (edit_candidate_id is not None):
        raise ValueError("an edit final decision needs the edited candidate (and only an edit has one)")
    f = FinalDecision.__table__
    now = utcnow()
    values = {"candidate_id": candidate_id, "label": label, "edit_candidate_id": edit_candidate_id,
              "decided_by": decided_by, "reason": reason, "updated_at": now}
    with engine.begin() as conn:
        if not conn.execute(update(f).where(f.c.item_hash == item_hash).values(**values)).rowcount:
            conn.execute(insert(f).values(item_hash=item_hash, created_at=now, **values))


# --------------------------------------------------------------------------- statistics


def kappa_labels(decs: dict[str, list[dict]]) -> dict[str, dict[str, str]]:
    """annotator -> {item: label} for agreement: an edit counts as accept (both keep the item); ignores
    are left out (the annotator abstained)."""
    labels: dict[str, dict[str, str]] = {}
    for h, ds in decs.items():
        for d in ds:
            if d["label"] == IGNORE:
                continue
            labels.setdefault(d["annotator"], {})[h] = ACCEPT if d["label"] == EDIT else d["label"]
    return labels


def set_stats(engine: Engine, set_name: str) -> dict:
    """Counts per stratum and operator, decisions per annotator, outcomes, acceptance rates and Cohen's kappa."""
    with engine.connect() as conn:
        s, items, decs, outs = set_outcomes(conn, set_name)
    by_op: dict[str, Counter] = {}
    for r in items:
        c = by_op.setdefault(f"{r['operator']}/{r['subtype']}", Counter())
        c["items"] += 1
        c[outs[r["item_hash"]].status] += 1
    per_annotator: dict[str, Counter] = {}
    for ds in decs.values():
        for d in ds:
            per_annotator.setdefault(d["annotator"], Counter())[d["label"]] += 1
    status = Counter(o.status for o in outs.values())
    return {
        "name": s["name"], "description": s["description"], "query": json.loads(s["query"]),
        "created_at": s["created_at"].isoformat(), "items": len(items),
        "by_stratum": dict(sorted(Counter(r["stratum"] for r in items).items())),
        "by_operator": {k: {**_rates(v), **dict(v)} for k, v in sorted(by_op.items())},
        "outcomes": dict(sorted(status.items())),
        "acceptance_rate": _rates(status)["acceptance_rate"],
        "annotators": {a: {"decided": sum(c.values()), **dict(sorted(c.items()))} for a, c in sorted(per_annotator.items())},
        "agreement": pairwise_kappa(kappa_labels(decs)),
    }


def _rates(c: Counter) -> dict:
    judged = c[ACCEPT] + c[EDIT] + c[REJECT]
    return {"acceptance_rate": round((c[ACCEPT] + c[EDIT]) / judged, 4) if judged else None}
