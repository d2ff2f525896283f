"""/grant, /revoke, /newgroup, /groups, /linkgroup, /unlinkgroup and /audit.

Who may do what is decided (and audited) in ``storage.roles``; a handler only
says who is named: the author of the replied-to message, an @username, or a
Telegram id typed as the first word.
"""

from __future__ import annotations

from telegram import Message, MessageEntity, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks as cb
from bot.context import BotContext
from bot.handlers.common import edit, reply
from bot.views import admin as views
from storage import roles as store
from storage.ids import parse_user_id


def member_ref(message: Message, args: list[str]) -> tuple[store.MemberRef, str]:
    """Who a command names, and the rest of its text."""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and not replied.from_user.is_bot:
        return store.MemberRef(user_id=replied.from_user.id), " ".join(args)
    if not args:
        return store.MemberRef(), ""
    first, rest = args[0], " ".join(args[1:])
    for entity, text in message.parse_entities([MessageEntity.TEXT_MENTION]).items():
        if text == first and entity.user is not None:  # a person without a username
            return store.MemberRef(user_id=entity.user.id), rest
    if first.startswith("@") and len(first) > 1:
        return store.MemberRef(username=first[1:]), rest
    if first.isdigit():
        # Digits that are no Telegram id (400 of them, "²") name nobody we know.
        return store.MemberRef(user_id=parse_user_id(first) or 0), rest
    return store.MemberRef(), " ".join(args)


async def _change_role(update: Update, context: BotContext, *, revoke: bool) -> None:
    ref, text = member_ref(update.effective_message, context.args or [])
    result = store.change_role(context.db, context.visitor, ref, text, revoke=revoke)
    await reply(update, views.role_change(context.tr, result, revoke=revoke))


async def grant(update: Update, context: BotContext) -> None:
    await _change_role(update, context, revoke=False)


async def revoke(update: Update, context: BotContext) -> None:
    await _change_role(update, context, revoke=True)


async def newgroup(update: Update, context: BotContext) -> None:
    result = store.create_group(context.db, context.visitor, " ".join(context.args or []))
    await reply(update, views.group_change(context.tr, result))


async def groups(update: Update, context: BotContext) -> None:
    for view in views.groups(context.tr, store.list_groups(context.db)):
        await reply(update, view)


async def _link(update: Update, context: BotContext, *, unlink: bool) -> None:
    result = store.link_chat(
        context.db,
        context.visitor,
        update.effective_chat.id,
        " ".join(context.args or []),
        unlink=unlink,
    )
    await reply(update, views.link_result(context.tr, result, unlink=unlink))


async def linkgroup(update: Update, context: BotContext) -> None:
    await _link(update, context, unlink=False)


async def unlinkgroup(update: Update, context: BotContext) -> None:
    await _link(update, context, unlink=True)


async def audit(update: Update, context: BotContext) -> None:
    page = store.audit_page(context.db, context.visitor)
    if page is None:
        await reply(update, views.admins_only(context.tr))
        return
    await reply(update, views.audit(context.tr, page))


async def audit_page(update: Update, context: BotContext) -> None:
    query = update.callback_query
    (number,) = cb.AUDIT_PAGE.parse(query.data)
    page = store.audit_page(context.db, context.visitor, page=int(number), record=False)
    if page is None:
        await query.answer(views.admins_only(context.tr).text, show_alert=True)
        return
    await query.answer()
    await edit(query, views.audit(context.tr, page))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("grant", grant))
    app.add_handler(CommandHandler("revoke", revoke))
    app.add_handler(CommandHandler("newgroup", newgroup))
    app.add_handler(CommandHandler("groups", groups))
    app.add_handler(CommandHandler("linkgroup", linkgroup))
    app.add_handler(CommandHandler("unlinkgroup", unlinkgroup))
    app.add_handler(CommandHandler("audit", audit))
    app.add_handler(CallbackQueryHandler(audit_page, pattern=cb.AUDIT_PAGE.pattern))
