"""The store on PostgreSQL, and two processes writing to one database at once (SQLite and PostgreSQL)."""

import json
import subprocess
import sys
import time

import pytest
from scale_helpers import db_candidates, sample_rows, write_jsonl
from sqlalchemy import func, inspect, select
from sqlmodel import SQLModel

from toolkit.generation.operators import GenerationConfig
from toolkit.generation.pipeline import generate_run, ingest
from toolkit.store.db import make_engine
from toolkit.store.models import CandidateRow, Caption, RunCaption
from toolkit.text.ingest import read_captions

GENERATE = """
import json, sys, time
from toolkit.generation.operators import GenerationConfig
from toolkit.generation.pipeline import generate_run
from toolkit.store.db import make_engine
start = time.time()
report = generate_run(make_engine(sys.argv[1]), GenerationConfig(seed=1), chunk=5)
print(json.dumps({"start": start, "end": time.time(), **report.to_dict()}))
"""

# a curation-like writer: one short transaction per decision, until told to stop
WRITE_NOTES = """
import json, os, sys, time
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, func, insert
from toolkit.store.db import make_engine
engine = make_engine(sys.argv[1], migrate=False)
notes = Table("test_note", MetaData(), Column("id", Integer, primary_key=True), Column("who", String(20)),
              Column("created_at", DateTime, server_default=func.now()))
n, times = 0, []
while n < 30 or not os.path.exists(sys.argv[2]):
    with engine.begin() as conn:
        conn.execute(insert(notes).values(who=f"note {n}"))
    n += 1
    times.append(time.time())
    time.sleep(0.005)
print(json.dumps({"written": n, "times": times}))
"""


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _prepare(url: str, tmp_path, nlp):
    from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, func

    engine = make_engine(url)
    ingest(engine, read_captions(write_jsonl(tmp_path / "c.jsonl", sample_rows(60))), nlp=nlp)
    notes = Table("test_note", MetaData(), Column("id", Integer, primary_key=True), Column("who", String(20)),
                  Column("created_at", DateTime, server_default=func.now()))
    notes.create(engine)
    return engine, notes


def _concurrent_writers(url: str, tmp_path, nlp) -> None:
    engine, notes = _prepare(url, tmp_path, nlp)
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITE_NOTES, url, str(stop)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    gen = subprocess.run([sys.executable, "-c", GENERATE, url], capture_output=True, text=True, timeout=300)
    stop.touch()
    out, err = writer.communicate(timeout=120)
    assert gen.returncode == 0, gen.stderr
    assert writer.returncode == 0, err
    report, wrote = json.loads(gen.stdout.splitlines()[-1]), json.loads(out)
    during = [t for t in wrote["times"] if report["start"] <= t <= report["end"]]
    assert len(during) >= 10, "the two writers did not overlap"
    # nothing lost on either side
    assert _count(engine, notes) == wrote["written"]
    assert report["captions"] == 60 == _count(engine, RunCaption.__table__)
    with engine.connect() as conn:
        n_expected = conn.execute(select(func.sum(RunCaption.n_candidates))).scalar_one()
    assert _count(engine, CandidateRow.__table__) == report["candidates"] == n_expected > 0


def test_concurrent_writers_sqlite(tmp_path, nlp):
    _concurrent_writers(f"sqlite:///{tmp_path / 'shared.db'}", tmp_path, nlp)


def test_concurrent_writers_postgresql(pg_url, tmp_path, nlp):
    _concurrent_writers(pg_url, tmp_path, nlp)


def test_store_and_migrations_unchanged_on_postgresql(pg_url, tmp_path, nlp):
    pg = make_engine(pg_url)
    assert pg.dialect.name == "postgresql"
    insp = inspect(pg)
    assert set(insp.get_table_names()) - {"alembic_version"} == set(SQLModel.metadata.tables)
    make_engine(pg_url)  # migrating again is a no-op
    captions = write_jsonl(tmp_path / "c.jsonl", sample_rows(40))
    lite = make_engine(f"sqlite:///{tmp_path / 'lite.db'}")
    config = GenerationConfig(seed=2, depth=2)
    for engine in (pg, lite):
        report = ingest(engine, read_captions(captions), nlp=nlp)
        assert report.inserted == 40
        assert ingest(engine, read_captions(captions), nlp=nlp).inserted == 0
        generate_run(engine, config, chunk=7)
    assert _count(pg, Caption.__table__) == 40
    assert db_candidates(pg) == db_candidates(lite) != []


def test_parquet_import_into_postgresql(pg_url, tmp_path, nlp):
    pytest.importorskip("pyarrow")
    from toolkit.scale import import_parquet, run_local
    from toolkit.scale.worker import RunSpec

    captions = write_jsonl(tmp_path / "c.jsonl", sample_rows(30), ("not json",))
    run_local([str(captions)], str(tmp_path / "out"), RunSpec(GenerationConfig(seed=4).to_dict()), rows_per_piece=8,
              nlp=nlp)
    pg = make_engine(pg_url)
    first = import_parquet(pg, str(tmp_path / "out"), batch_rows=10)
    assert first.captions_inserted == 30 and first.bad == 1
    assert import_parquet(pg, str(tmp_path / "out")).candidates_imported == 0
    lite = make_engine(f"sqlite:///{tmp_path / 'lite.db'}")
    ingest(lite, read_captions(captions), nlp=nlp)
    generate_run(lite, GenerationConfig(seed=4))
    assert db_candidates(pg) == db_candidates(lite)
