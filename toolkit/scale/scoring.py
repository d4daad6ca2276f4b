"""The optional GPU stage of the Ray pipeline: score every caption's candidates against its image with an
open_clip model (`toolkit.evaluation.scoring.create_scorer`, the scorer `hardneg score` uses), one model per actor.

Each actor asks for `num_gpus` (1 on a GPU cluster; 0 runs it on CPU, as the tests do with a tiny model)
and a small CPU share, and takes batches of an explicit number of caption rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pyarrow as pa

SCORE_TYPE = pa.struct([("uid", pa.string()), ("pos_sim", pa.float32()), ("neg_sim", pa.float32()),
                        ("margin", pa.float32()), ("tie", pa.bool_())])
SCORE_COLUMNS = [("score_model", pa.string()), ("scores", pa.list_(SCORE_TYPE)), ("score_error", pa.string())]


@dataclass(frozen=True)
class ScoreStage:
    """Which model scores, with how many actors, GPUs and CPUs each, on batches of `batch_size` rows."""

    model: str
    pretrained: str | None = None
    batch_size: int = 256
    actors: int = 1
    num_gpus: float = 1.0
    cpus_per_actor: float = 0.25
    precision: str = "auto"

    @classmethod
    def from_dict(cls, d: dict) -> ScoreStage:
        return cls(**d)

    def total_cpus(self) -> float:
        return self.actors * self.cpus_per_actor

    def apply(self, ds: Any) -> Any:
        """Add the scoring stage to a Ray dataset of caption rows."""
        import ray

        return ds.map_batches(
            ScoreActor, fn_constructor_args=(asdict(self),), batch_size=self.batch_size, batch_format="pyarrow",
            compute=ray.data.ActorPoolStrategy(size=self.actors), num_gpus=self.num_gpus,
            num_cpus=self.cpus_per_actor,
        )


class ScoreActor:
    """Ray Data UDF: loads the model once; adds `score_model`, `scores` (one per candidate) and `score_error`."""

    def __init__(self, stage: dict) -> None:
        from toolkit.evaluation.scoring import create_scorer

        s = ScoreStage.from_dict(stage)
        device = "cuda" if s.num_gpus > 0 else "cpu"
        self.scorer = create_scorer(s.model, s.pretrained, device=device, precision=s.precision,
                                    batch_size=s.batch_size, num_workers=0)

    def __call__(self, batch: pa.Table) -> pa.Table:
        return score_table(self.scorer, batch)


def score_table(scorer: Any, batch: pa.Table) -> pa.Table:
    """BATCH (caption rows) with its candidates scored by SCORER; rows without an image or candidates get
    no scores, and an image that cannot be read is named in `score_error`."""
    from toolkit.evaluation.scoring import Item, Negative

    rows = batch.to_pylist()
    items = [
        Item(i, r["image"], r["text"], [Negative(c["uid"], c["text"]) for c in r["candidates"]])
        for i, r in enumerate(rows) if r["image"] and r["candidates"] and r["error"] is None
    ]
    outcome = scorer.score(items)
    scores: list[list[dict]] = [[] for _ in rows]
    for s in outcome.scores:
        scores[s.item_key].append({"uid": s.negative_key, "pos_sim": s.pos_sim, "neg_sim": s.neg_sim,
                                   "margin": s.margin, "tie": s.tie})
    errors: list[str | None] = [None] * len(rows)
    for e in outcome.errors:
        errors[e.item_key] = str(e)
    for i, r in enumerate(rows):
        if r["error"] is None and r["candidates"] and not r["image"]:
            errors[i] = "no image to score against"
    for (name, typ), values in zip(SCORE_COLUMNS, ([scorer.model_id] * len(rows), scores, errors), strict=True):
        batch = batch.append_column(pa.field(name, typ), pa.array(values, type=typ))
    return batch
