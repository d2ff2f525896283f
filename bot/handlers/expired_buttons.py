"""Any button press no feature recognised: old keyboards, forged data."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot.context import BotContext
from bot.handlers.common import expired

log = logging.getLogger(__name__)


async def unknown_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    log.info("expired or unknown button from user %s: %r", query.from_user.id, query.data)
    await expired(query, context)


def register(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(unknown_button))
