"""Scoring items (an image, its positive caption and any number of negatives) with cached embeddings.

Each distinct image file and each distinct text is encoded at most once per model: they are looked
up in the cache by content hash first, and only the misses are encoded (then cached). A negative is
passed when the image is strictly closer to the positive than to it; a tie is a failure (as in SugarCrepe).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from toolkit.evaluation.scoring.cache import EmbeddingCache, file_hash, text_hash
from toolkit.evaluation.scoring.encode import Encoder
from toolkit.generation.batching import batched


@dataclass(frozen=True)
class Negative:
    """A negative caption; `key` is the caller's id for it (a candidate id, a benchmark pair index)."""

    key: Hashable
    text: str


@dataclass(frozen=True)
class Item:
    """An image with its positive caption and its negatives."""

    key: Hashable
    image: str | None
    positive: str
    negatives: Sequence[Negative]


@dataclass(frozen=True)
class PairScore:
    """Cosine similarities of the image to the positive and to one negative."""

    item_key: Hashable
    negative_key: Hashable
    pos_sim: float
    neg_sim: float
    margin: float
    tie: bool

    @property
    def correct(self) -> bool:
        """True when the positive wins outright; ties count as failures."""
        return self.margin > 0 and not self.tie


@dataclass(frozen=True)
class ScoreError:
    """An item that could not be scored, and why."""

    item_key: Hashable
    image: str | None
    reason: str
    negatives: int = 0

    def __str__(self) -> str:
        where = f" (image {self.image})" if self.image else ""
        return f"item {self.item_key}{where}: {self.reason}"


@dataclass
class ScoreOutcome:
    """Scores of the items that could be scored, errors for the others, and encode/cache counts."""

    scores: list[PairScore] = field(default_factory=list)
    errors: list[ScoreError] = field(default_factory=list)
    images_encoded: int = 0
    images_cached: int = 0
    texts_encoded: int = 0
    texts_cached: int = 0

    def add(self, other: ScoreOutcome) -> None:
        self.scores.extend(other.scores)
        self.errors.extend(other.errors)
        for name in ("images_encoded", "images_cached", "texts_encoded", "texts_cached"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def counts(self) -> dict:
        return {
            "pairs": len(self.scores),
            "correct": sum(s.correct for s in self.scores),
            "ties": sum(s.tie for s in self.scores),
            "errors": len(self.errors),
            "images_encoded": self.images_encoded,
            "images_cached": self.images_cached,
            "texts_encoded": self.texts_encoded,
            "texts_cached": self.texts_cached,
        }


def _hash_file(path: str) -> tuple[str | None, str | None]:
    try:
        return file_hash(path), None
    except FileNotFoundError:
        return None, "missing image"
    except OSError as exc:
        return None, f"unreadable image ({exc.strerror or exc})"


class Scorer:
    """Scores items with one model; create it with `toolkit.evaluation.scoring.create_scorer`."""

    def __init__(self, model_id: str, config: dict, encoder: Encoder, cache: EmbeddingCache, *,
                 hash_threads: int = 4) -> None:
        self.model_id = model_id
        self.config = config
        self.encoder = encoder
        self.cache = cache
        self.hash_threads = max(1, hash_threads)

    @property
    def params(self) -> dict:
        """How this scorer runs (not part of the model id): device, precision, batch size, workers."""
        enc = self.encoder
        return {"device": str(enc.device), "precision": enc.precision, "batch_size": enc.batch_size,
                "num_workers": enc.num_workers}

    def score(self, items: Iterable[Item]) -> ScoreOutcome:
        """Score every negative of every item; items whose image fails are reported, the rest go on."""
        items = list(items)
        out = ScoreOutcome()
        image_vecs, image_errors = self._image_vectors(
            sorted({it.image for it in items if it.image and it.negatives}), out)
        texts = sorted({t for it in items if it.negatives for t in (it.positive, *(n.text for n in it.negatives))})
        text_vecs, text_errors = self._text_vectors(texts, out)
        img_rows, pos_rows, neg_rows, keys = [], [], [], []
        for it in items:
            if not it.negatives:
                continue
            reason = "no image" if not it.image else image_errors.get(it.image)
            reason = reason or text_errors.get(it.positive)
            if reason is not None:
                out.errors.append(ScoreError(it.key, it.image, reason, len(it.negatives)))
                continue
            for neg in it.negatives:
                if neg.text in text_errors:
                    out.errors.append(ScoreError(it.key, it.image, f"negative {neg.key}: {text_errors[neg.text]}", 1))
                    continue
                img_rows.append(image_vecs[it.image])
                pos_rows.append(text_vecs[it.positive])
                neg_rows.append(text_vecs[neg.text])
                keys.append((it.key, neg.key))
        if keys:
            img = np.stack(img_rows)
            pos = np.einsum("ij,ij->i", img, np.stack(pos_rows))
            neg = np.einsum("ij,ij->i", img, np.stack(neg_rows))
            for (ik, nk), p, n in zip(keys, pos.tolist(), neg.tolist(), strict=True):
                out.scores.append(PairScore(ik, nk, p, n, p - n, p == n))
        return out

    def score_chunks(self, items: Iterable[Item], chunk_size: int = 1024,
                     progress: Callable[[int], None] | None = None) -> Iterator[ScoreOutcome]:
        """Score `chunk_size` items at a time, so a caller can store each chunk before the next one starts."""
        for chunk in batched(items, chunk_size):
            outcome = self.score(chunk)
            yield outcome
            if progress is not None:
                progress(len(chunk))

    def _image_vectors(self, paths: Sequence[str], out: ScoreOutcome) -> tuple[dict[str, np.ndarray], dict[str, str]]:
        errors: dict[str, str] = {}
        by_hash: dict[str, list[str]] = {}
        with ThreadPoolExecutor(self.hash_threads) as pool:
            for path, (digest, reason) in zip(paths, pool.map(_hash_file, paths), strict=True):
                if digest is None:
                    errors[path] = reason or "unreadable image"
                else:
                    by_hash.setdefault(digest, []).append(path)
        cached = self.cache.get_many(self.model_id, "image", by_hash)
        out.images_cached += len(cached)
        todo = [h for h in by_hash if h not in cached]
        vecs, failed = self.encoder.encode_images([by_hash[h][0] for h in todo])
        fresh = {todo[i]: v for i, v in vecs.items()}
        if fresh:
            self.cache.put_many(self.model_id, "image", fresh)
        out.images_encoded += len(fresh)
        for i, reason in failed.items():
            for path in by_hash[todo[i]]:
                errors[path] = reason
        found = {**cached, **fresh}
        vectors = {p: found[h] for h, ps in by_hash.items() if h in found for p in ps}
        return vectors, errors

    def _text_vectors(self, texts: Sequence[str], out: ScoreOutcome) -> tuple[dict[str, np.ndarray], dict[str, str]]:
        hashes = {t: text_hash(t) for t in texts}
        cached = self.cache.get_many(self.model_id, "text", hashes.values())
        out.texts_cached += len(cached)
        todo = [t for t in texts if hashes[t] not in cached]
        vecs, failed = self.encoder.encode_texts(todo)
        fresh = {hashes[todo[i]]: v for i, v in vecs.items()}
        if fresh:
            self.cache.put_many(self.model_id, "text", fresh)
        out.texts_encoded += len(fresh)
        found = {**cached, **fresh}
        return {t: found[h] for t, h in hashes.items() if h in found}, {todo[i]: r for i, r in failed.items()}
