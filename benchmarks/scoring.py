"""The scorer against a naive per-pair loop and against the encoder alone: same items, same tiny model, CPU.

    python benchmarks/scoring.py --images 200 --negatives 4 --repeats 5

* naive: for every (image, caption, negative) pair, decode the image and encode it and both captions one
  at a time, as SugarCrepe's evaluation script does (target: the scorer is at least 5x faster);
* encoder: every distinct image decoded in the same DataLoader and every distinct text tokenized, both
  encoded in batches of the same size, nothing else (target: the scorer reaches at least 0.8 of it);
* scorer: `create_scorer(...).score(items)` with a fresh, empty database cache each repeat (hashing,
  cache look-ups and writes, similarities and results included).

The three alternate (in rotated order) within each repeat; the report gives medians and the ratios of the medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))

from captions import captions  # noqa: E402

from toolkit.evaluation.scoring import Item, Negative, create_scorer  # noqa: E402
from toolkit.evaluation.scoring.cache import DbCache  # noqa: E402
from toolkit.evaluation.scoring.encode import ImageFiles, _collate  # noqa: E402
from toolkit.evaluation.scoring.registry import TINY_NAME, register_tiny  # noqa: E402
from toolkit.store.db import make_engine  # noqa: E402


def make_items(workdir: Path, n_images: int, n_neg: int, seed: int = 0) -> list[Item]:
    """n_images JPEGs (320x240 noise over colour blocks) with a caption and n_neg distinct negatives each."""
    rng = np.random.default_rng(seed)
    texts = list(captions(n_images * (1 + n_neg), seed))
    items = []
    for i in range(n_images):
        pixels = np.clip(rng.integers(0, 256, (1, 1, 3)) + rng.normal(0, 50, (240, 320, 3)), 0, 255)
        path = workdir / f"{i:05d}.jpg"
        Image.fromarray(pixels.astype("uint8")).save(path, quality=90)
        base = i * (1 + n_neg)
        items.append(Item(i, str(path), texts[base], [Negative((i, k), texts[base + 1 + k]) for k in range(n_neg)]))
    return items


def naive(model, preprocess, tokenizer, items: list[Item]) -> float:
    start = time.perf_counter()
    with torch.inference_mode():
        for item in items:
            for neg in item.negatives:
                with Image.open(item.image) as im:
                    image = preprocess(im.convert("RGB")).unsqueeze(0)
                img = torch.nn.functional.normalize(model.encode_image(image), dim=-1)
                pos = model.encode_text(tokenizer([item.positive]), normalize=True)
                ngt = model.encode_text(tokenizer([neg.text]), normalize=True)
                _ = (pos @ img.T).item() > (ngt @ img.T).item()
    return time.perf_counter() - start


def encoder_alone(model, preprocess, tokenizer, items: list[Item], batch_size: int, workers: int) -> float:
    paths = sorted({it.image for it in items})
    texts = sorted({t for it in items for t in (it.positive, *(n.text for n in it.negatives))})
    start = time.perf_counter()
    loader = torch.utils.data.DataLoader(ImageFiles(paths, preprocess), batch_size=batch_size, num_workers=workers,
                                         collate_fn=_collate)
    with torch.inference_mode():
        for _, tensor, _ in loader:
            model.encode_image(tensor)
        tokens = tokenizer(texts)
        for i in range(0, len(texts), batch_size):
            model.encode_text(tokens[i : i + batch_size])
    return time.perf_counter() - start


def scorer_run(ckpt: Path, items: list[Item], batch_size: int, workers: int, db: Path) -> tuple[float, int]:
    scorer = create_scorer(TINY_NAME, str(ckpt), "cpu", "fp32", batch_size=batch_size, num_workers=workers,
                           cache=DbCache(make_engine(str(db))))
    start = time.perf_counter()
    out = scorer.score(items)
    elapsed = time.perf_counter() - start
    assert out.images_encoded == len({it.image for it in items}) and not out.errors
    assert len(out.scores) == sum(len(it.negatives) for it in items)
    return elapsed, len(out.scores)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--images", type=int, default=200)
    ap.add_argument("--negatives", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-naive", action="store_true", help="Only the scorer against the encoder (quicker).")
    args = ap.parse_args()

    import open_clip

    register_tiny()
    work = Path(tempfile.mkdtemp(prefix="hardneg-bench-scoring-"))
    torch.manual_seed(0)
    ckpt = work / "tiny.pt"
    torch.save(open_clip.create_model(TINY_NAME).state_dict(), ckpt)
    model, _, preprocess = open_clip.create_model_and_transforms(TINY_NAME, pretrained=str(ckpt))
    model.eval()
    tokenizer = open_clip.get_tokenizer(TINY_NAME)
    items = make_items(work, args.images, args.negatives)
    pairs = args.images * args.negatives

    times: dict[str, list[float]] = {"naive": [], "encoder": [], "scorer": []}
    runs = {
        "naive": lambda r: naive(model, preprocess, tokenizer, items),
        "encoder": lambda r: encoder_alone(model, preprocess, tokenizer, items, args.batch_size, args.workers),
        "scorer": lambda r: scorer_run(ckpt, items, args.batch_size, args.workers, work / f"cache-{r}.db")[0],
    }
    if args.no_naive:
        del runs["naive"], times["naive"]
    order = list(runs)
    for r in range(args.repeats):
        for name in order[r % len(order) :] + order[: r % len(order)]:  # rotate, so drifting machine load hits all three alike
            times[name].append(runs[name](r))
    med = {k: statistics.median(v) for k, v in times.items()}
    result = {
        "images": args.images, "negatives_per_image": args.negatives, "pairs": pairs,
        "texts": args.images * (1 + args.negatives), "batch_size": args.batch_size, "workers": args.workers,
        "repeats": args.repeats, "torch_threads": torch.get_num_threads(),
        "median_s": {k: round(v, 3) for k, v in med.items()},
        "pairs_per_s": {k: round(pairs / v, 1) for k, v in med.items()},
        "scorer_throughput_vs_encoder": round(med["encoder"] / med["scorer"], 3),
    }
    ok = result["scorer_throughput_vs_encoder"] >= 0.8
    if "naive" in med:
        result["scorer_speedup_vs_naive"] = round(med["naive"] / med["scorer"], 2)
        ok = ok and result["scorer_speedup_vs_naive"] >= 5
    print(json.dumps(result, indent=2))
    print("targets (>= 5x naive, >= 0.8 of encoder):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
