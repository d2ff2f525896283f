"""/settings, /timezone, /stop — a chat's rhythm, edited with buttons."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import callbacks as cb
from bot.context import BotContext
from bot.handlers.common import edit, expired, is_chat_admin, reply
from bot.i18n import available_languages
from bot.views import settings as views
from storage import permissions, schedule, settings
from storage.models import ChatState

# Runs after the feature handlers, to offer a stopped chat to resume.
RESUME_GROUP = 1


async def _may_change(update: Update, context: BotContext, action: str) -> bool:
    """storage decides (and audits refusals); Telegram only says who administers a group."""
    return permissions.may_change(
        context.db,
        context.visitor,
        update.effective_chat.id,
        chat_admin=await is_chat_admin(update, context),
        action=action,
    )


def _languages() -> list[str]:
    return sorted(available_languages())


async def settings_command(update: Update, context: BotContext) -> None:
    data = settings.get_settings(context.db, update.effective_chat.id)
    await reply(update, views.settings(context.tr, data, _languages()))


async def settings_menu(update: Update, context: BotContext) -> None:
    query = update.callback_query
    _what, menu = cb.SETTINGS_MENU.parse(query.data)
    chat_id = update.effective_chat.id
    if menu == "zone":
        zones = settings.zones_for(context.db, chat_id, extra=context.settings.default_timezone)
        view = views.zone_menu(context.tr, zones)
    elif menu == "main":
        view = views.settings(context.tr, settings.get_settings(context.db, chat_id), _languages())
    else:
        view = {"day": views.day_menu, "hour": views.hour_menu}[menu](context.tr)
    await query.answer()
    await edit(query, view)


_SWITCHES = {
    "rem": "reminders",
    "empty": "when_empty",
    "prem": "plan_reminders",
    "anon": "anonymous",
    "pub": "public_name",
}
# Each setting's route, and the change its (already checked) value makes.
_CHANGES: dict[cb.Route, Callable[[str, Any], dict[str, object]]] = {
    cb.SET_FREQUENCY: lambda _what, value: {"frequency": value},
    cb.SET_DAY: lambda _what, value: {"weekday": value},
    cb.SET_HOUR: lambda _what, value: {"hour": value},
    cb.SET_SWITCH: lambda what, value: {_SWITCHES[what]: value == "on"},
    cb.SET_REMINDER_DAYS: lambda _what, value: {"reminder_days": value},
    cb.SET_LANGUAGE: lambda _what, value: {"language": value},
}


def _setting(route: cb.Route) -> Callable[[Update, BotContext], Awaitable[None]]:
    """The handler of one setting's buttons: rights, then the change."""

    async def change_setting(update: Update, context: BotContext) -> None:
        query = update.callback_query
        what, value = route.parse(query.data)
        if not await _may_change(update, context, what):
            await query.answer(views.settings_refused(context.tr).text, show_alert=True)
            return
        change = _CHANGES[route](what, value)
        data = settings.update_settings(
            context.db, update.effective_chat.id, now=context.now(), **change
        )
        await query.answer()
        # A new language shows at once, in this very message.
        await edit(query, views.settings(context.tr_for(data.language), data, _languages()))

    return change_setting


async def zone_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    (index,) = cb.ZONE.parse(query.data)
    chat_id = update.effective_chat.id
    zones = settings.zones_for(context.db, chat_id, extra=context.settings.default_timezone)
    if index >= len(zones):
        await expired(query, context)
        return
    if not await _may_change(update, context, "timezone"):
        await query.answer(views.settings_refused(context.tr).text, show_alert=True)
        return
    data = settings.update_settings(context.db, chat_id, now=context.now(), timezone=zones[index])
    await query.answer()
    await edit(query, views.settings(context.tr, data, _languages()))


async def timezone_command(update: Update, context: BotContext) -> None:
    typed = " ".join(context.args or []).strip()
    name = schedule.find_zone(typed)
    if name is None:
        await reply(update, views.timezone_unknown(context.tr, typed))
        return
    if not await _may_change(update, context, "timezone"):
        await reply(update, views.settings_refused(context.tr))
        return
    settings.update_settings(context.db, update.effective_chat.id, now=context.now(), timezone=name)
    await reply(update, views.timezone_set(context.tr, name))


async def stop(update: Update, context: BotContext) -> None:
    if not await _may_change(update, context, "stop"):
        await reply(update, views.settings_refused(context.tr))
        return
    settings.stop_chat(context.db, update.effective_chat.id)
    await reply(update, views.stopped(context.tr))


async def offer_resume(update: Update, context: BotContext) -> None:
    """Any command in a stopped chat (but /stop) is followed by the question."""
    text = update.effective_message.text or ""
    if text.split(maxsplit=1)[0].split("@")[0] == "/stop":
        return
    # The visit (handler group -1) already read the chat; no command changes a
    # stopped chat's state before this group runs (/stop is excluded above).
    visitor = context.visitor
    if visitor is not None and visitor.chat_id == update.effective_chat.id:
        state = visitor.chat_state
    else:
        data = settings.get_settings(context.db, update.effective_chat.id)
        state = data.state if data is not None else None
    if state == ChatState.STOPPED:
        await reply(update, views.resume_question(context.tr))


async def resume_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if not await _may_change(update, context, "resume"):
        await query.answer(views.settings_refused(context.tr).text, show_alert=True)
        return
    settings.resume_chat(context.db, update.effective_chat.id, now=context.now())
    await query.answer()
    await edit(query, views.resumed(context.tr, True))


async def keep_stopped(update: Update, context: BotContext) -> None:
    query = update.callback_query
    await query.answer()
    await edit(query, views.resumed(context.tr, False))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("settings", settings_command))
    app.add_handler(CommandHandler("timezone", timezone_command))
    app.add_handler(CommandHandler("stop", stop))
    app.add_handler(CallbackQueryHandler(settings_menu, pattern=cb.SETTINGS_MENU.pattern))
    for route in _CHANGES:
        app.add_handler(CallbackQueryHandler(_setting(route), pattern=route.pattern))
    app.add_handler(CallbackQueryHandler(zone_button, pattern=cb.ZONE.pattern))
    app.add_handler(CallbackQueryHandler(resume_button, pattern=cb.RESUME.on("yes").pattern))
    app.add_handler(CallbackQueryHandler(keep_stopped, pattern=cb.RESUME.on("no").pattern))
    app.add_handler(MessageHandler(filters.COMMAND, offer_resume), group=RESUME_GROUP)
