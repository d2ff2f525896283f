"""What Telegram says about a chat rather than in it: the bot removed or back.

Runs before the visit (which would take any update from a blocked chat as the
chat writing again) and ends the update: no feature has anything to say to it.
The bot removed from a group, or blocked by its user, marks the chat blocked at
once, so nothing more is queued or sent to it and broadcast counts and tallies
leave it out; added back, or unblocked, it is active again.
"""

from __future__ import annotations

from telegram import ChatMember, ChatMemberUpdated, Update
from telegram.ext import Application, ApplicationHandlerStop, ChatMemberHandler

from bot.context import BotContext
from bot.handlers import visit
from storage import outbox, people

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


def register(app: Application) -> None:
    app.add_handler(ChatMemberHandler(bot_membership, ChatMemberHandler.MY_CHAT_MEMBER), GROUP)
