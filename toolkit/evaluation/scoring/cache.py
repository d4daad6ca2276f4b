"""Embedding caches keyed by (model id, kind, content hash): in memory, or in the database.

Content hashes are sha256 of an image file's bytes or of a text's UTF-8, so a renamed file or a caption
stored twice is still encoded once per model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Protocol

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import Engine

KINDS = ("image", "text")
_IN_CHUNK = 500  # bound parameters per IN (...) query


def text_hash(text: str) -> str:
    """sha256 hex of a text's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_hash(path: str) -> str:
    """sha256 hex of a file's bytes (raises OSError for a missing or unreadable file)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class EmbeddingCache(Protocol):
    """Where encoded vectors are kept between scorings."""

    def get_many(self, model_id: str, kind: str, hashes: Iterable[str]) -> dict[str, np.ndarray]: ...

    def put_many(self, model_id: str, kind: str, vectors: Mapping[str, np.ndarray]) -> None: ...


class MemoryCache:
    """A dict-backed cache for one process (used when no database is given)."""

    def __init__(self) -> None:
        self._data: dict[tuple[str, str, str], np.ndarray] = {}

    def get_many(self, model_id: str, kind: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        out = {}
        for h in hashes:
            vec = self._data.get((model_id, kind, h))
            if vec is not None:
                out[h] = vec
        return out

    def put_many(self, model_id: str, kind: str, vectors: Mapping[str, np.ndarray]) -> None:
        for h, vec in vectors.items():
            self._data[(model_id, kind, h)] = np.asarray(vec, dtype=np.float32)

    def __len__(self) -> int:
        return len(self._data)


class DbCache:
    """The `embedding_cache` table: float32 vectors as bytes, written as soon as they are encoded."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get_many(self, model_id: str, kind: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        from toolkit.store.scores import EmbeddingCache as Row

        table = Row.__table__
        wanted = sorted(set(hashes))
        out: dict[str, np.ndarray] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(wanted), _IN_CHUNK):
                part = wanted[i : i + _IN_CHUNK]
                rows = conn.execute(
                    select(table.c.content_hash, table.c.vector).where(
                        table.c.model_id == model_id, table.c.kind == kind, table.c.content_hash.in_(part)
                    )
                )
                for h, blob in rows:
                    out[h] = np.frombuffer(blob, dtype=np.float32)
        return out

    def put_many(self, model_id: str, kind: str, vectors: Mapping[str, np.ndarray]) -> None:
        from toolkit.store.models import utcnow
        from toolkit.store.queries import insert_ignore
        from toolkit.store.scores import EmbeddingCache as Row

        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        now = utcnow()
        rows = [
            {
                "model_id": model_id,
                "kind": kind,
                "content_hash": h,
                "dim": int(np.asarray(vec).shape[-1]),
                "vector": np.asarray(vec, dtype=np.float32).tobytes(),
                "created_at": now,
            }
            for h, vec in vectors.items()
        ]
        with self.engine.begin() as conn:
            insert_ignore(conn, Row.__table__, rows, ["model_id", "kind", "content_hash"])
