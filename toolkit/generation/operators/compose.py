"""Generation: run the operators on a parse and compose their edits to depth k.

Depth 1 realises single edits. Depth j > 1 extends each depth j-1 candidate with one more edit at a
site none of its edits touched, so every step is recorded and `parent` points at the candidate one
step shorter. Selection under the per-caption cap is deterministic for a seed: edits are taken best
tier first (each site's best substitute before any site's second), sites in a seeded order.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from toolkit.generation.caption_lm import BOS, EOS, CaptionLM, lm_tokens
from toolkit.generation.corpus import CorpusCounts
from toolkit.generation.operators.add import Add
from toolkit.generation.operators.base import OPERATOR_NAMES, SUBTYPES, Candidate, Edit, Operator, Site, Skip
from toolkit.generation.operators.neutral import ADD_LENGTHS
from toolkit.generation.operators.replace import Replace
from toolkit.generation.operators.swap import Swap
from toolkit.generation.realize import EditConflict, doubled_words, realize, stacked_articles
from toolkit.text.lexicon import Lexicon, load_lexicon
from toolkit.text.parse import Parse, reduce_frozen

OPERATORS: Final[dict[str, type[Operator]]] = {"swap": Swap, "replace": Replace, "add": Add}
_WORD: Final = re.compile(r"[a-z0-9']+")


# Every byte but an ASCII lower-case letter, a digit or an apostrophe, as a space: on ASCII text the words
# `_WORD` finds are the runs that `bytes.split` leaves, at a third of a regex pass's cost (a caption's
# candidates are normalised about 27 times).
_NOT_WORD_BYTES: Final = bytes(c if re.fullmatch(rb"[a-z0-9']", bytes([c])) else 32 for c in range(256))


def normalize(text: str) -> str:
    """Lower-case words of letters, digits and apostrophes, joined by single spaces."""
    if text.isascii():
        return " ".join(_ascii_words(text))
    return " ".join(_WORD.findall(text.lower()))


def plain_words(text: str) -> list[str] | None:
    """The words `normalize` joins, for ASCII text without an apostrophe: then they are also the words
    `lm_tokens` finds, and a realised candidate is split once for both (None for any other text)."""
    if text.isascii() and "'" not in text:
        return _ascii_words(text)
    return None


def _ascii_words(text: str) -> list[str]:
    """`_WORD`'s matches in lower-cased ASCII text, by `_NOT_WORD_BYTES`."""
    return text.encode().lower().translate(_NOT_WORD_BYTES).decode().split()


def candidate_id(caption: str, text: str) -> str:
    return hashlib.sha1(f"{caption}\x00{text}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class GenerationConfig:
    """Everything that decides which candidates come out; stored with each run."""

    operators: tuple[str, ...] = OPERATOR_NAMES
    subtypes: tuple[str, ...] = SUBTYPES
    depth: int = 1
    max_candidates: int = 16  # per caption and depth level (groups of operator/subtype take turns)
    per_site: int = 4  # substitutes tried at each site
    seed: int = 0
    # `plausibility`: consult a caption language model (`toolkit.generation.caption_lm`, which `hardneg generate` fits
    # on the stored captions and passes as `generate(..., lm=...)`): each REPLACE/ADD site draws its
    # `per_site` substitutes from `per_site * pool` valid ones, each in proportion to how often captions
    # use it, and a candidate whose log-probability is more than `max_plausibility_drop` nats below its
    # caption's (after allowing the corpus's mean cost of a word per extra word) is dropped; None keeps
    # every candidate. The default drop, 5 nats, is about one word's mean cost. It also keeps SWAP's
    # selection rules (`Swap.plausible_only`: no thing where a person or an animal acted, no attribute on
    # an object its type never describes); `hardneg replicate` turns both off.
    plausibility: bool = True
    pool: int = 3
    max_plausibility_drop: float | None = 5.0
    # A length-neutral ADD negative (`add_length`) is held to this tighter drop (min with the one above):
    # what goes in must read about as well as what came out, or a text-only model prefers the caption.
    # On the dev split 3 nats took the blind bigram LM on these negatives from 0.57-0.65 to 0.48-0.55 for
    # three in four of them; 1.5 overshot (0.38: the negatives read better than their captions).
    max_neutral_drop: float | None = 3.0
    # ADD's length: "longer" (plain insertions), "neutral" (something true dropped and something of its
    # construction added elsewhere: length_delta 0, `operators.moved`), "both" (both kinds)
    add_length: str = "both"

    def __post_init__(self) -> None:
        bad = [o for o in self.operators if o not in OPERATORS]
        if bad:
            raise ValueError(f"unknown operator(s) {bad}; choose from {list(OPERATORS)}")
        bad = [s for s in self.subtypes if s not in SUBTYPES]
        if bad:
            raise ValueError(f"unknown subtype(s) {bad}; choose from {list(SUBTYPES)}")
        if not 1 <= self.depth <= 5:
            raise ValueError("depth must be between 1 and 5")
        if self.max_candidates < 1 or self.per_site < 1 or self.pool < 1:
            raise ValueError("max_candidates, per_site and pool must be at least 1")
        for name in ("max_plausibility_drop", "max_neutral_drop"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must be at least 0 (or None to keep every candidate)")
        if self.add_length not in ADD_LENGTHS:
            raise ValueError(f"unknown add_length {self.add_length!r}; choose from {list(ADD_LENGTHS)}")

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    def __reduce__(self) -> tuple:
        return reduce_frozen(self)  # pickles the compiled build too


@dataclass
class Generation:
    candidates: list[Candidate] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)


def propose_all(
    parse: Parse, config: GenerationConfig, lex: Lexicon, counts: CorpusCounts | None = None,
    lm: CaptionLM | None = None,
) -> tuple[list[Site], list[Skip]]:
    """Every site the chosen operators propose, in a seeded order, plus their reasons for skipping.
    With `lm`, each substitute site's choices are drawn from a larger pool (`draw_choices`)."""
    sites: list[Site] = []
    skips: list[Skip] = []
    per_site = config.per_site * config.pool if lm is not None else config.per_site
    for name in config.operators:
        operator = Add(per_site, counts, config.add_length, config.plausibility) if name == "add" else OPERATORS[name](
            per_site=per_site, counts=counts, plausible_only=config.plausibility)
        proposals = operator.propose(parse, config.subtypes, lex)
        sites.extend(proposals.sites)
        skips.extend(proposals.skips)
    # Random seeded with a string hashes it with SHA-512: the order is the same on every machine and run.
    rng = random.Random(f"{config.seed}\x00{parse.text}")
    seeded_shuffle(sites, rng)
    for site in sites:
        if lm is not None and site.operator != "swap" and len(site) > 1:
            site.choices = _Drawn(lm, site.choices, config.per_site, rng)  # type: ignore[assignment]
        elif lm is None and len(site) > per_site:
            site.choices = site.choices[:per_site]  # a site may offer its whole pool (length-neutral ADD attribute)
    return sites, skips


def seeded_shuffle(items: list, rng: random.Random) -> None:
    """`rng.shuffle(items)` written out, so that the compiled build runs it natively (the standard
    library's is interpreted: 1.6 % of generation). CPython 3.11's algorithm draw for draw (Fisher-Yates,
    each index by rejection sampling over `getrandbits`), so the order is the same; a test compares them."""
    getrandbits = rng.getrandbits
    for i in range(len(items) - 1, 0, -1):
        bits = (i + 1).bit_length()
        j = getrandbits(bits)
        while j > i:
            j = getrandbits(bits)
        items[i], items[j] = items[j], items[i]


_ARTICLE_PAIRS: Final = tuple(f" {a} {b} " for a in ("a", "an", "the") for b in ("a", "an", "the"))


def may_stack(key: str, words: list[str] | None) -> bool:
    """False when `stacked_articles` of the text cannot be true: its `plain_words` (joined in `key`) have
    no two articles in a row. Two articles that only whitespace parts are two such words in a row, so
    nine substring searches settle most candidates without reading the text word by word again."""
    if words is None:
        return True
    padded = f" {key} "
    return any(pair in padded for pair in _ARTICLE_PAIRS)


class _Drawn:
    """A site's choices, drawn from its pool (`draw_choices`) when the first one is asked for: a caption
    proposes many sites, and a per-caption cap only ever takes choices from some of them.

    Every site of a caption draws from the caption's one seeded stream, in the order generation asks
    for them (deterministic for the caption and the configuration): a generator seeded per site cost
    about 5 µs each, 7 % of generation."""

    def __init__(self, lm: CaptionLM, pool: Sequence[Any], keep: int, rng: random.Random) -> None:
        self.lm, self.pool, self.keep, self.rng = lm, pool, keep, rng
        self.drawn: list[Any] | None = None

    def __len__(self) -> int:
        return min(len(self.pool), self.keep)

    def __getitem__(self, index: int) -> Any:
        if self.drawn is None:
            self.drawn = draw_choices(self.lm, self.pool, self.keep, self.rng)
        return self.drawn[index]


def _choice_parts(choice: object) -> list[str]:
    """The phrases of a substitute choice: a string ("red", "next to"), or the strings in a tuple (a verb
    and a preposition)."""
    if isinstance(choice, str):
        return [choice]
    if isinstance(choice, tuple):
        return [part for part in choice if isinstance(part, str)]
    return []


def draw_choices(lm: CaptionLM, choices: Sequence[Any], keep: int, rng: random.Random) -> list[Any]:
    """`keep` of `choices`, drawn without replacement, each in proportion to how often captions use it
    (Efraimidis-Spirakis keys): a word by its count, a phrase by `CaptionLM.phrase_count`, a choice of
    several parts by its rarest part. The negatives then use a substitute about as often as captions do,
    so that no word becomes a marker of negatives ("a lone ...", "near to", "a baseball bat")."""
    keys: list[float] = []
    exponents = lm.choice_weights  # 1 / weight of each word choice: the same ones come up caption after caption
    uniform = rng.random  # bound once: a method looked up per choice was 2 % of generation
    for choice in choices:
        exponent = exponents.get(choice) if isinstance(choice, str) else None
        if exponent is None:
            exponent = 1.0 / min((lm.phrase_count(p.lower().split(" ")) for p in _choice_parts(choice)), default=1.0)
            if isinstance(choice, str):
                exponents[choice] = exponent
        u: float = uniform()
        keys.append(u**exponent)
    # highest keys first, equal keys in choice order (a reverse sort is stable): sorting plain floats is
    # several times cheaper than sorting (key, -index, choice) tuples
    order = sorted(range(len(keys)), key=keys.__getitem__, reverse=True)
    return [choices[i] for i in order[:keep]]


def _tier_order(sites: list[Site]) -> Iterator[Edit]:
    """One group's edits, every site's first choice before any site's second (tier = priority + index)."""
    spans = [(site, site.priority, site.priority + len(site)) for site in sites]
    last = max((end for _, _, end in spans), default=0)
    for tier in range(last):
        for site, first, end in spans:
            if first <= tier < end:
                yield site.edit(tier - first)


MAX_TURNS: Final = 2  # edits a group may take in one round, however many more sites it has than the others


def ordered_edits(sites: list[Site]) -> Iterator[Edit]:
    """Edits in selection order: the operator/subtype groups take turns, so that no group (say, ADD
    attribute, with a site per object and attribute type) crowds out the others under a cap. Every
    group has one edit before any has a second; after that, a group with at least twice (rounded) the
    sites of the smallest takes two edits per round, so a group with many more choices is not held to
    the pace of one with few. Within a group, every site's first choice comes before any site's second.
    Edits are built only when asked for."""
    groups: dict[tuple[str, str, str], list[Site]] = {}
    for site in sites:
        groups.setdefault((site.operator, site.subtype, site.group), []).append(site)  # group: length-neutral ADD
    fewest = min((len(group) for group in groups.values()), default=1)
    streams = [(_tier_order(group), min(MAX_TURNS, max(1, round(len(group) / fewest)))) for group in groups.values()]
    first_round = True
    while streams:
        for entry in list(streams):
            stream, turns = entry
            for _ in range(1 if first_round else turns):
                edit = next(stream, None)
                if edit is None:
                    streams.remove(entry)
                    break
                yield edit
        first_round = False


def generate(
    parse: Parse,
    config: GenerationConfig | None = None,
    lexicon: Lexicon | None = None,
    counts: CorpusCounts | None = None,
    lm: CaptionLM | None = None,
) -> Generation:
    """Candidates for one parsed caption; never the caption itself, never the same text twice.

    `counts` (corpus counts, optional) order each site's valid choices by how captions use them; `lm`
    (a caption language model, optional) draws substitutes by how often captions use them and drops
    candidates much less probable than the caption (`GenerationConfig.max_plausibility_drop`).
    """
    config = config or GenerationConfig()
    lex = lexicon or load_lexicon()
    if not config.plausibility:
        lm = None
    sites, skips = propose_all(parse, config, lex, counts, lm)
    out = Generation(skips=skips)
    if not sites:
        return out
    seen = {normalize(parse.text)}
    source_doubles = doubled_words(parse.text)
    judge = _Plausibility(lm, parse.text, config.max_plausibility_drop, config.max_neutral_drop) if lm is not None else None
    level: list[Candidate] = []
    edits: list[Edit] = []
    for edit in ordered_edits(sites):
        full = len(level) >= config.max_candidates or _spent(judge, config)
        if full and config.depth == 1:
            break
        edits.append(edit)
        if not full:
            cand = _make(parse, (edit,), None, seen, source_doubles, judge)
            if cand:
                level.append(cand)
    out.candidates.extend(level)
    for _ in range(2, config.depth + 1):
        level = _extend(parse, level, edits, config, seen, source_doubles, judge)
        out.candidates.extend(level)
    if judge is not None and judge.dropped:
        out.skips.append(Skip("+".join(config.operators), "+".join(config.subtypes),
                              f"much less plausible than the caption ({judge.dropped} candidates)"))
    if not out.candidates:
        out.skips.append(Skip("+".join(config.operators), "+".join(config.subtypes),
                              "every edit realised to the source or a duplicate"))
    return out


def _extend(
    parse: Parse, parents: list[Candidate], edits: list[Edit], config: GenerationConfig, seen: set[str],
    source_doubles: set[str], judge: _Plausibility | None,
) -> list[Candidate]:
    pairs = []
    for p_rank, parent in enumerate(parents):
        used = frozenset().union(*(e.site for e in parent.edits))
        for e_rank, edit in enumerate(edits):
            if used.isdisjoint(edit.site) and not _adjacent_insertions(parent.edits, edit):
                pairs.append((p_rank + e_rank, parent, edit))
    pairs.sort(key=lambda t: t[0])  # stable: ties keep the seeded edit order
    level: list[Candidate] = []
    dropped_before = judge.dropped if judge is not None else 0
    for _, parent, edit in pairs:
        if len(level) >= config.max_candidates or _spent(judge, config, dropped_before):
            break
        cand = _make(parse, (*parent.edits, edit), parent.id, seen, source_doubles, judge)
        if cand:
            level.append(cand)
    return level


def _adjacent_insertions(edits: tuple[Edit, ...], edit: Edit) -> bool:
    """Two insertions at one point would be ambiguous about which came first."""
    points = {s for e in edits for s, t in e.spans if s == t}
    return any(s == t and s in points for s, t in edit.spans)


MISS_BUDGET: Final = 1  # with a language model: candidates a level may drop as implausible, per candidate it keeps at most
MIN_MISSES: Final = 16  # ... and at least this many, so that a small cap (a few candidates) still finds them


def _spent(judge: _Plausibility | None, config: GenerationConfig, dropped_before: int = 0) -> bool:
    """Whether a level (with a language model) has dropped as many candidates as implausible (those
    since `dropped_before`) as it may. Where most choices read much worse than their caption (a corpus
    of near-identical captions), trying every edit costs a realisation and a score each, for little."""
    return judge is not None and judge.dropped - dropped_before >= max(MIN_MISSES, MISS_BUDGET * config.max_candidates)


class _Plausibility:
    """Drops candidates much less probable than their caption under the caption language model."""

    def __init__(self, lm: CaptionLM, caption: str, max_drop: float | None, neutral_drop: float | None = None) -> None:
        self.lm, self.max_drop = lm, max_drop
        # the limit for a length-neutral ADD negative: the tighter of the two
        self.neutral_drop = max_drop if neutral_drop is None or max_drop is None else min(max_drop, neutral_drop)
        self.words = lm_tokens(caption)
        self.own = lm.own_counts(self.words)
        self.cache: dict = {}
        self.logprobs = lm.position_logprobs(self.words, self.own, self.cache)
        self.dropped = 0

    def keep(self, text: str, length_delta: int, neutral: bool = False, words: list[str] | None = None) -> bool:
        """Whether to keep a candidate; `words`, when given, are its `plain_words`."""
        limit = self.neutral_drop if neutral else self.max_drop
        if limit is None:
            return True
        tokens = lm_tokens(text) if words is None else [BOS, BOS, *words, EOS]
        # an inserted word costs probability whatever it says: allow the corpus's mean cost per word
        gap = self.lm.gap(self.words, tokens, self.own, self.cache, self.logprobs)
        drop = gap - length_delta * self.lm.word_cost
        if drop > limit:
            self.dropped += 1
            return False
        return True


def _make(
    parse: Parse, edits: tuple[Edit, ...], parent: str | None, seen: set[str], source_doubles: set[str],
    judge: _Plausibility | None = None,
) -> Candidate | None:
    try:
        realized = realize(parse, edits)
    except EditConflict:
        return None
    words = plain_words(realized.text)
    key = normalize(realized.text) if words is None else " ".join(words)
    if key in seen or doubled_words(realized.text) - source_doubles:
        return None  # a duplicate, or a substitute that repeats its neighbour ("a park park")
    if may_stack(key, words) and stacked_articles(realized.text) and not stacked_articles(parse.text):
        return None  # a whole phrase put after an article ("in an a girl jacket")
    seen.add(key)
    neutral = any(e.operator == "add" and len(e.changes) > 1 for e in edits)  # an insertion with its deletion
    if judge is not None and not judge.keep(realized.text, realized.length_delta, neutral, words):
        return None
    return Candidate(
        candidate_id(parse.text, realized.text),
        parse.text,
        realized.text,
        edits,
        realized.fixes,
        parent,
        realized.length_delta,
    )
