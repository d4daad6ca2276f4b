"""Scale-out: caption shards (Parquet or JSONL, local or any fsspec URL) processed in pieces, in one
process or on Ray Data, written as Parquet shards of candidates and imported into the database in bulk.

Nothing here imports Ray at import time: `toolkit.scale.ray_pipeline` does, and only it.
"""

from toolkit.scale.importer import ImportReport, import_parquet
from toolkit.scale.local import run_local
from toolkit.scale.shards import Piece, list_shards, plan_pieces, read_piece
from toolkit.scale.worker import OUTPUT_SCHEMA, Worker

__all__ = [
    "OUTPUT_SCHEMA", "ImportReport", "Piece", "Worker", "import_parquet", "list_shards", "plan_pieces",
    "read_piece", "run_local",
]
