"""/grant, /revoke, /newgroup, /groups, /linkgroup, /unlinkgroup and /audit.

Who may do what is decided (and audited) in ``storage.roles``; a handler only
says who is named: the author of the replied-to message, an @username, or a
Telegram id typed as the first word.
"""

from __future__ import annotations

from telegram import Message, MessageEntity, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import callbacks as cb
from bot.context import BotContext
from bot.handlers.common import END, Conversation, edit, replied_to, reply, topic_of
from bot.jobs import drain
from bot.views import roles as views
from storage import roles as store
from storage.ids import parse_user_id


def member_ref(message: Message, args: list[str]) -> tuple[store.MemberRef, str]:
    """Who a command names, and the rest of its text."""
    replied = replied_to(message)
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


TARGET = "target"  # a member was picked from buttons: waiting for what to grant


async def _apply(
    update: Update, context: BotContext, ref: store.MemberRef, text: str, *, revoke: bool
) -> None:
    """Change the role, answer the admin, and get the member's notice on its way."""
    result = store.change_role(
        context.db, context.visitor, ref, text, revoke=revoke, now=context.now()
    )
    await reply(update, views.role_change(context.tr, result, revoke=revoke))
    if result.notified and context.job_queue is not None:
        context.job_queue.run_once(drain, 0, name="role-notice")


async def _change_role(update: Update, context: BotContext, *, revoke: bool) -> int:
    _end_pick(update, context)
    ref, text = member_ref(update.effective_message, context.args or [])
    if ref.user_id is None and not ref.username:
        # No one named as Telegram names people: what was typed is part of a name.
        choices = store.find_members(context.db, context.visitor, text, revoke=revoke)
        if choices is None:
            await reply(update, views.admins_only(context.tr))
        else:
            await reply(update, views.member_choices(context.tr, choices, text, revoke=revoke))
        return END
    await _apply(update, context, ref, text, revoke=revoke)
    return END


async def grant(update: Update, context: BotContext) -> int:
    return await _change_role(update, context, revoke=False)


async def revoke(update: Update, context: BotContext) -> int:
    return await _change_role(update, context, revoke=True)


async def pick_member(update: Update, context: BotContext) -> str | int:
    """A member's button under /grant or /revoke; the presser's rights are checked again."""
    query = update.callback_query
    action, member_id = cb.MEMBER_PICK.parse(query.data)
    revoking = action == "revoke"
    result = store.pick_member(
        context.db,
        context.visitor,
        member_id,
        revoke=revoking,
        state=TARGET,
        topic=topic_of(update),
    )
    if not result.allowed:
        await query.answer(views.admins_only(context.tr).text, show_alert=True)
        return END
    await query.answer()
    await edit(query, views.ask_what_to_grant(context.tr, result, revoke=revoking))
    return TARGET if result.member is not None else END


async def target(update: Update, context: BotContext) -> int:
    chat_id, user_id = update.effective_chat.id, update.effective_user.id
    picked = store.take_picked_member(context.db, chat_id, user_id, topic=topic_of(update))
    if picked is None:  # the pick was lost: say how to name someone, rather than nothing
        await reply(update, views.grant_usage(context.tr, revoke=False))
        return END
    ref, revoking = picked
    await _apply(update, context, ref, update.effective_message.text, revoke=revoking)
    return END


def _end_pick(update: Update, context: BotContext) -> None:
    chat_id, user_id = update.effective_chat.id, update.effective_user.id
    store.end_pick(context.db, chat_id, user_id, topic=topic_of(update))


async def cancel_pick(update: Update, context: BotContext) -> int:
    _end_pick(update, context)
    _ = context.tr.gettext
    await reply(update, views.View(_("Nothing changed.")))
    return END


async def whoami(update: Update, context: BotContext) -> None:
    roles = store.member_roles(context.db, context.visitor)
    await reply(update, views.whoami(context.tr, roles, update.effective_user.full_name))


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
    page = store.audit_page(context.db, context.visitor, page=number, record=False)
    if page is None:
        await query.answer(views.admins_only(context.tr).text, show_alert=True)
        return
    await query.answer()
    await edit(query, views.audit(context.tr, page))


def register(app: Application) -> None:
    picking = Conversation(
        name=store.PICK_CONVERSATION,
        entry_points=[
            CommandHandler("grant", grant),
            CommandHandler("revoke", revoke),
            CallbackQueryHandler(pick_member, pattern=cb.MEMBER_PICK.pattern),
        ],
        states={TARGET: [MessageHandler(filters.TEXT & ~filters.COMMAND, target)]},
        fallbacks=[CommandHandler("cancel", cancel_pick)],
    )
    app.add_handler(picking)
    app.add_handler(CommandHandler("whoami", whoami))
    app.add_handler(CommandHandler("newgroup", newgroup))
    app.add_handler(CommandHandler("groups", groups))
    app.add_handler(CommandHandler("linkgroup", linkgroup))
    app.add_handler(CommandHandler("unlinkgroup", unlinkgroup))
    app.add_handler(CommandHandler("audit", audit))
    app.add_handler(CallbackQueryHandler(audit_page, pattern=cb.AUDIT_PAGE.pattern))
