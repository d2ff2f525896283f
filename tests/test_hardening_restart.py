"""Restarts: a new Application on the same database picks up exactly where the old one was.

Mid-conversation (report, broadcast, reject, forget-me), mid-broadcast (half the outbox sent),
across a digest's due time while no Application runs, and the database after
a kill -9 in the middle of heavy writes.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlmodel import select

from bot.config import RateLimits, Settings
from bot.context import SENDER_KEY
from bot.emulator import BotAPIServer, Driver, EmulatorRequest
from storage.db import Database, alembic_config, current_revision
from storage.models import Chat, Outbox, OutboxState, Report, Subscription
from tests import heavy_writer
from tests.conftest import ADMIN_ID, make_lead, send_report
from tests.followers import HEARD, add_followers, digests
from tests.test_digests import _news

FAST = RateLimits(
    overall_per_second=5000,
    private_chat_per_second=1000,
    group_per_minute=6000,
    max_retries=3,
    user_commands_per_minute=100_000,
)
JUNE_1_0500 = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)  # a Monday


def _settings(db: Database) -> Settings:
    return Settings(database_url=db.url, admins=[ADMIN_ID], rate_limits=FAST)


def _driver(db: Database, server: BotAPIServer, request: EmulatorRequest | None = None) -> Driver:
    from bot.app import build_application

    app = build_application(
        _settings(db),
        db,
        request=request or EmulatorRequest(server),
        token=server.token,
        rate_limiter=False,
        clock=server.clock.now,
    )
    return Driver(app, server)


# ---------------------------------------------------------------- (a) conversations


async def test_report_conversation_resumes_at_every_step(demo_db: Database) -> None:
    """Restart after each step: the next step is still the expected one."""
    server = BotAPIServer()
    steps = [
        (lambda u: u.send("/report"), "Which commitment?"),
        (lambda u: u.send("KE0012"), "Step 2/5"),
        (lambda u: u.press("🟡 Substantial"), "Step 3/5"),
        (lambda u: u.send("Hearings held <b>& minutes</b> published"), "Step 4/5"),
        (lambda u: u.send("https://example.org/minutes"), "Attached (1)"),
        (lambda u: u.press("Done"), "This is how others will see your report"),
        (lambda u: u.press("Send"), "Your report on KE0012 is saved"),
    ]
    user_id = None
    for act, expected in steps:
        async with _driver(demo_db, server) as bot:  # a new process for every step
            ana = bot.user("Ana", user_id=user_id) if user_id else bot.user("Ana")
            user_id = ana.id
            await act(ana)
            assert expected in ana.last_reply.text
    with demo_db.session() as session:
        [report] = session.exec(select(Report)).all()
    assert (report.commitment_id, report.status, report.state) == (
        "KE0012",
        "substantial",
        "pending",
    )
    assert report.note == "Hearings held <b>& minutes</b> published"


async def test_broadcast_conversation_resumes_after_restart(demo_db: Database) -> None:
    server = BotAPIServer()
    followers = add_followers(demo_db, server, 5, first=6_000_000)
    async with _driver(demo_db, server) as bot:
        admin = bot.user("Ada", user_id=ADMIN_ID)
        await admin.send("/broadcast")
    async with _driver(demo_db, server) as bot:  # restart while choosing the audience
        admin = bot.user("Ada", user_id=ADMIN_ID)
        await admin.press("Followers of Kenya · 5")
        assert admin.last_reply.edit_count == 1
    async with _driver(demo_db, server) as bot:  # restart while writing the message
        admin = bot.user("Ada", user_id=ADMIN_ID)
        await admin.send("Hearing on the <b>access to information</b> bill")
        assert "this will reach 5 chats" in admin.messages[-2].text
    async with _driver(demo_db, server) as bot:  # restart on the preview
        admin = bot.user("Ada", user_id=ADMIN_ID)
        await admin.press("Send")
        await bot.run_jobs()
        assert admin.last_reply.text.startswith("Broadcast finished: 5 delivered")
    for chat_id in followers:  # typed angle brackets arrive as typed, escaped
        assert [m.text for m in server.sent(chat_id)] == [
            "📣 From Ada, to the followers of Kenya\n\n"
            "Hearing on the <b>access to information</b> bill"
        ]


async def test_reject_conversation_resumes_after_restart(demo_db: Database) -> None:
    """A lead pressed Reject, the bot restarted: their next message is the reason."""
    server = BotAPIServer()
    async with _driver(demo_db, server) as bot:
        lead, ana = bot.user("Leo"), bot.user("Ana")
        await lead.send("/start")
        make_lead(demo_db, lead.id, "KEN")
        await send_report(ana, "KE0012", "first report")
        await bot.run_jobs()  # the notice to the lead goes through the outbox
        await lead.press("❌ Reject", message=lead.messages[-1])
        assert "Send a short reason" in lead.last_reply.text
    async with _driver(demo_db, server) as bot:  # restart while the reason is awaited
        lead, ana = bot.user("Leo", user_id=lead.id), bot.user("Ana", user_id=ana.id)
        await lead.send("No source given")
        assert "❌ Rejected by Leo" in lead.last_reply.text
        await bot.run_jobs()
        assert "Reason: No source given" in ana.last_reply.text


async def test_forgetme_conversation_resumes_after_restart(demo_db: Database) -> None:
    """Asked before a restart, confirmed after it: the data goes."""
    server = BotAPIServer()
    async with _driver(demo_db, server) as bot:
        ana = bot.user("Ana")
        await ana.send("/subscribe Kenya")
        await ana.send("/forgetme")
    async with _driver(demo_db, server) as bot:
        ana = bot.user("Ana", user_id=ana.id)
        await ana.press("Yes, delete my data")
        assert "your personal data is deleted" in ana.last_reply.text
    with demo_db.session() as session:
        assert session.exec(select(Subscription).where(Subscription.chat_id == ana.id)).all() == []


# ---------------------------------------------------------------- (b) mid-broadcast


class DyingRequest(EmulatorRequest):
    """The process "dies" after ``limit`` messages: the next send never returns."""

    def __init__(self, server: BotAPIServer, limit: int) -> None:
        super().__init__(server)
        self.limit = limit
        self.sent = 0
        self.dead = asyncio.Event()

    async def do_request(self, url, method, request_data=None, **kwargs):
        if url.endswith("/sendMessage") and request_data is not None:
            chat_id = request_data.parameters.get("chat_id")
            if isinstance(chat_id, int) and chat_id >= 6_000_000:
                if self.sent >= self.limit:
                    self.dead.set()
                    await asyncio.Event().wait()  # hangs until the task is cancelled
                self.sent += 1
        return await super().do_request(url, method, request_data, **kwargs)


async def test_half_sent_broadcast_is_finished_by_the_next_process(demo_db: Database) -> None:
    server = BotAPIServer()
    followers = add_followers(demo_db, server, 60, first=6_000_000)
    request = DyingRequest(server, limit=25)
    async with _driver(demo_db, server, request) as bot:
        admin = bot.user("Ada", user_id=ADMIN_ID)
        await admin.send("/broadcast")
        await admin.press("Followers of Kenya · 60")
        await admin.send("Budget hearing moved to Friday")
        await admin.press("Send")
        sender = bot.app.bot_data[SENDER_KEY]
        drain = asyncio.create_task(sender.drain())
        await asyncio.wait_for(request.dead.wait(), timeout=30)
        drain.cancel()  # the process is killed with one message in flight
        await asyncio.gather(drain, return_exceptions=True)
    with demo_db.session() as session:
        states = Counter(session.exec(select(Outbox.state)))
    assert states == {OutboxState.SENT: 25, OutboxState.PENDING: 35}

    async with _driver(demo_db, server) as bot:  # a new process on the same database
        await bot.run_jobs()
        admin = bot.user("Ada", user_id=ADMIN_ID)
        assert admin.last_reply.text == "Broadcast finished: 60 delivered, 0 blocked, 0 failed."
    for chat_id in followers:
        assert [m.text for m in server.sent(chat_id)] == [HEARD]
    with demo_db.session() as session:
        assert Counter(session.exec(select(Outbox.state))) == {OutboxState.SENT: 60}


# ---------------------------------------------------------------- (c) digest due while down


async def test_digest_due_while_down_is_sent_once_by_the_next_process(demo_db: Database) -> None:
    server = BotAPIServer()
    server.clock.set(JUNE_1_0500)
    async with _driver(demo_db, server) as bot:
        wanjiru = bot.user("Wanjiru")
        await wanjiru.send("/subscribe Kenya")
        await wanjiru.send("/timezone Africa/Nairobi")
        await wanjiru.send("/settings")
        await wanjiru.press("daily")
        await wanjiru.press("Hour")
        await wanjiru.press("09")
        assert "Next digest: 2026-06-01 09:00" in wanjiru.last_reply.text
        await bot.run_jobs()  # 08:00 in Nairobi: nothing due yet
        assert digests(wanjiru.chat) == []
    # Down: news arrives, and the due time (06:00 UTC) passes with no Application.
    _news(demo_db, "KE0012", JUNE_1_0500 + timedelta(minutes=30))
    server.clock.set(JUNE_1_0500 + timedelta(hours=3))
    async with _driver(demo_db, server) as bot:
        await bot.run_jobs()
        await bot.run_jobs()  # and again: nothing twice
        wanjiru = bot.user("Wanjiru", user_id=wanjiru.id)
        [digest] = digests(wanjiru.chat)
        assert "Kenya" in digest.text
    async with _driver(demo_db, server) as bot:  # a third process, same minute
        await bot.run_jobs()
    assert len(digests(wanjiru.chat)) == 1
    with demo_db.session() as session:
        chat = session.get(Chat, wanjiru.id)
    assert chat.next_digest_at == datetime(2026, 6, 2, 6, 0, tzinfo=UTC)


# ---------------------------------------------------------------- (d) kill -9


def _head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@pytest.mark.sqlite_only("kills a writer of the SQLite file, then checks the file")
async def test_database_is_sound_after_kill_9_during_heavy_writes(demo_db: Database) -> None:
    path = Path(demo_db.url.removeprefix("sqlite:///"))
    demo_db.dispose()
    writer = heavy_writer.start(path)
    try:
        first = await asyncio.wait_for(asyncio.to_thread(writer.stdout.readline), timeout=30)
        assert first.strip() == "ready", writer.stderr.read()
        time.sleep(1.0)
        assert writer.poll() is None, writer.stderr.read()
        writer.send_signal(signal.SIGKILL)
    finally:
        writer.kill()
        writer.wait()
        writer.stdout.close()
        writer.stderr.close()
    assert writer.returncode == -signal.SIGKILL

    conn = sqlite3.connect(path)  # opening recovers the WAL left by the killed writer
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        reports = conn.execute("SELECT count(*) FROM progress_update").fetchone()[0]
        orphans = conn.execute(
            "SELECT count(*) FROM progress_update p LEFT JOIN member m ON m.id = p.reporter_id"
            " WHERE p.reporter_id IS NOT NULL AND m.id IS NULL"
        ).fetchone()[0]
    finally:
        conn.close()
    assert reports >= 1 and orphans == 0

    db = Database(f"sqlite:///{path}")
    try:
        assert current_revision(db.engine) == _head_revision()
        db.migrate()  # what `run` does on start: a no-op at head
        server = BotAPIServer()
        for user_id in range(4_000_000, 4_000_500):  # the writer's members (heavy_writer.py)
            server.add_user(user_id, "Writer")
        async with _driver(db, server) as bot:
            replies = await bot.user("Ana").send("/start")
            assert "Welcome, Ana!" in replies[0].text
            await bot.run_jobs()  # the outbox rows the writer left are drained without error
    finally:
        db.dispose()
