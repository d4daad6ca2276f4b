"""Pickling of frozen dataclasses, shared by the parse, the scene and the operators' edits."""

from __future__ import annotations

from dataclasses import fields
from typing import Any


def reduce_frozen(obj: Any) -> tuple:
    """Pickle a frozen dataclass through its constructor. The default way sets each field on an empty
    instance, which a frozen dataclass compiled by mypyc (toolkit/generation/native.py) refuses."""
    return (type(obj), tuple(getattr(obj, f.name) for f in fields(obj)))
