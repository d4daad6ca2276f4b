"""Opening a database: any SQLAlchemy URL, SQLite by default, schema brought up to date by Alembic."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import create_engine

DEFAULT_DB = "hardneg.db"
DB_ENV = "HARDNEG_DB"
MIGRATIONS_PACKAGE = "toolkit._db"  # the checkout's db/ folder, mapped into the package (pyproject.toml)


def resolve_url(db: str | None = None) -> str:
    """`--db` value, else $HARDNEG_DB, else `hardneg.db` in the working directory.

    A value without `://` is a SQLite file path.
    """
    value = db or os.environ.get(DB_ENV) or DEFAULT_DB
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser()}"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cur.execute("PRAGMA busy_timeout=30000")  # a second writer waits instead of failing
    cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster bulk inserts
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(db: str | None = None, *, migrate: bool = True) -> Engine:
    """An engine for `db` (see `resolve_url`), with the schema migrated to the latest revision."""
    url = resolve_url(db)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if migrate:
        upgrade(engine)
    return engine


def migrations_dir() -> Path:
    """The Alembic folder (env.py, versions/): the package data `toolkit._db`, which is a wheel's copy or,
    through an editable install, the checkout's `db/`. An editable install made before pyproject.toml mapped
    `db/` into the package does not know `toolkit._db`; the checkout's `db/` beside `toolkit/` serves then."""
    try:
        found = resources.files(MIGRATIONS_PACKAGE)
    except ModuleNotFoundError:
        found = Path(__file__).resolve().parents[2] / "db"
    if not isinstance(found, Path) or not (found / "env.py").is_file():
        raise RuntimeError(f"migrations not found (package data {MIGRATIONS_PACKAGE} at {found}); "
                           "reinstall hardneg (`pip install hardneg-*.whl`, or `make install` in a checkout)")
    return found


def alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Apply pending migrations on every branch head (a no-op when the schema is current)."""
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
