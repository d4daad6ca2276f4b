"""Options and helpers every command module shares (`--db`, `--json`, opening the database), so that the
modules in `toolkit/commands/` and `toolkit/cli.py` import them from here and never from each other."""

from __future__ import annotations

import click

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
