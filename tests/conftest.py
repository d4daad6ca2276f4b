import json
from pathlib import Path

import pytest

from toolkit.text.nlp import load_nlp

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path | None:
    """`shared/` beside the checkout (the session layout and CI's fresh clone both put it there)."""
    for base in (REPO.parent / "shared", REPO.parent.parent / "shared"):
        if base.exists():
            return base
    return None


def stored_candidates(db_url: str, captions_file: Path, nlp, max_candidates: int):
    """An engine on `db_url` holding the sample captions (parsed) and one generation run over them."""
    from toolkit.generation.operators import GenerationConfig
    from toolkit.generation.pipeline import generate_run, ingest
    from toolkit.store.db import make_engine
    from toolkit.text.ingest import read_captions

    engine = make_engine(db_url)
    ingest(engine, read_captions(captions_file), nlp=nlp)
    generate_run(engine, GenerationConfig(max_candidates=max_candidates), nlp=nlp)
    return engine


@pytest.fixture(scope="session")
def nlp():
    return load_nlp()


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def captions_file(tmp_path) -> Path:
    path = tmp_path / "captions.jsonl"
    lines = [
        json.dumps({"caption": "A black dog chasing a white cat on the grass.", "image": "a.jpg"}),
        json.dumps({"caption": "A man riding a horse next to a red car.", "image": "b.jpg"}),
        "{not json",
        json.dumps({"caption": "   ", "image": "c.jpg"}),
        json.dumps({"caption": "Two zebras standing in a field.", "image": "d.jpg"}),
        json.dumps({"caption": "x" * 2000}),
        json.dumps({"caption": "Hello."}),
        json.dumps({"caption": "A woman holding an umbrella in the rain.", "image": "e.jpg"}),
    ]
    data = "\n".join(lines).encode() + b"\n" + b'{"caption": "caf\xff bad bytes"}\n'
    data += json.dumps({"caption": "A small bird sitting on a wooden fence."}).encode() + b"\n"
    path.write_bytes(data)
    return path


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL database (dropped afterwards) on the server named by $HARDNEG_TEST_PG, which
    `.ci/run` starts; skipped where the variable is unset."""
    import os
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = os.environ.get("HARDNEG_TEST_PG")
    if not admin_url:
        pytest.skip("HARDNEG_TEST_PG is unset (no PostgreSQL server; .ci/run starts one)")
    name = f"hardneg_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
