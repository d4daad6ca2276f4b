"""Export -> import round trips for every format, the dataset card, and the SugarCrepe export read by the
same reader as the real SugarCrepe dev files."""

import ast
import json
from collections import Counter

import pytest
from conftest import shared_dir

from toolkit.curation.decisions import SessionStore
from toolkit.curation.formats import FORMATS, export_set, import_set, read_records
from toolkit.curation.formats.setio import set_records
from toolkit.curation.sets import Selection, create_set
from toolkit.store.db import make_engine
from toolkit.text.ingest import BadRecord, read_pairs

pytest_plugins = ["curation_helpers"]  # fixtures: template_db, cur_url

EDITED = "a hand written negative about a purple giraffe"


@pytest.fixture
def curated(cur_url):
    """A 16-item set (2 per category) curated by alice (3 rejects, 1 edit); bob labels the first three and
    disagrees on two of them, which stay unresolved."""
    engine = make_engine(cur_url)
    create_set(engine, "bench", Selection(sample=16, stratify="category", seed=1), description="test benchmark")
    alice = SessionStore(engine, "bench", "alice")
    sess = alice.load()
    for k in range(16):
        if k == 3:
            alice.apply(sess.edit(EDITED))
        else:
            alice.apply(sess.decide("reject" if k % 5 == 1 else "accept"))
    bob = SessionStore(engine, "bench", "bob")
    sb = bob.load()
    for label in ("accept", "accept", "reject"):  # alice: accept, reject, accept
        bob.apply(sb.decide(label))
    return engine


def key(r):
    return (r.caption, r.negative, r.image, r.category)


def test_kept_records_are_accepted_and_edited_items(curated):
    kept = set_records(curated, "bench")
    labels = Counter(r.label for r in kept)
    assert labels == {"accept": 11, "edit": 1}  # 16 - 2 rejected - 2 conflicts
    edit = next(r for r in kept if r.label == "edit")
    assert edit.negative == EDITED and edit.provenance["source"] == "human edit"
    assert len(set_records(curated, "bench", "all")) == 16


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_then_import_round_trips(curated, fmt, tmp_path, template_db):
    out = tmp_path / f"out-{fmt}"
    report = export_set(curated, "bench", fmt, out, license="cc-by-4.0")
    assert report.items == 12 and (out / "README.md").exists()
    assert not (tmp_path / f"out-{fmt}.part").exists()
    original = set_records(curated, "bench")
    read = list(read_records(out, fmt))
    assert not [r for r in read if isinstance(r, BadRecord)]
    assert sorted(map(key, read)) == sorted(map(key, original))

    # into another database (same captions, no curation there): a new set with the same content
    from curation_helpers import copy_db

    other = make_engine(copy_db(template_db, tmp_path / "other.db"))
    imp = import_set(other, out, fmt, "again")
    assert imp.items == 12 and imp.bad == [] and imp.new_candidates >= 1  # at least the human edit is new there
    again = set_records(other, "again", "all")
    assert sorted(map(key, again)) == sorted(map(key, original))
    if fmt in ("jsonl", "csv", "hf", "parquet"):  # formats that carry provenance and labels
        assert {r.negative: r.provenance for r in again} == {r.negative: r.provenance for r in original}
        assert sorted(map(key, set_records(other, "again"))) == sorted(map(key, original))
        assert imp.labels == 12
    # importing into the same database reuses the stored candidates
    same = import_set(curated, out, fmt, f"same-{fmt}")
    assert same.new_candidates == 0 and same.items == 12


def test_sugarcrepe_export_is_read_by_read_pairs(curated, tmp_path):
    out = tmp_path / "sc"
    export_set(curated, "bench", "sugarcrepe", out)
    kept = set_records(curated, "bench")
    pairs = list(read_pairs(out))
    assert not [p for p in pairs if isinstance(p, BadRecord)]
    assert sorted((p.category, p.caption, p.negative, p.image) for p in pairs) == sorted(
        (r.category, r.caption, r.negative, r.image) for r in kept)
    for file in out.glob("*.json"):  # exactly SugarCrepe's schema
        items = json.loads(file.read_text())
        assert all(set(v) == {"filename", "caption", "negative_caption"} for v in items.values())


def test_dataset_card_reports_counts_annotators_agreement_and_licence(curated, tmp_path):
    export_set(curated, "bench", "jsonl", tmp_path / "j", license="cc-by-4.0")
    card = (tmp_path / "j" / "README.md").read_text()
    assert card.startswith("---\nlicense: cc-by-4.0\n")
    assert "| alice | 16 | 12 | 3 | 0 | 1 |" in card and "| bob | 3 | 2 | 1 | 0 | 0 |" in card
    assert "| alice / bob | 3 | 1 | -0.5 |" in card  # a r a vs a a r: po 1/3, pe 5/9
    assert "test benchmark" in card and "12 items exported" in card
    assert '"seed": 1' in card and "| human-edit | human edit |" in card and '"lexicon"' in card


def test_hf_and_negclip_exports_load_with_their_own_tools(curated, tmp_path):
    import datasets
    import pandas as pd

    export_set(curated, "bench", "hf", tmp_path / "hf")
    ds = datasets.load_from_disk(str(tmp_path / "hf" / "hf"))
    assert len(ds) == 12 and {"caption", "negative", "image", "category", "provenance"} <= set(ds.column_names)
    export_set(curated, "bench", "parquet", tmp_path / "pq")
    pq = datasets.Dataset.from_parquet(str(tmp_path / "pq" / "bench.parquet"), cache_dir=str(tmp_path / "cache"))
    assert sorted(pq["negative"]) == sorted(ds["negative"])

    export_set(curated, "bench", "negclip", tmp_path / "tsv")
    # read the way NegCLIP's CsvDataset does
    df = pd.read_csv(tmp_path / "tsv" / "bench.tsv", sep="\t",
                     converters={"neg_caption": ast.literal_eval, "neg_image": ast.literal_eval})
    assert sum(len(n) for n in df["neg_caption"]) == 12
    assert len(df) == len(set(zip(df["filepath"], df["title"], strict=True)))
    for i, others in enumerate(df["neg_image"]):
        assert others and all(df["filepath"][j] != df["filepath"][i] for j in others)


def test_import_reports_bad_records_and_keeps_the_rest(curated, tmp_path):
    export_set(curated, "bench", "jsonl", tmp_path / "j")
    path = tmp_path / "j" / "bench.jsonl"
    lines = path.read_text().splitlines()
    broken = json.loads(lines[1])
    del broken["negative"]
    lines[1] = json.dumps(broken)
    lines.insert(3, "{not json")
    path.write_text("\n".join(lines) + "\n")
    report = import_set(curated, path, "jsonl", "partial")
    assert report.items == 11 and len(report.bad) == 2
    shown = [str(b) for b in report.bad]
    assert shown[0].endswith("line 2: negative: missing or empty 'negative'") and "line 4" in shown[1]
    with pytest.raises(ValueError, match="unknown format"):
        import_set(curated, path, "xml", "nope")
    with pytest.raises(ValueError, match="already exists"):
        import_set(curated, path, "jsonl", "bench")


@pytest.mark.skipif(shared_dir() is None or not (shared_dir() / "benchmarks" / "sugarcrepe-dev").exists(),
                    reason="shared SugarCrepe dev files not present")
def test_real_sugarcrepe_dev_files_import_and_export_unchanged(tmp_path):
    dev = shared_dir() / "benchmarks" / "sugarcrepe-dev"
    engine = make_engine(f"sqlite:///{tmp_path / 'sc.db'}")
    report = import_set(engine, dev, "sugarcrepe", "dev")
    assert report.bad == [] and report.items + report.duplicates == report.read
    export_set(engine, "dev", "sugarcrepe", tmp_path / "out", status="all")
    src: dict[tuple, set[str]] = {}
    for p in read_pairs(dev):
        src.setdefault((p.caption, p.negative, p.image), set()).add(p.category)
    ours = [p for p in read_pairs(tmp_path / "out")]
    assert not [p for p in ours if isinstance(p, BadRecord)]
    # the same content is one item: the dev files hold two pairs under two categories each
    assert report.duplicates == sum(len(c) - 1 for c in src.values()) == 2
    assert {(p.caption, p.negative, p.image) for p in ours} == set(src) and len(ours) == len(src)
    assert all(p.category in src[(p.caption, p.negative, p.image)] for p in ours)
