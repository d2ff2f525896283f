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
