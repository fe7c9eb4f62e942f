"""Alembic environment for LendLine.

Run programmatically by ``lendline.persistence.db.upgrade``, which hands over an open
connection in ``config.attributes["connection"]``. Without one (the ``alembic`` command line
with a ``sqlalchemy.url``), an engine is made with ``make_engine``, so SQLite gets the same
pragmas as at run time.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from lendline.persistence.db import make_engine
from lendline.persistence.tables import metadata

config = context.config
target_metadata = metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        # SQLite can alter little in place; batch mode rebuilds tables when a later
        # revision needs it.
        render_as_batch=connection.dialect.name == "sqlite",
    )


def run_migrations_offline() -> None:
    """Emit the SQL of the migrations without a database."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations against a database."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set sqlalchemy.url or pass a connection in config.attributes")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
