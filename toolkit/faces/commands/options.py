"""Options and helpers every command module shares (`--db`, `--json`, opening the database), so that the
modules in `toolkit/faces/commands/` and `toolkit/faces/cli.py` import them from here and never from each other."""

from __future__ import annotations

import click

from toolkit.generation.names import OPERATOR_NAMES, SUBTYPES

db_option = click.option(
    "--db", envvar="HARDNEG_DB", default=None, metavar="PATH|URL",
    help="SQLite file or SQLAlchemy URL (default: $HARDNEG_DB, else ./hardneg.db).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")


def open_engine(db: str | None):
    """The engine for `--db` (see `toolkit.store.db.resolve_url`), its schema migrated."""
    from toolkit.store.db import make_engine

    return make_engine(db)


def read_candidate_refs(path) -> list[tuple[int, int | str]]:
    """(line number, reference) per non-blank line of an `--ids` file. A line holds a row id, a candidate's
    16-hex-digit uid, or a JSON object with an "id" (so `hardneg export`'s JSONL, or lines cut from it, serve
    as they are); lines starting with # are comments. A bad line is a usage error naming file and line."""
    import json

    from toolkit.store.queries import candidate_ref

    refs = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.BadParameter(f"{path}: not valid UTF-8 (byte {exc.start})", param_hint="--ids") from exc
    for n, line in enumerate(text.splitlines(), 1):
        value = line.strip()
        if not value or value.startswith("#"):
            continue
        try:
            if value.startswith("{"):
                obj = json.loads(value)
                if "id" not in obj:
                    raise ValueError('a JSON object without "id"')
                value = obj["id"]
            refs.append((n, candidate_ref(value)))
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            raise click.BadParameter(f"{path}:line {n}: {exc}", param_hint="--ids") from exc
    return refs


def resolve_id_file(conn, path) -> tuple[int, ...]:
    """Row ids of the candidates an `--ids` file names (see `read_candidate_refs`); a reference to no stored
    candidate is a usage error naming its line."""
    from toolkit.store.queries import resolve_candidate_refs

    refs = read_candidate_refs(path)
    found = resolve_candidate_refs(conn, [r for _, r in refs])
    missing = [(n, r) for n, r in refs if not found[r]]
    if missing:
        shown = "; ".join(f"line {n}: {r}" for n, r in missing[:5]) + (f" (and {len(missing) - 5} more)" if len(missing) > 5 else "")
        raise click.BadParameter(f"{path}: no stored candidate with id {shown}", param_hint="--ids")
    return tuple(dict.fromkeys(cid for _, r in refs for cid in found[r]))


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
    """The options of every command that generates: operators, subtypes, depth, per-site, seed, plausibility."""
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
                          "than their caption, under a language model of the stored captions; SWAP puts no thing where a "
                          "person or an animal acted and no attribute on an object it never describes.")(f)
    f = click.option("--max-plausibility-drop", "max_drop", type=click.FloatRange(0), default=5.0, show_default=True,
                     help="Nats a candidate may be less probable than its caption (after a word's mean cost per "
                          "extra word) before it is dropped.")(f)
    return f


ADD_LENGTHS = ("longer", "neutral", "both")  # toolkit.generation.operators.neutral.ADD_LENGTHS (not imported: keeps startup light)


def add_length_option(f):
    """`--add-length`: longer, length-neutral or both kinds of ADD negative; `--max-neutral-drop`."""
    f = click.option(
        "--add-length", type=click.Choice(ADD_LENGTHS), default="both", show_default=True,
        help="ADD negatives: 'longer' (an insertion: longer than the caption), 'neutral' (something true dropped "
             "and something of its kind added elsewhere: as long as the caption, length_delta 0), 'both'.")(f)
    return click.option(
        "--max-neutral-drop", "max_neutral_drop", type=click.FloatRange(0), default=3.0, show_default=True,
        help="Nats a length-neutral ADD negative may be less probable than its caption (the tighter of this and "
             "--max-plausibility-drop applies).")(f)


def generation_config(operators, subtypes, depth, max_candidates, per_site, seed, plausibility=True, max_drop=5.0,
                      add_length="both", max_neutral_drop=3.0):
    """The GenerationConfig of the options `generation_options` and `add_length_option` add."""
    from toolkit.generation.operators import GenerationConfig

    return GenerationConfig(tuple(operators), tuple(subtypes), depth, max_candidates, per_site, seed,
                            plausibility=plausibility, max_plausibility_drop=max_drop, add_length=add_length,
                            max_neutral_drop=max_neutral_drop)
