"""Operator and subtype names, importable without loading spaCy (the CLI needs them at start-up)."""

from pathlib import Path

OPERATOR_NAMES = ("swap", "replace", "add")
SUBTYPES = ("obj", "att", "rel")
FORMAT_NAMES = ("sugarcrepe", "jsonl", "csv", "hf", "parquet", "negclip")  # export-set / import-set formats
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "coco_sample.jsonl"  # the bundled COCO captions (quickstart)


def category_of(operator: str, subtype: str, length_delta: int) -> str:
    """The audit category of a candidate: "swap/att", or "add/att (length-neutral)" for an ADD negative
    with the caption's word count (its own category: the length baselines cannot tell it apart)."""
    base = f"{operator}/{subtype}"
    return f"{base} (length-neutral)" if operator == "add" and length_delta == 0 else base
