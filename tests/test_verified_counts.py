"""Counts that say what they count: the community status comes from verified reports
only, pending reports are shown apart and marked unverified, rejected ones count
nowhere, and /following and /stats count over the same window, stated in the text."""

from __future__ import annotations

from datetime import timedelta

from alembic import command

from bot.emulator import Driver
from storage.db import alembic_config
from storage.models import Commitment, Report
from tests.conftest import make_lead, send_report, start_bot


async def test_only_verified_reports_count_and_pending_ones_are_shown_apart(
    demo_bot: Driver, demo_db
) -> None:
    lead, ana = demo_bot.user("Leo"), demo_bot.user("Ana")
    await lead.send("/start")
    make_lead(demo_db, lead.id, "KEN")
    await send_report(ana, "KE0012", "bill tabled, I was there")
    await send_report(ana, "KE0021", "no source at all")
    await send_report(ana, "KE0027", "heard it is under way")  # nobody verifies it
    verify, reject, _waiting = lead.messages[-3:]
    await lead.press("✅ Verify", message=verify)
    await lead.press("❌ Reject", message=reject)
    await lead.send("No source")

    stats = (await ana.send("/stats Kenya"))[0].text
    assert "Commitments with a verified report in the last 90 days: 1 (12%)" in stats
    assert "Commitments with only unverified reports in the last 90 days: 1 (not counted)" in stats
    community = stats.split("By community status (verified reports)")[1].split("By IRM")[0]
    assert [line.strip() for line in community.strip().splitlines()] == [
        "🟠 Limited: 1",
        "· not rated / not reported: 7",
    ]

    pending = (await ana.send("/status KE0027"))[0].text
    assert "Community status: no verified report yet" in pending
    assert "⏳ Unverified, waiting for a lead: 1 (not counted)" in pending
    assert "🟠 Limited (unverified) — Ana" in pending
    rejected = (await ana.send("/status KE0021"))[0].text
    assert "Community status: no reports yet" in rejected
    assert "Latest reports" not in rejected and "no source at all" not in rejected
    verified = (await ana.send("/status KE0012"))[0].text
    assert "Community status: 🟠 Limited · " in verified and "Unverified" not in verified

    await ana.send("/subscribe Kenya")
    following = (await ana.send("/following"))[0].text
    assert (
        "Kenya (KEN): 8 commitments; in the last 90 days 1 verified report, 1 unverified"
        in following
    )


async def test_stored_statuses_set_by_pending_reports_are_cleared_on_upgrade(
    demo_db, settings
) -> None:
    """A database written under the old rule (pending reports set the status) reads
    right after the upgrade: the data migration recomputes every stored status."""
    config = alembic_config(demo_db.engine)
    with demo_db.session() as session:
        at = session.get(Commitment, "KE0027").imported_at + timedelta(days=1)
        session.add(
            Report(commitment_id="KE0027", status="complete", note="claimed", created_at=at)
        )
    command.downgrade(config, "0011")  # the old rule: the pending report sets the status
    with demo_db.session() as session:
        assert session.get(Commitment, "KE0027").community_status == "complete"
    command.upgrade(config, "head")
    async with await start_bot(settings, demo_db) as driver:
        card = (await driver.user("Ana").send("/status KE0027"))[0].text
    assert "Community status: no verified report yet" in card
    assert "⏳ Unverified, waiting for a lead: 1 (not counted)" in card
