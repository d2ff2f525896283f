"""Any button press no feature recognised: old keyboards, forged data.

Every button the bot makes with callback data sits on a message in a chat.
A press that comes without one (``inline_message_id`` only: a message posted
"via" the bot, whose buttons are links) is forged, and no handler below may
assume a chat; it is answered as a stale button before any of them sees it.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, BaseHandler, CallbackQueryHandler

from bot.context import BotContext
from bot.handlers.common import expired

log = logging.getLogger(__name__)

# Before Telegram's chat events and the visit: there is no chat to record.
CHATLESS_GROUP = -3


class ChatlessButtonHandler(BaseHandler[Update, BotContext, None]):
    """Matches button presses that carry no message, hence no chat."""

    def check_update(self, update: object) -> bool:
        return (
            isinstance(update, Update)
            and update.callback_query is not None
            and update.callback_query.message is None
        )


async def chatless_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    log.debug("button without a chat from user %s: %r", query.from_user.id, query.data)
    await expired(query, context)
    raise ApplicationHandlerStop


async def unknown_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    log.debug("expired or unknown button from user %s: %r", query.from_user.id, query.data)
    await expired(query, context)


def register(app: Application) -> None:
    app.add_handler(ChatlessButtonHandler(chatless_button), group=CHATLESS_GROUP)
    app.add_handler(CallbackQueryHandler(unknown_button))
