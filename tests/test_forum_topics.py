"""Forum topics: a supergroup with a topic per country or theme, end to end.

A command in a topic is answered there; what a topic follows is its own, and so
are its digests and a country's broadcasts; a conversation begun in one topic is
not continued from another.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select
from telegram.error import BadRequest

from bot.emulator import Driver
from storage.models import Commitment
from tests.conftest import ADMIN_ID, send_report, start_bot
from tests.test_digests import _news

JUNE_1_0500 = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)  # a Monday


async def _forum(driver: Driver):
    """A coalition's forum with a Kenya topic and a Ghana topic; Ada administers it."""
    ada = driver.user("Ada", user_id=ADMIN_ID)
    await ada.send("/start")
    forum = driver.forum("OGP Africa", members=[ada], admins=[ada], owner=ada)
    return ada, forum, forum.topic("Kenya"), forum.topic("Ghana")


def _digests(messages) -> list:
    return [m for m in messages if (m.text or "").startswith(("📰", "Your digest since"))]


async def test_the_emulator_has_topics_as_telegram_does(demo_bot: Driver) -> None:
    ada, forum, kenya, _ghana = await _forum(demo_bot)
    sent = (await ada.send("hello", chat=forum, topic=kenya)).message
    assert sent.data["message_thread_id"] == kenya and sent.data["is_topic_message"]
    assert sent.data["chat"]["is_forum"] is True
    # An unknown topic is refused as Telegram refuses it.
    with demo_bot.expect_rejections(), pytest.raises(BadRequest, match="thread not found"):
        await demo_bot.app.bot.send_message(forum.id, "x", message_thread_id=999)


async def test_a_command_in_a_topic_is_answered_in_that_topic(demo_bot: Driver) -> None:
    ada, forum, kenya, ghana = await _forum(demo_bot)
    replies = await ada.send("/status KE0012", chat=forum, topic=kenya)
    assert replies and all(m.thread_id == kenya for m in replies)
    assert "KE0012" in replies[0].text
    assert forum.messages_in(ghana) == [] and forum.messages_in(None) == []


async def test_subscribe_in_a_topic_follows_for_that_topic_only(demo_bot: Driver) -> None:
    ada, forum, kenya, ghana = await _forum(demo_bot)
    said = await ada.send("/subscribe Kenya", chat=forum, topic=kenya)
    assert "Now following" in said[0].text and said[0].thread_id == kenya
    await ada.send("/subscribe Ghana", chat=forum, topic=ghana)

    in_kenya = (await ada.send("/following", chat=forum, topic=kenya))[0]
    assert "Kenya (KEN)" in in_kenya.text and "Ghana" not in in_kenya.text
    in_ghana = (await ada.send("/following", chat=forum, topic=ghana))[0]
    assert "Ghana (GHA)" in in_ghana.text and "Kenya" not in in_ghana.text
    general = (await ada.send("/following", chat=forum))[0]
    assert "(KEN)" not in general.text and "(GHA)" not in general.text

    # /unsubscribe alone in a topic offers that topic's countries, and drops them there only.
    offer = (await ada.send("/unsubscribe", chat=forum, topic=ghana))[0]
    assert offer.thread_id == ghana
    assert any("Ghana" in t for t in offer.button_texts)
    assert not any("Kenya" in t for t in offer.button_texts)
    await ada.send("/unsubscribe Ghana", chat=forum, topic=ghana)
    assert "Ghana" not in (await ada.send("/following", chat=forum, topic=ghana))[0].text
    assert "Kenya (KEN)" in (await ada.send("/following", chat=forum, topic=kenya))[0].text


async def test_digests_land_in_the_topic_with_its_countries(demo_bot: Driver, demo_db) -> None:
    demo_bot.clock.set(JUNE_1_0500)
    ada, forum, kenya, ghana = await _forum(demo_bot)
    await ada.send("/subscribe Kenya", chat=forum, topic=kenya)
    await ada.send("/subscribe Ghana", chat=forum, topic=ghana)
    await ada.send("/settings", chat=forum, topic=kenya)
    await ada.press("daily", chat=forum)
    _news(demo_db, "KE0012", demo_bot.clock.now())
    ghana_id = _ghana_commitment(demo_db)
    _news(demo_db, ghana_id, demo_bot.clock.now())

    demo_bot.clock.advance(days=1)
    await demo_bot.run_jobs()
    [in_kenya] = _digests(forum.messages_in(kenya))
    [in_ghana] = _digests(forum.messages_in(ghana))
    assert "Kenya" in in_kenya.text and "Ghana" not in in_kenya.text
    assert "Ghana" in in_ghana.text and "Kenya" not in in_ghana.text
    assert _digests(forum.messages_in(None)) == []

    # /digest in a topic: that topic's digest, there.
    now = (await ada.send("/digest", chat=forum, topic=ghana))[0]
    assert now.thread_id == ghana and "Ghana" in now.text and "Kenya" not in now.text


def _ghana_commitment(db) -> str:
    with db.session() as session:
        return session.exec(select(Commitment.id).where(Commitment.country_code == "GHA")).first()


async def test_a_broadcast_to_kenyas_followers_lands_in_the_kenya_topic(demo_bot: Driver) -> None:
    ada, forum, kenya, ghana = await _forum(demo_bot)
    ana = demo_bot.user("Ana")
    await ana.send("/subscribe Kenya")
    await ada.send("/subscribe Kenya", chat=forum, topic=kenya)
    await ada.send("/subscribe Ghana", chat=forum, topic=ghana)

    await ada.send("/broadcast")
    await ada.press("Followers of Kenya · 2")
    await ada.send("Public hearing tomorrow")
    await ada.press("Send")
    await demo_bot.run_jobs()
    assert ada.last_reply.text == "Broadcast finished: 2 delivered, 0 blocked, 0 failed."
    [heard] = [m for m in forum.messages if "Public hearing tomorrow" in (m.text or "")]
    assert heard.thread_id == kenya
    assert "Public hearing tomorrow" in ana.last_reply.text


async def test_a_conversation_in_one_topic_is_not_continued_from_another(
    demo_bot: Driver, demo_db
) -> None:
    ada, forum, kenya, ghana = await _forum(demo_bot)
    wanjiru = demo_bot.user("Wanjiru", last_name="Kamau")
    await wanjiru.send("/start")
    listed = (await ada.send("/grant kamau", chat=forum, topic=kenya))[0]
    asked = (await ada.press("Wanjiru Kamau", message=listed)).replies[0]
    assert "What should Wanjiru Kamau lead?" in asked.text and asked.thread_id == kenya

    # Ada's words in the Ghana topic are not the answer to the Kenya topic's question.
    elsewhere = await ada.send("Ghana", chat=forum, topic=ghana)
    assert all("is now a lead" not in (m.text or "") for m in elsewhere)
    done = await ada.send("Kenya", chat=forum, topic=kenya)
    assert "Wanjiru Kamau is now a lead of Kenya." in done[0].text
    assert done[0].thread_id == kenya
    assert "Ghana" not in (await wanjiru.send("/whoami"))[0].text


async def test_a_deleted_topics_broadcast_reaches_the_chat(demo_bot: Driver) -> None:
    ada, forum, kenya, _ghana = await _forum(demo_bot)
    await ada.send("/subscribe Kenya", chat=forum, topic=kenya)
    forum.delete_topic(kenya)

    await ada.send("/broadcast")
    await ada.press("Followers of Kenya · 1")
    await ada.send("Public hearing tomorrow")
    with demo_bot.expect_rejections():  # the first try, into the deleted topic
        await ada.press("Send")
        await demo_bot.run_jobs()
    assert ada.last_reply.text == "Broadcast finished: 1 delivered, 0 blocked, 0 failed."
    [heard] = [m for m in forum.messages if "Public hearing tomorrow" in (m.text or "")]
    assert heard.thread_id is None and not heard.deleted


async def test_a_topics_conversation_resumes_in_that_topic_after_a_restart(
    settings, demo_db
) -> None:
    first = await start_bot(settings, demo_db)
    async with first:
        ada, forum, kenya, ghana = await _forum(first)
        wanjiru = first.user("Wanjiru", last_name="Kamau")
        await wanjiru.send("/start")
        listed = (await ada.send("/grant kamau", chat=forum, topic=kenya))[0]
        await ada.press("Wanjiru Kamau", message=listed)
    # The process is gone; a new Application on the same database and forum.
    second = await start_bot(settings, demo_db, server=first.server)
    async with second:
        ada = second.user("Ada", user_id=ADMIN_ID)
        elsewhere = await ada.send("Ghana", chat=forum.id, topic=ghana)
        assert all("is now a lead" not in (m.text or "") for m in elsewhere)
        done = await ada.send("Kenya", chat=forum.id, topic=kenya)
        assert "Wanjiru Kamau is now a lead of Kenya." in done[0].text
        assert done[0].thread_id == kenya


async def test_a_plan_followed_in_two_topics_is_told_once(demo_bot: Driver) -> None:
    demo_bot.clock.set(datetime(2027, 12, 10, 8, 0, tzinfo=UTC))  # Ghana's plan ends 12-31
    ada, forum, _kenya, ghana = await _forum(demo_bot)
    await ada.send("/subscribe Ghana", chat=forum, topic=ghana)
    await ada.send("/subscribe Ghana", chat=forum)
    settings = (await ada.send("/settings", chat=forum))[0]
    toggle = next(t for t in settings.button_texts if "📅" in t or "lan" in t)
    await ada.press(toggle, message=settings)
    await demo_bot.run_jobs()
    told = [m for m in forum.messages if "Action plans" in (m.text or "")]
    assert len(told) == 1 and told[0].text.count("Ghana: Action plan 5") == 1


async def test_rejections_begun_in_two_topics_keep_their_own_report(demo_bot: Driver) -> None:
    """A lead asked for two reasons, in two topics, answers each where it was asked."""
    ada, forum, kenya, ghana = await _forum(demo_bot)
    reporter = demo_bot.user("Rui")
    await send_report(reporter, "KE0012", "first note")
    await send_report(reporter, "KE0021", "second note")
    first = (await ada.send("/pending", chat=forum, topic=kenya))[0]
    ids = [t.removeprefix("❌ #") for t in first.button_texts if t.startswith("❌ #")]
    await ada.press(f"❌ #{ids[0]}", message=first)
    second = (await ada.send("/pending", chat=forum, topic=ghana))[0]
    await ada.press(f"❌ #{ids[1]}", message=second)
    done = await ada.send("not what the minutes say", chat=forum, topic=kenya)
    assert any(f"#{ids[0]}" in (m.text or "") or "first note" in (m.text or "") for m in done)
    assert all("second note" not in (m.text or "") for m in done)
