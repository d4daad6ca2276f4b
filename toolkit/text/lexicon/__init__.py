"""Hand-written vocabularies (objects, attributes, relations) and their loader."""

from .loader import (
    DATA_FILES,
    AttributeType,
    Lexicon,
    LexiconError,
    ObjectEntry,
    RelationSet,
    load_lexicon,
)

__all__ = [
    "DATA_FILES",
    "AttributeType",
    "Lexicon",
    "LexiconError",
    "ObjectEntry",
    "RelationSet",
    "load_lexicon",
]
