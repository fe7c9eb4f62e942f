"""Database fixtures: every persistence test runs on SQLite (a WAL file) and on PostgreSQL.

PostgreSQL comes from ``LENDLINE_TEST_POSTGRES_URL``. Each PostgreSQL test gets a schema of
its own (put first on the ``search_path`` of every connection), dropped afterwards, so tests
never see each other's rows. When the server cannot be reached the PostgreSQL half is skipped,
except in CI (``CI=true``), where it fails: CI must prove both databases.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from leak_scan import SCHEMA_SCANS
from lendline.persistence.db import make_engine, upgrade

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def postgres_base_url() -> str:
    return os.environ.get("LENDLINE_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An engine on the test server's default schema, for creating and dropping schemas."""
    url = make_url(postgres_base_url()).update_query_dict({"connect_timeout": "5"})
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:
        engine.dispose()
        shown = make_url(postgres_base_url()).render_as_string(hide_password=True)
        message = (
            f"PostgreSQL at {shown} is unreachable ({type(exc).__name__}: {exc}). "
            "Start it or set LENDLINE_TEST_POSTGRES_URL."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    yield engine
    engine.dispose()


def _postgres_schema_url(admin: Engine) -> Iterator[str]:
    schema = f"lendline_test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(postgres_base_url()).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            # What the test stored is searched for personal values in clear before it goes
            # (reported by the whole-run leak test).
            SCHEMA_SCANS.scan(conn, schema)
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database of its own: a SQLite file or a PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'lendline.db'}"
    else:
        admin = request.getfixturevalue("postgres_admin")
        yield from _postgres_schema_url(admin)


@pytest.fixture
def postgres_engine(postgres_admin: Engine) -> Iterator[Engine]:
    """A migrated engine on a PostgreSQL schema of its own, for PostgreSQL-only tests."""
    for url in _postgres_schema_url(postgres_admin):
        engine = make_engine(url)
        try:
            upgrade(engine)
            yield engine
        finally:
            engine.dispose()


@pytest.fixture
def blank_engine(database_url: str) -> Iterator[Engine]:
    """An engine on an empty database (no tables yet)."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(blank_engine: Engine) -> Engine:
    """An engine on a database migrated to the newest schema."""
    upgrade(blank_engine)
    return blank_engine
