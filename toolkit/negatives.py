"""One-off generation for a single caption, with no database: used by `hardneg negatives` and agents."""

from __future__ import annotations

from typing import Any

from toolkit.operators import Candidate, GenerationConfig, generate
from toolkit.parse import parse_text

MAX_CAPTION_CHARS = 1000


def candidate_dict(c: Candidate) -> dict[str, Any]:
    """A candidate as plain JSON-able data, provenance included."""
    return {
        "id": c.id,
        "text": c.text,
        "operator": c.operator,
        "subtype": c.subtype,
        "depth": c.depth,
        "length_delta": c.length_delta,
        "provenance": c.provenance(),
    }


def negatives_for(caption: str, config: GenerationConfig | None = None, nlp: Any = None) -> dict[str, Any]:
    """Parse one caption and return its candidates and the reasons operators did not apply."""
    text = " ".join(caption.split())
    if not text:
        raise ValueError("empty caption")
    if len(text) > MAX_CAPTION_CHARS:
        raise ValueError(f"caption longer than {MAX_CAPTION_CHARS} characters ({len(text)})")
    gen = generate(parse_text(text, nlp=nlp), config or GenerationConfig())
    return {
        "caption": text,
        "candidates": [candidate_dict(c) for c in gen.candidates],
        "skipped": [{"operator": s.operator, "subtype": s.subtype, "reason": s.reason} for s in gen.skips],
    }
