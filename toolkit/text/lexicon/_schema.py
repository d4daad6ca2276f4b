"""Shared validation helpers for the lexicon TOML files."""

from __future__ import annotations

from collections.abc import Set
from typing import Any, NoReturn


class LexiconError(ValueError):
    """A lexicon data file is malformed; the message names the file and the entry."""


def fail(file: str, where: str, msg: str) -> NoReturn:
    """Raise a LexiconError naming the file and the entry."""
    raise LexiconError(f"{file}: {where}: {msg}")


def is_normal(word: object) -> bool:
    """True for a non-empty, lower-case string with single inner spaces."""
    return isinstance(word, str) and bool(word) and word == " ".join(word.split()) and word == word.lower()


def check_keys(
    file: str, where: str, table: object, allowed: Set[str], required: Set[str] = frozenset()
) -> dict:
    """Check that ``table`` is a table with only ``allowed`` keys and all ``required`` keys."""
    if not isinstance(table, dict):
        fail(file, where, f"expected a table, got {type(table).__name__}")
    unknown = sorted(set(table) - allowed)
    if unknown:
        fail(file, where, f"unknown key(s) {unknown}; allowed: {sorted(allowed)}")
    missing = sorted(required - set(table))
    if missing:
        fail(file, where, f"missing key(s) {missing}")
    return table


def word_list(file: str, where: str, value: Any, *, min_len: int = 0) -> tuple[str, ...]:
    """Validate a list of normalised words without duplicates."""
    if not isinstance(value, list):
        fail(file, where, f"expected a list of words, got {type(value).__name__}")
    for word in value:
        if not is_normal(word):
            fail(file, where, f"bad word {word!r} (must be lower case, trimmed, single-spaced)")
    dupes = sorted({w for w in value if value.count(w) > 1})
    if dupes:
        fail(file, where, f"duplicate word(s) {dupes}")
    if len(value) < min_len:
        fail(file, where, f"expected at least {min_len} word(s), got {len(value)}")
    return tuple(value)


def group_list(file: str, where: str, value: Any, *, min_len: int = 2) -> list[tuple[str, ...]]:
    """Validate a list of word groups (each a list of at least ``min_len`` words)."""
    if not isinstance(value, list):
        fail(file, where, f"expected a list of lists, got {type(value).__name__}")
    return [word_list(file, f"{where}[{i}]", grp, min_len=min_len) for i, grp in enumerate(value)]
