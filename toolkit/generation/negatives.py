"""One-off generation for a single caption, with no database: used by `hardneg negatives` and agents."""

from __future__ import annotations

from functools import cache
from typing import Any

from toolkit.generation.caption_lm import CaptionLM, fit_caption_lm
from toolkit.generation.names import SAMPLE
from toolkit.generation.operators import Candidate, GenerationConfig, generate
from toolkit.store.queries import text_hash
from toolkit.text.ingest import CaptionRecord, read_captions
from toolkit.text.lexicon import load_lexicon
from toolkit.text.parse import parse_text

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


@cache
def sample_caption_lm() -> CaptionLM:
    """With no database there are no ingested captions: the caption language model of one-off generation
    is fitted on the bundled COCO sample (400 captions)."""
    records = read_captions(SAMPLE)
    return fit_caption_lm(((text_hash(r.text), r.text) for r in records if isinstance(r, CaptionRecord)),
                          load_lexicon())[0]


def negatives_for(caption: str, config: GenerationConfig | None = None, nlp: Any = None) -> dict[str, Any]:
    """Parse one caption and return its candidates and the reasons operators did not apply."""
    text = " ".join(caption.split())
    if not text:
        raise ValueError("empty caption")
    if len(text) > MAX_CAPTION_CHARS:
        raise ValueError(f"caption longer than {MAX_CAPTION_CHARS} characters ({len(text)})")
    config = config or GenerationConfig()
    lm = sample_caption_lm() if config.plausibility else None
    gen = generate(parse_text(text, nlp=nlp), config, lm=lm)
    return {
        "caption": text,
        "candidates": [candidate_dict(c) for c in gen.candidates],
        "skipped": [{"operator": s.operator, "subtype": s.subtype, "reason": s.reason} for s in gen.skips],
    }
