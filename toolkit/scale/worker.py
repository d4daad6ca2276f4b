"""The per-piece work of the scale-out runner: read a piece, parse its captions (spaCy loaded once per
worker), generate with `toolkit.generation.chunks.candidate_records` (the function `hardneg generate` uses) and
return one Arrow row per caption, its candidates nested with full provenance.

The same `Worker` runs in a plain loop (`toolkit.scale.local`) and inside Ray actors
(`toolkit.scale.ray_pipeline`), so both engines write the same rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from toolkit.generation.caption_lm import CaptionLM, fit_caption_lm
from toolkit.generation.chunks import CANDIDATE_FIELDS, candidate_records, skip_key
from toolkit.generation.operators import GenerationConfig
from toolkit.generation.pipeline import run_id_for, versions
from toolkit.scale.shards import Piece, list_shards, meta_json, plan_pieces, read_piece
from toolkit.store.queries import caption_key, text_hash
from toolkit.text.ingest import BadRecord
from toolkit.text.lexicon import load_lexicon
from toolkit.text.parse import Parse, parse_texts

CANDIDATE_TYPE = pa.struct([
    ("uid", pa.string()), ("text", pa.string()), ("operator", pa.string()), ("subtype", pa.string()),
    ("depth", pa.int32()), ("parent_uid", pa.string()), ("length_delta", pa.int32()), ("provenance", pa.string()),
])
OUTPUT_SCHEMA = pa.schema([
    ("shard", pa.string()), ("ref", pa.string()), ("error", pa.string()),  # error: a bad record, not stored
    ("key", pa.string()), ("text", pa.string()), ("text_hash", pa.string()), ("image", pa.string()),
    ("source", pa.string()), ("meta", pa.string()), ("parse", pa.string()),
    ("run_id", pa.string()), ("n_candidates", pa.int32()), ("skips", pa.list_(pa.string())),
    ("candidates", pa.list_(CANDIDATE_TYPE)),
])

CandidateFilter = Callable[[Parse, list[dict]], list[dict]]


def config_from_dict(d: dict) -> GenerationConfig:
    """Inverse of `GenerationConfig.to_dict` (lists back to tuples)."""
    return GenerationConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


@dataclass
class RunSpec:
    """What a worker needs, as plain data (it travels to Ray actors)."""

    config: dict
    max_chars: int = 1000
    image_root: str | None = None
    spacy_model: str | None = None
    batch_size: int = 256
    rule_filter: bool = False  # drop candidates the offline rule filter rejects (toolkit.scale.filtering)


class Worker:
    """Loads spaCy and the lexicon once; `process(piece)` returns the piece's rows as an Arrow table."""

    def __init__(self, spec: RunSpec, nlp: Any = None, candidate_filter: CandidateFilter | None = None,
                 lm: tuple[CaptionLM, str] | None = None) -> None:
        from toolkit.text.nlp import load_nlp

        self.spec = spec
        self.config = config_from_dict(spec.config)
        self.lex = load_lexicon()
        self.lm = lm[0] if lm else None
        self.run = run_record(spec, lm[1] if lm else None)
        self.run_id = self.run["id"]
        self.nlp = nlp or load_nlp(spec.spacy_model)
        if candidate_filter is None and spec.rule_filter:
            from toolkit.scale.filtering import RuleFilter

            candidate_filter = RuleFilter(self.nlp, self.lex)
        self.candidate_filter = candidate_filter

    def process(self, piece: Piece) -> pa.Table:
        records = list(read_piece(piece, max_chars=self.spec.max_chars, image_root=self.spec.image_root))
        good = [r for r in records if not isinstance(r, BadRecord)]
        parses = iter(parse_texts((r.text for r in good), nlp=self.nlp, batch_size=self.spec.batch_size))
        rows = []
        for r in records:
            if isinstance(r, BadRecord):
                rows.append({"shard": piece.shard, "ref": r.ref, "error": str(r), "source": r.source,
                             "run_id": self.run_id, "n_candidates": 0, "skips": [], "candidates": []})
                continue
            data = next(parses).to_json()
            # generate from the stored form, exactly as `hardneg generate` does from the database
            parse = Parse.from_json(r.text, data)
            records, skips = candidate_records(parse, self.config, self.lex, lm=self.lm)
            cands = [dict(zip(CANDIDATE_FIELDS, rec, strict=True)) for rec in records]
            if self.candidate_filter is not None:
                cands = self.candidate_filter(parse, cands)
            rows.append({
                "shard": piece.shard, "ref": r.ref, "error": None, "key": caption_key(r.text, r.image),
                "text": r.text, "text_hash": text_hash(r.text), "image": r.image, "source": r.source,
                "meta": meta_json(r.meta), "parse": data, "run_id": self.run_id, "n_candidates": len(cands),
                "skips": [skip_key(s.operator, s.subtype, s.reason) for s in skips], "candidates": cands,
            })
        return pa.Table.from_pylist(rows, schema=OUTPUT_SCHEMA)


def input_caption_lm(inputs: list[str], spec: RunSpec, rows_per_piece: int) -> tuple[CaptionLM, str] | None:
    """With `plausibility` in SPEC's configuration, the caption language model of every caption in INPUTS
    and its version (read once, text only): the model `hardneg generate` fits when the same captions are
    stored, so both give the same candidates. A shard that cannot be read adds nothing here (the run
    names it when it fails there). None when plausibility is off."""
    if not config_from_dict(spec.config).plausibility:
        return None

    def shard_texts(url: str) -> list[tuple[str, str]]:
        try:
            return [(text_hash(r.text), r.text) for piece in plan_pieces(url, rows_per_piece)
                    for r in read_piece(piece, max_chars=spec.max_chars, image_root=spec.image_root)
                    if not isinstance(r, BadRecord)]
        except Exception:  # noqa: BLE001 - an unreadable shard fails, and is reported, in the run itself
            return []

    def texts() -> Iterator[tuple[str, str]]:
        for url in list_shards(inputs):
            yield from shard_texts(url)

    return fit_caption_lm(texts(), load_lexicon())


def run_record(spec: RunSpec, lm_version: str | None = None) -> dict:
    """The `run` row of SPEC's configuration: the id `hardneg generate` gives the same configuration and
    versions, the configuration and versions as JSON strings, and the seed."""
    config = config_from_dict(spec.config)
    vers = versions(load_lexicon())
    if lm_version is not None:
        vers["caption_lm"] = lm_version
    if spec.rule_filter:
        from toolkit.scale.filtering import rules_version

        vers.update(rules_version())
    return {"id": run_id_for(config, vers), "config": json.dumps(config.to_dict()), "versions": json.dumps(vers),
            "seed": config.seed}
