"""/start and /help: the first things anyone sends."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot import links, views
from bot.context import BotContext
from bot.handlers.common import reply
from bot.views import following as following_views
from storage import following


async def start(update: Update, context: BotContext) -> None:
    """/start, also reached through deep links such as t.me/<bot>?start=follow_KEN."""
    user = update.effective_user
    view = views.start(
        context.tr,
        first_name=user.first_name if user else "",
        role=context.role,
        is_new=bool(context.visitor and context.visitor.is_new_member),
    )
    await reply(update, view)
    payload = context.args[0] if context.args else ""
    if payload.startswith(links.FOLLOW):
        code = payload.removeprefix(links.FOLLOW)
        change = following.change_following(
            context.db, context.visitor, update.effective_chat.id, follow=[code], now=context.now()
        )
        if change.added or change.unchanged:
            await reply(update, following_views.change(context.tr, change))


async def help_command(update: Update, context: BotContext) -> None:
    view = views.help_text(context.tr, role=context.role)
    await reply(update, view)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
