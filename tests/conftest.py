"""Shared fixtures: a real database per test, the bot wired to the emulator.

Nothing here mocks our storage or python-telegram-bot: ``bot`` is the real
Application from ``build_application``, talking to the in-process Bot API.

Every test that uses a database (``db``, ``demo_db`` and so ``bot``,
``demo_bot``, ``settings``) runs once per backend: on a SQLite file, and on
PostgreSQL when OGP_TEST_POSTGRES_URL names a server (``.ci/run`` starts one);
without it the PostgreSQL variants are skipped with that reason. A test that
needs SQLite itself is marked ``@pytest.mark.sqlite_only("why")``.
"""

from __future__ import annotations

import csv
import itertools
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.config import RateLimits, Settings
from bot.emulator import BotAPIServer, CallbackResult, Driver, UserHandle
from bot.emulator.application import emulated_application
from bot.i18n import translation
from storage.db import Database
from storage.importer import demo_csv_path
from storage.models import RoleGrant
from storage.reference import prepare_database
from storage.summit import import_pledges, shipped_pledges_path

ROOT = Path(__file__).resolve().parents[1]
SHARED_SAMPLE = ROOT.parent / "shared" / "data" / "ogp-commitments-sample.csv"
ADMIN_ID = 900_001
POSTGRES_URL = os.environ.get("OGP_TEST_POSTGRES_URL")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): the test needs SQLite itself (its file, pragmas, FTS5); "
        "it gets no PostgreSQL variant",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One variant per backend for every test that reaches a database fixture."""
    if "backend" not in metafunc.fixturenames:
        return
    backends: list = ["sqlite"]
    sqlite_only = metafunc.definition.get_closest_marker("sqlite_only")
    if sqlite_only is not None and not sqlite_only.args:
        raise pytest.UsageError(f"{metafunc.definition.nodeid}: sqlite_only needs a reason")
    if sqlite_only is None:
        skip = pytest.mark.skipif(not POSTGRES_URL, reason="OGP_TEST_POSTGRES_URL not set")
        backends.append(pytest.param("postgresql", marks=skip))
    metafunc.parametrize("backend", backends, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """Which database this variant runs on, as set by ``pytest_generate_tests``."""
    return request.param


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


class PostgresServer:
    """Throwaway databases on the test server. Templates are built once per
    session; each test gets ``CREATE DATABASE ... TEMPLATE`` (a file copy, far
    quicker than migrating) and drops it afterwards. Names are unique per
    session, so several test runs can share one server."""

    def __init__(self, url: str) -> None:
        self.base = sa.engine.make_url(url)
        self.admin = sa.create_engine(self.base, isolation_level="AUTOCOMMIT")
        self.prefix = f"ogp_test_{uuid.uuid4().hex[:8]}"
        self.names = (f"{self.prefix}_{n}" for n in range(1_000_000))

    def url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def create(self, name: str, template: str | None = None) -> None:
        clause = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"{clause}')

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def template(self, *, demo: bool) -> str:
        """A migrated database with reference data (and the demo commitments)."""
        from storage.importer import demo_csv_path, import_csv

        name = next(self.names)
        self.create(name)
        database = Database(self.url(name))
        prepare_database(database)
        if demo:
            import_csv(database, demo_csv_path())
        database.dispose()  # a template must have no connections when copied
        return name


@pytest.fixture(scope="session")
def _postgres() -> Iterator[PostgresServer]:
    if not POSTGRES_URL:
        pytest.skip("OGP_TEST_POSTGRES_URL not set")
    server = PostgresServer(POSTGRES_URL)
    yield server
    with server.admin.connect() as conn:
        leftovers = conn.exec_driver_sql(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"{server.prefix}%",)
        ).scalars()
        for name in list(leftovers):
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    server.admin.dispose()


@pytest.fixture(scope="session")
def _pg_empty_template(_postgres: PostgresServer) -> str:
    return _postgres.template(demo=False)


@pytest.fixture(scope="session")
def _pg_demo_template(_postgres: PostgresServer) -> str:
    return _postgres.template(demo=True)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "bot.db"


@pytest.fixture
def db_url(backend: str, db_path: Path, request: pytest.FixtureRequest) -> str:
    """Where ``db`` lives and what ``settings`` names: SQLite's file, or a name
    on the server (created by ``db`` only if the test asks for it)."""
    if backend == "sqlite":
        return f"sqlite:///{db_path}"
    server: PostgresServer = request.getfixturevalue("_postgres")
    return server.url(next(server.names))


@pytest.fixture
def db(backend: str, db_url: str, request: pytest.FixtureRequest) -> Iterator[Database]:
    """An empty, migrated database with reference data (countries)."""
    if backend == "sqlite":
        database = Database(db_url)
        prepare_database(database)
        yield database
        database.dispose()
        return
    server: PostgresServer = request.getfixturevalue("_postgres")
    name = sa.engine.make_url(db_url).database
    server.create(name, template=request.getfixturevalue("_pg_empty_template"))
    database = Database(db_url)
    yield database
    database.dispose()
    server.drop(name)


@pytest.fixture
def new_demo_db(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Callable[[], AbstractContextManager[Database]]:
    """Opens a fresh copy of the demo database on each call, removed when the
    block ends: for tests needing many (Hypothesis runs fixtures once per test,
    not once per example)."""
    copies = itertools.count()
    if backend == "sqlite":
        template: Path = request.getfixturevalue("_demo_template")

        @contextmanager
        def fresh() -> Iterator[Database]:
            path = tmp_path / f"demo-{next(copies)}.db"
            shutil.copy(template, path)
            database = Database(f"sqlite:///{path}")
            try:
                database.migrate()
                yield database
            finally:
                database.dispose()
                for leftover in tmp_path.glob(f"{path.name}*"):
                    leftover.unlink()

        return fresh

    server: PostgresServer = request.getfixturevalue("_postgres")
    pg_template: str = request.getfixturevalue("_pg_demo_template")

    @contextmanager
    def fresh() -> Iterator[Database]:
        name = next(server.names)
        server.create(name, template=pg_template)
        database = Database(server.url(name))
        try:
            yield database
        finally:
            database.dispose()
            server.drop(name)

    return fresh


@pytest.fixture
def demo_db(new_demo_db: Callable[[], AbstractContextManager[Database]]) -> Iterator[Database]:
    """A database holding the demo commitments (the sample shipped in the package)."""
    with new_demo_db() as database:
        yield database


@pytest.fixture(scope="module")
def demo_records() -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows (as dicts) of the shipped demo file."""
    with demo_csv_path().open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        assert reader.fieldnames is not None
        return list(reader.fieldnames), rows


@pytest.fixture
def pledged_db(demo_db: Database) -> Database:
    """The demo database with the shipped 2016 Summit pledges imported."""
    import_pledges(demo_db, shipped_pledges_path())
    return demo_db


def make_settings(database_url: str, **values: object) -> Settings:
    """Settings for tests: the emulator's clock stands still unless a test moves it,
    so a walk through many steps happens "within a second"; the per-person command
    budget (tested on its own in test_inbox.py) is lifted so it does not cut walks short."""
    values.setdefault("admins", [ADMIN_ID])
    values.setdefault("rate_limits", RateLimits(user_commands_per_minute=100_000))
    return Settings(database_url=database_url, **values)


@pytest.fixture
def settings(db_url: str) -> Settings:
    return make_settings(db_url)


async def start_bot(settings: Settings, db: Database, server: BotAPIServer | None = None) -> Driver:
    server = server or BotAPIServer()
    return Driver(emulated_application(settings, db, server), server)


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
