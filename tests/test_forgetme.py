"""/forgetme: personal data deleted after confirmation, reports kept and anonymised."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.config import Settings
from bot.emulator import Driver
from storage.models import (
    AuditLog,
    Chat,
    ConversationState,
    Member,
    Outbox,
    OutboxState,
    Report,
    ReportDraft,
    RoleGrant,
    Subscription,
    UpdateRevision,
)
from tests.conftest import ADMIN_ID, send_report
from tests.test_postgres import pg_db  # noqa: F401  (a fixture)

PG_URL = os.environ.get("OGP_TEST_POSTGRES_URL")


async def test_forgetme_deletes_personal_data_and_keeps_reports(demo_bot: Driver, demo_db) -> None:
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    await admin.send("/start")
    ana = demo_bot.user("Ana", username="ana_k")
    await ana.send("/subscribe Kenya")
    await send_report(ana)
    await admin.send("/grant @ana_k Ghana")
    await ana.send("/report KE0021")  # an unfinished draft
    await ana.send("/cancel")
    await ana.send("/report KE0021")

    ask = (await ana.send("/forgetme"))[0]
    assert "Delete your data?" in ask.text
    assert ask.button_texts == ["Yes, delete my data", "No, keep it"]
    await ana.press("No, keep it")
    assert "Nothing was deleted." in ask.text
    with demo_db.session() as session:
        assert session.get(Member, ana.id) is not None

    await ana.send("/forgetme")
    await ana.press("Yes, delete my data")
    done = ana.last_reply
    assert "your personal data is deleted and 1 of your reports is now anonymous" in done.text
    assert done.button_texts == []

    with demo_db.session() as session:
        assert session.get(Member, ana.id) is None
        assert session.get(Chat, ana.id) is None
        assert session.get(ReportDraft, ana.id) is None
        assert session.exec(select(Subscription).where(Subscription.chat_id == ana.id)).all() == []
        assert session.exec(select(RoleGrant).where(RoleGrant.member_id == ana.id)).all() == []
        assert (
            session.exec(select(ConversationState).where(ConversationState.user_id == ana.id)).all()
            == []
        )
        [update] = session.exec(select(Report)).all()
        assert update.reporter_id is None and update.note == "Bill tabled in parliament"
        assert all(r.actor_id is None for r in session.exec(select(UpdateRevision)))
        entries = session.exec(select(AuditLog)).all()
        assert all(e.actor_id != ana.id for e in entries)
        assert all(e.target != f"member:{ana.id}" for e in entries)
        assert any(e.action == "member.forget" and e.actor_id is None for e in entries)

    # The report stays on the card, from a former member.
    card = (await admin.send("/status KE0012"))[0].text
    assert "Ana" not in card
    # Writing again makes a brand-new member.
    assert "Welcome, Ana!" in (await ana.send("/start"))[0].text


async def test_forgetme_needs_a_fresh_confirmation_in_private(demo_bot: Driver, demo_db) -> None:
    ana, bob = demo_bot.user("Ana"), demo_bot.user("Bob")
    await ana.send("/start")
    # A forged or replayed button without /forgetme just before does nothing.
    answer = await ana.press_data("fm:yes")
    assert answer.show_alert and "expired" in answer.answer_text
    await ana.send("/forgetme")
    demo_bot.clock.advance(minutes=20)
    answer = await ana.press("Yes, delete my data")
    assert "expired" in answer.answer_text
    with demo_db.session() as session:
        assert session.get(Member, ana.id) is not None

    group = demo_bot.group("WG", members=[ana, bob])
    hint = await ana.send("/forgetme", chat=group)
    assert "send /forgetme to me in a private chat" in hint[0].text
    answer = await bob.press_data("fm:yes", chat=group)
    assert "expired" in answer.answer_text
    with demo_db.session() as session:
        assert session.get(Member, bob.id) is not None


ZELDA_ID = 7_654_321_987  # distinctive, so a scan for it finds nothing by chance
JUNE_1_0500 = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)  # a Monday: weekly digests at 09:00


def _mentions(db, needles: list[str], number: int) -> list[tuple[str, str, object]]:
    """Every (table, column, value) of the SQLite file holding a needle, or the number."""
    found = []
    with db.engine.connect() as conn:
        tables = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
        for (table,) in tables.all():
            columns = conn.exec_driver_sql(f'PRAGMA table_info("{table}")').all()
            for column in (c[1] for c in columns):
                where = " OR ".join(
                    [f'"{column}" = ?'] + [f'CAST("{column}" AS TEXT) LIKE ?'] * len(needles)
                )
                params = (number, *(f"%{n}%" for n in needles))
                for (value,) in conn.exec_driver_sql(
                    f'SELECT "{column}" FROM "{table}" WHERE {where}', params
                ):
                    found.append((table, column, value))
    return found


@pytest.mark.sqlite_only(
    "scans every table of the SQLite file (the PostgreSQL test below covers it there)"
)
async def test_after_forgetme_no_table_holds_their_name_username_or_id(
    demo_bot: Driver, demo_db
) -> None:
    demo_bot.clock.set(JUNE_1_0500)
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    await admin.send("/start")
    zelda = demo_bot.user("Zelda", last_name="Quixotic", username="zq_member", user_id=ZELDA_ID)
    bob = demo_bot.user("Bob")
    group = demo_bot.group("Kenya WG", members=[zelda, bob], admins=[bob])
    await bob.send("/subscribe Kenya", chat=group)  # weekly digest, Monday 09:00
    await zelda.send("/subscribe Kenya")
    await zelda.send("/search open data")
    await send_report(zelda)
    await bob.send("/grant @zq_member Ghana")  # refused: the audit names her by @username
    await admin.send(f"/grant {ZELDA_ID} Kenya")  # the audit names her by id
    await zelda.send("/export")  # audited with her private chat as target
    await zelda.send("/settings", chat=group)
    await zelda.press("daily", chat=group)  # refused: not a group administrator
    # She broadcasts to Kenya's followers, progress shown in her private chat.
    ask = (await zelda.send("/broadcast"))[0]
    await zelda.press(next(t for t in ask.button_texts if "Kenya" in t), message=ask)
    await zelda.send("Hearing on Thursday")
    await zelda.press("Send")
    # The group's digest names her as the reporter; it is sent from the outbox.
    demo_bot.clock.set(datetime(2026, 6, 1, 9, 0, 30, tzinfo=UTC))
    await demo_bot.run_jobs()
    assert any("Zelda Quixotic" in (m.text or "") for m in group.messages)

    needles = ["Quixotic", "zq_member", str(ZELDA_ID)]
    assert _mentions(demo_db, needles, ZELDA_ID)  # the scan sees her before
    await zelda.send("/forgetme")
    await zelda.press("Yes, delete my data")
    assert "your personal data is deleted" in zelda.last_reply.text
    await demo_bot.run_jobs()

    assert _mentions(demo_db, needles, ZELDA_ID) == []
    # What the audit keeps: that an erasure happened, naming no one.
    with demo_db.session() as session:
        [erasure] = session.exec(select(AuditLog).where(AuditLog.action == "member.forget"))
        assert erasure.actor_id is None and erasure.target == "member:former"
    # Her report stays, from a former member.
    card = (await admin.send("/status KE0012"))[0].text
    assert "Bill tabled in parliament" in card and "Zelda" not in card


async def test_sent_outbox_rows_keep_no_text_and_are_pruned(settings, demo_db) -> None:
    from tests.conftest import start_bot

    settings = settings.model_copy(update={"outbox_retention_days": 10})
    async with await start_bot(settings, demo_db) as bot:
        bot.clock.set(JUNE_1_0500)
        ana = bot.user("Ana")
        await ana.send("/subscribe Kenya")
        await ana.send("/settings")
        await ana.press("Empty digest: none")  # a line even when nothing is new
        for week in range(3):  # three Mondays, three digests: June 1, 8 and 15
            bot.clock.set(JUNE_1_0500 + timedelta(weeks=week, hours=4, seconds=30))
            await bot.run_jobs()
        digests = [m for m in ana.messages if (m.text or "").startswith("Your digest")]
        assert len(digests) == 3
        # On June 15 the June 1 row was more than 10 days old: gone. The others
        # keep no text (it named reporters), only that a digest went out.
        with demo_db.session() as session:
            rows = session.exec(select(Outbox).where(Outbox.chat_id == ana.id)).all()
        assert [(r.state, r.text, r.sent_at.day) for r in rows] == [
            (OutboxState.SENT, "", 8),
            (OutboxState.SENT, "", 15),
        ]
        # Ten days on, both are gone; the missed June 22 digest just went out.
        bot.clock.set(datetime(2026, 6, 25, 12, 0, tzinfo=UTC))
        await bot.run_jobs()
        with demo_db.session() as session:
            rows = session.exec(select(Outbox).where(Outbox.chat_id == ana.id)).all()
        assert [(r.state, r.text, r.sent_at.day) for r in rows] == [(OutboxState.SENT, "", 25)]


@pytest.mark.skipif(not PG_URL, reason="OGP_TEST_POSTGRES_URL not set")
async def test_forgetme_and_pruning_on_postgres(pg_db) -> None:  # noqa: F811
    from storage.importer import demo_csv_path, import_csv
    from storage.reference import prepare_database
    from tests.conftest import start_bot

    prepare_database(pg_db)
    import_csv(pg_db, demo_csv_path())
    settings = Settings(database_url=pg_db.url, admins=[ADMIN_ID], outbox_retention_days=1)
    async with await start_bot(settings, pg_db) as bot:
        admin = bot.user("Ada", user_id=ADMIN_ID)
        zelda = bot.user("Zelda", last_name="Quixotic", username="zq_member", user_id=ZELDA_ID)
        bob = bot.user("Bob")
        await admin.send("/start")
        for user in (zelda, bob):
            await user.send("/subscribe Kenya")
            await user.send("/settings")
            await user.press("Empty digest: none")
        await bob.send("/grant @ZQ_member Ghana")  # refused, audited with her @username
        await admin.send(f"/grant {ZELDA_ID} Kenya")
        bot.clock.advance(days=8)
        await bot.run_jobs()  # digests sent, then pruned on a run two days later
        assert any((m.text or "").startswith("Your digest") for m in bob.messages)
        with pg_db.session() as session:
            assert session.exec(select(Outbox.text).where(Outbox.chat_id == bob.id)).all() == [""]
        await zelda.send("/forgetme")
        await zelda.press("Yes, delete my data")
        bot.clock.advance(days=2)
        await bot.run_jobs()
    with pg_db.session() as session:
        audit = [(e.target, e.detail) for e in session.exec(select(AuditLog))]
        assert not [e for e in audit if "zq_member" in str(e).lower() or str(ZELDA_ID) in str(e)]
        assert ("member:former", "reports anonymised: 0") in audit
        assert session.exec(select(Outbox)).all() == []
