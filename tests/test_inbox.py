"""Nothing acknowledged is lost, nobody is held up: the inbox, in process.

Every update goes through ``storage.inbox`` before it is handled (the Driver uses
the same path as polling and the webhook). Crash-and-restart, the webhook's
secret and the one-instance lock are tested as subprocesses in
``test_inbox_processes.py``.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from telegram.error import NetworkError
from telegram.ext import ApplicationHandlerStop, CommandHandler

from bot.config import RateLimits
from bot.emulator import Driver
from bot.inbox import INBOX_KEY
from storage import inbox as inbox_store
from storage.db import Database
from tests.conftest import ADMIN_ID, make_settings, start_bot
from tests.test_run_polling import command_update

HELP = "What you can do"
SLOW_DOWN = "You are sending more than I can answer"


def _help_payload(user) -> dict:
    return command_update(user._driver.server, user.id, "/help")


def _texts(chat) -> list[str]:
    return [m.text or "" for m in chat.messages]


async def test_another_chat_is_answered_while_one_chat_hangs(bot: Driver) -> None:
    """A chat whose answers hang (a slow network, a slow command) holds up nobody else."""
    slow, other = bot.user("Slow"), bot.user("Other")
    bot.server.stall(slow.id)
    pending = bot.submit(_help_payload(slow))
    await asyncio.sleep(0)  # the slow chat's update is taken up first
    replies = await asyncio.wait_for(other.send("/help"), 60)  # hangs forever one-by-one
    assert HELP in replies[0].text
    assert slow.messages == []  # still waiting on its own network
    bot.server.release(slow.id)
    await pending
    await bot.settle()
    assert HELP in _texts(slow.chat)[0]


async def test_a_chat_keeps_its_order_while_chats_run_side_by_side(bot: Driver) -> None:
    ann, ben = bot.user("Ann"), bot.user("Ben")
    for text in ("/start", "/help", "/following"):
        for user in (ann, ben):
            bot.submit(command_update(bot.server, user.id, text))
    await bot.settle()
    for user in (ann, ben):
        texts = _texts(user.chat)
        assert len(texts) == 3
        assert "Welcome" in texts[0] and HELP in texts[1] and "follow" in texts[2].lower()


async def test_a_flooding_person_is_asked_once_to_slow_down(db: Database) -> None:
    settings = make_settings(db.url, rate_limits=RateLimits())
    assert settings.rate_limits.user_commands_per_minute == 30
    async with await start_bot(settings, db) as bot:
        flood, calm = bot.user("Flood"), bot.user("Calm")
        for _ in range(60):
            bot.submit(_help_payload(flood))
        replies = await asyncio.wait_for(calm.send("/help"), 60)
        assert HELP in replies[0].text
        await bot.settle()
        texts = _texts(flood.chat)
        assert sum(SLOW_DOWN in t for t in texts) == 1  # one polite word, not thirty
        assert sum(HELP in t for t in texts) == 30
        # A minute later the budget has refilled.
        bot.clock.advance(timedelta(minutes=1))
        assert HELP in (await flood.send("/help"))[0].text


async def test_a_failing_update_is_set_aside_and_the_chat_goes_on(db: Database, settings) -> None:
    async def broken(update, context) -> None:
        raise ValueError("this update cannot be handled")

    async with await start_bot(settings, db) as bot:
        bot.raise_errors = False
        bot.app.add_handler(CommandHandler("broken", broken), group=-10)
        admin = bot.user("Admin", user_id=ADMIN_ID)
        await admin.send("/start")
        ann = bot.user("Ann")
        replies = await ann.send("/broken")
        assert [m.text for m in replies] == [
            "Sorry, something went wrong on my side. Nothing you sent was lost; "
            "please try again in a moment."
        ]  # told once: a bug is not retried into a string of apologies
        assert HELP in (await ann.send("/help"))[0].text  # the chat is not stuck
        await bot.run_jobs()  # the outbox tells the admins
        notice = admin.messages[-1].text
        assert "set aside" in notice and "ValueError: this update cannot be handled" in notice
        (aside,) = inbox_store.set_aside(db)
        assert aside.chat_key == f"chat:{ann.id}" and "ValueError" in aside.error


async def test_a_transient_failure_is_retried_and_answered_once(db: Database, settings) -> None:
    calls = []

    async def flaky(update, context) -> None:
        calls.append(update.update_id)
        if len(calls) == 1:
            raise NetworkError("connection reset")
        await update.effective_message.reply_text("done")
        raise ApplicationHandlerStop  # answered: the groups after this one stay out

    async with await start_bot(settings, db) as bot:
        bot.raise_errors = False
        bot.app.add_handler(CommandHandler("flaky", flaky), group=-10)
        ann = bot.user("Ann")
        replies = await ann.send("/flaky")
        assert [m.text for m in replies] == ["done"]  # no apology for the failed try
        assert len(calls) == 2 and calls[0] == calls[1]


async def test_an_update_delivered_twice_is_handled_once(bot: Driver) -> None:
    """Telegram sends again what was not confirmed; the update id makes it a no-op."""
    from telegram import Update

    ann = bot.user("Ann")
    payload = {"update_id": 777_001, **_help_payload(ann)}
    inbox = bot.app.bot_data[INBOX_KEY]
    for _ in range(2):
        await inbox.handle(Update.de_json(json.loads(json.dumps(payload)), bot.app.bot))
    await bot.settle()
    assert sum(HELP in t for t in _texts(ann.chat)) == 1


async def test_updates_left_by_a_dead_process_are_handled_first_in_order(
    db: Database, settings
) -> None:
    """What a killed process wrote down but never handled is answered on the next start."""
    async with await start_bot(settings, db) as first:
        ann = first.user("Ann", user_id=4242)
        payloads = []
        for n, text in enumerate(["/start", "/help", "/following"]):
            payloads.append({"update_id": 900 + n, **command_update(first.server, ann.id, text)})
    # As polling does before confirming: written down, then the process died.
    inbox_store.receive(
        db,
        [inbox_store.Incoming(p["update_id"], f"chat:{ann.id}", json.dumps(p)) for p in payloads],
    )
    server = first.server
    async with await start_bot(settings, db, server) as second:
        await second.settle()
        texts = [m.text or "" for m in server.sent(ann.id)]
        assert len(texts) == 3
        assert "Welcome" in texts[0] and HELP in texts[1]
        assert inbox_store.unfinished(db) == []


async def test_an_update_that_kept_killing_the_bot_is_set_aside(db: Database, settings) -> None:
    """Counted before each try after a restart: the third crash on it is its last."""
    async with await start_bot(settings, db) as first:
        ann = first.user("Ann")
        payload = {"update_id": 5000, **_help_payload(ann)}
    inbox_store.receive(db, [inbox_store.Incoming(5000, f"chat:{ann.id}", json.dumps(payload))])
    for _ in range(settings.inbox.max_attempts):
        inbox_store.begin_attempt(db, 5000)  # three processes died inside it
    async with await start_bot(settings, db, first.server) as second:
        await second.settle()
        assert first.server.sent(ann.id) == []
        (aside,) = inbox_store.set_aside(db)
        assert "stopped 3 times" in aside.error


async def test_subscribe_reads_a_bounded_number_of_names(demo_bot: Driver) -> None:
    """4,096 characters of words once took the bot 15 s; now it reads 24 and says so."""
    ann = demo_bot.user("Ann")
    junk = " ".join(f"zq{n}x" for n in range(1000))
    reply = (await ann.send(f"/subscribe Kenya Ghana {junk}"))[0].text
    assert "Now following Kenya, Ghana." in reply
    assert "I read only the first 24 words; send the rest in another message." in reply


async def test_a_group_member_without_the_right_spends_no_matching(demo_bot: Driver) -> None:
    ann = demo_bot.user("Ann")
    group = demo_bot.group("Coalition", members=[ann])
    junk = " ".join(f"zq{n}x" for n in range(1000))
    reply = (await ann.send(f"/subscribe Kenya {junk}", chat=group))[0].text
    assert "I read only" not in reply and "Kenya" not in reply  # refused before matching


async def test_an_update_whose_writes_committed_is_not_run_again(demo_bot: Driver) -> None:
    """Telegram throttles the reply after the follow was saved: trying the update again
    would follow twice (and answer "Nothing changed"); it is not tried again."""
    ann = demo_bot.user("Ann")
    await ann.send("/start")
    demo_bot.raise_errors = False  # the 429 reaches the error handler, as in production
    demo_bot.server.force_429(1)
    with demo_bot.expect_rejections():
        replies = await ann.send("/subscribe Kenya")
    assert replies == []  # the one reply was refused; no second run answers instead
    following = (await ann.send("/following"))[0].text
    assert "Kenya" in following


async def test_the_same_update_twice_in_one_write_is_one(bot: Driver) -> None:
    from telegram import Update

    ann = bot.user("Ann")
    payload = {"update_id": 888_001, **_help_payload(ann)}
    update = Update.de_json(json.loads(json.dumps(payload)), bot.app.bot)
    await bot.app.bot_data[INBOX_KEY].accept([update, update])
    await bot.settle()
    assert sum(HELP in t for t in _texts(ann.chat)) == 1


async def test_group_chatter_does_not_spend_the_budget(db: Database) -> None:
    settings = make_settings(db.url, rate_limits=RateLimits())
    async with await start_bot(settings, db) as bot:
        ann = bot.user("Ann")
        group = bot.group("Coalition", members=[ann])
        for n in range(40):  # people talking to each other, not to the bot
            await ann.send(f"see you at the hearing {n}", chat=group)
        assert HELP in (await ann.send("/help"))[0].text
