"""Looking things up: /status, /history, /country, /stats, inline.

An id, a country or words typed alone are ``handlers.plain_text``'s.
"""

from __future__ import annotations

from uuid import uuid4

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
)

from bot import callbacks as cb
from bot import links
from bot.context import BotContext
from bot.handlers.common import edit, expired, reply, show
from bot.i18n import language_of
from bot.views import View, clip
from bot.views import commitments as views
from bot.views import following as follow_views
from bot.views import summit as summit_views
from bot.views.base import country_name
from storage import commitments as store
from storage import countries
from storage import following as following_store
from storage.ids import normalise_commitment_id
from storage.models import ActionPlan, Country
from storage.search import search_cards
from storage.stats import chat_stats, group_stats
from storage.stats import stats as compute_stats
from storage.summit import search_pledge_lines

INLINE_RESULTS = 10
INLINE_PLEDGES = 5  # Summit pledges after the commitments
# How /stats names the anti-corruption lens, besides the reader's own word for it.
ANTI_CORRUPTION_WORDS = ("anti-corruption", "anticorruption", "anti corruption")


async def _send_card(update: Update, context: BotContext, commitment_id: str) -> bool:
    card = store.get_card(
        context.db, commitment_id, chat_id=update.effective_chat.id, now=context.now()
    )
    if card is None:
        return False
    report_url = None
    if not context.in_private:
        report_url = links.report_link(context.bot.username, card.commitment.id)
    public_url = links.public_page(
        context.settings.site.base_url, language_of(context.tr), card.commitment.id
    )
    await reply(
        update,
        views.card(
            context.tr,
            card,
            following=card.followed,
            report_url=report_url,
            public_url=public_url,
        ),
    )
    return True


def _typed_id(context: BotContext) -> tuple[str | None, str]:
    """The commitment id a command names (``AL 0066`` is two arguments), and the text."""
    text = " ".join(context.args or []).strip()
    return normalise_commitment_id(text), text


async def status(update: Update, context: BotContext) -> None:
    commitment_id, text = _typed_id(context)
    if not text:
        await reply(update, views.status_usage(context.tr))
        return
    if commitment_id is None or not await _send_card(update, context, commitment_id):
        await reply(update, views.not_found(context.tr, commitment_id or text))


async def card_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    (commitment_id,) = cb.CARD.parse(query.data)
    if not await _send_card(update, context, commitment_id):
        await expired(query, context)
        return
    await query.answer()


async def full_text(update: Update, context: BotContext) -> None:
    query = update.callback_query
    (commitment_id,) = cb.FULL_TEXT.parse(query.data)
    found = store.get_full_text(context.db, commitment_id)
    if found is None:
        await expired(query, context)
        return
    await query.answer()
    for part in views.full_text(context.tr, *found):
        await reply(update, View(part))


async def history_command(update: Update, context: BotContext) -> None:
    commitment_id, text = _typed_id(context)
    if not text:
        await reply(update, views.history_usage(context.tr))
        return
    data = store.history(context.db, commitment_id) if commitment_id else None
    if data is None:
        await reply(update, views.not_found(context.tr, commitment_id or text))
        return
    await reply(update, views.history(context.tr, data))


async def history_button(update: Update, context: BotContext) -> None:
    """From a card: the history as a new message, so the card stays."""
    query = update.callback_query
    (commitment_id,) = cb.HISTORY.parse(query.data)
    data = store.history(context.db, commitment_id)
    view = views.history(context.tr, data) if data is not None else None
    await show(update, context, view, below=True)


async def history_page(update: Update, context: BotContext) -> None:
    query = update.callback_query
    commitment_id, page = cb.HISTORY_PAGE.parse(query.data)
    data = store.history(context.db, commitment_id, page=page)
    view = views.history(context.tr, data) if data is not None else None
    await show(update, context, view)


async def page_counter(update: Update, context: BotContext) -> None:
    """The "2/5" button: there is nothing to show that is not shown already."""
    await update.callback_query.answer()


async def country(update: Update, context: BotContext) -> None:
    if not context.args:
        regions = following_store.regions(context.db)
        await reply(update, follow_views.regions(context.tr, regions, browse=True))
        return
    resolution = countries.resolve_country(context.db, " ".join(context.args))
    if resolution.match is None:
        await reply(update, views.country_choice(context.tr, resolution))
        return
    member = countries.country(context.db, resolution.match.code)
    await reply(
        update, views.plans(context.tr, member, store.country_plans(context.db, member.code))
    )


async def plans_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    (code,) = cb.COUNTRY_PLANS.parse(query.data)
    member = countries.country(context.db, code)
    view = None
    if member is not None:
        view = views.plans(context.tr, member, store.country_plans(context.db, code))
    await show(update, context, view)


async def _list_page(
    update: Update,
    context: BotContext,
    member: Country | None,
    plan: ActionPlan | None,
    list_filter: store.ListFilter,
    page: int,
) -> None:
    """A page of a plan's commitments, or of every plan of a country (``plan`` None)."""
    view = None
    if member is not None:
        data = store.list_commitments(
            context.db,
            plan_id=plan.id if plan else None,
            country_code=None if plan else member.code,
            kind=list_filter,
            page=page,
            now=context.now(),
        )
        view = views.plan_list(context.tr, member, plan, list_filter, data)
    await show(update, context, view)


async def country_list_page(update: Update, context: BotContext) -> None:
    """Every plan of a country under a filter: the anti-corruption lens across a country."""
    code, list_filter, page = cb.COUNTRY_LIST.parse(update.callback_query.data)
    member = countries.country(context.db, code)
    await _list_page(update, context, member, None, list_filter, page)


async def plan_page(update: Update, context: BotContext) -> None:
    plan_id, list_filter, page = cb.PLAN_LIST.parse(update.callback_query.data)
    plan, member = store.get_plan(context.db, plan_id) or (None, None)
    await _list_page(update, context, member, plan, list_filter, page)


def _anti_corruption_lens(context: BotContext, text: str) -> tuple[str, store.Lens]:
    """``Kenya anti-corruption`` -> ("Kenya", the anti-corruption lens); else no lens."""
    words = {*ANTI_CORRUPTION_WORDS, context.tr.gettext("Anti-corruption").casefold()}
    folded = text.casefold()
    for word in sorted(words, key=len, reverse=True):
        if folded.endswith(word) and len(folded) > len(word):
            return text[: -len(word)].strip(" ,·:"), store.Lens(anti_corruption=True)
        if folded.startswith(word) and len(folded) > len(word):
            return text[len(word) :].strip(" ,·:"), store.Lens(anti_corruption=True)
    return text, store.NO_LENS


async def stats(update: Update, context: BotContext) -> None:
    if context.args:
        text = " ".join(context.args)
        figures = group_stats(context.db, text, now=context.now())
        if figures is not None:
            await reply(update, views.stats(context.tr, figures))
            return
        place, lens = _anti_corruption_lens(context, text)
        resolution = countries.resolve_country(context.db, place)
        if resolution.match is None:
            await reply(update, views.country_choice(context.tr, resolution, stats=True))
            return
        figures = compute_stats(context.db, {resolution.match.code}, lens=lens, now=context.now())
    else:
        figures = chat_stats(context.db, update.effective_chat.id, now=context.now())
        if figures is None:
            await reply(update, views.stats_usage(context.tr))
            return
    await reply(update, views.stats(context.tr, figures))


async def stats_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    (code,) = cb.COUNTRY_STATS.parse(query.data)
    if countries.country(context.db, code) is None:
        await expired(query, context)
        return
    await query.answer()
    figures = compute_stats(context.db, {code}, now=context.now())
    await edit(query, views.stats(context.tr, figures))


async def inline_query(update: Update, context: BotContext) -> None:
    query = update.inline_query
    text = query.query.strip()
    if not text:
        await query.answer([], cache_time=5, is_personal=False)
        return
    results = []
    for card in search_cards(context.db, text, limit=INLINE_RESULTS):
        buttons = None
        if card.commitment.url.startswith(("https://", "http://")):
            buttons = InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            context.tr.gettext("On the OGP website"), url=card.commitment.url
                        )
                    ]
                ]
            )
        results.append(
            InlineQueryResultArticle(
                id=str(uuid4()),
                title=f"{card.commitment.id} · {clip(store.display_title(card.commitment), 80)}",
                description=clip(
                    country_name(context.tr, card.country.code, card.country.name), 60
                ),
                input_message_content=InputTextMessageContent(
                    views.inline_card_text(context.tr, card), parse_mode=ParseMode.HTML
                ),
                reply_markup=buttons,
            )
        )
    for line in search_pledge_lines(context.db, text, limit=INLINE_PLEDGES):
        pledge = line.pledge
        results.append(
            InlineQueryResultArticle(
                id=str(uuid4()),
                title=f"🤝 {pledge.id} · {clip(pledge.text, 80)}",
                description=clip(country_name(context.tr, pledge.iso3, pledge.country), 60),
                input_message_content=InputTextMessageContent(
                    summit_views.card(context.tr, line, may_link=False).text,
                    parse_mode=ParseMode.HTML,
                ),
            )
        )
    await query.answer(results, cache_time=30)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("status", status))
    app.add_handler(CommandHandler("history", history_command))
    app.add_handler(CommandHandler("country", country))
    app.add_handler(CommandHandler("stats", stats))
    app.add_handler(CallbackQueryHandler(card_button, pattern=cb.CARD.pattern))
    app.add_handler(CallbackQueryHandler(full_text, pattern=cb.FULL_TEXT.pattern))
    app.add_handler(CallbackQueryHandler(history_button, pattern=cb.HISTORY.pattern))
    app.add_handler(CallbackQueryHandler(history_page, pattern=cb.HISTORY_PAGE.pattern))
    app.add_handler(CallbackQueryHandler(plans_button, pattern=cb.COUNTRY_PLANS.pattern))
    app.add_handler(CallbackQueryHandler(plan_page, pattern=cb.PLAN_LIST.pattern))
    app.add_handler(CallbackQueryHandler(country_list_page, pattern=cb.COUNTRY_LIST.pattern))
    app.add_handler(CallbackQueryHandler(page_counter, pattern=cb.PAGE_COUNTER.pattern))
    app.add_handler(CallbackQueryHandler(stats_button, pattern=cb.COUNTRY_STATS.pattern))
    app.add_handler(InlineQueryHandler(inline_query))
