"""Government points of contact: the Reply button under a verified report, and the reply.

The button's data names a report only: whether the presser may reply (a government
contact of its country, a verified civil-society report, not answered yet) is
asked of storage again on the press and again when the text comes.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import callbacks as cb
from bot.context import BotContext
from bot.handlers.common import END, Conversation, reply, topic_of
from bot.views import government as views
from bot.views.fallback import plain_text_hint
from storage import government as store

WRITING = "writing"


async def begin(update: Update, context: BotContext) -> str | int:
    query = update.callback_query
    (report_id,) = cb.GOVERNMENT_REPLY.parse(query.data)
    result = store.begin_reply(
        context.db, context.visitor, report_id, state=WRITING, topic=topic_of(update)
    )
    if result.problem:
        await query.answer(views.refused(context.tr, result), show_alert=True)
        return END
    await query.answer()
    await reply(update, views.ask_reply(context.tr, result.report))
    return WRITING


async def text(update: Update, context: BotContext) -> int:
    topic = topic_of(update)
    report_id = store.replying(
        context.db, update.effective_chat.id, update.effective_user.id, topic=topic
    )
    if report_id is None:
        await reply(update, plain_text_hint(context.tr))
        return END
    result = store.save_reply(
        context.db,
        context.visitor,
        report_id,
        update.effective_message.text,
        topic=topic,
        now=context.now(),
    )
    if result.problem:
        await reply(update, views.View(views.refused(context.tr, result)))
    else:
        await reply(update, views.replied(context.tr, result))
    return END


async def cancel(update: Update, context: BotContext) -> int:
    store.cancel_reply(
        context.db, update.effective_chat.id, update.effective_user.id, topic=topic_of(update)
    )
    await reply(update, views.cancelled(context.tr))
    return END


def register(app: Application) -> None:
    conversation = Conversation(
        name=store.REPLY_CONVERSATION,
        entry_points=[CallbackQueryHandler(begin, pattern=cb.GOVERNMENT_REPLY.pattern)],
        states={WRITING: [MessageHandler(filters.TEXT & ~filters.COMMAND, text)]},
        fallbacks=[CommandHandler("cancel", cancel)],
    )
    app.add_handler(conversation)
