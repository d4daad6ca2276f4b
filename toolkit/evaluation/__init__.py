"""Evaluation: how good the negatives are. Filters (offline rules, the LLM judge, blind audits), the
open_clip scorer, and `replicate` (how many of a benchmark's negatives the operators reproduce).
Imports generation, text and store."""
