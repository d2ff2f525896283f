"""Following countries, end to end through the emulator, in private and in groups."""

from __future__ import annotations

from sqlmodel import select

from bot.emulator import Driver
from storage.models import AuditLog, Subscription
from tests.conftest import make_lead


def _followed(db, chat_id: int) -> set[str]:
    with db.session() as session:
        return set(
            session.exec(select(Subscription.country_code).where(Subscription.chat_id == chat_id))
        )


async def test_subscribe_by_names_and_codes(demo_bot: Driver, demo_db) -> None:
    ana = demo_bot.user("Ana")
    replies = await ana.send("/subscribe Kenya, brasil, bra, GH")
    assert "Now following" in replies[0].text
    assert {"KEN", "BRA", "GHA"} == _followed(demo_db, ana.id)
    following = (await ana.send("/following"))[0].text
    assert "Kenya (KEN): 8 commitments" in following
    assert "Ghana (GHA): 23 commitments" in following


async def test_ambiguous_and_unknown_names_get_buttons(demo_bot: Driver, demo_db) -> None:
    ana = demo_bot.user("Ana")
    replies = await ana.send("/subscribe niger atlantis")
    text = replies[0].text
    assert "Which one did you mean by niger?" in text
    assert "I found no OGP member called atlantis." in text
    assert "Nigeria" in replies[0].button_texts
    assert _followed(demo_db, ana.id) == set()
    answer = await ana.press("Nigeria")
    assert answer.answer_text == "Following Nigeria"
    assert _followed(demo_db, ana.id) == {"NGA"}


async def test_browse_regions_and_toggle_with_check_marks(demo_bot: Driver, demo_db) -> None:
    ana = demo_bot.user("Ana")
    await ana.send("/subscribe")
    menu = ana.last_reply
    assert "Americas" in menu.button_texts
    await ana.press("Americas")
    assert menu.edit_count == 1  # the same message, edited in place
    assert "Argentina" in menu.button_texts
    await ana.press("Argentina")
    assert "✅ Argentina" in menu.button_texts
    assert _followed(demo_db, ana.id) == {"ARG"}
    await ana.press("✅ Argentina")
    assert "Argentina" in menu.button_texts and "✅ Argentina" not in menu.button_texts
    assert _followed(demo_db, ana.id) == set()
    # Paging within a region edits the same message too.
    await ana.press("« Regions")
    await ana.press("Europe")
    if "Next ›" in menu.button_texts:
        before = menu.button_texts
        await ana.press("Next ›")
        assert menu.button_texts != before
    assert len(ana.messages) == 1


async def test_unsubscribe(demo_bot: Driver, demo_db) -> None:
    ana = demo_bot.user("Ana")
    await ana.send("/subscribe Kenya Ghana")
    replies = await ana.send("/unsubscribe kenya")
    assert "No longer following <b>Kenya</b>" in replies[0].html
    assert _followed(demo_db, ana.id) == {"GHA"}
    await ana.send("/unsubscribe")
    await ana.press("✅ Ghana")
    assert _followed(demo_db, ana.id) == set()
    assert "follows no country yet" in ana.last_reply.text


async def test_deep_link_follows_on_start(demo_bot: Driver, demo_db) -> None:
    ana = demo_bot.user("Ana")
    replies = await ana.send("/start follow_KEN")
    assert "Welcome, Ana!" in replies[0].text
    assert "Now following Kenya" in replies[1].text
    assert _followed(demo_db, ana.id) == {"KEN"}
    # A forged deep link follows nothing and does not fail.
    assert len(await ana.send("/start follow_ZZZZ")) == 1


async def test_group_admin_may_change_a_group_others_may_not(demo_bot: Driver, demo_db) -> None:
    ana, bob = demo_bot.user("Ana"), demo_bot.user("Bob")
    group = demo_bot.group("Kenya WG", members=[ana, bob], admins=[ana])
    replies = await ana.send("/subscribe Kenya", chat=group)
    assert "Now following" in replies[0].text
    refused = await bob.send("/subscribe Ghana", chat=group)
    assert "Only this group's administrators" in refused[0].text
    refused = await bob.send("/unsubscribe Kenya", chat=group)
    assert "Only this group's administrators" in refused[0].text
    assert _followed(demo_db, group.id) == {"KEN"}
    with demo_db.session() as session:
        entries = session.exec(select(AuditLog).where(AuditLog.action == "follow.change")).all()
    assert [(e.actor_id, e.allowed) for e in entries] == [
        (ana.id, True),
        (bob.id, False),
        (bob.id, False),
    ]
    # Everyone can see what the group follows.
    assert "Kenya (KEN)" in (await bob.send("/following", chat=group))[0].text


async def test_group_toggle_button_rechecks_rights(demo_bot: Driver, demo_db) -> None:
    ana, bob = demo_bot.user("Ana"), demo_bot.user("Bob")
    group = demo_bot.group("WG", members=[ana, bob], admins=[ana])
    await ana.send("/subscribe", chat=group)
    await ana.press("Africa and the Middle East", chat=group)
    answer = await bob.press("Kenya", chat=group)  # bob presses ana's menu
    assert answer.show_alert and "Only group administrators" in answer.answer_text
    assert _followed(demo_db, group.id) == set()
    answer = await ana.press("Kenya", chat=group)
    assert answer.answer_text == "Following Kenya"


async def test_bot_lead_may_change_a_group_without_being_its_admin(demo_bot, demo_db) -> None:
    ana, leo = demo_bot.user("Ana"), demo_bot.user("Leo")
    group = demo_bot.group("WG", members=[ana, leo], admins=[ana])
    await leo.send("/start")
    make_lead(demo_db, leo.id, "KEN")
    replies = await leo.send("/subscribe Kenya", chat=group)
    assert "Now following" in replies[0].text


async def test_forged_follow_buttons_are_expired(demo_bot: Driver, demo_db) -> None:
    ana = demo_bot.user("Ana")
    await ana.send("/subscribe")
    for data in ("ft:ZZZZ:0:0", "fg:99:0", "fa:XX", "ft:KEN:0", "garbage", "fa:KEN;DROP"):
        answer = await ana.press_data(data)
        assert answer.answer_text == "This button has expired. Please send the command again."
        assert answer.show_alert
    assert _followed(demo_db, ana.id) == set()
