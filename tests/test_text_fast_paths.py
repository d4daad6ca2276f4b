"""The string fast paths of the generation hot loop give what their regex definitions give.

Every realised candidate is normalised, tokenised for the caption model and checked for stacked articles
and doubled words; on ASCII text these run without a regex pass (toolkit.generation.*). Each property
compares a fast path with the plain definition it replaces, on text built to hit the edge cases: articles
next to punctuation and underscores, apostrophes, tabs, non-ASCII letters. The seeded shuffle written out
for the compiled build draws what the standard library's draws.
"""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.generation.caption_lm import BOS, EOS, lm_tokens
from toolkit.generation.operators.compose import may_stack, normalize, plain_words, seeded_shuffle
from toolkit.generation.realize import _LINKED_DETERMINERS, _LINKS, _MAY_DOUBLE, doubled_words, stacked_articles
from toolkit.text.lexicon import load_lexicon
from toolkit.text.parse import Parse, Token

PIECES = ["a", "an", "the", "A", "An", "THE", "man", "dog", "on", "and", "two", "x", "_", "-", ".", ",", "'", "'s",
          "\t", "\n", " ", "  ", "é", "İ", "\u2019", "1", "a_", "_the", "an-", "the.", "theater", "ant"]
texts = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=14).map("".join),
    st.lists(st.sampled_from(PIECES), max_size=14).map(" ".join),
    st.text(max_size=40),
)


def _stacked_by_regex(text: str) -> bool:
    return re.search(r"\b(?:a|an|the)\s+(?:a|an|the)\b", text, re.IGNORECASE) is not None


def _doubled_by_definition(text: str) -> set[str]:
    ws = [w.strip(".,;:!?\"'") for w in text.lower().split()]
    out = {x for x, y in zip(ws, ws[1:], strict=False) if x == y and x.isalpha() and x not in _MAY_DOUBLE}
    for i in range(len(ws) - 2):
        if ws[i + 1] in _LINKS and ws[i].isalpha() and ws[i] not in _LINKS and ws[i] not in _LINKED_DETERMINERS:
            j = i + 3 if ws[i + 2] in _LINKED_DETERMINERS and i + 3 < len(ws) else i + 2
            if ws[j] == ws[i]:
                out.add(f"{ws[i]} ~ {ws[i]}")
    return out


@settings(max_examples=600, deadline=None)
@given(texts)
def test_fast_paths_agree_with_their_regex_definitions(text: str) -> None:
    assert normalize(text) == " ".join(re.findall(r"[a-z0-9']+", text.lower()))
    assert lm_tokens(text) == [BOS, BOS, *re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower()), EOS]
    assert stacked_articles(text) == _stacked_by_regex(text)
    assert doubled_words(text) == _doubled_by_definition(text)
    words = plain_words(text)  # split once for both, where they agree
    if words is not None:
        assert " ".join(words) == normalize(text)
        assert [BOS, BOS, *words, EOS] == lm_tokens(text)
        assert may_stack(" ".join(words), words) or not stacked_articles(text)  # a pre-check, never wrong
    else:
        assert not text.isascii() or "'" in text


def test_may_stack_is_a_cheap_necessary_condition() -> None:
    for text in ("in an a girl jacket", "the. A cat", "on the  a road", "A man on a horse", "x_the a y"):
        words = plain_words(text)
        assert words is not None
        assert may_stack(" ".join(words), words) or not stacked_articles(text), text
    assert not may_stack("a man on a horse", ["a", "man", "on", "a", "horse"])
    assert may_stack("a man", None)  # no words: the full check decides


def test_stacked_articles_edge_cases() -> None:
    assert stacked_articles("in an a girl jacket")
    assert stacked_articles("The\tthe dog")
    assert stacked_articles("x-the a cat")  # a non-word character bounds the article inside a piece
    assert not stacked_articles("a-the cat")  # "-" is no whitespace
    assert not stacked_articles("a_ the cat")  # "_" is a word character: no article ends that piece
    assert not stacked_articles("an ant on the theater")
    assert not stacked_articles("a, a dog")  # punctuation between them is no whitespace


def test_article_pairs_are_the_captions_own_and_computed_once() -> None:
    words = ["A", "dog", "and", "an", "owl", "on", "a"]
    parse = Parse("A dog and an owl on a", tuple(Token(i, w, w.lower(), "X", "X", "dep", i, " ") for i, w in
                                                  enumerate(words)))
    assert parse.article_pairs == {("a", "dog"), ("an", "owl")}
    assert parse.article_pairs is parse.article_pairs


def test_share_relation_set_matches_the_contrast_sets() -> None:
    lex = load_lexicon()
    sets = lex.relation_sets()
    words = sorted({w for s in sets for w in s.words})[:120] + ["not a relation"]
    for a in words:
        for b in words[:40]:
            assert lex.share_relation_set(a, b) == any(a in s.words and b in s.words for s in sets), (a, b)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=200), st.text(max_size=30))
def test_seeded_shuffle_is_the_standard_librarys(n: int, seed: str) -> None:
    import random

    mine, theirs = list(range(n)), list(range(n))
    a, b = random.Random(seed), random.Random(seed)
    seeded_shuffle(mine, a)
    b.shuffle(theirs)
    assert mine == theirs
    assert a.random() == b.random()  # the same number of draws
