"""Scheduled work. Schedules are data: jobs look in the database for what is due.

A single repeating JobQueue job per kind of work, never a pickled job per chat:
rows survive restarts and upgrades, and catching up after downtime is a query.
"""

from __future__ import annotations

import logging

from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application

from bot.context import BotContext
from bot.i18n import pick_language, translation
from bot.views import reports as report_views
from storage import reports

log = logging.getLogger(__name__)

DRAFT_SWEEP_SECONDS = 15 * 60


async def expire_drafts(context: BotContext) -> None:
    """Unfinished reports idle for a day are dropped, and their authors told."""
    expired = reports.expire_drafts(context.db, now=context.now())
    tr = translation(pick_language(context.settings.default_language))
    for draft in expired:
        view = report_views.expired_draft(tr, draft.commitment_id)
        try:
            await context.bot.send_message(draft.chat_id, view.text, parse_mode=ParseMode.HTML)
        except TelegramError as exc:
            log.info("could not tell %s that their draft expired: %s", draft.chat_id, exc)


def schedule_jobs(app: Application) -> None:
    if app.job_queue is None:  # installed without the job-queue extra
        log.warning("no JobQueue: scheduled work is off")
        return
    app.job_queue.run_repeating(
        expire_drafts, interval=DRAFT_SWEEP_SECONDS, first=60, name="expire_drafts"
    )
