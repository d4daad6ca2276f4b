import json

import pytest
from sqlalchemy import func, inspect, select
from sqlmodel import SQLModel

from toolkit.generation import chunks
from toolkit.generation.operators import GenerationConfig
from toolkit.generation.pipeline import _pending_chunks, chunk_size, generate_run, ingest
from toolkit.store.db import make_engine
from toolkit.store.models import CandidateRow, Caption, ParseRow, Run, RunCaption
from toolkit.text.ingest import read_captions


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model.__table__)).scalar_one()


def test_migration_builds_the_schema_of_the_models(db_url):
    engine = make_engine(db_url)
    insp = inspect(engine)
    tables = set(insp.get_table_names()) - {"alembic_version"}
    assert tables == set(SQLModel.metadata.tables)
    for name, table in SQLModel.metadata.tables.items():
        assert {c["name"] for c in insp.get_columns(name)} == {c.name for c in table.columns}, name
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        applied = {v for (v,) in conn.exec_driver_sql("SELECT version_num FROM alembic_version")}
    from alembic.script import ScriptDirectory

    from toolkit.store.db import alembic_config

    assert applied == set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())


def test_migrations_build_the_candidate_indexes_of_the_model(db_url):
    got = {ix["name"] for ix in inspect(make_engine(db_url)).get_indexes("candidate")}
    assert got == {ix.name for ix in CandidateRow.__table__.indexes}
    assert "ix_candidate_caption_id" not in got  # the unique (caption_id, uid) index serves caption_id


def test_an_existing_store_loses_only_the_redundant_candidate_index(tmp_path):
    from alembic import command

    from toolkit.store.db import alembic_config, upgrade

    engine = make_engine(str(tmp_path / "old.db"), migrate=False)
    cfg = alembic_config(engine)
    with engine.begin() as conn:  # a store migrated before revision 0006 existed
        cfg.attributes["connection"] = conn
        for rev in ("0002", "0003", "0004"):
            command.upgrade(cfg, rev)
    before = {ix["name"] for ix in inspect(engine).get_indexes("candidate")}
    upgrade(engine)
    after = {ix["name"] for ix in inspect(engine).get_indexes("candidate")}
    assert before - after == {"ix_candidate_caption_id"} and after < before


def test_ingest_reports_bad_lines_and_goes_on(db_url, captions_file, nlp):
    engine = make_engine(db_url)
    report = ingest(engine, read_captions(captions_file), nlp=nlp)
    assert report.inserted == 6  # 11 lines: malformed JSON, blank caption, over-long, bad UTF-8 skipped
    reasons = " | ".join(str(b) for b in report.bad)
    assert len(report.bad) == 4, reasons
    assert "line 3" in reasons and "line 4" in reasons and "line 6" in reasons and "line 9" in reasons
    assert all(str(captions_file) in str(b) for b in report.bad)
    assert count(engine, ParseRow) == 6
    again = ingest(engine, read_captions(captions_file), nlp=nlp)
    assert again.inserted == 0 and again.duplicates == 6 and again.parsed == 0
    assert count(engine, Caption) == 6


def test_generate_stores_candidates_once_and_resumes(db_url, captions_file, nlp, tmp_path):
    engine = make_engine(db_url)
    ingest(engine, read_captions(captions_file), nlp=nlp)
    config = GenerationConfig(seed=3)
    first = generate_run(engine, config, limit=2)
    assert first.captions == 2
    rest = generate_run(engine, config)
    assert rest.run_id == first.run_id and rest.captions == 4
    total = count(engine, CandidateRow)
    assert total == first.candidates + rest.candidates > 0
    assert generate_run(engine, config).captions == 0  # finished: nothing pending, nothing added
    assert count(engine, CandidateRow) == total
    with engine.connect() as conn:
        status, summary = conn.execute(select(Run.status, Run.summary)).one()
    assert status == "done" and json.loads(summary)["candidates"] == total

    # the same generation in one go on a fresh database gives the same candidates
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    ingest(other, read_captions(captions_file), nlp=nlp)
    generate_run(other, config)
    with engine.connect() as a, other.connect() as b:
        uids = lambda c: sorted(c.execute(select(CandidateRow.uid, CandidateRow.text)).all())  # noqa: E731
        assert uids(a) == uids(b)


def test_generation_with_new_settings_never_reparses(db_url, captions_file, nlp, monkeypatch):
    engine = make_engine(db_url)
    ingest(engine, read_captions(captions_file), nlp=nlp)

    def no_parsing(*_a, **_k):
        raise AssertionError("parsed again")

    monkeypatch.setattr(chunks, "parse_texts", no_parsing)
    report = generate_run(engine, GenerationConfig(operators=("swap",), depth=2, seed=9))
    assert report.captions == 6
    assert count(engine, RunCaption) == 6


def test_captions_ingested_without_parse_are_parsed_at_generation(db_url, captions_file, nlp):
    engine = make_engine(db_url)
    ingest(engine, read_captions(captions_file), parse=False)
    assert count(engine, ParseRow) == 0
    generate_run(engine, GenerationConfig(), nlp=nlp)
    assert count(engine, ParseRow) == 6


def test_interrupted_generation_keeps_what_was_stored(db_url, captions_file, nlp, monkeypatch):
    engine = make_engine(db_url)
    ingest(engine, read_captions(captions_file), nlp=nlp)
    real = chunks.generate
    calls = {"n": 0}

    def flaky(parse, config, lex, counts=None, lm=None):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return real(parse, config, lex, counts, lm)

    monkeypatch.setattr(chunks, "generate", flaky)
    with pytest.raises(KeyboardInterrupt):
        generate_run(engine, GenerationConfig(), chunk=2, workers=0)  # inline: the counter is this process's
    done = count(engine, RunCaption)
    assert done == 2  # the first chunk was committed
    monkeypatch.setattr(chunks, "generate", real)
    report = generate_run(engine, GenerationConfig(), chunk=2, workers=0)
    assert report.captions == 4 and count(engine, RunCaption) == 6


def test_a_caption_that_fails_is_reported_and_the_rest_goes_on(db_url, captions_file, nlp, monkeypatch):
    engine = make_engine(db_url)
    ingest(engine, read_captions(captions_file), nlp=nlp)
    real = chunks.generate

    def broken_on_cats(parse, config, lex, counts=None, lm=None):
        if "cat" in parse.text:
            raise RuntimeError("operator bug")
        return real(parse, config, lex, counts, lm)

    monkeypatch.setattr(chunks, "generate", broken_on_cats)
    report = generate_run(engine, GenerationConfig(), workers=0)
    failed = {k: n for k, n in report.skips.items() if "RuntimeError: operator bug" in k}
    assert report.captions == 6 and sum(failed.values()) >= 1
    assert report.candidates > 0 and report.no_candidates >= sum(failed.values())


def test_worker_processes_store_what_the_inline_run_stores(tmp_path, captions_file, nlp):
    stored = []
    for workers in (0, 2):
        engine = make_engine(f"sqlite:///{tmp_path / f'w{workers}.db'}")
        ingest(engine, read_captions(captions_file), parse=False)
        report = generate_run(engine, GenerationConfig(depth=2), nlp=nlp, chunk=2, workers=workers)
        assert report.captions == 6 and count(engine, ParseRow) == 6
        with engine.connect() as conn:
            stored.append((
                sorted(conn.execute(select(CandidateRow.uid, CandidateRow.text, CandidateRow.provenance)).all()),
                sorted(conn.execute(select(ParseRow.text_hash, ParseRow.data)).all()),
                sorted(conn.execute(select(RunCaption.caption_id, RunCaption.n_candidates)).all()),
            ))
        engine.dispose()
    assert stored[0] == stored[1] and stored[0][0]


def test_chunks_shrink_at_the_end_so_the_workers_finish_together():
    sizes, left = [], 10_000
    while left:
        sizes.append(chunk_size(left, 500, 2))
        left -= min(sizes[-1], left)
    assert sizes[:18] == [500] * 18 and sizes[18:] == [500, 250, 125, 63, 62]  # 62: an eighth of a chunk
    assert chunk_size(3, 500, 2) == 62 and chunk_size(10, 4, 2) == 4 and chunk_size(1, 2, 2) == 1


def test_guided_chunks_hand_out_every_pending_caption_once(db_url, captions_file):
    engine = make_engine(db_url)
    ingest(engine, read_captions(captions_file), parse=False)
    with engine.connect() as conn:
        ids = [i for (i,) in conn.execute(select(Caption.id).order_by(Caption.id))]
    for limit, workers, want in ((None, 2, [2, 2, 1, 1]), (5, 2, [2, 2, 1]), (None, 0, [2, 2, 2]), (None, 4, [2, 2, 2])):
        got = list(_pending_chunks(engine, "no-such-run", 2, limit, workers))
        assert [len(rows) for rows in got] == want  # 4 workers: 6 captions are too few to split up
        assert [r[0] for rows in got for r in rows] == ids[: sum(want)]


def test_corpus_ordering_is_its_own_reproducible_run(db_url, captions_file, nlp, tmp_path):
    engine = make_engine(db_url)
    ingest(engine, read_captions(captions_file), parse=False)
    plain = generate_run(engine, GenerationConfig(), nlp=nlp)
    ordered = generate_run(engine, GenerationConfig(), nlp=nlp, corpus=True)
    assert ordered.run_id != plain.run_id and ordered.captions == 6
    with engine.connect() as conn:
        vers = json.loads(conn.execute(select(Run.versions).where(Run.id == ordered.run_id)).scalar_one())
    assert vers["corpus"].endswith("(6 captions)")
    other = make_engine(f"sqlite:///{tmp_path / 'again.db'}")
    ingest(other, read_captions(captions_file), nlp=nlp)
    assert generate_run(other, GenerationConfig(), nlp=nlp, corpus=True).run_id == ordered.run_id


@pytest.mark.parametrize("word", ['say "cheese"', "back\\slash", "tab\tand\nnewline\x01", "café 東京 🐶", "\x7f"])
def test_provenance_json_is_what_the_standard_library_writes(word):
    from toolkit.generation.operators.base import Candidate, Change, Edit, Fix

    edit = Edit("replace", "obj", ((1, 2),), ("dog",), (word,), (Change(1, 2, (word,)),), (), f"dog->{word}", 0)
    cand = Candidate("0" * 16, "a dog", f"a {word}", (edit,), (Fix(0, "a", "an", "article"),), None, 0)
    expected = json.dumps(cand.provenance(), ensure_ascii=False, separators=(",", ":"))
    assert chunks.provenance_json(cand) == expected
    assert json.loads(chunks.provenance_json(cand))["edits"][0]["words_in"] == [word]
