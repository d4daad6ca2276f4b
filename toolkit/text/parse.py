"""Parse captions once with spaCy and keep every token, so that generation never re-parses.

A `Parse` holds the tokens (text, lemma, POS, tag, dep, head, trailing whitespace) and derives a
scene view from them on demand (`toolkit.text.scene`). Only the tokens are stored; improving the scene
extraction therefore never requires parsing again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from toolkit.text.frozen import reduce_frozen

if TYPE_CHECKING:
    from toolkit.text.scene import Scene

PARSE_FORMAT: Final = 1


@dataclass(unsafe_hash=True, slots=True)  # a value class: see toolkit/text/frozen.py
class Token:
    """One spaCy token; `head` is an index into the same caption (a root points at itself)."""

    i: int
    text: str
    lemma: str
    pos: str
    tag: str
    dep: str
    head: int
    ws: str

    def __init__(self, i: int, text: str, lemma: str, pos: str, tag: str, dep: str, head: int, ws: str) -> None:
        self.i, self.text, self.lemma, self.pos = i, text, lemma, pos
        self.tag, self.dep, self.head, self.ws = tag, dep, head, ws

    @property
    def lower(self) -> str:
        return self.text.lower()

    def __reduce__(self) -> tuple:
        return reduce_frozen(self)  # pickles the compiled build too


@dataclass(eq=False)
class Parse:
    """A parsed caption: the text, its tokens, the model that parsed it, and a lazy scene view."""

    text: str
    tokens: tuple[Token, ...]
    model: str = ""
    _scene: Scene | None = field(default=None, repr=False)
    _children: tuple[tuple[int, ...], ...] | None = field(default=None, repr=False)
    _article_pairs: frozenset[tuple[str, str]] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def children(self) -> tuple[tuple[int, ...], ...]:
        """Children of each token, in sentence order."""
        if self._children is None:
            kids: list[list[int]] = [[] for _ in self.tokens]
            for tok in self.tokens:
                if tok.head != tok.i:
                    kids[tok.head].append(tok.i)
            self._children = tuple(tuple(k) for k in kids)
        return self._children

    @property
    def article_pairs(self) -> frozenset[tuple[str, str]]:
        """Each "a"/"an" of the caption with the word after it, lower case (computed once: every
        realised candidate asks)."""
        if self._article_pairs is None:
            toks = self.tokens
            self._article_pairs = frozenset(
                (a.lower, b.lower) for a, b in zip(toks, toks[1:], strict=False) if a.lower in {"a", "an"})
        return self._article_pairs

    @property
    def scene(self) -> Scene:
        """Objects, attributes and relations (computed once, from the tokens and the lexicon)."""
        if self._scene is None:
            from toolkit.text.scene import extract_scene

            self._scene = extract_scene(self)
        return self._scene

    def span_text(self, start: int, end: int) -> str:
        """The caption text of tokens [start, end), without the trailing whitespace."""
        if start >= end:
            return ""
        parts = [t.text + t.ws for t in self.tokens[start:end]]
        return "".join(parts)[: -len(self.tokens[end - 1].ws) or None]

    def to_json(self) -> str:
        """Compact JSON: one list per token. Round-trips through `Parse.from_json`."""
        rows = [[t.text, t.lemma, t.pos, t.tag, t.dep, t.head, t.ws] for t in self.tokens]
        return json.dumps({"v": PARSE_FORMAT, "model": self.model, "tokens": rows}, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str, data: str) -> Parse:
        """Rebuild a parse stored with `to_json`, repaired as a fresh parse is (`toolkit.text.retag`), so that a
        caption stored before the repair existed gives the candidates a fresh parse gives."""
        from toolkit.text.retag import repair

        payload = json.loads(data)
        if payload.get("v") != PARSE_FORMAT:
            raise ValueError(f"unsupported parse format {payload.get('v')!r} (expected {PARSE_FORMAT})")
        tokens = tuple(Token(i, *row) for i, row in enumerate(payload["tokens"]))
        return cls(text=text, tokens=repair(tokens), model=payload.get("model", ""))


def from_doc(doc: Any, model: str = "") -> Parse:
    """Convert a spaCy `Doc` into a `Parse` (plain data, no spaCy objects kept), with a verb the model
    read as a plural noun made a verb again (`toolkit.text.retag`)."""
    from toolkit.text.retag import repair

    tokens = tuple(
        Token(t.i, t.text, t.lemma_, t.pos_, t.tag_, t.dep_, t.head.i, t.whitespace_) for t in doc
    )
    return Parse(text=doc.text, tokens=repair(tokens), model=model)


def parse_texts(texts: Iterable[str], *, nlp: Any = None, batch_size: int = 256) -> Iterator[Parse]:
    """Parse captions in batches with `nlp.pipe` (NER off), yielding one `Parse` per text, in order."""
    from toolkit.text.nlp import load_nlp, model_id

    nlp = nlp or load_nlp()
    mid = model_id(nlp)
    for doc in nlp.pipe(texts, batch_size=batch_size):
        yield from_doc(doc, mid)


def parse_text(text: str, *, nlp: Any = None) -> Parse:
    """Parse a single caption."""
    return next(parse_texts([text], nlp=nlp, batch_size=1))
