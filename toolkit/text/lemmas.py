"""lemminflect, with its two look-up tables read on demand, word by word.

lemminflect reads its lemma and inflection tables (80,676 and 40,450 lines) into dicts on first use:
0.43 s, which every generate worker process paid on its first chunk, about 4 % of a 10,000-caption
run on two cores. lemminflect only ever calls `.get(word, {})` on those dicts, so `install` gives it
`LineTable`s instead: the file's lines sorted once (about 0.04 s), and a word's lines parsed by
lemminflect's own codec the first time it is asked for. The answers are the same (tests/test_lemmas.py
compares every word of both tables). Import lemminflect's functions from here so the tables are in place.
"""

from __future__ import annotations

import gzip
from bisect import bisect_left
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lemminflect import getAllInflections, getAllLemmas, getInflection, getLemma
from lemminflect.codecs.InflectionLUCodec import InflectionLUCodec
from lemminflect.codecs.LemmaLUCodec import LemmaLUCodec
from lemminflect.core.Inflections import Inflections
from lemminflect.core.Lemmatizer import Lemmatizer
from lemminflect.core.LexicalUtils import categoryToUPos

__all__ = ["getAllInflections", "getAllLemmas", "getInflection", "getLemma", "LineTable", "install"]

Entry = dict[str, Any]


class LineTable:
    """A lemminflect look-up file (`word,category,forms...` per line) as a read-only `get(word, default)`.

    `parse_line` turns one line into (word, entry); a word's entries merge in file order, as lemminflect's
    loaders do; `fixed` entries replace the file's (lemminflect hard-codes its modals and "be")."""

    def __init__(self, path: str | Path, parse_line: Callable[[str], tuple[str, Entry]],
                 fixed: dict[str, Entry] | None = None) -> None:
        self.path = Path(path)
        self.parse_line = parse_line
        self.fixed = fixed or {}
        self._lines: list[str] | None = None
        self._parsed: dict[str, Entry | None] = {}

    def lines(self) -> list[str]:
        if self._lines is None:
            with gzip.open(self.path, "rt", encoding="utf-8") as f:
                # sorted, all lines of a word sit together from bisect_left(word + ","), in file order (stable)
                self._lines = sorted((ln for ln in f.read().split("\n") if ln.strip()), key=_word_key)
        return self._lines

    def get(self, word: str, default: Any = None) -> Any:
        try:
            found = self._parsed[word]
        except KeyError:
            found = self._parsed[word] = self._lookup(word)
        return default if found is None else found

    def _lookup(self, word: str) -> Entry | None:
        if word in self.fixed:
            return self.fixed[word]
        lines, prefix = self.lines(), word + ","
        entry: Entry | None = None
        k = bisect_left(lines, prefix, key=_word_key)
        while k < len(lines) and lines[k].startswith(prefix):
            _, forms = self.parse_line(lines[k])
            if entry is None:
                entry = forms
            else:
                entry.update(forms)
            k += 1
        return entry


def _word_key(line: str) -> str:
    """A line's word and the comma after it: sorting on it keeps each word's lines in file order."""
    return line[: line.find(",") + 1]


def _lemma_line(line: str) -> tuple[str, Entry]:
    word, category, forms = LemmaLUCodec.fromString(line)
    return word, {categoryToUPos(category): forms}


def _inflection_line(line: str) -> tuple[str, Entry]:
    word, _, forms = InflectionLUCodec.fromString(line)
    return word, forms


def install() -> None:
    """Give lemminflect's singletons `LineTable`s, unless they have loaded their own dicts already."""
    lemmatizer, inflections = Lemmatizer(), Inflections()
    if not hasattr(lemmatizer, "lemma_dict"):
        lemmatizer.lemma_dict = LineTable(lemmatizer.lemma_lu_fn, _lemma_line)
    if not hasattr(inflections, "infl_dict"):
        fixed = InflectionLUCodec.updateForAuxMod({})
        inflections.infl_dict = LineTable(inflections.infl_lu_fn, _inflection_line, fixed)


install()
