"""`batched`: lists of up to n items from any iterable (itertools.batched arrives only in Python 3.12)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")


def batched(items: Iterable[T], n: int) -> Iterator[list[T]]:
    """Consecutive lists of `n` items (the last may be shorter), streamed."""
    it = iter(items)
    while chunk := list(islice(it, n)):
        yield chunk
