"""Scheduled work. Schedules are data: jobs look in the database for what is due.

A single repeating JobQueue job per kind of work, never a pickled job per chat:
rows survive restarts and upgrades, and catching up after downtime is a query.
Jobs never send directly (except to tell a member their draft expired): they
write to the outbox, and the sender drains it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from gettext import NullTranslations

from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application

from bot.context import SENDER_KEY, SETTINGS_KEY, BotContext
from bot.delivery import OutboxSender
from bot.handlers import chat_events
from bot.i18n import translation_for
from bot.inbox import INBOX_KEY
from bot.views import admin as admin_views
from bot.views import digests as digest_views
from bot.views import reports as report_views
from storage import outbox, reminders, reports, schedule
from storage.db import Database
from storage.digests import RenderedDigest, build_digests, record_digests
from storage.importer import ImportFileError, import_url

log = logging.getLogger(__name__)

DRAFT_SWEEP_SECONDS = 15 * 60
DIGEST_SECONDS = 60
REMINDER_SECONDS = 60 * 60
DRAIN_SECONDS = 2
DRAIN_BUDGET = 50  # seconds; the next run picks up the rest
DIGEST_BATCH = 2_000
PRUNE_SECONDS = 60 * 60
IMPORT_SECONDS = 24 * 60 * 60
IMPORT_FIRST = 10 * 60  # after a start, once the bot has settled


async def expire_drafts(context: BotContext) -> None:
    """Unfinished reports idle for a day are dropped, and their authors told."""
    expired = reports.expire_drafts(context.db, now=context.now())
    for draft in expired:
        tr = context.tr_for(draft.language)
        view = report_views.expired_draft(tr, draft.commitment_id)
        try:
            await context.bot.send_message(draft.chat_id, view.text, parse_mode=ParseMode.HTML)
        except TelegramError as exc:
            log.info("could not tell %s that their draft expired: %s", draft.chat_id, exc)


def compose_digests(
    db: Database,
    chat_ids: list[int],
    *,
    now: datetime,
    tr_for: Callable[[str | None], NullTranslations],
    bot_username: str,
) -> list[RenderedDigest]:
    """Build and render digests for many chats (a few queries for all of them).

    Chats that follow the same countries over the same window get the same text,
    so each distinct digest is rendered once. Runs in a worker thread, so it takes
    plain values rather than the handler context.
    """
    rendered = []
    cache: dict[tuple, list[tuple[str, dict | None]]] = {}
    for data in build_digests(db, chat_ids, now=now):
        if data.is_empty and not data.when_empty:
            rendered.append(RenderedDigest(data.chat_id, []))
            continue
        private = data.chat_id > 0
        key = (data.language, private, data.since, tuple(c.code for c in data.countries))
        if key not in cache:
            tr = tr_for(data.language)
            parts = digest_views.digest(tr, data, private=private, bot_username=bot_username)
            cache[key] = [(text, markup.to_dict() if markup else None) for text, markup in parts]
        rendered.append(RenderedDigest(data.chat_id, cache[key]))
    return rendered


async def send_digests(context: BotContext) -> None:
    """Every chat whose digest time has come gets it queued; its schedule moves on."""
    now = context.now()
    while chat_ids := schedule.due_chats(context.db, now, limit=DIGEST_BATCH):
        rendered = await asyncio.to_thread(
            compose_digests,
            context.db,
            chat_ids,
            now=now,
            tr_for=context.tr_for,
            bot_username=context.bot.username,
        )
        queued = record_digests(context.db, rendered, now=now)
        log.info("digests: %d chats due, %d messages queued", len(chat_ids), queued)
    await drain(context)


async def send_reminders(context: BotContext) -> None:
    due = reminders.due_reminders(context.db, now=context.now())
    rendered = []
    for data in due:
        tr = context.tr_for(data.language)
        text, markup = digest_views.reminder(tr, data, bot_username=context.bot.username)
        rendered.append((data, text, markup.to_dict() if markup else None))
    if rendered:
        reminders.record_reminders(context.db, rendered, now=context.now())
    plans = queue_plan_reminders(context)
    if rendered or plans:
        await drain(context)


def queue_plan_reminders(context: BotContext) -> int:
    """Plan news for the chats that opted in (each once: see storage.reminders)."""
    due = reminders.due_plan_reminders(context.db, now=context.now())
    texts = [(d, digest_views.plan_reminder(context.tr_for(d.language), d)) for d in due]
    return reminders.record_plan_reminders(context.db, texts, now=context.now()) if texts else 0


async def refresh_import(context: BotContext) -> None:
    """OGP's export, downloaded and imported off the event loop; admins are told what
    changed (or why it failed) through the outbox, and chats that opted into plan
    reminders hear of their countries' new plans at once."""
    url = context.settings.import_url
    now = context.now()
    tr = context.tr_for(None)
    admins = context.settings.admins
    try:
        result = await asyncio.to_thread(import_url, context.db, url, now=now)
    except ImportFileError as exc:
        log.warning("scheduled import from %s failed: %s", url, exc)
        text = admin_views.import_failed(tr, url, str(exc)).text
        key = f"import-failed:{now.date().isoformat()}"
    else:
        log.info("scheduled import from %s: %s", url, result.summary())
        if not (result.has_news or result.skipped):
            return
        plans = await asyncio.to_thread(reminders.plans_of, context.db, result.new_plans)
        text = admin_views.import_news(tr, result, plans).text
        if plans:
            await asyncio.to_thread(queue_plan_reminders, context)
        key = f"import:{now.isoformat(timespec='seconds')}"
    await asyncio.to_thread(
        outbox.enqueue_to_all, context.db, admins, text, kind="import", dedup_key=key, now=now
    )
    await drain(context)


async def prune_inbox(context: BotContext) -> None:
    """Handled updates are kept a while for diagnosis, then deleted."""
    pruned = await context.bot_data[INBOX_KEY].prune()
    if pruned:
        log.info("inbox: %d handled update(s) pruned", pruned)


async def drain(context: BotContext) -> None:
    sender: OutboxSender = context.bot_data[SENDER_KEY]
    await sender.drain(budget=DRAIN_BUDGET)


async def prune_outbox(context: BotContext) -> None:
    """Sent messages are not kept for ever: see storage.outbox.prune."""
    cutoff = context.now() - timedelta(days=context.settings.outbox_retention_days)
    pruned = await asyncio.to_thread(outbox.prune, context.db, older_than=cutoff)
    if pruned:
        log.info("outbox: %d sent or dropped messages pruned", pruned)


def make_sender(app: Application) -> OutboxSender:
    from bot.context import CLOCK_KEY, DB_KEY, SETTINGS_KEY

    settings = app.bot_data[SETTINGS_KEY]
    return OutboxSender(
        app.bot,
        app.bot_data[DB_KEY],
        settings.rate_limits,
        clock=app.bot_data[CLOCK_KEY],
        tr_for=partial(translation_for, default=settings.default_language),
        move_chat=partial(chat_events.move_chat, app),
    )


def schedule_jobs(app: Application) -> None:
    app.bot_data[SENDER_KEY] = make_sender(app)
    if app.job_queue is None:  # installed without the job-queue extra
        log.warning("no JobQueue: scheduled work is off")
        return
    jobs = app.job_queue
    jobs.run_repeating(expire_drafts, interval=DRAFT_SWEEP_SECONDS, first=60, name="expire_drafts")
    jobs.run_repeating(send_digests, interval=DIGEST_SECONDS, first=5, name="digests")
    jobs.run_repeating(send_reminders, interval=REMINDER_SECONDS, first=30, name="reminders")
    jobs.run_repeating(drain, interval=DRAIN_SECONDS, first=1, name="outbox")
    jobs.run_repeating(prune_inbox, interval=PRUNE_SECONDS, first=120, name="prune_inbox")
    jobs.run_repeating(prune_outbox, interval=PRUNE_SECONDS, first=300, name="prune_outbox")
    if app.bot_data[SETTINGS_KEY].import_url:
        jobs.run_repeating(
            refresh_import, interval=IMPORT_SECONDS, first=IMPORT_FIRST, name="import"
        )
