"""Generation: run the operators on a parse and compose their edits to depth k.

Depth 1 realises single edits. Depth j > 1 extends each depth j-1 candidate with one more edit at a
site none of its edits touched, so every step is recorded and `parent` points at the candidate one
step shorter. Selection under the per-caption cap is deterministic for a seed: edits are taken best
rank first (each site's best substitute before any site's second), ties broken by a seeded hash.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field

from toolkit.lexicon import Lexicon, load_lexicon
from toolkit.operators.add import Add
from toolkit.operators.base import OPERATOR_NAMES, SUBTYPES, Candidate, Edit, Operator, Skip
from toolkit.operators.replace import Replace
from toolkit.operators.swap import Swap
from toolkit.parse import Parse
from toolkit.realize import EditConflict, realize

OPERATORS: dict[str, type[Operator]] = {"swap": Swap, "replace": Replace, "add": Add}
_WORD = re.compile(r"[a-z0-9']+")


def normalize(text: str) -> str:
    """Lower-case words of letters, digits and apostrophes, joined by single spaces."""
    return " ".join(_WORD.findall(text.lower()))


def candidate_id(caption: str, text: str) -> str:
    return hashlib.sha1(f"{caption}\x00{text}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class GenerationConfig:
    """Everything that decides which candidates come out; stored with each run."""

    operators: tuple[str, ...] = OPERATOR_NAMES
    subtypes: tuple[str, ...] = SUBTYPES
    depth: int = 1
    max_candidates: int = 40  # per caption and depth level
    per_site: int = 4  # substitutes tried at each site
    seed: int = 0

    def __post_init__(self) -> None:
        bad = [o for o in self.operators if o not in OPERATORS]
        if bad:
            raise ValueError(f"unknown operator(s) {bad}; choose from {list(OPERATORS)}")
        bad = [s for s in self.subtypes if s not in SUBTYPES]
        if bad:
            raise ValueError(f"unknown subtype(s) {bad}; choose from {list(SUBTYPES)}")
        if not 1 <= self.depth <= 5:
            raise ValueError("depth must be between 1 and 5")
        if self.max_candidates < 1 or self.per_site < 1:
            raise ValueError("max_candidates and per_site must be at least 1")

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


@dataclass
class Generation:
    candidates: list[Candidate] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)


def _tiebreak(seed: int, edit: Edit) -> str:
    key = f"{seed}|{edit.operator}|{edit.subtype}|{edit.spans}|{edit.words_in}"
    return hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


def propose_all(parse: Parse, config: GenerationConfig, lex: Lexicon) -> tuple[list[Edit], list[Skip]]:
    """Every edit the chosen operators propose, in selection order, plus their reasons for skipping."""
    edits: list[Edit] = []
    skips: list[Skip] = []
    for name in config.operators:
        proposals = OPERATORS[name](per_site=config.per_site).propose(parse, config.subtypes, lex)
        edits.extend(proposals.edits)
        skips.extend(proposals.skips)
    edits.sort(key=lambda e: (e.rank, _tiebreak(config.seed, e)))
    return edits, skips


def generate(
    parse: Parse, config: GenerationConfig | None = None, lexicon: Lexicon | None = None
) -> Generation:
    """Candidates for one parsed caption; never the caption itself, never the same text twice."""
    config = config or GenerationConfig()
    lex = lexicon or load_lexicon()
    edits, skips = propose_all(parse, config, lex)
    out = Generation(skips=skips)
    if not edits:
        return out
    seen = {normalize(parse.text)}
    level: list[Candidate] = []
    for edit in edits:
        if len(level) >= config.max_candidates:
            break
        cand = _make(parse, (edit,), None, seen)
        if cand:
            level.append(cand)
    out.candidates.extend(level)
    for _ in range(2, config.depth + 1):
        level = _extend(parse, level, edits, config, seen)
        out.candidates.extend(level)
    if not out.candidates:
        out.skips.append(Skip("+".join(config.operators), "+".join(config.subtypes), "every edit realised to the source or a duplicate"))
    return out


def _extend(parse: Parse, parents: list[Candidate], edits: list[Edit], config: GenerationConfig, seen: set[str]) -> list[Candidate]:
    pairs = []
    for p_rank, parent in enumerate(parents):
        used = frozenset().union(*(e.site for e in parent.edits))
        for e_rank, edit in enumerate(edits):
            if used.isdisjoint(edit.site) and not _adjacent_insertions(parent.edits, edit):
                pairs.append((p_rank + e_rank, parent, edit))
    pairs.sort(key=lambda t: (t[0], _tiebreak(config.seed, t[2]), t[1].id))
    level: list[Candidate] = []
    for _, parent, edit in pairs:
        if len(level) >= config.max_candidates:
            break
        cand = _make(parse, (*parent.edits, edit), parent.id, seen)
        if cand:
            level.append(cand)
    return level


def _adjacent_insertions(edits: tuple[Edit, ...], edit: Edit) -> bool:
    """Two insertions at one point would be ambiguous about which came first."""
    points = {s for e in edits for s, t in e.spans if s == t}
    return any(s == t and s in points for s, t in edit.spans)


def _make(parse: Parse, edits: tuple[Edit, ...], parent: str | None, seen: set[str]) -> Candidate | None:
    try:
        realized = realize(parse, edits)
    except EditConflict:
        return None
    key = normalize(realized.text)
    if key in seen:
        return None
    seen.add(key)
    return Candidate(
        candidate_id(parse.text, realized.text),
        parse.text,
        realized.text,
        edits,
        realized.fixes,
        parent,
        realized.length_delta,
    )
