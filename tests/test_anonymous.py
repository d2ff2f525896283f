"""Reporting safely: a report sent anonymously names nobody but to the bot's admins."""

from __future__ import annotations

import csv
import io

from bot.emulator import Driver
from bot.i18n import translation
from storage.db import Database
from tests.conftest import ADMIN_ID, make_lead

NAME = "Wanjiru Kamau"
MEMBER = "a coalition member"


async def _report(user, *, anonymous_at_preview: bool, note: str = "Bill tabled") -> list:
    ask = (await user.send("/report KE0012"))[0]
    await user.press(next(t for t in ask.button_texts if "Limited" in t), message=ask)
    evidence = (await user.send(note))[0]
    preview = (await user.press("Skip", message=evidence)).replies[0]
    assert "only the bot's admins can see it was you" in preview.text  # the choice says so
    if anonymous_at_preview:
        preview = (await user.press("🕶 Send anonymously", message=preview)).replies[0]
    assert f"reported by {MEMBER}" in preview.text and NAME not in preview.text
    return (await user.press("Send", message=preview)).replies


async def test_an_anonymous_report_names_nobody_but_to_admins(
    demo_bot: Driver, demo_db: Database
) -> None:
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    lead = demo_bot.user("Leo")
    for person in (admin, lead):
        await person.send("/start")
    make_lead(demo_db, lead.id, "KEN")
    reporter = demo_bot.user(NAME)
    await reporter.send("/subscribe Kenya")
    await _report(reporter, anonymous_at_preview=True)

    lead_notice, admin_notice = lead.messages[-1].text, admin.messages[-1].text
    assert f"reported by {MEMBER}" in lead_notice and NAME not in lead_notice
    assert f"{MEMBER} (anonymous; only admins see this: {NAME})" in admin_notice
    pending_for_lead = (await lead.send("/pending"))[0].text
    assert MEMBER in pending_for_lead and NAME not in pending_for_lead
    assert NAME in (await admin.send("/pending"))[0].text

    # Verification and its outcome work as for any report.
    await lead.press("✅ Verify", message=lead.messages[-2])
    assert "verified" in reporter.messages[-1].text.lower()

    for command in ("/status KE0012", "/history KE0012"):
        text = (await lead.send(command))[0].text
        assert MEMBER in text and NAME not in text, command
    reports = (await admin.send("/export Kenya"))[1].document.content
    rows = list(csv.DictReader(io.StringIO(reports.decode("utf-8-sig"))))
    row = next(r for r in rows if r["Note"] == "Bill tabled")
    assert NAME not in reports.decode("utf-8-sig")
    assert str(reporter.id) not in reports.decode("utf-8-sig")
    assert "anonymous" in " ".join(row.values())

    await reporter.send("/digest")
    digest = reporter.messages[-1].text
    assert MEMBER in digest and NAME not in digest


async def test_settings_make_reports_anonymous_by_default_in_spanish(demo_bot: Driver) -> None:
    _ = translation("es").gettext
    ana = demo_bot.user("Ana", language_code="es")
    await ana.send("/start")
    settings = (await ana.send("/settings"))[0]
    assert _("Your reports: {how}").format(how=_("with your name")) in settings.text
    changed = await ana.press(_("Report anonymously"), message=settings)
    assert _("anonymous (only the bot's admins see it was you)") in changed.replies[0].text
    ask = (await ana.send("/report KE0012"))[0]
    await ana.press(next(t for t in ask.button_texts if _("Limited") in t), message=ask)
    evidence = (await ana.send("Proyecto presentado"))[0]
    preview = (await ana.press(_("Skip"), message=evidence)).replies[0]
    assert _("a coalition member") in preview.text and "Ana" not in preview.text
    assert _("👤 Send with my name") in preview.button_texts
