"""What Telegram tells the bot about chats, beyond messages (issue #16, points 7-9).

Edited and forwarded messages, the bot removed from or added back to a chat,
a group upgraded to a supergroup: each through the real Application and the
emulator, asserting what people in those chats see.
"""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

from bot.config import Settings
from bot.emulator import Driver
from storage.db import Database
from storage.importer import demo_csv_path, import_csv
from storage.reference import prepare_database
from tests.conftest import ADMIN_ID, send_report, start_bot
from tests.test_run_polling import command_update

POSTGRES_URL = os.environ.get("OGP_TEST_POSTGRES_URL")


async def _admin(driver: Driver):
    admin = driver.user("Ada", user_id=ADMIN_ID)
    await admin.send("/start")
    return admin


# ---------------------------------------------------------------- 9. edits and forwards


async def test_editing_an_old_message_into_a_command_does_not_run_it(demo_bot: Driver) -> None:
    admin = await _admin(demo_bot)
    ana = demo_bot.user("Ana", username="ana_k")
    await ana.send("/start")
    said = await admin.send("hello")

    replies = await admin.edit(said.message, "/grant @ana_k Kenya")

    assert replies.texts == ["I don't act on edited messages. Please send the command again."]
    assert "/pending" not in (await ana.send("/help"))[0].text  # Ana is no lead


async def test_an_edit_in_a_group_is_ignored_without_a_word(demo_bot: Driver) -> None:
    admin = await _admin(demo_bot)
    ana = demo_bot.user("Ana", username="ana_k")
    await ana.send("/start")
    group = demo_bot.group("Kenya WG", members=[admin, ana])
    said = await admin.send("/groups", chat=group)

    replies = await admin.edit(said.message, "/grant@ogp_tracker_bot @ana_k Kenya")

    assert replies == []
    assert "/pending" not in (await ana.send("/help"))[0].text


async def test_an_open_conversation_does_not_take_an_edit_as_input(demo_bot: Driver) -> None:
    ana = demo_bot.user("Ana")
    said = await ana.send("Bill tabled")  # answered with a hint: no conversation yet
    await ana.send("/report KE0012")
    await ana.press("🟠 Limited")
    assert "Step 3/5" in ana.last_reply.text

    assert await ana.edit(said.message, "Edited into a note") == []
    assert "Step 3/5" in ana.last_reply.text  # still waiting for the note

    replies = await ana.send("The real note")
    assert "Step 4/5" in replies[0].text
    preview = (await ana.press("Skip")).replies[0]
    assert "The real note" in preview.text and "Edited into a note" not in preview.text


async def test_a_forwarded_command_does_not_run_as_the_forwarders(demo_bot: Driver) -> None:
    admin = await _admin(demo_bot)
    bob = demo_bot.user("Bob", username="bob_b")
    await bob.send("/start")
    group = demo_bot.group("Kenya WG", members=[admin, bob])
    written = await bob.send("/grant@ogp_tracker_bot @bob_b Kenya", chat=group)
    assert "/pending" not in (await bob.send("/help"))[0].text  # refused: Bob is no admin

    replies = await admin.forward(written.message)

    assert replies.texts == [
        "I don't run commands from forwarded messages. Send the command yourself if you mean it."
    ]
    assert "/pending" not in (await bob.send("/help"))[0].text
    # Forwarded into a group: silence, and still nothing granted.
    assert await admin.forward(written.message, chat=group) == []
    assert "/pending" not in (await bob.send("/help"))[0].text


# ---------------------------------------------------------------- 8. the bot removed or back


def _sends_to(driver: Driver, chat_id: int, *, since: int = 0) -> int:
    """sendMessage calls the bot made to a chat (refused ones included) since call ``since``."""
    calls = driver.server.calls[since:]
    return sum(1 for c in calls if c.method == "sendMessage" and c.params["chat_id"] == chat_id)


async def _broadcast(admin, count: int, text: str):
    """The admin broadcasts to Kenya's followers, expecting ``count`` chats; the progress."""
    await admin.send("/broadcast")
    await admin.press(f"Followers of Kenya · {count}")
    await admin.send(text)
    await admin.press("Send")
    return admin.last_reply


async def test_removed_or_blocked_chats_are_left_out_at_once(demo_bot: Driver) -> None:
    admin = await _admin(demo_bot)
    ana, bob = demo_bot.user("Ana"), demo_bot.user("Bob")
    group = demo_bot.group("Kenya WG", members=[ana], admins=[admin])
    for user in (ana, bob):
        await user.send("/subscribe Kenya")
    await admin.send("/subscribe Kenya", chat=group)

    await bob.stop_bot()
    await group.remove_bot(by=admin)

    since = len(demo_bot.server.calls)
    progress = await _broadcast(admin, 1, "Hearing tomorrow")
    await demo_bot.run_jobs()
    assert progress.text == "Broadcast finished: 1 delivered, 0 blocked, 0 failed."
    assert _sends_to(demo_bot, bob.id, since=since) == 0
    assert _sends_to(demo_bot, group.id, since=since) == 0
    assert "Hearing tomorrow" in ana.last_reply.text

    await bob.restart_bot()
    await group.add_bot(by=admin)
    progress = await _broadcast(admin, 3, "Hearing moved to Friday")
    await demo_bot.run_jobs()
    assert progress.text == "Broadcast finished: 3 delivered, 0 blocked, 0 failed."
    assert "Hearing moved to Friday" in bob.last_reply.text
    assert "Hearing moved to Friday" in group.last_message.text


async def test_a_chat_leaving_mid_broadcast_is_tallied_blocked_not_tried(
    demo_bot: Driver,
) -> None:
    admin = await _admin(demo_bot)
    ana, bob = demo_bot.user("Ana"), demo_bot.user("Bob")
    for user in (ana, bob):
        await user.send("/subscribe Kenya")
    progress = await _broadcast(admin, 2, "Hearing tomorrow")
    assert progress.text == "Sending… sent 0 / 2"

    await bob.stop_bot()  # before the sender got to him
    since = len(demo_bot.server.calls)
    await demo_bot.run_jobs()

    assert progress.text == "Broadcast finished: 1 delivered, 1 blocked, 0 failed."
    assert _sends_to(demo_bot, bob.id, since=since) == 0  # not even tried


async def test_a_stopped_chat_stays_stopped_after_blocking_and_unblocking(
    demo_bot: Driver,
) -> None:
    ana = demo_bot.user("Ana")
    await ana.send("/subscribe Kenya")
    await ana.send("/stop")
    await ana.stop_bot()
    await ana.restart_bot()

    replies = await ana.send("/following")
    assert replies[-1].text == (
        "Scheduled messages to this chat are stopped. Resume digests and reminders?"
    )


# ---------------------------------------------------------------- 7. group -> supergroup


async def _kenya_group(driver: Driver, admin):
    """A basic group that follows Kenya, has its own time zone and is linked to a
    working group; its administrator is the bot's admin."""
    group = driver.group("Kenya WG", admins=[admin])
    await admin.send("/subscribe Kenya", chat=group)
    await admin.send("/timezone Africa/Nairobi", chat=group)
    await admin.send("/newgroup Kenya WG: Kenya")
    await admin.send("/linkgroup Kenya WG", chat=group)
    return group


async def _queue_broadcast(admin, label: str, text: str):
    await admin.send("/broadcast")
    await admin.press(label)
    await admin.send(text)
    await admin.press("Send")
    return admin.last_reply


async def _assert_kept(driver: Driver, admin, supergroup) -> None:
    """What the group had is the supergroup's now, as its people see it."""
    following = (await admin.send("/following", chat=supergroup))[0].text
    assert "Kenya" in following
    await admin.send("/settings", chat=supergroup)
    assert "Africa/Nairobi" in supergroup.last_message.text
    await admin.send("/broadcast")
    assert "Working group: Kenya WG · 1" in admin.last_reply.button_texts
    await admin.send("/cancel")


async def test_an_upgraded_group_keeps_everything_under_its_new_id(demo_bot: Driver) -> None:
    admin = await _admin(demo_bot)
    group = await _kenya_group(demo_bot, admin)
    progress = await _queue_broadcast(admin, "Working group: Kenya WG · 1", "Meeting at 5")

    supergroup = await demo_bot.upgrade_group(group, by=admin)
    since = len(demo_bot.server.calls)
    await demo_bot.run_jobs()

    assert "Meeting at 5" in supergroup.last_message.text  # the queued message went there
    assert progress.text == "Broadcast finished: 1 delivered, 0 blocked, 0 failed."
    assert not [c for c in demo_bot.server.calls[since:] if c.params.get("chat_id") == group.id]
    await _assert_kept(demo_bot, admin, supergroup)


async def test_a_send_refused_with_chat_migrated_moves_the_group_first(demo_bot: Driver) -> None:
    admin = await _admin(demo_bot)
    group = await _kenya_group(demo_bot, admin)
    progress = await _queue_broadcast(admin, "Followers of Kenya · 1", "Hearing tomorrow")

    supergroup = await demo_bot.upgrade_group(group, by=admin, announce=False)
    since = len(demo_bot.server.calls)
    await demo_bot.run_jobs()

    assert "Hearing tomorrow" in supergroup.last_message.text
    assert progress.text == "Broadcast finished: 1 delivered, 0 blocked, 0 failed."
    refused = [c for c in demo_bot.server.calls[since:] if c.params.get("chat_id") == group.id]
    assert len(refused) == 1  # once, not retried six times
    # Telegram's service messages come later: nothing more to move, nothing said.
    assert await demo_bot.announce_upgrade(group, by=admin) == []
    await _assert_kept(demo_bot, admin, supergroup)
    following = (await admin.send("/following", chat=supergroup))[0].text
    assert following.count("Kenya") == 1


async def test_an_answer_to_a_command_sent_before_the_upgrade_reaches_the_supergroup(
    demo_bot: Driver,
) -> None:
    admin = await _admin(demo_bot)
    group = await _kenya_group(demo_bot, admin)
    # Written in the group just before the upgrade; handled just after it.
    written = command_update(demo_bot.server, admin.id, "/following", chat_id=group.id)
    supergroup = await demo_bot.upgrade_group(group, by=admin, announce=False)

    replies = await demo_bot.process(written)

    assert [m.chat_id for m in replies] == [supergroup.id]
    assert "Kenya" in replies[0].text
    await demo_bot.announce_upgrade(group, by=admin)
    await _assert_kept(demo_bot, admin, supergroup)


async def test_any_other_send_to_the_old_group_moves_it_and_asks_again(demo_bot: Driver) -> None:
    admin = await _admin(demo_bot)
    group = await _kenya_group(demo_bot, admin)
    written = command_update(demo_bot.server, admin.id, "/export Kenya", chat_id=group.id)
    supergroup = await demo_bot.upgrade_group(group, by=admin, announce=False)

    demo_bot.raise_errors = False  # the file send raises ChatMigrated into the error handler
    replies = await demo_bot.process(written)
    demo_bot.raise_errors = True

    assert replies.texts == [
        "This group is now a supergroup, and everything I kept for it moved along. "
        "Please send your last command again."
    ]
    assert replies[0].chat_id == supergroup.id
    await _assert_kept(demo_bot, admin, supergroup)
    exported = await admin.send("/export Kenya", chat=supergroup)
    assert exported[0].document is not None


async def test_a_reason_asked_in_the_old_group_is_answered_in_the_supergroup(
    demo_bot: Driver,
) -> None:
    admin = await _admin(demo_bot)
    ana = demo_bot.user("Ana")
    await send_report(ana, "KE0012", "Bill tabled")
    group = await _kenya_group(demo_bot, admin)
    queue = (await admin.send("/pending", chat=group))[0]
    await admin.press("❌ #1", message=queue)
    assert "Send a short reason" in group.last_message.text

    supergroup = await demo_bot.upgrade_group(group, by=admin)
    await admin.send("No source given", chat=supergroup)

    assert "Reason: No source given" in ana.last_reply.text


@pytest.mark.skipif(not POSTGRES_URL, reason="OGP_TEST_POSTGRES_URL not set")
async def test_an_upgraded_group_keeps_everything_on_postgres() -> None:
    """PostgreSQL checks the foreign keys to the chat row at once: the move must too."""
    name = f"ogp_test_{uuid.uuid4().hex[:10]}"
    server = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(POSTGRES_URL).set(database=name)
    db = Database(url.render_as_string(hide_password=False))
    try:
        prepare_database(db)
        import_csv(db, demo_csv_path())
        settings = Settings(database_url=db.url, admins=[ADMIN_ID])
        async with await start_bot(settings, db) as driver:
            admin = await _admin(driver)
            group = await _kenya_group(driver, admin)
            await _queue_broadcast(admin, "Followers of Kenya · 1", "Hearing tomorrow")
            supergroup = await driver.upgrade_group(group, by=admin, announce=False)
            await driver.run_jobs()
            assert "Hearing tomorrow" in supergroup.last_message.text
            await driver.announce_upgrade(group, by=admin)
            await _assert_kept(driver, admin, supergroup)
    finally:
        db.dispose()
        with server.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}"')
        server.dispose()
