"""Alembic environment for hardneg. Used programmatically by `toolkit.store.db.upgrade` (which passes
a live connection) or from the shell: `alembic -c db/alembic.ini upgrade head` with HARDNEG_DB set."""

from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlmodel import SQLModel

import toolkit.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    from toolkit.store.db import resolve_url

    section = config.get_section(config.config_ini_section) or {}
    section["sqlalchemy.url"] = resolve_url(None)
    engine = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
