"""`hardneg set ...`, `curate`, `review`, `export-set`, `import-set`: thin wrappers over toolkit.curation.sets,
toolkit.curation.decisions, toolkit.faces.tui and toolkit.curation.formats."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from toolkit.faces.commands.options import db_option, json_option
from toolkit.faces.commands.options import open_engine as _engine
from toolkit.generation.names import FORMAT_NAMES, OPERATOR_NAMES, SUBTYPES

console = Console(soft_wrap=True)  # one-line summaries stay on one line (scripts grep them)
MAX_BAD_SHOWN = 10

def _csv(allowed: tuple[str, ...] | None = None, cast=str):
    def parse(_ctx, param, value: str | None) -> tuple:
        if not value:
            return ()
        items = [v.strip().lower() for v in value.split(",") if v.strip()]
        if allowed is not None and (bad := [v for v in items if v not in allowed]):
            raise click.BadParameter(f"{', '.join(bad)}: choose from {', '.join(allowed)}", param=param)
        try:
            return tuple(cast(v) for v in items)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param=param) from exc

    return parse


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


def _print_bad(bad: list) -> None:
    for b in bad[:MAX_BAD_SHOWN]:
        click.echo(f"skipped {b}", err=True)
    if len(bad) > MAX_BAD_SHOWN:
        click.echo(f"... and {len(bad) - MAX_BAD_SHOWN} more", err=True)


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def register(main: click.Group) -> None:
    """Add the curation commands to the `hardneg` group."""
    main.add_command(set_group)
    main.add_command(curate)
    main.add_command(review)
    main.add_command(export_set_cmd)
    main.add_command(import_set_cmd)


# --------------------------------------------------------------------------- sets


@click.group("set")
def set_group() -> None:
    """Benchmark sets: create, list, stats, merge, drop.

    \b
    Example:
      hardneg set create swap-hard --operators swap --order hardest --sample 300 --seed 1
      hardneg set stats swap-hard
    """


@set_group.command("create")
@click.argument("name")
@click.option("--operators", callback=_csv(OPERATOR_NAMES), default=None, metavar="LIST",
              help="Comma-separated swap,replace,add (a composed candidate needs all its operators listed).")
@click.option("--subtypes", callback=_csv(SUBTYPES), default=None, metavar="LIST", help="Comma-separated obj,att,rel.")
@click.option("--depth", "depths", callback=_csv(cast=int), default=None, metavar="LIST", help="Depths, e.g. 1 or 1,2.")
@click.option("--run", "runs", multiple=True, metavar="ID", help="Only candidates of this generation run (repeatable).")
@click.option("--verdict", type=click.Choice(["any", "passed", "failed"]), default="any", show_default=True,
              help="passed: every filter verdict passed; failed: some verdict failed (needs the filters' verdicts).")
@click.option("--judge", "judges", multiple=True, metavar="NAME", help="Only this judge's verdicts count (repeatable).")
@click.option("--model", default=None, metavar="ID", help="Score model for margins (default: the only one scored).")
@click.option("--max-margin", type=float, default=None, help="Keep candidates with margin <= this (pos - neg similarity).")
@click.option("--min-margin", type=float, default=None, help="Keep candidates with margin >= this.")
@click.option("--order", type=click.Choice(["random", "hardest"]), default="random", show_default=True,
              help="Review order and, with --sample, which items each stratum keeps (hardest: smallest margin).")
@click.option("--sample", type=click.IntRange(1), default=None, help="Total size, split evenly over strata.")
@click.option("--stratify", type=click.Choice(["operator", "category"]), default="operator", show_default=True,
              help="Strata for --sample: operator, or category (operator_subtype).")
@click.option("--seed", type=int, default=0, show_default=True, help="Sampling and shuffling seed.")
@click.option("--balance", is_flag=True,
              help="Before sampling, subsample each category until every blind text-only baseline of `hardneg audit` "
                   "(length, lm, lm_per_token, plausibility, adversary) is near chance; a category that cannot be "
                   "balanced (plain ADD: longer negatives) is dropped and named.")
@click.option("--tolerance", type=click.FloatRange(0, 0.5), default=0.05, show_default=True,
              help="With --balance: |accuracy - 0.5| a balanced baseline may keep.")
@click.option("--min-keep", type=click.FloatRange(0, 1), default=0.2, show_default=True,
              help="With --balance: keep at least this fraction of each category's candidates.")
@click.option("--benchmark", is_flag=True,
              help="Preset: --verdict passed with the rules judge (or --judge), --stratify category, --balance.")
@click.option("--description", default="", help="Free text stored with the set and written to dataset cards.")
@db_option
@json_option
@click.pass_context
def set_create(ctx, name, operators, subtypes, depths, runs, verdict, judges, model, max_margin, min_margin, order,
               sample, stratify, seed, balance, tolerance, min_keep, benchmark, description, db, as_json) -> None:
    """Select candidates into a stored set.

    With --balance (or --benchmark) the matched candidates are balanced per category against the blind
    baselines before sampling; the figures before and after, per category, are stored with the set
    (`hardneg set list --json`, `--json` here) and written to exported dataset cards.

    \b
    Example:
      hardneg set create dev-300 --sample 300 --stratify category --seed 7
      hardneg set create fooled --verdict passed --max-margin 0 --order hardest
      hardneg filter --rules && hardneg set create bench --benchmark --sample 1000 --seed 1
    """
    from click.core import ParameterSource

    from toolkit.curation.sets import Selection, create_set

    if benchmark and ctx.get_parameter_source("verdict") is ParameterSource.COMMANDLINE and verdict != "passed":
        raise click.UsageError(f"--benchmark takes the candidates the filters passed; drop --verdict {verdict}")
    given_stratify = ctx.get_parameter_source("stratify") is ParameterSource.COMMANDLINE
    fields = {"operators": tuple(operators), "subtypes": tuple(subtypes), "depths": tuple(depths), "runs": tuple(runs),
              "verdict": verdict, "judges": tuple(judges), "model": model, "max_margin": max_margin,
              "min_margin": min_margin, "order": order, "sample": sample, "seed": seed, "balance": balance,
              "tolerance": tolerance, "min_keep": min_keep}
    if given_stratify or not benchmark:
        fields["stratify"] = stratify
    if benchmark:
        del fields["verdict"]  # the preset's: passed
    try:
        sel = Selection.benchmark(**fields) if benchmark else Selection(**fields)
        if sel.balance and not as_json:
            click.echo("balancing the matched candidates against the blind baselines (parses the negatives, fits "
                       "the adversary per category) ...", err=True)
        summary = create_set(_engine(db), name, sel, description)
    except ValueError as exc:
        raise _fail(exc) from exc
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2))
        return
    console.print(f"set [bold]{name}[/]: {summary.items} items ({summary.matched} candidates matched, "
                  f"{summary.duplicates} duplicates by content) " + ", ".join(f"{k} {v}" for k, v in summary.by_stratum.items()),
                  highlight=False)
    if summary.balance:
        _print_balance(summary.balance)


def _print_balance(b: dict) -> None:
    """The balancing at set creation, one line per category: candidates before -> kept, each baseline
    before -> after (share of pairs where a text-only baseline picks the caption; 0.5 = blind)."""
    bases = b["baselines"]
    console.print(f"balanced against the blind baselines (tolerance {b['tolerance']}, min keep {b['min_keep']}; "
                  "share of pairs a text-only baseline decides for the caption, 0.50 = blind):", highlight=False)
    for cat, v in b["by_category"].items():
        before, after = v["before"], v["after"]
        if v["dropped"]:
            figures = ", ".join(f"{x} {before[x]:.2f}" for x in bases)
            console.print(f"  {cat}: {before['n']} → dropped; {figures}", highlight=False)
        else:
            figures = ", ".join(f"{x} {before[x]:.2f} → {after[x]:.2f}" for x in bases)
            console.print(f"  {cat}: {before['n']} → {v['kept']} kept; {figures}", highlight=False)
    plain_add = False
    for cat, stuck in b["dropped"].items():
        plain = cat.startswith("add/") and "length-neutral" not in cat
        plain_add |= plain
        why = " (plain ADD: its negatives are longer than their captions)" if plain else ""
        console.print(f"dropped {cat}: cannot be balanced by subsampling on {', '.join(stuck)}{why}", highlight=False)
    if plain_add:
        console.print("a balanced set holds length-neutral ADD only (ADD negatives with the caption's word count), "
                      "never plain ADD", highlight=False)
    for cat, far in b["off_chance"].items():
        console.print(f"{cat}: still off chance at --min-keep {b['min_keep']}: "
                      + ", ".join(f"{k} {v:.2f}" for k, v in far.items()), highlight=False)
    for cat, note in (b.get("adversary_notes") or {}).items():
        console.print(f"{cat}: {note}", highlight=False)
    for cat, v in b["by_category"].items():
        neg = (v["telling"].get("after") or {}).get("negative") or []
        if neg and not v["dropped"]:
            console.print(f"{cat}: most telling n-grams left (adversary re-fitted on the kept): "
                          + ", ".join(f"{g!r} {w:+.2f}" for g, w in neg), highlight=False)


@set_group.command("list")
@db_option
@json_option
def set_list(db, as_json) -> None:
    """List stored sets.

    \b
    Example:
      hardneg set list --json
    """
    from toolkit.curation.sets import list_sets

    sets = list_sets(_engine(db))
    if as_json:
        click.echo(json.dumps(sets, indent=2))
        return
    if not sets:
        console.print("no sets stored (create one with `hardneg set create NAME`)")
        return
    table = Table(title="Benchmark sets")
    for col in ("name", "items", "created", "description"):
        table.add_column(col, justify="right" if col == "items" else "left")
    for s in sets:
        table.add_row(s["name"], str(s["items"]), s["created_at"][:19], s["description"])
    console.print(table)


@set_group.command("stats")
@click.argument("name")
@db_option
@json_option
def set_stats_cmd(name, db, as_json) -> None:
    """Items per operator, decisions per annotator, outcomes, acceptance rates and Cohen's kappa.

    \b
    Example:
      hardneg set stats dev-300
    """
    from toolkit.curation.decisions import set_stats

    try:
        d = set_stats(_engine(db), name)
    except ValueError as exc:
        raise _fail(exc) from exc
    if as_json:
        click.echo(json.dumps(d, indent=2))
        return
    console.print(f"set [bold]{d['name']}[/]: {d['items']} items; outcomes "
                  + (", ".join(f"{k} {v}" for k, v in d["outcomes"].items()) or "none")
                  + f"; acceptance rate {d['acceptance_rate']}", highlight=False)
    from toolkit.faces.display import outcomes_table

    console.print(outcomes_table(d["by_operator"]))
    if d["annotators"]:
        ann = Table(title="Annotators")
        for col in ("annotator", "decided", "accept", "reject", "ignore", "edit"):
            ann.add_column(col, justify="left" if col == "annotator" else "right")
        for a, c in d["annotators"].items():
            ann.add_row(a, *(str(c.get(k, 0)) for k in ("decided", "accept", "reject", "ignore", "edit")))
        console.print(ann)
    for p in d["agreement"]:
        kappa = "undefined" if p["kappa"] is None else f"{p['kappa']:.3f}"
        console.print(f"Cohen's kappa {' / '.join(p['annotators'])}: {kappa} over {p['items']} shared items "
                      f"({p['agreed']} agreed)", highlight=False)


@set_group.command("merge")
@click.argument("name")
@click.argument("sources", nargs=-1, required=True)
@click.option("--description", default="", help="Stored with the new set.")
@db_option
@json_option
def set_merge(name, sources, description, db, as_json) -> None:
    """A new set NAME with the items of SOURCES (the same content once).

    \b
    Example:
      hardneg set merge all-swaps swap-obj swap-att
    """
    from toolkit.curation.sets import merge_sets

    try:
        summary = merge_sets(_engine(db), name, list(sources), description)
    except ValueError as exc:
        raise _fail(exc) from exc
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2))
        return
    console.print(f"set [bold]{name}[/]: {summary.items} items from {len(sources)} sets "
                  f"({summary.duplicates} duplicates dropped)", highlight=False)


@set_group.command("drop")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@db_option
def set_drop(name, yes, db) -> None:
    """Delete a set (its decisions are kept: they belong to the items' content).

    \b
    Example:
      hardneg set drop old-draft --yes
    """
    from toolkit.curation.sets import drop_set

    if not yes:
        click.confirm(f"drop set {name!r}?", abort=True)
    try:
        n = drop_set(_engine(db), name)
    except ValueError as exc:
        raise _fail(exc) from exc
    console.print(f"dropped set {name} ({n} items; decisions kept)", highlight=False)


# --------------------------------------------------------------------------- sessions


@click.command()
@click.argument("name")
@click.option("--annotator", envvar="HARDNEG_ANNOTATOR", default=_default_user, show_default="$USER",
              help="Who is deciding (also $HARDNEG_ANNOTATOR).")
@click.option("--viewer", envvar="HARDNEG_VIEWER", default=None, metavar="CMD",
              help="Command that opens an image (the path is appended); default: the system viewer.")
@db_option
def curate(name, annotator, viewer, db) -> None:
    """Review a set's items in the terminal: accept, reject, ignore, edit, undo. Each decision is saved at
    once; running it again resumes at the first undecided item.

    \b
    Keys: a accept · r reject · i ignore · e edit the negative · u undo · o open image · q quit
    Example:
      hardneg curate dev-300 --annotator alice
    """
    from toolkit.curation.decisions import SessionStore
    from toolkit.faces.tui import Keys, default_opener, run_curate

    try:
        store = SessionStore(_engine(db), name, annotator)
        keys = Keys()
    except (ValueError, RuntimeError) as exc:
        raise _fail(exc) from exc
    with keys:
        run_curate(store, keys, console, default_opener(viewer))


@click.command()
@click.argument("name")
@click.option("--reviewer", envvar="HARDNEG_ANNOTATOR", default=_default_user, show_default="$USER",
              help="Who records the final decisions.")
@click.option("--list", "list_only", is_flag=True, help="Only list the conflicts (no terminal session).")
@click.option("--viewer", envvar="HARDNEG_VIEWER", default=None, metavar="CMD", help="Command that opens an image.")
@db_option
@json_option
def review(name, reviewer, list_only, viewer, db, as_json) -> None:
    """Show items annotators disagree on and record the final decision for each.

    \b
    Keys: a accept · r reject · i ignore · 1-9 take that annotator's decision · s skip · q quit
    Example:
      hardneg review dev-300 --reviewer carol
      hardneg review dev-300 --list --json
    """
    from toolkit.curation.decisions import conflicts

    engine = _engine(db)
    if list_only or as_json:
        try:
            found = conflicts(engine, name)
        except ValueError as exc:
            raise _fail(exc) from exc
        if as_json:
            click.echo(json.dumps(found, indent=2, ensure_ascii=False))
            return
        if not found:
            console.print(f"no unresolved conflicts in set {name}", highlight=False)
        for c in found:
            votes = ", ".join(f"{d['annotator']}: {d['label']}" + (f" → {d['edit_text']}" if d["edit_text"] else "")
                              for d in c["decisions"])
            console.print(f"[bold]{c['caption']}[/] → {c['negative']}  ({votes})", highlight=False)
        return
    from toolkit.faces.tui import Keys, default_opener, run_review

    if not reviewer.strip():
        raise click.ClickException("a reviewer name is required (--reviewer)")
    try:
        keys = Keys()
        with keys:
            run_review(engine, name, reviewer.strip(), keys, console, default_opener(viewer))
    except (ValueError, RuntimeError) as exc:
        raise _fail(exc) from exc


# --------------------------------------------------------------------------- export / import


@click.command("export-set")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(list(FORMAT_NAMES)), required=True,
              help="sugarcrepe folder, jsonl (full provenance), csv, hf (datasets save_to_disk), parquet, "
                   "negclip (training TSV).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write (replaced if it exists; default: ./NAME-FORMAT).")
@click.option("--status", type=click.Choice(["kept", "all"]), default="kept", show_default=True,
              help="kept: accepted and edited items; all: every item with its outcome as label.")
@click.option("--license", "license_", default="unknown", show_default=True, help="Licence written to the dataset card.")
@db_option
@json_option
def export_set_cmd(name, fmt, out, status, license_, db, as_json) -> None:
    """Write a set in a benchmark format, with a dataset card (README.md).

    \b
    Example:
      hardneg export-set dev-300 --format sugarcrepe --out bench/ --license cc-by-4.0
    """
    from toolkit.curation.formats import export_set

    out = out or Path(f"{name}-{fmt}")
    try:
        report = export_set(_engine(db), name, fmt, out, status=status, license=license_)
    except ValueError as exc:
        raise _fail(exc) from exc
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
        return
    console.print(f"wrote {report.items} items of set {name} to {out}/ ({', '.join(report.files)})", highlight=False)


@click.command("import-set")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(list(FORMAT_NAMES)), required=True, help="Format of PATH.")
@click.option("--name", required=True, help="Name of the new set.")
@click.option("--description", default="", help="Stored with the set.")
@db_option
@json_option
def import_set_cmd(path, fmt, name, description, db, as_json) -> None:
    """Read an export (any format of export-set) back as a new set.

    \b
    Example:
      hardneg import-set ../shared/benchmarks/sugarcrepe-dev --format sugarcrepe --name sugarcrepe-dev
    """
    from toolkit.curation.formats import import_set

    try:
        report = import_set(_engine(db), path, fmt, name, description=description)
    except (ValueError, FileNotFoundError) as exc:
        raise _fail(exc) from exc
    _print_bad(report.bad)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
        return
    d = report.to_dict()
    console.print(f"set [bold]{name}[/]: {d['items']} items from {d['read']} read ({d['duplicates']} duplicates, "
                  f"{d['new_candidates']} new candidates, {d['labels']} labels, {d['skipped']} skipped)", highlight=False)
