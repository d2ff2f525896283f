"""Storage basics: schema from migrations, SQLite pragmas, reference data, visitors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel, select

from storage.db import Database, current_revision
from storage.models import Chat, ChatState, Country, Role, RoleGrant
from storage.people import ChatInfo, UserInfo, record_visit
from storage.reference import sync_countries
from storage.search import include_name


def test_migrations_from_empty_create_every_table(tmp_path) -> None:
    database = Database(f"sqlite:///{tmp_path}/fresh.db")
    assert current_revision(database.engine) is None
    database.migrate()
    tables = set(sa.inspect(database.engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert current_revision(database.engine) is not None
    database.migrate()  # a second run is a no-op, not an error


def test_models_and_migrations_agree(db: Database) -> None:
    """A model change without its migration fails here, not on a user's database."""
    # The search index (FTS5 tables, SQLite only) lives outside the models: skip it
    # exactly as the migration environment does.
    opts = {"include_name": include_name}
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts=opts), SQLModel.metadata)
    assert diff == []


@pytest.mark.sqlite_only("reads SQLite pragmas")
def test_sqlite_pragmas_for_a_long_running_writer(db: Database) -> None:
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(sa.exc.IntegrityError), db.session() as session:
        session.add(RoleGrant(member_id=999, country_code="KEN"))


def test_every_ogp_member_is_loaded_once(db: Database) -> None:
    with db.session() as session:
        codes = {c.code: c for c in session.exec(select(Country)).all()}
    assert {"BRA", "KEN", "ARBA", "XKX", "GBSC", "MXJL"} <= set(codes)
    assert codes["ARBA"].kind == "local" and codes["ARBA"].parent == "ARG"
    assert sync_countries(db) == 0  # nothing changes on a second start


def test_visit_creates_member_and_chat_and_reads_role(db: Database) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    chat = ChatInfo(id=5001, type="private", title="Ana")
    user = UserInfo(id=5001, display_name="Ana", username="ana", language="pt-br")
    first = record_visit(db, chat, user, admins=[], now=now)
    assert first.is_new_member and first.role is Role.MEMBER
    again = record_visit(db, chat, user, admins=[], now=now + timedelta(seconds=5))
    assert not again.is_new_member
    assert record_visit(db, chat, user, admins=[5001], now=now).role is Role.ADMIN
    with db.session() as session:
        session.add(RoleGrant(member_id=5001, country_code="KEN"))
    lead = record_visit(db, chat, user, admins=[], now=now)
    assert lead.role is Role.LEAD and lead.lead_countries == {"KEN"}


def test_blocked_chat_that_writes_again_is_active(db: Database) -> None:
    chat = ChatInfo(id=-100, type="group", title="Kenya WG")
    user = UserInfo(id=7, display_name="Bo")
    record_visit(db, chat, user, admins=[])
    with db.session() as session:
        session.get(Chat, -100).state = ChatState.BLOCKED
    visitor = record_visit(db, chat, user, admins=[])
    assert visitor.was_blocked
    with db.session() as session:
        assert session.get(Chat, -100).state == ChatState.ACTIVE


def test_timestamps_come_back_in_utc(db: Database) -> None:
    record_visit(db, ChatInfo(id=1, type="private"), UserInfo(id=1, display_name="A"), admins=[])
    with db.session() as session:
        assert session.get(Chat, 1).created_at.tzinfo is UTC
