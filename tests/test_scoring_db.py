"""`hardneg score` over stored candidates and `hardneg eval-benchmark`, through the CLI and the functions."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from scoring_helpers import CAPTIONS, sugarcrepe_folder, tiny_checkpoint, tiny_local_dir, write_images
from sqlalchemy import func, select

from toolkit.evaluation.scoring import create_scorer
from toolkit.evaluation.scoring.cache import DbCache
from toolkit.evaluation.scoring.candidates import candidate_report, score_candidates
from toolkit.evaluation.scoring.registry import TINY_NAME, register_tiny
from toolkit.faces.cli import main
from toolkit.generation.operators import GenerationConfig
from toolkit.generation.pipeline import generate_run, ingest
from toolkit.store.db import make_engine
from toolkit.store.models import CandidateRow
from toolkit.store.scores import CandidateScore, EmbeddingCache, ScoreRun
from toolkit.text.ingest import read_captions


@pytest.fixture
def corpus(tmp_path, db_url, nlp):
    """Six captions with images (the last image missing), one without an image, and their candidates."""
    register_tiny()
    images = write_images(tmp_path / "images", len(CAPTIONS))
    images[-1].unlink()
    lines = [json.dumps({"caption": c, "image": p.name}) for c, p in zip(CAPTIONS, images, strict=True)]
    lines.append(json.dumps({"caption": "A red bus parked next to a tall building."}))
    (tmp_path / "caps.jsonl").write_text("\n".join(lines) + "\n")
    engine = make_engine(db_url)
    ingest(engine, read_captions(tmp_path / "caps.jsonl", image_root=tmp_path / "images"), nlp=nlp)
    generate_run(engine, GenerationConfig(max_candidates=6, seed=0))
    ckpt = tiny_checkpoint(tmp_path / "tiny.pt")
    return {"engine": engine, "ckpt": ckpt, "images": images, "tmp": tmp_path}


def rows(engine, model):
    with engine.connect() as conn:
        return conn.execute(select(model.__table__)).mappings().all()


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model.__table__)).scalar_one()


def test_score_candidates_stores_scores_once_and_resumes_after_missing_images(corpus):
    engine = corpus["engine"]
    scorer = create_scorer(TINY_NAME, str(corpus["ckpt"]), "cpu", "fp32", num_workers=0, cache=DbCache(engine))
    first = score_candidates(engine, scorer, chunk_size=7)
    total = count(engine, CandidateRow)
    d = first.to_dict()
    assert d["candidates_scored"] > 0 and d["candidates_failed"] > 0 and d["candidates_without_image"] > 0
    assert d["candidates_scored"] + d["candidates_failed"] + d["candidates_without_image"] == total
    assert any("missing image" in e and "005" in e for e in d["errors"])
    stored = rows(engine, CandidateScore)
    assert len(stored) == d["candidates_scored"]
    for r in stored:
        assert r["model_id"] == scorer.model_id and r["margin"] == pytest.approx(r["pos_sim"] - r["neg_sim"])
        assert r["tie"] == (r["pos_sim"] == r["neg_sim"])
    (run,) = rows(engine, ScoreRun)
    assert run["status"] == "done" and run["model_id"] == scorer.model_id
    config = json.loads(run["config"])
    assert config["quick_gelu"] is False and config["weights_sha256"] == scorer.config["weights_sha256"]
    assert config["image_size"] == [64, 64] and config["tokenizer"]["class"] == "SimpleTokenizer"
    assert json.loads(run["summary"])["candidates_scored"] == d["candidates_scored"]

    # the image turns up: a second run scores only what failed, from the cache for everything else
    write_images(corpus["tmp"] / "images", len(CAPTIONS))
    again = create_scorer(TINY_NAME, str(corpus["ckpt"]), "cpu", "fp32", num_workers=0, cache=DbCache(engine))
    second = score_candidates(engine, again).to_dict()
    assert second["candidates_scored"] == d["candidates_failed"] and second["images_encoded"] == 1
    assert count(engine, CandidateScore) == total - d["candidates_without_image"]
    assert score_candidates(engine, again).to_dict()["candidates_scored"] == 0

    report = candidate_report(engine, scorer.model_id, hardest=5)
    assert report["overall"]["n"] == count(engine, CandidateScore)
    assert {r["operator"] for r in report["by"]["operator"]} <= {"swap", "replace", "add"}
    margins = [r["margin"] for r in report["hardest"]]
    assert margins == sorted(margins) and len(margins) == 5
    assert all(r["caption"] and r["negative"] for r in report["hardest"])


def test_embedding_cache_rows_are_keyed_by_model_kind_and_hash(corpus):
    engine = corpus["engine"]
    scorer = create_scorer(TINY_NAME, str(corpus["ckpt"]), "cpu", "fp32", num_workers=0, cache=DbCache(engine))
    score_candidates(engine, scorer)
    cached = rows(engine, EmbeddingCache)
    kinds = {r["kind"] for r in cached}
    assert kinds == {"image", "text"} and {r["model_id"] for r in cached} == {scorer.model_id}
    assert sum(r["kind"] == "image" for r in cached) == 5  # five images exist
    assert all(r["dim"] == 32 and len(r["vector"]) == 32 * 4 and len(r["content_hash"]) == 64 for r in cached)


def test_cli_score_and_eval_benchmark(corpus, db_url, tmp_path, monkeypatch):
    runner = CliRunner()
    args = ["--model", TINY_NAME, "--pretrained", str(corpus["ckpt"]), "--device", "cpu", "--num-workers", "0"]
    res = runner.invoke(main, ["score", *args, "--db", db_url, "--json", "--hardest", "3"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["run"]["candidates_scored"] > 0 and out["config"]["weights_sha256"]
    assert len(out["report"]["hardest"]) == 3 and out["report"]["ties_count_as_failures"] is True
    assert "missing image" in res.stderr

    res = runner.invoke(main, ["score", "--model", TINY_NAME, "--db", db_url])
    assert res.exit_code != 0 and "--pretrained" in res.output

    bench = sugarcrepe_folder(tmp_path / "bench", corpus["images"][:5])
    local = tiny_local_dir(tmp_path / "tiny-dir", corpus["ckpt"])
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(main, ["eval-benchmark", str(bench), "--images", str(corpus["tmp"] / "images"),
                               "--model", f"local-dir:{local}", "--device", "cpu", "--num-workers", "0", "--no-cache"])
    assert res.exit_code == 0, res.output
    assert "replace_obj" in res.stdout and "ties" in res.stdout
    result = json.loads((tmp_path / "eval_bench.json").read_text())
    assert result["pairs_scored"] == 6 and result["run_id"] is None and len(result["pairs"]) == 6

    res = runner.invoke(main, ["eval-benchmark", str(bench), "--images", str(corpus["tmp"] / "images"), *args,
                               "--db", db_url, "--out", str(tmp_path / "r.json"), "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["run_id"] and "pairs" not in summary
    kinds = {r["kind"]: r for r in rows(corpus["engine"], ScoreRun)}
    assert kinds["benchmark"]["status"] == "done"
