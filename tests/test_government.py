"""Government points of contact (issue #12 point 4), end to end through the emulator:
granted per country by admins, their reports the government's word beside civil
society's verified view, told of verified reports, and a right of reply, once."""

from __future__ import annotations

import csv
import io

from sqlmodel import col, select

from bot.emulator import Driver, UserHandle
from bot.i18n import translation
from storage.models import AuditLog
from tests.conftest import ADMIN_ID, make_lead, send_report


def _audit(db, action: str) -> list[tuple[int | None, bool, str]]:
    with db.session() as session:
        rows = session.exec(
            select(AuditLog).where(AuditLog.action == action).order_by(col(AuditLog.id))
        ).all()
    return [(e.actor_id, e.allowed, e.detail) for e in rows]


async def _report(
    user: UserHandle, commitment: str, status: str, note: str, *, language: str = "en"
):
    """The /report walk with a chosen status; what Send answered."""
    _ = translation(language).gettext
    ask = (await user.send(f"/report {commitment}"))[0]
    await user.press(next(t for t in ask.button_texts if _(status) in t), message=ask)
    evidence = (await user.send(note))[0]
    preview = (await user.press(_("Skip"), message=evidence)).replies[0]
    return await user.press(_("Send"), message=preview)


async def _people(demo_bot: Driver, demo_db, *, language: str = "en"):
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    gov = demo_bot.user("Grace", username="grace_gov", language_code=language)
    lead, ana = demo_bot.user("Leo"), demo_bot.user("Ana")
    for user in (admin, gov, lead, ana):
        await user.send("/start")
    make_lead(demo_db, lead.id, "KEN")
    return admin, gov, lead, ana


async def test_grant_and_revoke_government_audited_and_shown_by_whoami(
    demo_bot: Driver, demo_db
) -> None:
    admin, gov, _lead, ana = await _people(demo_bot, demo_db)
    said = (await admin.send("/grant @grace_gov government Kenya"))[0].text
    assert "Grace is now a government point of contact for Kenya." in said
    assert "I told them what they can do now." in said
    await demo_bot.run_jobs()
    assert "You are now a government point of contact for Kenya." in gov.last_reply.text
    mine = (await gov.send("/whoami"))[0].text
    assert "You are a government point of contact for Kenya." in mine
    assert "You are a lead" not in mine
    # A government contact is no lead: no verification queue, no broadcast.
    assert "/pending" not in (await gov.send("/help"))[0].text
    assert "Kenya" not in (await gov.send("/pending"))[0].text

    # Not an admin: refused, and the refusal is audited.
    refused = (await ana.send("/grant @grace_gov government Ghana"))[0].text
    assert "Only the bot's admins may do this" in refused

    again = (await admin.send("/grant @grace_gov government kenya"))[0].text
    assert "Grace was already a government point of contact for Kenya." in again
    gone = (await admin.send("/revoke @grace_gov government Kenya"))[0].text
    assert "Grace no longer speaks for the government of Kenya." in gone
    await demo_bot.run_jobs()
    assert "You no longer speak for the government of Kenya." in gov.last_reply.text
    assert "government point of contact" not in (await gov.send("/whoami"))[0].text

    # "/revoke … all" takes a government contact's role too, and says which it was.
    await admin.send("/grant @grace_gov government Kenya")
    await admin.send("/grant @grace_gov Ghana")
    gone = (await admin.send("/revoke @grace_gov all"))[0].text
    assert "Grace is no longer a lead of Ghana." in gone
    assert "Grace no longer speaks for the government of Kenya." in gone
    await demo_bot.run_jobs()
    told = gov.last_reply.text
    assert "You are no longer a lead of Ghana." in told
    assert "You no longer speak for the government of Kenya." in told

    grants = _audit(demo_db, "role.grant")
    assert (ADMIN_ID, True, "+government:Kenya") in grants
    assert any(actor == ana.id and not allowed for actor, allowed, _d in grants)
    assert (ADMIN_ID, True, "-government:Kenya") in _audit(demo_db, "role.revoke")
    audit_page = (await admin.send("/audit"))[0].text
    assert "role.revoke" in audit_page and "role.grant" in audit_page


async def test_government_report_beside_verified_civil_society_and_right_of_reply(
    demo_bot: Driver, demo_db
) -> None:
    admin, gov, lead, ana = await _people(demo_bot, demo_db)
    await admin.send("/grant @grace_gov government Kenya")
    await demo_bot.run_jobs()

    # Civil society reports Limited; a lead verifies it.
    await send_report(ana, "KE0012", "Bill stuck in committee")
    notice = lead.last_reply
    await lead.press("✅ Verify", message=notice)
    await demo_bot.run_jobs()
    told = gov.last_reply
    assert "Civil society's report on KE0012, verified by a lead" in told.text
    assert "Bill stuck in committee" in told.text
    assert told.button_texts == ["Reply"]

    # The government reports Complete: its word, not for the leads' queue.
    ask = (await gov.send("/report KE0012"))[0]
    await gov.press("🟢 Complete", message=ask)
    evidence = (await gov.send("The law was passed on 3 May"))[0]
    preview = (await gov.press("Skip", message=evidence)).replies[0]
    assert "You speak for the government" in preview.text
    assert preview.button_texts == ["Send", "Edit", "Cancel"]  # the government's word is signed
    await gov.press("Send", message=preview)
    assert "published as the government's word" in gov.last_reply.text
    pending = (await lead.send("/pending"))[0].text
    assert "The law was passed" not in pending
    assert (gov.id, True, "") in _audit(demo_db, "report.government")
    card = (await ana.send("/status KE0012"))[0].text
    assert "Government: Complete · Civil society: Limited" in card
    assert "Community status: 🟠 Limited" in card  # the government does not change it
    assert "🏛 Government (Grace): The law was passed on 3 May" in card

    # Someone else may not reply, even with the button's data.
    report_id = int(told.buttons[0][0].callback_data.split(":")[1])
    refused = await ana.press_data(f"gr:{report_id}")
    assert "Only the government's points of contact" in refused.answer_text
    assert (ana.id, False, "not a government contact of KEN") in _audit(demo_db, "report.reply")

    # The right of reply: once.
    await gov.press("Reply", message=told)
    assert "Write the government's reply" in gov.last_reply.text
    await gov.send("The committee met on 2 May <and> approved it")
    assert "Your reply is saved" in gov.last_reply.text
    second = await gov.press("Reply", message=told)
    assert "already replied to this report" in second.answer_text
    assert (gov.id, True, "") in _audit(demo_db, "report.reply")

    card = (await ana.send("/status KE0012"))[0].text
    assert "Government reply: The committee met on 2 May <and> approved it" in card
    history = (await ana.send("/history KE0012"))[0].text
    assert "Government reply: The committee met on 2 May" in history
    assert "🏛 Government (Grace)" in history and "Limited (verified)" in history

    # Revoked: the old button is refused, the right checked again on the press.
    await admin.send("/revoke @grace_gov government Kenya")
    await send_report(ana, "KE0021", "Another one")
    await lead.press("✅ Verify", message=lead.last_reply)
    await demo_bot.run_jobs()
    assert "KE0021" not in gov.last_reply.text


async def test_government_in_spanish(demo_bot: Driver, demo_db) -> None:
    admin, gov, lead, ana = await _people(demo_bot, demo_db, language="es")
    await admin.send("/grant @grace_gov government Kenya")
    await demo_bot.run_jobs()
    assert "punto de contacto del gobierno para Kenia" in gov.last_reply.text
    await send_report(ana, "KE0012", "Bill stuck in committee")
    await lead.press("✅ Verify", message=lead.last_reply)
    await demo_bot.run_jobs()
    told = gov.last_reply
    assert told.button_texts == ["Responder"]
    await _report(gov, "KE0012", "Complete", "Ley aprobada", language="es")
    assert "palabra del gobierno" in gov.last_reply.text
    card = (await gov.send("/status KE0012"))[0].text
    assert "Gobierno: Completo · Sociedad civil: Limitado" in card
    await gov.press("Responder", message=told)
    await gov.send("Respuesta oficial")
    assert "Tu respuesta está guardada" in gov.last_reply.text
    again = await gov.press("Responder", message=told)
    assert "ya respondió a este informe" in again.answer_text
    card = (await gov.send("/status KE0012"))[0].text
    assert "Respuesta del gobierno: Respuesta oficial" in card


def _rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


async def test_government_word_in_digest_export_and_chart(demo_bot: Driver, demo_db) -> None:
    admin, gov, lead, ana = await _people(demo_bot, demo_db)
    await admin.send("/grant @grace_gov government Kenya")
    await send_report(ana, "KE0012", "Bill stuck in committee")
    await lead.press("✅ Verify", message=lead.last_reply)
    await demo_bot.run_jobs()
    told = gov.last_reply
    await _report(gov, "KE0012", "Complete", "The law was passed on 3 May")
    await gov.press("Reply", message=told)
    await gov.send("Passed, see the gazette")

    await ana.send("/subscribe Kenya")
    digest = "\n".join(m.text for m in await ana.send("/digest"))
    assert "KE0012 Complete — 🏛 Government: The law was passed on 3 May" in digest
    assert "KE0012 Limited — Ana: Bill stuck in committee" in digest

    _commitments, reports = await ana.send("/export Kenya")
    rows = {r["Note"]: r for r in _rows(reports.document.content)}
    assert rows["The law was passed on 3 May"]["Source"] == "government"
    assert rows["The law was passed on 3 May"]["Verification"] == "stated"
    assert rows["Bill stuck in committee"]["Source"] == "community"
    assert rows["Bill stuck in committee"]["Government Reply"] == "Passed, see the gazette"

    chart = (await ana.send("/chart Kenya"))[0]
    assert chart.photo is not None
    assert "The government's own word (not verified), on 1 of them: Complete 1." in chart.caption
