"""The plain engine: the same pieces and the same `Worker`, in one process (no Ray needed)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from toolkit.scale.runner import OnShard, PipelineReport, run_shards
from toolkit.scale.shards import Piece
from toolkit.scale.worker import RunSpec, Worker, input_caption_lm


def write_table(table: Any, url: str) -> None:
    """Write one Arrow table as a Parquet file at URL (any fsspec URL)."""
    import fsspec
    import pyarrow.parquet as pq

    with fsspec.open(url, "wb") as fh:
        pq.write_table(table, fh)


def run_local(
    inputs: Iterable[str],
    output: str,
    spec: RunSpec,
    *,
    rows_per_piece: int = 1000,
    nlp: Any = None,
    progress: Callable[[int], None] | None = None,
    on_shard: OnShard | None = None,
    lm_corpus: Iterable[str] | None = None,
) -> PipelineReport:
    """Process caption shards into OUTPUT in this process, one Parquet file per piece. The caption language
    model (with `plausibility`) is fitted on LM_CORPUS's captions, by default the inputs'."""
    inputs = list(inputs)
    lm = input_caption_lm(list(lm_corpus or inputs), spec, rows_per_piece)
    worker = Worker(spec, nlp=nlp, lm=lm)

    def process(_url: str, pieces: list[Piece], staging: str) -> None:
        for i, piece in enumerate(pieces):
            write_table(worker.process(piece), f"{staging}/part-{i:05d}.parquet")
            if progress:
                progress(piece.n_rows)

    report = PipelineReport(output, worker.run_id, "local")
    return run_shards(inputs, output, process, report, rows_per_piece=rows_per_piece, run=worker.run,
                      on_shard=on_shard)
