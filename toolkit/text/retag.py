"""Repair one misparse of the small spaCy model: the verb of a short caption read as a plural noun.

"A puppy nips a finger." comes out with no verb at all: *nips* is a plural noun (NNS) and the root,
*puppy* hangs on it as a modifier and *a finger* as an apposition. Telegraphic captions of actions
(VALSE, SWiG) are full of these ("A dog tugs a rope", "A school bus waits in traffic"). A singular
determiner cannot open a plural noun phrase ("a ... nips" is no phrase), so when a caption has no verb,
its root is such a plural right after a singular noun (or a thing's name read as an adjective), and what follows can only follow a verb (an
object's determiner, a preposition, a particle, the end), the root is re-read as a present-tense verb
(VBZ) whose subject is that noun. Nothing else in the tree changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from toolkit.text.lemmas import getLemma

if TYPE_CHECKING:  # toolkit.text.parse calls `repair`: no import back at run time
    from toolkit.text.parse import Token

# Determiners of a singular noun phrase: never in front of a plural ("a dog tugs": a verb follows).
_SINGULAR_DETERMINERS = frozenset({"a", "an", "this", "that", "each", "every", "one"})
# What may follow the re-read verb; after "the ..." only an object's determiner or possessive, since
# "the street signs on the corner" is a plural noun phrase indeed.
_AFTER_VERB = frozenset({"DT", "IN", "RP", "PRP$", "PRP", "RB", "."})
_AFTER_VERB_THE = frozenset({"DT", "PRP$"})


def verb_read_as_noun(tokens: tuple[Token, ...]) -> int | None:
    """The index of a present-tense verb the parser took for the plural root noun, or None."""
    if not tokens or any(t.pos in {"VERB", "AUX"} for t in tokens):
        return None
    root = next((t for t in tokens if t.dep == "ROOT"), None)
    if root is None or root.tag != "NNS" or root.i < 1 or not root.lower.endswith("s"):
        return None
    subject = tokens[root.i - 1]
    # the name of a thing may be read as an adjective of the "noun" too ("A *puppy* tugs a jet")
    if subject.tag != "NN" and not (subject.tag == "JJ" and _names_a_thing(subject.lower)):
        return None
    det = next((t for t in tokens[: subject.i] if t.pos == "DET"), None)
    if det is None or any(t.pos in {"NUM", "CCONJ", "ADP", "PUNCT"} for t in tokens[det.i : subject.i]):
        return None
    after = tokens[root.i + 1].tag if root.i + 1 < len(tokens) else "."
    if det.lower in _SINGULAR_DETERMINERS and after in _AFTER_VERB:
        return root.i
    if det.lower == "the" and after in _AFTER_VERB_THE:
        return root.i
    return None


def _names_a_thing(word: str) -> bool:
    from toolkit.text.lexicon import load_lexicon

    return load_lexicon().is_object(word)


def repair(tokens: tuple[Token, ...]) -> tuple[Token, ...]:
    """`tokens` with a verb read as a plural noun (see `verb_read_as_noun`) made the verb again: the noun
    before it becomes its subject, the words before that noun hang on the noun, an apposition after it
    becomes its object. Tokens without that misparse come back unchanged."""
    v = verb_read_as_noun(tokens)
    if v is None:
        return tokens
    s = v - 1
    lemmas = getLemma(tokens[v].lower, upos="VERB")
    make = type(tokens[v])
    out: list[Token] = []
    for t in tokens:
        if t.i == v:
            out.append(make(t.i, t.text, lemmas[0] if lemmas else t.lemma, "VERB", "VBZ", "ROOT", v, t.ws))
        elif t.i == s:
            out.append(make(t.i, t.text, t.lemma, "NOUN", "NN", "nsubj", v, t.ws))
        elif t.i < s and t.head == v:
            out.append(make(t.i, t.text, t.lemma, t.pos, t.tag, t.dep, s, t.ws))
        elif t.i > v and t.head == v and t.dep == "appos":
            out.append(make(t.i, t.text, t.lemma, t.pos, t.tag, "dobj", v, t.ws))
        else:
            out.append(t)
    return tuple(out)
