"""English morphology the operators need: indefinite articles, noun number and verb agreement."""

from __future__ import annotations

import functools
from typing import Final

from toolkit.text.lemmas import getAllInflections, getInflection

# Words whose spelling misleads the vowel rule.
_AN_EXCEPTIONS: Final = ("hour", "honest", "honor", "honour", "heir", "herb")
_A_EXCEPTIONS: Final = ("uni", "use", "usu", "uten", "uti", "euro", "eu", "one", "once", "ute", "uk", "ufo", "ura", "ure",
                        "uri", "uro", "user")
_BE_PLURAL: Final = {"is": "are", "was": "were", "has": "have", "does": "do", "'s": "'re"}
_BE_SINGULAR: Final = {v: k for k, v in _BE_PLURAL.items()}


@functools.lru_cache(maxsize=8192)
def indefinite_article(word: str) -> str:
    """`a` or `an` for the word that follows the article."""
    w = word.lower().lstrip("\"'(")
    if not w:
        return "a"
    if w.startswith(_AN_EXCEPTIONS):
        return "an"
    if w.startswith(_A_EXCEPTIONS):
        return "a"
    if len(w) == 1 or (w.isupper() and len(w) <= 4):
        return "an" if w[0] in "aefhilmnorsx" else "a"
    return "an" if w[0] in "aeiou" else "a"


@functools.lru_cache(maxsize=8192)
def pluralize(lemma: str, irregular: str | None = None) -> str:
    """Plural of a noun lemma; multiword lemmas inflect their last word ("stop sign" -> "stop signs")."""
    if irregular:
        return irregular
    *first, last = lemma.split(" ")
    forms = getInflection(last, "NNS")
    plural = forms[0] if forms else (last + "es" if last.endswith(("s", "x", "ch", "sh")) else last + "s")
    return " ".join([*first, plural])


_SINGULARS: Final = {"people": "person", "men": "man", "women": "woman", "children": "child", "feet": "foot",
                     "teeth": "tooth", "geese": "goose", "mice": "mouse"}


def singular(lemma: str) -> str:
    """The singular of a lemma that may still be plural ("people" -> "person"); multiword: last word."""
    *first, last = lemma.split(" ")
    return " ".join([*first, _SINGULARS.get(last, last)])


# Nouns with no singular ("a scissors", "a cattle"): one of them is "a pair of" or "some".
PLURAL_ONLY: Final = frozenset({
    "cattle", "police", "clothes", "scissors", "glasses", "eyeglasses", "sunglasses", "spectacles", "pants",
    "shorts", "jeans", "trousers", "slacks", "sweatpants", "leggings", "tights", "binoculars", "tongs",
    "pliers", "goggles", "headphones", "earphones", "earbuds", "overalls", "pajamas", "pyjamas", "electronics",
    "shears", "suspenders", "groceries", "contents", "remains", "surroundings", "belongings", "goods",
})
# Nouns that are not counted ("a broccoli", "two luggages"): some of it, a piece of it.
UNCOUNTABLE: Final = frozenset({
    "broccoli", "cauliflower", "asparagus", "lettuce", "spinach", "celery", "kale", "rice", "pasta",
    "spaghetti", "luggage", "baggage", "furniture", "equipment", "clothing", "jewelry", "jewellery",
    "graffiti", "foliage", "produce", "hay", "sand", "dirt", "mud", "gravel", "traffic", "machinery",
    "silverware", "cutlery", "merchandise", "garbage", "trash", "litter", "debris", "food", "meat",
    "water", "snow", "grass", "ice", "smoke", "steam", "fog", "mist", "lumber", "firewood", "rain", "sunlight",
    "sunshine", "daylight", "dust",
})


# Nouns whose plural is the singular and which are counted all the same ("two sheep").
ZERO_PLURALS: Final = frozenset({"sheep", "deer", "fish", "bison", "moose", "elk", "aircraft", "salmon", "trout",
                                 "shrimp", "swine", "buffalo", "series", "species"})


@functools.lru_cache(maxsize=8192)
def countable(lemma: str) -> bool:
    """Whether one of the noun takes "a" and its plural takes a number: not "a broccoli", "a scissors"
    or "two luggages" (multiword: the last word decides)."""
    last = lemma.rsplit(" ", 1)[-1]
    if last in PLURAL_ONLY or last in UNCOUNTABLE:
        return False
    base = _SINGULARS.get(last, last)  # "people" counts as "person" does
    # "bacon" has no plural of its own; a word ending in "s" ("rhinoceros") may just look like one
    return base in ZERO_PLURALS or base.endswith("s") or pluralize(base) != base


def inflect_noun(lemma: str, number: str, irregular_plural: str | None = None) -> str:
    """The noun lemma in the given grammatical number ("sing" | "plur"); a lemma still in the plural
    ("people") is made singular first."""
    base = singular(lemma)
    if number != "plur":
        return base
    if base != lemma and irregular_plural is None:
        return lemma  # "people" is already the plural of "person"
    return pluralize(base, irregular_plural)


# Determiners that agree in number with their noun, each with its other form.
_DET_NUMBER: Final = {"this": "these", "that": "those"}
_DET_PLURAL: Final = {v: k for k, v in _DET_NUMBER.items()}
# Determiners that only go with a plural: a noun made singular cannot keep them ("some single giraffe").
PLURAL_DETERMINERS: Final = frozenset({
    "some", "many", "several", "few", "multiple", "various", "numerous", "these", "those", "both", "all",
    "other", "lots", "plenty", "most", "enough",
})


def agree_determiner(word: str, number: str) -> str | None:
    """A demonstrative in the other number ("these" -> "this"), or None when `word` needs no change."""
    low = word.lower()
    new = _DET_NUMBER.get(low) if number == "plur" else _DET_PLURAL.get(low)
    return match_case(new, word) if new else None


_NUMBER_WORDS: Final = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
                        "nineteen", "twenty")


def number_word(word: str) -> str:
    """A numeral in words ("5" -> "five", up to twenty); any other word unchanged."""
    return _NUMBER_WORDS[int(word)] if word.isdigit() and int(word) < len(_NUMBER_WORDS) else word


@functools.lru_cache(maxsize=8192)
def inflect_verb(lemma: str, tag: str) -> str:
    """A verb lemma in the form of a Penn tag (VBG, VBZ, VBD...); multiword ("look at") inflects the first word."""
    head, *rest = lemma.split(" ")
    if tag in {"VB", "VBP"} or not tag.startswith("VB"):
        form = head
    else:
        forms = getInflection(head, tag)
        form = forms[0] if forms else head
    return " ".join([form, *rest])


@functools.lru_cache(maxsize=4096)
def inflect_adjective(lemma: str, tag: str) -> str:
    """An adjective in comparative (JJR) or superlative (JJS) form: "young" -> "younger" (dictionary
    forms only: an adjective without one takes "more"/"most")."""
    forms = getAllInflections(lemma, upos="ADJ").get(tag)
    if forms:
        return forms[0]
    return ("more " if tag == "JJR" else "most ") + lemma


def agree_verb(word: str, lemma: str, tag: str, number: str) -> str | None:
    """The form of a finite verb or auxiliary agreeing with a subject of `number`, or None if unchanged."""
    low = word.lower()
    new: str | None
    if number == "plur":
        if low in _BE_PLURAL:
            new = _BE_PLURAL[low]
        elif tag == "VBZ":
            new = lemma if lemma != "be" else "are"
        else:
            return None
    else:
        if low in _BE_SINGULAR:
            new = _BE_SINGULAR[low]
        elif tag == "VBP" and lemma not in {"be"}:
            forms = getInflection(lemma, "VBZ")
            new = forms[0] if forms else None
        else:
            return None
    if new is None or new == low:
        return None
    return match_case(new, word)


def match_case(new: str, old: str) -> str:
    """Capitalise `new` like `old`: all capitals after a word of two or more capitals ("ARE"), else the
    first letter only."""
    if len(old) > 1 and old.isupper():
        return new.upper()
    if old[:1].isupper() and new[:1].islower():
        return new[0].upper() + new[1:]
    return new
