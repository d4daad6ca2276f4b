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

