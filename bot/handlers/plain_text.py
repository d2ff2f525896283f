"""Text typed without a command: an id opens its card, a member's name its page,
anything else is searched (``storage.plain_text`` decides which).

In a private chat every text is for the bot. In a group only what is addressed
to it: a message mentioning it (``@ogp_bot kenya``) or replying to one of its
messages; the rest is the group's own conversation. Registered after every
feature, so conversations waiting for text (a report's note) take it first.
"""

from __future__ import annotations

import asyncio
import re

from telegram import Message, MessageEntity, Update
from telegram.ext import Application, MessageHandler, filters

from bot import links
from bot.context import BotContext
from bot.handlers.common import replied_to, reply
from bot.i18n import language_of
from bot.views import View
from bot.views import commitments as commitment_views
from bot.views import fallback as fallback_views
from bot.views import search as search_views
from storage.plain_text import Understood, understand


def addressed_text(message: Message, bot_username: str, bot_id: int) -> str | None:
    """The text meant for the bot in a group message (its mention taken out), or
    None when the message is not addressed to it."""
    text = message.text or ""
    mention = f"@{bot_username}"
    if any(
        entity.type == MessageEntity.MENTION
        and message.parse_entity(entity).casefold() == mention.casefold()
        for entity in message.entities
    ):
        return re.sub(re.escape(mention), " ", text, flags=re.IGNORECASE).strip()
    replied = replied_to(message)
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return text.strip()
    return None


def answer(context: BotContext, found: Understood, *, in_private: bool) -> View:
    tr = context.tr
    if found.card is not None:
        report_url = None
        if not in_private:
            report_url = links.report_link(context.bot.username, found.card.commitment.id)
        public_url = links.public_page(
            context.settings.site.base_url, language_of(tr), found.card.commitment.id
        )
        return commitment_views.card(
            tr,
            found.card,
            following=found.card.followed,
            report_url=report_url,
            public_url=public_url,
        )
    if found.member is not None:
        return commitment_views.plans(tr, found.member, found.plans)
    if found.search is not None:
        saved = found.search
        return search_views.search_results(
            tr, saved.text, saved.page, saved.query_id, saved.corrected, saved.pledges
        )
    if found.unknown_id is not None:
        return commitment_views.not_found(tr, found.unknown_id)
    return fallback_views.plain_text_hint(tr)


async def plain_text(update: Update, context: BotContext) -> None:
    message = update.effective_message
    text = message.text or ""
    if not context.in_private:
        text = addressed_text(message, context.bot.username, context.bot.id)
        if text is None:
            return
    if not text.strip():
        await reply(update, fallback_views.plain_text_hint(context.tr))
        return
    # Fuzzy matching of names and words takes a few milliseconds: a worker
    # thread does it, so other chats are answered meanwhile.
    found = await asyncio.to_thread(
        understand, context.db, update.effective_chat.id, text, now=context.now()
    )
    await reply(update, answer(context, found, in_private=context.in_private))


def register(app: Application) -> None:
    text = filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE
    to_bot = filters.ChatType.PRIVATE | filters.Entity(MessageEntity.MENTION) | filters.REPLY
    app.add_handler(MessageHandler(text & to_bot, plain_text))
