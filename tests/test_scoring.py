"""The scorer on a tiny open_clip model registered at test time (random weights, 64-px images)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from scoring_helpers import CAPTIONS, sugarcrepe_folder, tiny_checkpoint, tiny_local_dir, write_images

from toolkit.evaluation.scoring import Item, Negative, create_scorer, resolve_device, resolve_precision
from toolkit.evaluation.scoring.benchmark_eval import evaluate_benchmark
from toolkit.evaluation.scoring.cache import DbCache, MemoryCache
from toolkit.evaluation.scoring.factory import _wants_quick_gelu
from toolkit.evaluation.scoring.registry import TINY_NAME, parse_spec, register_tiny
from toolkit.evaluation.scoring.report import accuracy_table, bootstrap_ci, build_report
from toolkit.store.db import make_engine


@pytest.fixture(scope="module")
def assets(tmp_path_factory):
    root = tmp_path_factory.mktemp("scoring")
    register_tiny()
    ckpt = tiny_checkpoint(root / "tiny.pt", seed=0)
    images = write_images(root / "images", 8)
    return {"root": root, "ckpt": ckpt, "images": images}


def make_items(images, negatives_per_image=4):
    items = []
    for i, path in enumerate(images):
        pos = CAPTIONS[i % len(CAPTIONS)]
        negs = [Negative((i, k), CAPTIONS[(i + k + 1) % len(CAPTIONS)]) for k in range(negatives_per_image)]
        items.append(Item(i, str(path), pos, negs))
    return items


def scorer(assets, **kw):
    kw.setdefault("num_workers", 0)
    kw.setdefault("batch_size", 4)
    return create_scorer(TINY_NAME, str(assets["ckpt"]), "cpu", "fp32", **kw)


def by_pair(outcome):
    return {(s.item_key, s.negative_key): s for s in outcome.scores}


def test_batched_and_one_by_one_scoring_agree(assets):
    items = make_items(assets["images"])
    batched = scorer(assets, batch_size=16).score(items)
    single = scorer(assets, batch_size=1)
    one_by_one = {}
    for item in items:
        for neg in item.negatives:
            out = single.score([Item(item.key, item.image, item.positive, [neg])])
            one_by_one.update(by_pair(out))
    got = by_pair(batched)
    assert set(got) == set(one_by_one) and len(got) == 8 * 4
    for key, s in got.items():
        assert s.pos_sim == pytest.approx(one_by_one[key].pos_sim, abs=1e-5)
        assert s.neg_sim == pytest.approx(one_by_one[key].neg_sim, abs=1e-5)
        assert s.margin == pytest.approx(s.pos_sim - s.neg_sim, abs=1e-7)
        assert s.tie == one_by_one[key].tie
    sims = np.array([s.pos_sim for s in got.values()])
    assert np.all(np.abs(sims) <= 1.0 + 1e-6) and len(set(sims.round(6))) > 1  # real cosines, not constants


def test_each_image_and_text_encoded_once_and_cache_encodes_nothing_second_time(assets, db_url):
    items = make_items(assets["images"])
    items.append(Item("dup", str(assets["images"][0]), CAPTIONS[0], [Negative("d", CAPTIONS[2])]))  # same image
    copy = assets["root"] / "copy.jpg"
    copy.write_bytes(assets["images"][0].read_bytes())  # same content under another name
    items.append(Item("copy", str(copy), CAPTIONS[0], [Negative("c", CAPTIONS[3])]))
    engine = make_engine(db_url)
    first = scorer(assets, cache=DbCache(engine))
    out1 = first.score(items)
    assert first.encoder.log.images == 8 and out1.images_encoded == 8
    assert first.encoder.log.texts == len(CAPTIONS) == out1.texts_encoded
    second = scorer(assets, cache=DbCache(engine))  # a new process would build exactly this
    assert second.model_id == first.model_id
    out2 = second.score(items)
    assert second.encoder.log.images == 0 and second.encoder.log.texts == 0
    assert out2.images_encoded == 0 and out2.texts_encoded == 0
    assert out2.images_cached == 8 and out2.texts_cached == len(CAPTIONS)
    a, b = by_pair(out1), by_pair(out2)
    assert a.keys() == b.keys() and all(a[k].pos_sim == b[k].pos_sim and a[k].neg_sim == b[k].neg_sim for k in a)
    assert a[("copy", "c")].pos_sim == a[(0, (0, 0))].pos_sim


def test_ties_are_failures_and_reported_as_ties(assets):
    img = str(assets["images"][1])
    items = [Item("t", img, "A dog on a bench.", [Negative("same", "A dog on a bench."),
                                                  Negative("case", "a DOG on a   bench."),  # same tokens
                                                  Negative("other", "A cat under a table.")])]
    out = scorer(assets).score(items)
    got = {s.negative_key: s for s in out.scores}
    assert got["same"].tie and got["same"].margin == 0.0 and not got["same"].correct
    assert got["case"].tie and not got["case"].correct
    assert not got["other"].tie
    rows = [{"operator": "x", "margin": s.margin, "tie": s.tie} for s in out.scores]
    table = accuracy_table(rows, ["operator"])
    assert table[0]["ties"] == 2 and table[0]["correct"] == int(got["other"].correct) and table[0]["n"] == 3
    report = build_report(rows, groupings=[("operator",)])
    assert report["ties_count_as_failures"] is True and "failures" in report["note"]
    assert report["overall"]["accuracy"] == pytest.approx(table[0]["correct"] / 3)


def test_checkpoint_file_and_local_dir_reload_with_identical_scores(assets, tmp_path):
    items = make_items(assets["images"][:4], 2)
    original = scorer(assets)
    saved = tmp_path / "resaved.pt"
    torch.save(original.encoder.model.state_dict(), saved)
    reloaded = create_scorer(TINY_NAME, str(saved), "cpu", "fp32", num_workers=0)
    local = create_scorer(f"local-dir:{tiny_local_dir(tmp_path / 'tiny-dir', assets['ckpt'])}", None, "cpu", "fp32",
                          num_workers=0)
    ref = by_pair(original.score(items))
    for other in (reloaded, local):
        got = by_pair(other.score(items))
        assert got.keys() == ref.keys()
        assert all(got[k].pos_sim == ref[k].pos_sim and got[k].neg_sim == ref[k].neg_sim for k in ref)
    assert local.config["weights_sha256"] == original.config["weights_sha256"]  # same bytes, same hash
    assert original.config["weights_hash_of"] == "file"
    other_seed = create_scorer(TINY_NAME, str(tiny_checkpoint(tmp_path / "seed1.pt", seed=1)), "cpu", "fp32")
    assert other_seed.model_id != original.model_id
    assert by_pair(other_seed.score(items)) != ref


def test_resolved_config_records_activation_preprocessing_tokenizer_and_weights(assets):
    plain = scorer(assets)
    cfg = plain.config
    assert cfg["quick_gelu"] is False and cfg["image_size"] == [64, 64]
    assert len(cfg["mean"]) == 3 and len(cfg["std"]) == 3
    assert cfg["tokenizer"] == {"class": "SimpleTokenizer", "context_length": 32, "hf_tokenizer_name": None}
    assert len(cfg["weights_sha256"]) == 64 and cfg["precision"] == "fp32"
    assert plain.model_id.startswith(f"{TINY_NAME}/tiny.pt@")
    quick = scorer(assets, quick_gelu=True)
    assert quick.config["quick_gelu"] is True and quick.model_id != plain.model_id
    json.dumps(cfg)  # storable as is


def test_quickgelu_follows_the_pretrained_tag():
    spec = parse_spec("ViT-B-32", "openai")
    import open_clip

    arch = open_clip.get_model_config("ViT-B-32")
    assert _wants_quick_gelu(spec, arch, None)[0] is True  # trained with QuickGELU; the config says GELU
    assert _wants_quick_gelu(spec, arch, False)[0] is False
    laion = parse_spec("ViT-B-32", "laion2b_s34b_b79k")
    assert _wants_quick_gelu(laion, arch, None)[0] is False


def test_model_strings_are_validated(assets, tmp_path):
    assert parse_spec(TINY_NAME, str(assets["ckpt"])).source == "file"
    assert parse_spec(TINY_NAME, None).source == "random"
    assert parse_spec("ViT-B-32", "openai").source == "tag"
    with pytest.raises(ValueError, match="unknown architecture"):
        parse_spec("ViT-Nope-1", None)
    with pytest.raises(ValueError, match="not found"):
        parse_spec(TINY_NAME, str(tmp_path / "missing.pt"))
    with pytest.raises(ValueError, match="neither a tag"):
        parse_spec("ViT-B-32", "not_a_tag")
    with pytest.raises(ValueError, match="omit pretrained"):
        parse_spec(f"local-dir:{tmp_path}", "openai")
    with pytest.raises(ValueError, match="open_clip_config.json"):
        parse_spec(f"local-dir:{tmp_path}", None)


def test_device_and_precision_resolution():
    if not torch.cuda.is_available():
        assert resolve_device("auto") in ("cpu", "mps")
        with pytest.raises(ValueError, match="not available"):
            resolve_device("cuda")
    assert resolve_precision("auto", "cpu") == "fp32"
    assert resolve_precision("bf16", "cpu") == "amp_bf16"
    with pytest.raises(ValueError, match="precision"):
        resolve_precision("int4", "cpu")
    with pytest.raises(ValueError, match="device"):
        resolve_device("tpu")


def test_missing_and_unreadable_images_are_named_and_the_rest_is_scored(assets, tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    items = make_items(assets["images"][:3], 2)
    items += [Item("gone", str(tmp_path / "gone.png"), CAPTIONS[0], [Negative("g", CAPTIONS[1])]),
              Item("broken", str(broken), CAPTIONS[0], [Negative("b", CAPTIONS[1])]),
              Item("noimage", None, CAPTIONS[0], [Negative("n", CAPTIONS[1])])]
    out = scorer(assets).score(items)
    errors = {e.item_key: str(e) for e in out.errors}
    assert "missing image" in errors["gone"] and "gone.png" in errors["gone"]
    assert "unreadable image" in errors["broken"] and "broken.jpg" in errors["broken"]
    assert "no image" in errors["noimage"]
    assert len(out.scores) == 6


def test_out_of_memory_halves_the_batch_and_goes_on(assets, monkeypatch):
    items = make_items(assets["images"], 2)
    expected = by_pair(scorer(assets, batch_size=8).score(items))
    s = scorer(assets, batch_size=8)
    real = s.encoder.model.encode_image
    bad_image = str(assets["images"][5])
    bad_pixels = s.encoder.preprocess(__import__("PIL.Image").Image.open(bad_image).convert("RGB"))

    def flaky(x):
        if x.shape[0] > 2:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        if any(torch.equal(row, bad_pixels) for row in x):
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 1.00 GiB")
        return real(x)

    monkeypatch.setattr(s.encoder.model, "encode_image", flaky)
    out = s.score(items)
    assert s.encoder.batch_size == 1  # 8 -> 4 -> 2, then the bad image at 2 -> 1
    assert any("batch size now 4" in h for h in s.encoder.log.halvings)
    errors = [str(e) for e in out.errors]
    assert len(errors) == 1 and "out of memory" in errors[0] and "005" in errors[0]
    got = by_pair(out)
    assert len(got) == len(expected) - 2
    for key, sc in got.items():
        assert sc.pos_sim == pytest.approx(expected[key].pos_sim, abs=1e-5)


def test_decoding_in_two_dataloader_workers_gives_the_same_scores(assets):
    items = make_items(assets["images"], 2)
    in_process = by_pair(scorer(assets, num_workers=0, batch_size=3).score(items))
    workers = scorer(assets, num_workers=2, batch_size=3)
    got = by_pair(workers.score(items))
    assert workers.encoder.log.images == 8
    assert got.keys() == in_process.keys()
    assert all(got[k].pos_sim == pytest.approx(in_process[k].pos_sim, abs=1e-6) for k in got)


def test_bootstrap_interval_and_report_order():
    low, high = bootstrap_ci(70, 100, n_boot=2000, seed=1)
    assert low < 0.7 < high and 0.55 < low and high < 0.85
    assert bootstrap_ci(70, 100, seed=1) == bootstrap_ci(70, 100, seed=1)
    narrow = bootstrap_ci(700, 1000, seed=1)
    assert narrow[1] - narrow[0] < high - low
    rows = [{"operator": op, "subtype": "obj", "depth": d, "margin": m, "tie": m == 0}
            for op, d, m in [("swap", 1, 0.2), ("swap", 1, -0.1), ("add", 2, 0.0), ("add", 1, 0.05)]]
    report = build_report(rows, hardest=3)
    assert [r["margin"] for r in report["hardest"]] == [-0.1, 0.0, 0.05]
    by_op = {r["operator"]: r for r in report["by"]["operator"]}
    assert by_op["swap"]["correct"] == 1 and by_op["add"]["ties"] == 1 and by_op["add"]["accuracy"] == 0.5
    assert {r["depth"] for r in report["by"]["depth"]} == {1, 2}
    assert report["overall"]["n"] == 4 and report["overall"]["correct"] == 2


def test_sugarcrepe_folder_evaluation(assets, tmp_path):
    images = assets["images"][:6]
    bench = sugarcrepe_folder(tmp_path / "bench", images)
    (tmp_path / "imgs").mkdir()
    for p in images[1:]:  # the first image is missing: its pairs are reported, the others scored
        (tmp_path / "imgs" / p.name).write_bytes(p.read_bytes())
    s = scorer(assets, cache=MemoryCache())
    result = evaluate_benchmark(bench, s, image_root=tmp_path / "imgs", n_boot=200)
    assert result["pairs_read"] == 6
    assert result["pairs_failed"] == 2 and all("missing image" in e for e in result["errors"])
    cats = {r["category"]: r for r in result["categories"]}
    assert [r["category"] for r in result["categories"]] == ["replace_obj", "swap_att", "add_att"]
    assert cats["add_att"]["ties"] == 1 and cats["add_att"]["n"] == 2
    assert result["ties_count_as_failures"] is True
    assert {f["family"] for f in result["families"]} == {"replace", "swap", "add"}
    assert result["model"]["weights_sha256"] == s.config["weights_sha256"]
    again = evaluate_benchmark(bench, s, image_root=tmp_path / "imgs", n_boot=200)
    assert again["encoding"]["images_encoded"] == 0 and again["encoding"]["texts_encoded"] == 0
    assert [p["margin"] for p in again["pairs"]] == [p["margin"] for p in result["pairs"]]


def test_pairs_jsonl_evaluation(assets, tmp_path):
    img = assets["images"][2]
    lines = [{"category": "swap_obj", "caption": CAPTIONS[1], "negative": "A horse riding a man next to a red car.",
              "image": img.name},
             {"category": "replace", "caption": CAPTIONS[1], "negative": "A man riding a horse next to a red bus.",
              "image": img.name},
             {"category": "nope", "caption": "x", "negative": "y"}]
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    s = scorer(assets)
    result = evaluate_benchmark(path, s, image_root=img.parent, n_boot=200)
    assert result["pairs_scored"] == 2 and len(result["bad_records"]) == 1 and "line 3" in result["bad_records"][0]
    assert s.encoder.log.images == 1  # both pairs share the image: one item, one encode
