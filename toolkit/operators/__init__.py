"""SWAP / REPLACE / ADD operators over parsed captions, and their composition to depth k."""

from toolkit.operators.add import Add
from toolkit.operators.base import OPERATOR_NAMES, SUBTYPES, Candidate, Change, Edit, Fix, Operator, Skip
from toolkit.operators.compose import OPERATORS, Generation, GenerationConfig, generate, normalize
from toolkit.operators.replace import Replace
from toolkit.operators.swap import Swap

__all__ = [
    "OPERATORS", "OPERATOR_NAMES", "SUBTYPES", "Add", "Candidate", "Change", "Edit", "Fix", "Generation",
    "GenerationConfig", "Operator", "Replace", "Skip", "Swap", "generate", "normalize",
]
