"""Leads verify or reject reports; /pending is their queue.

Button data is never trusted: whoever presses Verify, the storage layer checks
that they lead the commitment's country (or are an admin) and did not write the
report themselves, and audits refusals. Each button names the revision it was
shown with: if the author changed the report since, the new text is shown to
decide on, and nothing is decided on words the reviewer never saw.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import callbacks as cb
from bot.context import BotContext
from bot.handlers.common import END, Conversation, edit, reply, topic_of
from bot.jobs import deliver_soon
from bot.views import pledge_reports as pledge_views
from bot.views import review as views
from bot.views.fallback import plain_text_hint
from storage import pledge_reports
from storage import reports as reports_store
from storage import review as store
from storage.models import Role

REASON = "reason"

log = logging.getLogger(__name__)


def _review_button(data: str) -> tuple[str, int, int]:
    """(verdict, report id, revision shown) from Verify/Reject button data.

    Buttons sent before revisions were kept name no revision: they showed the first.
    """
    if parsed := cb.REVIEW.parse(data):
        return parsed
    verdict, update_id = cb.REVIEW_FIRST.parse(data)
    return verdict, update_id, 1


async def show_changed(update: Update, context: BotContext, info: reports_store.ReportInfo) -> None:
    """The report as it is now, with buttons for this version, below the old one."""
    await reply(update, views.changed_report(context.tr, info))


async def _stopped(update: Update, context: BotContext, result: store.ReviewResult) -> bool:
    """Answer a Verify or Reject that goes no further: not the presser's to decide,
    a report changed since its buttons were sent, or one already decided."""
    query = update.callback_query
    if not result.allowed:
        await query.answer(views.refused(context.tr, result.refusal), show_alert=True)
    elif result.outdated:
        await query.answer(views.report_changed(context.tr))
        await show_changed(update, context, result.report)
    elif not result.changed:
        await query.answer(views.already_reviewed(context.tr, result.report), show_alert=True)
    else:
        return False
    return True


async def verify(update: Update, context: BotContext) -> None:
    query = update.callback_query
    _verdict, update_id, revision = _review_button(query.data)
    reviewer = update.effective_user.full_name
    shown = (query.message.chat.id, query.message.message_id) if query.message else None
    result = store.review(
        context.db,
        context.visitor,
        update_id,
        revision=revision,
        verify=True,
        topic=topic_of(update),
        shown=shown,
        now=context.now(),
        reviewer=reviewer,
    )
    if await _stopped(update, context, result):
        return
    await query.answer("✅")
    await edit(query, views.reviewed(context.tr, result.report, reviewer))
    deliver_soon(context)


async def reject(update: Update, context: BotContext) -> str | int:
    query = update.callback_query
    _verdict, update_id, revision = _review_button(query.data)
    result = store.begin_reject(
        context.db,
        context.visitor,
        update_id,
        revision=revision,
        state=REASON,
        topic=topic_of(update),
    )
    if await _stopped(update, context, result):
        return END
    await query.answer()
    await reply(update, views.ask_reason(context.tr, result.report))
    return REASON


async def reason(update: Update, context: BotContext) -> str | int:
    chat_id, user_id = update.effective_chat.id, update.effective_user.id
    asked = store.rejecting(context.db, chat_id, user_id, topic=topic_of(update))
    if asked is None:
        # The rejection was closed meanwhile (another review cleared it): this is an
        # ordinary message again, and gets the ordinary answer rather than silence.
        await reply(update, plain_text_hint(context.tr))
        return END
    update_id, revision = asked
    reviewer = update.effective_user.full_name
    result = store.review(
        context.db,
        context.visitor,
        update_id,
        revision=revision,
        verify=False,
        reason=update.effective_message.text,
        topic=topic_of(update),
        now=context.now(),
        reviewer=reviewer,
    )
    if not result.allowed or result.report is None:
        await reply(update, views.View(views.refused(context.tr, result.refusal)))
        return END
    if result.outdated:  # the author changed it while the reason was being written
        await show_changed(update, context, result.report)
        return END
    await reply(update, views.reviewed(context.tr, result.report, reviewer))
    deliver_soon(context)
    return END


async def reason_hint(update: Update, context: BotContext) -> str:
    await reply(update, views.reason_hint(context.tr))
    return REASON


async def cancel_reject(update: Update, context: BotContext) -> int:
    store.cancel_reject(
        context.db, update.effective_chat.id, update.effective_user.id, topic=topic_of(update)
    )
    await reply(update, views.reject_cancelled(context.tr))
    return END


async def pending(update: Update, context: BotContext) -> None:
    page = store.pending_queue(context.db, context.visitor)
    if page is None:
        await reply(update, views.only_leads(context.tr))
        return
    reveal = context.role is Role.ADMIN
    pledged = pledge_reports.pending(context.db, context.visitor)
    if page.total or not pledged:
        await reply(update, views.pending(context.tr, page, reveal=reveal))
    if pledged:  # reports on Summit pledges: their own, labelled section
        await reply(update, pledge_views.pending(context.tr, pledged, reveal=reveal))


async def pending_page(update: Update, context: BotContext) -> None:
    query = update.callback_query
    (page_number,) = cb.PENDING_PAGE.parse(query.data)
    page = store.pending_queue(context.db, context.visitor, page=page_number)
    if page is None:
        await query.answer(views.not_allowed(context.tr), show_alert=True)
        return
    await query.answer()
    await edit(query, views.pending(context.tr, page, reveal=context.role is Role.ADMIN))


def register(app: Application) -> None:
    conversation = Conversation(
        name="reject",
        entry_points=[
            CallbackQueryHandler(
                reject, pattern=cb.any_of(cb.REVIEW.on("no"), cb.REVIEW_FIRST.on("no"))
            )
        ],
        states={
            REASON: [
                MessageHandler(filters.TEXT & ~filters.COMMAND, reason),
                MessageHandler(~filters.COMMAND, reason_hint),
            ]
        },
        fallbacks=[CommandHandler("cancel", cancel_reject)],
    )
    app.add_handler(conversation)
    app.add_handler(
        CallbackQueryHandler(
            verify, pattern=cb.any_of(cb.REVIEW.on("ok"), cb.REVIEW_FIRST.on("ok"))
        )
    )
    app.add_handler(CommandHandler("pending", pending))
    app.add_handler(CallbackQueryHandler(pending_page, pattern=cb.PENDING_PAGE.pattern))
