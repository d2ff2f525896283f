"""/forgetme: a member deletes their personal data, after confirming with a button.

A conversation like the others (bot.handlers.common.Conversation): the question
is its one state, written by storage; a Yes or No pressed with no question
pending (answered already, or forged) is an expired button.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks as cb
from bot.context import BotContext
from bot.handlers.common import Conversation, reply, show
from bot.views import forget as views
from storage import forget as store


async def forgetme(update: Update, context: BotContext) -> None:
    if not context.in_private:
        await reply(update, views.forget_in_private(context.tr))
        return
    store.ask(context.db, update.effective_user.id, update.effective_chat.id, now=context.now())
    await reply(update, views.forget_ask(context.tr))


def _own_chat(update: Update) -> bool:
    """The question is asked only in one's own private chat: a button elsewhere is forged."""
    return update.effective_chat.id == update.effective_user.id


async def keep(update: Update, context: BotContext) -> None:
    kept = _own_chat(update) and store.cancel(
        context.db, update.effective_user.id, update.effective_chat.id
    )
    await show(update, context, views.forget_kept(context.tr) if kept else None)


async def forget(update: Update, context: BotContext) -> None:
    result = None
    if _own_chat(update):
        result = store.forget_member(
            context.db,
            update.effective_user.id,
            update.effective_chat.id,
            update_id=update.update_id,
            now=context.now(),
        )
    await show(update, context, views.forgotten(context.tr, result) if result is not None else None)


def register(app: Application) -> None:
    conversation = Conversation(
        name=store.CONVERSATION,
        entry_points=[CommandHandler("forgetme", forgetme)],
        states={
            store.CONFIRM: [
                CallbackQueryHandler(forget, pattern=cb.FORGET.on("yes").pattern),
                CallbackQueryHandler(keep, pattern=cb.FORGET.on("no").pattern),
            ]
        },
        fallbacks=[],
    )
    app.add_handler(conversation)
