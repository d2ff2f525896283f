"""/export (two CSV documents) and /chart (a PNG), built off the event loop."""

from __future__ import annotations

import asyncio

from telegram import InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler

from bot import charts
from bot.context import BotContext
from bot.handlers.common import reply
from bot.views import export as views
from storage import charts as chart_store
from storage import export as store
from storage import summit


async def export(update: Update, context: BotContext) -> None:
    result = await asyncio.to_thread(
        store.export_for_chat,
        context.db,
        context.visitor,
        update.effective_chat.id,
        " ".join(context.args or []),
        now=context.now(),
    )
    if result.scope.problem == "unresolved":
        await reply(update, views.unresolved_scope(context.tr, result.scope))
        return
    message = update.effective_message
    for index, file in enumerate(result.files):
        await message.reply_document(
            InputFile(file.content, filename=file.filename),
            caption=views.export_caption(context.tr, result, index),
            parse_mode=ParseMode.HTML,
            do_quote=False,
        )


def _chart(db, chat_id: int, text: str) -> tuple[store.Scope, chart_store.ChartData | None]:
    scope = store.resolve_scope(db, chat_id, text)
    if scope.problem:
        return scope, None
    return scope, summit.chart_with_pledges(db, scope)


async def chart(update: Update, context: BotContext) -> None:
    scope, data = await asyncio.to_thread(
        _chart, context.db, update.effective_chat.id, " ".join(context.args or [])
    )
    if scope.problem == "unresolved":
        await reply(update, views.unresolved_scope(context.tr, scope))
        return
    if scope.problem == "empty":
        await reply(update, views.chart_usage(context.tr))
        return
    if data is None:
        await reply(update, views.chart_empty(context.tr, scope))
        return
    png = await charts.draw(data, context.tr)
    await update.effective_message.reply_photo(
        InputFile(png, filename="chart.png"),
        caption=views.chart_caption(context.tr, data),
        parse_mode=ParseMode.HTML,
        do_quote=False,
    )


def register(app: Application) -> None:
    app.add_handler(CommandHandler("export", export))
    app.add_handler(CommandHandler("chart", chart))
