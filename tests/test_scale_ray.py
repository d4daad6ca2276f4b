"""The Ray Data engine on a small local Ray (2 CPUs, one session): same candidates as the local path."""

import json
import os

import pytest

# off before Ray starts: no usage reporting, no token to manage in a throwaway test cluster
os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
os.environ["RAY_AUTH_MODE"] = "disabled"
ray = pytest.importorskip("ray")

from scale_helpers import db_candidates, output_rows, sample_rows, write_jsonl, write_parquet  # noqa: E402

from toolkit.generation.operators import GenerationConfig  # noqa: E402
from toolkit.generation.pipeline import generate_run, ingest  # noqa: E402
from toolkit.scale import import_parquet, run_local  # noqa: E402
from toolkit.scale.ray_pipeline import GenerateActor, plan_cpus, run_ray  # noqa: E402
from toolkit.scale.worker import RunSpec  # noqa: E402
from toolkit.store.db import make_engine  # noqa: E402
from toolkit.text.ingest import read_captions  # noqa: E402

RAY_CPUS = 2


def test_plan_leaves_room_for_io_tasks_on_any_cluster():
    for cpus in (1, 2, 3, 4, 8, 16, 96):
        for actors in (None, 1, 2, cpus, 2 * cpus):
            plan = plan_cpus(cpus, actors)
            assert plan.actors * plan.actor_cpus + plan.reserve <= cpus + 1e-9, (cpus, actors)
            assert plan.reserve >= 2 * plan.io_cpus and 0 < plan.actor_cpus <= 1
    assert plan_cpus(2).actors == 2 and plan_cpus(2).actor_cpus == 0.75  # not 1 CPU each: writes would starve
    assert plan_cpus(16, 4).actor_cpus == 1.0
    with pytest.raises(ValueError, match="nothing for generation"):
        plan_cpus(2, extra_cpus=1.5)


def test_udfs_live_in_the_package():
    # a class defined in a test file cannot be imported by Ray workers
    assert GenerateActor.__module__ == "toolkit.scale.ray_pipeline"


@pytest.fixture(scope="session")
def ray_local():
    ray.init(num_cpus=RAY_CPUS, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_ray_pipeline_matches_the_local_path(ray_local, tmp_path, nlp):
    rows = sample_rows(200)
    folder = tmp_path / "shards"
    folder.mkdir()
    write_parquet(folder / "part-0.parquet", rows[:150])  # one row group: one block without the pieces
    write_jsonl(folder / "part-1.jsonl", rows[150:], ("{broken",))
    (folder / "part-2.parquet").write_bytes(b"PAR1 not parquet")
    config = GenerationConfig(seed=5)
    spec = RunSpec(config.to_dict())

    report = run_ray([str(folder)], str(tmp_path / "ray"), spec, rows_per_piece=25)
    d = report.to_dict()
    assert d["shards_done"] == 2 and d["captions"] == 200 and d["bad_records"] == 1
    assert [s["shard"].rsplit("/", 1)[1] for s in d["shards_failed"]] == ["part-2.parquet"]
    manifests = {m["shard"].rsplit("/", 1)[1]: m for m in
                 (json.loads(p.read_text()) for p in (tmp_path / "ray").glob("*/_manifest.json"))}
    big = manifests["part-0.parquet"]
    assert big["pieces"] == 6 and big["files"] > 1  # spread over the actors, not one block
    assert big["cpu_plan"]["actors"] == RAY_CPUS and big["cpu_plan"]["actor_cpus"] < 1

    local = run_local([str(folder)], str(tmp_path / "local"), spec, rows_per_piece=25, nlp=nlp)
    assert local.run_id == report.run_id
    assert output_rows(tmp_path / "ray") == output_rows(tmp_path / "local")

    # and the same candidates as `hardneg ingest` + `hardneg generate` store
    imported = make_engine(f"sqlite:///{tmp_path / 'ray.db'}")
    assert import_parquet(imported, str(tmp_path / "ray")).captions_inserted == 200
    db = make_engine(f"sqlite:///{tmp_path / 'local.db'}")
    ingest(db, read_captions(write_jsonl(tmp_path / "all.jsonl", rows)), nlp=nlp)
    generate_run(db, config)
    assert len(db_candidates(db)) == d["candidates"] > 0
    assert db_candidates(imported) == db_candidates(db)


def test_ray_scoring_stage_scores_every_candidate(ray_local, tmp_path):
    """The GPU stage with num_gpus=0 and a tiny random-weights model: the same scores as the scorer in process."""
    pytest.importorskip("open_clip")
    from scoring_helpers import tiny_checkpoint, tiny_local_dir, write_images

    from toolkit.evaluation.scoring import create_scorer
    from toolkit.scale.scoring import score_table

    model = f"local-dir:{tiny_local_dir(tmp_path / 'tiny', tiny_checkpoint(tmp_path / 'tiny.pt'))}"
    images = write_images(tmp_path / "img", 5)
    rows = [{**r, "image": str(images[i])} for i, r in enumerate(sample_rows(5))]
    rows.append({"caption": "A black dog chasing a white cat on the grass."})  # no image: nothing to score against
    rows.append({**sample_rows(1, start=7)[0], "image": str(tmp_path / "img" / "missing.jpg")})
    write_jsonl(tmp_path / "scored.jsonl", rows)
    score = {"model": model, "batch_size": 3, "actors": 1, "num_gpus": 0}
    report = run_ray([str(tmp_path / "scored.jsonl")], str(tmp_path / "out"), RunSpec(GenerationConfig(seed=1).to_dict()),
                     rows_per_piece=4, score=score)
    assert report.to_dict()["shards_done"] == 1
    out = output_rows(tmp_path / "out")
    assert len(out) == 7 and all(r["score_model"].startswith("local-dir:tiny@") for r in out)
    by_text = {r["text"]: r for r in out}
    for r in rows[:5]:
        got = by_text[r["caption"]]
        assert sorted(s["uid"] for s in got["scores"]) == sorted(c["uid"] for c in got["candidates"]) != []
    assert by_text[rows[5]["caption"]]["score_error"] == "no image to score against"
    assert "missing image" in by_text[rows[6]["caption"]]["score_error"]

    # the actors computed what the scorer computes in this process
    import pyarrow as pa

    table = pa.Table.from_pylist([{k: v for k, v in r.items() if k not in ("score_model", "scores", "score_error")}
                                  for r in out])
    again = {r["key"]: r for r in score_table(create_scorer(model, device="cpu", num_workers=0), table).to_pylist()}
    for r in out:
        want = {s["uid"]: s["margin"] for s in again[r["key"]]["scores"]}
        assert {s["uid"]: s["margin"] for s in r["scores"]} == pytest.approx(want, abs=1e-4)
