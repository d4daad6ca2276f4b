"""`hardneg quickstart`: the main job on the embedded defaults (SQLite file, bundled COCO captions)."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from sqlalchemy import select

from toolkit.faces.display import candidates_table, counts_table
from toolkit.generation.operators import GenerationConfig
from toolkit.generation.pipeline import generate_run, ingest
from toolkit.store.db import make_engine, resolve_url
from toolkit.store.models import CandidateRow, Caption
from toolkit.store.queries import counts
from toolkit.text.ingest import read_captions


def example_rows(engine, run_id: str, n: int) -> list[dict]:
    """One example per operator/subtype (then more, round robin), for display."""
    cand, cap = CandidateRow.__table__, Caption.__table__
    with engine.connect() as conn:
        rows = conn.execute(
            select(cand.c.text, cand.c.operator, cand.c.subtype, cand.c.depth, cand.c.provenance, cap.c.text.label("caption"))
            .join(cap, cap.c.id == cand.c.caption_id)
            .where(cand.c.run_id == run_id)
            .order_by(cand.c.id)
            .limit(5000)
        ).all()
    buckets: dict[str, list[dict]] = {}
    for r in rows:
        edits = json.loads(r.provenance)["edits"]
        buckets.setdefault(f"{r.operator}/{r.subtype}", []).append(
            {"caption": r.caption, "text": r.text, "operator": r.operator, "subtype": r.subtype, "depth": r.depth,
             "detail": "; ".join(e["detail"] for e in edits)}
        )
    out: list[dict] = []
    for i in range(n):
        for key in sorted(buckets):
            if len(out) < n and i * 37 < len(buckets[key]):
                out.append(buckets[key][(i * 37) % len(buckets[key])])
    return out[:n]


def run_quickstart(db: str | None, sample: Path, examples: int, console: Console) -> dict:
    """Ingest the sample, generate with all operators, print a summary and examples. Returns the stats."""
    engine = make_engine(db)
    console.print(f"[bold]hardneg quickstart[/] database: {resolve_url(db)}")
    report = ingest(engine, read_captions(sample))
    console.print(f"ingested {sample.name}: {report.inserted} new captions, {report.duplicates} already stored, "
                  f"{report.parsed} parsed, {len(report.bad)} skipped")
    with console.status("generating SWAP / REPLACE / ADD negatives"):
        run = generate_run(engine, GenerationConfig())
    d = run.to_dict()
    console.print(f"run {d['run_id']}: {d['candidates']} new candidates from {d['captions']} captions "
                  f"({d['captions_without_candidates']} gave none)")
    with engine.connect() as conn:
        stats = counts(conn)
    console.print(counts_table(stats["by_operator"]))
    if examples:
        console.print(candidates_table(example_rows(engine, run.run_id, examples), title="Example negatives"))
    console.print("next: [bold]hardneg negatives \"A black dog chasing a white cat.\"[/], "
                  "[bold]hardneg export negatives.jsonl[/], [bold]hardneg --help[/]")
    return stats
