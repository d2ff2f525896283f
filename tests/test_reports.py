"""Reporting progress from a phone, and verification by leads, end to end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from bot.emulator import Driver
from storage.commitments import refresh_community
from storage.models import (
    AuditLog,
    ConversationState,
    Evidence,
    Report,
    ReportDraft,
    UpdateRevision,
)
from tests.conftest import ADMIN_ID, make_lead, send_report, start_bot


def _updates(db) -> list[Report]:
    with db.session() as session:
        return list(session.exec(select(Report).order_by(col(Report.id))))


async def _walk(user, steps: int) -> None:
    """Open /report and take the first ``steps`` steps (0 = still choosing)."""
    await user.send("/report")
    actions = [
        lambda: user.send("KE0012"),
        lambda: user.press("🟠 Limited"),
        lambda: user.send("A note"),
        lambda: user.press("Skip"),
    ]
    for action in actions[:steps]:
        await action()


async def test_full_report_with_photo_and_link(demo_bot: Driver, demo_db) -> None:
    lead, ana = demo_bot.user("Leo"), demo_bot.user("Ana")
    await lead.send("/start")
    make_lead(demo_db, lead.id, "KEN")
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    await admin.send("/start")

    replies = await ana.send("/report")
    assert "Which commitment?" in replies[0].text
    replies = await ana.send("ke0012")
    assert "Step 2/5" in replies[0].text and "Now: no reports yet" in replies[0].text
    await ana.press("🟡 Substantial")
    assert "Step 3/5" in ana.last_reply.text
    await ana.send("The committee held 3 public hearings <b>& published</b> the minutes.")
    assert "Step 4/5" in ana.last_reply.text
    replies = await ana.send_photo(caption="Hearing, 12 May")
    assert "Attached (1)" in replies[0].text
    replies = await ana.send("Minutes: https://parliament.go.ke/minutes/123 and more")
    assert "Attached (2)" in replies[0].text
    await ana.press("Done")
    preview = ana.last_reply
    assert "This is how others will see your report" in preview.text
    assert "KE0012" in preview.text and "Substantial" in preview.text
    assert "<b>& published</b>" in preview.text  # shown literally, escaped in HTML
    assert "https://parliament.go.ke/minutes/123" in preview.html
    assert preview.button_texts == ["Send", "Edit", "Cancel", "🕶 Send anonymously"]
    await ana.press("Send")
    confirmation = ana.last_reply
    assert "Your report on KE0012 is saved" in confirmation.text
    assert confirmation.button_texts == ["View commitment"]
    assert preview.button_texts == []  # no second Send

    [update] = _updates(demo_db)
    assert (update.commitment_id, update.status, update.state) == (
        "KE0012",
        "substantial",
        "pending",
    )
    with demo_db.session() as session:
        evidence = session.exec(select(Evidence).where(Evidence.update_id == update.id)).all()
        assert session.get(ReportDraft, ana.id) is None
    assert sorted(e.kind for e in evidence) == ["link", "photo"]
    photo = next(e for e in evidence if e.kind == "photo")
    assert photo.file_id and photo.caption == "Hearing, 12 May"
    # Leads of Kenya and admins are asked to verify.
    for reviewer in (lead, admin):
        notice = reviewer.last_reply
        assert "A new report needs verifying" in notice.text
        assert notice.button_texts == ["✅ Verify", "❌ Reject"]
    # The card shows it, marked unverified.
    card = (await ana.send("/status KE0012"))[0].text
    assert "Substantial (unverified)" in card and "— Ana:" in card


async def test_report_button_on_card_skips_step_one(demo_bot: Driver) -> None:
    ana = demo_bot.user("Ana")
    await ana.send("/status AR0045")
    await ana.press("Report progress")
    assert "Step 2/5" in ana.last_reply.text and "AR0045" in ana.last_reply.text


async def test_step_one_offers_followed_commitments_newest_first(demo_bot: Driver) -> None:
    """Latest end date first, undated ones last, on every backend.

    Was: on PostgreSQL the ordering compared a date with a string, so the first
    step of /report failed for everyone ("Sorry, something went wrong")."""
    ana = demo_bot.user("Ana")
    await ana.send("/subscribe United Kingdom")
    ask = (await ana.send("/report"))[0]
    assert "Or pick one from the countries this chat follows" in ask.text
    offered = [text.split(" · ")[0] for text in ask.button_texts]
    assert offered == ["UK0098", "UK0051", "UK0062", "UK0059"]  # UK0059 has no end date


async def test_choose_by_search_words(demo_bot: Driver) -> None:
    ana = demo_bot.user("Ana")
    await ana.send("/report")
    replies = await ana.send("beneficial ownership")
    assert replies[0].buttons, replies[0].text
    await ana.press(replies[0].buttons[0][0].text)
    assert "Step 2/5" in ana.last_reply.text
    assert "I know no commitment ZZ9999" in (await _restart_report(ana, "ZZ9999"))[0].text


async def _restart_report(user, typed: str):
    await user.send("/report")
    return await user.send(typed)


@pytest.mark.parametrize(
    ("step", "wrong", "expected"),
    [
        (0, "photo", "Type a commitment id"),
        (1, "text", "choose the status with one of the buttons"),
        (2, "photo", "write your note as a text message"),
        (3, "text", "Send a link, a photo or a document"),
        (4, "text", "press Send, Edit or Cancel"),
    ],
)
async def test_wrong_input_gets_a_hint_not_a_restart(
    demo_bot: Driver, demo_db, step: int, wrong: str, expected: str
) -> None:
    ana = demo_bot.user("Ana")
    await _walk(ana, step)
    before = ana.last_reply.text
    replies = await (ana.send_photo() if wrong == "photo" else ana.send("no url in here"))
    assert expected in replies[0].text
    assert "/cancel" in replies[0].text
    with demo_db.session() as session:
        state = session.get(ConversationState, ("report", ana.id, ana.id))
    assert state is not None  # still in the conversation
    assert before  # and the step's question stays above


@pytest.mark.parametrize("steps", [0, 1, 2, 3, 4])
async def test_cancel_at_every_step(demo_bot: Driver, demo_db, steps: int) -> None:
    ana = demo_bot.user("Ana")
    await _walk(ana, steps)
    replies = await ana.send("/cancel")
    assert "Report cancelled. Nothing was sent." in replies[0].text
    assert _updates(demo_db) == []
    with demo_db.session() as session:
        assert session.get(ReportDraft, ana.id) is None
        assert session.get(ConversationState, ("report", ana.id, ana.id)) is None
    assert "nothing to cancel" in (await ana.send("/cancel"))[0].text


async def test_cancel_button_on_preview(demo_bot: Driver, demo_db) -> None:
    ana = demo_bot.user("Ana")
    await ana.send("/report KE0012")
    await ana.press("🟠 Limited")
    await ana.send("note")
    await ana.press("Skip")
    preview = ana.last_reply
    await ana.press("Cancel")  # asks first: the note is not lost to a slip of the thumb
    assert preview.button_texts == ["Yes, discard this report", "No, keep it"]
    assert "note" in preview.text
    await ana.press("No, keep it")
    assert preview.button_texts == ["Send", "Edit", "Cancel", "🕶 Send anonymously"]
    await ana.press("Cancel")
    await ana.press("Yes, discard this report")
    assert "Report cancelled" in ana.last_reply.text
    assert _updates(demo_db) == []


async def test_edit_from_preview_returns_to_preview(demo_bot: Driver, demo_db) -> None:
    ana = demo_bot.user("Ana")
    await ana.send("/report KE0012")
    await ana.press("🟠 Limited")
    await ana.send("first words")
    await ana.press("Skip")
    await ana.press("Edit")
    await ana.press("Note")
    replies = await ana.send("better words")
    assert "This is how others will see your report" in replies[0].text
    assert "better words" in replies[0].text and "Limited" in replies[0].text
    await ana.press("Edit")
    await ana.press("Status")
    await ana.press("🟢 Complete")
    assert "Complete" in ana.last_reply.text and "better words" in ana.last_reply.text
    await ana.press("Send")
    assert _updates(demo_db)[0].status == "complete"


async def test_restart_in_the_middle_resumes(settings, demo_db) -> None:
    first = await start_bot(settings, demo_db)
    async with first:
        ana = first.user("Ana")
        await ana.send("/report KE0012")
        await ana.press("🟠 Limited")
    # The process is gone; a new Application on the same database and chat.
    second = await start_bot(settings, demo_db, server=first.server)
    async with second:
        ana = second.user("Ana", user_id=ana.id)
        replies = await ana.send("Resumed after the restart")
        assert "Step 4/5" in replies[0].text
        await ana.press("Skip")
        assert "Resumed after the restart" in ana.last_reply.text
        await ana.press("Send")
    [update] = _updates(demo_db)
    assert update.note == "Resumed after the restart" and update.status == "limited"


async def test_restart_between_buttons_resumes(settings, demo_db) -> None:
    first = await start_bot(settings, demo_db)
    async with first:
        ana = first.user("Ana")
        await ana.send("/report")
        await ana.send("AR0045")
    second = await start_bot(settings, demo_db, server=first.server)
    async with second:
        ana = second.user("Ana", user_id=ana.id)
        await ana.press("🟢 Complete")  # the button sent before the restart
        assert "Step 3/5" in ana.last_reply.text


async def test_verify_and_reject_with_notifications(demo_bot: Driver, demo_db) -> None:
    lead, ana = demo_bot.user("Leo"), demo_bot.user("Ana")
    await lead.send("/start")
    make_lead(demo_db, lead.id, "KEN")
    await send_report(ana, "KE0012", "first report")
    await send_report(ana, "KE0021", "second report")
    first_notice, second_notice = lead.messages[-2:]

    result = await lead.press("✅ Verify", message=first_notice)
    assert result.answer_text == "✅"
    assert "✅ Verified by Leo" in first_notice.text and first_notice.button_texts == []
    assert "Your report on KE0012 was verified" in ana.last_reply.text

    await lead.press("❌ Reject", message=second_notice)
    assert "Send a short reason" in lead.last_reply.text
    await lead.send_photo()  # not a reason: a hint, still asking
    assert "reason as a text message" in lead.last_reply.text
    await lead.send("No source given <for> this")
    assert "❌ Rejected by Leo" in lead.last_reply.text
    assert "Reason: No source given <for> this" in ana.last_reply.text
    assert "was not accepted" in ana.last_reply.text

    states = {u.commitment_id: u.state for u in _updates(demo_db)}
    assert states == {"KE0012": "verified", "KE0021": "rejected"}
    with demo_db.session() as session:
        actions = [r.action for r in session.exec(select(UpdateRevision)).all()]
    assert sorted(actions) == ["created", "created", "rejected", "verified"]
    # A replayed Verify button changes nothing.
    verified_id = _updates(demo_db)[0].id
    again = await lead.press_data(f"rw:ok:{verified_id}")
    assert "Already verified" in again.answer_text
    # Card now shows the verified status.
    assert "Community status: 🟠 Limited ·" in (await ana.send("/status KE0012"))[0].text


async def test_unauthorised_verify_is_refused_and_audited(demo_bot: Driver, demo_db) -> None:
    ana, mallory, other_lead = demo_bot.user("Ana"), demo_bot.user("Mal"), demo_bot.user("Gus")
    await other_lead.send("/start")
    make_lead(demo_db, other_lead.id, "GHA")
    await send_report(ana, "KE0012")
    [update] = _updates(demo_db)
    await mallory.send("/start")
    for presser in (mallory, other_lead, ana):
        answer = await presser.press_data(f"rw:ok:{update.id}")
        assert answer.show_alert and "Only leads of this country" in answer.answer_text
        answer = await presser.press_data(f"rw:no:{update.id}")
        assert "Only leads of this country" in answer.answer_text
    assert _updates(demo_db)[0].state == "pending"
    with demo_db.session() as session:
        refused = session.exec(
            select(AuditLog).where(AuditLog.allowed == False)  # noqa: E712
        ).all()
    assert len(refused) == 6
    assert {r.actor_id for r in refused} == {mallory.id, other_lead.id, ana.id}
    assert all(r.target == f"update:{update.id}" for r in refused)
    assert "/pending is for leads" in (await mallory.send("/pending"))[0].text


async def test_pending_queue_oldest_first_and_paged(demo_bot: Driver, demo_db) -> None:
    lead, ana = demo_bot.user("Leo"), demo_bot.user("Ana")
    await lead.send("/start")
    make_lead(demo_db, lead.id, "KEN")
    for n, commitment in enumerate(["KE0012", "KE0021", "KE0037", "KE0016", "KE0027", "KE0033"]):
        await send_report(ana, commitment, f"report number {n}")
    await send_report(ana, "GH0040", "not for this lead")
    queue = (await lead.send("/pending"))[0]
    assert "(6)" in queue.text
    assert queue.text.index("report number 0") < queue.text.index("report number 4")
    assert "report number 5" not in queue.text and "not for this lead" not in queue.text
    await lead.press("›", message=queue)
    assert "report number 5" in queue.text and queue.edit_count == 1
    await lead.press("✅ #6", message=queue)
    assert _updates(demo_db)[5].state == "verified"


async def test_edit_and_withdraw_keep_history(demo_bot: Driver, demo_db) -> None:
    ana = demo_bot.user("Ana")
    await send_report(ana, "KE0012", "original words")
    await send_report(ana, "KE0021", "to be withdrawn")
    mine = (await ana.send("/myreports"))[0]
    assert "Your reports, newest first (2)" in mine.text
    assert "(unverified)" in mine.text
    await ana.press("Edit #1", message=mine)
    assert "This is how others will see your report" in ana.last_reply.text
    assert "original words" in ana.last_reply.text
    await ana.press("Edit")
    await ana.press("Note")
    await ana.send("corrected words")
    await ana.press("Send")
    assert "Your changes to the report on KE0012 are saved" in ana.last_reply.text
    first, _second = _updates(demo_db)
    assert first.note == "corrected words"

    mine = (await ana.send("/myreports"))[0]
    await ana.press("Withdraw #2", message=mine)
    assert "It stays in the history as withdrawn" in mine.text
    await ana.press("Yes, withdraw", message=mine)
    assert "is withdrawn" in mine.text
    assert _updates(demo_db)[1].state == "withdrawn"

    with demo_db.session() as session:
        revisions = session.exec(
            select(UpdateRevision).where(UpdateRevision.update_id == first.id)
        ).all()
    assert [(r.action, r.note) for r in revisions] == [
        ("created", "original words"),
        ("edited", "corrected words"),
    ]
    history = (await ana.send("/history KE0021"))[0]
    assert "withdrawn" in history.text


async def test_verified_reports_cannot_be_changed_by_anyone(demo_bot: Driver, demo_db) -> None:
    lead, ana, bob = demo_bot.user("Leo"), demo_bot.user("Ana"), demo_bot.user("Bob")
    await lead.send("/start")
    make_lead(demo_db, lead.id, "KEN")
    await send_report(ana, "KE0012")
    await lead.press("✅ Verify")
    answer = await ana.press_data("my:wd:1")
    await ana.send("/myreports")
    assert "Edit #1" not in ana.last_reply.button_texts
    answer = await ana.press_data("my:wdy:1")
    assert "A verified report can no longer be changed" in answer.answer_text
    answer = await ana.press_data("my:edit:1")
    assert "A verified report can no longer be changed" in answer.answer_text
    await bob.send("/start")
    answer = await bob.press_data("my:wdy:1")
    assert "Only its author" in answer.answer_text
    assert _updates(demo_db)[0].state == "verified"


async def test_flood_limit(demo_bot: Driver, demo_db) -> None:
    ana = demo_bot.user("Ana")
    await ana.send("/start")
    now = datetime.now(UTC)
    with demo_db.session() as session:
        for minute in range(19):
            at = now - timedelta(minutes=50 - minute)
            session.add(
                Report(
                    commitment_id="KE0012",
                    reporter_id=ana.id,
                    status="limited",
                    note="n",
                    created_at=at,
                    updated_at=at,
                )
            )
        refresh_community(session, ["KE0012"])
    await send_report(ana, "KE0021", "the twentieth")
    assert len(_updates(demo_db)) == 20
    replies = await ana.send("/report")
    assert "You have sent or changed 20 reports in the last hour" in replies[0].text
    assert "try again in 10 minutes" in replies[0].text
    assert len(_updates(demo_db)) == 20


async def test_long_note_refused_and_given_back(demo_bot: Driver, demo_db) -> None:
    ana = demo_bot.user("Ana")
    await ana.send("/report KE0012")
    await ana.press("🟠 Limited")
    long_note = "word <b>&amp; " * 200  # 2,800 characters
    replies = await ana.send(long_note)
    assert "limit is 2,000" in replies[0].text
    echoed = "".join(r.text for r in replies[1:])
    assert echoed == long_note.strip()
    assert "Step 3/5" not in replies[-1].text  # still on the note step
    replies = await ana.send("<script>alert(1)</script> & " + "x" * 1900)
    assert "Step 4/5" in replies[0].text
    await ana.press("Skip")
    assert "<script>alert(1)</script> &" in ana.last_reply.text


async def test_report_in_a_group_opens_the_private_chat(demo_bot: Driver) -> None:
    ana = demo_bot.user("Ana")
    group = demo_bot.group("WG", members=[ana])
    replies = await ana.send("/report KE0012", chat=group)
    [button] = replies[0].buttons[0]
    assert button.url == f"https://t.me/{demo_bot.server.username}?start=report_KE0012"
    card = (await ana.send("/status KE0012", chat=group))[0]
    assert card.button("Report progress").url.endswith("start=report_KE0012")
    replies = await ana.send("/start report_KE0012")
    assert "Step 2/5" in replies[0].text and "KE0012" in replies[0].text


async def test_idle_draft_expires_with_a_message(demo_bot: Driver, demo_db) -> None:
    ana = demo_bot.user("Ana")
    await ana.send("/report KE0012")
    demo_bot.clock.advance(hours=25)
    await demo_bot.run_jobs()
    assert "Your unfinished report on KE0012 expired after a day" in ana.last_reply.text
    replies = await ana.send("🟠")  # whatever they do next, the report is closed
    with demo_db.session() as session:
        assert session.get(ReportDraft, ana.id) is None
    assert replies


async def test_stored_community_status_matches_the_reports(demo_bot: Driver, demo_db) -> None:
    """The status kept on each commitment equals what its reports say, after every change."""
    from storage.commitments import community_statuses, compute_community_statuses
    from storage.models import Commitment

    lead, ana = demo_bot.user("Leo"), demo_bot.user("Ana")
    await lead.send("/start")
    make_lead(demo_db, lead.id, "KEN")

    def assert_consistent() -> None:
        with demo_db.session() as session:
            commitments = list(session.exec(select(Commitment)))
            ids = [c.id for c in commitments]
            assert community_statuses(commitments) == compute_community_statuses(session, ids)

    await send_report(ana, "KE0012", "first")
    assert_consistent()
    await send_report(ana, "KE0012", "second")
    first_notice, second_notice = lead.messages[-2:]
    await lead.press("✅ Verify", message=first_notice)
    assert_consistent()
    await lead.press("❌ Reject", message=second_notice)
    await lead.send("not convincing")
    assert_consistent()
    await ana.send("/myreports")
    await ana.press("Withdraw #2")
    await ana.press("Yes, withdraw")
    assert_consistent()
    await ana.send("/myreports")
    card = (await ana.send("/status KE0012"))[0].text
    assert "Community status: 🟠 Limited ·" in card  # the verified first report
