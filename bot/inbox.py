"""Updates from the durable inbox, handled chat by chat, side by side.

python-telegram-bot's Updater (polling) and webhook server both hand each update
to ``Application.update_queue.put``. :class:`InboxQueue` makes that call write
the update to the database first (``storage.inbox.receive``): the Updater asks
for the next offset, and the webhook answers 200, only after ``put`` returns, so
Telegram forgets nothing we have not written down.

:class:`Inbox` then handles the rows: one worker per chat with pending updates,
so a chat's updates keep their order while a slow or flooding chat never holds
up another; a semaphore bounds how many chats run at once. Each handling runs
with a :class:`Handling` as ``storage.db.transaction_hook``, which marks the row
done in the handler's own write transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy.exc
from sqlmodel import Session
from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import Application

from bot.config import InboxSettings
from bot.health import observe_update
from bot.i18n import translation_for
from bot.views import inbox as inbox_views
from storage import inbox as store
from storage.db import Database, transaction_hook

log = logging.getLogger(__name__)

INBOX_KEY = "inbox"
BACKOFF_SECONDS = (0.5, 2.0, 5.0)


def chat_key(update: Update) -> str:
    """What orders updates: the chat they happened in, else the person (inline mode)."""
    chat = update.effective_chat
    if chat is not None:
        return f"chat:{chat.id}"
    user = update.effective_user
    if user is not None:
        return f"user:{user.id}"
    return "other"


def _payload(update: Update) -> str:
    return json.dumps(update.to_dict(), ensure_ascii=False)


def is_transient(error: BaseException) -> bool:
    """Failures that another try may not meet: the network, flood waits, a locked file."""
    if isinstance(error, RetryAfter | sqlalchemy.exc.OperationalError):
        return True
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


@dataclass
class Handling:
    """One handling of one update: the transaction hook, and how it went."""

    update_id: int
    final_attempt: bool
    done: bool = False
    error: BaseException | None = None
    _marking: bool = field(default=False, repr=False)

    def before_commit(self, session: Session) -> None:
        if not self.done:
            store.finish_in(session, self.update_id)
            self._marking = True

    def after_commit(self) -> None:
        if self._marking:
            self.done = True
            self._marking = False


_handling: ContextVar[Handling | None] = ContextVar("handling", default=None)


def current_handling() -> Handling | None:
    """The handling under way in this task (None outside the inbox, e.g. in jobs)."""
    return _handling.get()


@contextlib.contextmanager
def outside_update() -> Any:
    """Work that is not the handler's own: the visit's bookkeeping (idempotent; the
    handler after it must still run), a job scheduled from a handler (its context
    would otherwise carry this update's handling along)."""
    token = transaction_hook.set(None)
    handling = _handling.set(None)
    try:
        yield
    finally:
        _handling.reset(handling)
        transaction_hook.reset(token)


class InboxQueue(asyncio.Queue):
    """The Application's update queue, writing updates down before accepting them."""

    inbox: Inbox | None = None

    async def put(self, item: Any) -> None:
        if self.inbox is None:
            await super().put(item)
        elif isinstance(item, Update):
            await self._write_down(item)
        else:
            # python-telegram-bot's stop signal: finish the updates under way while
            # the JobQueue and persistence still run (Application.stop stops them next).
            await self.inbox.stop()
            await super().put(item)

    async def _write_down(self, update: Update) -> None:
        """Until it is on disk, Telegram is not told we have it: a database that is
        busy or away is waited for (polling stays where it is, a webhook waits)."""
        assert self.inbox is not None
        delay = 0.5
        while True:
            try:
                await self.inbox.accept([update])
                return
            except sqlalchemy.exc.SQLAlchemyError as exc:
                log.error("inbox: update %s not written (%s); retrying", update.update_id, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30)


@dataclass
class _Item:
    incoming: store.Incoming
    recovered: bool
    update: Update | None = None


class Inbox:
    def __init__(
        self,
        app: Application,
        db: Database,
        settings: InboxSettings,
        *,
        admins: list[int],
        default_language: str,
        clock: Callable[[], datetime],
    ) -> None:
        self.app = app
        self.db = db
        self.settings = settings
        self.admins = admins
        self.default_language = default_language
        self.clock = clock
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._arrivals: list[tuple[list[Update], asyncio.Future[set[int]]]] = []
        self._writer: asyncio.Task | None = None
        self._queues: dict[str, deque[_Item]] = {}
        self._workers: dict[str, asyncio.Task] = {}
        self._finished: dict[int, asyncio.Future] = {}
        self._stopping = False

    # ------------------------------------------------------------------ intake

    async def accept(self, updates: list[Update]) -> set[int]:
        """Write updates down, then queue the new ones; returns the new ids.

        Returns only once they are on disk. Updates that arrive while a write is
        under way go down together in the next one (a group commit), so a burst
        costs one disk sync, not one each, and they queue in arrival order.
        """
        waiter: asyncio.Future[set[int]] = asyncio.get_running_loop().create_future()
        self._arrivals.append((updates, waiter))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_arrivals(), name="inbox intake")
        return await waiter

    async def _write_arrivals(self) -> None:
        while self._arrivals:
            batch, self._arrivals = self._arrivals, []
            # The same update twice in one batch (a webhook redelivery) is one row.
            unique = {u.update_id: u for updates, _ in batch for u in updates}
            incoming = [
                store.Incoming(u.update_id, chat_key(u), _payload(u)) for u in unique.values()
            ]
            try:
                fresh = await asyncio.to_thread(store.receive, self.db, incoming, now=self.clock())
            except Exception as exc:  # not written: Telegram must not be told we have them
                for _, waiter in batch:
                    if not waiter.done():
                        waiter.set_exception(exc)
                continue
            queued: set[int] = set()
            for updates, waiter in batch:
                for update in updates:
                    if update.update_id in fresh and update.update_id not in queued:
                        queued.add(update.update_id)
                        # The payload is on disk; the Update object is at hand.
                        item = store.Incoming(update.update_id, chat_key(update), "")
                        self._queue(_Item(item, recovered=False, update=update))
                if not waiter.done():
                    waiter.set_result({u.update_id for u in updates} & fresh)

    async def handle(self, update: Update) -> None:
        """Accept one update and wait until it is handled (the test driver's way in)."""
        waiter = asyncio.get_running_loop().create_future()
        self._finished[update.update_id] = waiter
        try:
            if update.update_id not in await self.accept([update]):
                return
            await waiter
        finally:
            self._finished.pop(update.update_id, None)

    async def recover(self) -> int:
        """Queue what a previous process wrote down but did not finish, in order."""
        pending = await asyncio.to_thread(store.unfinished, self.db)
        for incoming in pending:
            self._queue(_Item(incoming, recovered=True))
        if pending:
            log.info("inbox: handling %d update(s) the last run left unfinished", len(pending))
        return len(pending)

    def _queue(self, item: _Item) -> None:
        key = item.incoming.chat_key
        self._queues.setdefault(key, deque()).append(item)
        if key not in self._workers and not self._stopping:
            self._workers[key] = asyncio.create_task(self._work(key), name=f"inbox {key}")

    # ------------------------------------------------------------------ handling

    async def _work(self, key: str) -> None:
        queue = self._queues[key]
        try:
            while queue and not self._stopping:
                item = queue[0]
                async with self._slots:
                    try:
                        await self._handle(item)
                    except Exception:  # the database gone mid-way: the row stays pending
                        log.exception(
                            "inbox: update %s left for the next start", item.incoming.update_id
                        )
                queue.popleft()
                waiter = self._finished.get(item.incoming.update_id)
                if waiter is not None and not waiter.done():
                    waiter.set_result(None)
        finally:
            del self._workers[key]
            if not queue:
                self._queues.pop(key, None)

    async def _handle(self, item: _Item) -> None:
        started = time.perf_counter()
        outcome = await self._outcome(item)
        observe_update(time.perf_counter() - started, outcome)

    async def _outcome(self, item: _Item) -> str:
        """Handle one row; 'done' or 'set_aside'."""
        update_id = item.incoming.update_id
        maximum = self.settings.max_attempts
        attempt = 0
        if item.recovered:
            # The last process may have died inside this very update: count it, so
            # an update that kills the bot is set aside instead of killing it forever.
            attempt = await asyncio.to_thread(store.begin_attempt, self.db, update_id)
            if attempt > maximum:
                reason = f"the bot stopped {attempt - 1} times while handling it"
                await self._set_aside(item, reason, failed_now=False)
                return "set_aside"
        update = item.update or Update.de_json(json.loads(item.incoming.payload), self.app.bot)
        while True:
            attempt += 1
            handling = Handling(update_id, final_attempt=attempt >= maximum)
            error = await self._run(update, handling)
            if handling.done and error is not None:
                # Its writes are committed (and the row done with them): running it
                # again would apply them twice. Only the reply was lost.
                log.warning("update %s failed after its writes: %s", update_id, error)
                return "done"
            if error is None or isinstance(error, Forbidden):
                # Handled (a chat that blocked us mid-answer is handled too).
                if not handling.done:
                    await asyncio.to_thread(store.finish, self.db, update_id, now=self.clock())
                return "done"
            reason = f"{type(error).__name__}: {error}"
            if not is_transient(error) or handling.final_attempt:
                await self._set_aside(item, reason)
                return "set_aside"
            await asyncio.to_thread(store.record_failure, self.db, update_id, reason)
            log.warning("update %s failed (%s); trying again", update_id, reason)
            await asyncio.sleep(BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS)) - 1])

    async def _run(self, update: Update, handling: Handling) -> BaseException | None:
        token = _handling.set(handling)
        hook = transaction_hook.set(handling)
        try:
            await self.app.process_update(update)
        except Exception as exc:  # process_update passes handler errors to on_error
            handling.error = exc
        finally:
            transaction_hook.reset(hook)
            _handling.reset(token)
        return handling.error

    async def _set_aside(self, item: _Item, reason: str, *, failed_now: bool = True) -> None:
        update_id = item.incoming.update_id
        log.error("update %s set aside: %s", update_id, reason)
        tr = translation_for(None, self.default_language)
        text = inbox_views.update_set_aside(tr, update_id, item.incoming.chat_key, reason).text
        await asyncio.to_thread(
            store.set_aside_update,
            self.db,
            update_id,
            reason,
            [(admin_id, text) for admin_id in self.admins],
            failed_now=failed_now,
            now=self.clock(),
        )

    # ------------------------------------------------------------------ lifecycle

    async def idle(self) -> None:
        """Wait until nothing is queued or being handled (tests, and a clean stop)."""
        while self._workers:
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)

    async def stop(self) -> None:
        """Finish the updates being handled; the queued ones stay for the next start."""
        self._stopping = True
        workers = list(self._workers.values())
        if workers:
            await asyncio.gather(*workers, return_exceptions=True)

    def last_update_id(self) -> int:
        return store.last_update_id(self.db)

    async def prune(self) -> int:
        before = self.clock() - timedelta(days=self.settings.keep_done_days)
        return await asyncio.to_thread(store.prune, self.db, before)


def record_error(handling: Handling | None, error: BaseException | None) -> None:
    """Called from the error handler: the failure belongs to the update being handled."""
    if handling is not None and error is not None and handling.error is None:
        handling.error = error
