"""Reports and their review, hardened (issue #16, points 10-13).

Lengths are counted as Telegram counts them (UTF-16 code units), nobody reviews
their own report, a decision applies to the version the reviewer saw, and edits
share the flood limit of new reports. Everything through the real bot.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import col, select

from bot.emulator import Driver, UserHandle
from storage.db import Database, alembic_config
from storage.models import AuditLog, Commitment, Report
from storage.reference import prepare_database
from tests.conftest import ADMIN_ID, make_lead, send_report, start_bot

EMOJI = "😀"  # one Python character, two UTF-16 code units: two "characters" to Telegram


def _updates(db) -> list[Report]:
    with db.session() as session:
        return list(session.exec(select(Report).order_by(col(Report.id))))


async def _lead(bot: Driver, db, name: str = "Leo", country: str = "KEN") -> UserHandle:
    lead = bot.user(name)
    await lead.send("/start")
    make_lead(db, lead.id, country)
    return lead


async def _edit_note(user: UserHandle, report_number: int, note: str) -> None:
    """Change a report's note from /myreports and send the change."""
    mine = (await user.send("/myreports"))[0]
    await user.press(f"Edit #{report_number}", message=mine)
    await user.press("Edit")
    await user.press("Note")
    await user.send(note)
    await user.press("Send")


# ------------------------------------------------------------------ point 10


async def test_emoji_note_is_measured_as_telegram_counts_it(demo_bot: Driver, demo_db) -> None:
    lead = await _lead(demo_bot, demo_db)
    ana = demo_bot.user("Ana")
    await ana.send("/report KE0012")
    await ana.press("🟠 Limited")

    # 2,000 emoji are 4,000 characters to Telegram: over the limit, and given back whole.
    replies = await ana.send(EMOJI * 2000)
    assert "Your note has 4,000 characters; the limit is 2,000" in replies[0].text
    assert "".join(r.text for r in replies[1:]) == EMOJI * 2000
    assert "Step 4/5" not in replies[-1].text

    # A note right at the limit, with ten attachments whose names and captions are
    # emoji too: the preview, the leads' notice and the decision all still fit.
    await ana.send(EMOJI * 1000)
    for n in range(10):
        await ana.send_document(f"{n}{EMOJI * 200}.pdf", b"%PDF", caption=EMOJI * 600)
    await ana.press("Done")
    preview = ana.last_reply
    assert "This is how others will see your report" in preview.text
    assert EMOJI * 1000 in preview.text
    await ana.press("Send", message=preview)
    notice = lead.last_reply
    assert "A new report needs verifying" in notice.text and EMOJI * 1000 in notice.text

    await lead.press("❌ Reject", message=notice)
    await lead.send("🙁" * 600)  # over the 500-character reason limit: cut, not refused
    assert "❌ Rejected by Leo" in lead.last_reply.text
    assert "was not accepted" in ana.last_reply.text


async def test_pending_and_myreports_pages_with_long_emoji_notes(demo_bot: Driver, demo_db) -> None:
    lead = await _lead(demo_bot, demo_db)
    ana = demo_bot.user("Ana")
    commitments = ["KE0012", "KE0021", "KE0037"]
    for commitment in commitments:
        await send_report(ana, commitment, EMOJI * 1000)

    queue = (await lead.send("/pending"))[0]
    assert "(3)" in queue.text
    assert all(commitment in queue.text for commitment in commitments)
    assert queue.button_texts == ["✅ #1", "❌ #1", "✅ #2", "❌ #2", "✅ #3", "❌ #3"]
    await lead.press("✅ #2", message=queue)
    assert _updates(demo_db)[1].state == "verified"

    mine = (await ana.send("/myreports"))[0]
    assert "Your reports, newest first (3)" in mine.text
    assert all(commitment in mine.text for commitment in commitments)
    assert "Edit #3" in mine.button_texts and "Edit #1" in mine.button_texts


async def test_history_page_of_long_emoji_notes(demo_bot: Driver) -> None:
    ana = demo_bot.user("Ana")
    for n in range(10):  # a full page, each note shortened to its 300-character excerpt
        await send_report(ana, "KE0012", f"{n} " + EMOJI * 999)
    history = (await ana.send("/history KE0012"))[0]
    assert "All reports, newest first (10)" in history.text
    assert history.text.count("— Ana") == 10


async def test_long_texts_are_split_as_telegram_counts(demo_bot: Driver, demo_db) -> None:
    """A commitment's full text of emoji and ampersands, in lines and in one long run."""
    with demo_db.session() as session:
        commitment = session.get(Commitment, "KE0012")
        commitment.full_text = "Targets:\n" + "🌍 & " * 1500 + "\n" + "🌍" * 3000
    ana = demo_bot.user("Ana")
    await ana.send("/status KE0012")
    result = await ana.press("Full text")
    texts = [m.text for m in result.replies]
    assert len(texts) > 1
    assert sum(t.count("🌍") for t in texts) == 4500
    assert sum(t.count("&") for t in texts) == 1500


# ------------------------------------------------------------------ point 11


async def test_a_lead_does_not_review_their_own_report(demo_bot: Driver, demo_db) -> None:
    lead = await _lead(demo_bot, demo_db)
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    await admin.send("/start")
    await send_report(lead, "KE0012", "my own work")
    [own] = _updates(demo_db)

    queue = (await lead.send("/pending"))[0]
    assert "my own work" not in queue.text and "Nothing waits for you" in queue.text
    # An old or forged button is refused too, and the refusal audited.
    for data in (f"rw:ok:{own.id}", f"rw:no:{own.id}"):
        answer = await lead.press_data(data)
        assert answer.show_alert and "your own report" in answer.answer_text
    assert _updates(demo_db)[0].state == "pending"
    with demo_db.session() as session:
        refused = session.exec(
            select(AuditLog).where(AuditLog.allowed == False)  # noqa: E712
        ).all()
    assert [(r.actor_id, r.action, r.detail) for r in refused] == [
        (lead.id, "report.verify", "own report"),
        (lead.id, "report.reject", "own report"),
    ]

    # Someone else still reviews it: here the admin, from the notice they got.
    notice = admin.last_reply
    assert "my own work" in notice.text
    await admin.press("✅ Verify", message=notice)
    assert _updates(demo_db)[0].state == "verified"


async def test_an_admins_own_report_is_reviewed_by_a_lead(demo_bot: Driver, demo_db) -> None:
    lead = await _lead(demo_bot, demo_db)
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    await admin.send("/start")
    await send_report(admin, "KE0021", "the admin's report")
    [report] = _updates(demo_db)

    assert "the admin's report" not in (await admin.send("/pending"))[0].text
    answer = await admin.press_data(f"rw:ok:{report.id}")
    assert "your own report" in answer.answer_text
    assert _updates(demo_db)[0].state == "pending"

    queue = (await lead.send("/pending"))[0]
    assert "the admin's report" in queue.text
    await lead.press(f"✅ #{report.id}", message=queue)
    assert _updates(demo_db)[0].state == "verified"
    assert "Your report on KE0021 was verified" in admin.last_reply.text


# ------------------------------------------------------------------ point 12


async def test_verify_on_an_old_notice_shows_the_changed_report(demo_bot: Driver, demo_db) -> None:
    lead = await _lead(demo_bot, demo_db)
    ana = demo_bot.user("Ana")
    await send_report(ana, "KE0012", "first words")
    old_notice = lead.last_reply
    await _edit_note(ana, 1, "second words")
    assert "A report was changed" in lead.last_reply.text

    for button in ("✅ Verify", "❌ Reject"):
        result = await lead.press(button, message=old_notice)
        assert "changed" in result.answer_text
        [shown] = result.replies
        assert "second words" in shown.text and "first words" not in shown.text
        assert shown.button_texts == ["✅ Verify", "❌ Reject"]
        assert _updates(demo_db)[0].state == "pending"
    assert "Send a short reason" not in lead.last_reply.text

    # The version shown now is the one verified.
    await lead.press("✅ Verify", message=shown)
    assert _updates(demo_db)[0].state == "verified"
    assert "second words" in shown.text and "✅ Verified by Leo" in shown.text


async def test_pending_buttons_and_reasons_apply_to_the_version_seen(
    demo_bot: Driver, demo_db
) -> None:
    lead = await _lead(demo_bot, demo_db)
    ana = demo_bot.user("Ana")
    await send_report(ana, "KE0012", "first words")
    queue = (await lead.send("/pending"))[0]
    await _edit_note(ana, 1, "second words")
    result = await lead.press("✅ #1", message=queue)
    assert "changed" in result.answer_text and "second words" in result.replies[0].text
    assert _updates(demo_db)[0].state == "pending"

    # A reason written while the author changed the report does not reject the new text.
    await lead.press("❌ Reject", message=result.replies[0])
    assert "Send a short reason" in lead.last_reply.text
    await _edit_note(ana, 1, "third words")
    replies = await lead.send("too vague")
    assert "changed" in replies[0].text and "third words" in replies[0].text
    assert _updates(demo_db)[0].state == "pending"
    assert "was not accepted" not in ana.last_reply.text


@pytest.mark.sqlite_only("builds a database at revision 0008 in its own SQLite file")
async def test_buttons_sent_before_the_upgrade_apply_to_the_first_version(
    settings, db_path
) -> None:
    """Notices sent before review buttons named a revision: for a report edited before
    the upgrade, they show the report again; for one never edited, they still verify."""
    old = Database(f"sqlite:///{db_path}")
    command.upgrade(alembic_config(old.engine), "0008")
    with old.engine.begin() as conn:  # the schema of 0008: the models have moved on
        conn.execute(
            sa.text(
                "INSERT INTO country (code, name, kind, region, iso2, ogp_name) "
                "VALUES ('KEN', 'Kenya', 'national', '', '', '')"
            )
        )
    with old.session() as session:
        session.add(Commitment(id="KE0012", country_code="KEN", title="Access to information"))
    at = "2026-11-30 10:00:00.000000"
    reports = [(1, "edited words", ["created", "edited"]), (2, "as sent", ["created"])]
    with old.engine.begin() as conn:
        for update_id, note, actions in reports:
            row = {"id": update_id, "note": note, "at": at}
            conn.execute(
                sa.text(
                    "INSERT INTO progress_update (id, commitment_id, status, note, state, "
                    "review_reason, created_at, updated_at) VALUES "
                    "(:id, 'KE0012', 'limited', :note, 'pending', '', :at, :at)"
                ),
                row,
            )
            for action in actions:
                conn.execute(
                    sa.text(
                        "INSERT INTO update_revision (update_id, action, status, note, "
                        "evidence, reason, at) VALUES "
                        "(:id, :action, 'limited', :note, '[]', '', :at)"
                    ),
                    {**row, "action": action},
                )
    old.dispose()

    db = Database(f"sqlite:///{db_path}")
    prepare_database(db)
    async with await start_bot(settings, db) as bot:
        lead = await _lead(bot, db)
        result = await lead.press_data("rw:ok:1")
        assert "changed" in result.answer_text and "edited words" in result.replies[0].text
        await lead.press("✅ Verify", message=result.replies[0])
        result = await lead.press_data("rw:ok:2")
        assert result.answer_text == "✅"
    assert [u.state for u in _updates(db)] == ["verified", "verified"]
    db.dispose()


# ------------------------------------------------------------------ point 13


async def test_edits_count_against_the_flood_limit(demo_bot: Driver, demo_db) -> None:
    lead = await _lead(demo_bot, demo_db)
    ana = demo_bot.user("Ana")
    await send_report(ana, "KE0012", "version 0")
    for n in range(1, 20):  # the report and 19 changes: 20 sends in the hour
        await _edit_note(ana, 1, f"version {n}")
    notices = [m for m in lead.messages if "needs verifying" in (m.text or "")]
    assert len(notices) == 20

    mine = (await ana.send("/myreports"))[0]
    await ana.press("Edit #1", message=mine)
    assert "20 reports in the last hour" in ana.last_reply.text
    replies = await ana.send("/report KE0021")
    assert "20 reports in the last hour" in replies[0].text
    notices = [m for m in lead.messages if "needs verifying" in (m.text or "")]
    assert len(notices) == 20
    assert _updates(demo_db)[0].note == "version 19"
