"""Batched encoding with an open_clip model: images decoded in DataLoader workers, texts tokenized once,
`torch.inference_mode` with optional autocast, and a batch halved (not the run stopped) on out-of-memory."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

log = logging.getLogger(__name__)

AMP_DTYPES = {"amp_bf16": torch.bfloat16, "amp_fp16": torch.float16}


class ImageFiles(Dataset):
    """Decodes and preprocesses one image file per index; a failure is returned, not raised."""

    def __init__(self, paths: Sequence[str], transform: Callable) -> None:
        self.paths = list(paths)
        self.transform = transform

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, i: int) -> tuple[int, torch.Tensor | None, str | None]:
        from PIL import Image

        path = self.paths[i]
        try:
            with Image.open(path) as im:
                rgb = im.convert("RGB")
            return i, self.transform(rgb), None
        except FileNotFoundError:
            return i, None, "missing image"
        except Exception as exc:  # any decoder error concerns this file only
            return i, None, f"unreadable image ({type(exc).__name__}: {exc})"


def _collate(batch: list[tuple[int, torch.Tensor | None, str | None]]):
    ok = [(i, t) for i, t, _ in batch if t is not None]
    errors = {i: e for i, t, e in batch if t is None}
    tensor = torch.stack([t for _, t in ok]) if ok else None
    return [i for i, _ in ok], tensor, errors


def is_oom(exc: BaseException) -> bool:
    """An accelerator out-of-memory error (CUDA raises torch.OutOfMemoryError; MPS a RuntimeError)."""
    oom_type = getattr(torch, "OutOfMemoryError", None) or torch.cuda.OutOfMemoryError
    return isinstance(exc, oom_type) or (isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower())


@dataclass
class EncodeLog:
    """What happened while encoding: vectors computed, batch halvings (with the items they concerned)."""

    images: int = 0
    texts: int = 0
    halvings: list[str] = field(default_factory=list)


class Encoder:
    """Encodes images and texts to L2-normalised float32 numpy vectors."""

    def __init__(self, model: torch.nn.Module, preprocess: Callable, tokenizer: Callable, *, device: str,
                 precision: str, batch_size: int = 64, num_workers: int = 2) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if num_workers < 0:
            raise ValueError(f"num_workers must be 0 or more, got {num_workers}")
        self.model = model.eval()
        self.preprocess = preprocess
        self.tokenizer = tokenizer
        self.device = torch.device(device)
        self.precision = precision
        self.batch_size = batch_size  # lowered for the rest of the run when memory runs out
        self.num_workers = num_workers
        self.log = EncodeLog()

    def _autocast(self):
        dtype = AMP_DTYPES.get(self.precision)
        if dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=dtype)

    def _forward(self, fn: Callable[[torch.Tensor], torch.Tensor], inputs: torch.Tensor) -> np.ndarray:
        with torch.inference_mode(), self._autocast():
            out = fn(inputs.to(self.device, non_blocking=True))
        out = torch.nn.functional.normalize(out.float(), dim=-1)
        return out.cpu().numpy()

    def _safe_batches(self, fn: Callable[[torch.Tensor], torch.Tensor], inputs: torch.Tensor,
                      names: Sequence[str]) -> tuple[np.ndarray | None, dict[int, str]]:
        """Run `fn` over `inputs` in slices of self.batch_size, halving it on out-of-memory.

        Returns (vectors with a row per input, NaN where it failed; {row: reason}).
        """
        n = inputs.shape[0]
        out: np.ndarray | None = None
        errors: dict[int, str] = {}
        start = 0
        while start < n:
            size = min(self.batch_size, n - start)
            try:
                vecs = self._forward(fn, inputs[start : start + size])
            except Exception as exc:
                if not is_oom(exc):
                    raise
                self._free()
                if size == 1:
                    errors[start] = f"out of memory at batch size 1 on {names[start]}"
                    start += 1
                    continue
                self.batch_size = max(1, size // 2)
                self.log.halvings.append(f"out of memory with a batch of {size} (first: {names[start]}); "
                                         f"batch size now {self.batch_size}")
                log.warning(self.log.halvings[-1])
                continue
            if out is None:
                out = np.full((n, vecs.shape[1]), np.nan, dtype=np.float32)
            out[start : start + size] = vecs
            start += size
        return out, errors

    def _free(self) -> None:
        if self.device.type == "cuda":
            torch.cuda.empty_cache()

    def encode_images(self, paths: Sequence[str]) -> tuple[dict[int, np.ndarray], dict[int, str]]:
        """Vectors by index into `paths`, and reasons for the indices that failed (missing, unreadable, OOM)."""
        vectors: dict[int, np.ndarray] = {}
        errors: dict[int, str] = {}
        if not paths:
            return vectors, errors
        loader = DataLoader(
            ImageFiles(paths, self.preprocess),
            batch_size=self.batch_size,
            num_workers=self.num_workers,
            collate_fn=_collate,
            pin_memory=self.device.type == "cuda",
        )
        for idx, tensor, bad in loader:
            errors.update(bad)
            if tensor is None:
                continue
            vecs, failed = self._safe_batches(self.model.encode_image, tensor, [paths[i] for i in idx])
            for row, i in enumerate(idx):
                if row in failed:
                    errors[i] = failed[row]
                else:
                    vectors[i] = vecs[row]
            self.log.images += len(idx) - len(failed)
        return vectors, errors

    def encode_texts(self, texts: Sequence[str]) -> tuple[dict[int, np.ndarray], dict[int, str]]:
        """Vectors by index into `texts`; texts that tokenize identically are encoded once."""
        if not texts:
            return {}, {}
        tokens = self.tokenizer(list(texts))
        unique, inverse = torch.unique(tokens, dim=0, return_inverse=True)
        first = {}
        for i, u in enumerate(inverse.tolist()):
            first.setdefault(u, i)
        names = [texts[first[u]] for u in range(unique.shape[0])]
        vecs, failed = self._safe_batches(self.model.encode_text, unique, [repr(t) for t in names])
        self.log.texts += unique.shape[0] - len(failed)
        vectors, errors = {}, {}
        for i, u in enumerate(inverse.tolist()):
            if u in failed:
                errors[i] = failed[u]
            else:
                vectors[i] = vecs[u]
        return vectors, errors
