"""The record every benchmark format writes and reads: one caption with one negative and where it came from."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from toolkit.text.records import BadRecord


def category(operator: str, subtype: str) -> str:
    """SugarCrepe-style category: "swap_att"; composed candidates join their steps with "+"
    ("swap_att+replace_obj")."""
    ops, subs = operator.split("+"), subtype.split("+")
    if len(ops) != len(subs):
        raise ValueError(f"operator {operator!r} and subtype {subtype!r} have different numbers of steps")
    return "+".join(f"{o}_{s}" for o, s in zip(ops, subs, strict=True))


def split_category(cat: str) -> tuple[str, str]:
    """Inverse of `category`: "swap_att+replace_obj" -> ("swap+replace", "att+obj")."""
    steps = [c.rpartition("_") for c in cat.split("+")]
    if any(not op or not sub for op, _, sub in steps):
        raise ValueError(f"category {cat!r} is not operator_subtype (e.g. swap_att)")
    return "+".join(op for op, _, _ in steps), "+".join(sub for _, _, sub in steps)


@dataclass
class BenchRecord:
    """One benchmark item. `label` is the item's outcome when known (accept, edit, reject, ...)."""

    caption: str
    negative: str
    image: str | None
    operator: str
    subtype: str
    depth: int = 1
    key: str = ""
    uid: str = ""
    label: str | None = None
    run_id: str = ""
    provenance: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)  # decisions, verdicts, scores (JSONL only)

    @property
    def category(self) -> str:
        return category(self.operator, self.subtype)

    def to_dict(self) -> dict:
        return {**asdict(self), "category": self.category}


FLAT_COLUMNS = ("key", "caption", "negative", "image", "category", "operator", "subtype", "depth", "label", "uid",
                "run_id", "provenance")


def flat(r: BenchRecord) -> dict:
    """The record as flat strings and an int (CSV, Parquet): provenance as a JSON string."""
    return {"key": r.key, "caption": r.caption, "negative": r.negative, "image": r.image or "", "category": r.category,
            "operator": r.operator, "subtype": r.subtype, "depth": r.depth, "label": r.label or "", "uid": r.uid,
            "run_id": r.run_id, "provenance": json.dumps(r.provenance, ensure_ascii=False, sort_keys=True)}


def from_mapping(obj: dict, source: str, ref: str) -> BenchRecord | BadRecord:
    """A record from a JSONL object, CSV row or dataset row; a BadRecord naming the field otherwise."""
    for name in ("caption", "negative"):
        value = obj.get(name)
        if not isinstance(value, str) or not value.strip():
            return BadRecord(source, ref, name, f"missing or empty {name!r}")
    op, sub = obj.get("operator") or "", obj.get("subtype") or ""
    if not (op and sub):
        cat = obj.get("category")
        if not isinstance(cat, str) or not cat:
            return BadRecord(source, ref, "category", "missing 'category' (or 'operator' and 'subtype')")
        try:
            op, sub = split_category(cat)
        except ValueError as exc:
            return BadRecord(source, ref, "category", str(exc))
    try:
        depth = int(obj.get("depth") or op.count("+") + 1)
    except (TypeError, ValueError):
        return BadRecord(source, ref, "depth", f"depth is not an integer ({obj.get('depth')!r})")
    prov = obj.get("provenance") or {}
    if isinstance(prov, str):
        try:
            prov = json.loads(prov)
        except json.JSONDecodeError as exc:
            return BadRecord(source, ref, "provenance", f"provenance is not JSON: {exc.msg}")
    if not isinstance(prov, dict):
        return BadRecord(source, ref, "provenance", "provenance is not a JSON object")
    image = obj.get("image") or None
    if image is not None and not isinstance(image, str):
        return BadRecord(source, ref, "image", "image is not a string")
    return BenchRecord(
        " ".join(obj["caption"].split()), " ".join(obj["negative"].split()), image, op, sub, depth,
        key=str(obj.get("key") or ""), uid=str(obj.get("uid") or ""), label=obj.get("label") or None,
        run_id=str(obj.get("run_id") or ""), provenance=prov, extra=obj.get("extra") or {},
    )
