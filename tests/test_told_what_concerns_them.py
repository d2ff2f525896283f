"""People are told what concerns them: who broadcast to them, why a report was
rejected, and who already decided on a report they were asked to verify.
Each in English and in Spanish (a reader's own language)."""

from __future__ import annotations

import pytest

from bot.emulator import Driver
from bot.i18n import translation
from tests.conftest import ADMIN_ID, make_lead, send_report

LANGUAGES = ["en", "es"]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_other_reviewers_notices_lose_their_buttons_and_say_who_acted(
    demo_bot: Driver, demo_db, language: str
) -> None:
    _ = translation(language).gettext
    admin = demo_bot.user("Ada", user_id=ADMIN_ID, language_code=language)
    leo = demo_bot.user("Leo")
    ana = demo_bot.user("Ana")
    for user in (admin, leo, ana):
        await user.send("/start")
    make_lead(demo_db, leo.id, "KEN")
    await send_report(ana, "KE0012", "Bill tabled")
    admins_notice, leos_notice = admin.last_reply, leo.last_reply
    assert admins_notice.button_texts == ["✅ " + _("Verify"), "❌ " + _("Reject")]

    await leo.press("✅ Verify", message=leos_notice)
    assert admins_notice.buttons == []
    assert _("✅ Verified by {who}").format(who="Leo") in admins_notice.text
    assert "Bill tabled" in admins_notice.text

    await send_report(ana, "KE0012", "Second reading passed")
    admins_notice, leos_notice = admin.last_reply, leo.last_reply
    await admin.press("❌ " + _("Reject"), message=admins_notice)
    await admin.send("No source given")
    assert leos_notice.buttons == []
    assert "❌ Rejected by Ada" in leos_notice.text
    assert "Reason: No source given" in leos_notice.text
    assert admins_notice.buttons == []
    assert _("❌ Rejected by {who}").format(who="Ada") in admins_notice.text


@pytest.mark.parametrize("language", LANGUAGES)
async def test_myreports_shows_why_a_report_was_rejected(
    demo_bot: Driver, demo_db, language: str
) -> None:
    _ = translation(language).gettext
    leo = demo_bot.user("Leo")
    ana = demo_bot.user("Ana", language_code=language)
    await leo.send("/start")
    await ana.send("/start")
    make_lead(demo_db, leo.id, "KEN")
    await send_report(ana, "KE0012", "Bill tabled", language=language)
    await leo.press("❌ Reject", message=leo.last_reply)
    await leo.send("The bill was withdrawn in May")
    mine = (await ana.send("/myreports"))[0].text
    assert _("Reason: {reason}").format(reason="The bill was withdrawn in May") in mine


@pytest.mark.parametrize(
    ("language", "header"),
    [
        ("en", "📣 From Ada, to the followers of Kenya"),
        ("es", "📣 De Ada, para quienes siguen Kenia"),
    ],
)
async def test_a_broadcast_says_who_sent_it_and_to_whom(
    demo_bot: Driver, language: str, header: str
) -> None:
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    reader = demo_bot.user("Rosa", language_code=language)
    await reader.send("/subscribe Kenya")
    await admin.send("/broadcast")
    await admin.press("Followers of Kenya · 1")
    await admin.send("Public hearing <tomorrow> & after")
    preview = admin.last_reply
    written = "Public hearing <tomorrow> & after"
    assert preview.text == f"📣 From Ada, to the followers of Kenya\n\n{written}"
    await admin.press("Send", message=preview)
    await demo_bot.run_jobs()
    assert reader.last_reply.text == f"{header}\n\n{written}"


async def test_a_digest_broadcast_is_previewed_before_it_goes(demo_bot: Driver) -> None:
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    reader = demo_bot.user("Rosa")
    await reader.send("/subscribe Kenya")
    await admin.send("/broadcast")
    await admin.press("Followers of Kenya · 1")
    shown = await admin.press("Send the country digest")
    assert shown.replies[-2].text == "Preview · this will reach 1 chat (Followers of Kenya):"
    preview = shown.replies[-1]
    assert preview.text.startswith("📣 From Ada, to the followers of Kenya\n")
    assert "Digest for Kenya" in preview.text
    assert preview.button_texts == ["Send", "Cancel"]
    await demo_bot.run_jobs()
    assert not any(m.text.startswith("📣") for m in reader.messages)  # nothing sent yet
    await admin.press("Cancel", message=preview)
    await demo_bot.run_jobs()
    assert not any(m.text.startswith("📣") for m in reader.messages)
