"""A sender process for the crash test: drains the outbox of a database into an emulator.

Every message the emulator accepts is appended to a log file at once (a line
"chat_id<TAB>text"), so what was delivered survives the kill -9 of this process.
Usage: python tests/outbox_worker.py DATABASE_URL LOG_PATH
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from sqlmodel import select

from bot.config import RateLimits, Settings
from bot.context import SENDER_KEY
from bot.emulator import BotAPIServer
from bot.emulator.application import emulated_application
from storage.db import Database
from storage.models import Chat


class LoggingServer(BotAPIServer):
    def __init__(self, log: Path) -> None:
        super().__init__()
        self.log = log.open("a", buffering=1)  # line-buffered: each line reaches the OS

    async def handle(self, method, params=None, files=None):
        status, body = await super().handle(method, params, files)
        if method == "sendMessage" and status == 200:
            self.log.write(f"{params['chat_id']}\t{params['text']}\n")
        return status, body


async def main(database_url: str, log_path: str) -> None:
    db = Database(database_url)
    settings = Settings(
        database_url=db.url,
        rate_limits=RateLimits(overall_per_second=150, private_chat_per_second=5),
    )
    server = LoggingServer(Path(log_path))
    with db.session() as session:
        for chat_id in session.exec(select(Chat.id)):
            server.add_user(chat_id, f"User {chat_id}")
    app = emulated_application(settings, db, server, emulator_clock=False)
    async with app:
        stats = await app.bot_data[SENDER_KEY].drain()
    print(f"sent {stats.sent}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
