"""`hardneg pipeline` and `hardneg import-parquet`: scale-out over caption shards (toolkit.scale)."""

from __future__ import annotations

import json

import click
from rich.console import Console

from toolkit.faces.commands.options import db_option, generation_config, generation_options, json_option

console = Console()


def _print_shard(result) -> None:
    if result.status == "failed":
        click.echo(f"FAILED {result.shard}: {result.error}", err=True)
    elif result.status == "skipped":
        click.echo(f"skipped {result.shard} (finished before)", err=True)
    else:
        click.echo(f"done {result.shard}: {result.captions} captions, {result.candidates} candidates, "
                   f"{result.bad} bad records, {result.seconds:.1f}s", err=True)
        for bad in result.bad_examples[:5]:
            click.echo(f"  skipped {bad}", err=True)


@click.command()
@click.option("--input", "inputs", multiple=True, required=True, metavar="SHARDS",
              help="Parquet/JSONL file, folder or glob; local or any fsspec URL. Repeatable.")
@click.option("--output", required=True, metavar="DIR", help="Folder (or fsspec URL) for the Parquet shards.")
@click.option("--lm-corpus", "lm_corpus", multiple=True, metavar="SHARDS",
              help="Shards whose captions the plausibility language model is fitted on (default: the --input "
                   "shards). Give the first run's inputs when re-running a failed shard alone: same model, same run.")
@click.option("--engine", type=click.Choice(["ray", "local"]), default="ray", show_default=True,
              help="ray: Ray Data actors; local: one process, same code.")
@click.option("--ray-address", default=None, metavar="ADDR", help="Join this Ray cluster (default: start Ray locally).")
@click.option("--num-cpus", type=click.IntRange(1), default=None, help="CPUs of a locally started Ray (default: all).")
@click.option("--actors", type=click.IntRange(1), default=None, help="Generation actors (default: one per CPU).")
@click.option("--rows-per-piece", type=click.IntRange(1), default=1000, show_default=True,
              help="Captions per block: what spreads one shard over the actors.")
@generation_options
@click.option("--max-candidates", type=click.IntRange(1), default=40, show_default=True,
              help="Cap per caption (and per depth level).")
@click.option("--max-chars", type=click.IntRange(1), default=1000, show_default=True, help="Longer captions are skipped.")
@click.option("--image-root", default=None, help="Prefix joined to relative image paths.")
@click.option("--filter", "rule_filter", type=click.Choice(["none", "rules"]), default="none", show_default=True,
              help="rules: drop candidates the offline grammar/validity rules reject (a run of its own).")
@click.option("--score", "score_model", default=None, metavar="MODEL",
              help="Also score every candidate with this open_clip model on GPU actors (ray engine).")
@click.option("--pretrained", default=None, help="Weights tag or local file for --score.")
@click.option("--score-batch", type=click.IntRange(1), default=256, show_default=True, help="Rows per GPU batch.")
@click.option("--score-actors", type=click.IntRange(1), default=1, show_default=True, help="GPU actors (one GPU each).")
@click.option("--score-gpus", type=click.FloatRange(0), default=1.0, show_default=True,
              help="GPUs per scoring actor (0 runs the scorer on CPU, for testing).")
@json_option
def pipeline(inputs, output, lm_corpus, engine, ray_address, num_cpus, actors, rows_per_piece, operators, subtypes, depth,
             per_site, seed, plausibility, max_drop, max_candidates, max_chars, image_root, rule_filter, score_model, pretrained, score_batch, score_actors,
             score_gpus, as_json) -> None:
    """Parse and generate over caption shards on Ray Data (or in one process), writing Parquet shards of
    candidates with full provenance into DIR/<shard>/. Finished shards are skipped when re-run; a failed
    shard is named and can be re-run alone with --input. Load the result with `hardneg import-parquet`.

    \b
    Example:
      hardneg pipeline --input captions/ --output negatives/ --operators swap,replace --seed 1
      hardneg pipeline --input 's3://bucket/laion/*.parquet' --output s3://bucket/neg --ray-address auto \\
          --score ViT-B-32 --pretrained laion2b_s34b_b79k
    """
    from toolkit.scale.worker import RunSpec

    try:
        config = generation_config(operators, subtypes, depth, max_candidates, per_site, seed, plausibility, max_drop)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    spec = RunSpec(config.to_dict(), max_chars=max_chars, image_root=image_root, rule_filter=rule_filter == "rules")
    if score_model and engine != "ray":
        raise click.BadParameter("--score needs --engine ray", param_hint="--score")
    try:
        if engine == "ray":
            try:
                from toolkit.scale.ray_pipeline import run_ray
            except ImportError as exc:
                raise click.ClickException(f"{exc}; install the extra: pip install 'hardneg[ray]'") from exc
            score = None
            if score_model:
                score = {"model": score_model, "pretrained": pretrained, "batch_size": score_batch,
                         "actors": score_actors, "num_gpus": score_gpus}
            report = run_ray(inputs, output, spec, rows_per_piece=rows_per_piece, actors=actors,
                             ray_address=ray_address, num_cpus=num_cpus, score=score, on_shard=_print_shard,
                             lm_corpus=lm_corpus or None)
        else:
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            from toolkit.scale.local import run_local

            columns = (SpinnerColumn(), TextColumn("{task.completed} captions"), TimeElapsedColumn())
            with Progress(*columns, console=Console(stderr=True), disable=as_json) as bar:
                task = bar.add_task("captions", total=None)
                report = run_local(inputs, output, spec, rows_per_piece=rows_per_piece,
                                   progress=lambda n: bar.advance(task, n), on_shard=_print_shard,
                                   lm_corpus=lm_corpus or None)
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    d = report.to_dict()
    if as_json:
        click.echo(json.dumps(d, indent=2))
    else:
        console.print(f"run [bold]{d['run_id']}[/] ({d['engine']}): {d['shards_done']} shards done, "
                      f"{d['shards_skipped']} finished before, {len(d['shards_failed'])} failed; {d['captions']} "
                      f"captions, {d['candidates']} candidates in {d['seconds']:.1f}s -> {output}")
    if report.failed:
        names = " ".join(f"--input {s.shard}" for s in report.failed)
        if config.plausibility:  # the same language model, so the same run and candidates
            names += "".join(f" --lm-corpus {x}" for x in (lm_corpus or inputs))
        raise click.ClickException(f"{len(report.failed)} shard(s) failed; re-run them alone with: {names}")


@click.command("import-parquet")
@click.argument("directory", metavar="DIR")
@click.option("--batch-rows", type=click.IntRange(1), default=1000, show_default=True, help="Captions per transaction.")
@db_option
@json_option
def import_parquet_cmd(directory, batch_rows, db, as_json) -> None:
    """Load the shards written by `hardneg pipeline` into the database, in bulk; importing twice adds nothing.

    \b
    Example:
      hardneg import-parquet negatives/ --db postgresql+psycopg://team@dbhost/hardneg
    """
    from toolkit.scale.importer import import_parquet
    from toolkit.store.db import make_engine

    engine = make_engine(db)
    try:
        report = import_parquet(engine, directory, batch_rows=batch_rows)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    for bad in report.bad_examples[:10]:
        click.echo(f"skipped {bad}", err=True)
    d = report.to_dict()
    if as_json:
        click.echo(json.dumps(d, indent=2))
    else:
        console.print(f"imported {d['shards']} shards: {d['captions_inserted']} new captions, "
                      f"{d['captions_marked_done']} marked done, {d['candidates_imported']} candidates, "
                      f"{d['bad_records']} bad records skipped")


def register(main: click.Group) -> None:
    """Add `pipeline` and `import-parquet` to the hardneg command."""
    main.add_command(pipeline)
    main.add_command(import_parquet_cmd)
