"""/subscribe, /unsubscribe, /following and their buttons."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks as cb
from bot.context import BotContext
from bot.handlers.common import edit, expired, is_chat_admin, reply, topic_of
from bot.views import base as views_base
from bot.views import following as views
from storage import following as store


async def subscribe(update: Update, context: BotContext) -> None:
    if not context.args:
        await reply(update, views.regions(context.tr, store.regions(context.db)))
        return
    await _follow_by_text(update, context, unfollow=False)


async def unsubscribe(update: Update, context: BotContext) -> None:
    if not context.args:
        rows = store.following(context.db, update.effective_chat.id, thread_id=topic_of(update))
        await reply(update, views.unsubscribe_usage(context.tr, rows))
        return
    await _follow_by_text(update, context, unfollow=True)


async def _follow_by_text(update: Update, context: BotContext, *, unfollow: bool) -> None:
    # Matching names is fuzzy and can take a while: a worker thread does it, so
    # every other chat is answered meanwhile.
    change, unresolved = await asyncio.to_thread(
        store.follow_by_text,
        context.db,
        context.visitor,
        update.effective_chat.id,
        " ".join(context.args),
        unfollow=unfollow,
        chat_admin=await is_chat_admin(update, context),
        now=context.now(),
        thread_id=topic_of(update),
    )
    view = views.change(context.tr, change, unresolved=unresolved, truncated=unresolved.truncated)
    await reply(update, view)


async def following(update: Update, context: BotContext) -> None:
    rows = store.following(context.db, update.effective_chat.id, thread_id=topic_of(update))
    await reply(update, views.following(context.tr, rows))


async def show_regions(update: Update, context: BotContext) -> None:
    query = update.callback_query
    await query.answer()
    await edit(query, views.regions(context.tr, store.regions(context.db)))


async def _show_region(
    update: Update, context: BotContext, index: int, page: int, *, browse: bool = False
) -> bool:
    names = store.regions(context.db)
    if not 0 <= index < len(names):
        return False
    data = store.region_page(
        context.db,
        update.effective_chat.id,
        names[index],
        page,
        language=views_base.names_locale(context.tr),
        thread_id=topic_of(update),
    )
    await edit(update.callback_query, views.region_page(context.tr, data, index, browse=browse))
    return True


async def show_region(update: Update, context: BotContext) -> None:
    query = update.callback_query
    index, page = cb.FOLLOW_REGION.parse(query.data)
    if not await _show_region(update, context, index, page):
        await expired(query, context)
        return
    await query.answer()


async def browse_regions(update: Update, context: BotContext) -> None:
    """/country's regions: looking, not following (that is /subscribe's job)."""
    query = update.callback_query
    await query.answer()
    await edit(query, views.regions(context.tr, store.regions(context.db), browse=True))


async def browse_region(update: Update, context: BotContext) -> None:
    query = update.callback_query
    index, page = cb.BROWSE_REGION.parse(query.data)
    if not await _show_region(update, context, index, page, browse=True):
        await expired(query, context)
        return
    await query.answer()


async def toggle(update: Update, context: BotContext) -> None:
    query = update.callback_query
    code, index, page = cb.FOLLOW_TOGGLE.parse(query.data)
    result = store.toggle_following(
        context.db,
        context.visitor,
        update.effective_chat.id,
        code,
        chat_admin=await is_chat_admin(update, context),
        now=context.now(),
        thread_id=topic_of(update),
    )
    if not (result.added or result.removed or not result.allowed):
        await expired(query, context)  # a code that is no member: forged or gone
        return
    await query.answer(views.toggled(context.tr, result), show_alert=not result.allowed)
    if result.allowed:
        await _show_region(update, context, index, page)


async def add(update: Update, context: BotContext) -> None:
    query = update.callback_query
    (code,) = cb.FOLLOW_ADD.parse(query.data)
    result = store.change_following(
        context.db,
        context.visitor,
        update.effective_chat.id,
        follow=[code],
        chat_admin=await is_chat_admin(update, context),
        now=context.now(),
        thread_id=topic_of(update),
    )
    if result.allowed and not (result.added or result.unchanged):
        await expired(query, context)
        return
    await query.answer(views.toggled(context.tr, result), show_alert=not result.allowed)
    if result.added:
        await reply(update, views.change(context.tr, result))


async def remove(update: Update, context: BotContext) -> None:
    query = update.callback_query
    (code,) = cb.FOLLOW_REMOVE.parse(query.data)
    chat_id, topic = update.effective_chat.id, topic_of(update)
    result = store.change_following(
        context.db,
        context.visitor,
        chat_id,
        unfollow=[code],
        chat_admin=await is_chat_admin(update, context),
        now=context.now(),
        thread_id=topic,
    )
    await query.answer(views.toggled(context.tr, result), show_alert=not result.allowed)
    if result.allowed:
        rows = store.following(context.db, chat_id, thread_id=topic)
        await edit(query, views.unsubscribe_usage(context.tr, rows))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("subscribe", subscribe))
    app.add_handler(CommandHandler("unsubscribe", unsubscribe))
    app.add_handler(CommandHandler("following", following))
    app.add_handler(CallbackQueryHandler(show_regions, pattern=cb.FOLLOW_REGIONS.pattern))
    app.add_handler(CallbackQueryHandler(show_region, pattern=cb.FOLLOW_REGION.pattern))
    app.add_handler(CallbackQueryHandler(toggle, pattern=cb.FOLLOW_TOGGLE.pattern))
    app.add_handler(CallbackQueryHandler(browse_regions, pattern=cb.BROWSE_REGIONS.pattern))
    app.add_handler(CallbackQueryHandler(browse_region, pattern=cb.BROWSE_REGION.pattern))
    app.add_handler(CallbackQueryHandler(add, pattern=cb.FOLLOW_ADD.pattern))
    app.add_handler(CallbackQueryHandler(remove, pattern=cb.FOLLOW_REMOVE.pattern))
