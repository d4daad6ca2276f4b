"""Seeded synthetic COCO-style captions for speed and memory benchmarks (distinct texts, any count).

Real captions would be better, but the bundled sample has 400; these templates give the parser and
the operators the same mix of objects, attributes and relations at any scale.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

SUBJECTS = ["man", "woman", "boy", "girl", "dog", "cat", "horse", "child", "player", "skier", "elephant", "giraffe",
            "bird", "cow", "sheep", "person", "surfer", "zebra", "bear", "lady"]
THINGS = ["table", "bench", "car", "bus", "truck", "bike", "motorcycle", "pizza", "sandwich", "plate", "cup", "laptop",
          "phone", "umbrella", "kite", "frisbee", "ball", "skateboard", "surfboard", "couch", "bed", "chair", "sign",
          "clock", "train", "boat", "tree", "fence", "building", "window", "bowl", "vase", "cake", "banana", "book"]
PLACES = ["field", "street", "beach", "kitchen", "park", "road", "room", "yard", "snow", "grass", "water", "sidewalk"]
ADJ = ["black", "white", "red", "blue", "green", "yellow", "brown", "large", "small", "old", "young", "wooden",
       "metal", "tall", "little", "big", "open", "empty", "orange", "striped"]
VERBS = ["holding", "riding", "eating", "carrying", "watching", "sitting on", "standing near", "looking at",
         "walking past", "playing with", "chasing", "pulling"]
PREPS = ["on", "in", "next to", "under", "in front of", "behind", "near", "on top of", "beside", "across"]
NUMS = ["two", "three", "four", "several", "many"]


def _np(rng: random.Random, nouns: list[str]) -> str:
    noun = rng.choice(nouns)
    r = rng.random()
    if r < 0.15:
        return f"{rng.choice(NUMS)} {noun}s"
    if r < 0.55:
        return f"a {rng.choice(ADJ)} {noun}"
    if r < 0.7:
        return f"the {noun}"
    return f"a {noun}"


def caption(rng: random.Random) -> str:
    form = rng.randrange(4)
    subj = _np(rng, SUBJECTS)
    if form == 0:
        text = f"{subj} {rng.choice(VERBS)} {_np(rng, THINGS)} {rng.choice(PREPS)} {_np(rng, PLACES)}"
    elif form == 1:
        text = f"{subj} and {_np(rng, SUBJECTS)} {rng.choice(PREPS)} {_np(rng, THINGS)}"
    elif form == 2:
        verb = "is" if subj.startswith(("a ", "the ")) else "are"
        text = f"{subj} {verb} {rng.choice(VERBS)} {_np(rng, THINGS)} {rng.choice(PREPS)} {_np(rng, THINGS)}"
    else:
        text = f"{_np(rng, THINGS)} {rng.choice(PREPS)} {_np(rng, THINGS)} with {_np(rng, THINGS)}"
    text = " " + text
    for vowel in "aeiou":
        text = text.replace(f" a {vowel}", f" an {vowel}")
    text = text.strip()
    return text[0].upper() + text[1:] + "."


def captions(n: int, seed: int = 0) -> Iterator[str]:
    """n distinct captions, deterministic for a seed (a serial number breaks the rare collision)."""
    rng = random.Random(seed)
    seen: set[str] = set()
    k = 0
    while len(seen) < n:
        text = caption(rng)
        if text in seen:
            k += 1
            text = text[:-1] + f" at stop {k}."
        seen.add(text)
        yield text


def write_jsonl(path: Path, n: int, seed: int = 0) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i, text in enumerate(captions(n, seed)):
            fh.write(json.dumps({"caption": text, "image": f"img/{i:07d}.jpg"}) + "\n")
    return path
