"""Bulk work (a broadcast to every follower, a whole digest run) never holds up other chats.

The bulk storage calls run in a worker thread, in short transactions, with
insert-or-ignore on the outbox's dedup key: other chats are answered while they
run, and neither a second run nor a crash half-way queues anything twice.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from bot.config import RateLimits, Settings
from bot.emulator import BotAPIServer, Driver
from storage.db import Database
from storage.importer import demo_csv_path, import_csv
from storage.models import Chat, Outbox, OutboxState
from storage.reference import prepare_database
from tests import test_postgres
from tests.conftest import ADMIN_ID, ROOT, start_bot
from tests.followers import HEARD, add_followers, digests
from tests.test_digests import _news

FAST = RateLimits(
    overall_per_second=5000, private_chat_per_second=1000, group_per_minute=6000, max_retries=3
)
JUNE_1_0500 = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)
pg_db = test_postgres.pg_db  # a fresh PostgreSQL database per test, when a server is at hand
PAUSE_LIMIT = 5  # seconds a paused bulk write waits for the test before going on anyway


@contextmanager
def paused_at_first_outbox_write(db: Database) -> Iterator[tuple[asyncio.Event, threading.Event]]:
    """Hold the first INSERT into the outbox until the test says go.

    Yields (reached, go): ``reached`` is set on the event loop once the write is
    about to happen; the writer then waits for ``go``. Written off the loop, the
    loop stays free meanwhile; written on it, the loop is stuck until the limit.
    """
    loop = asyncio.get_running_loop()
    reached, go = asyncio.Event(), threading.Event()
    seen = threading.Event()

    def hold(_conn, _cursor, statement, *_args) -> None:
        if statement.startswith("INSERT INTO outbox") and not seen.is_set():
            seen.set()
            loop.call_soon_threadsafe(reached.set)
            go.wait(PAUSE_LIMIT)

    sa.event.listen(db.engine, "before_cursor_execute", hold)
    try:
        yield reached, go
    finally:
        go.set()
        sa.event.remove(db.engine, "before_cursor_execute", hold)


def _outbox_rows(db: Database, kind: str) -> int:
    with db.session() as session:
        return len(session.exec(select(Outbox.id).where(Outbox.kind == kind)).all())


async def _preview(admin, followers: int) -> None:
    await admin.send("/broadcast")
    await admin.press(f"Followers of Kenya · {followers}")
    await admin.send("Budget hearing moved to Friday")


async def test_other_chats_are_answered_while_a_broadcast_is_queued(demo_db: Database) -> None:
    settings = Settings(database_url=demo_db.url, admins=[ADMIN_ID], rate_limits=FAST)
    server = BotAPIServer()
    followers = add_followers(demo_db, server, 30, first=7_000_000)
    async with await start_bot(settings, demo_db, server) as bot:
        admin, bob = bot.user("Ada", user_id=ADMIN_ID), bot.user("Bob")
        await _preview(admin, 30)
        with paused_at_first_outbox_write(demo_db) as (reached, go):
            send = asyncio.create_task(admin.press("Send"))
            await asyncio.wait_for(reached.wait(), PAUSE_LIMIT * 2)
            answer = await bob.send("/status KE0012")
            queued_by_then = _outbox_rows(demo_db, "broadcast")
            go.set()
            await send
        assert "KE0012" in answer[0].text
        assert queued_by_then == 0, "Bob was answered only once the whole broadcast was queued"
        assert admin.last_reply.text == "Sending… sent 0 / 30"
        await bot.run_jobs()
        assert admin.last_reply.text == "Broadcast finished: 30 delivered, 0 blocked, 0 failed."
    for chat_id in followers:
        assert [m.text for m in server.sent(chat_id)] == [HEARD]


async def _daily_at_nine(driver: Driver, name: str):
    user = driver.user(name)
    await user.send("/subscribe Kenya")
    await user.send("/settings")
    await user.press("daily")
    await user.press("Empty digest: none")  # a line even when nothing is new
    return user


async def test_other_chats_are_answered_while_digests_are_queued(demo_bot: Driver, demo_db) -> None:
    demo_bot.clock.set(JUNE_1_0500)
    ana = await _daily_at_nine(demo_bot, "Ana")
    bob = demo_bot.user("Bob")
    demo_bot.clock.set(datetime(2026, 6, 1, 9, 0, 30, tzinfo=UTC))
    with paused_at_first_outbox_write(demo_db) as (reached, go):
        jobs = asyncio.create_task(demo_bot.run_jobs())
        await asyncio.wait_for(reached.wait(), PAUSE_LIMIT * 2)
        answer = await bob.send("/status KE0012")
        queued_by_then = _outbox_rows(demo_db, "digest")
        go.set()
        await jobs
    assert "KE0012" in answer[0].text
    assert queued_by_then == 0, "Bob was answered only once the digests were queued"
    [digest] = digests(ana.chat)
    assert "Nothing new in the countries you follow." in digest.text


async def test_a_digest_queued_again_for_the_same_slot_is_sent_once(
    demo_bot: Driver, demo_db
) -> None:
    """A second process that read the schedule before the first one moved it."""
    demo_bot.clock.set(JUNE_1_0500)
    ana = await _daily_at_nine(demo_bot, "Ana")
    with demo_db.session() as session:
        before = session.get(Chat, ana.id)
    demo_bot.clock.set(datetime(2026, 6, 1, 9, 0, 30, tzinfo=UTC))
    await demo_bot.run_jobs()
    assert len(digests(ana.chat)) == 1
    with demo_db.session() as session:  # as that second process still sees the chat
        chat = session.get(Chat, ana.id)
        chat.next_digest_at, chat.last_digest_at = before.next_digest_at, before.last_digest_at
    await demo_bot.run_jobs()
    assert len(digests(ana.chat)) == 1
    with demo_db.session() as session:
        assert session.get(Chat, ana.id).next_digest_at == datetime(2026, 6, 2, 9, 0, tzinfo=UTC)


def _killed_half_queued(db: Database, server: BotAPIServer, preview_file) -> list[int]:
    """25 followers of Kenya, and a bot process killed with two chunks of ten held."""
    followers = add_followers(db, server, 25, first=7_000_000)
    path = db.url.removeprefix("sqlite:///")
    db.dispose()
    worker = [sys.executable, str(ROOT / "tests" / "broadcast_worker.py"), path, str(preview_file)]
    killed = subprocess.run(worker, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _states(db) == {OutboxState.HELD: 20}, "two chunks of ten were in when it died"
    return followers


def _states(db: Database) -> Counter[str]:
    with db.session() as session:
        return Counter(session.exec(select(Outbox.state)))


@pytest.mark.sqlite_only("the worker subprocess opens the SQLite file")
async def test_a_broadcast_killed_half_queued_is_resumed_by_pressing_send_again(
    demo_db: Database, tmp_path
) -> None:
    """SIGKILL between two chunks; after the restart the preview's Send finishes the job."""
    server = BotAPIServer()
    preview_file = tmp_path / "preview.json"
    followers = _killed_half_queued(demo_db, server, preview_file)
    server.clock.advance(minutes=1)  # the restart comes after the crash
    settings = Settings(database_url=demo_db.url, admins=[ADMIN_ID], rate_limits=FAST)
    async with await start_bot(settings, demo_db, server) as bot:
        admin = bot.user("Ada", user_id=ADMIN_ID)
        await bot.run_jobs()  # nothing half queued goes out on its own
        assert all(server.sent(chat_id) == [] for chat_id in followers)
        # The preview is still on the lead's screen, as Telegram keeps it.
        preview = json.loads(preview_file.read_text())
        await server.handle("sendMessage", {"chat_id": ADMIN_ID, **preview})
        await admin.press("Send")
        assert admin.last_reply.text == "Sending… sent 0 / 25"
        await bot.run_jobs()
        assert admin.last_reply.text == "Broadcast finished: 25 delivered, 0 blocked, 0 failed."
    for chat_id in followers:
        assert [m.text for m in server.sent(chat_id)] == [HEARD]


@pytest.mark.sqlite_only("the worker subprocess opens the SQLite file")
async def test_rows_of_a_broadcast_abandoned_after_a_crash_are_cleared(
    demo_db: Database, tmp_path
) -> None:
    """The lead wrote a new message instead, days later: only that one goes out."""
    server = BotAPIServer()
    followers = _killed_half_queued(demo_db, server, tmp_path / "preview.json")
    server.clock.advance(days=2)
    settings = Settings(database_url=demo_db.url, admins=[ADMIN_ID], rate_limits=FAST)
    async with await start_bot(settings, demo_db, server) as bot:
        admin = bot.user("Ada", user_id=ADMIN_ID)
        await admin.send("/broadcast")
        await admin.press("Followers of Kenya · 25")
        await admin.send("Hearing postponed to next month")
        await admin.press("Send")
        await bot.run_jobs()
        assert admin.last_reply.text == "Broadcast finished: 25 delivered, 0 blocked, 0 failed."
    for chat_id in followers:
        sent = [m.text for m in server.sent(chat_id)]
        assert sent == ["📣 From Ada, to the followers of Kenya\n\nHearing postponed to next month"]
    assert _states(demo_db) == {OutboxState.SENT: 25}


@pytest.mark.skipif(not test_postgres.BASE_URL, reason="OGP_TEST_POSTGRES_URL not set")
async def test_insert_or_ignore_on_postgres(pg_db: Database) -> None:
    """The same statements on PostgreSQL: a broadcast, and a digest queued twice for its slot."""
    prepare_database(pg_db)
    import_csv(pg_db, demo_csv_path())
    server = BotAPIServer()
    server.clock.set(JUNE_1_0500)
    followers = add_followers(pg_db, server, 30, first=7_000_000)
    settings = Settings(database_url=pg_db.url, admins=[ADMIN_ID], rate_limits=FAST)
    async with await start_bot(settings, pg_db, server) as bot:
        admin = bot.user("Ada", user_id=ADMIN_ID)
        await _preview(admin, 30)
        await admin.press("Send")
        ana = await _daily_at_nine(bot, "Ana")
        with pg_db.session() as session:
            before = session.get(Chat, ana.id)
        _news(pg_db, "KE0012", JUNE_1_0500 - timedelta(hours=1))
        bot.clock.set(datetime(2026, 6, 1, 9, 0, 30, tzinfo=UTC))
        await bot.run_jobs()
        [digest] = digests(ana.chat)
        assert "fresh news" in digest.text and digest.button_texts  # buttons went through JSON
        assert admin.last_reply.text == "Broadcast finished: 30 delivered, 0 blocked, 0 failed."
        with pg_db.session() as session:
            chat = session.get(Chat, ana.id)
            chat.next_digest_at, chat.last_digest_at = before.next_digest_at, before.last_digest_at
        await bot.run_jobs()
        assert len(digests(ana.chat)) == 1
    for chat_id in followers:
        assert [m.text for m in server.sent(chat_id)] == [HEARD]
