"""The `hardneg` command line: thin wrappers over importable functions (toolkit.pipeline, toolkit.operators)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console

from toolkit.commands.options import db_option, json_option
from toolkit.commands.options import open_engine as _engine
from toolkit.names import OPERATOR_NAMES, SAMPLE, SUBTYPES

console = Console()
MAX_BAD_SHOWN = 10


def _csv_choice(allowed: tuple[str, ...]):
    def parse(_ctx, param, value: str | None) -> tuple[str, ...]:
        if value is None:
            return allowed
        items = tuple(v.strip().lower() for v in value.split(",") if v.strip())
        bad = [v for v in items if v not in allowed]
        if bad or not items:
            raise click.BadParameter(f"{', '.join(bad) or 'empty'}: choose from {', '.join(allowed)}", param=param)
        return items

    return parse


def generation_options(f):
    f = click.option("--operators", callback=_csv_choice(OPERATOR_NAMES), default=None, metavar="LIST",
                     help="Comma-separated: swap,replace,add (default: all).")(f)
    f = click.option("--subtypes", callback=_csv_choice(SUBTYPES), default=None, metavar="LIST",
                     help="Comma-separated: obj,att,rel (default: all).")(f)
    f = click.option("--depth", type=click.IntRange(1, 5), default=1, show_default=True,
                     help="Operators composed at distinct sites.")(f)
    f = click.option("--per-site", type=click.IntRange(1, 50), default=4, show_default=True,
                     help="Substitutes tried at each site.")(f)
    f = click.option("--seed", type=int, default=0, show_default=True, help="Selection seed (output is deterministic).")(f)
    f = click.option("--plausibility/--no-plausibility", default=True, show_default=True,
                     help="Draw substitutes by how often captions use them and drop candidates much less probable "
                          "than their caption, under a language model of the stored captions.")(f)
    f = click.option("--max-plausibility-drop", "max_drop", type=click.FloatRange(0), default=5.0, show_default=True,
                     help="Nats a candidate may be less probable than its caption (after a word's mean cost per "
                          "extra word) before it is dropped.")(f)
    return f


ADD_LENGTHS = ("longer", "neutral", "both")  # toolkit.operators.neutral.ADD_LENGTHS (not imported: keeps startup light)


def add_length_option(f):
    return click.option(
        "--add-length", type=click.Choice(ADD_LENGTHS), default="both", show_default=True,
        help="ADD negatives: 'longer' (an insertion: longer than the caption), 'neutral' (each insertion with a "
             "deletion elsewhere of as many words that keeps the caption true: as long as the caption, "
             "length_delta 0), 'both' (each ADD site offers both).")(f)


def _config(operators, subtypes, depth, max_candidates, per_site, seed, plausibility=True, max_drop=5.0,
            add_length="both"):
    from toolkit.operators import GenerationConfig

    return GenerationConfig(tuple(operators), tuple(subtypes), depth, max_candidates, per_site, seed,
                            plausibility=plausibility, max_plausibility_drop=max_drop, add_length=add_length)


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
    from toolkit.ingest import read_captions
    from toolkit.pipeline import ingest as run_ingest

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
def generate(operators, subtypes, depth, per_site, seed, add_length, plausibility, max_drop, max_candidates, limit,
             corpus, workers, db, as_json) -> None:
    """Generate candidates for every stored caption; an interrupted run resumes where it stopped.

    \b
    Example:
      hardneg generate --operators swap,replace --depth 2 --seed 1
      hardneg generate --operators add --add-length neutral
    """
    from sqlalchemy import func, select

    from toolkit.pipeline import generate_run
    from toolkit.store.models import Caption

    try:
        config = _config(operators, subtypes, depth, max_candidates, per_site, seed, plausibility, max_drop,
                         add_length=add_length)
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
def negatives(caption, operators, subtypes, depth, per_site, seed, add_length, plausibility, max_drop, max_candidates,
              as_json) -> None:
    """Negatives for one caption, without a database.

    \b
    Example:
      hardneg negatives "A black dog chasing a white cat." --operators swap --json
    """
    from toolkit.negatives import negatives_for

    config = _config(operators, subtypes, depth, max_candidates, per_site, seed, plausibility, max_drop,
                     add_length=add_length)
    try:
        result = negatives_for(caption, config)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    from toolkit.display import candidates_table

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
    from toolkit.export import export_jsonl

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
    from toolkit.display import counts_table
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
    from toolkit.quickstart import run_quickstart

    run_quickstart(db, sample, examples, console)


def _register_features() -> None:
    """Commands of feature modules (`toolkit/commands/*.py`), one line each."""
    from toolkit.commands import scoring; scoring.register(main)  # noqa: E702,I001  (score, eval-benchmark)
    from toolkit.commands import curation; curation.register(main)  # noqa: E702,I001  (set, curate, review, export-set, import-set)
    from toolkit.commands import filters; filters.register(main)  # noqa: E702,I001  (filter, audit)
    from toolkit.commands import scale; scale.register(main)  # noqa: E702,I001  (pipeline, import-parquet)
    from toolkit.commands import replicate; replicate.register(main)  # noqa: E702,I001  (replicate)
    from toolkit.commands import agents; agents.register(main)  # noqa: E702,I001  (tools schema, mcp)


if __name__ == "__main__":
    # `python -m toolkit.cli`: run the group of the module `toolkit.cli` (the one the command modules see), not a
    # second copy of it registered from here
    from toolkit.cli import main as _main

    _main()
else:
    _register_features()
