"""Opening a database: any SQLAlchemy URL, SQLite by default, schema brought up to date by Alembic."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import create_engine

DEFAULT_DB = "hardneg.db"
DB_ENV = "HARDNEG_DB"
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "db"


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


def alembic_config(engine: Engine):
    from alembic.config import Config

    if not (MIGRATIONS_DIR / "env.py").exists():
        raise RuntimeError(
            f"migrations not found at {MIGRATIONS_DIR}; install hardneg from a checkout (`pip install -e .`)"
        )
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Apply pending migrations on every branch head (a no-op when the schema is current)."""
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
