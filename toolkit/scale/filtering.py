"""`hardneg pipeline --filter rules`: drop candidates that the offline rule filter (`toolkit.evaluation.filters.rules`)
rejects, inside the workers. Grammar and validity rules only: the plausibility rule needs corpus counts
mined from a database, which a distributed run does not have. Each candidate is parsed once more for the
grammar rules, which roughly doubles the spaCy cost per candidate kept."""

from __future__ import annotations

import json
from typing import Any

from toolkit.evaluation.filters.rules import RuleConfig, check_candidate
from toolkit.text.lexicon import Lexicon
from toolkit.text.parse import Parse, parse_texts

RULES = RuleConfig(plausibility=False)


def rules_version() -> dict[str, str]:
    """Recorded with the run (and part of its id): filtered output is not the unfiltered run's output."""
    return {"filter": f"rules@{RULES.config_hash()}"}


class RuleFilter:
    """Keeps the candidates of one caption that pass every grammar and validity rule."""

    def __init__(self, nlp: Any, lex: Lexicon) -> None:
        self.nlp = nlp
        self.lex = lex

    def __call__(self, caption: Parse, candidates: list[dict]) -> list[dict]:
        parses = parse_texts((c["text"] for c in candidates), nlp=self.nlp)
        return [
            c for c, p in zip(candidates, parses, strict=True)
            if check_candidate(caption.text, caption, c["text"], p, json.loads(c["provenance"]), RULES, None,
                               self.lex).passed
        ]
