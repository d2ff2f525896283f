"""Leads verify or reject reports on Summit pledges (their queue is under /pending).

Writing one is the report conversation (bot/handlers/reports.py, given a pledge
id). Button data is never trusted: storage.pledge_reports.review asks
``may_review`` for the pledge's country on every press and audits refusals.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot import callbacks as cb
from bot.context import BotContext
from bot.handlers.common import edit, expired
from bot.views import pledge_reports as views
from storage import pledge_reports as store


async def decide(update: Update, context: BotContext) -> None:
    query = update.callback_query
    verdict, report_id = cb.PLEDGE_REVIEW.parse(query.data)
    decision = store.review(context.db, context.visitor, report_id, verdict, now=context.now())
    if decision.refusal == "no such report":
        await expired(query, context)
        return
    if decision.refusal is not None:
        await query.answer(views.refused(context.tr), show_alert=True)
        return
    await query.answer()
    await edit(query, views.decided(context.tr, decision))
    if decision.already:
        return
    store.tell_author(context.db, report_id, now=context.now())


def register(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(decide, pattern=cb.PLEDGE_REVIEW.pattern))
