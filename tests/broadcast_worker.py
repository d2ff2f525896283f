"""A bot process that dies (SIGKILL, by its own hand) while a broadcast is half queued.

Plays an admin through /broadcast to Kenya's followers on the in-process
emulator, saves the preview (text and buttons) to PREVIEW_JSON, presses Send,
and kills itself as the third chunk of rows is about to be written, as a power
cut would: two chunks are committed, the rest never will be.
Usage: python tests/broadcast_worker.py DB_PATH PREVIEW_JSON
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import sqlalchemy as sa

from bot.config import Settings
from bot.emulator import BotAPIServer, Driver
from bot.emulator.application import emulated_application
from storage import broadcast
from storage.db import Database

ADMIN_ID = 900_001  # as in tests/conftest.py
broadcast.CHUNK = 10  # chats per transaction: small, so 25 followers make three chunks


async def main(db_path: str, preview_path: str) -> None:
    db = Database(f"sqlite:///{db_path}")
    server = BotAPIServer()
    settings = Settings(database_url=db.url, admins=[ADMIN_ID])
    app = emulated_application(settings, db, server, emulator_clock=False)
    writes = 0

    def die_on_third_chunk(_conn, _cursor, statement: str, *_args: object) -> None:
        nonlocal writes
        if statement.startswith("INSERT INTO outbox"):
            writes += 1
            if writes == 3:
                os.kill(os.getpid(), signal.SIGKILL)

    async with Driver(app, server) as bot:
        admin = bot.user("Ada", user_id=ADMIN_ID)
        await admin.send("/broadcast")
        await admin.press("Followers of Kenya · 25")
        await admin.send("Budget hearing moved to Friday")
        preview = admin.last_reply
        shown = {"text": preview.html, "parse_mode": "HTML", "reply_markup": preview.reply_markup}
        Path(preview_path).write_text(json.dumps(shown))
        sa.event.listen(db.engine, "before_cursor_execute", die_on_third_chunk)
        await admin.press("Send")
    sys.exit("alive after Send: the broadcast was not written in chunks")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
