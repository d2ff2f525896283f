"""Engine, sessions and migrations.

One ``Database`` per process. SQLite gets the pragmas a long-running writer
needs (WAL so readers never block the writer, foreign keys, a busy timeout so a
second process waits instead of failing); any other SQLAlchemy URL is used as
it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

if TYPE_CHECKING:
    from alembic.config import Config

BUSY_TIMEOUT_MS = 10_000


class TransactionHook(Protocol):
    """Work that must commit in the same transaction as whatever a caller writes.

    The inbox sets one while a Telegram update is handled, so that the update is
    marked done atomically with the handler's own writes: a crash then either
    keeps both or neither, and a replayed update never writes twice.
    """

    def before_commit(self, session: Session) -> None: ...

    def after_commit(self) -> None: ...


transaction_hook: ContextVar[TransactionHook | None] = ContextVar("transaction_hook", default=None)


def _wrote(session: Session) -> bool:
    return bool(session.info.get("wrote") or session.new or session.dirty or session.deleted)


@sa.event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context: Any) -> None:
    session.info["wrote"] = True


@sa.event.listens_for(Session, "do_orm_execute")
def _note_dml(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["wrote"] = True


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def conflict_insert(dialect: str) -> Callable[[Any], Any]:
    """The ``insert()`` with ON CONFLICT clauses of SQLite or PostgreSQL.

    Imported when first asked for: PostgreSQL's dialect module alone holds
    2 MB of a bot's RSS, which a bot on SQLite never needs (issue #13, point 5).
    """
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        raise NotImplementedError(f"no ON CONFLICT insert written for {dialect}")
    return insert


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine; for SQLite make sure the file's folder exists."""
    sa_url = sa.engine.make_url(url)
    # Bound values (people's names and notes) stay out of error messages, which
    # reach logs and the admins' "set aside" notices.
    kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
    if sa_url.get_backend_name() == "sqlite":
        database = sa_url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # Handlers run on the event loop thread, heavy work in to_thread: allow both.
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
    else:
        kwargs["pool_pre_ping"] = True
    engine = sa.create_engine(sa_url, **kwargs)
    if sa_url.get_backend_name() == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class Database:
    """The engine plus a session factory: what storage functions receive."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                hook = transaction_hook.get()
                if hook is not None and _wrote(session):
                    hook.before_commit(session)
                    session.commit()
                    hook.after_commit()
                else:
                    session.commit()
            except BaseException:
                session.rollback()
                raise

    def migrate(self) -> None:
        migrate(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(engine: Engine | None = None) -> Config:
    """Alembic config pointing at the migrations shipped inside the package."""
    from alembic.config import Config

    script_location = resources.files("storage") / "migrations"
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    if engine is not None:
        cfg.attributes["engine"] = engine
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the database up to the newest schema (idempotent).

    Alembic (about 10 MB resident once imported, and a start's slowest step) is
    imported only when the database is behind: nearly every start finds it at
    the head, which two cheap reads establish.
    """
    head = shipped_head()
    if head is not None and head == stored_revision(engine):
        return
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


_REVISION = re.compile(r"^(down_)?revision\b[^=]*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)


def shipped_head() -> str | None:
    """The newest migration's id, read from the files' ``revision`` lines (no alembic):
    the one revision that is no other's ``down_revision``; None when that is not one."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for file in (resources.files("storage") / "migrations" / "versions").iterdir():
        if not file.name.endswith(".py") or file.name.startswith("__"):
            continue
        for down, revision in _REVISION.findall(file.read_text(encoding="utf-8")):
            (downs if down else revisions).add(revision)
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None


def stored_revision(engine: Engine) -> str | None:
    """What ``alembic_version`` says, with plain SQL; None when there is no single one."""
    try:
        with engine.connect() as conn:
            found = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except sa.exc.DBAPIError:
        return None
    return found[0][0] if len(found) == 1 else None


def head_revision() -> str | None:
    """The newest migration this version ships."""
    from alembic.script import ScriptDirectory  # alembic only where a migration is in question

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
