"""Length-neutral ADD: an insertion with deletions elsewhere of as many words that keep the caption true."""

import json
import re

import pytest
from click.testing import CliRunner

from toolkit.generation.operators import GenerationConfig, generate
from toolkit.generation.operators.add import Add
from toolkit.generation.operators.neutral import ADD_LENGTHS, deletions
from toolkit.text.lexicon import load_lexicon
from toolkit.text.parse import parse_text

_WORD = re.compile(r"[A-Za-z0-9]+")


def neutral(nlp, caption, subtypes=("obj", "att"), **kw):
    """Length-neutral ADD candidates, without a language model (choices in plain order, by characters)."""
    config = GenerationConfig(operators=("add",), subtypes=subtypes, max_candidates=60, add_length="neutral",
                              **kw)
    return generate(parse_text(caption, nlp=nlp), config)


def by_text(gen):
    return {c.text: c for c in gen.candidates}


def test_exact_outputs_with_both_changes_recorded(nlp):
    caption = "A wooden table with a red vase on it."
    out = by_text(neutral(nlp, caption))
    cand = out["A table with a red metal vase on it."]
    assert (cand.operator, cand.subtype, cand.length_delta, cand.depth) == ("add", "att", 0, 1)
    edit = cand.edits[0]
    assert edit.spans == ((6, 6), (1, 2))  # the insertion point, then the deleted "wooden"
    assert edit.words_out == ("", "wooden") and edit.words_in == ("metal", "")
    assert [(c.start, c.end, c.words) for c in edit.changes] == [(6, 6, ("metal",)), (1, 2, ())]
    assert edit.detail == "material: +metal (length-neutral: dropped 'wooden')"
    assert cand.provenance()["length_delta"] == 0
    # a word of the dropped one's type goes to another object: colour for colour, never a synonym
    assert "A white wooden table with a vase on it." in out
    assert not any("wood vase" in text for text in out)  # "wood" says what "wooden" said
    for text, c in out.items():
        old, new = c.edits[0].words_out[1], c.edits[0].words_in[0]
        lex = load_lexicon()
        assert lex.attribute_type(old) == lex.attribute_type(new), text


def test_objects_move_the_dropped_construction(nlp):
    out = by_text(neutral(nlp, "Some people with a dog and a kite on the beach.", subtypes=("obj",)))
    cand = out["Some people with a dog on the beach and a surfboard."]
    edit = cand.edits[0]
    assert edit.spans == ((11, 11), (5, 8)) and edit.words_out == ("", "and a kite")
    assert edit.words_in == ("and a surfboard", "")
    assert edit.detail == "+surfboard and after beach (length-neutral: dropped 'and a kite')"
    out = by_text(neutral(nlp, "A cat sleeping on a bed next to a window.", subtypes=("obj",)))
    assert "A cat sleeping next to a window on a chair." in out
    # never on the one the phrase said something about: that replaces the bed rather than adding a chair
    assert not any(text.startswith("A cat on a") for text in out)
    out = by_text(neutral(nlp, "A man reading on a bench with a dog.", subtypes=("obj",)))
    cand = out["A man reading with a dog on an ottoman."]
    assert ("a", "an", "article") in {(f.old, f.new, f.reason) for f in cand.fixes}
    assert not any(text.startswith("A man with a") or text.startswith("A man on a") for text in out)
    # the place of a verb of staying in place stays with it: never "A couple sits while playing wii on a
    # desk", and no negative loses "sitting on" (a learned adversary's mark of the caption)
    for caption in ("A man sitting on a bench with a dog.", "A couple sits on a couch while playing wii.",
                    "A cat laying on a bed next to a window."):
        assert neutral(nlp, caption, subtypes=("obj",)).candidates == [], caption
    # modifiers come along with a noun they suit; a path ("down the street") needs a verb, so it stays
    out = by_text(neutral(nlp, "A young man in a blue shirt riding a horse next to a red car.", subtypes=("obj",)))
    assert "A young man in a blue shirt next to a red truck riding a horse." in out
    assert neutral(nlp, "A man walking down the street with a dog.", subtypes=("obj",)).candidates == []
    # a phrase before the subject goes with its comma or not at all: never ", a cat sleeps ..."
    assert not any(c.text[0] in ",;:" for c in neutral(nlp, "On a table, a cat sleeps next to a cup.").candidates)


@pytest.mark.parametrize("caption", [
    "A wooden table with a red vase on it.", "A black dog chasing a white cat on the grass.",
    "Two red apples on a table.", "A large dog sleeping quietly on a wooden couch.",
    "A young man in a blue shirt riding a horse next to a red car.", "Three small birds sitting together on a fence.",
])
def test_same_length_and_provenance_that_points_at_the_source(nlp, caption):
    gen = neutral(nlp, caption)
    assert gen.candidates
    toks = parse_text(caption, nlp=nlp).tokens
    for cand in gen.candidates:
        assert cand.length_delta == 0
        assert len(_WORD.findall(cand.text)) == len(_WORD.findall(caption))
        edit = cand.edits[0]
        (ins_start, ins_end), *dropped = edit.spans
        assert ins_start == ins_end and edit.words_out[0] == "" and edit.words_in[0]
        assert len(dropped) == 1 and len(edit.changes) == len(edit.spans)
        for (start, end), out, new in zip(dropped, edit.words_out[1:], edit.words_in[1:], strict=True):
            assert start < end and new == ""
            assert out == " ".join(t.text for t in toks[start:end])
            assert not start <= ins_start <= end  # never next to the insertion
        assert "length-neutral: dropped" in edit.detail


def _dropped(gen) -> set[str]:
    return {w for c in gen.candidates for w in c.edits[0].words_out[1:]}


def test_never_drops_counts_negations_names_or_what_makes_a_thing_what_it_is(nlp):
    assert not {"Two", "two"} & {w for d in _dropped(neutral(nlp, "Two red apples on a table.")) for w in d.split()}
    gen = neutral(nlp, "No red cars on the street.")
    assert gen.candidates == []  # "no red cars" says less without "red": nothing in its scope goes
    assert any(s.reason.startswith("length-neutral:") for s in gen.skips)
    dropped = _dropped(neutral(nlp, "A man riding a big horse without a red saddle."))
    assert dropped and not any("red" in d or "saddle" in d for d in dropped)
    for caption, kept in [("A stuffed bear sitting on a wooden bench.", "stuffed"),
                          ("A hot dog on a white plate next to a cup.", "hot"),
                          ("A fire hydrant next to a red car on a street.", "fire"),
                          ("A man almost falling off a brown horse.", "almost")]:
        dropped = {d.text for d in deletions(parse_text(caption, nlp=nlp), load_lexicon())}
        assert dropped and not any(kept in d.split() for d in dropped), (caption, dropped)
        assert not any(kept in d.split() for d in _dropped(neutral(nlp, caption))), caption


def test_never_drops_the_only_object_or_a_dangling_word(nlp):
    gen = neutral(nlp, "A dog.")
    assert gen.candidates == []
    assert {s.reason for s in gen.skips} == {
        "length-neutral: no word or phrase can be dropped and keep the caption true and grammatical"}
    lex = load_lexicon()
    for caption in ["A woman in black sits on a park bench.", "A man in yellow shirt and black shorts playing tennis.",
                    "A big and red car.", "A black-and-white cat on a bed.", "A cat is on the bed."]:
        spans = {d.text for d in deletions(parse_text(caption, nlp=nlp), lex)}
        assert not spans & {"black", "yellow", "big", "red", "white", "on the bed"}, (caption, spans)
    for cand in neutral(nlp, "On a table.").candidates:
        assert _WORD.findall(cand.text)


def test_config_validation_and_the_three_modes(nlp):
    with pytest.raises(ValueError, match="add_length"):
        GenerationConfig(add_length="shorter")
    with pytest.raises(ValueError, match="add_length"):
        Add(add_length="same")
    assert GenerationConfig().add_length == "both" and GenerationConfig().to_dict()["add_length"] == "both"
    assert ADD_LENGTHS == ("longer", "neutral", "both")
    parse = parse_text("A black dog chasing a white cat on the grass.", nlp=nlp)

    def deltas(mode):
        config = GenerationConfig(operators=("add",), max_candidates=200, add_length=mode)
        return {c.length_delta for c in generate(parse, config).candidates}

    assert 0 not in deltas("longer") and deltas("neutral") == {0}
    both = deltas("both")
    assert 0 in both and any(d > 0 for d in both)
    # nothing to drop: "both" still gives the plain insertions, "neutral" says why it has none
    bare = parse_text("A cat sleeps on the bed.", nlp=nlp)
    plain = generate(bare, GenerationConfig(operators=("add",), subtypes=("obj",), add_length="both")).candidates
    assert plain and all(c.length_delta > 0 for c in plain)
    gen = generate(bare, GenerationConfig(operators=("add",), subtypes=("obj",), add_length="neutral"))
    assert gen.candidates == [] and [s.reason for s in gen.skips][0].startswith("length-neutral: no word or phrase")


def test_neutral_sites_take_turns_of_their_own_under_the_cap(nlp):
    from toolkit.generation.operators.compose import ordered_edits

    parse = parse_text("A black dog chasing a white cat on the grass.", nlp=nlp)
    sites = Add(add_length="both").propose(parse, ("att",), load_lexicon()).sites
    assert {s.group for s in sites} == {"", "neutral"}
    first = list(ordered_edits(sites))[:2]
    assert sorted(len(e.changes) > 1 for e in first) == [False, True]  # one plain, one neutral first
    small = GenerationConfig(operators=("add",), subtypes=("att",), max_candidates=2)
    assert sorted(c.length_delta for c in generate(parse, small).candidates)[0] == 0


def test_replicate_keeps_the_plain_add(monkeypatch):
    """`hardneg replicate` measures how the operators reproduce SugarCrepe's insertions: plain ADD only."""
    import toolkit.evaluation.replicate as rep
    from toolkit.text.records import PairRecord

    seen = []

    def spy(parse, config, *args, **kw):
        seen.append(config.add_length)
        return generate(parse, config, *args, **kw)

    monkeypatch.setattr(rep, "generate", spy)
    record = PairRecord("add_obj", "A dog on the grass.", "A dog and a cat on the grass.", None, "test", "0")
    rep.replicate([record], corpus=False)
    assert seen == ["longer"]


def test_the_caption_model_judges_length_neutral_negatives_like_every_other(nlp):
    from toolkit.generation.caption_lm import CaptionLM, lexicon_priors, lm_tokens

    lex = load_lexicon()
    captions = ["A dog on the grass.", "A red car on the street.", "A cat sitting on a wooden bench.",
                "A dog sleeping on a couch.", "A red vase on a table."]
    lm = CaptionLM(captions * 3, lexicon_priors(lex))
    parse = parse_text("A red car parked next to a wooden bench on the street.", nlp=nlp)
    caption = lm_tokens(parse.text)
    own = lm.own_counts(caption)
    every = generate(parse, GenerationConfig(operators=("add",), max_candidates=60, add_length="neutral",
                                             max_plausibility_drop=None), lex, lm=lm).candidates
    gaps = {c.text: lm.gap(caption, lm_tokens(c.text), own) for c in every}  # length-neutral: no allowance
    threshold = sorted(gaps.values())[len(gaps) // 2]
    assert min(gaps.values()) < threshold < max(gaps.values())
    expected = {t for t, g in gaps.items() if g <= threshold + 1e-9}
    # the tighter of the two limits judges a length-neutral ADD negative
    for drop, neutral_drop in [(threshold, None), (threshold + 10, threshold), (threshold, threshold + 10)]:
        config = GenerationConfig(operators=("add",), max_candidates=60, add_length="neutral",
                                  max_plausibility_drop=drop, max_neutral_drop=neutral_drop)
        kept = generate(parse, config, lex, lm=lm).candidates
        assert kept and all(c.length_delta == 0 for c in kept)
        assert {c.text for c in kept} == expected, (drop, neutral_drop)
    assert GenerationConfig().max_neutral_drop == 3.0 and GenerationConfig().to_dict()["max_neutral_drop"] == 3.0
    with pytest.raises(ValueError, match="max_neutral_drop"):
        GenerationConfig(max_neutral_drop=-1.0)


def test_cli_add_length(tmp_path, captions_file):
    from toolkit.faces.cli import main

    runner = CliRunner()
    # without the caption model: which of the drawn words read well enough is not this test's business
    result = runner.invoke(main, ["negatives", "A wooden table with a red vase on it.", "--operators", "add",
                                  "--add-length", "neutral", "--no-plausibility", "--json"])
    assert result.exit_code == 0, result.output
    cands = json.loads(result.stdout)["candidates"]
    assert cands and all(c["length_delta"] == 0 for c in cands)
    bad = runner.invoke(main, ["negatives", "A dog.", "--add-length", "shorter"])
    assert bad.exit_code == 2 and "--add-length" in bad.output
    db = str(tmp_path / "n.db")
    assert runner.invoke(main, ["ingest", str(captions_file), "--db", db, "--json"]).exit_code == 0
    gen = runner.invoke(main, ["generate", "--db", db, "--json", "--workers", "0", "--operators", "add",
                               "--add-length", "longer", "--max-neutral-drop", "2.5"])
    assert gen.exit_code == 0, gen.output
    from sqlalchemy import text

    from toolkit.store.db import make_engine

    with make_engine(db).connect() as conn:
        config = json.loads(conn.execute(text("select config from run")).scalar_one())
        deltas = {row[0] for row in conn.execute(text("select length_delta from candidate"))}
    assert config["add_length"] == "longer" and 0 not in deltas
    assert config["max_neutral_drop"] == 2.5  # stored with the run


def test_attribute_sites_offer_their_whole_pool_and_take_per_site_without_a_model(nlp):
    """A length-neutral ADD attribute site offers every contrasting word of the type, so that a caption
    model can draw among them by frequency; without a model only the first `per_site` are tried."""
    from toolkit.generation.operators.compose import propose_all

    lex = load_lexicon()
    parse = parse_text("A red car parked next to a wooden bench on the street.", nlp=nlp)
    config = GenerationConfig(operators=("add",), subtypes=("att",), add_length="neutral", per_site=2)
    offered = Add(per_site=2, add_length="neutral").propose(parse, ("att",), lex).sites
    assert offered and max(len(s) for s in offered) > 2
    sites, _ = propose_all(parse, config, lex)
    assert sites and all(len(s) <= 2 for s in sites)
