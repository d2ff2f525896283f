"""Flags that read OGP's cycle: a commitment of an ended plan is judged by the IRM's
end-of-term verdict, never "overdue"; digests and reminders stop asking about plans
long over. Ghana's demo commitments span five plans, two of them (2023-2027 and the
2021-2023 one) close to today, so they show every case."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from bot.emulator import Driver
from storage.commitments import refresh_community
from storage.db import Database
from storage.models import Report
from tests.conftest import make_settings, start_bot

JUNE_1_2026 = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)


async def test_ended_plans_show_the_irm_verdict_and_are_never_overdue(demo_bot: Driver) -> None:
    demo_bot.clock.set(JUNE_1_2026)
    ana = demo_bot.user("Ana")
    # Plan 2 of Ghana (2015-2017): the IRM rated it Substantial at the end of term.
    card = (await ana.send("/status GH0018"))[0].text
    assert "🏁 Plan ended; IRM end-of-term verdict: 🟡 Substantial" in card
    assert "Overdue" not in card
    # Plan 4 (2021-2023) ended; the IRM has not published its end-of-term verdict.
    card = (await ana.send("/status GH0040"))[0].text
    assert "🏁 Plan ended; no IRM verdict yet" in card
    assert "Overdue" not in card
    # Plan 5 (2023-2027) runs; GH0056 was due on 2024-12-31: that is overdue.
    card = (await ana.send("/status GH0056"))[0].text
    assert "Overdue" in card and "Plan ended" not in card

    # 14 of Ghana's 23 commitments are past their end date; one is overdue.
    stats = (await ana.send("/stats Ghana"))[0].text
    assert "Commitments: 23" in stats
    assert "Overdue: 1 ⏰" in stats

    # The oldest plan's list flags each commitment with its verdict, and none as overdue.
    plans = (await ana.send("/country Ghana"))[0]
    await ana.press(next(label for label in plans.button_texts if "(2013–2015)" in label))
    assert "🏁⚪ GH0001" in plans.text and "🏁🟠 GH0003" in plans.text
    assert "⏰" not in plans.text.split("\n\n")[1]
    await ana.press("Overdue")
    assert "No commitments match this filter." in plans.text

    export = (await ana.send("/export Ghana"))[0].document
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [r["Commitment Unique Identifier"] for r in rows if r["Overdue"] == "yes"] == ["GH0056"]


async def test_digest_asks_nothing_about_plans_long_over_and_shows_no_empty_country(
    demo_bot: Driver,
) -> None:
    demo_bot.clock.set(JUNE_1_2026)
    ana = demo_bot.user("Ana")
    # Madrid's one plan ended in 2017; Canada has no commitments in the data.
    await ana.send("/subscribe Ghana Madrid Canada")
    text = "\n".join(r.text for r in await ana.send("/digest"))
    assert "🌍 Ghana" in text
    assert "Madrid" not in text and "Canada" not in text  # no heading with nothing under it
    asked = text.split("No report in 90 days")[1]
    assert "GH0042" in asked  # plan 5 runs until 2027
    for old in ("GH0001", "GH0018", "GH0025", "GH0040"):  # plans that ended by 2023
        assert old not in text


def _reported(db: Database, reporter: int, commitment_id: str, at: datetime) -> None:
    with db.session() as session:
        session.add(
            Report(
                commitment_id=commitment_id,
                reporter_id=reporter,
                status="limited",
                note="seen at the ministry",
                state="verified",
                created_at=at,
                updated_at=at,
            )
        )
        refresh_community(session, [commitment_id])


async def _quiet_reminder(driver: Driver, db: Database) -> str:
    """Ana reported on GH0040 (plan ended 2023) and GH0056 (plan runs) 70 days ago."""
    driver.clock.set(JUNE_1_2026)
    ana = driver.user("Ana")
    await ana.send("/settings")
    await ana.press("Reminders: off")
    for commitment_id in ("GH0040", "GH0056"):
        _reported(db, ana.id, commitment_id, JUNE_1_2026 - timedelta(days=70))
    await driver.run_jobs()
    return "\n".join(m.text or "" for m in ana.messages if (m.text or "").startswith("⏰"))


async def test_reminders_skip_plans_ended_over_a_year_ago(demo_bot: Driver, demo_db) -> None:
    reminder = await _quiet_reminder(demo_bot, demo_db)
    assert "GH0056" in reminder
    assert "GH0040" not in reminder


async def test_how_long_ended_plans_are_asked_about_is_a_setting(demo_db, db_path) -> None:
    settings = make_settings(str(demo_db.engine.url), ended_plan_days=3650)
    async with await start_bot(settings, demo_db) as driver:
        reminder = await _quiet_reminder(driver, demo_db)
    assert "GH0056" in reminder and "GH0040" in reminder
