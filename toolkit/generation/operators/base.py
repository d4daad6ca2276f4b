"""Plain data for edits and candidates, and the `Operator` base class.

An operator *proposes* edits for a parse: each edit says which source tokens it touches, the words
that go out and come in, and how to realise it. The public `propose` validates the request and
records, per subtype, why nothing was proposed; each subclass writes one hook, `_propose`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from toolkit.text.lexicon import Lexicon, load_lexicon
from toolkit.text.parse import Parse, reduce_frozen

if TYPE_CHECKING:
    from toolkit.generation.corpus import CorpusCounts

from toolkit.generation.names import OPERATOR_NAMES, SUBTYPES  # noqa: E402,F401  (re-exported)


@dataclass(unsafe_hash=True, slots=True)  # a value class: see toolkit/text/frozen.py
class Change:
    """Replace source tokens [start, end) by `words`; start == end inserts before token `start`."""

    start: int
    end: int
    words: tuple[str, ...]

    def __init__(self, start: int, end: int, words: tuple[str, ...]) -> None:
        self.start, self.end, self.words = start, end, words

    def __reduce__(self) -> tuple:
        return reduce_frozen(self)  # pickles the compiled build too


@dataclass(unsafe_hash=True)  # a value class: see toolkit/text/frozen.py
class Edit:
    """One application of an operator at one site, with exact token-level provenance."""

    operator: str  # "swap" | "replace" | "add"
    subtype: str  # "obj" | "att" | "rel"
    spans: tuple[tuple[int, int], ...]  # source token spans touched; (i, i) is an insertion point
    words_out: tuple[str, ...]  # source words removed, one string per span
    words_in: tuple[str, ...]  # words put in, one string per span
    changes: tuple[Change, ...]
    number: tuple[tuple[int, str], ...] = ()  # (subject head, new number) for verb agreement
    detail: str = ""  # e.g. "color", "dog->cat", "symmetric check passed"
    rank: int = field(default=0, compare=False)  # preference among the edits at one site (0 best)

    def __init__(
        self, operator: str, subtype: str, spans: tuple[tuple[int, int], ...], words_out: tuple[str, ...],
        words_in: tuple[str, ...], changes: tuple[Change, ...], number: tuple[tuple[int, str], ...] = (),
        detail: str = "", rank: int = 0,
    ) -> None:
        self.operator, self.subtype, self.spans = operator, subtype, spans
        self.words_out, self.words_in, self.changes = words_out, words_in, changes
        self.number, self.detail, self.rank = number, detail, rank

    @property
    def site(self) -> frozenset[int]:
        """Source positions this edit claims; insertions claim the gap as a half position."""
        out: set[float] = set()
        for start, end in self.spans:
            out.update(range(start, end) if end > start else [start - 0.5])
        return frozenset(out)  # type: ignore[arg-type]

    def to_dict(self) -> dict:
        return {
            "operator": self.operator,
            "subtype": self.subtype,
            "spans": [list(s) for s in self.spans],
            "words_out": list(self.words_out),
            "words_in": list(self.words_in),
            "detail": self.detail,
        }

    def __reduce__(self) -> tuple:
        return reduce_frozen(self)  # pickles the compiled build too


@dataclass(unsafe_hash=True, slots=True)  # a value class: see toolkit/text/frozen.py
class Fix:
    """A change the realiser made to keep the sentence grammatical (article, agreement, case)."""

    position: int  # source token index (-1 for a token the edit inserted)
    old: str
    new: str
    reason: str  # "article" | "agreement" | "capitalisation"

    def __init__(self, position: int, old: str, new: str, reason: str) -> None:
        self.position, self.old, self.new, self.reason = position, old, new, reason

    def __reduce__(self) -> tuple:
        return reduce_frozen(self)  # pickles the compiled build too


@dataclass(unsafe_hash=True)  # a value class: see toolkit/text/frozen.py
class Candidate:
    """A negative caption with the full list of edits that produced it from the source."""

    id: str
    caption: str
    text: str
    edits: tuple[Edit, ...]
    fixes: tuple[Fix, ...]
    parent: str | None
    length_delta: int  # words in the negative minus words in the caption

    def __init__(self, id: str, caption: str, text: str, edits: tuple[Edit, ...], fixes: tuple[Fix, ...],
                 parent: str | None, length_delta: int) -> None:
        self.id, self.caption, self.text, self.edits, self.fixes = id, caption, text, edits, fixes
        self.parent, self.length_delta = parent, length_delta

    @property
    def depth(self) -> int:
        return len(self.edits)

    @property
    def operator(self) -> str:
        return "+".join(e.operator for e in self.edits)

    @property
    def subtype(self) -> str:
        return "+".join(e.subtype for e in self.edits)

    def provenance(self) -> dict:
        return {
            "edits": [e.to_dict() for e in self.edits],
            "fixes": [[f.position, f.old, f.new, f.reason] for f in self.fixes],
            "parent": self.parent,
            "length_delta": self.length_delta,
        }

    def __reduce__(self) -> tuple:
        return reduce_frozen(self)  # pickles the compiled build too


@dataclass(unsafe_hash=True, slots=True)  # a value class: see toolkit/text/frozen.py
class Skip:
    """Why an operator proposed nothing for a caption."""

    operator: str
    subtype: str
    reason: str

    def __init__(self, operator: str, subtype: str, reason: str) -> None:
        self.operator, self.subtype, self.reason = operator, subtype, reason

    def __reduce__(self) -> tuple:
        return reduce_frozen(self)  # pickles the compiled build too


@dataclass(slots=True)
class Site:
    """One place an operator can edit, with its choices in order of preference.

    Edits are built on demand (`edit(rank)`): a caption proposes hundreds of possible edits, and a
    per-caption cap of a few dozen only ever realises the first choices of each site. Mutable, unlike
    the results: `choices` is replaced by a drawn sample when a language model is used.
    """

    operator: str
    subtype: str
    choices: Sequence[Any]
    build: Callable[[Any, int], Edit]  # (choice, rank) -> Edit
    priority: int = 0  # added to each choice's index to rank it against other sites (0 best)
    group: str = ""  # a variant with its own turns under the cap ("neutral": length-neutral ADD)

    def __init__(self, operator: str, subtype: str, choices: Sequence[Any], build: Callable[[Any, int], Edit],
                 priority: int = 0, group: str = "") -> None:
        # hand-written so that mypyc builds it natively (toolkit/text/frozen.py); a caption makes about 50
        self.operator, self.subtype, self.choices, self.build, self.priority, self.group = (
            operator, subtype, choices, build, priority, group)

    def __len__(self) -> int:
        return len(self.choices)

    def edit(self, index: int) -> Edit:
        return self.build(self.choices[index], self.priority + index)


@dataclass
class Proposals:
    sites: list[Site] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)


class Operator(ABC):
    """Base class: `propose` is the public call; subclasses implement `_propose` for one subtype."""

    name: ClassVar[str]
    subtypes: ClassVar[tuple[str, ...]] = SUBTYPES

    def __init__(self, per_site: int = 4, counts: CorpusCounts | None = None, plausible_only: bool = True) -> None:
        if per_site < 1:
            raise ValueError("per_site must be at least 1")
        self.per_site = per_site
        self.counts = counts  # corpus counts that order valid choices (never add invalid ones)
        # GenerationConfig.plausibility: leave out edits a text-only model rejects without the image (each
        # operator says which); `hardneg replicate` turns it off, since benchmarks hold such negatives
        self.plausible_only = plausible_only

    def propose(
        self, parse: Parse, subtypes: tuple[str, ...] | None = None, lexicon: Lexicon | None = None
    ) -> Proposals:
        """The sites where this operator can edit `parse`, with a reason for each subtype that has none."""
        lex = lexicon or load_lexicon()
        wanted = subtypes or self.subtypes
        unknown = [s for s in wanted if s not in SUBTYPES]
        if unknown:
            raise ValueError(f"unknown subtype(s) {unknown}; choose from {list(SUBTYPES)}")
        result = Proposals()
        for subtype in wanted:
            if subtype not in self.subtypes:
                continue
            found = self._propose(parse, subtype, lex)
            if isinstance(found, str):
                result.skips.append(Skip(self.name, subtype, found))
                continue
            found = [site for site in found if len(site)]
            if not found:
                result.skips.append(Skip(self.name, subtype, "no substitute at any site"))
            result.sites.extend(found)
        return result

    def site(self, subtype: str, choices: Sequence[Any], build: Callable[[Any, int], Edit], priority: int = 0) -> Site:
        return Site(self.name, subtype, choices, build, priority)

    @abstractmethod
    def _propose(self, parse: Parse, subtype: str, lex: Lexicon) -> list[Site] | str:
        """Sites for one subtype, or a string saying why the operator does not apply."""
