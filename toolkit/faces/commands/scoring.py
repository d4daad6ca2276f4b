"""`hardneg score` and `hardneg eval-benchmark`: thin wrappers over toolkit.evaluation.scoring."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

console = Console()
MAX_ERRORS_SHOWN = 10


def model_options(f):
    """--model, --pretrained, --device, --precision, --batch-size, --num-workers, --quick-gelu, --random-weights."""
    options = [
        click.option("--model", required=True, metavar="NAME",
                     help="open_clip architecture (ViT-B-32), or local-dir:PATH, or hf-hub:ORG/REPO."),
        click.option("--pretrained", default=None, metavar="TAG|FILE",
                     help="Pretrained tag (openai, laion2b_s34b_b79k) or a checkpoint file; not with local-dir:/hf-hub:."),
        click.option("--random-weights", is_flag=True, help="Allow an architecture without --pretrained (smoke tests)."),
        click.option("--device", default="auto", show_default=True, metavar="auto|cuda|mps|cpu",
                     help="auto: CUDA, then MPS, then CPU."),
        click.option("--precision", default="auto", show_default=True, metavar="auto|fp32|amp_bf16|amp_fp16",
                     help="auto: bf16 (else fp16) autocast on CUDA, fp32 elsewhere."),
        click.option("--batch-size", type=click.IntRange(1), default=64, show_default=True,
                     help="Images (and texts) per forward pass; halved automatically on out-of-memory."),
        click.option("--num-workers", type=click.IntRange(0), default=None,
                     help="DataLoader workers decoding images (0: decode in this process; default: min(4, CPUs))."),
        click.option("--quick-gelu/--no-quick-gelu", default=None,
                     help="Force the activation (default: what the architecture or pretrained tag uses)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _scorer(model, pretrained, random_weights, device, precision, batch_size, num_workers, quick_gelu, cache):
    from toolkit.evaluation.scoring import create_scorer
    from toolkit.evaluation.scoring.registry import parse_spec

    try:
        spec = parse_spec(model, pretrained)
        if spec.source == "random" and not random_weights:
            raise click.BadParameter(f"{model} needs --pretrained TAG|FILE (or --random-weights for untrained weights)",
                                     param_hint="--pretrained")
        return create_scorer(model, pretrained, device, precision, batch_size=batch_size, num_workers=num_workers,
                             cache=cache, quick_gelu=quick_gelu)
    except (ValueError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc


def accuracy_rich_table(rows: list[dict], keys: list[str], title: str) -> Table:
    """A table of accuracy rows (from toolkit.evaluation.scoring.report.accuracy_table)."""
    table = Table(title=title)
    for key in keys:
        table.add_column(key)
    for col in ("n", "correct", "ties", "accuracy", "95% CI"):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(*(str(r[k]) for k in keys), str(r["n"]), str(r["correct"]), str(r["ties"]),
                      f"{100 * r['accuracy']:.1f}", f"{100 * r['ci_low']:.1f}–{100 * r['ci_high']:.1f}")
    return table


def _print_errors(errors: list[str]) -> None:
    for err in errors[:MAX_ERRORS_SHOWN]:
        click.echo(f"skipped {err}", err=True)
    if len(errors) > MAX_ERRORS_SHOWN:
        click.echo(f"... and {len(errors) - MAX_ERRORS_SHOWN} more", err=True)


def _print_report(report: dict, hardest: int) -> None:
    o = report["overall"]
    if not o["n"]:
        console.print("no scores stored for this model yet")
        return
    console.print(f"overall {100 * o['accuracy']:.1f}% of {o['n']} negatives rejected "
                  f"(95% CI {100 * o['ci_low']:.1f}–{100 * o['ci_high']:.1f}); {o['ties']} ties. {report['note']}.",
                  highlight=False)
    console.print(accuracy_rich_table(report["by"]["operator+subtype+depth"], ["operator", "subtype", "depth"],
                                      "Accuracy by operator, subtype, depth"))
    if hardest and report["hardest"]:
        table = Table(title="Hardest negatives (smallest margin first)")
        for col in ("margin", "op", "caption", "negative"):
            table.add_column(col, justify="right" if col == "margin" else "left")
        for r in report["hardest"][:hardest]:
            table.add_row(f"{r['margin']:+.4f}", f"{r['operator']}/{r['subtype']}/{r['depth']}", r["caption"],
                          r["negative"])
        console.print(table)


def register(main: click.Group) -> None:
    """Add the scoring commands to the `hardneg` group."""
    from toolkit.faces.commands.options import db_option, json_option

    @main.command()
    @model_options
    @click.option("--run", "generation_run", default=None, help="Only candidates of this generation run.")
    @click.option("--limit", type=click.IntRange(1), default=None, help="Score at most this many candidates now.")
    @click.option("--chunk-size", type=click.IntRange(1), default=2048, show_default=True,
                  help="Candidates scored and committed together.")
    @click.option("--hardest", type=click.IntRange(0), default=10, show_default=True, help="Hardest negatives to show.")
    @db_option
    @json_option
    def score(model, pretrained, random_weights, device, precision, batch_size, num_workers, quick_gelu,
              generation_run, limit, chunk_size, hardest, db, as_json) -> None:
        """Score stored candidates with an open_clip model (images from ingest); already-scored ones are skipped.

        Stores pos/neg similarity and margin per candidate, then prints accuracy per operator, subtype and
        depth (ties count as failures) and the hardest negatives. Embeddings are cached in the database.

        \b
        Example:
          hardneg score --model ViT-B-32 --pretrained openai --batch-size 256
        """
        from toolkit.evaluation.scoring.cache import DbCache
        from toolkit.evaluation.scoring.candidates import candidate_report, count_unscored, score_candidates
        from toolkit.store.db import make_engine

        engine = make_engine(db)
        scorer = _scorer(model, pretrained, random_weights, device, precision, batch_size, num_workers, quick_gelu,
                         DbCache(engine))
        if as_json:
            result = score_candidates(engine, scorer, generation_run=generation_run, limit=limit,
                                      chunk_size=chunk_size)
        else:
            total = count_unscored(engine, scorer.model_id, generation_run)
            total = min(total, limit) if limit else total
            with click.progressbar(length=total, label=f"scoring with {scorer.model_id}", file=sys.stderr) as bar:
                result = score_candidates(engine, scorer, generation_run=generation_run, limit=limit,
                                          chunk_size=chunk_size, progress=bar.update)
        summary = result.to_dict()
        _print_errors(summary["errors"])
        report = candidate_report(engine, scorer.model_id, generation_run=generation_run, hardest=hardest)
        if as_json:
            click.echo(json.dumps({"run": summary, "config": scorer.config, "report": report}, indent=2, default=str))
            return
        console.print(
            f"run {summary['run_id']}: scored {summary['candidates_scored']} candidates, "
            f"{summary['candidates_failed']} failed, {summary['candidates_without_image']} without an image; "
            f"encoded {summary['images_encoded']} images and {summary['texts_encoded']} texts "
            f"({summary['images_cached']} and {summary['texts_cached']} from the cache)", highlight=False)
        _print_report(report, hardest)

    @main.command("eval-benchmark")
    @click.argument("path", type=click.Path(exists=True, path_type=Path))
    @click.option("--images", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
                  help="Folder the benchmark's image file names are joined to (e.g. COCO val2017).")
    @model_options
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="JSON result file (default: eval_<benchmark>.json).")
    @click.option("--no-cache", is_flag=True, help="Do not read or write the embedding cache in the database.")
    @click.option("--bootstrap", type=click.IntRange(100), default=1000, show_default=True,
                  help="Bootstrap resamples for the confidence intervals.")
    @db_option
    @json_option
    def eval_benchmark(path, images, model, pretrained, random_weights, device, precision, batch_size, num_workers,
                       quick_gelu, out, no_cache, bootstrap, db, as_json) -> None:
        """Evaluate a model on a SugarCrepe-format folder/file or a pairs JSONL; print a table, write JSON.

        A pair passes when the image is strictly closer to the caption than to the negative (ties fail,
        as in SugarCrepe). With the official SugarCrepe JSON files and COCO val2017 images this reproduces
        the published numbers of a model.

        \b
        Example:
          hardneg eval-benchmark sugar-crepe/data --images val2017/ --model ViT-B-32 --pretrained openai
        """
        from toolkit.evaluation.scoring.benchmark_eval import evaluate_benchmark, write_json
        from toolkit.evaluation.scoring.cache import DbCache, MemoryCache
        from toolkit.evaluation.scoring.runs import start_run, update_run

        engine = None
        if not no_cache:
            from toolkit.store.db import make_engine

            engine = make_engine(db)
        scorer = _scorer(model, pretrained, random_weights, device, precision, batch_size, num_workers, quick_gelu,
                         DbCache(engine) if engine is not None else MemoryCache())
        run_id = start_run(engine, scorer, "benchmark", {"benchmark": str(path)}) if engine is not None else None
        try:
            result = evaluate_benchmark(path, scorer, image_root=images, n_boot=bootstrap)
        except ValueError as exc:
            if run_id:
                update_run(engine, run_id, {"error": str(exc)}, status="failed")
            raise click.ClickException(str(exc)) from exc
        result["run_id"] = run_id
        if run_id:
            update_run(engine, run_id, {k: v for k, v in result.items() if k not in ("pairs", "model")}, status="done")
        out = out or Path(f"eval_{path.stem if path.is_file() else path.name}.json")
        write_json(result, out)
        _print_errors(result["bad_records"] + result["errors"])
        if as_json:
            click.echo(json.dumps({k: v for k, v in result.items() if k != "pairs"}, indent=2, default=str))
            return
        console.print(accuracy_rich_table(result["categories"], ["category"], f"{path} — {scorer.model_id}"))
        for fam in result["families"]:
            console.print(f"{fam['family']:8s} mean of {fam['categories']} categories: "
                          f"{100 * fam['mean_accuracy']:.1f}", highlight=False)
        o = result["overall"]
        if o:
            console.print(f"overall {100 * o['accuracy']:.1f}% of {o['n']} pairs; {o['ties']} ties "
                          f"({result['note']})", highlight=False)
        console.print(f"{result['pairs_failed']} pairs could not be scored; wrote {out}", highlight=False)
