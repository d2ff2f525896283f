"""/forgetme: personal data deleted after confirmation, reports kept and anonymised."""

from __future__ import annotations

from sqlmodel import select

from bot.emulator import Driver
from storage.models import (
    AuditLog,
    Chat,
    ConversationState,
    Member,
    ProgressUpdate,
    ReportDraft,
    RoleGrant,
    Subscription,
    UpdateRevision,
)
from tests.conftest import ADMIN_ID, send_report


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
    assert "your personal data is deleted and 1 of your reports are now anonymous" in done.text
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
        [update] = session.exec(select(ProgressUpdate)).all()
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
