"""A working group's policy areas filter what the group sees; the anti-corruption lens
works across a whole country. In the demo data Ghana, Nigeria and Kenya have 40
commitments, 13 of them tagged Anti-Corruption and Integrity (Ghana: 9 of 23)."""

from __future__ import annotations

import csv
import io
import re

from bot.emulator import Driver
from tests.conftest import ADMIN_ID

GROUP = "Anti-Corruption WG"


async def _group(driver: Driver):
    admin = driver.user("Ada", user_id=ADMIN_ID)
    await admin.send(f"/newgroup {GROUP}: Ghana, Nigeria, Kenya, Anti-Corruption and Integrity")
    return admin


async def test_a_working_groups_stats_chart_and_export_take_its_policy_areas(
    demo_bot: Driver,
) -> None:
    admin = await _group(demo_bot)
    ana = demo_bot.user("Ana")

    stats = (await ana.send(f"/stats {GROUP}"))[0].text
    assert stats.startswith(f"Where commitments stand: {GROUP} (Ghana, Kenya, Nigeria)")
    assert "Only commitments tagged Anti-Corruption and Integrity" in stats
    assert "Commitments: 13" in stats

    chart = (await ana.send(f"/chart {GROUP}"))[0]
    assert f"{GROUP}: 13 commitments" in chart.caption

    export = (await admin.send(f"/export {GROUP}"))[0].document
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert len(rows) == 13


async def test_a_linked_groups_digest_asks_only_about_its_policy_areas(demo_bot: Driver) -> None:
    admin = await _group(demo_bot)
    chat = demo_bot.group("AC", members=[admin], admins=[admin])
    await admin.send("/subscribe Ghana", chat=chat)
    await admin.send(f"/linkgroup {GROUP}", chat=chat)
    text = "\n".join(r.text for r in await admin.send("/digest", chat=chat))
    assert "Only commitments tagged Anti-Corruption and Integrity" in text
    asked = text.split("No report in 90 days")[1]
    # Plan 5's untagged GH0047 and GH0048 would come first; the group sees tagged ones.
    assert "GH0042" in asked and "GH0052" in asked and "GH0053" in asked
    assert "GH0047" not in text and "GH0048" not in text


async def test_the_anti_corruption_lens_across_a_whole_country(demo_bot: Driver) -> None:
    ana = demo_bot.user("Ana")
    stats = (await ana.send("/stats Ghana anti-corruption"))[0].text
    assert stats.startswith("Where commitments stand: Ghana")
    assert "Only commitments tagged Anti-corruption" in stats
    assert "Commitments: 9" in stats

    plans = (await ana.send("/country Ghana"))[0]
    await ana.press("Anti-corruption, all plans")
    assert "Ghana · all action plans" in plans.text
    assert "Filter: Anti-corruption" in plans.text
    listed = re.findall(r"^\d+\. .*? (GH\d{4}) ", plans.text, flags=re.M)
    # Tagged commitments from all five plans, the oldest (GH0006) to the newest (GH0053).
    assert len(listed) == 9 and "GH0006" in listed and "GH0053" in listed
