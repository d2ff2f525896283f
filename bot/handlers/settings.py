"""/settings, /timezone, /digest, /stop — a chat's rhythm, edited with buttons."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import callbacks as cb
from bot.context import BotContext
from bot.handlers.common import edit, expired, is_chat_admin, reply, topic_of
from bot.i18n import available_languages
from bot.views import digests as views
from storage import schedule
from storage.digests import build_digests
from storage.models import ChatState

# Runs after the feature handlers, to offer a stopped chat to resume.
RESUME_GROUP = 1


async def _may_change(update: Update, context: BotContext, action: str) -> bool:
    """storage decides (and audits refusals); Telegram only says who administers a group."""
    chat_admin = False
    if not context.in_private and not (context.visitor and context.visitor.is_lead):
        chat_admin = await is_chat_admin(update, context)
    return schedule.may_change(
        context.db,
        context.visitor,
        update.effective_chat.id,
        chat_admin=chat_admin,
        action=action,
    )


def _languages() -> list[str]:
    return sorted(available_languages())


async def settings_command(update: Update, context: BotContext) -> None:
    data = schedule.get_settings(context.db, update.effective_chat.id)
    await reply(update, views.settings(context.tr, data, _languages()))


async def settings_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    what, value = cb.SETTINGS.parse(query.data)
    chat_id = update.effective_chat.id
    if what == "menu":
        menus = {
            "day": lambda: views.day_menu(context.tr),
            "hour": lambda: views.hour_menu(context.tr),
            "zone": lambda: views.zone_menu(
                context.tr,
                schedule.zones_for(context.db, chat_id, extra=context.settings.default_timezone),
            ),
            "main": lambda: views.settings(
                context.tr, schedule.get_settings(context.db, chat_id), _languages()
            ),
        }
        if value not in menus:
            await expired(query, context)
            return
        await query.answer()
        await edit(query, menus[value]())
        return
    change = _parse_change(what, value)
    if change is None:
        await expired(query, context)
        return
    if not await _may_change(update, context, what):
        await query.answer(views.settings_refused(context.tr).text, show_alert=True)
        return
    data = schedule.update_settings(context.db, chat_id, now=context.now(), **change)
    await query.answer()
    # A new language shows at once, in this very message.
    await edit(query, views.settings(context.tr_for(data.language), data, _languages()))


def _parse_change(what: str, value: str) -> dict[str, object] | None:
    """Button data to a settings change, refusing anything a real button never sends."""
    if what == "freq" and value in schedule.FREQUENCIES:
        return {"frequency": value}
    if what == "day" and value.isdigit() and 0 <= int(value) <= 6:
        return {"weekday": int(value)}
    if what == "hour" and value.isdigit() and 0 <= int(value) <= 23:
        return {"hour": int(value)}
    toggles = {
        "rem": "reminders",
        "empty": "when_empty",
        "prem": "plan_reminders",
        "anon": "anonymous",
        "pub": "public_name",
    }
    if what in toggles and value in ("on", "off"):
        return {toggles[what]: value == "on"}
    if what == "days" and value.isdigit() and int(value) in views.REMINDER_DAYS:
        return {"reminder_days": int(value)}
    if what == "lang" and value in available_languages():
        return {"language": value}
    return None


async def zone_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    (index,) = cb.ZONE.parse(query.data)
    chat_id = update.effective_chat.id
    zones = schedule.zones_for(context.db, chat_id, extra=context.settings.default_timezone)
    if int(index) >= len(zones):
        await expired(query, context)
        return
    if not await _may_change(update, context, "timezone"):
        await query.answer(views.settings_refused(context.tr).text, show_alert=True)
        return
    data = schedule.update_settings(
        context.db, chat_id, now=context.now(), timezone=zones[int(index)]
    )
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
    schedule.update_settings(context.db, update.effective_chat.id, now=context.now(), timezone=name)
    await reply(update, views.timezone_set(context.tr, name))


async def digest_now(update: Update, context: BotContext) -> None:
    """This chat's digest now (in a forum topic, that topic's); its schedule does not move."""
    chat_id = update.effective_chat.id
    [data] = build_digests(
        context.db,
        [chat_id],
        now=context.now(),
        ask_after_plan_end=context.settings.ask_after_plan_end,
        thread_id=topic_of(update),
    )
    parts = views.digest(
        context.tr,
        data,
        private=context.in_private,
        bot_username=context.bot.username,
        full=True,
    )
    for text, markup in parts:
        await update.effective_message.reply_text(
            text, parse_mode=ParseMode.HTML, reply_markup=markup, do_quote=False
        )


async def stop(update: Update, context: BotContext) -> None:
    if not await _may_change(update, context, "stop"):
        await reply(update, views.settings_refused(context.tr))
        return
    schedule.stop_chat(context.db, update.effective_chat.id)
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
        data = schedule.get_settings(context.db, update.effective_chat.id)
        state = data.state if data is not None else None
    if state == ChatState.STOPPED:
        await reply(update, views.resume_question(context.tr))


async def resume_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    (answer,) = cb.RESUME.parse(query.data)
    if answer not in ("yes", "no"):
        await expired(query, context)
        return
    if answer == "yes":
        if not await _may_change(update, context, "resume"):
            await query.answer(views.settings_refused(context.tr).text, show_alert=True)
            return
        schedule.resume_chat(context.db, update.effective_chat.id, now=context.now())
    await query.answer()
    await edit(query, views.resumed(context.tr, answer == "yes"))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("settings", settings_command))
    app.add_handler(CommandHandler("timezone", timezone_command))
    app.add_handler(CommandHandler("digest", digest_now))
    app.add_handler(CommandHandler("stop", stop))
    app.add_handler(CallbackQueryHandler(settings_button, pattern=cb.SETTINGS.pattern))
    app.add_handler(CallbackQueryHandler(zone_button, pattern=cb.ZONE.pattern))
    app.add_handler(CallbackQueryHandler(resume_button, pattern=cb.RESUME.pattern))
    app.add_handler(MessageHandler(filters.COMMAND, offer_resume), group=RESUME_GROUP)
