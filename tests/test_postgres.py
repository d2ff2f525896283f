"""The same storage on PostgreSQL, when a server is at hand.

Set OGP_TEST_POSTGRES_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5433/ogp);
`.ci/run` starts a throwaway server when PostgreSQL is installed on the machine.
"""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

from storage.db import Database
from storage.importer import demo_csv_path, import_csv
from storage.reference import prepare_database
from tests.conftest import make_settings, start_bot

BASE_URL = os.environ.get("OGP_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not BASE_URL, reason="OGP_TEST_POSTGRES_URL not set")


@pytest.fixture
def pg_db():
    """A fresh database on the server for this test, dropped afterwards."""
    if not BASE_URL:
        pytest.skip("OGP_TEST_POSTGRES_URL not set")
    name = f"ogp_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(BASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(BASE_URL).set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    yield db
    db.dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE "{name}"')
    admin.dispose()


async def test_migrate_import_and_talk_on_postgres(pg_db: Database) -> None:
    prepare_database(pg_db)
    first = import_csv(pg_db, demo_csv_path())
    assert (first.created, first.skipped) == (104, [])
    again = import_csv(pg_db, demo_csv_path())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 104)
    settings = make_settings(pg_db.url)
    async with await start_bot(settings, pg_db) as driver:
        # A Telegram-sized id (over 32 bits) must fit the BIGINT columns.
        ana = driver.user("Ana", user_id=7_000_000_001)
        assert "Welcome, Ana!" in (await ana.send("/start"))[0].text
