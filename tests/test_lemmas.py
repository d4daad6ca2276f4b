"""toolkit.text.lemmas: lemminflect's tables read word by word give exactly lemminflect's own answers."""

from __future__ import annotations

import gzip

import pytest
from lemminflect.codecs.InflectionLUCodec import InflectionLUCodec
from lemminflect.codecs.LemmaLUCodec import LemmaLUCodec
from lemminflect.core.Inflections import Inflections
from lemminflect.core.Lemmatizer import Lemmatizer

from toolkit.text import lemmas
from toolkit.text.lemmas import LineTable, _inflection_line, _lemma_line


@pytest.mark.parametrize("which", ["lemma", "inflection"])
def test_every_word_matches_lemminflects_loader(which: str) -> None:
    if which == "lemma":
        path = Lemmatizer().lemma_lu_fn
        expected = LemmaLUCodec.load(path)
        table = LineTable(path, _lemma_line)
    else:
        path = Inflections().infl_lu_fn
        expected = InflectionLUCodec.load(path)
        table = LineTable(path, _inflection_line, InflectionLUCodec.updateForAuxMod({}))
    with gzip.open(path, "rt", encoding="utf-8") as f:
        words = {line.split(",", 1)[0] for line in f if line.strip()}
    assert words <= set(expected)
    for word in expected:
        assert table.get(word, {}) == expected[word], word
    for missing in ("", "zzzqx", "dog,", "Dog", "be,"):
        assert table.get(missing, {}) == expected.get(missing, {}), missing


def test_a_word_with_several_lines_merges_them_in_file_order(tmp_path) -> None:
    path = tmp_path / "lu.csv.gz"
    lines = ["dog,noun,dogs", "axe,noun,axes", "dog,verb,dogged/dogged,dogged,dogging,dogs", "dog-tired,adj,,", "do,verb,did,done,doing,does"]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    table = LineTable(path, _inflection_line)
    assert table.get("dog") == InflectionLUCodec.load(str(path))["dog"]
    assert set(table.get("dog")) == {"NN", "NNS", "VB", "VBP", "VBD", "VBN", "VBG", "VBZ"}
    assert table.get("do")["VBZ"] == ("does",)
    assert table.get("dogs", "none") == "none"


def test_installed_tables_answer_the_public_functions() -> None:
    assert lemmas.getLemma("horses", "NOUN") == ("horse",)
    assert lemmas.getInflection("mouse", "NNS") == ("mice",)
    assert lemmas.getInflection("be", "VBZ") == ("is",)
    assert lemmas.getLemma("ran", "VERB") == ("run",)
    assert isinstance(Lemmatizer().lemma_dict, (LineTable, dict))
