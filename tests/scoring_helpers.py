"""Set-up shared by the scoring tests: the tiny open_clip architecture (random weights, 64-px images) registered
at test time, a fixed checkpoint of it, synthetic images and SugarCrepe-format folders in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from toolkit.evaluation.scoring.registry import TINY_CONFIG, register_tiny

CAPTIONS = [
    "A black dog chasing a white cat on the grass.",
    "A man riding a horse next to a red car.",
    "Two zebras standing in a green field.",
    "A woman holding a blue umbrella in the rain.",
    "A small bird sitting on a wooden fence.",
    "A young boy throwing a red frisbee in the park.",
]


def tiny_checkpoint(path: Path, seed: int = 0) -> Path:
    """Save the state dict of a seeded tiny model (the same weights for the same seed)."""
    import open_clip

    name = register_tiny()
    torch.manual_seed(seed)
    model = open_clip.create_model(name, pretrained=None)
    torch.save(model.state_dict(), path)
    return path


def tiny_local_dir(folder: Path, checkpoint: Path) -> Path:
    """A `local-dir:` model folder (open_clip_config.json + weights) holding `checkpoint`'s weights."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "open_clip_config.json").write_text(json.dumps({"model_cfg": TINY_CONFIG, "preprocess_cfg": {}}))
    (folder / "open_clip_pytorch_model.bin").write_bytes(checkpoint.read_bytes())
    return folder


def write_images(folder: Path, n: int, seed: int = 0) -> list[Path]:
    """n distinct synthetic images (noise over colour blocks), alternately PNG and JPEG, of varied sizes."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(n):
        h, w = 48 + 8 * (i % 5), 64 + 12 * (i % 3)
        base = rng.integers(0, 256, size=(1, 1, 3))
        pixels = np.clip(base + rng.normal(0, 60, size=(h, w, 3)), 0, 255).astype("uint8")
        path = folder / f"{i:03d}.{'png' if i % 2 else 'jpg'}"
        Image.fromarray(pixels).save(path)
        paths.append(path)
    return paths


def sugarcrepe_folder(folder: Path, images: list[Path]) -> Path:
    """A tiny SugarCrepe-format benchmark: three category files over the images (file names only)."""
    folder.mkdir(parents=True, exist_ok=True)
    names = [p.name for p in images]
    cats = {
        "replace_obj": [(CAPTIONS[0], "A black dog chasing a white horse on the grass."),
                        (CAPTIONS[1], "A man riding a bike next to a red car.")],
        "swap_att": [(CAPTIONS[0], "A white dog chasing a black cat on the grass."),
                     (CAPTIONS[3], "A blue woman holding an umbrella in the rain.")],
        "add_att": [(CAPTIONS[2], "Two striped zebras standing in a green field."),
                    (CAPTIONS[4], "A small bird sitting on a wooden fence.")],  # negative == caption: a tie
    }
    image_of = {c: names[i % len(names)] for i, c in enumerate(CAPTIONS)}
    for cat, pairs in cats.items():
        doc = {str(k): {"filename": image_of[c], "caption": c, "negative_caption": n} for k, (c, n) in enumerate(pairs)}
        (folder / f"{cat}.json").write_text(json.dumps(doc))
    return folder
