"""Event-loop lag while bulk work runs: a big broadcast, a big digest run, a long /subscribe.

    python -m bench.loop_lag [--broadcast-chats 10000] [--digest-chats 50000] [--words 1000]

One real ``Application`` on the in-process emulator (scheduled jobs paused, the
start-up heap frozen as ``ogp-bot run`` does), on a scratch SQLite database with
``--digest-chats`` chats in four languages, all due for their digest, the first
``--broadcast-chats`` of them following Kenya. A probe task sleeps 5 ms in a
loop and records how late it wakes: that lateness is what every other chat
waits on top of its own work. Three phases, each with the probe running:

a. an admin presses Send on a broadcast to Kenya's followers (its queue time
   is the time of that press: rendering, queueing every row, the answer);
b. the digest job composes and queues every chat's digest (its time is the
   job's, without sending);
c. a member sends ``/subscribe`` with ``--words`` country names while another
   sends ``/help`` again and again: the p99 of those answers.

Targets: lag p99 < 20 ms and max < 100 ms in (a) and (b) (issue #16); a
10,000-chat broadcast queued in < 0.3 s and 50,000 digests composed and queued
in < 5 s (issue #13); /help p99 < 50 ms during (c). The last line is
machine-readable: ``RESULT key=value ...``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col, select

from bench.common import add_recent_reports, percentile, scratch_database
from bot import jobs
from bot.app import freeze_startup_heap
from bot.config import RateLimits, Settings
from bot.emulator import BotAPIServer, Driver
from bot.emulator.application import emulated_application
from storage.commitments import refresh_community
from storage.db import Database
from storage.importer import demo_csv_path, import_csv
from storage.models import (
    Chat,
    Commitment,
    Country,
    Member,
    Outbox,
    Subscription,
)

ADMIN_ID = 900_001
FIRST_CHAT = 10_000_000
COUNTRIES = ["KEN", "GHA", "IDN", "NGA", "ARG", "ESP", "PHL", "BRA", "FRA", "GBR"]
LANGUAGES = ["en", "en", "es", "fr", "pt"]
CHUNK = 5_000
PROBE_SECONDS = 0.005
HELP_EVERY = 0.01
BASELINE_WORDS = 2


def _insert(db: Database, table: sa.Table, rows: list[dict[str, object]]) -> None:
    for start in range(0, len(rows), CHUNK):
        with db.session() as session:
            session.execute(sa.insert(table), rows[start : start + CHUNK])


def populate(db: Database, chats: int, followers: int, now: datetime) -> None:
    """Chats due for a daily digest, Kenya's followers first, and a day of fresh reports."""
    import_csv(db, demo_csv_path())
    rng = random.Random(16)
    chat_rows, subscription_rows = [], []
    for n in range(chats):
        chat_id = FIRST_CHAT + n
        chat = Chat(
            id=chat_id,
            type="private",
            language=LANGUAGES[n % len(LANGUAGES)],
            digest_frequency="daily",
            next_digest_at=now - timedelta(minutes=1),
            created_at=now,
            last_seen_at=now,
        )
        chat_rows.append(chat.model_dump())
        codes = set(rng.sample(COUNTRIES, rng.randint(1, 3)))
        if n < followers:
            codes.add("KEN")
        else:
            codes.discard("KEN")
        subscription_rows += [
            {"chat_id": chat_id, "country_code": c, "created_at": now} for c in codes
        ]
    _insert(db, Chat.__table__, chat_rows)  # type: ignore[attr-defined]
    _insert(db, Subscription.__table__, subscription_rows)  # type: ignore[attr-defined]
    with db.session() as session:
        commitments = list(
            session.exec(select(Commitment.id).where(col(Commitment.country_code).in_(COUNTRIES)))
        )
        session.add(Member(id=1, display_name="Bench reporter"))
        session.flush()
        add_recent_reports(session, commitments, rng, now)
        refresh_community(session)


class LagProbe:
    """Sleeps a few milliseconds in a loop and keeps how late each wake-up was."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(PROBE_SECONDS)
            self.samples.append((time.perf_counter() - started - PROBE_SECONDS) * 1000)

    async def during(self, work: Awaitable[object]) -> tuple[list[float], float]:
        """Lag samples (ms) taken while ``work`` ran, and its wall time (s)."""
        self.samples = []
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(PROBE_SECONDS * 2)  # the probe is ticking before the work starts
        started = time.perf_counter()
        try:
            await work
        finally:
            elapsed = time.perf_counter() - started
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        return self.samples, elapsed


def _lag_line(name: str, samples: list[float]) -> str:
    return (
        f"{name}: loop lag p50 {percentile(samples, 50):.1f} ms, p99 {percentile(samples, 99):.1f}"
        f" ms, max {max(samples, default=0):.1f} ms ({len(samples)} samples)"
    )


async def broadcast_phase(driver: Driver, probe: LagProbe, followers: int) -> dict[str, float]:
    admin = driver.user("Ada", user_id=ADMIN_ID)
    await admin.send("/broadcast")
    await admin.press("Followers of Kenya")
    await admin.send("Public hearing on the access to information bill tomorrow at 10:00")
    assert "this will reach" in admin.messages[-2].text, admin.messages[-2].text
    samples, elapsed = await probe.during(admin.press("Send"))
    assert admin.last_reply.text.startswith("Sending"), admin.last_reply.text
    print(f"(a) broadcast to {followers} chats queued in {elapsed:.3f} s")
    print(_lag_line("(a) broadcast", samples))
    return {
        "broadcast_s": elapsed,
        "broadcast_lag_p99_ms": percentile(samples, 99),
        "broadcast_lag_max_ms": max(samples, default=0),
    }


async def digest_phase(driver: Driver, probe: LagProbe, db: Database) -> dict[str, float]:
    app = driver.app
    job = app.job_queue.run_once(jobs.queue_digests, when=timedelta(days=1), name="bench")
    samples, elapsed = await probe.during(job.run(app))
    job.schedule_removal()
    with db.session() as session:
        queued = session.exec(
            select(sa.func.count()).select_from(Outbox).where(Outbox.kind == "digest")
        ).one()
        due = session.exec(
            select(sa.func.count())
            .select_from(Chat)
            .where(col(Chat.next_digest_at) <= driver.clock.now())
        ).one()
    print(f"(b) digests composed and queued in {elapsed:.2f} s: {queued} messages, {due} still due")
    print(_lag_line("(b) digests", samples))
    return {
        "digest_s": elapsed,
        "digest_lag_p99_ms": percentile(samples, 99),
        "digest_lag_max_ms": max(samples, default=0),
    }


async def subscribe_phase(
    driver: Driver, probe: LagProbe, db: Database, words: int, *, tag: str = ""
) -> dict[str, float]:
    with db.session() as session:
        names = list(session.exec(select(Country.name).order_by(Country.code)))
    rng = random.Random(1)
    text = "/subscribe " + " ".join(rng.choice(names).split()[0] for _ in range(words))
    ana = driver.user(f"Ana {tag}")
    # Other chats, each asking once: chats are handled side by side, and one
    # person's own questions would queue behind each other (their order is kept).
    others = [driver.user(f"Other {tag} {n}") for n in range(max(words, 200))]
    for other in others[:3]:
        await other.send("/start")
    latencies: list[float] = []

    async def ask_help(due: float, asker: int) -> None:
        replies = await others[asker % len(others)].send("/help")
        assert replies, "no answer to /help"
        latencies.append((time.perf_counter() - due) * 1000)

    async def both() -> None:
        # Open loop: Bob asks every HELP_EVERY seconds whatever happens, and each
        # answer is timed from when he asked, so a blocked loop shows in full
        # (asks that fell due while it was blocked are made as soon as it is not).
        subscribing = asyncio.create_task(ana.send(text))
        finished: list[float] = []
        subscribing.add_done_callback(lambda _task: finished.append(time.perf_counter()))
        asking: list[asyncio.Task[None]] = []
        started = time.perf_counter()
        while True:
            due = started + len(asking) * HELP_EVERY
            if finished and due > finished[0]:
                break
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            asking.append(asyncio.create_task(ask_help(due, len(asking))))
        await asyncio.gather(subscribing, *asking)

    samples, elapsed = await probe.during(both())
    p99 = percentile(latencies, 99)
    print(
        f"(c) /subscribe with {words} words took {elapsed:.2f} s; another chat's /help: "
        f"p50 {percentile(latencies, 50):.1f} ms, p99 {p99:.1f} ms, "
        f"max {max(latencies, default=0):.1f} ms ({len(latencies)} answers)"
    )
    print(_lag_line("(c) /subscribe", samples))
    return {
        "subscribe_s": elapsed,
        "help_p99_ms": p99,
        "subscribe_lag_max_ms": max(samples, default=0),
    }


async def run(db: Database, args: argparse.Namespace, now: datetime) -> dict[str, float]:
    server = BotAPIServer()
    server.clock.set(now)
    fast = RateLimits(overall_per_second=5000, private_chat_per_second=1000)
    settings = Settings(database_url=db.url, admins=[ADMIN_ID], rate_limits=fast)
    settings.rate_limits.user_commands_per_minute = 1_000_000  # a bench, not a person
    app = emulated_application(settings, db, server)
    results: dict[str, float] = {}
    async with Driver(app, server) as driver:
        freeze_startup_heap()  # as `ogp-bot run` does
        probe = LagProbe()
        results |= await broadcast_phase(driver, probe, args.broadcast_chats)
        results |= await digest_phase(driver, probe, db)
        # The same stream of other chats' /help during a two-word /subscribe is the
        # baseline: what a new chat's /help costs on this machine, whatever else runs.
        baseline = await subscribe_phase(driver, probe, db, BASELINE_WORDS, tag="base")
        results["baseline_help_p99_ms"] = baseline["help_p99_ms"]
        results |= await subscribe_phase(driver, probe, db, args.words)
        results["help_p99_ratio"] = results["help_p99_ms"] / max(baseline["help_p99_ms"], 0.001)
    return results


def _verdict(value: float, limit: float) -> str:
    return "PASS" if value < limit else "FAIL"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--broadcast-chats", type=int, default=10_000)
    parser.add_argument("--digest-chats", type=int, default=50_000)
    parser.add_argument("--words", type=int, default=1_000)
    args = parser.parse_args(argv)
    args.digest_chats = max(args.digest_chats, args.broadcast_chats)
    now = datetime.now(UTC).replace(microsecond=0)
    with scratch_database() as db:
        started = time.perf_counter()
        populate(db, args.digest_chats, args.broadcast_chats, now)
        print(f"setup: {args.digest_chats} chats in {time.perf_counter() - started:.1f} s")
        r = asyncio.run(run(db, args, now))
    rows = [
        ("loop lag p99, broadcast", r["broadcast_lag_p99_ms"], 20, "ms"),
        ("loop lag max, broadcast", r["broadcast_lag_max_ms"], 100, "ms"),
        ("loop lag p99, digests", r["digest_lag_p99_ms"], 20, "ms"),
        ("loop lag max, digests", r["digest_lag_max_ms"], 100, "ms"),
        (f"broadcast to {args.broadcast_chats} chats queued", r["broadcast_s"], 0.3, "s"),
        (f"{args.digest_chats} digests composed and queued", r["digest_s"], 5, "s"),
        (f"/help p99 during a {args.words}-word /subscribe", r["help_p99_ms"], 50, "ms"),
        ("  the same / during a 2-word one (ratio)", r["help_p99_ratio"], 1.5, "x"),
    ]
    print()
    for label, value, limit, unit in rows:
        print(
            f"{label:48} {value:9.3f} {unit:2} (target < {limit:g} {unit}) {_verdict(value, limit)}"
        )
    print(
        f"RESULT broadcast_chats={args.broadcast_chats} digest_chats={args.digest_chats} "
        f"words={args.words} " + " ".join(f"{key}={value:.3f}" for key, value in r.items())
    )
    return 0 if all(value < limit for _l, value, limit, _u in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
