"""The 2016 Anti-Corruption Summit pledges: /summit, a pledge's card, /embed,
/unembed, "Link to a commitment", and /compare (countries side by side).

Whoever may link is decided by ``storage.permissions.may_embed`` alone, asked again
on every press: a button is never proof of a right.
"""

from __future__ import annotations

import asyncio
import re

from telegram import InputFile, MessageEntity, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import callbacks as cb
from bot import charts, links
from bot.context import BotContext
from bot.handlers.common import edit, expired, reply
from bot.views import summit as views
from storage import permissions
from storage import summit as store
from storage.countries import resolve_country
from storage.ids import normalise_commitment_id

#: A pledge id typed alone (in a group: after the bot's @name), any case or spacing.
TYPED_PLEDGE = re.compile(
    r"^\s*(?:@\w+\s+)?(ACS\s*2016[\s_-]*[A-Za-z]{3}[\s_-]*[0-9]{1,3})\s*$", re.IGNORECASE
)


def _may_link(context: BotContext, iso3: str) -> bool:
    return context.visitor is not None and permissions.may_embed(context.visitor, iso3)


async def _send_pledge(update: Update, context: BotContext, pledge_id: str) -> bool:
    line = store.pledge_card(context.db, pledge_id)
    if line is None:
        return False
    may_link = _may_link(context, line.pledge.iso3)
    private = update.effective_chat.type == ChatType.PRIVATE
    report_url = None if private else links.report_link(context.bot.username, pledge_id)
    await reply(update, views.card(context.tr, line, may_link=may_link, report_url=report_url))
    return True


async def summit(update: Update, context: BotContext) -> None:
    text = " ".join(context.args or []).strip()
    if not text:
        await reply(update, views.overview(context.tr, store.overview(context.db)))
        return
    if (pledge_id := store.normalise_pledge_id(text)) is not None:
        if not await _send_pledge(update, context, pledge_id):
            await reply(update, views.pledge_not_found(context.tr, pledge_id))
        return
    iso3 = await asyncio.to_thread(store.find_country, context.db, text)
    if iso3 is None:
        await reply(update, views.summit_not_found(context.tr, text))
        return
    lines = store.country_pledges(context.db, iso3)
    await reply(update, views.country_page(context.tr, iso3, lines, 0))


async def summit_page(update: Update, context: BotContext) -> None:
    query = update.callback_query
    iso3, page = cb.SUMMIT_PAGE.parse(query.data)
    lines = store.country_pledges(context.db, iso3)
    if not lines:
        await expired(query, context)
        return
    await query.answer()
    await edit(query, views.country_page(context.tr, iso3, lines, int(page)))


async def typed_pledge(update: Update, context: BotContext) -> None:
    match = TYPED_PLEDGE.match(update.effective_message.text or "")
    pledge_id = store.normalise_pledge_id(match[1]) if match else None
    if pledge_id is None or not await _send_pledge(update, context, pledge_id):
        await reply(update, views.pledge_not_found(context.tr, pledge_id or ""))


async def pledge_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    (pledge_id,) = cb.PLEDGE_CARD.parse(query.data)
    if not await _send_pledge(update, context, pledge_id):
        await expired(query, context)
        return
    await query.answer()


async def _change(update: Update, context: BotContext, *, link: bool) -> None:
    args = context.args or []
    pledge_id = store.normalise_pledge_id(args[0]) if args else None
    commitment_id = normalise_commitment_id(" ".join(args[1:])) if len(args) > 1 else None
    if pledge_id is None or commitment_id is None or context.visitor is None:
        await reply(update, views.embed_usage(context.tr, unlink=not link))
        return
    result = store.change_link(
        context.db, context.visitor, pledge_id, commitment_id, link=link, now=context.now()
    )
    await reply(update, views.embed_result(context.tr, result))


async def embed(update: Update, context: BotContext) -> None:
    await _change(update, context, link=True)


async def unembed(update: Update, context: BotContext) -> None:
    await _change(update, context, link=False)


async def suggest_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    (pledge_id,) = cb.PLEDGE_SUGGEST.parse(query.data)
    line = store.pledge_card(context.db, pledge_id)
    if line is None:
        await expired(query, context)
        return
    if not _may_link(context, line.pledge.iso3):
        refused = store.EmbedResult("refused", pledge_id, "", line.pledge.country)
        await query.answer(views.embed_result(context.tr, refused).text, show_alert=True)
        return
    await query.answer()
    found = await asyncio.to_thread(store.suggestions, context.db, pledge_id)
    await reply(update, views.suggestions(context.tr, pledge_id, found))


async def link_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    pledge_id, commitment_id = cb.PLEDGE_LINK.parse(query.data)
    if context.visitor is None:
        await expired(query, context)
        return
    result = store.change_link(
        context.db, context.visitor, pledge_id, commitment_id, link=True, now=context.now()
    )
    await query.answer()
    await reply(update, views.embed_result(context.tr, result))


def _compared_codes(context: BotContext, words: list[str]) -> tuple[list[str], str | None]:
    """The countries named (one word each, or the whole text for one name), or the
    first word no country answers to."""
    codes: list[str] = []
    for word in words:
        match = resolve_country(context.db, word).match
        code = match.code if match is not None else store.find_country(context.db, word)
        if code is None:
            return codes, word
        if code not in codes:
            codes.append(code)
    return codes, None


async def compare(update: Update, context: BotContext) -> None:
    text = " ".join(context.args or [])
    # "United Kingdom, Kenya" names two; without commas each word is one country.
    parts = re.split(r"[,;]", text) if re.search(r"[,;]", text) else text.split()
    words = [part.strip() for part in parts if part.strip()]
    if len(words) < 2:
        await reply(update, views.compare_usage(context.tr))
        return
    codes, unknown = await asyncio.to_thread(_compared_codes, context, words[:8])
    if unknown is not None:
        await reply(update, views.compare_unknown(context.tr, unknown))
        return
    rows, chart = store.compare(context.db, codes, now=context.now())
    await reply(update, views.compare(context.tr, rows))
    if chart is None:
        return
    png = await asyncio.to_thread(charts.render, chart, context.tr)
    await update.effective_message.reply_photo(
        InputFile(png, filename="compare.png"),
        caption=views.compare_caption(context.tr, rows),
        parse_mode=ParseMode.HTML,
    )


def register(app: Application) -> None:
    app.add_handler(CommandHandler("summit", summit))
    app.add_handler(CommandHandler("embed", embed))
    app.add_handler(CommandHandler("unembed", unembed))
    app.add_handler(CommandHandler("compare", compare))
    typed = filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE
    to_bot = filters.ChatType.PRIVATE | filters.Entity(MessageEntity.MENTION) | filters.REPLY
    app.add_handler(MessageHandler(typed & to_bot & filters.Regex(TYPED_PLEDGE), typed_pledge))
    app.add_handler(CallbackQueryHandler(summit_page, pattern=cb.SUMMIT_PAGE.pattern))
    app.add_handler(CallbackQueryHandler(pledge_button, pattern=cb.PLEDGE_CARD.pattern))
    app.add_handler(CallbackQueryHandler(suggest_button, pattern=cb.PLEDGE_SUGGEST.pattern))
    app.add_handler(CallbackQueryHandler(link_button, pattern=cb.PLEDGE_LINK.pattern))
