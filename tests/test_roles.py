"""Roles, working groups and the audit log, end to end, for each role."""

from __future__ import annotations

from sqlmodel import col, select

from bot.emulator import Driver
from storage.models import AuditLog, RoleGrant, WorkingGroup, WorkingGroupChat
from storage.people import ChatInfo, UserInfo, record_visit
from tests.conftest import ADMIN_ID


def _grants(db, member_id: int) -> list[tuple[str | None, int | None]]:
    with db.session() as session:
        rows = session.exec(
            select(RoleGrant).where(RoleGrant.member_id == member_id).order_by(col(RoleGrant.id))
        ).all()
    return [(g.country_code, g.working_group_id) for g in rows]


def _audit(db, action: str) -> list[tuple[int | None, bool]]:
    with db.session() as session:
        rows = session.exec(
            select(AuditLog).where(AuditLog.action == action).order_by(col(AuditLog.id))
        ).all()
    return [(e.actor_id, e.allowed) for e in rows]


async def _admin(driver: Driver):
    admin = driver.user("Ada", user_id=ADMIN_ID)
    await admin.send("/start")
    return admin


async def test_help_lists_only_what_each_role_may_do(demo_bot: Driver, demo_db) -> None:
    admin = await _admin(demo_bot)
    ana = demo_bot.user("Ana", username="ana_k")
    await ana.send("/start")
    member_help = (await ana.send("/help"))[0]
    for command in ("/groups", "/export", "/chart", "/forgetme"):
        assert command in member_help.text
    for command in ("/grant", "/revoke", "/newgroup", "/audit", "/linkgroup"):
        assert command not in member_help.text
    assert member_help.button_texts == ["All commands, explained"]
    await admin.send("/grant @ana_k Kenya")
    lead_help = (await ana.send("/help"))[0]
    assert lead_help.button_texts == ["All commands, explained", "Leads' commands"]
    lead_page = (await ana.press("Leads' commands", message=lead_help)).replies[0]
    assert "/linkgroup" in lead_page.text and "/grant" not in lead_page.text
    # The admins' page is no lead's, whatever a client sends.
    assert "expired" in (await ana.press_data("hl:admin", message=lead_page)).answer_text
    admin_help = (await admin.send("/help"))[0]
    assert "Admins' commands" in admin_help.button_texts
    admin_page = (await admin.press("Admins' commands", message=admin_help)).replies[0]
    for command in ("/grant", "/revoke", "/newgroup", "/audit"):
        assert command in admin_page.text


async def test_admin_grants_by_username_reply_and_id(demo_bot: Driver, demo_db) -> None:
    admin = await _admin(demo_bot)
    ana = demo_bot.user("Ana", username="ana_k")
    bob = demo_bot.user("Bob")
    cy = demo_bot.user("Cy")
    for user in (ana, bob, cy):
        await user.send("/start")

    replies = await admin.send("/grant @ANA_K Kenya, Ghana")
    assert "Ana is now a lead of Kenya, Ghana." in replies[0].text
    assert _grants(demo_db, ana.id) == [("KEN", None), ("GHA", None)]
    again = await admin.send("/grant @ana_k kenya")
    assert "Ana was already a lead of Kenya." in again[0].text
    assert _grants(demo_db, ana.id) == [("KEN", None), ("GHA", None)]

    group = demo_bot.group("Coalition", members=[admin, bob], admins=[admin])
    said = await bob.send("hello, I can help with Brazil", chat=group)
    replies = await admin.reply_to(said.message, "/grant Brazil", chat=group)
    assert "Bob is now a lead of Brazil." in replies[0].text
    assert _grants(demo_db, bob.id) == [("BRA", None)]

    replies = await admin.send(f"/grant {cy.id} Nigeria")
    assert "Cy is now a lead of Nigeria." in replies[0].text
    assert "Your role here: lead." in (await cy.send("/help"))[0].text
    assert [a for a, ok in _audit(demo_db, "role.grant") if ok] == [ADMIN_ID] * 4


async def test_grant_problems_are_explained(demo_bot: Driver, demo_db) -> None:
    admin = await _admin(demo_bot)
    ana = demo_bot.user("Ana", username="ana_k")
    await ana.send("/start")
    assert "Who should become a lead?" in (await admin.send("/grant"))[0].text  # by name
    assert "Make a member a lead" in (await admin.send("/grant @ana_k"))[0].text
    unknown = await admin.send("/grant @nobody_here Kenya")
    assert "I don't know that member" in unknown[0].text
    assert "I don't know that member" in (await admin.send("/grant 424242 Kenya"))[0].text
    nothing = await admin.send("/grant @ana_k Atlantis")
    assert "I found no OGP member or working group called Atlantis." in nothing[0].text
    assert "no such working group" in (await admin.send("/grant @ana_k group 99"))[0].text
    assert _grants(demo_db, ana.id) == []


async def test_members_and_leads_may_not_grant_and_are_audited(demo_bot: Driver, demo_db) -> None:
    admin = await _admin(demo_bot)
    ana = demo_bot.user("Ana", username="ana_k")
    leo = demo_bot.user("Leo", username="leo_l")
    await ana.send("/start")
    await leo.send("/start")
    await admin.send("/grant @leo_l Kenya")
    refused = await ana.send("/grant @ana_k Kenya")
    assert "Only the bot's admins may do this" in refused[0].text
    refused = await leo.send("/grant @ana_k Kenya")
    assert "Only the bot's admins may do this" in refused[0].text
    refused = await leo.send("/revoke @leo_l all")
    assert "Only the bot's admins" in refused[0].text
    refused = await ana.send("/newgroup Mine: Kenya")
    assert "Only the bot's admins" in refused[0].text
    assert _grants(demo_db, ana.id) == []
    assert _grants(demo_db, leo.id) == [("KEN", None)]
    assert _audit(demo_db, "role.grant") == [(ADMIN_ID, True), (ana.id, False), (leo.id, False)]
    assert _audit(demo_db, "role.revoke") == [(leo.id, False)]
    assert _audit(demo_db, "group.create") == [(ana.id, False)]


async def test_revoke_countries_group_and_all(demo_bot: Driver, demo_db) -> None:
    admin = await _admin(demo_bot)
    ana = demo_bot.user("Ana", username="ana_k")
    await ana.send("/start")
    await admin.send("/newgroup Anti-Corruption WG: Kenya, Ghana")
    await admin.send("/grant @ana_k Kenya Brazil")
    await admin.send("/grant @ana_k group Anti-Corruption WG")
    assert len(_grants(demo_db, ana.id)) == 3
    replies = await admin.send("/revoke @ana_k Brazil")
    assert "Ana is no longer a lead of Brazil." in replies[0].text
    replies = await admin.send("/revoke @ana_k Brazil")
    assert "Ana was not a lead of Brazil." in replies[0].text
    replies = await admin.send("/revoke @ana_k all")
    assert "no longer a lead of Kenya, Anti-Corruption WG" in replies[0].text
    assert _grants(demo_db, ana.id) == []
    assert "Your role here: member." in (await ana.send("/help"))[0].text


async def test_working_groups_listed_and_linked(demo_bot: Driver, demo_db) -> None:
    admin = await _admin(demo_bot)
    leo = demo_bot.user("Leo", username="leo_l")
    ana = demo_bot.user("Ana")
    other = demo_bot.user("Ola", username="ola_o")
    for user in (leo, ana, other):
        await user.send("/start")
    assert "There are no working groups yet." in (await ana.send("/groups"))[0].text

    usage = await admin.send("/newgroup")
    assert "Create a working group" in usage[0].text
    bad = await admin.send("/newgroup X: Kenya, Atlantis")
    assert "Atlantis" in bad[0].text and "Nothing was saved" in bad[0].text
    created = await admin.send("/newgroup Anti-Corruption <WG>: Kenya, ghana, beneficial ownership")
    assert "Working group created:" in created[0].text
    assert "Countries: Kenya, Ghana" in created[0].text
    assert "Policy areas: Beneficial Ownership" in created[0].text
    with demo_db.session() as session:
        group = session.exec(select(WorkingGroup)).one()
    assert group.countries == ["KEN", "GHA"] and group.policy_areas == ["Beneficial Ownership"]
    updated = await admin.send("/newgroup anti-corruption <wg>: Kenya, Ghana, Nigeria")
    assert "Working group updated:" in updated[0].text

    await admin.send("/grant @leo_l group 1")
    await admin.send("/newgroup Other WG: Brazil")
    await admin.send("/grant @ola_o group Other WG")
    # Working-group leads lead the group's countries.
    visitor = record_visit(
        demo_db, ChatInfo(leo.id, "private"), UserInfo(leo.id, "Leo", "leo_l"), admins=[]
    )
    assert visitor.lead_groups == {group.id}
    assert visitor.lead_countries == {"KEN", "GHA", "NGA"}

    chat = demo_bot.group("AC WG chat", members=[leo, ana, other, admin])
    hint = await leo.send("/linkgroup")
    assert "Send /linkgroup in the working group's Telegram group" in hint[0].text
    refused = await ana.send("/linkgroup", chat=chat)
    assert "Only the working group's leads" in refused[0].text
    refused = await other.send("/linkgroup Anti-Corruption <WG>", chat=chat)
    assert "Only the working group's leads" in refused[0].text
    linked = await leo.send("/linkgroup", chat=chat)
    assert "This chat is now linked to Anti-Corruption <WG>." in linked[0].text
    again = await leo.send("/linkgroup 1", chat=chat)
    assert "already linked" in again[0].text
    asked = await admin.send("/linkgroup", chat=chat)
    assert "Which working group?" in asked[0].text
    with demo_db.session() as session:
        links = session.exec(select(WorkingGroupChat)).all()
    assert [(link.working_group_id, link.chat_id) for link in links] == [(group.id, chat.id)]
    assert _audit(demo_db, "group.link") == [(ana.id, False), (other.id, False), (leo.id, True)]

    listing = (await ana.send("/groups"))[0]
    assert "1. Anti-Corruption <WG>" in listing.text
    assert "Countries: Kenya, Ghana, Nigeria" in listing.text
    assert "Leads: Leo" in listing.text and "Chats: AC WG chat" in listing.text
    assert "2. Other WG" in listing.text and "Leads: Ola" in listing.text


async def test_unlinkgroup_takes_the_link_away(demo_bot: Driver, demo_db) -> None:
    """Leads of the working group (and admins) may unlink its chat; others are refused."""
    admin = await _admin(demo_bot)
    leo, ola = demo_bot.user("Leo", username="leo_l"), demo_bot.user("Ola", username="ola_o")
    ana = demo_bot.user("Ana")
    for user in (leo, ola, ana):
        await user.send("/start")
    await admin.send("/newgroup AC WG: Kenya")
    await admin.send("/newgroup Other WG: Ghana")
    await admin.send("/grant @leo_l group AC WG")
    await admin.send("/grant @ola_o group Other WG")
    chat = demo_bot.group("AC chat", members=[leo, ola, ana, admin])
    assert "now linked" in (await leo.send("/linkgroup", chat=chat))[0].text

    assert "not here" in (await leo.send("/unlinkgroup"))[0].text
    refused = await ana.send("/unlinkgroup AC WG", chat=chat)
    assert "may unlink a chat" in refused[0].text
    refused = await ola.send("/unlinkgroup AC WG", chat=chat)
    assert "may unlink a chat" in refused[0].text
    nothing = await ola.send("/unlinkgroup", chat=chat)
    assert "not linked to a working group you lead" in nothing[0].text
    done = await leo.send("/unlinkgroup", chat=chat)
    assert "no longer linked to <b>AC WG</b>" in done[0].html
    again = await leo.send("/unlinkgroup AC WG", chat=chat)
    assert "This chat is not linked to AC WG." in again[0].text
    with demo_db.session() as session:
        assert session.exec(select(WorkingGroupChat)).all() == []
    assert _audit(demo_db, "group.unlink") == [(ana.id, False), (ola.id, False), (leo.id, True)]
    listing = (await ana.send("/groups"))[0].text
    assert "Chats: none" in listing.split("2. Other WG")[0]


async def test_audit_for_admins_only_paged_and_escaped(demo_bot: Driver, demo_db) -> None:
    admin = await _admin(demo_bot)
    mallory = demo_bot.user("<b>Mal & Co</b>", username="mal_m")
    await mallory.send("/start")
    for _ in range(12):
        await mallory.send("/grant @mal_m <i>Kenya</i> & co")
    refused = await mallory.send("/audit")
    assert "Only the bot's admins" in refused[0].text
    assert _audit(demo_db, "audit.view") == [(mallory.id, False)]

    log = (await admin.send("/audit"))[0]
    assert "Audit log (1/2, newest first)" in log.text
    assert "audit.view" in log.text and "role.grant" in log.text
    assert "<b>Mal & Co</b>" in log.text  # shown literally, escaped
    assert "not an admin: <i>Kenya</i> & co" in log.text
    assert len(log.text) <= 4096
    assert log.button_texts == ["‹ Older"]
    await admin.press("‹ Older")
    assert "(2/2" in log.text and log.button_texts == ["Newer ›"]
    # A member forging the paging button is refused, and that is logged too.
    answer = await mallory.press_data("au:0")
    assert answer.show_alert and "Only the bot's admins" in answer.answer_text
    assert _audit(demo_db, "audit.view") == [
        (mallory.id, False),
        (ADMIN_ID, True),
        (mallory.id, False),
    ]
