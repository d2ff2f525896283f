"""What each storage call of an update costs, alone: where a profile points first.

    python -m bench.parts [--calls 1000] [--members 10000] [--commitments 5000]
                          [--reports 100000] [--seed 20261124]

On ``bench.throughput``'s data, times each storage function an update of the
stream calls, in a loop on this thread (no event loop, no Telegram): the
durable intake (``receive``), the visit, the card, a search page saved for its
buttons, a subscription, marking a look-up done (``finish``) and a step of
the report flow (choosing the status of a draft). CPU ms per
call, then the same for a worker-thread hop (``asyncio.to_thread``), which our
bot pays for every one of them and the lean peer of ``bench.throughput`` does
not. Information only: no targets. The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections.abc import Callable
from itertools import count

from bench.common import scratch_database
from bench.throughput import SEARCHES, populate
from storage.commitments import get_card
from storage.drafts import set_status, start_draft
from storage.following import follow_by_text
from storage.inbox import Incoming, finish, receive
from storage.models import Status
from storage.people import ChatInfo, UserInfo, record_visit
from storage.search import search_and_remember


def cpu_ms(work: Callable[[int], object], calls: int) -> float:
    """CPU milliseconds per call of ``work(i)``, after a short warm-up."""
    for i in range(min(50, calls)):
        work(i)
    started = time.process_time()
    for i in range(calls):
        work(i)
    return (time.process_time() - started) * 1000 / calls


async def _hops(calls: int) -> float:
    started = time.process_time()
    for _ in range(calls):
        await asyncio.to_thread(int)
    return (time.process_time() - started) * 1000 / calls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--commitments", type=int, default=5_000)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261124)
    args = parser.parse_args(argv)
    with scratch_database() as db:
        world = populate(db, args, random.Random(args.seed))
        members = world.members[len(world.leads) :]
        codes = sorted(world.by_country)

        def visit(i: int) -> object:
            member = members[i % len(members)]
            first, last, username = world.people[member]
            name = f"{first} {last}"
            chat = ChatInfo(member, "private", name)
            return record_visit(db, chat, UserInfo(member, name, username, "en"), admins=[])

        visitor = visit(0)
        chat_id = members[0]
        start_draft(db, chat_id, chat_id, state="status", commitment_id=world.commitments[0])
        statuses = [s for s in Status if s is not Status.WITHDRAWN]
        ids = count(10**9)
        done = count(10**9)
        figures = {
            "receive": cpu_ms(lambda i: receive(db, [Incoming(next(ids), "1", "{}")]), args.calls),
            "visit": cpu_ms(visit, args.calls),
            "card": cpu_ms(
                lambda i: get_card(db, world.commitments[i % len(world.commitments)], chat_id=1),
                args.calls,
            ),
            "search": cpu_ms(
                lambda i: search_and_remember(db, chat_id, SEARCHES[i % len(SEARCHES)]),
                max(1, args.calls // 4),
            ),
            "subscribe": cpu_ms(
                lambda i: follow_by_text(db, visitor, chat_id, codes[i % len(codes)]),  # type: ignore[arg-type]
                args.calls,
            ),
            "finish": cpu_ms(lambda i: finish(db, next(done)), args.calls),
            "report_step": cpu_ms(
                lambda i: set_status(db, chat_id, statuses[i % len(statuses)], state="note"),
                args.calls,
            ),
            "thread_hop": asyncio.run(_hops(args.calls)),
        }
    print(f"{'storage call':14} {'CPU ms':>8}")
    for name, ms in figures.items():
        print(f"{name:14} {ms:8.3f}")
    print("RESULT " + " ".join(f"{name}_ms={ms:.3f}" for name, ms in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
