"""/myreports: a member's own reports, to edit or withdraw until verified."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks as cb
from bot.context import BotContext
from bot.handlers.common import edit, reply
from bot.views import myreports as views
from storage import report_rules
from storage import reports as store


async def my_reports(update: Update, context: BotContext) -> None:
    page = store.my_reports(context.db, update.effective_user.id)
    await reply(update, views.my_reports(context.tr, page))


async def my_reports_page(update: Update, context: BotContext) -> None:
    query = update.callback_query
    _action, page = cb.MY_REPORTS.parse(query.data)
    data = store.my_reports(context.db, update.effective_user.id, page=page)
    await query.answer()
    await edit(query, views.my_reports(context.tr, data))


async def ask_withdraw(update: Update, context: BotContext) -> None:
    """Withdrawing asks first. Edit is the report conversation's entry."""
    query = update.callback_query
    _action, number = cb.MY_REPORTS.parse(query.data)
    info = store.get_report(context.db, number)
    if info is None or info.reporter_id != update.effective_user.id:
        await query.answer(views.cannot_change(context.tr, "not_yours"), show_alert=True)
        return
    await query.answer()
    await edit(query, views.confirm_withdraw(context.tr, info))


async def withdraw(update: Update, context: BotContext) -> None:
    query = update.callback_query
    _action, number = cb.MY_REPORTS.parse(query.data)
    try:
        info = store.withdraw(context.db, update.effective_user.id, number)
    except report_rules.ReportError as problem:
        await query.answer(views.cannot_change(context.tr, problem.args[0]), show_alert=True)
        return
    await query.answer()
    await edit(query, views.withdrawn(context.tr, info))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("myreports", my_reports))
    app.add_handler(CallbackQueryHandler(my_reports_page, pattern=cb.MY_REPORTS.on("page").pattern))
    app.add_handler(CallbackQueryHandler(ask_withdraw, pattern=cb.MY_REPORTS.on("wd").pattern))
    app.add_handler(CallbackQueryHandler(withdraw, pattern=cb.MY_REPORTS.on("wdy").pattern))
