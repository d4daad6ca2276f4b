"""Scoring negatives with open_clip models: which negatives fool a model, and how a model fares on a set."""

from toolkit.evaluation.scoring.factory import create_scorer, resolve_device, resolve_precision
from toolkit.evaluation.scoring.scorer import Item, Negative, PairScore, ScoreError, ScoreOutcome, Scorer

__all__ = [
    "Item",
    "Negative",
    "PairScore",
    "ScoreError",
    "ScoreOutcome",
    "Scorer",
    "create_scorer",
    "resolve_device",
    "resolve_precision",
]
