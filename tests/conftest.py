import json
from pathlib import Path

import pytest

from toolkit.nlp import load_nlp

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path | None:
    """`shared/` beside the checkout (the session layout and CI's fresh clone both put it there)."""
    for base in (REPO.parent / "shared", REPO.parent.parent / "shared"):
        if base.exists():
            return base
    return None


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
