"""/broadcast for leads and admins: audience → message → preview → send via the outbox.

The audience comes back from a button as an index: it is looked up again and
the person's right to it re-checked before anything is queued. Progress is
shown by editing one message, which the outbox sender keeps up to date.
"""

from __future__ import annotations

from collections.abc import Callable

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import callbacks as cb
from bot.bulk import off_loop
from bot.context import BotContext
from bot.handlers.common import END, Conversation, edit, expired, reply
from bot.i18n import language_of
from bot.inbox import outside_update
from bot.jobs import drain
from bot.views import View
from bot.views import broadcast as views
from bot.views import digests as digest_views
from bot.views.base import country_name
from storage import broadcast as store
from storage import outbox, permissions
from storage.broadcast import Audience, Part
from storage.digests import country_digest

AUDIENCE, TEXT, CONFIRM = "audience", "text", "confirm"


async def start(update: Update, context: BotContext) -> str | int:
    visitor = context.visitor
    if visitor is None or not permissions.may_start_broadcast(context.db, visitor):
        await reply(update, views.broadcast_not_allowed(context.tr))
        return END
    choices = store.audiences(context.db, visitor)
    await reply(update, views.choose_audience(context.tr, choices))
    if not choices:
        return END
    store.save_step(
        context.db,
        update.effective_chat.id,
        visitor.user_id,
        AUDIENCE,
        {"keys": [a.key for a in choices]},
    )
    return AUDIENCE


async def pick_audience(update: Update, context: BotContext) -> str | int:
    query = update.callback_query
    (index,) = cb.BROADCAST_AUDIENCE.parse(query.data)
    chat_id, user_id = update.effective_chat.id, update.effective_user.id
    keys = store.step_data(context.db, chat_id, user_id).get("keys", [])
    if index >= len(keys):
        await expired(query, context)
        return AUDIENCE
    audience = store.audience(context.db, context.visitor, keys[index])
    if audience is None:
        await query.answer(views.broadcast_not_allowed(context.tr).text, show_alert=True)
        return END
    await query.answer()
    store.save_step(context.db, chat_id, user_id, TEXT, {"key": audience.key})
    can_digest = audience.key.startswith("country:")
    await edit(query, views.ask_broadcast_text(context.tr, audience, can_digest))
    return TEXT


async def write_text(update: Update, context: BotContext) -> str | int:
    if not update.effective_message.text.strip():  # Telegram refuses to send blank text
        return await text_hint(update, context)
    chat_id, user_id = update.effective_chat.id, update.effective_user.id
    key = store.step_data(context.db, chat_id, user_id).get("key")
    audience = store.audience(context.db, context.visitor, key) if key else None
    if audience is None:
        await reply(update, views.broadcast_not_allowed(context.tr))
        return END
    text = update.effective_message.text_html  # keeps the lead's own bold and links
    store.save_step(context.db, chat_id, user_id, CONFIRM, {"key": key, "text": text})
    sender = update.effective_user.full_name
    await _preview(
        update, context, audience, views.broadcast_message(context.tr, sender, audience, text)
    )
    return CONFIRM


async def _preview(
    update: Update, context: BotContext, audience: Audience, parts: list[tuple[str, object]]
) -> None:
    """The count, then the message as its readers will see it, with Send and Cancel
    on its last part (a digest's own buttons are shown to its readers, not here)."""
    await reply(update, views.broadcast_preview(context.tr, audience))
    for index, (text, _markup) in enumerate(parts):
        last = index == len(parts) - 1
        await reply(update, View(text, views.preview_keyboard(context.tr) if last else None))


def _digest_parts(
    context: BotContext, audience: Audience, sender: str
) -> Callable[[str], list[tuple[str, dict | None]]] | None:
    """The country's digest in each reader's language, under who sent it; None when
    the country has gone."""
    digest = country_digest(
        context.db,
        audience.key.partition(":")[2],
        now=context.now(),
        ask_after_plan_end=context.settings.ask_after_plan_end,
    )
    if digest is None:
        return None
    country = digest.countries[0]
    by_catalogue: dict[str, list[tuple[str, dict | None]]] = {}

    def parts_for(language: str) -> list[tuple[str, dict | None]]:
        """The digest in each chat's own language ("pt-br" and "pt" render once)."""
        tr = context.tr_for(language)
        catalogue = language_of(tr)
        if catalogue not in by_catalogue:
            name = country_name(tr, country.code, country.name)
            title = digest_views.digest_title(tr, name, context.now())
            header = views.broadcast_header(tr, sender, audience)
            parts = digest_views.digest(
                tr,
                digest,
                private=False,
                bot_username=context.bot.username,
                title=title,
                header=header,
            )
            by_catalogue[catalogue] = [(t, m.to_dict() if m else None) for t, m in parts]
        return by_catalogue[catalogue]

    return parts_for


async def cancel_button(update: Update, context: BotContext) -> int:
    query = update.callback_query
    store.save_step(context.db, update.effective_chat.id, update.effective_user.id, None)
    await query.answer()
    await edit(query, views.broadcast_cancelled(context.tr))
    return END


def _render(parts_for: Callable[[str], list[Part]], languages: set[str]) -> dict[str, list[Part]]:
    """Each reader language's parts: storage queues them and knows no texts."""
    return {language: parts_for(language) for language in languages}


async def confirm(update: Update, context: BotContext) -> str | int:
    """Send, or first show the country's digest as the message to send."""
    query = update.callback_query
    (action,) = cb.BROADCAST_CONFIRM.parse(query.data)
    chat_id, user_id = update.effective_chat.id, update.effective_user.id
    data = store.step_data(context.db, chat_id, user_id)
    key = data.get("key")
    if not key:
        await expired(query, context)
        return CONFIRM
    audience = store.audience(context.db, context.visitor, key)  # rights checked again
    if audience is None:
        await query.answer(views.broadcast_not_allowed(context.tr).text, show_alert=True)
        return END
    sender = update.effective_user.full_name
    if action == "digest" or (action == "send" and data.get("digest")):
        parts_for = _digest_parts(context, audience, sender) if key.startswith("country:") else None
        if parts_for is None:
            await expired(query, context)
            return END
        if action == "digest":  # the same preview as a typed message, before anything goes
            store.save_step(context.db, chat_id, user_id, CONFIRM, {"key": key, "digest": True})
            await query.answer()
            await query.edit_message_reply_markup(reply_markup=None)
            await _preview(update, context, audience, parts_for(context.visitor.language))
            return CONFIRM
    elif data.get("text"):
        text = data["text"]

        def parts_for(language: str) -> list[tuple[str, dict | None]]:
            """The lead's own words, as written, under who sent them in the reader's language."""
            return views.broadcast_message(context.tr_for(language), sender, audience, text)

    else:
        await expired(query, context)
        return CONFIRM
    # Thousands of rows: written in a worker thread, never blocking the event loop.
    languages = await off_loop(store.audience_languages, context.db, context.visitor, key)
    rendered = await off_loop(_render, parts_for, languages)
    created = await off_loop(
        store.create_broadcast,
        context.db,
        context.visitor,
        key,
        rendered,
        progress_chat_id=chat_id,
        kind="broadcast",
        ends=(chat_id, user_id),
        now=context.now(),
    )
    if created is None:
        await query.answer(views.broadcast_not_allowed(context.tr).text, show_alert=True)
        return END
    broadcast_id, _total = created
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    tally = outbox.broadcast_tally(context.db, broadcast_id)
    progress = await reply(update, View(views.progress(context.tr, tally)))
    store.set_progress_message(context.db, broadcast_id, progress.message_id)
    with outside_update():  # the job is not part of this update's handling
        context.job_queue.run_once(drain, 0, name=f"broadcast-{broadcast_id}")
    return END


async def hint(update: Update, context: BotContext) -> str:
    _ = context.tr.gettext
    await reply(update, View(_("Please use the buttons above, or /cancel.")))
    return CONFIRM


async def text_hint(update: Update, context: BotContext) -> str:
    _ = context.tr.gettext
    await reply(update, View(_("Please write the message as text, or /cancel.")))
    return TEXT


async def cancel(update: Update, context: BotContext) -> int:
    store.save_step(context.db, update.effective_chat.id, update.effective_user.id, None)
    await reply(update, views.broadcast_cancelled(context.tr))
    return END


def _confirm_buttons() -> list[CallbackQueryHandler]:
    return [
        CallbackQueryHandler(confirm, pattern=cb.BROADCAST_CONFIRM.on("send", "digest").pattern),
        CallbackQueryHandler(cancel_button, pattern=cb.BROADCAST_CONFIRM.on("cancel").pattern),
    ]


def register(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    conversation = Conversation(
        name=store.CONVERSATION,
        entry_points=[CommandHandler("broadcast", start, filters=private)],
        states={
            AUDIENCE: [CallbackQueryHandler(pick_audience, pattern=cb.BROADCAST_AUDIENCE.pattern)],
            TEXT: [
                MessageHandler(private & filters.TEXT & ~filters.COMMAND, write_text),
                *_confirm_buttons(),
                MessageHandler(private & ~filters.COMMAND, text_hint),
            ],
            CONFIRM: [
                *_confirm_buttons(),
                MessageHandler(private & ~filters.COMMAND, hint),
            ],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
    )
    app.add_handler(conversation)
