"""The last line of defence: log the exception, tell the person something short."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, TelegramError
from telegram.ext import Application, ApplicationHandlerStop

from bot.context import BotContext
from bot.handlers import chat_events
from bot.handlers.common import reply
from bot.inbox import current_handling, is_transient, record_error
from bot.views import errors as views

log = logging.getLogger(__name__)


async def group_upgraded(update: object, context: BotContext, error: ChatMigrated) -> None:
    """A handler's send hit a group upgraded to a supergroup meanwhile (replies and
    edits resend by themselves; this is the rest, e.g. a file). The group moves to
    its new id, and is asked to send its command again there."""
    chat = update.effective_chat if isinstance(update, Update) else None
    log.info("chat %s is now the supergroup %s", chat.id if chat else "?", error.new_chat_id)
    if chat is not None:
        chat_events.move_chat(context.application, chat.id, error.new_chat_id)
    if isinstance(update, Update) and update.callback_query is not None:
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()
    try:
        await context.bot.send_message(error.new_chat_id, views.group_upgraded(context.tr).text)
    except TelegramError:
        log.warning("could not tell supergroup %s to ask again", error.new_chat_id, exc_info=True)


async def on_error(update: object, context: BotContext) -> None:
    """Tell the person once, then stop: handlers of later groups (a fallback that
    would call the command unknown) must not run for an update that failed."""
    await _report(update, context)
    if isinstance(update, Update):
        raise ApplicationHandlerStop


async def _report(update: object, context: BotContext) -> None:
    error = context.error
    if isinstance(error, ChatMigrated):
        await group_upgraded(update, context, error)
        return  # handled: the update is done
    handling = current_handling()
    record_error(handling, error)
    retried = handling is not None and not handling.final_attempt
    if retried and error is not None and is_transient(error):
        log.warning("transient error, the update will be tried again: %s", error)
        return  # the person hears from us when the next try answers
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        # Telegram unreachable for a moment: polling retries by itself.
        log.warning("network error: %s", error)
    else:
        log.error("unhandled error while handling an update", exc_info=error)
    if not isinstance(update, Update):
        return
    if update.callback_query is not None:
        # Stop the button's spinner with the same short, internals-free words.
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer(views.internal_error(context.tr).text[:200])
        return
    if update.effective_message is None:
        return
    try:
        await reply(update, views.internal_error(context.tr))
    except Forbidden:
        pass
    except TelegramError:
        log.warning("could not tell the user about the error", exc_info=True)


def register(app: Application) -> None:
    app.add_error_handler(on_error)
