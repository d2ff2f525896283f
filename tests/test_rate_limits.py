"""Replies pass through the production limiter, which paces each private chat at
``rate_limits.private_chat_per_second`` (Telegram's own limit), as the outbox does."""

from __future__ import annotations

from bot.app import build_application
from bot.config import RateLimits
from bot.emulator import BotAPIServer, Driver, EmulatorRequest
from bot.rate_limits import ChatRateLimiter
from storage.db import Database
from tests.conftest import make_settings


async def test_replies_to_a_person_go_through_the_private_chat_limiter(demo_db: Database) -> None:
    limits = RateLimits(private_chat_per_second=50, user_commands_per_minute=100_000)
    settings = make_settings(demo_db.url, rate_limits=limits)
    server = BotAPIServer()
    app = build_application(
        settings, demo_db, request=EmulatorRequest(server), token=server.token
    )  # rate_limiter on, as `ogp-bot run` builds it
    limiter = app.bot.rate_limiter
    assert isinstance(limiter, ChatRateLimiter)
    async with Driver(app, server) as driver:
        ann = driver.user("Ann")
        first = await ann.send("/status KE0012")
        second = await ann.send("/search open data")
        assert "KE0012" in (first.last.text or "")
        assert "match" in (second.last.text or "")
        # Ann's chat has its own limiter, at the configured rate: paced, never dropped.
        paced = limiter._private[ann.id]
        assert paced.max_rate / paced.time_period == 50
