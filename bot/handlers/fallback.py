"""Answers to what no feature handler took: unknown commands and plain text.

In a group the bot stays quiet unless a command is addressed to it by name, so
it never talks over a working group's conversation. Registered last in the
default group: python-telegram-bot runs only the first matching handler of a
group, so these answer only what no feature took.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot.context import BotContext
from bot.handlers.common import reply
from bot.views import fallback as views
from bot.views import reports as report_views


async def unknown_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    word = (message.text or "").split(maxsplit=1)[0]
    command, _, addressee = word.partition("@")
    if not context.in_private and addressee.lower() != context.bot.username.lower():
        return
    await reply(update, views.unknown_command(context.tr, command))


async def nothing_to_cancel(update: Update, context: BotContext) -> None:
    """/cancel that no open conversation took."""
    await reply(update, report_views.nothing_to_cancel(context.tr))


async def plain_text(update: Update, context: BotContext) -> None:
    await reply(update, views.plain_text_hint(context.tr))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("cancel", nothing_to_cancel))
    app.add_handler(MessageHandler(filters.COMMAND & filters.UpdateType.MESSAGE, unknown_command))
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & ~filters.COMMAND,
            plain_text,
        )
    )
