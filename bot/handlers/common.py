"""Small pieces every handler uses."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Callable
from itertools import chain

from telegram import CallbackQuery, ChatMember, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, TelegramError
from telegram.ext import BaseHandler, ConversationHandler
from telegram.ext._utils.types import ConversationKey

from bot.context import BotContext
from bot.views import View
from storage.conversations import state_of

log = logging.getLogger(__name__)


async def reply(update: Update, view: View) -> Message | None:
    """Answer in the chat the update came from, as HTML, with the view's keyboard.

    A group upgraded to a supergroup after the person wrote answers ``ChatMigrated``:
    the answer goes to the supergroup, where the group now is (its rows move there
    when Telegram's service message arrives).
    """
    message = update.effective_message
    if message is None:
        return None
    try:
        return await message.reply_text(
            view.text,
            parse_mode=ParseMode.HTML,
            reply_markup=view.keyboard,
            do_quote=False,
        )
    except ChatMigrated as upgraded:
        return await message.get_bot().send_message(
            upgraded.new_chat_id, view.text, parse_mode=ParseMode.HTML, reply_markup=view.keyboard
        )


def topic_of(update: Update) -> int:
    """The forum topic an update comes from (0: none, or a chat without topics).

    A button's press comes from the bot's message, which is in the topic it was
    sent to. ``reply_text`` answers in the topic by itself; storage is told it so
    that what a topic follows, and its digests, are its own.
    """
    message = update.effective_message
    if message is None or not message.is_topic_message:
        return 0
    return message.message_thread_id or 0


async def edit(query: CallbackQuery, view: View) -> None:
    """Replace the pressed message in place (paging never floods the chat).

    Pressing a button that shows what is already there ("1/3") is not an error
    for the person, so Telegram's "message is not modified" is ignored. A button
    under a message of a group since upgraded to a supergroup cannot edit it: the
    view is sent to the supergroup instead.
    """
    try:
        await query.edit_message_text(
            view.text, parse_mode=ParseMode.HTML, reply_markup=view.keyboard
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
    except ChatMigrated as upgraded:
        await query.get_bot().send_message(
            upgraded.new_chat_id, view.text, parse_mode=ParseMode.HTML, reply_markup=view.keyboard
        )


async def expired(query: CallbackQuery, context: BotContext) -> None:
    """The polite answer to a button we cannot honour: stale, forged or gone.

    Without a visitor (a press that was stopped before the visit was recorded) the
    presser's Telegram language is the best guess at theirs.
    """
    tr = context.tr if context.visitor else context.tr_for(query.from_user.language_code)
    _ = tr.gettext
    await query.answer(
        _("This button has expired. Please send the command again."), show_alert=True
    )


async def show(
    update: Update, context: BotContext, view: View | None, *, below: bool = False
) -> None:
    """A button's answer: ``view`` in place of the pressed message (or as a new one
    ``below`` it), or "expired" when what the button pointed at is gone (None)."""
    query = update.callback_query
    if view is None:
        await expired(query, context)
        return
    await query.answer()
    if below:
        await reply(update, view)
    else:
        await edit(query, view)


async def is_chat_admin(update: Update, context: BotContext) -> bool:
    """Telegram's half of the rights rule, the ``chat_admin`` that storage's rules take.

    Storage decides who may manage a chat; only Telegram knows who administers a
    group, and asking it costs a request, so it is asked only when our own roles
    do not settle it: never in a private chat (no group to administer) nor for a
    lead (who may anyway).
    """
    chat, user = update.effective_chat, update.effective_user
    if context.in_private or (context.visitor and context.visitor.is_lead):
        return False
    if chat is None:
        return False
    message = update.effective_message
    if message is not None and message.sender_chat is not None:
        # An anonymous administrator posts as the group itself.
        return message.sender_chat.id == chat.id
    if user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError:
        log.warning("getChatMember failed for chat %s", chat.id, exc_info=True)
        return False
    return member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR)


def replied_to(message: Message) -> Message | None:
    """The message this one answers. In a forum topic every message formally replies
    to the topic's opening (``forum_topic_created``), which is no one's answer."""
    replied = message.reply_to_message
    if replied is None or replied.forum_topic_created is not None:
        return None
    return replied


# What a step returns to close its conversation.
END = ConversationHandler.END


class Conversation(ConversationHandler):
    """The one conversation mechanism: storage writes the state, this reads it.

    Each step's storage function writes the conversation's next state in the
    transaction of the step's data (storage.conversations). Whatever a step
    returns, python-telegram-bot is handed the state read back from the database
    after it, so its in-memory copy cannot drift from the row: a step whose
    transaction fails raises before anything is read, and the person stays at
    the step they were at. The persistence writes nothing (bot.persistence).

    Forum topics are kept apart: python-telegram-bot keys a conversation on
    (chat, user), so a person's message in one topic would answer a question
    asked in another. In a topic the key is (chat, topic, user) (the row
    "<name>@<topic>"); elsewhere it stays (chat, user). ``_get_key`` is the one
    place the library builds keys (the same from version 20 to 22).

    Conversations mix messages and buttons and are tracked per chat and user,
    which is what we want; the library's per_message warning is silenced.
    """

    def __init__(
        self,
        *,
        name: str,
        entry_points: list[BaseHandler],
        states: dict[object, list[BaseHandler]],
        fallbacks: list[BaseHandler],
    ) -> None:
        for handler in chain(entry_points, fallbacks, *states.values()):
            handler.callback = self._then_stored_state(handler.callback)
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message="If 'per_message=False'", category=UserWarning
            )
            super().__init__(
                entry_points,
                states,  # type: ignore[arg-type]
                fallbacks,
                allow_reentry=True,
                name=name,
                persistent=True,
            )

    def _then_stored_state(self, step: Callable[..., Awaitable[object]]):
        async def then_stored_state(update: Update, context: BotContext) -> object:
            await step(update, context)
            state = state_of(context.db, self.name, self._get_key(update))
            return END if state is None else state

        then_stored_state.__name__ = getattr(step, "__name__", "step")
        return then_stored_state

    def _get_key(self, update: Update) -> ConversationKey:
        key = super()._get_key(update)
        topic = topic_of(update)
        if not (topic and self.per_chat):
            return key
        return (key[0], topic, *key[1:])
