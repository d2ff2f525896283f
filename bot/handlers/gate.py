"""What the bot must not act on: edited messages and forwarded commands.

An edit is not a new message: editing an old message into ``/grant …`` must not
run it, and an open conversation must not take an edit as its next answer. A
forwarded command was written by someone else: running it would give that text
the forwarder's rights. This handler comes first in the default group and ends
the update there, so every command and conversation, today's and tomorrow's,
is covered without each remembering a filter. In a private chat a command gets
a one-line hint, so the person knows to send it again; groups hear nothing.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, MessageHandler, filters

from bot.context import BotContext
from bot.handlers.common import reply
from bot.views import gate as views

NOT_ACTED_ON = filters.UpdateType.EDITED | (filters.FORWARDED & filters.COMMAND)


async def ignore(update: Update, context: BotContext) -> None:
    if context.in_private and filters.COMMAND.check_update(update):
        if update.edited_message is not None:
            await reply(update, views.edit_ignored(context.tr))
        else:
            await reply(update, views.forward_ignored(context.tr))
    raise ApplicationHandlerStop


def register(app: Application) -> None:
    app.add_handler(MessageHandler(NOT_ACTED_ON, ignore))
