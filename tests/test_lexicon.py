"""Tests for toolkit.text.lexicon: the real data files load, lookups behave, bad files fail loudly."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from toolkit.text.lexicon import DATA_FILES, Lexicon, LexiconError, ObjectEntry, load_lexicon

LEXICON_DIR = Path(__file__).resolve().parents[1] / "toolkit" / "text" / "lexicon"
NOT_NEGATIVE = {"same", "synonym", "hypernym", "hyponym", "related"}


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return load_lexicon()


# ------------------------------------------------------------------ loading / version
def test_load_is_cached_and_version_stable(lex: Lexicon) -> None:
    assert load_lexicon() is lex
    again = Lexicon.from_dir(LEXICON_DIR)
    assert again.version == lex.version
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+\+[0-9a-f]{12}", lex.version)


def test_version_changes_with_content(tmp_path: Path, lex: Lexicon) -> None:
    data = _copy_lexicon(tmp_path)
    with (data / "objects.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n# a comment changes the hash\n")
    assert Lexicon.from_dir(data).version != lex.version


def test_sizes(lex: Lexicon) -> None:
    assert len(lex.object_entries()) >= 400
    assert sum(len(lex.attribute_words(t)) for t in lex.attribute_type_names()) >= 250
    assert len(lex.relation_words()) >= 150


# ------------------------------------------------------------------ objects
def test_object_entry(lex: Lexicon) -> None:
    dog = lex.object_entry("puppy")
    assert isinstance(dog, ObjectEntry)
    assert dog.canonical == "dog" and dog.category == "animal" and dog.group == "pet"
    assert "poodle" in dog.hyponyms and dog.words[0] == "dog"
    assert lex.object_entry("poodle") is None  # hyponym only, not its own concept
    assert lex.object_entry("animal") is None
    assert lex.object_entry("stop sign").hypernyms == ("sign",)
    assert lex.object_entry("cell phone").canonical == "phone"


def test_multiword_objects(lex: Lexicon) -> None:
    for word in ["stop sign", "fire hydrant", "teddy bear", "hot dog", "cell phone", "parking meter"]:
        assert lex.is_object(word), word


def test_is_object_and_hypernym(lex: Lexicon) -> None:
    assert lex.is_object("dog") and lex.is_object("poodle") and lex.is_object("surfer")
    assert not lex.is_object("animal") and not lex.is_object("zzz")
    for word in ["animal", "vehicle", "thing", "object", "item", "stuff", "pet", "furniture", "person"]:
        assert lex.is_object_hypernym(word), word
    assert not lex.is_object_hypernym("dog")


def test_object_relation(lex: Lexicon) -> None:
    assert lex.object_relation("dog", "dog") == "same"
    assert lex.object_relation("dog", "animal") == "hypernym"
    assert lex.object_relation("dog", "poodle") == "hyponym"
    assert lex.object_relation("poodle", "dog") == "hypernym"
    assert lex.object_relation("man", "guy") == "synonym"
    assert lex.object_relation("man", "gentleman") == "synonym"
    assert lex.object_relation("dog", "cat") is None
    assert lex.object_relation("parrot", "bird") == "hypernym"
    assert lex.object_relation("skier", "person") == "hypernym"
    assert lex.object_relation("car", "thing") == "hypernym"
    assert lex.object_relation("field", "grass") == "related"
    assert lex.object_relation("dog", "zzz") is None


def test_object_substitutes_dog(lex: Lexicon) -> None:
    subs = lex.object_substitutes("dog")
    assert subs[0] == "cat"
    assert subs.index("cat") < subs.index("horse")  # same group first
    for bad in ["dog", "puppy", "animal", "poodle", "pet", "man", "creature"]:
        assert bad not in subs
    assert lex.object_substitutes("dog") == subs  # deterministic
    assert lex.object_substitutes("zzz") == []


def test_person_and_role_never_mix(lex: Lexicon) -> None:
    man = lex.object_substitutes("man")
    assert "woman" in man and "guy" not in man and "gentleman" not in man
    assert not {"surfer", "skier", "player", "chef", "person", "people"} & set(man)
    assert "father" not in man  # a father is a man
    surfer = lex.object_substitutes("surfer")
    assert "skier" in surfer and not {"man", "woman", "boy", "girl"} & set(surfer)
    assert lex.object_category("man") == "person" and lex.object_category("skier") == "person_role"


def test_closed_group_substitutes_only_within(lex: Lexicon) -> None:
    # many people as one never replace one person, nor the other way round ("a sick team who ...")
    assert not {"crowd", "team", "family"} & set(lex.object_substitutes("child"))
    assert not {"crowd", "team", "family"} & set(lex.object_substitutes("man"))
    assert set(lex.object_substitutes("team")) == {"crowd", "family"}


def test_body_parts_are_owned(lex: Lexicon) -> None:
    assert not lex.object_addable("face") and not lex.object_addable("shoulder")
    assert lex.object_addable("crate") and lex.object_addable("zzz")


def test_addable_substitutes_leave_out_owned_things(lex: Lexicon) -> None:
    # the substitutes ADD may put in on their own: every other, in order, never a body part
    for word in ("hand", "face", "dog", "pizza", "crate"):
        subs = lex.addable_substitutes(word)
        assert subs == tuple(s for s in lex.object_substitutes(word) if lex.object_addable(s))
        assert lex.addable_substitutes(word) is subs  # kept per lemma
    assert lex.object_substitutes("hand") and not lex.addable_substitutes("hand")
    assert "cat" in lex.addable_substitutes("dog")
    assert lex.addable_substitutes("zzz") == ()


def test_hyponym_substitutes(lex: Lexicon) -> None:
    assert "cat" in lex.object_substitutes("poodle")
    assert "dog" not in lex.object_substitutes("poodle")
    assert "bird" not in lex.object_substitutes("parrot") and "pigeon" in lex.object_substitutes("parrot")
    assert "bicycle" not in lex.object_substitutes("bike")
    assert "motorcycle" in lex.object_substitutes("bicycle")


def test_object_category_and_plural(lex: Lexicon) -> None:
    assert lex.object_category("dog") == "animal"
    assert lex.object_category("poodle") == "animal"
    assert lex.object_category("animal") == "animal"
    assert lex.object_category("zzz") is None
    assert lex.object_plural("man") == "men"
    assert lex.object_plural("person") == "people"
    assert lex.object_plural("sheep") == "sheep"
    assert lex.object_plural("foot") == "feet"
    assert lex.object_plural("dog") is None


def test_no_object_substitute_is_related(lex: Lexicon) -> None:
    entries = lex.object_entries()
    for word in lex.object_words():
        entry = lex.object_entry(word)
        banned = set(entry.words) | set(entry.hyponyms) | set(entry.hypernyms) if entry else set()
        subs = lex.object_substitutes(word)
        assert len(subs) == len(set(subs)), word
        for sub in subs:
            assert sub not in banned, (word, sub)
            assert not lex.is_object_hypernym(sub), (word, sub)
            assert lex.object_relation(word, sub) not in NOT_NEGATIVE, (word, sub)
            assert lex.object_category(sub) == lex.object_category(word), (word, sub)
    assert all(e.canonical == e.words[0] for e in entries)


# ------------------------------------------------------------------ attributes
def test_attribute_type(lex: Lexicon) -> None:
    assert lex.attribute_type("red") == "color"
    assert lex.attribute_type("light blue") == "color"
    assert lex.attribute_type("wooden") == "material" and lex.attribute_type("stainless steel") == "material"
    assert lex.attribute_type("big") == "size"
    assert lex.attribute_type("two") == "count" and lex.attribute_type("several") == "count"
    assert lex.attribute_type("open") == "openness"
    assert lex.attribute_type("zzz") is None


def test_attribute_relation(lex: Lexicon) -> None:
    assert lex.attribute_relation("big", "large") == "synonym"
    assert lex.attribute_relation("grey", "gray") == "synonym"
    assert lex.attribute_relation("red", "red") == "same"
    assert lex.attribute_relation("red", "blue") is None
    assert lex.attribute_relation("navy", "blue") == "hypernym"
    assert lex.attribute_relation("blue", "navy") == "hyponym"
    assert lex.attribute_relation("red", "big") is None


def test_attribute_substitutes(lex: Lexicon) -> None:
    big = lex.attribute_substitutes("big")
    assert big[0] == "small" and "large" not in big and "big" not in big
    assert lex.attribute_substitutes("open")[0] == "closed"
    assert lex.attribute_substitutes("empty")[0] == "full"
    assert lex.attribute_substitutes("wet")[0] == "dry"
    assert lex.attribute_substitutes("clean")[0] == "dirty"
    assert lex.attribute_substitutes("black")[0] == "white"
    assert "gray" not in lex.attribute_substitutes("grey")
    assert "blue" not in lex.attribute_substitutes("navy") and "red" in lex.attribute_substitutes("navy")
    old = lex.attribute_substitutes("old")
    assert old[:2] == ["young", "new"] and "elderly" not in old
    two = lex.attribute_substitutes("two")
    assert "three" in two and "couple" not in two and "several" not in two
    assert lex.attribute_substitutes("zzz") == []


def test_no_attribute_substitute_is_related(lex: Lexicon) -> None:
    for type_ in lex.attribute_type_names():
        for word in lex.attribute_words(type_):
            subs = lex.attribute_substitutes(word)
            assert len(subs) == len(set(subs)), word
            for sub in subs:
                assert lex.attribute_type(sub) == type_, (word, sub)
                assert lex.attribute_relation(word, sub) is None, (word, sub)


def test_attribute_types_for(lex: Lexicon) -> None:
    assert "color" in lex.attribute_types_for("dog") and "age" in lex.attribute_types_for("dog")
    assert "material" not in lex.attribute_types_for("dog")
    assert "material" in lex.attribute_types_for("table")
    assert "emotion" in lex.attribute_types_for("man")
    # colour is never an adjective on a person or a role ("a yellow baker", "a white man")
    assert "color" not in lex.attribute_types_for("man") and "color" not in lex.attribute_types_for("baker")
    assert "count" in lex.attribute_types_for("poodle")
    assert lex.attribute_types_for("zzz") == []
    assert lex.attribute_words("nope") == []
    assert lex.attribute_words("size")[:2] == ["big", "large"]


def test_attribute_words_for_keeps_plausible_words(lex: Lexicon) -> None:
    # the `on` lists: materials by what a thing is made of, damage by what it can suffer
    jacket, table = lex.attribute_words_for("material", "jacket"), lex.attribute_words_for("material", "table")
    assert "denim" in jacket and "marble" not in jacket
    assert "marble" in table and "denim" not in table
    assert "glass" not in lex.attribute_words_for("material", "hat")
    assert "rusty" not in lex.attribute_words_for("integrity", "shirt")
    assert "torn" in lex.attribute_words_for("integrity", "shirt")
    assert "rusty" in lex.attribute_words_for("integrity", "truck")
    assert "elderly" in lex.attribute_words_for("age", "man") and "antique" not in lex.attribute_words_for("age", "man")
    assert "antique" in lex.attribute_words_for("age", "clock") and "elderly" not in lex.attribute_words_for("age", "clock")
    # a group's list wins over its category's ("clothing.headwear": a straw hat, not a straw shirt)
    assert "straw" in lex.attribute_words_for("material", "hat")
    assert "straw" not in lex.attribute_words_for("material", "shirt")
    # file order is kept; a type without an `on` table, or a category it does not name, keeps every word
    assert lex.attribute_words_for("material", "table") == [w for w in lex.attribute_words("material") if w in table]
    assert lex.attribute_words_for("color", "table") == lex.attribute_words("color")
    # an empty list: the type applies to the category, but no word of it to this group
    assert lex.attribute_words_for("material", "river") == []
    # a word naming several categories takes the union; a word the lexicon does not know, every word
    person = set(lex.attribute_words_for("age", "person"))
    assert {"elderly", "teenage"} <= person and "antique" not in person
    assert lex.attribute_words_for("material", "zzz") == lex.attribute_words("material")
    # a type that does not apply to the object at all has no plausible word for it
    assert lex.attribute_words_for("material", "dog") == []
    # one word at a time, or filtering a list: only what an `on` list leaves out is rejected
    assert lex.attribute_plausible_on("denim", "jacket") and not lex.attribute_plausible_on("denim", "table")
    assert lex.attribute_plausible(["denim", "marble", "zzz", "red"], "table") == ["marble", "zzz", "red"]
    assert lex.attribute_plausible_on("denim", "zzz")  # an object the lexicon does not know
    assert lex.attribute_plausible_on("denim", "dog")  # material does not apply to dogs at all: not ruled out


# ------------------------------------------------------------------ relations
def test_relation_kind(lex: Lexicon) -> None:
    assert lex.relation_kind("on") == "prep" and lex.relation_kind("in front of") == "prep"
    assert lex.relation_kind("sit") == "verb" and lex.relation_kind("look at") == "verb"
    assert lex.relation_kind("zzz") is None


def test_relation_substitutes(lex: Lexicon) -> None:
    assert lex.relation_substitutes("on")[0] == "under"
    assert lex.relation_substitutes("in front of")[0] == "behind"
    assert lex.relation_substitutes("next to")[0] == "far from"
    assert lex.relation_substitutes("sit")[0] == "stand"
    assert lex.relation_substitutes("throw")[0] == "catch"
    assert "lie" not in lex.relation_substitutes("lay") and "stand" in lex.relation_substitutes("lay")
    assert "watch" not in lex.relation_substitutes("look at")
    assert "beside" not in lex.relation_substitutes("next to")
    assert all(lex.relation_kind(s) == "prep" for s in lex.relation_substitutes("under"))
    assert lex.relation_substitutes("zzz") == []


def test_relation_relation_and_symmetry(lex: Lexicon) -> None:
    assert lex.relation_relation("lay", "lie") == "synonym"
    assert lex.relation_relation("beside", "next to") == "synonym"
    assert lex.relation_relation("on", "on") == "same"
    assert lex.relation_relation("on", "under") is None
    assert lex.is_symmetric("next to") and lex.is_symmetric("beside") and lex.is_symmetric("hug")
    assert not lex.is_symmetric("on") and not lex.is_symmetric("chase")
    assert lex.is_symmetric("with")  # the spec lists it: "a dog with a cat" swaps to the same scene


def test_no_relation_substitute_is_synonym(lex: Lexicon) -> None:
    for phrase in lex.relation_words():
        subs = lex.relation_substitutes(phrase)
        assert len(subs) == len(set(subs)), phrase
        for sub in subs:
            assert lex.relation_relation(phrase, sub) is None, (phrase, sub)
            assert lex.relation_kind(sub) == lex.relation_kind(phrase), (phrase, sub)


def test_multiword_prepositions(lex: Lexicon) -> None:
    multi = lex.multiword_prepositions()
    for phrase in ["in front of", "on top of", "next to", "out of", "far from"]:
        assert phrase in multi
    assert "on" not in multi and "look at" not in multi
    lengths = [len(p.split()) for p in multi]
    assert lengths == sorted(lengths, reverse=True)


# ------------------------------------------------------------------ validation
def _copy_lexicon(tmp_path: Path) -> Path:
    data = tmp_path / "lexicon"
    data.mkdir()
    for name in DATA_FILES:
        shutil.copy(LEXICON_DIR / name, data / name)
    return data


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "edit", "pattern"),
    [
        (
            "objects.toml",
            ("append", '\n[category.zz.group.g]\nconcepts = [{ words = ["puppy"] }]\n'),
            r"objects\.toml: .*'puppy'.*already listed in concept 'dog'",
        ),
        (
            "objects.toml",
            ("append", '\n[category.zz.group.g]\nconcepts = [{ wrds = ["qq"] }]\n'),
            r"objects\.toml: category\.zz\.group\.g\.concepts\[0\]: unknown key",
        ),
        (
            "objects.toml",
            (
                "append",
                '\n[category.zz]\nhypernyms = ["dog"]\n[category.zz.group.g]\n'
                'concepts = [{ words = ["qq"] }]\n',
            ),
            r"objects\.toml: category\.zz\.hypernyms: hypernym word 'dog'",
        ),
        (
            "objects.toml",
            ("append", '\n[category.zz.group.g]\nconcepts = [{ words = ["Qq"] }]\n'),
            r"objects\.toml: .*bad word 'Qq'",
        ),
        (
            "objects.toml",
            ("append", '\n[category.zz.group.g]\nclosed = "yes"\nconcepts = [{ words = ["qq"] }]\n'),
            r"objects\.toml: category\.zz\.group\.g\.closed: expected true or false",
        ),
        (
            "objects.toml",
            ("append", '\n[category.zz]\nowned = 1\n[category.zz.group.g]\nconcepts = [{ words = ["qq"] }]\n'),
            r"objects\.toml: category\.zz\.owned: expected true or false",
        ),
        (
            "attributes.toml",
            ("append", '\n[type.zz]\napplies_to = ["nonsense"]\nwords = ["qq", "rr"]\n'),
            r"attributes\.toml: type\.zz: unknown object category 'nonsense'",
        ),
        (
            "attributes.toml",
            (
                "append",
                '\n[type.zz]\napplies_to = ["*"]\nwords = ["qq", "rr"]\n'
                'synonyms = [["qq", "rr"]]\nantonyms = [["qq", "rr"]]\n',
            ),
            r"attributes\.toml: type\.zz\.antonyms: 'qq' and 'rr' are both synonyms and antonyms",
        ),
        (
            "attributes.toml",
            ("append", '\n[type.zz]\napplies_to = ["*"]\nwords = ["red", "qq"]\n'),
            r"attributes\.toml: type\.zz: word 'red' is already in type 'color'",
        ),
        (
            "attributes.toml",
            ("append", '\n[type.zz]\napplies_to = ["furniture"]\nwords = ["qq", "rr"]\n[type.zz.on]\nanimal = ["qq"]\n'),
            r"attributes\.toml: type\.zz\.on\.animal: not a category \(or category\.group\) the type applies to",
        ),
        (
            "attributes.toml",
            ("append", '\n[type.zz]\napplies_to = ["furniture"]\nwords = ["qq", "rr"]\n[type.zz.on]\n"furniture.sofa" = ["qq"]\n'),
            r"attributes\.toml: type\.zz\.on\.furniture\.sofa: not a category",
        ),
        (
            "attributes.toml",
            ("append", '\n[type.zz]\napplies_to = ["furniture"]\nwords = ["qq", "rr"]\n[type.zz.on]\n"furniture.table" = ["red"]\n'),
            r"attributes\.toml: type\.zz\.on\.furniture\.table: 'red' is not in the words list of type 'zz'",
        ),
        (
            "relations.toml",
            (
                "append",
                '\n[verb.zz]\nwords = ["qq", "rr"]\nsynonyms = [["qq", "rr"]]\nopposites = [["qq", "rr"]]\n',
            ),
            r"relations\.toml: verb\.zz\.opposites: 'qq' and 'rr' are both synonyms and opposites",
        ),
        (
            "relations.toml",
            ("append", '\n[verb.zz]\nwords = ["on", "rr"]\n'),
            r"relations\.toml: verb\.zz: 'on' is listed both as a verb and as a preposition",
        ),
        (
            "relations.toml",
            ("replace", "symmetric = [", 'symmetric = ["zzz", '),
            r"relations\.toml: symmetric: 'zzz' is not a known relation",
        ),
        ("relations.toml", ("append", "\n[verb.zz\n"), r"relations\.toml: not valid UTF-8 TOML"),
        ("VERSION", ("replace", "", "x"), r"VERSION: version: expected 'YYYY\.MM\.N'"),
    ],
)
def test_malformed_files_raise(tmp_path: Path, file: str, edit: tuple[str, ...], pattern: str) -> None:
    data = _copy_lexicon(tmp_path)
    if edit[0] == "append":
        _append(data / file, edit[1])
    else:
        _replace(data / file, edit[1], edit[2])
    with pytest.raises(ValueError, match=pattern):
        Lexicon.from_dir(data)


def test_missing_file_raises(tmp_path: Path) -> None:
    data = _copy_lexicon(tmp_path)
    (data / "relations.toml").unlink()
    with pytest.raises(LexiconError, match="relations.toml"):
        Lexicon.from_dir(data)
