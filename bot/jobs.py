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
from pathlib import Path

from telegram.ext import Application

from bot.bulk import off_loop
from bot.context import CLOCK_KEY, DB_KEY, SENDER_KEY, SETTINGS_KEY, BotContext
from bot.delivery import OutboxSender
from bot.handlers import chat_events
from bot.i18n import translation_for
from bot.inbox import INBOX_KEY
from bot.views import digests as digest_views
from bot.views import importer as importer_views
from storage import backup, drafts, outbox, reminders, schedule
from storage.commitments import ASK_AFTER_PLAN_END
from storage.db import Database
from storage.digests import RenderedDigest, build_digests, record_digests
from storage.importer import ImportFileError, import_url

log = logging.getLogger(__name__)

DRAFT_SWEEP_SECONDS = 15 * 60
DIGEST_SECONDS = 60
REMINDER_SECONDS = 60 * 60
DRAIN_SECONDS = 2
DRAIN_BUDGET = 50  # seconds; the next run picks up the rest
DIGEST_BATCH = 10_000
PRUNE_SECONDS = 60 * 60
IMPORT_SECONDS = 24 * 60 * 60
IMPORT_FIRST = 10 * 60  # after a start, once the bot has settled


async def expire_drafts(context: BotContext) -> None:
    """Unfinished reports idle for a day are dropped, and their authors told (the
    notices are queued with the expiry, and go out now under the sender's limits)."""
    if drafts.expire_drafts(context.db, now=context.now()):
        await drain(context)


def compose_digests(
    db: Database,
    chat_ids: list[int],
    *,
    now: datetime,
    tr_for: Callable[[str | None], NullTranslations],
    bot_username: str,
    cache: dict[tuple, list[tuple[str, dict | None]]] | None = None,
    ask_after_plan_end: timedelta = ASK_AFTER_PLAN_END,
) -> list[RenderedDigest]:
    """Build and render digests for many chats (a few queries for all of them).

    Chats that follow the same countries over the same window get the same text,
    so each distinct digest is rendered once (once per run, when the caller
    passes the same ``cache`` for every batch). Runs in a worker thread, so it
    takes plain values rather than the handler context.
    """
    rendered = []
    cache = {} if cache is None else cache
    for data in build_digests(db, chat_ids, now=now, ask_after_plan_end=ask_after_plan_end):
        if data.is_empty and not data.when_empty:
            rendered.append(RenderedDigest(data.chat_id, [], data.thread_id))
            continue
        private = data.chat_id > 0
        key = (
            data.language,
            private,
            data.since,
            tuple(c.code for c in data.countries),
            data.areas,
        )
        if key not in cache:
            tr = tr_for(data.language)
            parts = digest_views.digest(tr, data, private=private, bot_username=bot_username)
            cache[key] = [(text, markup.to_dict() if markup else None) for text, markup in parts]
        rendered.append(RenderedDigest(data.chat_id, cache[key], data.thread_id))
    return rendered


async def send_digests(context: BotContext) -> None:
    """The digest job: queue what is due, then send it."""
    await queue_digests(context)
    await drain(context)


async def queue_digests(context: BotContext) -> None:
    """Every chat whose digest time has come gets it queued; its schedule moves on.

    Tens of thousands of chats can fall due in the same minute: every storage
    call runs in a worker thread, so the chats are answered meanwhile.
    """
    now = context.now()
    db = context.db
    cache: dict[tuple, list[tuple[str, dict | None]]] = {}
    while chat_ids := await off_loop(schedule.due_chats, db, now, limit=DIGEST_BATCH):
        rendered = await off_loop(
            compose_digests,
            db,
            chat_ids,
            now=now,
            tr_for=context.tr_for,
            bot_username=context.bot.username,
            cache=cache,
            ask_after_plan_end=context.settings.ask_after_plan_end,
        )
        queued = await off_loop(record_digests, db, rendered, now=now)
        log.info("digests: %d chats due, %d messages queued", len(chat_ids), queued)


def compose_reminders(
    db: Database,
    *,
    now: datetime,
    tr_for: Callable[[str | None], NullTranslations],
    bot_username: str,
    ask_after_plan_end: timedelta = ASK_AFTER_PLAN_END,
) -> list[tuple[reminders.ReminderData, str, dict | None]]:
    """The reminders due now, rendered (plain values: runs in a worker thread)."""
    rendered = []
    for data in reminders.due_reminders(db, now=now, ask_after_plan_end=ask_after_plan_end):
        tr = tr_for(data.language)
        text, markup = digest_views.reminder(tr, data, bot_username=bot_username)
        rendered.append((data, text, markup.to_dict() if markup else None))
    return rendered


async def send_reminders(context: BotContext) -> None:
    now = context.now()
    rendered = await off_loop(
        compose_reminders,
        context.db,
        now=now,
        tr_for=context.tr_for,
        bot_username=context.bot.username,
        ask_after_plan_end=context.settings.ask_after_plan_end,
    )
    if rendered:
        await off_loop(reminders.record_reminders, context.db, rendered, now=now)
    plans = await off_loop(queue_plan_reminders, context)
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
        text = importer_views.import_failed(tr, url, str(exc)).text
        key = f"import-failed:{now.date().isoformat()}"
    else:
        log.info("scheduled import from %s: %s", url, result.summary())
        if not (result.has_news or result.skipped):
            return
        plans = await asyncio.to_thread(reminders.plans_of, context.db, result.new_plans)
        text = importer_views.import_news(tr, result, plans).text
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


async def daily_backup(context: BotContext) -> None:
    """Today's copy of the database, once (hourly runs catch a day the bot was down)."""
    folder = Path(context.settings.backup.dir)
    target = folder / backup.daily_name(context.now())
    if target.exists():
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(backup.backup, context.settings.database_url, target)
        removed = await asyncio.to_thread(backup.rotate, folder, context.settings.backup.keep)
    except (backup.BackupError, OSError) as exc:
        log.error("daily backup to %s failed: %s", folder, exc)
        return
    log.info("daily backup written to %s (%d old ones removed)", target, len(removed))


async def drain(context: BotContext) -> None:
    sender: OutboxSender = context.bot_data[SENDER_KEY]
    await sender.drain(budget=DRAIN_BUDGET)


def deliver_soon(context: BotContext) -> None:
    """What a handler just queued for others goes out now, beside its answer,
    rather than at the next sweep; the sender paces it with everything else."""
    context.application.create_task(drain(context), update=None, name="deliver-soon")


async def prune_outbox(context: BotContext) -> None:
    """Sent messages are not kept for ever: see storage.outbox.prune."""
    cutoff = context.now() - timedelta(days=context.settings.outbox_retention_days)
    pruned = await asyncio.to_thread(outbox.prune, context.db, older_than=cutoff)
    if pruned:
        log.info("outbox: %d sent or dropped messages pruned", pruned)


def make_sender(app: Application) -> OutboxSender:
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
    if app.bot_data[SETTINGS_KEY].backup.dir:
        jobs.run_repeating(daily_backup, interval=PRUNE_SECONDS, first=60, name="daily_backup")
    jobs.run_repeating(prune_outbox, interval=PRUNE_SECONDS, first=300, name="prune_outbox")
    if app.bot_data[SETTINGS_KEY].site.base_url:
        from bot.site.job import SITE_FIRST, SITE_SECONDS, publish_site

        jobs.run_repeating(publish_site, interval=SITE_SECONDS, first=SITE_FIRST, name="site")
    if app.bot_data[SETTINGS_KEY].import_url:
        jobs.run_repeating(
            refresh_import, interval=IMPORT_SECONDS, first=IMPORT_FIRST, name="import"
        )
