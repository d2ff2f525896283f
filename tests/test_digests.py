"""Digests at each chat's own hour, reminders once, /settings, /digest, /stop."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from bot.emulator import Driver
from storage.commitments import refresh_community
from storage.models import (
    Chat,
    Commitment,
    Member,
    Outbox,
    Report,
    SentReminder,
    Status,
    UpdateState,
)
from storage.schedule import next_slot
from tests.followers import digests

JUNE_1_0500 = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)  # a Monday


def test_next_slot_in_the_chats_own_zone() -> None:
    assert next_slot("daily", 0, 9, "Africa/Nairobi", JUNE_1_0500) == datetime(
        2026, 6, 1, 6, 0, tzinfo=UTC
    )
    assert next_slot("daily", 0, 9, "America/Lima", JUNE_1_0500) == datetime(
        2026, 6, 1, 14, 0, tzinfo=UTC
    )
    # Weekly on Wednesday at 18:00 in Madrid (UTC+2 in June).
    assert next_slot("weekly", 2, 18, "Europe/Madrid", JUNE_1_0500) == datetime(
        2026, 6, 3, 16, 0, tzinfo=UTC
    )
    # Strictly after: at the slot itself, the next one is a day later.
    at_slot = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
    assert next_slot("daily", 0, 9, "Africa/Nairobi", at_slot) == at_slot + timedelta(days=1)
    assert next_slot("off", 0, 9, "UTC", JUNE_1_0500) is None
    # A wall time that DST skips still gives a real instant.
    spring = datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    assert next_slot("daily", 0, 2, "Europe/Madrid", spring) is not None


def _news(db, commitment_id: str, at: datetime) -> None:
    """A fresh report, so the next digest has something to say."""
    with db.session() as session:
        if session.get(Member, 78) is None:
            session.add(Member(id=78, display_name="Reporter"))
            session.flush()
        session.add(
            Report(
                commitment_id=commitment_id,
                reporter_id=78,
                status="limited",
                note="fresh news",
                created_at=at,
                updated_at=at,
            )
        )
        refresh_community(session, [commitment_id])


async def _daily_chat(driver: Driver, name: str, zone: str, country: str):
    user = driver.user(name)
    await user.send(f"/subscribe {country}")
    await user.send(f"/timezone {zone}")
    await user.send("/settings")
    await user.press("daily")
    await user.press("Hour")
    await user.press("09")
    return user


async def test_digests_at_the_right_local_hour_in_two_zones(demo_bot: Driver, demo_db) -> None:
    demo_bot.clock.set(JUNE_1_0500)
    nairobi = await _daily_chat(demo_bot, "Wanjiru", "Africa/Nairobi", "Kenya")
    lima = await _daily_chat(demo_bot, "Rosa", "America/Lima", "Argentina")
    assert "Next digest: 2026-06-01 09:00" in nairobi.last_reply.text
    _news(demo_db, "KE0012", JUNE_1_0500 - timedelta(hours=1))
    _news(demo_db, "AR0045", JUNE_1_0500 - timedelta(hours=1))

    demo_bot.clock.set(datetime(2026, 6, 1, 5, 59, tzinfo=UTC))
    await demo_bot.run_jobs()
    assert digests(nairobi.chat) == [] and digests(lima.chat) == []

    demo_bot.clock.set(datetime(2026, 6, 1, 6, 0, 30, tzinfo=UTC))  # 09:00 in Nairobi
    await demo_bot.run_jobs()
    assert len(digests(nairobi.chat)) == 1 and digests(lima.chat) == []
    assert "Kenya" in digests(nairobi.chat)[0].text

    demo_bot.clock.set(datetime(2026, 6, 1, 14, 0, 30, tzinfo=UTC))  # 09:00 in Lima
    await demo_bot.run_jobs()
    assert len(digests(nairobi.chat)) == 1 and len(digests(lima.chat)) == 1
    assert "Argentina" in digests(lima.chat)[0].text


async def test_missed_digests_are_sent_once_after_downtime(demo_bot: Driver, demo_db) -> None:
    demo_bot.clock.set(JUNE_1_0500)
    user = await _daily_chat(demo_bot, "Wanjiru", "Africa/Nairobi", "Kenya")
    demo_bot.clock.set(JUNE_1_0500 + timedelta(days=4, hours=3))  # down for four days
    _news(demo_db, "KE0012", demo_bot.clock.now() - timedelta(hours=1))
    await demo_bot.run_jobs()
    await demo_bot.run_jobs()
    assert len(digests(user.chat)) == 1
    with demo_db.session() as session:
        chat = session.get(Chat, user.id)
    # The schedule continues from the next slot, not from the missed ones.
    assert chat.next_digest_at == datetime(2026, 6, 6, 6, 0, tzinfo=UTC)


async def test_digest_contents(demo_bot: Driver, demo_db) -> None:
    demo_bot.clock.set(JUNE_1_0500)
    now = JUNE_1_0500
    with demo_db.session() as session:
        session.add(Member(id=77, display_name="Otieno"))
        session.flush()
        for cid, status, state, note in [
            ("KE0012", Status.SUBSTANTIAL, UpdateState.VERIFIED, "Verified progress"),
            ("KE0021", Status.LIMITED, UpdateState.PENDING, "Unverified <claim>"),
        ]:
            session.add(
                Report(
                    commitment_id=cid,
                    reporter_id=77,
                    status=status,
                    state=state,
                    note=note,
                    created_at=now - timedelta(days=1),
                    updated_at=now - timedelta(days=1),
                )
            )
        refresh_community(session, ["KE0012", "KE0021"])
        # KE0033 ended three days ago; KE0034 ends in ten days; both not complete.
        session.get(Commitment, "KE0033").end_date = date(2026, 5, 29)
        session.get(Commitment, "KE0034").end_date = date(2026, 6, 11)
    ana = demo_bot.user("Ana")
    await ana.send("/subscribe Kenya")
    replies = await ana.send("/digest")
    text = "\n".join(r.text for r in replies)
    assert "Kenya" in text
    verified, unverified = text.index("Verified progress"), text.index("Unverified <claim>")
    assert verified < unverified  # verified first
    assert "Limited (unverified)" in text
    assert "Now overdue:" in text and "KE0033" in text
    assert "Ending within 30 days:" in text and "KE0034" in text
    assert "No report in 90 days" in text
    buttons = [b for r in replies for b in r.button_texts]
    assert buttons and all(b.startswith("Report on ") for b in buttons)
    await ana.press(buttons[0])
    assert "Step 2/5" in ana.last_reply.text  # the call to action starts a report
    # /digest does not move the schedule.
    with demo_db.session() as session:
        assert session.get(Chat, ana.id).last_digest_at is None


async def test_digest_in_a_group_links_to_private_reporting(demo_bot: Driver) -> None:
    ana = demo_bot.user("Ana")
    group = demo_bot.group("WG", members=[ana], admins=[ana])
    await ana.send("/subscribe Ghana", chat=group)
    replies = await ana.send("/digest", chat=group)
    urls = [b.url for r in replies for row in r.buttons for b in row]
    assert urls and all("start=report_GH" in url for url in urls)


async def test_nothing_new_gives_one_line_or_nothing(demo_bot: Driver, demo_db) -> None:
    demo_bot.clock.set(JUNE_1_0500)
    user = await _daily_chat(demo_bot, "Ana", "UTC", "Brazil")
    with demo_db.session() as session:
        for commitment in session.exec(select(Commitment).where(Commitment.country_code == "BRA")):
            commitment.end_date = date(2020, 1, 1)
    demo_bot.clock.set(datetime(2026, 6, 1, 9, 0, 30, tzinfo=UTC))
    await demo_bot.run_jobs()
    assert digests(user.chat) == []  # default: no digest when nothing is new
    await user.send("/settings")
    await user.press("Empty digest: none")
    demo_bot.clock.advance(days=1)
    await demo_bot.run_jobs()
    [line] = digests(user.chat)
    assert "Nothing new in the countries you follow." in line.text


async def test_settings_buttons_and_rights_in_groups(demo_bot: Driver, demo_db) -> None:
    ana, bob = demo_bot.user("Ana"), demo_bot.user("Bob")
    group = demo_bot.group("WG", members=[ana, bob], admins=[ana])
    await ana.send("/settings", chat=group)
    menu = group.last_message
    assert "Digest: weekly, Monday, 09:00" in menu.text
    answer = await bob.press("daily", chat=group)
    assert answer.show_alert and "Only this group's administrators" in answer.answer_text
    await ana.press("Day", chat=group)
    await ana.press("Friday", chat=group)
    assert "weekly, Friday" in menu.text
    await ana.press("Time zone", chat=group)
    await ana.press("UTC", chat=group)
    assert "Time zone: UTC" in menu.text
    assert "I don't know the time zone" in (await ana.send("/timezone Mars/Base"))[0].text
    refused = await bob.send("/timezone Europe/Madrid", chat=group)
    assert "Only this group's administrators" in refused[0].text
    forged = await ana.press_data("st:hour:99", chat=group)
    assert "expired" in forged.answer_text


async def test_zone_buttons_follow_the_countries(demo_bot: Driver) -> None:
    ana = demo_bot.user("Ana")
    await ana.send("/subscribe Kenya Indonesia")
    await ana.send("/settings")
    await ana.press("Time zone")
    texts = ana.last_reply.button_texts
    assert "Africa/Nairobi" in texts and "Asia/Jakarta" in texts
    await ana.press("Africa/Nairobi")
    assert "Time zone: Africa/Nairobi" in ana.last_reply.text


async def test_stop_and_resume(demo_bot: Driver, demo_db) -> None:
    demo_bot.clock.set(JUNE_1_0500)
    user = await _daily_chat(demo_bot, "Ana", "UTC", "Kenya")
    replies = await user.send("/stop")
    assert "Stopped" in replies[0].text
    demo_bot.clock.advance(days=2)
    await demo_bot.run_jobs()
    assert digests(user.chat) == []
    replies = await user.send("/following")
    assert "Kenya" in replies[0].text  # the command still works
    assert "Resume digests and reminders?" in replies[-1].text
    await user.press("Resume")
    _news(demo_db, "KE0012", demo_bot.clock.now() + timedelta(hours=1))
    demo_bot.clock.advance(days=1)
    await demo_bot.run_jobs()
    assert len(digests(user.chat)) == 1


async def test_reminders_once_per_commitment_and_event(demo_bot: Driver, demo_db) -> None:
    demo_bot.clock.set(JUNE_1_0500)
    ana = demo_bot.user("Ana")
    await ana.send("/subscribe Kenya")
    await ana.send("/settings")
    await ana.press("Reminders: off")
    assert "Reminders: on, 30 days" in ana.last_reply.text
    await ana.press("90 days")
    assert "Reminders: on, 90 days" in ana.last_reply.text
    await ana.press("30 days")
    with demo_db.session() as session:
        session.get(Commitment, "KE0034").end_date = date(2026, 6, 20)
        old = JUNE_1_0500 - timedelta(days=70)
        session.add(
            Report(
                commitment_id="GH0056",  # its plan runs until 2027
                reporter_id=ana.id,
                status="limited",
                note="old",
                created_at=old,
                updated_at=old,
            )
        )
        refresh_community(session, ["GH0056"])
    await demo_bot.run_jobs()
    reminder = ana.last_reply
    assert "Reminder" in reminder.text
    assert "KE0034" in reminder.text  # ends within 30 days, in a followed country
    assert "GH0056" in reminder.text  # reported on, quiet for 60 days
    count = len(ana.messages)
    await demo_bot.run_jobs()
    await demo_bot.run_jobs()
    assert len(ana.messages) == count  # never repeated
    with demo_db.session() as session:
        events = {
            (r.commitment_id, r.event.split(":")[0]) for r in session.exec(select(SentReminder))
        }
    assert {("KE0034", "ends"), ("GH0056", "quiet")} <= events


async def test_digest_is_queued_once_even_if_the_job_runs_twice(demo_bot, demo_db) -> None:
    demo_bot.clock.set(JUNE_1_0500)
    user = await _daily_chat(demo_bot, "Ana", "UTC", "Kenya")
    await user.press("Empty digest: none")  # a line even when nothing is new
    demo_bot.clock.set(datetime(2026, 6, 1, 9, 0, 30, tzinfo=UTC))
    await demo_bot.run_jobs()
    await demo_bot.run_jobs()
    with demo_db.session() as session:
        rows = session.exec(select(Outbox).where(Outbox.chat_id == user.id)).all()
    assert len([r for r in rows if r.kind == "digest"]) == 1
