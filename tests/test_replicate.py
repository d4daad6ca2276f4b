"""The replication metrics on hand-made pairs with known answers."""

import json

import pytest
from click.testing import CliRunner
from conftest import shared_dir

from toolkit.evaluation.replicate import _article_errors, _diff_words, is_reachable, replicate, site, words
from toolkit.faces.cli import main
from toolkit.text.ingest import PairRecord, read_pairs


def d(text):
    return _diff_words(text)


def test_words_normalise_case_punctuation_and_keep_apostrophes():
    assert words("A Man's hat, on the TABLE.") == ["a", "man's", "hat", "on", "the", "table"]


@pytest.mark.parametrize(
    ("family", "caption", "negative", "expected"),
    [
        ("swap", "a black dog and a white cat", "a white dog and a black cat", True),
        ("swap", "a black dog and a white cat", "a white dog and a brown cat", False),
        ("replace", "a dog on a couch", "a cat on a couch", True),
        ("replace", "a dog on a couch", "an owl on a couch", True),  # the article changes with the noun
        ("replace", "a dog on a couch", "a cat on a bed", False),  # two separate spans
        ("add", "a dog on a couch", "a black dog on a couch", True),
        ("add", "a dog on a couch", "an old dog on a couch", True),
        ("add", "a dog on a couch", "a black cat on a couch", False),
        ("swap", "a dog on a couch", "a dog on a couch", False),  # identical is no edit
    ],
)
def test_reachable(family, caption, negative, expected):
    assert is_reachable(family, d(caption), d(negative)) is expected


def test_site_of_each_family():
    src = d("a black dog chasing a white cat")
    assert site("swap", src, d("a white dog chasing a black cat")) == {1, 5}
    assert site("replace", src, d("a black dog chasing a white owl")) == {6}
    assert site("replace", src, d("a black dog chasing an orange cat")) == {5}  # determiner not a position
    assert site("add", src, d("a black dog chasing a small white cat")) == {5}
    agreement = d("a man on a motorcycle is waving at two men")
    # "a" is a determiner and "is" -> "are" agreement, so neither is a position; "two" is
    assert site("swap", agreement, d("two men on a motorcycle are waving at a man")) == {1, 8, 9}


def pairs(*rows):
    return [PairRecord(cat, cap, neg, None, "test", f"line {i}") for i, (cat, cap, neg) in enumerate(rows)]


def test_exact_and_site_true_and_false(nlp):
    result = replicate(pairs(
        ("swap_att", "A black dog chasing a white cat.", "A white dog chasing a black cat."),  # exact
        ("replace_obj", "A dog sleeping on a couch.", "A cat sleeping on a banana."),  # two spans: unreachable
        ("add_att", "A dog on the grass.", "A dog on the purple-spotted grass."),  # site, not exact
    ), nlp=nlp)
    cats = result["categories"]
    assert cats["swap_att"]["exact"] == 1.0 and cats["swap_att"]["site"] == 1.0
    assert cats["replace_obj"]["reachable"] == 0 and cats["replace_obj"]["exact_reachable"] is None
    assert cats["add_att"]["exact"] == 0.0 and cats["add_att"]["site"] == 1.0
    assert result["overall"]["items"] == 3
    assert cats["swap_att"]["same_bag_of_words"] == 1.0 and cats["add_att"]["positive_shorter"] == 1.0


def test_validity_flags_are_zero_on_clean_generation(nlp):
    result = replicate(pairs(
        ("swap_obj", "A dog next to a cat.", "A cat next to a dog."),
        ("replace_obj", "A man riding a horse.", "A woman riding a horse."),
    ), nlp=nlp, validity=True)
    v = result["validity"]["counts"]
    assert v["identical"] == v["lexical_relation"] == v["symmetric_swap"] == 0
    assert result["categories"]["swap_obj"]["exact"] == 0.0  # the symmetric swap is refused


def test_article_check_true_and_false():
    assert _article_errors("a owl on an couch") == {"a owl", "an couch"}
    assert _article_errors("a girl in an a jacket") == {"an a"}  # two articles in a row
    assert _article_errors("an owl in the snow next to a fence") == set()


def test_cli_on_a_jsonl_file_with_a_bad_line(tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join([
        json.dumps({"caption": "A black dog chasing a white cat.", "negative": "A white dog chasing a black cat.",
                    "category": "swap"}),
        json.dumps({"caption": "A dog.", "negative": "A cat.", "category": "blend"}),
    ]) + "\n")
    result = CliRunner().invoke(main, ["replicate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"categories", "overall"} and data["categories"]["swap"]["exact"] == 1.0
    assert "line 2" in result.stderr


def test_reads_the_real_dev_split():
    base = shared_dir()
    if base is None:
        pytest.skip("shared/ not present")
    first = next(r for r in read_pairs(base / "benchmarks" / "sugarcrepe-dev") if isinstance(r, PairRecord))
    assert first.category == "replace_obj" and first.caption and first.negative


def _pairs_file(tmp_path, rows):
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


SUBSET_ROWS = [
    {"id": "valse:plurals:1", "caption": "A dog on a couch.", "negative": "A cat on a couch.", "category": "replace_obj"},
    {"id": "valse:foil-it:2", "caption": "A black dog chasing a white cat.",
     "negative": "A white dog chasing a black cat.", "category": "swap_att"},
    {"id": "valse:foil-it:3", "caption": "A dog sleeping on a couch.", "negative": "A cat sleeping on a banana.",
     "category": "replace_obj", "subset": "own-piece"},  # the field wins over the id
    {"id": "no-colons", "caption": "A man riding a horse.", "negative": "A woman riding a horse.", "category": "replace_obj"},
]


def test_subset_from_the_field_or_a_valse_id(tmp_path):
    records = list(read_pairs(_pairs_file(tmp_path, SUBSET_ROWS)))
    assert [r.subset for r in records] == ["plurals", "foil-it", "own-piece", None]
    bad = list(read_pairs(_pairs_file(tmp_path, [{**SUBSET_ROWS[0], "subset": ""}, {**SUBSET_ROWS[0], "subset": 3}])))
    assert [str(b).split(": ", 1)[1] for b in bad] == [
        "subset: subset must be a non-empty string, not ''", "subset: subset must be a non-empty string, not 3"]


def test_replicate_by_subset_rows_under_each_category(tmp_path, nlp):
    result = replicate(read_pairs(_pairs_file(tmp_path, SUBSET_ROWS)), by_subset=True, nlp=nlp)
    cats = result["categories"]
    assert set(cats["replace_obj"]["subsets"]) == {"plurals", "own-piece", "(none)"}
    assert cats["swap_att"]["subsets"]["foil-it"]["exact"] == 1.0
    assert cats["replace_obj"]["subsets"]["own-piece"]["reachable"] == 0  # two spans
    assert sum(s["items"] for s in cats["replace_obj"]["subsets"].values()) == cats["replace_obj"]["items"] == 3
    assert "subsets" not in replicate(read_pairs(_pairs_file(tmp_path, SUBSET_ROWS)), nlp=nlp)["categories"]["swap_att"]


def test_cli_by_subset(tmp_path):
    path = _pairs_file(tmp_path, SUBSET_ROWS)
    result = CliRunner().invoke(main, ["replicate", str(path), "--by", "subset", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["categories"]["swap_att"]["subsets"]["foil-it"]["items"] == 1
    table = CliRunner().invoke(main, ["replicate", str(path), "--by", "subset"], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "  plurals" in table.output and "  foil-it" in table.output


def test_replicate_measures_every_grammatical_swap_that_default_generation_leaves_out(nlp):
    """Benchmarks hold implausible swaps ("A surfboard carrying a person"): replicate runs with the
    plausibility rules off, so its figures say which edits hardneg can make; default output has none."""
    from toolkit.generation.operators import GenerationConfig, generate
    from toolkit.text.parse import parse_text

    caption, negative = "A person carrying a surfboard on the beach.", "A surfboard carrying a person on the beach."
    result = replicate(pairs(("swap_obj", caption, negative)), nlp=nlp)
    assert result["categories"]["swap_obj"]["exact"] == 1.0
    default = generate(parse_text(caption, nlp=nlp), GenerationConfig(operators=("swap",), max_candidates=60))
    assert negative not in {c.text for c in default.candidates}
