"""Granting by name, /whoami, and the member told what a grant or revoke changes for them."""

from __future__ import annotations

from sqlmodel import select

from bot import callbacks as cb
from bot.emulator import Driver
from storage.models import RoleGrant
from tests.conftest import ADMIN_ID


def _grants(db, member_id: int) -> list[str | None]:
    with db.session() as session:
        return [
            g.country_code
            for g in session.exec(select(RoleGrant).where(RoleGrant.member_id == member_id))
        ]


async def test_grant_with_part_of_a_name_lists_members_as_buttons(
    demo_bot: Driver, demo_db
) -> None:
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    wanjiru = demo_bot.user("Wanjiru", last_name="Kamau", username="wkamau")
    walter = demo_bot.user("Walter")
    for user in (admin, wanjiru, walter):
        await user.send("/start")

    everyone = (await admin.send("/grant"))[0]
    assert "Who should become a lead?" in everyone.text
    assert {"Wanjiru Kamau · @wkamau", "Walter", "Ada"} <= set(everyone.button_texts)
    assert all(len(b.callback_data.encode()) <= 64 for row in everyone.buttons for b in row)

    some = (await admin.send("/grant kamau"))[0]
    assert some.button_texts == ["Wanjiru Kamau · @wkamau"]
    asked = (await admin.press("Wanjiru Kamau · @wkamau", message=some)).replies[0]
    assert "What should Wanjiru Kamau · @wkamau lead?" in asked.text
    done = await admin.send("Kenya")
    assert "Wanjiru Kamau is now a lead of Kenya." in done[0].text
    assert _grants(demo_db, wanjiru.id) == ["KEN"]

    nobody = (await admin.send("/grant zebedee"))[0]
    assert "No member's name matches zebedee." in nobody.text
    assert nobody.buttons == []


async def test_member_buttons_recheck_rights_on_press(demo_bot: Driver, demo_db) -> None:
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    mallory = demo_bot.user("Mallory")
    for user in (admin, mallory):
        await user.send("/start")
    refused = (await mallory.send("/grant mall"))[0]
    assert "Only the bot's admins may do this." in refused.text
    assert refused.buttons == []
    # A forged button, as a modified client could send it: refused, nothing granted.
    forged = await mallory.press_data(cb.MEMBER_PICK.encode("grant", mallory.id))
    assert forged.show_alert and "Only the bot's admins" in forged.answer_text
    replies = await mallory.send("Kenya")
    assert all("is now a lead" not in (text or "") for text in replies.texts)
    assert _grants(demo_db, mallory.id) == []


async def test_whoami_shows_id_and_roles(demo_bot: Driver) -> None:
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    ana = demo_bot.user("Ana", username="ana_k")
    for user in (admin, ana):
        await user.send("/start")
    mine = (await ana.send("/whoami"))[0].text
    assert f"Your Telegram id: {ana.id}" in mine
    assert "You are a member" in mine
    await admin.send("/grant @ana_k Kenya")
    assert "You are a lead of Kenya." in (await ana.send("/whoami"))[0].text
    assert "You are an admin of this bot." in (await admin.send("/whoami"))[0].text
    assert "/whoami" in (await ana.send("/help"))[0].text


async def test_granted_and_revoked_member_is_told_what_they_can_do(demo_bot: Driver) -> None:
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    ana = demo_bot.user("Ana", username="ana_k")
    for user in (admin, ana):
        await user.send("/start")
    said = await admin.send("/grant @ana_k Kenya, Ghana")
    assert "I told them what they can do now." in said[0].text
    await demo_bot.run_jobs()
    told = ana.last_reply.text
    assert "You are now a lead of Kenya, Ghana." in told
    assert "/pending" in told and "/broadcast" in told

    await admin.send("/revoke @ana_k Ghana")
    await demo_bot.run_jobs()
    told = ana.last_reply.text
    assert "You are no longer a lead of Ghana." in told
    assert "You still lead Kenya." in told

    await admin.send("/revoke @ana_k all")
    await demo_bot.run_jobs()
    told = ana.last_reply.text
    assert "You are no longer a lead of Kenya." in told
    assert "You can still follow countries" in told and "/pending" not in told


async def test_role_notice_in_the_members_language(demo_bot: Driver) -> None:
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    lucia = demo_bot.user("Lucía", username="lucia_ar", language_code="es")
    for user in (admin, lucia):
        await user.send("/start")
    said = await admin.send("/grant @lucia_ar Kenya")
    assert "Lucía is now a lead of Kenya." in said[0].text  # the admin reads English
    await demo_bot.run_jobs()
    told = lucia.last_reply.text
    assert "Ahora eres responsable de Kenia." in told
    assert "Lo que puedes hacer ahora:" in told and "/pending" in told
    await admin.send("/revoke @lucia_ar Kenya")
    await demo_bot.run_jobs()
    assert "Ya no eres responsable de Kenia." in lucia.last_reply.text
