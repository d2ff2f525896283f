"""/start, /help, unknown commands, plain text and errors, end to end."""

from __future__ import annotations

import logging

import pytest
from telegram.ext import CommandHandler

from bot.emulator import Driver
from storage.models import Member
from tests.conftest import ADMIN_ID, make_lead


async def test_start_greets_and_explains(bot: Driver) -> None:
    ana = bot.user("Ana", username="ana")
    replies = await ana.send("/start")
    assert len(replies) == 1
    text = replies[0].text
    assert "Welcome, Ana!" in text
    assert "Open Government Partnership" in text
    assert "/help" in text
    again = await ana.send("/start")
    assert "Welcome back, Ana!" in again[0].text


async def test_start_records_the_member(bot: Driver, db) -> None:
    ana = bot.user("Ana", username="ana")
    await ana.send("/start")
    with db.session() as session:
        member = session.get(Member, ana.id)
    assert member is not None and member.username == "ana" and member.display_name == "Ana"


async def test_name_with_html_is_escaped(bot: Driver) -> None:
    mallory = bot.user("<b>Mal & Co</b>")
    replies = await mallory.send("/start")  # the emulator would 400 on broken HTML
    assert "Welcome, <b>Mal & Co</b>!" in replies[0].text


async def test_help_differs_by_role(bot: Driver, db) -> None:
    member = bot.user("Mia")
    admin = bot.user("Ada", user_id=ADMIN_ID)
    lead = bot.user("Leo")
    await lead.send("/start")
    make_lead(db, lead.id, "KEN")
    member_help = (await member.send("/help"))[0].text
    assert "/start" in member_help and "/help" in member_help
    assert "Your role here: member." in member_help
    assert "Your role here: admin." in (await admin.send("/help"))[0].text
    assert "Your role here: lead." in (await lead.send("/help"))[0].text


async def test_commands_are_registered_with_telegram(bot: Driver) -> None:
    calls = [c for c in bot.server.calls if c.method == "setMyCommands" and c.ok]
    assert calls, "setMyCommands was not called on start"
    names = [cmd["command"] for cmd in calls[0].params["commands"]]
    assert names[:2] == ["start", "help"]


async def test_unknown_command_points_to_help(bot: Driver) -> None:
    ana = bot.user("Ana")
    replies = await ana.send("/frobnicate now")
    assert "I don't know the command /frobnicate" in replies[0].text
    assert "/help" in replies[0].text


async def test_plain_text_gets_a_hint(bot: Driver) -> None:
    ana = bot.user("Ana")
    replies = await ana.send("hello there <3 & stuff")
    assert "Send /help" in replies[0].text


async def test_group_chat_stays_quiet_unless_addressed(bot: Driver) -> None:
    ana, bob = bot.user("Ana"), bot.user("Bob")
    group = bot.group("Kenya WG", members=[ana, bob], admins=[ana])
    assert await ana.send("good morning everyone", chat=group) == []
    assert await ana.send("/othercommand", chat=group) == []
    addressed = await ana.send(f"/nonsense@{bot.server.username}", chat=group)
    assert "I don't know the command /nonsense" in addressed[0].text
    replies = await bob.send("/help", chat=group)
    assert replies[0].chat_id == group.id


async def test_error_in_a_handler_is_told_without_internals(
    settings, db, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.conftest import start_bot

    driver = await start_bot(settings, db)

    async def broken(update, context) -> None:
        raise RuntimeError("secret internals: /var/lib/db password=hunter2")

    # Ahead of the fallback, as a feature module would register it.
    driver.app.handlers[0].insert(0, CommandHandler("boom", broken))
    driver.raise_errors = False
    async with driver:
        ana = driver.user("Ana")
        with caplog.at_level(logging.ERROR):
            replies = await ana.send("/boom")
    assert "something went wrong" in replies[0].text
    assert "hunter2" not in replies[0].text and "RuntimeError" not in replies[0].text
    assert any("hunter2" in (r.exc_text or "") or r.exc_info for r in caplog.records)
    assert isinstance(driver.errors[0], RuntimeError)


async def test_blocked_user_does_not_crash_the_bot(bot: Driver) -> None:
    ana = bot.user("Ana")
    ana.block()
    bot.raise_errors = False
    await ana.send("/start")  # the reply gets 403; the bot logs and goes on
    ana.unblock()
    assert "Welcome" in (await ana.send("/start"))[0].text


async def test_error_in_a_button_handler_stops_the_spinner(settings, db) -> None:
    from telegram.ext import CallbackQueryHandler

    from tests.conftest import start_bot

    driver = await start_bot(settings, db)

    async def broken(update, context) -> None:
        raise RuntimeError("boom")

    driver.app.handlers[0].insert(0, CallbackQueryHandler(broken, pattern="^boom$"))
    driver.raise_errors = False
    async with driver:
        ana = driver.user("Ana")
        await ana.send("/start")
        answer = await ana.press_data("boom")
    assert answer.answered and "something went wrong" in answer.answer_text
