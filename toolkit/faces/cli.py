"""The `hardneg` command line: thin wrappers over importable functions (toolkit.generation.pipeline, toolkit.generation.operators)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console

from toolkit.faces.commands.options import (
    add_length_option,
    db_option,
    generation_config,
    generation_options,
    json_option,
)
from toolkit.faces.commands.options import open_engine as _engine
from toolkit.generation.names import SAMPLE

console = Console()
MAX_BAD_SHOWN = 10


def _print_bad(report) -> None:
    for bad in report.bad[:MAX_BAD_SHOWN]:
        click.echo(f"skipped {bad}", err=True)  # plain echo: a file:line reference must not be wrapped
    if len(report.bad) > MAX_BAD_SHOWN:
        click.echo(f"... and {len(report.bad) - MAX_BAD_SHOWN} more", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hardneg")
def main() -> None:
    """hardneg: compositional hard negatives (SWAP / REPLACE / ADD) for vision-language models.

    \b
    Example:
      hardneg quickstart
      hardneg negatives "A black dog chasing a white cat."
    """


@main.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["auto", "jsonl", "csv", "coco", "sugarcrepe", "txt"]), default="auto",
              show_default=True, help="Input format (auto: by extension / content).")
@click.option("--image-root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory that relative image paths are joined to.")
@click.option("--max-chars", type=click.IntRange(1), default=1000, show_default=True, help="Longer captions are skipped.")
@click.option("--no-parse", is_flag=True, help="Store captions only; they are parsed when first generated from.")
@db_option
@json_option
def ingest(path, fmt, image_root, max_chars, no_parse, db, as_json) -> None:
    """Store captions from a JSONL, CSV, TXT, COCO captions JSON or SugarCrepe folder, and parse them once.

    \b
    Example:
      hardneg ingest captions.jsonl --image-root images/
    """
    from toolkit.generation.pipeline import ingest as run_ingest
    from toolkit.text.ingest import read_captions

    engine = _engine(db)
    try:
        records = read_captions(path, format=fmt, max_chars=max_chars, image_root=image_root)
        with console.status(f"ingesting {path}") if not as_json else _nullcontext():
            report = run_ingest(engine, records, parse=not no_parse)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    _print_bad(report)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        d = report.to_dict()
        console.print(
            f"read {d['read']}, stored {d['inserted']} new, {d['duplicates']} already stored, parsed {d['parsed']}, "
            f"skipped {d['skipped']}" + (f" {d['skipped_by_reason']}" if d["skipped"] else "")
        )


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@main.command()
@generation_options
@click.option("--max-candidates", type=click.IntRange(1), default=16, show_default=True,
              help="Cap per caption (and per depth level).")
@click.option("--limit", type=click.IntRange(1), default=None, help="Process at most this many captions now.")
@click.option("--corpus", is_flag=True, help="Order each site's valid choices by counts mined from all stored "
              "captions (parses them all first; the counts' digest becomes part of the run id).")
@click.option("--workers", type=click.IntRange(0), default=None,
              help="Processes that parse and generate (default: one per core; 0: all in this process). "
                   "The candidates do not depend on it.")
@db_option
@json_option
@add_length_option
def generate(operators, subtypes, depth, per_site, seed, add_length, max_neutral_drop, plausibility, max_drop,
             max_candidates, limit, corpus, workers, db, as_json) -> None:
    """Generate candidates for every stored caption; an interrupted run resumes where it stopped.

    \b
    Example:
      hardneg generate --operators swap,replace --depth 2 --seed 1
      hardneg generate --operators add --add-length neutral
    """
    from sqlalchemy import func, select

    from toolkit.generation.pipeline import generate_run
    from toolkit.store.models import Caption

    try:
        config = generation_config(operators, subtypes, depth, max_candidates, per_site, seed, plausibility, max_drop,
                         add_length=add_length, max_neutral_drop=max_neutral_drop)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    engine = _engine(db)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(Caption.__table__)).scalar_one()
    if as_json:
        report = generate_run(engine, config, limit=limit, corpus=corpus, workers=workers)
        click.echo(json.dumps(report.to_dict(), indent=2))
        return
    with click.progressbar(length=min(total, limit or total), label="generating", file=sys.stderr) as bar:
        report = generate_run(engine, config, limit=limit, progress=bar.update, corpus=corpus, workers=workers)
    _print_run(report.to_dict())


def _print_run(d: dict) -> None:
    console.print(
        f"run [bold]{d['run_id']}[/]: {d['captions']} captions processed now, {d['candidates']} candidates stored, "
        f"{d['captions_without_candidates']} captions gave none"
    )
    if d["skipped_sites"]:
        console.print("operators that did not apply (per caption):")
        for reason, n in list(d["skipped_sites"].items())[:8]:
            console.print(f"  {n:6d}  {reason}", highlight=False)


@main.command()
@click.argument("caption")
@generation_options
@click.option("-n", "--max-candidates", type=click.IntRange(1), default=20, show_default=True, help="How many to show.")
@json_option
@add_length_option
def negatives(caption, operators, subtypes, depth, per_site, seed, add_length, max_neutral_drop, plausibility, max_drop,
              max_candidates, as_json) -> None:
    """Negatives for one caption, without a database.

    \b
    Example:
      hardneg negatives "A black dog chasing a white cat." --operators swap --json
    """
    from toolkit.generation.negatives import negatives_for

    config = generation_config(operators, subtypes, depth, max_candidates, per_site, seed, plausibility, max_drop,
                     add_length=add_length, max_neutral_drop=max_neutral_drop)
    try:
        result = negatives_for(caption, config)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    from toolkit.faces.display import candidates_table

    rows = [{"caption": caption, **c, "detail": "; ".join(e["detail"] for e in c["provenance"]["edits"])}
            for c in result["candidates"]]
    if rows:
        console.print(candidates_table(rows))
    for skip in result["skipped"]:
        console.print(f"[dim]{skip['operator']}/{skip['subtype']} did not apply: {skip['reason']}[/]", highlight=False)


@main.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--run", "run_id", default=None, help="Only this run's candidates.")
@db_option
def export(out, run_id, db) -> None:
    """Write candidates with full provenance as JSONL (one object per line).

    \b
    Example:
      hardneg export negatives.jsonl
    """
    from toolkit.curation.export import export_jsonl

    n = export_jsonl(_engine(db), out, run_id=run_id)
    console.print(f"wrote {n} candidates to {out}")


@main.command()
@db_option
@json_option
def stats(db, as_json) -> None:
    """Counts of captions, parses, runs and candidates by operator.

    \b
    Example:
      hardneg stats --json
    """
    from toolkit.faces.display import counts_table
    from toolkit.store.queries import counts

    with _engine(db).connect() as conn:
        d = counts(conn)
    if as_json:
        click.echo(json.dumps(d, indent=2))
        return
    console.print(f"{d['captions']} captions, {d['images']} images, {d['parses']} parses, {d['runs']} runs, "
                  f"{d['candidates']} candidates")
    if d["by_operator"]:
        console.print(counts_table(d["by_operator"]))


@main.command()
@click.option("--sample", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=SAMPLE,
              help="Captions to start from (default: the bundled COCO sample).")
@click.option("--examples", type=click.IntRange(0), default=6, show_default=True, help="Example negatives to show.")
@db_option
def quickstart(sample, examples, db) -> None:
    """Ingest the bundled COCO captions into ./hardneg.db, run all three operators, show what came out.

    \b
    Example:
      hardneg quickstart
    """
    from toolkit.faces.quickstart import run_quickstart

    run_quickstart(db, sample, examples, console)


def _register_features() -> None:
    """Commands of feature modules (`toolkit/faces/commands/*.py`), one line each."""
    from toolkit.faces.commands import scoring; scoring.register(main)  # noqa: E702,I001  (score, eval-benchmark)
    from toolkit.faces.commands import curation; curation.register(main)  # noqa: E702,I001  (set, curate, review, export-set, import-set)
    from toolkit.faces.commands import filters; filters.register(main)  # noqa: E702,I001  (filter, audit)
    from toolkit.faces.commands import scale; scale.register(main)  # noqa: E702,I001  (pipeline, import-parquet)
    from toolkit.faces.commands import replicate; replicate.register(main)  # noqa: E702,I001  (replicate)
    from toolkit.faces.commands import agents; agents.register(main)  # noqa: E702,I001  (tools schema, mcp)


if __name__ == "__main__":
    # `python -m toolkit.faces.cli`: run the group of the module `toolkit.faces.cli` (the one the command modules see), not a
    # second copy of it registered from here
    from toolkit.faces.cli import main as _main

    _main()
else:
    _register_features()
