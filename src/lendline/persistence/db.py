"""Engines, migrations and sessions.

``make_engine`` turns a URL into a configured engine:

- SQLite files run in WAL mode (readers never block the writer), with foreign keys enforced
  and a busy timeout so a writer waits for another instead of failing at once. Transactions
  start with ``BEGIN IMMEDIATE``: a transaction that will write takes the write lock before it
  reads, so read-then-write sequences (the audit chain's "last entry + 1") cannot interleave
  across threads or processes. A connection that only reads can opt out with
  ``conn.execution_options(**READ_ONLY)``.
- ``sqlite://`` (memory) shares one connection through ``StaticPool``, so every user sees the
  same database; it suits single-threaded tests only.
- ``postgresql://`` URLs without a driver get psycopg (version 3).

``upgrade`` runs the Alembic migrations that ship inside this package; no ``alembic.ini``
is needed in the working directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

__all__ = [
    "BUSY_TIMEOUT_MS",
    "MIGRATIONS_DIR",
    "READ_ONLY",
    "SQLITE_BEGIN_OPTION",
    "alembic_config",
    "downgrade",
    "make_engine",
    "session_factory",
    "upgrade",
]

#: How long a SQLite connection waits for another writer before giving up.
BUSY_TIMEOUT_MS: Final = 30_000

#: Execution option naming the ``BEGIN`` mode of a SQLite transaction.
SQLITE_BEGIN_OPTION: Final = "lendline_sqlite_begin"

#: Execution options for a connection that only reads (SQLite: ``BEGIN DEFERRED``).
READ_ONLY: Final[dict[str, Any]] = {SQLITE_BEGIN_OPTION: "DEFERRED"}

#: Where the Alembic environment and revisions live, inside the installed package.
MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"

_BEGIN_MODES: Final = frozenset({"DEFERRED", "IMMEDIATE", "EXCLUSIVE"})


def _is_sqlite_memory(url: URL) -> bool:
    database = url.database or ""
    return database in ("", ":memory:") or (
        database.startswith("file:") and "mode=memory" in database
    )


def _sqlite_engine(url: URL, echo: bool) -> Engine:
    memory = _is_sqlite_memory(url)
    connect_args: dict[str, Any] = {
        # Pooled connections move between threads; SQLAlchemy's pool keeps one user at a time.
        "check_same_thread": False,
        "timeout": BUSY_TIMEOUT_MS / 1000,
    }
    if memory:
        engine = create_engine(url, echo=echo, poolclass=StaticPool, connect_args=connect_args)
    else:
        engine = create_engine(url, echo=echo, connect_args=connect_args)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module (its implicit BEGIN is DEFERRED
        # and comes too late); the "begin" listener below emits our own BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if not memory:
                cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = str(conn.get_execution_options().get(SQLITE_BEGIN_OPTION, "IMMEDIATE")).upper()
        if mode not in _BEGIN_MODES:
            raise ValueError(f"unknown SQLite BEGIN mode {mode!r}")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for ``url``, configured for LendLine (see the module docstring).

    Args:
        url: a SQLAlchemy URL: ``sqlite:///path/to/file.db``, ``sqlite://`` (memory) or
            ``postgresql://user@host/db`` (psycopg is used when no driver is named).
        echo: log every statement (debugging).

    Returns:
        The engine; dispose of it when done.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, echo)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "postgresql":
        # pre_ping replaces connections a restarted server or a proxy has closed.
        return create_engine(parsed, echo=echo, pool_pre_ping=True)
    return create_engine(parsed, echo=echo)


def alembic_config(engine: Engine | None = None) -> Config:
    """Build the Alembic configuration for LendLine's migrations in code.

    Args:
        engine: when given, its URL is set as ``sqlalchemy.url`` (for commands that connect
            on their own, such as ``alembic current``).

    Returns:
        A configuration whose ``script_location`` points inside the package.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        # Alembic reads options through ConfigParser, where "%" starts an interpolation.
        url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
        config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database behind ``engine`` up to ``revision`` (the newest by default).

    Runs in one transaction on the given engine, so the schema changes and the version
    stamp land together.
    """
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database behind ``engine`` back to ``revision`` (``"base"`` removes all)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a factory of ORM sessions bound to ``engine``.

    Objects stay readable after commit (``expire_on_commit=False``), so values returned by a
    unit of work can be used once it has closed.
    """
    return sessionmaker(bind=engine, expire_on_commit=False)
