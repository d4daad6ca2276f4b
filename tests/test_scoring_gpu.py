"""Scoring on CUDA (skipped without it): autocast scores agree with CPU fp32, and a real out-of-memory
error halves the batch instead of stopping. See docs/SCORING.md for how to run these on a GPU machine."""

from __future__ import annotations

import pytest
import torch
from scoring_helpers import CAPTIONS, tiny_checkpoint, write_images

from toolkit.evaluation.scoring import Item, Negative, create_scorer
from toolkit.evaluation.scoring.registry import TINY_NAME, register_tiny

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")]


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("gpu")
    register_tiny()
    images = write_images(root / "images", 16)
    items = [Item(i, str(p), CAPTIONS[i % 6], [Negative((i, k), CAPTIONS[(i + k + 1) % 6]) for k in range(4)])
             for i, p in enumerate(images)]
    return {"ckpt": tiny_checkpoint(root / "tiny.pt"), "items": items}


def _pairs(outcome):
    return {(s.item_key, s.negative_key): s for s in outcome.scores}


def test_auto_picks_cuda_with_autocast_and_agrees_with_cpu(setup):
    gpu = create_scorer(TINY_NAME, str(setup["ckpt"]), "auto", "auto", num_workers=2)
    assert gpu.params["device"].startswith("cuda") and gpu.params["precision"] in ("amp_bf16", "amp_fp16")
    cpu = create_scorer(TINY_NAME, str(setup["ckpt"]), "cpu", "fp32", num_workers=0)
    assert gpu.model_id != cpu.model_id  # precision is part of the id: their caches never mix
    g, c = _pairs(gpu.score(setup["items"])), _pairs(cpu.score(setup["items"]))
    assert g.keys() == c.keys()
    assert max(abs(g[k].pos_sim - c[k].pos_sim) for k in g) < 2e-2
    fp32 = _pairs(create_scorer(TINY_NAME, str(setup["ckpt"]), "cuda", "fp32", num_workers=0).score(setup["items"]))
    assert max(abs(fp32[k].pos_sim - c[k].pos_sim) for k in c) < 1e-4


def test_real_cuda_out_of_memory_halves_the_batch(setup, monkeypatch):
    s = create_scorer(TINY_NAME, str(setup["ckpt"]), "cuda", "fp32", num_workers=0, batch_size=16)
    real = s.encoder.model.encode_image

    def greedy(x):
        if x.shape[0] > 4:  # ask for far more memory than the device has: a genuine CUDA OOM
            torch.empty(int(torch.cuda.get_device_properties(0).total_memory * 2), dtype=torch.uint8, device="cuda")
        return real(x)

    monkeypatch.setattr(s.encoder.model, "encode_image", greedy)
    out = s.score(setup["items"])
    assert s.encoder.batch_size == 4 and not out.errors and len(out.scores) == 64
