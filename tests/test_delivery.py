"""The outbox and its sender: broadcasts under throttling, blocked chats, retries, crashes."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlmodel import select
from telegram.error import TimedOut

from bot.config import RateLimits, Settings
from bot.context import SENDER_KEY
from bot.emulator import BotAPIServer, Driver, EmulatorRequest
from storage import outbox
from storage.db import Database
from storage.models import Chat, ChatState, Outbox, OutboxState
from tests.conftest import ADMIN_ID, ROOT, start_bot
from tests.followers import add_followers

FAST = RateLimits(
    overall_per_second=2000,
    private_chat_per_second=100,
    group_per_minute=600,
    max_retries=3,
    user_commands_per_minute=100_000,
)


class ThrottlingServer(BotAPIServer):
    """Answers 429 to every 150th message, as Telegram does now and then under load."""

    def __init__(self) -> None:
        super().__init__()
        self.sends = 0

    async def handle(self, method, params=None, files=None):
        if method == "sendMessage":
            self.sends += 1
            if self.sends % 150 == 0:
                self.force_429(1, retry_after=1)
        return await super().handle(method, params, files)


async def test_broadcast_to_500_chats_with_blocked_and_throttling(demo_db, tmp_path) -> None:
    settings = Settings(database_url=demo_db.url, admins=[ADMIN_ID], rate_limits=FAST)
    server = ThrottlingServer()
    followers = add_followers(demo_db, server, 500, first=2_000_000)
    blocked = set(followers[::25])  # 20 of them blocked the bot
    for chat_id in blocked:
        server.block(chat_id)
    async with await start_bot(settings, demo_db, server=server) as bot:
        admin = bot.user("Ada", user_id=ADMIN_ID)
        await admin.send("/broadcast")
        await admin.press("Followers of Kenya · 500")
        await admin.send("Public hearing on the <b>access to information</b> bill tomorrow!")
        assert "this will reach 500 chats" in admin.messages[-2].text
        await admin.press("Send")
        progress = admin.last_reply
        assert progress.text == "Sending… sent 0 / 500"
        await bot.run_jobs()
        assert server.sends > 500  # some were answered 429 and sent again
        for chat_id in followers:
            copies = [m for m in server.sent(chat_id) if "Public hearing" in (m.text or "")]
            assert len(copies) == (0 if chat_id in blocked else 1), chat_id
        assert progress.text == "Broadcast finished: 480 delivered, 20 blocked, 0 failed."
        assert progress.edit_count >= 1
    with demo_db.session() as session:
        states = Counter(session.exec(select(Chat.state).where(Chat.id >= 2_000_000)))
    assert states == {ChatState.ACTIVE: 480, ChatState.BLOCKED: 20}


async def test_blocked_chat_gets_nothing_until_it_writes(demo_bot: Driver, demo_db) -> None:
    ana = demo_bot.user("Ana")
    await ana.send("/start")
    ana.block()
    now = demo_bot.clock.now()
    with demo_db.session() as session:
        outbox.enqueue(session, ana.id, "first", now=now)
        outbox.enqueue(session, ana.id, "second", now=now)
    sender = demo_bot.app.bot_data[SENDER_KEY]
    stats = await sender.drain()
    assert stats.blocked == 1 and stats.sent == 0
    with demo_db.session() as session:
        assert session.get(Chat, ana.id).state == ChatState.BLOCKED
        rows = session.exec(select(Outbox).where(Outbox.chat_id == ana.id)).all()
    assert {r.state for r in rows} == {OutboxState.DROPPED}
    assert {r.text for r in rows} == {""}  # never to be sent: nothing of it is kept
    with demo_db.session() as session:
        outbox.enqueue(session, ana.id, "while blocked", now=now)
    assert (await sender.drain()).sent == 0
    ana.unblock()
    await ana.send("/start")  # writing again makes the chat active
    with demo_db.session() as session:
        outbox.enqueue(session, ana.id, "welcome back", now=now)
    assert (await sender.drain()).sent == 1
    assert ana.last_reply.text == "welcome back"


class FlakyRequest(EmulatorRequest):
    """The network times out for one chat, as on a bad day."""

    def __init__(self, server: BotAPIServer, flaky_chat: int) -> None:
        super().__init__(server)
        self.flaky_chat = flaky_chat

    async def do_request(self, url, method, request_data=None, **kwargs):
        if (
            url.endswith("/sendMessage")
            and request_data is not None
            and (request_data.parameters.get("chat_id") == self.flaky_chat)
        ):
            raise TimedOut("simulated timeout")
        return await super().do_request(url, method, request_data, **kwargs)


async def test_network_errors_are_retried_with_backoff_then_dropped(demo_db) -> None:
    from bot.app import build_application

    settings = Settings(database_url=demo_db.url, rate_limits=FAST)
    server = BotAPIServer()
    server.add_user(501, "Flaky")
    server.add_user(502, "Fine")
    app = build_application(
        settings,
        demo_db,
        request=FlakyRequest(server, 501),
        token=server.token,
        rate_limiter=False,
        clock=server.clock.now,
    )
    with demo_db.session() as session:
        for chat_id in (501, 502):
            session.add(Chat(id=chat_id, type="private"))
            outbox.enqueue(session, chat_id, f"hello {chat_id}", now=server.clock.now())
    async with app:
        sender = app.bot_data[SENDER_KEY]
        first = await sender.drain()
        assert (first.sent, first.retried) == (1, 1)
        for _ in range(5):
            server.clock.advance(minutes=15)  # past each backoff
            await sender.drain()
    with demo_db.session() as session:
        row = session.exec(select(Outbox).where(Outbox.chat_id == 501)).one()
    assert row.state == OutboxState.DROPPED
    assert row.attempts == FAST.max_retries + 1
    assert "simulated timeout" in row.last_error


def test_sender_killed_mid_drain_resumes_with_nothing_lost(db: Database, tmp_path: Path) -> None:
    log = tmp_path / "delivered.log"
    chats = list(range(3_000_001, 3_000_301))
    with db.session() as session:
        for chat_id in chats:
            session.add(Chat(id=chat_id, type="private"))
            session.flush()
            outbox.enqueue(session, chat_id, f"message for {chat_id}")
    db.dispose()
    worker = [sys.executable, str(ROOT / "tests" / "outbox_worker.py"), db.url, str(log)]
    process = subprocess.Popen(worker, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if log.exists() and len(log.read_text().splitlines()) >= 100:
            break
        time.sleep(0.02)
    process.kill()  # SIGKILL: no cleanup, no flush of anything but what is on disk
    process.wait()
    delivered_before = len(log.read_text().splitlines())
    assert 100 <= delivered_before < len(chats), "the kill came too late to test anything"
    finished = subprocess.run(worker, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    counts = Counter(int(line.split("\t")[0]) for line in log.read_text().splitlines())
    assert set(counts) == set(chats)  # nothing lost
    assert sum(counts.values()) - len(chats) <= 1  # at most the one in flight, twice
    with db.session() as session:
        states = Counter(session.exec(select(Outbox.state)))
    assert states == {OutboxState.SENT: len(chats)}


def test_enqueue_is_idempotent_by_key(db: Database) -> None:
    with db.session() as session:
        session.add(Chat(id=1, type="private"))
        session.flush()
        assert outbox.enqueue(session, 1, "digest", dedup_key="digest:1:slot")
        session.flush()
        assert not outbox.enqueue(session, 1, "digest", dedup_key="digest:1:slot")
    assert len(outbox.due(db, outbox.utcnow() + timedelta(seconds=1))) == 1
