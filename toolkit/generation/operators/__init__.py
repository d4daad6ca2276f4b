"""SWAP / REPLACE / ADD operators over parsed captions, and their composition to depth k.

The result types come from `base` at once; the operators and `generate` are loaded on first use, so
that a module the operators themselves use (the realiser imports `base` for `Change`, `Edit`, `Fix`)
can be imported first without a circular import.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from toolkit.generation.operators.base import OPERATOR_NAMES, SUBTYPES, Candidate, Change, Edit, Fix, Operator, Skip

if TYPE_CHECKING:
    from toolkit.generation.operators.add import Add
    from toolkit.generation.operators.compose import OPERATORS, Generation, GenerationConfig, generate, normalize
    from toolkit.generation.operators.replace import Replace
    from toolkit.generation.operators.swap import Swap

_LAZY = {
    "Add": "add", "Replace": "replace", "Swap": "swap", "OPERATORS": "compose", "Generation": "compose",
    "GenerationConfig": "compose", "generate": "compose", "normalize": "compose",
}

__all__ = [
    "OPERATORS", "OPERATOR_NAMES", "SUBTYPES", "Add", "Candidate", "Change", "Edit", "Fix", "Generation",
    "GenerationConfig", "Operator", "Replace", "Skip", "Swap", "generate", "normalize",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(f"toolkit.generation.operators.{_LAZY[name]}"), name)
        globals()[name] = value  # looked up once
        return value
    raise AttributeError(f"module 'toolkit.generation.operators' has no attribute {name!r}")
