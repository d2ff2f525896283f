"""What the bot keeps in memory once started: no alembic when no migration is due,
no matplotlib after a chart (it draws in a child process).

Each check runs the bot in a fresh interpreter, since this test process has
imported both long ago.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from storage.db import Database

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import asyncio, sys
from bot.app import build_application
from bot.config import RateLimits, Settings
from bot.emulator import BotAPIServer, Driver, EmulatorRequest
from storage.db import Database
from storage.reference import prepare_database

async def main(url):
    db = Database(url)
    prepare_database(db)  # what `ogp-bot run` does on every start
    print("alembic after start:", "alembic" in sys.modules)
    server = BotAPIServer()
    settings = Settings(database_url=url, rate_limits=RateLimits(user_commands_per_minute=1000))
    app = build_application(settings, db, request=EmulatorRequest(server), token=server.token,
                            rate_limiter=False, clock=server.clock.now)
    async with Driver(app, server) as driver:
        replies = await driver.user("Ana").send("/chart Kenya")
        print("chart caption:", replies[0].caption)
        print("photo bytes:", len(replies[0].photo.content))
    print("matplotlib after a chart:", "matplotlib" in sys.modules)

asyncio.run(main(sys.argv[1]))
"""


def _run(url: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, url], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_started_bot_holds_neither_alembic_nor_matplotlib(demo_db: Database) -> None:
    out = _run(demo_db.url)
    assert "alembic after start: False" in out
    assert "chart caption: Kenya: 8 commitments by community status" in out
    assert "matplotlib after a chart: False" in out


def test_a_database_behind_is_still_migrated(demo_db: Database) -> None:
    from alembic import command

    from storage.db import alembic_config, current_revision, head_revision

    command.downgrade(alembic_config(demo_db.engine), "0020")
    assert current_revision(demo_db.engine) == "0020"
    out = _run(demo_db.url)
    assert "alembic after start: True" in out  # a migration was due: alembic ran it
    assert current_revision(demo_db.engine) == head_revision()
