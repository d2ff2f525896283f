"""The outbox sender: drains queued messages under Telegram's limits.

One message at a time, marked sent as soon as Telegram accepts it, so a crash
re-sends at most the message in flight. Limits are configurable (defaults:
about 30 messages a second overall, 1 a second per private chat, 20 a minute
per group). A 429 pauses the sender for ``retry_after``, then the same message
is sent again; network errors are
retried with backoff; a 403 marks the chat blocked and nothing more goes to it
until it writes to the bot or adds it back; a group upgraded to a supergroup
(``ChatMigrated``) is moved to its new id with all it had, and the message goes
there; other refusals drop the message with the error recorded, as do network
errors past the retry limit.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from gettext import NullTranslations

from aiolimiter import AsyncLimiter
from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from bot import notices
from bot.config import RateLimits
from bot.views import broadcast as views
from storage import chats, health, outbox, review
from storage.db import Database

log = logging.getLogger(__name__)

BATCH = 100
PROGRESS_EVERY = timedelta(seconds=2)
MAX_BACKOFF = timedelta(minutes=10)
LIMITER_CACHE = 20_000
MAX_THROTTLED = 10  # 429s in a row for one message before leaving it for later


class Pacer:
    """Evenly spaced sends at ``rate`` a second, keeping to the schedule.

    Telegram counts in sliding windows, so bursts are out; but a sleep always
    wakes a little late, and spacing each send from the *previous send* would
    lose those slivers every time (about 10% at 200/s). Spacing from the
    *schedule* keeps the average, while never running more than one slot ahead.
    """

    def __init__(self, rate: float) -> None:
        self.interval = 1 / rate
        self._next: float | None = None

    async def __aenter__(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self._next is None or self._next < now - self.interval:
            self._next = now
        if self._next > now:
            await asyncio.sleep(self._next - now)
        self._next += self.interval

    async def __aexit__(self, *exc: object) -> None:
        return None


def _retry_seconds(error: RetryAfter) -> float:
    """PTB 22 gives ``retry_after`` as int seconds, or as a timedelta under PTB_TIMEDELTA
    (its migration), and warns on each read without that setting: nothing for us to act on."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


@dataclass
class DrainStats:
    sent: int = 0
    blocked: int = 0
    dropped: int = 0
    retried: int = 0
    throttled: int = 0
    broadcasts: set[int] = field(default_factory=set)


class OutboxSender:
    def __init__(
        self,
        bot: Bot,
        db: Database,
        limits: RateLimits,
        *,
        clock: Callable[[], datetime],
        tr_for: Callable[[str | None], NullTranslations],
        move_chat: Callable[[int, int], None] | None = None,
    ) -> None:
        self.bot = bot
        self.db = db
        # (old id, new id) of a group upgraded to a supergroup: moves its rows (the
        # bot passes a version that moves open conversations too).
        self.move_chat = move_chat or partial(chats.move_chat, db)
        self.limits = limits
        self.clock = clock
        self.tr_for = tr_for  # a language's translations (progress goes to the lead's chat)
        # 3% under the limit: a late wake-up then an on-schedule send never puts
        # more than the limit into any one-second window.
        self.overall = Pacer(limits.overall_per_second * 0.97)
        self._chat_limiters: OrderedDict[int, AsyncLimiter] = OrderedDict()
        self._lock = asyncio.Lock()

    def _limiter(self, chat_id: int) -> AsyncLimiter:
        limiter = self._chat_limiters.get(chat_id)
        if limiter is None:
            if chat_id < 0:  # groups and channels
                limiter = AsyncLimiter(1, 60 / self.limits.group_per_minute)
            else:
                limiter = AsyncLimiter(1, 1 / self.limits.private_chat_per_second)
            self._chat_limiters[chat_id] = limiter
            if len(self._chat_limiters) > LIMITER_CACHE:
                self._chat_limiters.popitem(last=False)
        else:
            self._chat_limiters.move_to_end(chat_id)
        return limiter

    async def drain(self, *, budget: float | None = None) -> DrainStats:
        """Send what is due, until nothing is or ``budget`` seconds have passed."""
        stats = DrainStats()
        if self._lock.locked():
            return stats  # another drain is running: it will pick these up
        async with self._lock:
            await asyncio.to_thread(outbox.drop_for_inactive_chats, self.db)
            started = time.monotonic()
            last_progress = self.clock()
            while budget is None or time.monotonic() - started < budget:
                batch = outbox.due(self.db, self.clock(), limit=BATCH)
                if not batch:
                    break
                progressed = False
                for message in batch:
                    if not self._limiter(message.chat_id).has_capacity():
                        continue  # this chat had its share; the others need not wait
                    progressed = True
                    await self._send(message, stats)
                    if message.broadcast_id is not None:
                        stats.broadcasts.add(message.broadcast_id)
                    if self.clock() - last_progress >= PROGRESS_EVERY:
                        await self._report_progress(stats.broadcasts)
                        last_progress = self.clock()
                if not progressed:
                    await asyncio.sleep(0.05)  # only rate-limited chats left: let time pass
            await self._report_progress(stats.broadcasts)
        health.count(
            self.db,
            {
                health.DELIVERED: stats.sent,
                health.THROTTLED: stats.throttled,
                health.FAILED: stats.dropped,
            },
            now=self.clock(),
        )
        return stats

    async def _send(self, message: outbox.Message, stats: DrainStats) -> None:
        if message.payload is not None:
            rendered = await asyncio.to_thread(
                notices.render, self.tr_for, self.db, message.kind, message.payload
            )
            if rendered is None:  # its report was erased or edited since: nothing to tell
                outbox.drop(self.db, message.id, error="its data is gone")
                stats.dropped += 1
                log.info("outbox %s (%s) dropped: its data is gone", message.id, message.kind)
                return
            text, reply_markup = rendered
            message = replace(message, text=text, reply_markup=reply_markup)
        if message.kind == outbox.NOTICE_CLOSED:
            await self._close_notices(message, stats)
            return
        markup = (
            InlineKeyboardMarkup.de_json(message.reply_markup, self.bot)
            if message.reply_markup
            else None
        )
        for _attempt in range(MAX_THROTTLED):
            async with self.overall, self._limiter(message.chat_id):
                try:
                    sent = await self.bot.send_message(
                        message.chat_id,
                        message.text,
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup,
                        message_thread_id=message.thread_id or None,
                    )
                    break
                except RetryAfter as error:
                    # Telegram throttles the whole bot: everyone waits, then this one again.
                    wait = _retry_seconds(error)
                    stats.throttled += 1
                    log.warning("Telegram asked to wait %.0f s", wait)
                    await asyncio.sleep(wait)
                    continue
                except ChatMigrated as upgraded:
                    # Its rows (this one too) move to the supergroup; send it there.
                    self.move_chat(message.chat_id, upgraded.new_chat_id)
                    message = replace(message, chat_id=upgraded.new_chat_id)
                    continue
                except Forbidden:
                    outbox.chat_blocked(self.db, message.chat_id)
                    stats.blocked += 1
                    return
                except BadRequest as error:
                    if message.thread_id and "thread not found" in str(error).lower():
                        # Its topic was deleted: the chat still gets it, outside topics.
                        message = replace(message, thread_id=None)
                        continue
                    outbox.drop(self.db, message.id, error=str(error))
                    stats.dropped += 1
                    log.warning("outbox %s refused: %s", message.id, error)
                    return
                except (NetworkError, TelegramError) as error:
                    delay = min(MAX_BACKOFF, timedelta(seconds=2 ** (message.attempts + 1)))
                    kept = outbox.retry_later(
                        self.db,
                        message.id,
                        delay=delay,
                        error=str(error),
                        max_attempts=self.limits.max_retries + 1,
                        now=self.clock(),
                    )
                    if kept:
                        stats.retried += 1
                    else:
                        stats.dropped += 1
                    return
        else:
            return  # throttled again and again: it stays pending for the next drain
        outbox.mark_sent(self.db, message.id, now=self.clock())
        stats.sent += 1
        if message.kind == outbox.NOTICE and message.dedup_key:
            # Its buttons are taken away once someone decides: remember where it is.
            report_id = outbox.report_of(message.dedup_key)
            review.record_notice(self.db, report_id, message.chat_id, sent.message_id)

    async def _close_notices(self, message: outbox.Message, stats: DrainStats) -> None:
        """A decided report's notices in one chat say who decided, without buttons.

        The notices are found now, when the edit goes out: one never sent has
        nothing to close (the row is dropped). A notice deleted or too old to edit
        is no error for anyone: its buttons, if pressed, answer "Already verified".
        """
        report_id = outbox.report_of(message.dedup_key or "")
        notices = review.take_notices(self.db, report_id, message.chat_id)
        if not notices:
            outbox.drop(self.db, message.id, error="no notice was sent")
            return
        for message_id in notices:
            async with self.overall, self._limiter(message.chat_id):
                try:
                    await self.bot.edit_message_text(
                        message.text,
                        chat_id=message.chat_id,
                        message_id=message_id,
                        parse_mode=ParseMode.HTML,
                        reply_markup=None,
                    )
                except Forbidden:
                    outbox.chat_blocked(self.db, message.chat_id)
                    stats.blocked += 1
                    return
                except TelegramError as error:
                    log.debug("notice %s in %s not closed: %s", message_id, message.chat_id, error)
        outbox.mark_sent(self.db, message.id, now=self.clock())
        stats.sent += 1

    async def _report_progress(self, broadcast_ids: set[int]) -> None:
        """Edit each broadcast's progress message; the final tally when it is done."""
        for broadcast_id in sorted(broadcast_ids):
            finished = outbox.finish_broadcast(self.db, broadcast_id, now=self.clock())
            tally = outbox.broadcast_tally(self.db, broadcast_id)
            if tally is None or tally.progress_message_id is None:
                continue
            if tally.finished and not finished:
                continue  # the final tally was already shown
            try:
                await self.bot.edit_message_text(
                    views.progress(self.tr_for(tally.progress_language), tally),
                    chat_id=tally.progress_chat_id,
                    message_id=tally.progress_message_id,
                )
            except BadRequest as error:
                if "not modified" not in str(error).lower():
                    log.info("broadcast %s progress not shown: %s", broadcast_id, error)
            except TelegramError as error:
                log.info("broadcast %s progress not shown: %s", broadcast_id, error)
