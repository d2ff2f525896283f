"""Runs before every other handler: remembers who wrote, and their role."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, TypeHandler

from bot.context import BotContext
from bot.inbox import outside_update
from storage.people import ChatDefaults, ChatInfo, UserInfo, Visitor, record_visit

GROUP = -1


def user_info(update: Update) -> UserInfo | None:
    user = update.effective_user
    if user is None or user.is_bot:
        return None
    return UserInfo(
        id=user.id,
        display_name=user.full_name,
        username=user.username,
        language=user.language_code,
    )


def chat_info(update: Update) -> ChatInfo | None:
    chat = update.effective_chat
    if chat is None:
        return None
    title = chat.title or chat.full_name or ""
    return ChatInfo(id=chat.id, type=chat.type, title=title)


async def visit(update: Update, context: BotContext) -> None:
    with outside_update():
        context.visitor = _record(update, context)


def _record(update: Update, context: BotContext) -> Visitor | None:
    return record_visit(
        context.db,
        chat_info(update),
        user_info(update),
        admins=context.settings.admins,
        default_language=context.settings.default_language,
        defaults=ChatDefaults(
            timezone=context.settings.default_timezone,
            digest_frequency=context.settings.digest.frequency,
            digest_weekday=context.settings.digest.weekday,
            digest_hour=context.settings.digest.hour,
        ),
    )


def register(app: Application) -> None:
    app.add_handler(TypeHandler(Update, visit), group=GROUP)
