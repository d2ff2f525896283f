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
from bot.config import RateLimits, Settings
from bot.emulator import BotAPIServer, CallbackResult, Driver, EmulatorRequest, UserHandle
from bot.i18n import translation
from storage.db import Database
from storage.models import RoleGrant
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


def make_settings(database_url: str, **values: object) -> Settings:
    """Settings for tests: the emulator's clock stands still unless a test moves it,
    so a walk through many steps happens "within a second"; the per-person command
    budget (tested on its own in test_inbox.py) is lifted so it does not cut walks short."""
    values.setdefault("admins", [ADMIN_ID])
    values.setdefault("rate_limits", RateLimits(user_commands_per_minute=100_000))
    return Settings(database_url=database_url, **values)


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return make_settings(f"sqlite:///{db_path}")


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


def make_lead(db: Database, user_id: int, country: str) -> None:
    """Grant a lead role straight in the database (the member must exist)."""
    with db.session() as session:
        session.add(RoleGrant(member_id=user_id, country_code=country))


async def send_report(
    user: UserHandle,
    commitment: str = "KE0012",
    note: str = "Bill tabled in parliament",
    *,
    language: str = "en",
) -> CallbackResult:
    """Walk the whole /report conversation (Limited, a note, no evidence) in the
    user's language, pressing the buttons by their texts; returns what Send did."""
    _ = translation(language).gettext
    ask = (await user.send(f"/report {commitment}"))[0]
    await user.press(next(t for t in ask.button_texts if _("Limited") in t), message=ask)
    evidence = (await user.send(note))[0]
    preview = (await user.press(_("Skip"), message=evidence)).replies[0]
    return await user.press(_("Send"), message=preview)


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
