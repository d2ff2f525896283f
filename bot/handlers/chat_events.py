"""What Telegram says about a chat rather than in it: the bot removed or back, a
group upgraded to a supergroup.

Runs before the visit (which would take any update from a blocked chat as the
chat writing again, and would remember an upgraded group's dead id as a new
chat) and ends the update: no feature has anything to say to it.

The bot removed from a group, or blocked by its user, marks the chat blocked at
once, so nothing more is queued or sent to it and broadcast counts and tallies
leave it out; added back, or unblocked, it is active again.

A group upgraded to a supergroup moves to its new id, with everything it had
(``storage.chats.move_chat``), whichever of the two service messages comes first.
"""

from __future__ import annotations

from typing import Any

from telegram import ChatMember, ChatMemberUpdated, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    ChatMemberHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import DB_KEY, BotContext
from bot.handlers import visit
from storage import chats, outbox, people

GROUP = visit.GROUP - 1

_PRESENT = (ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER)


def bot_present(change: ChatMemberUpdated) -> bool:
    member = change.new_chat_member
    if member.status == ChatMember.RESTRICTED:
        return bool(getattr(member, "is_member", False))
    return member.status in _PRESENT


async def bot_membership(update: Update, context: BotContext) -> None:
    change = update.my_chat_member
    if bot_present(change):
        people.bot_is_back(context.db, change.chat.id)
    else:
        outbox.chat_blocked(context.db, change.chat.id)
    raise ApplicationHandlerStop


def move_chat(app: Application[Any, Any, Any, Any, Any, Any], old_id: int, new_id: int) -> None:
    """Move a chat's rows to its new id, and its open conversations with them.

    ConversationHandler keeps the states it loaded from the database in memory,
    keyed by (chat, user): they are re-keyed too, so a lead asked for a reason in
    the old group answers in the supergroup (persistence then writes the new keys).
    """
    chats.move_chat(app.bot_data[DB_KEY], old_id, new_id)
    for handlers in app.handlers.values():
        for handler in handlers:
            if not isinstance(handler, ConversationHandler):
                continue
            states = handler._conversations  # no public way to re-key them
            for key in [key for key in states if key and key[0] == old_id]:
                states[(new_id, *key[1:])] = states.pop(key)


async def group_upgraded(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message.migrate_to_chat_id:  # said in the old group
        old_id, new_id = message.chat.id, message.migrate_to_chat_id
    else:  # said in the supergroup
        old_id, new_id = message.migrate_from_chat_id, message.chat.id
    move_chat(context.application, old_id, new_id)
    raise ApplicationHandlerStop


def register(app: Application) -> None:
    app.add_handler(ChatMemberHandler(bot_membership, ChatMemberHandler.MY_CHAT_MEMBER), GROUP)
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, group_upgraded), GROUP)
