"""All wiring in one place: settings + database -> a ready Application.

``run``, ``console`` and the tests build the bot through ``build_application``
so that what a test proves is what production runs; only the request object
(real HTTP or the in-process emulator) differs.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, LinkPreviewOptions
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot.commands import CommandSpec, commands_for
from bot.config import Settings
from bot.context import CLOCK_KEY, DB_KEY, SETTINGS_KEY, BotContext
from bot.handlers import (
    broadcast,
    budget,
    chat_events,
    commitments,
    digests,
    errors,
    expired_buttons,
    export,
    fallback,
    following,
    forget,
    gate,
    government,
    myreports,
    plain_text,
    pledge_reports,
    reports,
    review,
    roles,
    search,
    settings,
    start,
    summit,
    visit,
)
from bot.i18n import available_languages, pick_language, translation
from bot.inbox import INBOX_KEY, Inbox, InboxQueue
from bot.jobs import schedule_jobs
from bot.persistence import DatabasePersistence
from bot.rate_limits import ChatRateLimiter
from storage.db import Database
from storage.models import Role, utcnow

log = logging.getLogger(__name__)

# Feature modules, in registration order: text typed alone (plain_text) and the
# fallback answer only what no feature before them took, so they stay last.
# Before the features (group 0), each in a handler group of its own, since a
# group runs one handler: the command budget (-4), presses on inline messages,
# which carry no chat (-3), Telegram's chat events (-2), the visit that records
# who wrote (-1).
# The report conversation comes before /start, which it extends with deep links.
# The gate comes first: what it takes (edits, forwarded commands) reaches no feature.
FEATURES = (
    budget,
    chat_events,
    visit,
    gate,
    reports,
    review,
    government,  # its reply step takes plain text: before plain-text look-ups
    pledge_reports,
    broadcast,
    myreports,
    roles,  # its /grant-by-name step takes plain text: before plain-text look-ups
    start,
    following,
    commitments,
    search,
    summit,
    settings,
    digests,
    export,
    forget,
    expired_buttons,
    errors,
    plain_text,
    fallback,
)


def _bot_commands(specs: list[CommandSpec], language: str) -> list[BotCommand]:
    _ = translation(language).gettext
    return [BotCommand(spec.name, _(spec.description)) for spec in specs]


async def publish_commands(app: Application) -> None:
    """setMyCommands for everyone, per language, and the longer list for each admin."""
    bot = app.bot
    settings: Settings = app.bot_data[SETTINGS_KEY]
    # Without a language code: the menu for languages we have no catalogue for,
    # in the configured default language (what such people are answered in).
    default = pick_language(settings.default_language)
    menus = [(None, default)] + [(code, code) for code in sorted(available_languages())]
    for code, language in menus:
        await bot.set_my_commands(
            _bot_commands(commands_for(Role.MEMBER), language),
            scope=BotCommandScopeDefault(),
            language_code=code,
        )
    admin_specs = commands_for(Role.ADMIN)
    if len(admin_specs) > len(commands_for(Role.MEMBER)):
        for admin_id in settings.admins:
            try:
                for code, language in menus:
                    await bot.set_my_commands(
                        _bot_commands(admin_specs, language),
                        scope=BotCommandScopeChat(admin_id),
                        language_code=code,
                    )
            except (BadRequest, Forbidden) as exc:
                # An admin who never opened a chat with the bot: nothing to show yet.
                log.debug("commands for admin %s not set: %s", admin_id, exc)


async def _post_init(app: Application) -> None:
    await publish_commands(app)
    # What the last process wrote down but did not finish goes first, in order.
    await app.bot_data[INBOX_KEY].recover()


async def _post_stop(app: Application) -> None:
    await app.bot_data[INBOX_KEY].stop()


def freeze_startup_heap() -> None:
    """Take what start-up left alive out of the garbage collector's full scans.

    Modules, handlers and the Application live as long as the process: some
    170,000 objects, which every full collection walks, stalling every chat's
    updates (about 100 ms here). ``gc.freeze`` moves them where the collector
    never looks, so it scans only what serving updates creates. ``run`` calls it
    once the Application is built; tests do not (frozen objects are never freed).
    """
    gc.collect()
    gc.freeze()


def build_application(
    settings: Settings,
    db: Database,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    token: str | None = None,
    rate_limiter: bool = True,
    clock: Callable[[], datetime] | None = None,
) -> Application[Any, BotContext, Any, Any, Any, Any]:
    """Build the Application. Pass ``request`` to talk to an emulator instead of Telegram,
    and ``clock`` to let tests move time for scheduled work."""
    builder = (
        Application.builder()
        .token(token or settings.require_token())
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .context_types(ContextTypes(context=BotContext))
        .defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .persistence(DatabasePersistence(db))
        .update_queue(queue := InboxQueue())
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(get_updates_request or request)
    if rate_limiter:
        builder = builder.rate_limiter(ChatRateLimiter.from_limits(settings.rate_limits))
    app = builder.build()
    app.bot_data[DB_KEY] = db
    app.bot_data[SETTINGS_KEY] = settings
    app.bot_data[CLOCK_KEY] = clock or utcnow
    queue.inbox = app.bot_data[INBOX_KEY] = Inbox(
        app,
        db,
        settings.inbox,
        admins=settings.admins,
        default_language=settings.default_language,
        clock=app.bot_data[CLOCK_KEY],
    )
    for feature in FEATURES:
        feature.register(app)
    schedule_jobs(app)
    return app
