"""Shared fixtures: a real SQLite file per test, the bot wired to the emulator.

Nothing here mocks our storage or python-telegram-bot: ``bot`` is the real
Application from ``build_application``, talking to the in-process Bot API.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import build_application
from bot.config import Settings
from bot.emulator import BotAPIServer, Driver, EmulatorRequest
from storage.db import Database
from storage.reference import prepare_database

ROOT = Path(__file__).resolve().parents[1]
SHARED_SAMPLE = ROOT.parent / "shared" / "data" / "ogp-commitments-sample.csv"
ADMIN_ID = 900_001


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own OGP_BOT_* variables must not change what tests see."""
    import os

    for name in list(os.environ):
        if name.startswith("OGP_BOT_"):
            monkeypatch.delenv(name)


@pytest.fixture
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with the demo data, built once and copied per test."""
    from storage.importer import demo_csv_path, import_csv

    path = tmp_path_factory.mktemp("template") / "demo.db"
    db = Database(f"sqlite:///{path}")
    prepare_database(db)
    import_csv(db, demo_csv_path())
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "bot.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    """An empty, migrated database with reference data (countries)."""
    database = Database(f"sqlite:///{db_path}")
    prepare_database(database)
    yield database
    database.dispose()


@pytest.fixture
def demo_db(tmp_path: Path, _demo_template: Path) -> Iterator[Database]:
    """A database holding the demo commitments (the sample shipped in the package)."""
    path = tmp_path / "demo.db"
    shutil.copy(_demo_template, path)
    database = Database(f"sqlite:///{path}")
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{db_path}", admins=[ADMIN_ID])


async def start_bot(settings: Settings, db: Database, server: BotAPIServer | None = None) -> Driver:
    server = server or BotAPIServer()
    app = build_application(
        settings,
        db,
        request=EmulatorRequest(server),
        token=server.token,
        rate_limiter=False,
        clock=server.clock.now,
    )
    return Driver(app, server)


@pytest.fixture
async def bot(settings: Settings, db: Database) -> AsyncIterator[Driver]:
    """The bot on an empty database, running against the emulator."""
    async with await start_bot(settings, db) as driver:
        yield driver


@pytest.fixture
async def demo_bot(settings: Settings, demo_db: Database) -> AsyncIterator[Driver]:
    """The bot on a database with the demo commitments."""
    async with await start_bot(settings, demo_db) as driver:
        yield driver
