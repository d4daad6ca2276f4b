"""Value classes: the parse's tokens, the scene's parts, the operators' changes, edits and candidates.

Generation builds these by the thousand per caption and never changes one once built; they compare and
hash by value. They are declared `@dataclass(unsafe_hash=True)` with a hand-written `__init__`, not
`@dataclass(frozen=True)`: mypyc (toolkit/generation/native.py) compiles a hand-written `__init__` to
native code, while the one `dataclass` writes stays interpreted Python, and the frozen one sets every
field through `object.__setattr__`. Building them that way was 14 % of generation's instructions
(docs/BENCHMARKS.md); a native `__init__` is about 12 times faster. `unsafe_hash=True` keeps the
hash `frozen=True` gave: by value, over the compared fields.

Their pickling goes through the constructor (`reduce_frozen`), which a compiled class needs.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any


def reduce_frozen(obj: Any) -> tuple:
    """Pickle a value class through its constructor. The default way sets each field on an empty
    instance, which a class compiled by mypyc (toolkit/generation/native.py) refuses."""
    return (type(obj), tuple(getattr(obj, f.name) for f in fields(obj)))
