"""The lean peer (bench/peer.py) answers exactly as we do: otherwise the bench's
ours/peer ratio would compare different work.

Ours and the peer run side by side on one demo database, each through its own
emulator; two members with the same follows ask each the same commands, and
the Bot API calls each makes must be identical (text, parse mode, keyboard).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from telegram.ext import Application

from bench.peer import Peer, add_handlers
from bot.emulator import BotAPIServer, Driver, EmulatorRequest
from bot.emulator.driver import UserHandle
from storage.db import Database

pytestmark = pytest.mark.sqlite_only("the peer is one sqlite3 connection on the bot's file")

COMMANDS = [
    "/status KE0012",
    "/status ke-0012",
    "/status AR0045",
    "/status XX9999",
    "/status",
    "/search open data",
    "/search beneficial ownership",
    "/search procurement",
    "/search budget",
    "/search health",
    "/search justice",
    "/search access to information",
    "/search zzzqqq",
    "/search",
    "/subscribe KEN",
    "/subscribe Kenya",
    "/status KE0012",
    "/subscribe Argentina",
    "/subscribe Atlantis",
]
# A saved search's id differs between the two (each saves its own row).
_SAVED = re.compile(r"sp:\d+:")


async def _calls(user: UserHandle, server: BotAPIServer, text: str) -> list[tuple[object, ...]]:
    before = len(server.calls)
    await user.send(text)
    return [
        (c.method, c.params.get("text"), c.params.get("parse_mode"), c.params.get("reply_markup"))
        for c in server.calls[before:]
        if c.method == "sendMessage"
    ]


def _same(calls: list[tuple[object, ...]]) -> str:
    return _SAVED.sub("sp:N:", repr(calls))


@pytest.mark.parametrize("same_job", [False, True], ids=["replies-only", "same-job"])
async def test_peer_replies_byte_identical_to_ours(
    demo_bot: Driver, demo_db: Database, same_job: bool
) -> None:
    ann = demo_bot.user("Ann")
    await ann.send("/start")
    ben = demo_bot.user("Ben")  # ours creates Ben's member and chat rows, as for Ann
    await ben.send("/start")
    server = BotAPIServer()
    app = Application.builder().token(server.token).request(EmulatorRequest(server)).build()
    path = str(Path(demo_db.url.removeprefix("sqlite:///")))
    peer = Peer(path, demo_bot.clock.now, offload=same_job)
    add_handlers(app, peer, same_job=same_job)
    try:
        async with Driver(app, server) as peer_driver:
            ben_at_peer = peer_driver.user("Ben", user_id=ben.id)
            for command in COMMANDS:
                ours = await _calls(ann, demo_bot.server, command)
                theirs = await _calls(ben_at_peer, server, command)
                assert ours, f"ours did not answer {command}"
                # Ann's chat id is in neither text nor keyboard: compare as they are.
                assert _same(theirs) == _same(ours), command
        if same_job:
            # The same job: every update was written down first, and marked done.
            states = peer.db.execute("SELECT state, count(*) FROM peer_inbox GROUP BY state")
            assert dict(states.fetchall()) == {"done": len(COMMANDS)}
    finally:
        peer.close()
