"""Scale-out without Ray: pieces, the plain engine, the Parquet import round trip, failed shards."""

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

pytest.importorskip("pyarrow")
pytest.importorskip("fsspec")

from scale_helpers import db_candidates, output_rows, sample_rows, write_jsonl, write_parquet  # noqa: E402

from toolkit.faces.cli import main  # noqa: E402
from toolkit.generation.operators import GenerationConfig  # noqa: E402
from toolkit.generation.pipeline import generate_run, ingest  # noqa: E402
from toolkit.scale import import_parquet, list_shards, plan_pieces, read_piece, run_local  # noqa: E402
from toolkit.scale.worker import RunSpec  # noqa: E402
from toolkit.store.db import make_engine  # noqa: E402
from toolkit.store.models import CandidateRow, Caption, Run, RunCaption  # noqa: E402
from toolkit.text.ingest import BadRecord, read_captions  # noqa: E402

CONFIG = GenerationConfig(seed=3)


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model.__table__)).scalar_one()


def _as_tuple(r):
    if isinstance(r, BadRecord):
        return ("bad", r.ref, r.field, r.reason)
    return (r.text, r.image, r.ref, r.meta)


def test_pieces_read_exactly_what_ingest_reads(tmp_path):
    rows = sample_rows(20)
    path = tmp_path / "mixed.jsonl"
    write_jsonl(path, rows[:10], ("", "{not json", json.dumps({"caption": "  "})))
    with path.open("a") as fh:  # more rows, the last one without a newline
        fh.write("".join(json.dumps(r) + "\n" for r in rows[10:19]) + json.dumps(rows[19]))
    url = list_shards([str(path)])[0]
    pieces = plan_pieces(url, 4)
    assert sum(p.n_rows for p in pieces) == 23 and max(p.n_rows for p in pieces) == 4
    got = [_as_tuple(r) for p in pieces for r in read_piece(p)]
    assert got == [_as_tuple(r) for r in read_captions(path)]
    assert ("bad", "line 12", None, "malformed JSON: Expecting property name enclosed in double quotes (column 2)") in got

    pq_path = write_parquet(tmp_path / "one_group.parquet", [{**r, "width": i} for i, r in enumerate(rows)])
    pieces = plan_pieces(list_shards([str(pq_path)])[0], 6)
    assert [p.n_rows for p in pieces] == [6, 6, 6, 2]  # one row group, still four pieces
    records = [r for p in pieces for r in read_piece(p)]
    assert [r.ref for r in records] == [f"row {i}" for i in range(1, 21)]
    assert [r.text for r in records] == [r.text for r in read_captions(path) if not isinstance(r, BadRecord)][:20]
    assert records[5].meta == {"width": 5}


def test_list_shards_expands_folders_and_globs_and_names_missing_ones(tmp_path):
    write_jsonl(tmp_path / "b.jsonl", sample_rows(2))
    write_parquet(tmp_path / "a.parquet", sample_rows(2))
    (tmp_path / "notes.txt").write_text("not a shard")
    found = list_shards([str(tmp_path)])
    assert [u.rsplit("/", 1)[1] for u in found] == ["a.parquet", "b.jsonl"] and all(u.startswith("file://") for u in found)
    assert list_shards([str(tmp_path / "*.jsonl"), str(tmp_path / "b.jsonl")]) == found[1:]
    with pytest.raises(FileNotFoundError, match="missing.parquet"):
        list_shards([str(tmp_path / "missing.parquet")])
    with pytest.raises(ValueError, match="notes.txt"):
        list_shards([str(tmp_path / "notes.txt")])
    (tmp_path / "utf16.jsonl").write_bytes('{"caption": "A dog."}\n'.encode("utf-16"))
    with pytest.raises(ValueError, match="utf16.jsonl: UTF-16"):
        plan_pieces(list_shards([str(tmp_path / "utf16.jsonl")])[0], 10)


@pytest.fixture
def shards(tmp_path):
    """50 captions in two shards (Parquet + JSONL with one bad line), and the same captions as one JSONL."""
    rows = sample_rows(50)
    folder = tmp_path / "shards"
    folder.mkdir()
    write_parquet(folder / "part-0.parquet", rows[:30])
    write_jsonl(folder / "part-1.jsonl", rows[30:], ("{broken",))
    return folder, write_jsonl(tmp_path / "all.jsonl", rows)


def test_local_engine_and_import_store_what_generate_stores(shards, tmp_path, nlp):
    folder, all_jsonl = shards
    report = run_local([str(folder)], str(tmp_path / "out"), RunSpec(CONFIG.to_dict()), rows_per_piece=7, nlp=nlp)
    d = report.to_dict()
    assert d["shards_done"] == 2 and d["captions"] == 50 and d["bad_records"] == 1 and not d["shards_failed"]
    manifests = [json.loads(p.read_text()) for p in (tmp_path / "out").glob("*/_manifest.json")]
    assert sorted(m["pieces"] for m in manifests) == [3, 5]
    assert any("part-1.jsonl:line 21: malformed JSON" in e for m in manifests for e in m["bad_examples"])

    imported = make_engine(f"sqlite:///{tmp_path / 'imported.db'}")
    first = import_parquet(imported, str(tmp_path / "out"), batch_rows=8)
    assert first.captions_inserted == 50 and first.bad == 1 and first.candidates_imported == d["candidates"] > 0

    local = make_engine(f"sqlite:///{tmp_path / 'local.db'}")
    ingest(local, read_captions(all_jsonl), nlp=nlp)
    run = generate_run(local, CONFIG)
    assert first.runs == [run.run_id]
    assert db_candidates(imported) == db_candidates(local)
    with imported.connect() as conn:
        status, summary = conn.execute(select(Run.status, Run.summary)).one()
    assert status == "done" and json.loads(summary) == {"captions": 50, "candidates": d["candidates"]}

    again = import_parquet(imported, str(tmp_path / "out"))
    assert again.captions_inserted == again.captions_done == again.candidates_imported == 0
    assert count(imported, CandidateRow) == d["candidates"] and count(imported, RunCaption) == 50

    # importing over a database where `hardneg generate` already did the same work adds nothing
    overlap = import_parquet(local, str(tmp_path / "out"))
    assert overlap.captions_inserted == 0 and count(local, CandidateRow) == d["candidates"]
    assert count(local, Caption) == 50


def test_failed_shard_is_named_others_kept_and_it_reruns_alone(shards, tmp_path, nlp):
    folder, _ = shards
    broken = folder / "part-2.parquet"
    broken.write_bytes(b"PAR1 this is not a parquet file PAR1")
    out = tmp_path / "out"
    spec = RunSpec(CONFIG.to_dict())
    report = run_local([str(folder)], str(out), spec, rows_per_piece=10, nlp=nlp)
    assert [s.shard.rsplit("/", 1)[1] for s in report.failed] == ["part-2.parquet"]
    assert report.failed[0].error
    done = sorted(out.glob("*/_manifest.json"))
    assert len(done) == 2 and not list((out / ".staging").iterdir())
    kept = {p: p.stat().st_mtime_ns for p in out.rglob("*.parquet")}

    write_parquet(broken, sample_rows(5, start=100))
    rerun = run_local([report.failed[0].shard], str(out), spec, rows_per_piece=10, nlp=nlp)
    assert [s.status for s in rerun.shards] == ["done"] and rerun.shards[0].captions == 5
    again = run_local([str(folder)], str(out), spec, rows_per_piece=10, nlp=nlp)
    assert [s.status for s in again.shards] == ["skipped"] * 3
    assert {p: p.stat().st_mtime_ns for p in kept} == kept  # nothing written by finished shards changed
    assert len(output_rows(out)) == 56


def test_cli_pipeline_local_and_import(shards, tmp_path):
    folder, _ = shards
    (folder / "part-2.parquet").write_bytes(b"garbage")
    runner = CliRunner()
    res = runner.invoke(main, ["pipeline", "--engine", "local", "--input", str(folder), "--output",
                               str(tmp_path / "out"), "--seed", "3", "--max-candidates", "16", "--json"])
    assert res.exit_code == 1, res.output
    assert "part-2.parquet" in res.output and "re-run them alone with: --input file://" in res.output
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    res = runner.invoke(main, ["import-parquet", str(tmp_path / "out"), "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output[res.output.index("{"):])
    assert d["shards"] == 2 and d["captions_inserted"] == 50 and d["bad_records"] == 1
    assert "line 21" in res.output  # the bad record is named on stderr
    res = runner.invoke(main, ["import-parquet", str(tmp_path / "nothing"), "--db", db])
    assert res.exit_code == 1 and "no finished shard folders" in res.output


def test_rule_filter_keeps_only_candidates_that_pass(tmp_path, nlp):
    from toolkit.evaluation.filters.rules import check_candidate
    from toolkit.scale.filtering import RULES
    from toolkit.text.parse import Parse, parse_texts

    path = write_jsonl(tmp_path / "c.jsonl", sample_rows(40))
    plain = run_local([str(path)], str(tmp_path / "plain"), RunSpec(CONFIG.to_dict()), nlp=nlp)
    kept = run_local([str(path)], str(tmp_path / "rules"), RunSpec(CONFIG.to_dict(), rule_filter=True), nlp=nlp)
    assert kept.run_id != plain.run_id  # filtered output is a run of its own
    assert 0 < kept.to_dict()["candidates"] < plain.to_dict()["candidates"]
    for row in output_rows(tmp_path / "rules"):
        caption = Parse.from_json(row["text"], row["parse"])
        cands = row["candidates"]
        for c, p in zip(cands, parse_texts([c["text"] for c in cands], nlp=nlp), strict=True):
            assert check_candidate(row["text"], caption, c["text"], p, json.loads(c["provenance"]), RULES, None).passed
