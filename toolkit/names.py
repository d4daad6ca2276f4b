"""Operator and subtype names, importable without loading spaCy (the CLI needs them at start-up)."""

OPERATOR_NAMES = ("swap", "replace", "add")
SUBTYPES = ("obj", "att", "rel")
FORMAT_NAMES = ("sugarcrepe", "jsonl", "csv", "hf", "parquet", "negclip")  # export-set / import-set formats
