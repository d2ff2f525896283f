"""Backups of a SQLite database while the bot runs, and restoring one.

SQLite's online backup API copies a consistent snapshot page by page while other
connections keep writing (WAL mode): the copy holds everything committed before
it started. PostgreSQL has its own tool for that (``pg_dump``); the README says
how, and these functions say so instead of pretending.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

# All pages in one step: in WAL mode the copy reads one snapshot and writers go
# on meanwhile; copied in several steps, every write in between restarts it.
PAGES_PER_STEP = -1


class BackupError(Exception):
    """Worded for the person at the terminal."""


def sqlite_path(database_url: str) -> Path:
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            "backups of a PostgreSQL database are made with pg_dump "
            "(see the README's operations section), not by ogp-bot"
        )
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError("an in-memory database has nothing to back up")
    return Path(url.database).expanduser()


def backup(database_url: str, target: Path) -> Path:
    """Copy the live database to ``target`` (written beside, then moved into place,
    mode 0600: it holds people's data)."""
    source = sqlite_path(database_url)
    if not source.is_file():
        raise BackupError(f"{source}: no such database")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent}: no such directory")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT, 0o600))
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst, pages=PAGES_PER_STEP)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        dst.close()
        src.close()
    os.replace(partial, target)
    return target


def check(path: Path) -> None:
    """A file that is a sound SQLite database of this bot, or BackupError."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                raise BackupError(f"{path}: the file is damaged (integrity check failed)")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: not a SQLite database ({exc})") from None
    if "alembic_version" not in tables or "commitment" not in tables:
        raise BackupError(f"{path}: not an ogp-bot database")


def restore(database_url: str, source: Path) -> None:
    """Replace the database's content with ``source`` (the caller holds the lock).

    Copied with the backup API into the live file, so the WAL and its readers
    stay consistent; the caller migrates afterwards.
    """
    check(source)
    target = sqlite_path(database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def rotate(directory: Path, keep: int) -> list[Path]:
    """Old daily backups beyond the newest ``keep`` are deleted; returns them."""
    backups = sorted(directory.glob("ogp-bot-*.db"))
    doomed = backups[: max(0, len(backups) - keep)]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def daily_name(now: datetime) -> str:
    return f"ogp-bot-{now:%Y-%m-%d}.db"
