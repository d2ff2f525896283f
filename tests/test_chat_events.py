"""What Telegram tells the bot about chats, beyond messages (issue #16, points 7-9).

Edited and forwarded messages, the bot removed from or added back to a chat,
a group upgraded to a supergroup: each through the real Application and the
emulator, asserting what people in those chats see.
"""

from __future__ import annotations

from bot.emulator import Driver
from tests.conftest import ADMIN_ID


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
