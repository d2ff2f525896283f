"""/search: words typed after the command, and paging through the results it saved.

Words typed alone, without /search, are ``handlers.plain_text``'s.
"""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks as cb
from bot.context import BotContext
from bot.handlers.common import reply, show
from bot.views import search as views
from storage.search import saved_search_page, search_and_remember


async def search(update: Update, context: BotContext) -> None:
    text = " ".join(context.args or []).strip()
    if not text:
        await reply(update, views.search_usage(context.tr))
        return
    found = await asyncio.to_thread(
        search_and_remember, context.db, update.effective_chat.id, text, now=context.now()
    )
    await reply(
        update,
        views.search_results(
            context.tr, text, found.page, found.query_id, found.corrected, found.pledges
        ),
    )


async def search_page(update: Update, context: BotContext) -> None:
    query = update.callback_query
    query_id, page = cb.SEARCH_PAGE.parse(query.data)
    found = saved_search_page(context.db, query_id, update.effective_chat.id, page)
    view = None
    if found is not None:
        view = views.search_results(context.tr, found.text, found.page, query_id, found.corrected)
    await show(update, context, view)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("search", search))
    app.add_handler(CallbackQueryHandler(search_page, pattern=cb.SEARCH_PAGE.pattern))
