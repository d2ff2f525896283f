"""/myreports: a member's own reports, to edit or withdraw until verified."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks as cb
from bot.context import BotContext
from bot.handlers.common import edit, expired, reply
from bot.views import myreports as views
from storage import reports as store


async def my_reports(update: Update, context: BotContext) -> None:
    page = store.my_reports(context.db, update.effective_user.id)
    await reply(update, views.my_reports(context.tr, page))


async def my_reports_button(update: Update, context: BotContext) -> None:
    """Paging, withdraw and its confirmation. Edit is the report conversation's entry."""
    query = update.callback_query
    action, number = cb.MY_REPORTS.parse(query.data)
    user_id = update.effective_user.id
    if action == "page":
        await query.answer()
        await edit(
            query,
            views.my_reports(context.tr, store.my_reports(context.db, user_id, page=int(number))),
        )
        return
    if action not in ("wd", "wdy"):
        await expired(query, context)
        return
    info = store.get_report(context.db, int(number))
    if info is None or info.reporter_id != user_id:
        await query.answer(views.cannot_change(context.tr, "not_yours"), show_alert=True)
        return
    if action == "wd":
        await query.answer()
        await edit(query, views.confirm_withdraw(context.tr, info))
        return
    try:
        info = store.withdraw(context.db, user_id, int(number))
    except store.ReportError as problem:
        await query.answer(views.cannot_change(context.tr, problem.args[0]), show_alert=True)
        return
    await query.answer()
    await edit(query, views.withdrawn(context.tr, info))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("myreports", my_reports))
    app.add_handler(CallbackQueryHandler(my_reports_button, pattern=cb.MY_REPORTS.pattern))
