"""The bot's Application wired to an emulated server instead of Telegram, as tests, the
benches and the console run it."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from bot.app import build_application
from bot.config import Settings
from bot.context import BotContext
from bot.emulator.request import EmulatorRequest
from bot.emulator.server import BotAPIServer
from storage.db import Database


def emulated_application(
    settings: Settings, db: Database, server: BotAPIServer, *, emulator_clock: bool = True
) -> Application[Any, BotContext, Any, Any, Any, Any]:
    """Without PTB's rate limiter (the outbox paces what it sends). ``emulator_clock``:
    scheduled work reads the server's clock, which tests move; else real time."""
    return build_application(
        settings,
        db,
        request=EmulatorRequest(server),
        token=server.token,
        rate_limiter=False,
        clock=server.clock.now if emulator_clock else None,
    )
