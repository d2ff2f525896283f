"""One bot per database: a lock that dies with the process holding it.

Two processes polling the same token and draining the same outbox send every
broadcast twice and fight over rows. The lock is taken before anything else and
held for the process's life; the operating system (SQLite: a file lock beside
the database) or the server (PostgreSQL: a session-level advisory lock) lets it
go the moment the process dies, even by ``kill -9``, so a standby can take over
without anyone cleaning up.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

# pg_advisory_lock takes a bigint; any constant works as long as every ogp-bot
# uses the same one ("ogp-bot" in ASCII).
ADVISORY_KEY = 0x6F67702D626F74
POLL_SECONDS = 1.0


class InstanceLock:
    """Held while the object lives (or until ``release``)."""

    def release(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def held(self) -> bool:
        """Whether the lock is still ours (a PostgreSQL session can be cut)."""
        return True


class _FileLock(InstanceLock):
    def __init__(self, fd: int, path: Path) -> None:
        self.fd = fd
        self.path = path

    def release(self) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)


class _AdvisoryLock(InstanceLock):
    def __init__(self, engine: sa.Engine, conn: sa.Connection) -> None:
        self.engine = engine
        self.conn = conn

    def held(self) -> bool:
        try:
            self.conn.exec_driver_sql("SELECT 1").scalar()
            return True
        except sa.exc.DBAPIError:
            return False

    def release(self) -> None:
        with contextlib.suppress(sa.exc.DBAPIError):
            self.conn.close()
        self.engine.dispose()


class _Unlocked(InstanceLock):
    """An in-memory database (no other process can open it), or a backend
    without a lock we know how to take."""

    def release(self) -> None:
        return None


class HeldElsewhere(Exception):
    """Another process holds the lock; the text says which, where known."""


def lock_path(url: sa.URL) -> Path | None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser().resolve().with_name(Path(database).name + ".lock")


def try_lock(database_url: str) -> InstanceLock:
    """Take the lock now or raise :class:`HeldElsewhere`."""
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = lock_path(url)
        if path is None:
            return _Unlocked()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            raise HeldElsewhere(f"pid {holder}" if holder else "another process") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        return _FileLock(fd, path)
    if url.get_backend_name() != "postgresql":
        return _Unlocked()  # no portable lock: one instance is the operator's promise
    # Autocommit: the checks of ``held`` leave no transaction open on the server.
    engine = sa.create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    conn = engine.connect()
    got = conn.exec_driver_sql(f"SELECT pg_try_advisory_lock({ADVISORY_KEY})").scalar()
    if not got:
        conn.close()
        engine.dispose()
        raise HeldElsewhere("another process")
    return _AdvisoryLock(engine, conn)


def wait_for_lock(
    database_url: str, *, on_wait: Callable[[str], None], poll: float = POLL_SECONDS
) -> InstanceLock:
    """Take the lock, waiting for its holder to stop or die (a standby)."""
    told = False
    while True:
        try:
            return try_lock(database_url)
        except HeldElsewhere as exc:
            if not told:
                on_wait(str(exc))
                told = True
        time.sleep(poll)
