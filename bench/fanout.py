"""Fan-out: 10,000 chats, a broadcast through the outbox, and composing 10,000 digests.

Run: python -m bench.fanout [--chats 10000] [--rate 200]

1. Send rate. The emulator enforces a global limit of ``--rate`` messages a
   second (it answers 429 beyond it, like Telegram); the sender is configured
   for the same rate. Prints achieved / configured (target >= 0.95). Telegram's
   own limit is about 30/s; 200/s keeps the run under a minute and shows the
   headroom (one core sends about 350-550 a second through the emulator).
2. Digest composition. Builds and renders the digests of every chat (a few
   queries for all of them, then the views) and queues them, as the digest job
   does. Prints the time (target < 3 s) and its ratio to a baseline measured in
   the same process: one plain query returning every chat's subscriptions.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import UTC, datetime, timedelta
from functools import partial

from sqlmodel import select

from bench.common import add_recent_reports, scratch_database
from bot.config import RateLimits, Settings
from bot.context import SENDER_KEY
from bot.emulator import BotAPIServer, Clock
from bot.emulator.application import emulated_application
from bot.emulator.server import RateLimits as EmulatorLimits
from bot.i18n import translation_for
from bot.jobs import compose_digests
from storage.commitments import refresh_community
from storage.digests import record_digests
from storage.importer import demo_csv_path, import_csv
from storage.models import Chat, Commitment, Member, Subscription, utcnow
from storage.outbox import enqueue

COUNTRIES = ["KEN", "GHA", "IDN", "NGA", "ARG", "ESP", "PHL", "BRA", "FRA", "GBR"]


def populate(db, chats: int) -> list[int]:
    import_csv(db, demo_csv_path())
    rng = random.Random(7)
    ids = [10_000_000 + n for n in range(chats)]
    now = utcnow()
    with db.session() as session:
        commitments = list(session.exec(select(Commitment.id)))
        session.add(Member(id=1, display_name="Bench reporter"))
        for chat_id in ids:
            session.add(
                Chat(
                    id=chat_id,
                    type="private",
                    digest_frequency="daily",
                    next_digest_at=now - timedelta(minutes=1),
                )
            )
        session.flush()
        for chat_id in ids:
            for code in rng.sample(COUNTRIES, rng.randint(1, 3)):
                session.add(Subscription(chat_id=chat_id, country_code=code))
        add_recent_reports(session, commitments, rng, now)
        refresh_community(session)  # rows written here bypass storage.reports
    return ids


async def send_rate(db, ids: list[int], rate: float) -> float:
    server = BotAPIServer(clock=Clock(frozen=False))
    server.rate_limits = EmulatorLimits(
        global_per_second=rate, per_chat_per_second=1, per_group_per_minute=20, enabled=True
    )
    for chat_id in ids:
        server.add_user(chat_id, f"Member {chat_id}")
    settings = Settings(
        database_url=db.url,
        rate_limits=RateLimits(overall_per_second=rate, private_chat_per_second=1),
    )
    with db.session() as session:
        for chat_id in ids:
            enqueue(session, chat_id, "Public hearing tomorrow at 10:00 — details in /digest")
    app = emulated_application(settings, db, server, emulator_clock=False)
    async with app:
        started = time.perf_counter()
        stats = await app.bot_data[SENDER_KEY].drain()
        elapsed = time.perf_counter() - started
    achieved = stats.sent / elapsed
    print(
        f"send: {stats.sent} messages in {elapsed:.1f} s = {achieved:.1f}/s "
        f"(configured {rate:.0f}/s, 429 answers {stats.throttled})"
    )
    return achieved / rate


def compose(db, ids: list[int]) -> tuple[float, float]:
    settings = Settings(database_url=db.url)
    started = time.perf_counter()
    with db.session() as session:
        list(session.exec(select(Subscription.chat_id, Subscription.country_code)))
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    rendered = compose_digests(
        db,
        ids,
        now=datetime.now(UTC),
        tr_for=partial(translation_for, default=settings.default_language),
        bot_username="ogp_tracker_bot",
    )
    queued = record_digests(db, rendered)
    elapsed = time.perf_counter() - started
    print(
        f"compose: {len(rendered)} digests built and rendered, {queued} messages queued "
        f"in {elapsed:.2f} s (baseline query {baseline * 1000:.1f} ms)"
    )
    return elapsed, elapsed / baseline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=200)
    args = parser.parse_args()
    with scratch_database() as db:
        started = time.perf_counter()
        ids = populate(db, args.chats)
        print(f"setup: {len(ids)} chats in {time.perf_counter() - started:.1f} s")
        rate_ratio = asyncio.run(send_rate(db, ids, args.rate))
        elapsed, ratio_to_baseline = compose(db, ids)
    print(
        f"achieved/configured send rate: {rate_ratio:.3f} (target >= 0.95) "
        f"{'PASS' if rate_ratio >= 0.95 else 'FAIL'}"
    )
    print(
        f"digest composition for {len(ids)} chats: {elapsed:.2f} s (target < 3 s) "
        f"{'PASS' if elapsed < 3 else 'FAIL'}; {ratio_to_baseline:.0f}x the baseline query"
    )
    print(f"RESULT chats={len(ids)} rate_ratio={rate_ratio:.3f} compose_s={elapsed:.2f}")


if __name__ == "__main__":
    main()
