"""/start and /help: the first things anyone sends.

/start offers the first steps as buttons: follow a country (those of the
person's Telegram language first), look something up, report progress. Deep
links land on a step: ``t.me/<bot>?start=follow_KEN`` follows Kenya,
``start=follow`` shows the countries, ``start=lookup`` says what to type,
``start=AR0045`` opens that card, ``start=help`` is /help and ``start=report``
(the report conversation's own entry) begins a report.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks as cb
from bot import links
from bot.context import BotContext
from bot.handlers.common import reply, show
from bot.i18n import language_of
from bot.views import View
from bot.views import commitments as commitment_views
from bot.views import following as following_views
from bot.views import start as views
from storage import following
from storage.commitments import get_card
from storage.ids import normalise_commitment_id


def _step(update: Update, context: BotContext, payload: str) -> View | None:
    """The view a deep link's step shows, or None for a payload naming no step."""
    chat_id = update.effective_chat.id
    if payload.startswith(links.FOLLOW):
        code = payload.removeprefix(links.FOLLOW)
        change = following.change_following(
            context.db, context.visitor, chat_id, follow=[code], now=context.now()
        )
        if change.added or change.unchanged:
            return following_views.change(context.tr, change)
        return None
    if payload == links.FOLLOW_STEP:
        return following_views.regions(context.tr, following.regions(context.db))
    if payload == links.LOOKUP:
        return views.lookup_step(context.tr)
    if payload == links.HELP:
        return views.help_text(context.tr, role=context.role)
    if commitment_id := normalise_commitment_id(payload):
        card = get_card(context.db, commitment_id, chat_id=chat_id, now=context.now())
        if card is not None:
            public_url = links.public_page(
                context.settings.site.base_url, language_of(context.tr), card.commitment.id
            )
            return commitment_views.card(
                context.tr, card, following=card.followed, public_url=public_url
            )
    return None


async def start(update: Update, context: BotContext) -> None:
    user = update.effective_user
    payload = context.args[0] if context.args else ""
    step = _step(update, context, payload) if payload else None
    suggestions = []
    if step is None:
        # The Telegram language tag ("es-AR") says more than the chat's language.
        language = (user.language_code if user else None) or (
            context.visitor.language if context.visitor else None
        )
        suggestions = following.suggested_members(context.db, update.effective_chat.id, language)
    report_url = None if context.in_private else links.report_link(context.bot.username)
    view = views.start(
        context.tr,
        first_name=user.first_name if user else "",
        role=context.role,
        is_new=bool(context.visitor and context.visitor.is_new_member),
        suggestions=suggestions,
        report_url=report_url,
        menu=step is None,
    )
    await reply(update, view)
    if step is not None:
        await reply(update, step)


async def follow_step(update: Update, context: BotContext) -> None:
    """/start's "More countries": the regions to follow from."""
    await update.callback_query.answer()
    await reply(update, following_views.regions(context.tr, following.regions(context.db)))


async def look_step(update: Update, context: BotContext) -> None:
    """/start's "Look something up": what one may type."""
    await update.callback_query.answer()
    await reply(update, views.lookup_step(context.tr))


async def help_command(update: Update, context: BotContext) -> None:
    view = views.help_text(context.tr, role=context.role)
    await reply(update, view)


async def help_page(update: Update, context: BotContext) -> None:
    """/help's other pages, in place; a page the presser's role does not open
    (an old button, a forged one) is refused as expired."""
    query = update.callback_query
    (page,) = cb.HELP_PAGE.parse(query.data)
    if page == "main":
        view = views.help_text(context.tr, role=context.role)
    else:
        view = views.help_page(context.tr, role=context.role, page=page)
    await show(update, context, view)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CallbackQueryHandler(follow_step, pattern=cb.START_STEP.on("follow").pattern))
    app.add_handler(CallbackQueryHandler(look_step, pattern=cb.START_STEP.on("look").pattern))
    app.add_handler(CallbackQueryHandler(help_page, pattern=cb.HELP_PAGE.pattern))
