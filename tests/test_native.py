"""The optional compiled build (toolkit/generation/native.py): same candidates as the sources, and never stale."""

import json
import os
import pickle
import subprocess
import sys

import pytest

from toolkit.generation import native
from toolkit.generation.operators import GenerationConfig, generate
from toolkit.generation.operators.base import Skip
from toolkit.text.parse import parse_text

# Candidate rows for the bundled sample captions, as a digest; run in a fresh interpreter.
DIGEST = """
import hashlib, json, sys
from toolkit.generation.chunks import candidate_records
from toolkit.text.ingest import read_captions
from toolkit.text.lexicon import load_lexicon
from toolkit.generation.native import status
from toolkit.generation.operators import GenerationConfig
from toolkit.text.parse import parse_texts
from toolkit.faces.cli import SAMPLE
texts = [r.text for r in read_captions(SAMPLE)][:150]
h, lex = hashlib.sha256(), load_lexicon()
for config in (GenerationConfig(), GenerationConfig(depth=2, max_candidates=8, seed=3)):
    for p in parse_texts(texts):
        rows, skips = candidate_records(p, config, lex)
        h.update(json.dumps([rows, [[s.operator, s.subtype, s.reason] for s in skips]]).encode())
print(json.dumps({"digest": h.hexdigest(), "in_use": status()["in_use"], "reason": status()["reason"]}))
"""


def _digest(pure: bool) -> dict:
    env = {**os.environ, "HARDNEG_PURE": "1" if pure else "0"}
    out = subprocess.run([sys.executable, "-c", DIGEST], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not native.compiled(), reason="no compiled build (make compile)")
def test_compiled_build_generates_what_the_sources_generate():
    compiled, pure = _digest(pure=False), _digest(pure=True)
    assert compiled["in_use"] and not pure["in_use"]
    assert (compiled["reason"], pure["reason"]) == ("", "HARDNEG_PURE=1")
    assert compiled["digest"] == pure["digest"]


def test_a_changed_source_is_stale():
    current = native.source_digests()
    assert native.stale_sources(dict(current), current) == []
    edited = {**current, "toolkit.generation.realize": "0" * 64}
    assert native.stale_sources(edited, current) == ["toolkit.generation.realize"]
    assert native.stale_sources({}, current) == list(native.NATIVE_MODULES)


def test_status_says_which_build_runs():
    state = native.status()
    assert set(state) == {"compiled", "in_use", "reason"}
    if native.compiled() and os.environ.get("HARDNEG_PURE") != "1":
        import toolkit.generation.realize

        assert state["in_use"] == (not toolkit.generation.realize.__file__.endswith(".py"))


def test_results_pickle_in_either_build(nlp):
    parse = parse_text("A black dog chasing a white cat.", nlp=nlp)
    gen = generate(parse, GenerationConfig())
    for obj in (GenerationConfig(depth=2), Skip("swap", "obj", "why"), gen.candidates[0], parse.tokens[0], parse.scene):
        assert pickle.loads(pickle.dumps(obj)) == obj


@pytest.mark.skipif(not native.compiled(), reason="no compiled build (make compile)")
def test_an_edited_source_runs_instead_of_its_stale_build(tmp_path):
    import shutil

    copy = tmp_path / "toolkit"
    shutil.copytree(native.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    with open(copy / "generation" / "realize.py", "a") as f:
        f.write("\nEDITED = True\n")
    probe = ("import warnings; warnings.simplefilter('always'); import toolkit.generation.operators, "
             "toolkit.generation.realize as r;"
             "from toolkit.generation.native import status; print(r.EDITED, status()['in_use'], repr(status()['reason']))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True,
                         env={**os.environ, "HARDNEG_PURE": "0"})
    assert out.stdout.split(" ", 2) == ["True", "False", "'out of date: toolkit.generation.realize'\n"]
    assert "compiled build is out of date (toolkit.generation.realize)" in out.stderr
