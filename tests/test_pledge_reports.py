"""Reports on Summit pledges (#12 point 2): /report on a pledge id or from its card,
a lead of the pledge's country verifies it from /pending, and the pledge's card and
the digests of chats following the country then show it; in English and Spanish."""

from __future__ import annotations

import pytest

from bot.emulator import Driver
from storage.db import Database
from storage.summit import import_pledges, shipped_pledges_path
from tests.conftest import ADMIN_ID, make_lead


@pytest.fixture
def pledged_db(demo_db: Database) -> Database:
    import_pledges(demo_db, shipped_pledges_path())
    return demo_db


async def test_a_member_reports_on_a_pledge_a_kenya_lead_verifies_it_and_it_shows(
    demo_bot: Driver, pledged_db: Database
) -> None:
    ann, leo, mal = demo_bot.user("Ann"), demo_bot.user("Leo"), demo_bot.user("Mal")
    follower = demo_bot.user("Fay")
    for person in (leo, mal):
        await person.send("/start")
    make_lead(pledged_db, leo.id, "KEN")
    make_lead(pledged_db, mal.id, "NGA")  # a lead, but of another country
    await follower.send("/subscribe Kenya")
    await follower.send("/digest")  # the window starts now

    # Status, note, evidence link, preview, send: the commitments' conversation.
    ask = (await ann.send("/report acs2016 ken 1"))[0]
    assert ask.text.startswith("ACS2016-KEN-01 · ")
    await ann.press("🟠 Limited", message=ask)
    await ann.send("Registry open, but <b>not</b> public yet")
    added = (await ann.send("See https://example.org/ke-bo-registry"))[0]
    assert "Attached (1)" in added.text
    preview = (await ann.press("Done", message=added)).replies[0]
    assert "ACS2016-KEN-01" in preview.text and "&lt;b&gt;not&lt;/b&gt;" not in preview.text
    assert "Registry open, but <b>not</b> public yet" in preview.text  # shown literally
    replies = (await ann.press("Send", message=preview)).replies
    sent = [reply for reply in replies if reply.chat_id == ann.id][-1]
    assert "Your report on ACS2016-KEN-01 is saved and waits for a lead" in sent.text
    assert sent.button_texts == ["View pledge"]

    # Kenya's lead is asked, through the outbox (sent at once, or by the next drain);
    # the other country's lead is not.
    asked = [reply for reply in replies if reply.chat_id != ann.id] + await demo_bot.run_jobs()
    assert [r.chat_id for r in asked] == [leo.id]
    assert "A new report needs verifying" in asked[0].text and "Ann" in asked[0].text
    assert asked[0].button_texts == ["✅ Verify", "❌ Reject"]

    # Not verified yet: the card says so.
    card = (await ann.send("ACS2016-KEN-01"))[0]
    assert "No verified report on this pledge yet." in card.text

    # A lead of another country neither sees it nor may verify it (audited).
    mal_queue = "\n".join(r.text for r in await mal.send("/pending"))
    assert "ACS2016-KEN-01" not in mal_queue
    # The Kenya lead sees it in its own, labelled section.
    queue = (await leo.send("/pending"))[-1]
    assert "Summit pledge reports waiting for verification" in queue.text
    assert "ACS2016-KEN-01" in queue.text and "reported by Ann" in queue.text
    assert "example.org/ke-bo-registry" in queue.text
    verify = next(t for t in queue.button_texts if t.startswith("✅"))
    refused = await mal.press_data(queue.button(verify).callback_data, message=queue)
    assert refused.show_alert and "Only leads of the pledge's country" in refused.answer_text
    # Nor may a member, its author (audited too).
    own = await ann.press_data(queue.button(verify).callback_data, message=queue)
    assert own.show_alert
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    log = (await admin.send("/audit"))[0].text
    assert "Mal (" in log and "Ann (" in log and log.count("not a lead of KEN") == 2
    assert "pledge_report.verify" in log

    done = (await leo.press(verify, message=queue)).replies[0]
    assert "Verified: report" in done.text and "ACS2016-KEN-01" in done.text
    again = (await leo.send("/pending"))[-1].text
    assert "Summit pledge reports" not in again
    # Ann is told, through the outbox, once.
    told = [r for r in await demo_bot.run_jobs() if r.chat_id == ann.id]
    assert [r.text for r in told] == ["✅ Your report on ACS2016-KEN-01 was verified. Thank you!"]
    assert told[0].button_texts == ["View pledge"]

    # The card now shows it, with its status, date and reporter.
    card = (await ann.send("ACS2016-KEN-01"))[0]
    assert "Reports" in card.text
    assert "🟠 Limited (verified) — Ann: Registry open" in card.text
    assert "Report progress" in card.button_texts

    # A chat following Kenya hears of it in its digest; one following Nigeria does not.
    digest = "\n".join(r.text for r in await follower.send("/digest"))
    assert "New verified reports on 2016 Summit pledges:" in digest
    assert "ACS2016-KEN-01 🟠 Limited — Ann: Registry open" in digest
    nia = demo_bot.user("Nia")
    await nia.send("/subscribe Nigeria")
    assert "ACS2016-KEN-01" not in "\n".join(r.text for r in await nia.send("/digest"))


async def test_report_from_the_pledge_card_anonymously_in_spanish(
    demo_bot: Driver, pledged_db: Database
) -> None:
    ana = demo_bot.user("Ana", language_code="es")
    lead = demo_bot.user("Leo", language_code="es")
    await lead.send("/start")
    make_lead(pledged_db, lead.id, "KEN")
    card = (await ana.send("/summit ACS2016-KEN-01"))[0]
    assert "Ningún informe verificado sobre este compromiso todavía." in card.text
    ask = (await ana.press("Reportar avance", message=card)).replies[0]
    assert ask.text.startswith("ACS2016-KEN-01 · ")
    await ana.press("🟡 Sustancial", message=ask)
    evidence = (await ana.send("Ley aprobada"))[0]
    preview = (await ana.press("Omitir", message=evidence)).replies[0]
    anonymous = next(t for t in preview.button_texts if "anónim" in t.lower())
    preview = (await ana.press(anonymous, message=preview)).replies[0]
    sent = (await ana.press("Enviar", message=preview)).replies[-1]
    assert "ACS2016-KEN-01" in sent.text

    queue = (await lead.send("/pending"))[-1]
    assert "Informes sobre compromisos de la Cumbre" in queue.text
    assert "Ana" not in queue.text  # anonymous: leads see "a coalition member"
    verify = next(t for t in queue.button_texts if t.startswith("✅"))
    done = (await lead.press(verify, message=queue)).replies[0]
    assert "Verificado" in done.text
    told = [r.text for r in await demo_bot.run_jobs() if r.chat_id == ana.id]
    assert told == ["✅ Tu reporte sobre ACS2016-KEN-01 fue verificado. ¡Gracias!"]
    card = (await ana.send("ACS2016-KEN-01"))[0]
    assert "Informes" in card.text and "Sustancial" in card.text and "Ana" not in card.text


async def test_in_a_group_the_pledge_card_opens_the_private_chat_to_report(
    demo_bot: Driver, pledged_db: Database
) -> None:
    ann = demo_bot.user("Ann")
    group = demo_bot.group("Coalition", members=[ann])
    card = (await ann.send("/summit ACS2016-KEN-01", chat=group))[0]
    link = card.button("Report progress").url
    assert link.endswith("?start=report_ACS2016-KEN-01")
    ask = (await ann.send("/start report_ACS2016-KEN-01"))[0]
    assert ask.text.startswith("ACS2016-KEN-01 · ")


async def test_a_lead_does_not_verify_their_own_pledge_report_and_forgetme_keeps_it(
    demo_bot: Driver, pledged_db: Database
) -> None:
    leo, kim = demo_bot.user("Leo"), demo_bot.user("Kim")
    for person in (leo, kim):
        await person.send("/start")
    make_lead(pledged_db, leo.id, "KEN")
    make_lead(pledged_db, kim.id, "KEN")
    ask = (await leo.send("/report ACS2016-KEN-02"))[0]
    await leo.press("🟢 Complete", message=ask)
    evidence = (await leo.send("Done and published"))[0]
    preview = (await leo.press("Skip", message=evidence)).replies[0]
    await leo.press("Send", message=preview)

    assert "ACS2016-KEN-02" not in "\n".join(r.text for r in await leo.send("/pending"))
    queue = (await kim.send("/pending"))[-1]
    verify = next(t for t in queue.button_texts if t.startswith("✅"))
    refused = await leo.press_data(queue.button(verify).callback_data, message=queue)
    assert refused.show_alert  # someone else must look
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    assert "own report" in (await admin.send("/audit"))[0].text
    await kim.press(verify, message=queue)

    await leo.send("/forgetme")
    await leo.press("Yes, delete my data")
    assert "1 of your reports is now anonymous" in leo.last_reply.text
    card = (await kim.send("ACS2016-KEN-02"))[0].text
    assert "🟢 Complete (verified) — former member: Done and published" in card


async def test_a_pledge_id_typed_at_the_first_step_is_chosen(
    demo_bot: Driver, pledged_db: Database
) -> None:
    ann = demo_bot.user("Ann")
    await ann.send("/report")
    unknown = (await ann.send("ACS2016-KEN-99"))[0]
    assert "I know no commitment" in unknown.text and "ACS2016-KEN-99" in unknown.text
    ask = (await ann.send("acs2016 ken 3"))[0]
    assert ask.text.startswith("ACS2016-KEN-03 · ")
    assert "🟠 Limited" in ask.button_texts
