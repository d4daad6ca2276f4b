"""LLM judge prompts, one versioned Markdown file each (`judge.v1.md`).

Installed as the package data `toolkit._prompts` (pyproject.toml maps this folder into the package), so a
wheel ships them and `toolkit.evaluation.filters.prompts` finds them through importlib.resources; this folder is the only copy.
"""
