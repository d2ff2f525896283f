"""Summit pledges beyond /summit (#12 points 2-3): in /stats, /export, /chart,
search, digests and /report, in English and in another language."""

from __future__ import annotations

import csv
import io

import pytest

from bot.emulator import Driver
from storage.db import Database
from storage.pledges import import_pledges, shipped_pledges_path
from tests.conftest import make_lead


@pytest.fixture
def pledged_db(demo_db: Database) -> Database:
    import_pledges(demo_db, shipped_pledges_path())
    return demo_db


def _rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


async def test_stats_export_and_chart_count_pledges_made_and_embedded(
    demo_bot: Driver, pledged_db: Database
) -> None:
    lead, ann = demo_bot.user("Leo"), demo_bot.user("Ann")
    await lead.send("/start")
    make_lead(pledged_db, lead.id, "KEN")
    await lead.send("/embed ACS2016-KEN-01 KE0033")

    stats = (await ann.send("/stats Kenya"))[0].text
    assert "2016 Anti-Corruption Summit pledges" in stats
    assert "Kenya: 4 pledges, 1 in NAP commitments" in stats
    assert "Summit" not in (await ann.send("/stats Ghana"))[0].text  # made no pledge

    replies = await ann.send("/export Kenya")
    assert len(replies) == 3
    sheet = replies[2]
    assert sheet.document.filename.startswith("summit-pledges-ken-")
    assert "Statuses are the trackers' assessments from 2017–2020" in sheet.caption
    assert "(4 rows)" in sheet.caption
    rows = {row["Pledge ID"]: row for row in _rows(sheet.document.content)}
    assert set(rows) == {f"ACS2016-KEN-0{n}" for n in range(1, 5)}
    first = rows["ACS2016-KEN-01"]
    assert first["Status (2017-2020 assessment)"] == "ongoing"
    assert first["Assessed By"] == "TI-UK pledge tracker" and first["Assessed On"] == "2020-12"
    assert first["Embedded In"] == "KE0033" and rows["ACS2016-KEN-02"]["Embedded In"] == ""
    assert first["Theme"] and first["Source"].startswith("https://")
    assert len(await ann.send("/export Ghana")) == 2  # no empty pledges sheet

    chart = (await ann.send("/chart Kenya"))[0]
    assert chart.photo is not None
    assert "2016 Anti-Corruption Summit: 4 pledges made, 1 embedded in NAP commitments" in (
        chart.caption
    )


async def test_stats_and_chart_pledges_in_french(demo_bot: Driver, pledged_db: Database) -> None:
    marie = demo_bot.user("Marie", language_code="fr")
    stats = (await marie.send("/stats Kenya"))[0].text
    assert "Kenya</b> : 4 engagements, 0 dans des engagements du plan d’action" in stats.html
    chart = (await marie.send("/chart Kenya"))[0]
    assert "Sommet anticorruption de 2016" in chart.caption
