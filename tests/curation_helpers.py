"""Shared set-up for the curation tests: a database with real generated candidates, built once per test
session and copied for each test."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from toolkit.generation.operators import GenerationConfig
from toolkit.generation.pipeline import generate_run, ingest
from toolkit.store.db import make_engine
from toolkit.text.ingest import read_captions

CAPTIONS = [
    ("A black dog chasing a white cat on the grass.", "img/001.jpg"),
    ("A man riding a horse next to a red car.", "img/002.jpg"),
    ("Two zebras standing in a green field.", "img/003.jpg"),
    ("A woman holding a blue umbrella in the rain.", "img/004.jpg"),
    ("A small bird sitting on a wooden fence.", "img/005.jpg"),
    ("A young boy throwing a red frisbee in the park.", "img/006.jpg"),
    ("A large pizza on a white plate next to a glass.", "img/007.jpg"),
    ("A girl in a yellow dress eating an apple.", "img/008.jpg"),
    ("An old man reading a newspaper on a bench.", "img/009.jpg"),
    ("A little girl feeding a brown goat.", "img/010.jpg"),  # two animate actants: a relation swap
]


def build_template(folder: Path, nlp) -> Path:
    """Ingest CAPTIONS and generate depth-1 candidates of all operators into folder/template.db."""
    src = folder / "captions.jsonl"
    src.write_text("".join(json.dumps({"caption": c, "image": i}) + "\n" for c, i in CAPTIONS))
    db = folder / "template.db"
    engine = make_engine(f"sqlite:///{db}")
    ingest(engine, read_captions(src), nlp=nlp)
    generate_run(engine, GenerationConfig(seed=1, max_candidates=6), nlp=nlp)
    with engine.begin() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    return db


def copy_db(template: Path, dest: Path) -> str:
    shutil.copyfile(template, dest)
    return f"sqlite:///{dest}"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory, nlp) -> Path:
    return build_template(tmp_path_factory.mktemp("curation"), nlp)


@pytest.fixture
def cur_url(template_db, tmp_path) -> str:
    """A fresh copy of the template database for one test."""
    return copy_db(template_db, tmp_path / "curation.db")
