"""Authorization matrix: every privileged command and button, by everyone who may not.

Three people try each privileged action: a plain member, a lead of another
country (Ghana; the data concerns Kenya), and a non-admin member of a group
chat. Each attempt must be refused, leave an audit entry where the product
audits that action, and change no data (rows of every table that holds
decisions are compared before and after).

Leads may change any group chat's following and settings by design (README:
"groups: their admins, or leads"), so the lead of another country is not tried
on those group actions.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from sqlmodel import col, select

from bot.emulator import CallbackResult, Driver, Replies
from storage.db import Database
from storage.models import AuditLog, Report, RoleGrant, WorkingGroup
from storage.summit import import_pledges, shipped_pledges_path
from tests.conftest import ADMIN_ID, ROOT, send_report

# Tables whose rows are decisions: none of them may change on a refused attempt.
WATCHED = (
    "subscription",
    "role_grant",
    "progress_update",
    "update_revision",
    "evidence",
    "working_group",
    "working_group_chat",
    "outbox",
    "broadcast",
    "report_draft",
    "sent_reminder",
    "sent_plan_reminder",
    "pledge_link",
)
CHAT_SETTINGS = (
    "id",
    "language",
    "timezone",
    "state",
    "digest_frequency",
    "digest_weekday",
    "digest_hour",
    "digest_when_empty",
    "next_digest_at",
    "reminders",
    "reminder_days",
    "plan_reminders",
)


def _snapshot(db: Database) -> dict[str, list[tuple]]:
    with db.engine.connect() as conn:
        tables = {
            name: sorted(map(tuple, conn.exec_driver_sql(f"SELECT * FROM {name}").all()), key=repr)
            for name in WATCHED
        }
        columns = ", ".join(CHAT_SETTINGS)
        tables["chat settings"] = sorted(
            map(tuple, conn.exec_driver_sql(f"SELECT {columns} FROM chat").all())
        )
        tables["member ids"] = sorted(
            row[0] for row in conn.exec_driver_sql("SELECT id FROM member").all()
        )
    return tables


def _refusals(db: Database) -> list[tuple[int | None, str, bool]]:
    with db.session() as session:
        rows = session.exec(select(AuditLog).order_by(col(AuditLog.id))).all()
    return [(r.actor_id, r.action, r.allowed) for r in rows]


@dataclass
class World:
    bot: Driver
    db: Database
    admin: object
    lead: object  # lead of Kenya and of the working group
    ana: object  # reporter; administrator of the group chat
    actors: dict[str, object]
    group: object
    report_id: int


async def _world(bot: Driver, db: Database) -> World:
    admin = bot.user("Ada", user_id=ADMIN_ID, username="ada_admin")
    lead = bot.user("Leo", username="leo_l")
    ana = bot.user("Ana", username="ana_k")
    member = bot.user("Mal", username="mal_m")
    other_lead = bot.user("Gus", username="gus_g")
    nonadmin = bot.user("Bob", username="bob_b")
    for user in (admin, lead, ana, member, other_lead, nonadmin):
        await user.send("/start")
    await admin.send("/newgroup Kenya WG: Kenya")
    await admin.send("/grant @leo_l Kenya")
    await admin.send("/grant @leo_l group Kenya WG")
    await admin.send("/grant @gus_g Ghana")
    group = bot.group(
        "Kenya WG chat", members=[admin, lead, ana, member, other_lead, nonadmin], admins=[ana]
    )
    await ana.send("/subscribe Kenya", chat=group)
    await lead.send("/linkgroup", chat=group)
    await ana.send("/subscribe Kenya")
    # Summit pledges, one of Kenya's carried by KE0033.
    import_pledges(db, shipped_pledges_path())
    await admin.send("/embed ACS2016-KEN-01 KE0033")
    # A pending report on a Kenyan commitment, and its notice to the lead.
    await send_report(ana, note="Bill tabled")
    with db.session() as session:
        [report] = session.exec(select(Report)).all()
        assert session.exec(select(WorkingGroup)).one().id == 1
        assert len(session.exec(select(RoleGrant)).all()) == 3
    # Menus in the group, as its administrator opened them.
    await ana.send("/settings", chat=group)
    await ana.send("/subscribe", chat=group)
    await ana.press("Africa and the Middle East", chat=group)
    actors = {"member": member, "other_lead": other_lead, "group_nonadmin": nonadmin}
    return World(bot, db, admin, lead, ana, actors, group, report.id)


Outcome = Replies | CallbackResult
Action = Callable[[World, object], Awaitable[Outcome]]


def _press(data: str, *, in_group: bool = False) -> Action:
    async def action(world: World, actor) -> CallbackResult:
        if in_group:
            [message] = [m for m in world.group.messages if "Settings" in (m.text or "")][:1] or [
                world.group.last_message
            ]
            return await actor.press_data(data, message=message)
        if not actor.messages:
            await actor.send("/help")
        return await actor.press_data(data.format(report=world.report_id))

    return action


def _send(text: str, *, in_group: bool = False) -> Action:
    async def action(world: World, actor) -> Replies:
        return await actor.send(text, chat=world.group if in_group else None)

    return action


def _press_menu(label: str) -> Action:
    """Press a real button of a menu the group's administrator opened."""

    async def action(world: World, actor) -> CallbackResult:
        return await actor.press(label, chat=world.group)

    return action


def _press_report(data: str) -> Action:
    async def action(world: World, actor) -> CallbackResult:
        if not actor.messages:
            await actor.send("/help")
        return await actor.press_data(data.format(report=world.report_id))

    return action


ALL = ("member", "other_lead", "group_nonadmin")
NOT_LEADS = ("member", "group_nonadmin")


@dataclass(frozen=True)
class Case:
    name: str
    action: Action
    refusal: str  # a piece of the answer (message text or alert)
    audit: str | None  # the audit action written for the refusal, None: not audited
    actors: tuple[str, ...] = ALL


CASES = (
    # Review: verify, reject, the queue and its paging.
    Case(
        "verify rw:ok",
        _press_report("rw:ok:{report}"),
        "Only leads of this country",
        "report.verify",
    ),
    Case(
        "reject rw:no",
        _press_report("rw:no:{report}"),
        "Only leads of this country",
        "report.reject",
    ),
    Case("/pending", _send("/pending"), "/pending is for leads", None, NOT_LEADS),
    # Summit pledges: linking to commitments, by command and by button.
    Case("/embed", _send("/embed ACS2016-KEN-01 KE0012"), "Only leads of Kenya", "pledge.embed"),
    Case(
        "/unembed", _send("/unembed ACS2016-KEN-01 KE0033"), "Only leads of Kenya", "pledge.unembed"
    ),
    Case(
        "link pledge pe", _press("pe:ACS2016-KEN-01:KE0012"), "Only leads of Kenya", "pledge.embed"
    ),
    Case("suggest links ps", _press("ps:ACS2016-KEN-01"), "Only leads of Kenya", None),
    Case("pending paging pq", _press("pq:1"), "Only leads", None, NOT_LEADS),
    # Broadcast: the command and forged buttons outside its conversation.
    Case("/broadcast", _send("/broadcast"), "", None, NOT_LEADS),
    Case("broadcast audience ba", _press("ba:0"), "expired", None),
    Case("broadcast send bc", _press("bc:send"), "expired", None),
    Case("broadcast digest bc", _press("bc:digest"), "expired", None),
    # Admin commands and the audit log's paging.
    Case("/grant", _send("/grant @mal_m Kenya"), "Only the bot's admins", "role.grant"),
    Case("/grant by id", _send(f"/grant {ADMIN_ID} Kenya"), "Only the bot's admins", "role.grant"),
    Case("/revoke", _send("/revoke @leo_l all"), "Only the bot's admins", "role.revoke"),
    Case("/newgroup", _send("/newgroup Mine: Kenya"), "Only the bot's admins", "group.create"),
    Case(
        "/newgroup update",
        _send("/newgroup Kenya WG: Ghana"),
        "Only the bot's admins",
        "group.create",
    ),
    Case("/audit", _send("/audit"), "Only the bot's admins", "audit.view"),
    Case("audit paging au", _press("au:0"), "Only the bot's admins", "audit.view"),
    Case(
        "/linkgroup",
        _send("/linkgroup Kenya WG", in_group=True),
        "Only the working group's leads",
        "group.link",
    ),
    Case(
        "/unlinkgroup",
        _send("/unlinkgroup Kenya WG", in_group=True),
        "Only the working group's leads",
        "group.unlink",
    ),
    # What a group chat follows.
    Case(
        "group /subscribe",
        _send("/subscribe Ghana", in_group=True),
        "Only this group's administrators",
        "follow.change",
        NOT_LEADS,
    ),
    Case(
        "group /unsubscribe",
        _send("/unsubscribe Kenya", in_group=True),
        "Only this group's administrators",
        "follow.change",
        NOT_LEADS,
    ),
    Case(
        "group toggle ft",
        _press_menu("Kenya"),
        "Only group administrators",
        "follow.change",
        NOT_LEADS,
    ),
    Case(
        "group add fa",
        _press("fa:GHA", in_group=True),
        "Only group administrators",
        "follow.change",
        NOT_LEADS,
    ),
    Case(
        "group remove fu",
        _press("fu:KEN", in_group=True),
        "Only group administrators",
        "follow.change",
        NOT_LEADS,
    ),
    # A group chat's settings.
    Case(
        "group settings st:freq",
        _press("st:freq:daily", in_group=True),
        "administrators",
        None,
        NOT_LEADS,
    ),
    Case(
        "group settings st:hour",
        _press("st:hour:3", in_group=True),
        "administrators",
        None,
        NOT_LEADS,
    ),
    Case(
        "group settings st:lang",
        _press("st:lang:en", in_group=True),
        "administrators",
        None,
        NOT_LEADS,
    ),
    Case("group settings sz", _press("sz:0", in_group=True), "administrators", None, NOT_LEADS),
    Case(
        "group /timezone",
        _send("/timezone Africa/Nairobi", in_group=True),
        "administrators",
        None,
        NOT_LEADS,
    ),
    Case("group /stop", _send("/stop", in_group=True), "administrators", None, NOT_LEADS),
    # Someone else's report, and forgetting from a group.
    Case("withdraw another's report", _press_report("my:wdy:{report}"), "Only its author", None),
    Case("edit another's report", _press_report("my:edit:{report}"), "Only its author", None),
    Case("forget from a group", _press("fm:yes", in_group=True), "expired", None),
)


def _answer_text(outcome: Outcome) -> str:
    if isinstance(outcome, CallbackResult):
        assert outcome.answered, "a refused button must still be answered"
        texts = [outcome.answer_text or ""] + [m.text or "" for m in outcome.replies]
        return "\n".join(texts)
    assert outcome, "a refused command must still be answered"
    return "\n".join(m.text or "" for m in outcome)


MATRIX = [
    pytest.param(case, actor, id=f"{case.name}-{actor}") for case in CASES for actor in case.actors
]


@pytest.mark.parametrize(("case", "actor_name"), MATRIX)
async def test_privileged_action_is_refused(
    demo_bot: Driver, demo_db: Database, case: Case, actor_name: str
) -> None:
    world = await _world(demo_bot, demo_db)
    actor = world.actors[actor_name]
    before = _snapshot(demo_db)
    audit_before = _refusals(demo_db)

    outcome = await case.action(world, actor)

    text = _answer_text(outcome)
    if case.refusal:
        assert case.refusal.lower() in text.lower(), text
    else:
        assert text.strip()
    assert _snapshot(demo_db) == before, "a refused action changed data"
    new_entries = _refusals(demo_db)[len(audit_before) :]
    assert all(actor_id == actor.id and not allowed for actor_id, _a, allowed in new_entries), (
        new_entries
    )
    if case.audit is not None:
        assert (actor.id, case.audit, False) in new_entries, new_entries


async def test_lead_of_another_country_cannot_reach_kenyas_followers(
    demo_bot: Driver, demo_db: Database
) -> None:
    """Inside a real /broadcast, every audience index a Ghana lead may press is Ghana's."""
    world = await _world(demo_bot, demo_db)
    gus = world.actors["other_lead"]
    started = await gus.send("/broadcast")
    assert all("Kenya" not in label for label in started[0].button_texts)
    before = _snapshot(demo_db)
    for index in range(1, 6):  # past the offered list: an expired button, nothing queued
        answer = await gus.press_data(f"ba:{index}", message=started[0])
        assert answer.answered and "expired" in (answer.answer_text or "")
    assert _snapshot(demo_db) == before


async def test_matrix_covers_every_privileged_command() -> None:
    from bot.commands import COMMANDS
    from storage.models import Role

    privileged = {spec.name for spec in COMMANDS if spec.role in (Role.LEAD, Role.ADMIN)}
    tried = {case.name.split()[-1].lstrip("/") for case in CASES}
    tried |= {case.name.split()[0].lstrip("/") for case in CASES}
    assert privileged <= tried, privileged - tried


def test_audit_actions_named_here_exist_in_storage() -> None:
    """Guard against typos: every audit action the matrix expects is written somewhere."""
    source = "".join(p.read_text() for p in (ROOT / "storage").glob("*.py"))
    for case in CASES:
        if case.audit is not None:
            assert f'"{case.audit}"' in source, case.audit


# Refusals decided before any data is touched: /pending (storage.review.pending_queue),
# /broadcast (storage.permissions.may_start_broadcast) and a group's settings
# (storage.permissions.may_change). They must be audited like the rest.
EARLY_REFUSALS = {
    "/pending": "member",
    "pending paging pq": "member",
    "/broadcast": "member",
    "group settings st:freq": "group_nonadmin",
    "group settings sz": "group_nonadmin",
    "group /timezone": "group_nonadmin",
    "group /stop": "group_nonadmin",
}


@pytest.mark.parametrize(
    ("case", "actor_name"),
    [
        pytest.param(case, EARLY_REFUSALS[case.name], id=f"{case.name}-{EARLY_REFUSALS[case.name]}")
        for case in CASES
        if case.name in EARLY_REFUSALS
    ],
)
async def test_refusal_is_audited(
    demo_bot: Driver, demo_db: Database, case: Case, actor_name: str
) -> None:
    world = await _world(demo_bot, demo_db)
    actor = world.actors[actor_name]
    audit_before = _refusals(demo_db)
    await case.action(world, actor)
    new_entries = _refusals(demo_db)[len(audit_before) :]
    assert any(actor_id == actor.id and not allowed for actor_id, _a, allowed in new_entries)
