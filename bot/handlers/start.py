"""/start and /help: the first things anyone sends."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot import views
from bot.context import BotContext
from bot.handlers.common import reply


async def start(update: Update, context: BotContext) -> None:
    user = update.effective_user
    view = views.start(
        context.tr,
        first_name=user.first_name if user else "",
        role=context.role,
        is_new=bool(context.visitor and context.visitor.is_new_member),
    )
    await reply(update, view)


async def help_command(update: Update, context: BotContext) -> None:
    view = views.help_text(context.tr, role=context.role)
    await reply(update, view)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
