"""Summit pledges beyond /summit (#12 points 2-3): in /stats, /export, /chart,
search, digests and /report, in English and in another language."""

from __future__ import annotations

import csv
import io

from bot.emulator import Driver
from storage.db import Database
from tests.conftest import make_lead


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
    assert "Kenya : 4 engagements, 0 dans des engagements du plan d’action" in stats
    chart = (await marie.send("/chart Kenya"))[0]
    assert "Sommet anticorruption de 2016 : 4 engagements pris, 0 intégrés" in chart.caption
    export = (await marie.send("/export Kenya"))[2].caption
    assert "évaluations des outils de suivi de 2017–2020" in export


async def test_pledges_are_found_by_search_and_open_their_card(
    demo_bot: Driver, pledged_db: Database
) -> None:
    ann = demo_bot.user("Ann")
    # A theme and a country: Kenya's beneficial ownership pledge under the commitments.
    found = (await ann.send("/search kenya beneficial ownership"))[0]
    assert "2016 Anti-Corruption Summit pledges" in found.text
    assert "ACS2016-KEN-01 · Kenya · 🏢 Beneficial ownership" in found.text
    assert "ACS2016-NGA" not in found.text  # narrowed to the country named
    card = (await ann.press("ACS2016-KEN-01", message=found)).replies[0]
    assert card.text.startswith("ACS2016-KEN-01 · Kenya")
    assert "Tracker status" in card.text
    # Words of the pledge's text, typed alone, without /search; accents and case ignored.
    words = (await ann.send("Companies REGULATORY"))[0]
    assert "ACS2016-KEN-01" in words.text
    # By id words; a pledge alone, with no commitment matching, is still an answer.
    alone = (await ann.send("/search acs2016 nga"))[0]
    assert "ACS2016-NGA-01" in alone.text and "Nothing found" not in alone.text
    assert "ACS2016-NGA-01" in alone.button_texts
    nothing = (await ann.send("/search zzzqqq"))[0].text
    assert "Nothing found" in nothing

    # Inline: the pledge comes after the commitments, and posts its card.
    results = await ann.inline("kenya beneficial ownership")
    titles = [r["title"] for r in results]
    assert any(t.startswith("🤝 ACS2016-KEN-01") for t in titles)
    group = demo_bot.group("WG", members=[ann])
    pledge = next(r for r in results if r["title"].startswith("🤝 ACS2016-KEN-01"))
    chosen = await ann.choose_inline(pledge, chat=group)
    assert chosen.message.text.startswith("ACS2016-KEN-01 · Kenya")


async def test_search_finds_pledges_in_spanish(demo_bot: Driver, pledged_db: Database) -> None:
    ana = demo_bot.user("Ana", language_code="es")
    found = (await ana.send("/search kenia beneficial"))[0].text
    assert "Compromisos de la Cumbre Anticorrupción de 2016" in found
    assert "ACS2016-KEN-01 · Kenia" in found


async def test_a_chat_following_a_country_hears_of_its_pledges_newly_embedded(
    demo_bot: Driver, pledged_db: Database
) -> None:
    lead, ann = demo_bot.user("Leo"), demo_bot.user("Ann")
    await lead.send("/start")
    make_lead(pledged_db, lead.id, "KEN")
    await ann.send("/subscribe Kenya")
    await demo_bot.user("Nia").send("/subscribe Nigeria")
    before = "\n".join(r.text for r in await ann.send("/digest"))
    assert "Summit pledges now in NAP commitments" not in before

    await lead.send("/embed ACS2016-KEN-01 KE0033")
    digest = "\n".join(r.text for r in await ann.send("/digest"))
    assert "🤝 2016 Summit pledges now in NAP commitments:" in digest
    assert "ACS2016-KEN-01 → KE0033 Safe and Responsible Digital Transformation" in digest
    nigeria = "\n".join(r.text for r in await demo_bot.user("Nia").send("/digest"))
    assert "ACS2016-KEN-01" not in nigeria  # another country's news

    # A week later the embedding is old news.
    demo_bot.clock.advance(days=8)
    later = "\n".join(r.text for r in await ann.send("/digest"))
    assert "ACS2016-KEN-01" not in later


async def test_digest_pledge_embeddings_in_portuguese(
    demo_bot: Driver, pledged_db: Database
) -> None:
    lead, rui = demo_bot.user("Leo"), demo_bot.user("Rui", language_code="pt")
    await lead.send("/start")
    make_lead(pledged_db, lead.id, "KEN")
    await rui.send("/subscribe Quênia")
    await lead.send("/embed ACS2016-KEN-01 KE0033")
    digest = "\n".join(r.text for r in await rui.send("/digest"))
    assert "Cúpula de 2016" in digest and "ACS2016-KEN-01 → KE0033" in digest
