"""Alembic migrations of the hardneg schema (`env.py`, `versions/`).

Installed as the package data `toolkit._db` (pyproject.toml maps this folder into the package), so a
wheel ships them and `toolkit.store.db` finds them through importlib.resources; this folder is the only copy.
"""
