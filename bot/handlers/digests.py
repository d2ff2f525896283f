"""/digest: this chat's digest now, as the scheduled one would read.

The schedule itself is ``handlers.settings``'s; the scheduled sending, ``bot.jobs``'s.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler

from bot.context import BotContext
from bot.handlers.common import topic_of
from bot.views import digests as views
from storage.digests import build_digests


async def digest_now(update: Update, context: BotContext) -> None:
    """This chat's digest now (in a forum topic, that topic's); its schedule does not move."""
    chat_id = update.effective_chat.id
    [data] = build_digests(
        context.db,
        [chat_id],
        now=context.now(),
        ask_after_plan_end=context.settings.ask_after_plan_end,
        thread_id=topic_of(update),
    )
    parts = views.digest(
        context.tr,
        data,
        private=context.in_private,
        bot_username=context.bot.username,
        full=True,
    )
    for text, markup in parts:
        await update.effective_message.reply_text(
            text, parse_mode=ParseMode.HTML, reply_markup=markup, do_quote=False
        )


def register(app: Application) -> None:
    app.add_handler(CommandHandler("digest", digest_now))
