"""Counts as attributes: the words that say how many of a thing ("4", "two", "a single", "a number of",
"some", "no", a bare plural) replaced by a count that contradicts them, with the noun, the verb and a
leading "there is/are" agreeing ("There are exactly 4 wheels" -> "There is exactly 1 wheel").

Every way of saying a count stands for a range of numbers ("several": 2 to 9); a substitute must leave
the source's range entirely, so no negative can still be true by its count ("two" never becomes "a
couple of" or "several"). A numeral keeps its style (a digit stays a digit) and the precision word before
it ("exactly", "only"); any other count replaces the precision word too ("exactly one ball" -> "a number
of balls"), since "exactly many" is no English.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from toolkit.generation.operators.base import Change, Edit
from toolkit.generation.operators.sites import phrase_root
from toolkit.generation.realize import RECIPROCALS
from toolkit.text.lexicon import Lexicon
from toolkit.text.morph import agree_determiner, countable, inflect_noun, match_case, number_word, singular
from toolkit.text.parse import Parse, reduce_frozen
from toolkit.text.scene import SceneObject

MANY: Final = 1_000_000  # the top of an open range ("some": 2 or more)
# Determiners that stay before a numeral ("the two dogs", "these three"); only numerals follow them.
KEPT_DETERMINERS: Final = frozenset({"the", "these", "those", "this", "that", "his", "her", "their", "its", "my",
                                     "our", "your"})
PRECISION: Final = frozenset({"exactly", "only", "just", "precisely"})
# Ways of saying a count that are not numerals, with the numbers each may mean; the longest match wins.
SAYINGS: Final[dict[tuple[str, ...], tuple[int, int]]] = {
    ("a", "single"): (1, 1), ("one", "single"): (1, 1), ("a", "lone"): (1, 1), ("a", "solitary"): (1, 1),
    ("a", "pair", "of"): (2, 2), ("both",): (2, 2), ("a", "couple", "of"): (2, 3), ("a", "few"): (2, 4),
    ("several",): (2, 9), ("some",): (2, MANY), ("multiple",): (2, MANY), ("a", "number", "of"): (2, MANY),
    ("a", "group", "of"): (2, MANY), ("a", "bunch", "of"): (2, MANY), ("a", "handful", "of"): (2, 6),
    ("many",): (5, MANY), ("numerous",): (5, MANY), ("lots", "of"): (5, MANY), ("a", "lot", "of"): (5, MANY),
    ("plenty", "of"): (5, MANY), ("a", "dozen"): (12, 12), ("dozens", "of"): (24, MANY), ("no",): (0, 0),
    **{("a", group, "of"): (2, MANY) for group in ("herd", "flock", "crowd", "pack", "row", "line", "pile", "stack",
                                                   "collection", "variety", "cluster", "team")},
}
# After a kept determiner: "the single dog", "the lone tree".
AFTER_DETERMINER: Final[dict[tuple[str, ...], tuple[int, int]]] = {("single",): (1, 1), ("lone",): (1, 1), ("solitary",): (1, 1)}
ARTICLES: Final = frozenset({"a", "an"})
# What a count may become, in order of preference (numerals come from `_numerals`).
SINGLE: Final = ("a single", "one", "exactly one", "a", "a lone", "a solitary")
PLURAL: Final = ("some", "a number of", "several", "many", "a few")
NUMBER_WORDS: Final = {number_word(str(n)): n for n in range(21)}


@dataclass(unsafe_hash=True)  # a value class: see toolkit/text/frozen.py
class CountReading:
    """How an object's phrase says its count: source tokens [start, end) say it (start == end: a bare
    plural, nothing said), [numeral_start, end) the numeral after a precision word kept with it."""

    obj: int
    start: int
    numeral_start: int
    end: int
    low: int
    high: int
    style: str  # "digit" | "word" (numerals) | "saying" (other words) | "bare" (a bare plural)
    determiner: str | None  # a kept determiner before the count ("the", "these")
    noun: int = -1  # the counted noun: the phrase's head, or the quantity before its "of" ("3 *pieces* of meat")
    number: str = ""  # the counted noun's number
    fixed: bool = False  # the number may not change: the verb that agrees could not be found

    def __init__(self, obj: int, start: int, numeral_start: int, end: int, low: int, high: int, style: str,
                 determiner: str | None, noun: int = -1, number: str = "", fixed: bool = False) -> None:
        self.obj, self.start, self.numeral_start, self.end = obj, start, numeral_start, end
        self.low, self.high = low, high
        self.style, self.determiner, self.noun, self.number, self.fixed = style, determiner, noun, number, fixed

    def __reduce__(self) -> tuple:
        return reduce_frozen(self)  # pickles the compiled build too

    @property
    def precise(self) -> bool:
        return self.numeral_start > self.start


def numeral_value(word: str) -> int | None:
    """The number a numeral says ("4", "four"), up to 100 for digits and twenty for words."""
    if word.isdigit():
        return int(word) if int(word) <= 100 else None
    return NUMBER_WORDS.get(word)


def read_count(parse: Parse, k: int) -> CountReading | None:
    """The count of object `k`'s phrase, or None when it says none that can be replaced (a definite
    plural "the dogs", a mass noun, a count after the noun)."""
    obj = parse.scene.objects[k]
    toks = parse.tokens
    if toks[obj.head].pos not in {"NOUN", "PROPN"}:
        return None
    begin = _count_before(parse, obj)
    lows = [t.lower for t in toks[begin : obj.noun_start]]
    i = 0
    det = None
    if lows and lows[0] in KEPT_DETERMINERS:
        det, i = lows[0], 1
    first = i
    if i < len(lows) and lows[i] in PRECISION and i + 1 < len(lows) and numeral_value(lows[i + 1]) is not None:
        i += 1
    reading: CountReading | None = None
    if i < len(lows) and numeral_value(lows[i]) is not None and toks[begin + i].pos == "NUM":
        n = numeral_value(lows[i])
        assert n is not None
        style = "digit" if lows[i].isdigit() else "word"
        reading = CountReading(k, begin + first, begin + i, begin + i + 1, n, n, style, det)
    elif i == first:
        reading = _saying(begin, k, lows, i, det)
        if reading is not None and reading.style == "bare" and not _bare_plural(parse, obj):
            return None
    if reading is None:
        return None
    noun, number = obj.end - 1, obj.number
    rest = lows[reading.end - begin :]
    if "of" in rest:  # "3 pieces of meat", "a glass of water": the count is the quantity's
        noun = reading.end + rest.index("of") - 1
        if rest.count("of") > 1 or noun < reading.end or toks[noun].pos != "NOUN":
            return None
        number = "plur" if toks[noun].tag in {"NNS", "NNPS"} else "sing"
    if reading.high > 1 and number == "sing" and reading.low > 0:
        return None  # "some water", "a bunch of grass": a mass noun, not counted
    if reading.low == 1 and number == "plur":
        return None  # "one of the men" read into one phrase
    if any(w in {"and", "or", ","} for w in rest):
        return None  # "a moped and utility truck": the count is said of both
    r = reading  # the constructor, not dataclasses.replace: that one is interpreted, at 8 us a call
    return CountReading(r.obj, r.start, r.numeral_start, r.end, r.low, r.high, r.style, r.determiner, noun, number,
                        _number_fixed(parse, obj, r.end))


def _number_fixed(parse: Parse, obj: SceneObject, end: int) -> bool:
    """Whether the counted noun must keep its number: when something that agrees with it would not follow
    ("a bull, giraffe and deer" share one count; "each other" needs two; "her" would not become "their"),
    or the verb that agrees is not found (a noun read as a modifier of a verb: "3 lights/compound hanging")."""
    toks, kids = parse.tokens, parse.children
    if toks[phrase_root(parse, obj)].dep == "compound":
        return True
    for c in kids[obj.head]:
        if toks[c].dep == "conj" and not any(toks[g].dep in {"det", "nummod", "poss"} for g in kids[c]):
            return True
    text = " " + " ".join(t.lower for t in toks) + " "
    if any(f" {r} " in text for r in RECIPROCALS):
        return True
    return any(t.lower == "her" and t.pos == "PRON" for t in toks[end:])


def _counted_lemma(parse: Parse, reading: CountReading) -> str:
    obj = parse.scene.objects[reading.obj]
    lemma = obj.lemma if reading.noun == obj.end - 1 else parse.tokens[reading.noun].lemma.lower()
    return singular(lemma.split(" ")[-1])


def _count_before(parse: Parse, obj: SceneObject) -> int:
    """Where the phrase's count starts: its first token, or the start of a count the parser left out of
    it ("*a few* cows", "exactly *2* traffic lights")."""
    toks = parse.tokens
    for size in (3, 2, 1):
        if obj.start >= size and tuple(t.lower for t in toks[obj.start - size : obj.start]) in SAYINGS:
            return obj.start - size
    begin = obj.start
    if begin > 0 and toks[begin - 1].dep == "nummod" and obj.start <= toks[begin - 1].head <= obj.head:
        begin -= 1
        if begin > 0 and toks[begin - 1].lower in PRECISION:
            begin -= 1
    return begin


def _saying(begin: int, k: int, lows: list[str], i: int, det: str | None) -> CountReading | None:
    table = AFTER_DETERMINER if det else SAYINGS
    for size in (3, 2, 1):
        found = table.get(tuple(lows[i : i + size])) if i + size <= len(lows) else None
        if found:
            return CountReading(k, begin + i, begin + i, begin + i + size, *found, "saying", det)
    if det is None and i < len(lows) and lows[i] in ARTICLES:
        return CountReading(k, begin + i, begin + i, begin + i + 1, 1, 1, "saying", None)
    if det is None and i == 0:
        return CountReading(k, begin, begin, begin, 2, MANY, "bare", None)
    return None


# Words before a phrase that say something of its number the parser left out of it ("of", "all").
NOT_BARE: Final = frozenset({"of", "all", "few", "many", "several", "some", "both", "no", "other", "more", "most"})


def _bare_plural(parse: Parse, obj: SceneObject) -> bool:
    """A plural noun with no determiner, count or pronoun before it ("tall giraffes"), nor an "of" that
    makes it the stuff of something else ("a plate of cookies")."""
    toks = parse.tokens
    before = toks[obj.start : obj.noun_start]
    if obj.start > 0 and (toks[obj.start - 1].lower in NOT_BARE or toks[obj.start - 1].pos in {"DET", "NUM"}):
        return False
    return toks[obj.head].tag in {"NNS", "NNPS"} and not any(t.pos in {"DET", "NUM", "PRON"} for t in before)


def _numerals(n: int) -> tuple[list[int], list[int]]:
    """Numbers other than n: the nearby ones (the hard negatives: 4 -> 3, 5, 2, 6), and the rest, small
    ones first (captions count small numbers far more often than large ones)."""
    near = [m for d in (1, 2) for m in (n - d, n + d) if m >= 0]
    rest = [m for m in range(0, max(n + 5, 10)) if m != n and m not in near]
    return near, rest


def _range(choice: str) -> tuple[int, int]:
    words = tuple(choice.split(" "))
    if words[0] in PRECISION:
        words = words[1:]
    value = numeral_value(words[0])
    if value is not None:
        return value, value
    if words in {("a",), ("an",)}:
        return 1, 1
    return SAYINGS[words]


def count_choices(parse: Parse, reading: CountReading) -> list[str]:
    """Counts that contradict the reading, in order of preference, as words to put in."""
    none_fits = _asserts_existence(parse, parse.scene.objects[reading.obj])
    out: list[str] = []
    if reading.style in {"digit", "word"}:
        near, rest = _numerals(reading.low)
        said = [_say_numeral(m, reading, none_fits) for m in near + rest]
        nums = [s for s in said if s]
        if reading.style == "digit" or reading.determiner:
            out = nums
        else:
            first = sum(1 for s in said[: len(near)] if s)
            out = nums[:first] + [*SINGLE, *PLURAL] + nums[first:]
    elif reading.low == 0:
        out = ["a", "one", "two", "some", "a single", "several", "three", "many"]
    elif reading.high == 1:
        out = ["two", "some", "a number of", "several", "many", "three", "a few"]
        out = (["no"] if none_fits else []) + out
        if reading.determiner:
            out = ["two", "three", "four"]
    else:
        out = [*SINGLE, *(["no"] if none_fits else []), *PLURAL, "two", "three", "four", "five"]
    low, high = reading.low, reading.high
    out = [c for c in dict.fromkeys(out) if _range(c)[1] < low or _range(c)[0] > high]
    if countable(_counted_lemma(parse, reading)) and not reading.fixed:
        return out
    return [c for c in out if _number(c) == reading.number]  # never "one cattle", "two luggages"


def _number(choice: str) -> str:
    """The number of the noun after a count: singular after one, plural after none and after two or more."""
    return "sing" if _range(choice) == (1, 1) else "plur"


def _say_numeral(m: int, reading: CountReading, none_fits: bool) -> str | None:
    if m == 0:
        if reading.style == "digit":
            return "0" if reading.precise else None  # "exactly 0 horses", as counting captions say it
        return "no" if none_fits and not reading.determiner else None
    if reading.determiner and m == 1:
        return None  # "the one dog"
    return str(m) if reading.style == "digit" else number_word(str(m))


def _asserts_existence(parse: Parse, obj: SceneObject) -> bool:
    """Whether the phrase is what "there is/are" introduces: only there does a count become "no"
    fluently ("There are no horses"; never "on no tables", and captions seldom open "No dogs ...")."""
    toks = parse.tokens
    root = toks[phrase_root(parse, obj)]
    return root.dep == "attr" and any(toks[c].dep == "expl" for c in parse.children[root.head])


def count_edit(parse: Parse, lex: Lexicon, reading: CountReading, choice: str, rank: int) -> Edit:
    """The edit saying `choice` instead of the reading's count; the noun (and a determiner before it)
    takes the number the new count asks for, and the realiser makes the verbs and pronouns agree."""
    obj = parse.scene.objects[reading.obj]
    toks = parse.tokens
    number = _number(choice)
    words = tuple(choice.split(" "))
    start = reading.numeral_start if numeral_value(words[0]) is not None else reading.start
    changes = [Change(start, reading.end, words)]
    if number != reading.number:
        last = _counted_lemma(parse, reading)
        noun = inflect_noun(last, number, lex.object_plural(last))
        if reading.noun > 0:  # the first word's capital goes to the count said before it
            noun = match_case(noun, toks[reading.noun].text)
        changes.append(Change(reading.noun, reading.noun + 1, (noun,)))
        for i in range(obj.start, reading.start):
            det = agree_determiner(toks[i].text, number)
            if det:
                changes.append(Change(i, i + 1, (det,)))
    quantified = any(t.lower == "of" for t in toks[reading.start : reading.end])
    agree = ((phrase_root(parse, obj), number),) if number != reading.number or quantified else ()
    # one span from the first change to the last: "a dog" -> "two dogs" (never "dog" -> "dogs" on its own,
    # which reads as a word replaced by itself)
    changes.sort(key=lambda c: (c.start, c.end))
    first, stop = min(c.start for c in changes), max(c.end for c in changes)
    new: list[str] = []
    pos = first
    for c in changes:
        new.extend(t.text for t in toks[pos : c.start])
        new.extend(c.words)
        pos = c.end
    new.extend(t.text for t in toks[pos:stop])
    out = " ".join(t.text for t in toks[first:stop])
    detail = f"count: {toks[start].text if reading.end > start else 'plural'}->{choice}"
    return Edit("replace", "att", ((first, stop),), (out,), (" ".join(new),), tuple(changes), agree, detail, rank)

