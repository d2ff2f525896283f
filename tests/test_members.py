"""OGP's members as OGP's own data states them: each with its standing, since
when and a source; members the export brings that the shipped list lacks get a
page; every id shape OGP publishes opens its card."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.emulator import Driver
from storage.countries import STATUSES, load_members
from storage.db import Database
from storage.importer import import_csv
from tests.conftest import SHARED_SAMPLE, start_bot

needs_sample = pytest.mark.skipif(not SHARED_SAMPLE.exists(), reason="shared sample not present")

# From ../shared/data/ogp-membership-facts.md: (status, since, source).
FACTS = {
    "AZE": ("suspended", "2023-08-17", "https://foi.am/en/news-events/12771"),
    "TTO": (
        "removed",
        "2019-12-06",
        "https://opengovpartnership.org/news/"
        "open-government-partnership-rescinds-trinidad-and-tobagos-membership",
    ),
    "LUX": ("withdrawn", "2023-01-01", "https://opengovpartnership.org/luxembourg-withdrawn"),
    "SLV": (
        "withdrawn",
        "2023-03",
        "https://opengovpartnership.org/news/"
        "el-salvador-exits-international-partnership-on-open-government/",
    ),
    "PAK": ("withdrawn", "2022", "https://bolnews.com"),
    "USA": ("withdrawn", "2026-01", "https://nextgov.com"),
    "HUN": ("withdrawn", "2016-12-06", "https://opengovpartnership.org"),
    "TZA": (
        "withdrawn",
        "2017",
        "https://opengovpartnership.org/news/tanzania-withdraws-from-the-ogp/",
    ),
    "TUR": ("removed", "2017-09-21", "https://opengovpartnership.org/tag/turkey"),
    "BGR": ("inactive", "2022-03", "https://laprensagrafica.com"),
    "MWI": ("inactive", "2022-03", "https://laprensagrafica.com"),
    "XKX": ("active", "2023-08", "https://opengovpartnership.org/members/kosovo"),
    "FJI": ("unverified", "", ""),
    "AFG": ("unverified", "", ""),
}


def _sample_rows() -> list[dict[str, str]]:
    with SHARED_SAMPLE.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------- the shipped list


def test_every_member_has_a_source_unless_unverified() -> None:
    for member in load_members():
        assert member.status in STATUSES, member
        if member.status != "unverified":
            assert member.source.startswith("https://"), f"{member.code} has no source"
        if member.status not in ("active", "unverified"):
            assert member.since, f"{member.code}: {member.status} since when?"


def test_membership_facts_are_those_of_the_facts_file() -> None:
    members = {m.code: m for m in load_members()}
    for code, fact in FACTS.items():
        member = members[code]
        assert (member.status, member.since, member.source) == fact, code


@needs_sample
def test_regions_codes_and_names_are_those_of_ogps_export() -> None:
    members = {m.code: m for m in load_members()}
    for row in _sample_rows():
        member = members[row["Code"]]
        assert member.region == row["Region"], member
        # Members with commitments in OGP's export link to their page there.
        assert member.status == "active", member
        assert row["URL"].startswith(member.source + "/commitments/"), member
        if "Local" in row["National Or Local"]:
            name, _, country = row["Country/Locality"].rpartition(", ")
            assert (member.kind, member.name, members[member.parent].name) == (
                "local",
                name,
                country,
            )
        else:
            assert (member.kind, member.name) == ("national", row["Country/Locality"])
    # The facts file, from the full export.
    for code in ("ARM", "GEO", "KGZ", "GETB"):
        assert members[code].region == "Asia and the Pacific", code
    assert members["ISR"].region == "Europe"
    assert members["TZKG"].parent == "TZA" and members["ROIS"].parent == "ROU"


# --------------------------------------------------------------------------- what the bot says


def _write_rows(path: Path, rows: list[dict[str, str]], header: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _crafted(base: dict[str, str], **values: str) -> dict[str, str]:
    return {**base, **values}


def _demo_row(db_rows: list[dict[str, str]], commitment_id: str) -> dict[str, str]:
    return next(r for r in db_rows if r["Commitment Unique Identifier"] == commitment_id)


async def test_country_page_and_subscribe_say_a_member_left_and_when(
    settings,
    demo_db: Database,
    tmp_path: Path,
    demo_records: tuple[list[str], list[dict[str, str]]],
) -> None:
    header, rows = demo_records
    us_row = _crafted(
        _demo_row(rows, "KE0012"),
        **{
            "Commitment Unique Identifier": "US0089",
            "Country/Locality": "United States",
            "Code": "USA",
            "Region": "Americas",
            "National Or Local": "National",
            "Action Plan ID": "AP_USA05",
            "Action Plan Number": "5",
        },
    )
    assert import_csv(demo_db, _write_rows(tmp_path / "us.csv", [us_row], header)).ok
    async with await start_bot(settings, demo_db) as driver:
        ana = driver.user("Ana")
        page = (await ana.send("/country United States"))[0]
        assert "United States withdrew from OGP in January 2026." in page.text
        assert "Its action plans stay in OGP's data, and here." in page.text
        assert "Source: nextgov.com" in page.text
        plan = next(t for t in page.button_texts if t.endswith(" · 1"))
        await ana.press(plan, message=page)  # the page becomes the plan's list
        assert "US0089" in page.text and "US0089" in page.button_texts

        azerbaijan = (await ana.send("/country Azerbaijan"))[0].text
        assert "Azerbaijan was suspended from OGP in August 2023." in azerbaijan
        assert "Source: foi.am" in azerbaijan

        # Following a former member is allowed, and the reply says what it is.
        followed = (await ana.send("/subscribe United States"))[0].text
        assert "Now following United States." in followed
        assert "United States withdrew from OGP in January 2026." in followed
        assert "United States" in (await ana.send("/following"))[0].text

        # In the reader's language too.
        lucia = driver.user("Lucía", language_code="es")
        spanish = (await lucia.send("/country Estados Unidos"))[0].text
        assert "se retiró de OGP en enero de 2026" in spanish

        # Nothing sourced: said so, never called a member.
        fiji = (await ana.send("/country Fiji"))[0].text
        assert "Fiji: OGP membership not verified." in fiji and "Source" not in fiji
        kosovo = (await ana.send("/country Kosovo"))[0].text
        assert "Kosovo has been active in OGP since August 2023." in kosovo
        trinidad = (await ana.send("/country Trinidad and Tobago"))[0].text
        assert "OGP ended the membership of Trinidad and Tobago in December 2019." in trinidad
        kenya = (await ana.send("/country Kenya"))[0].text
        assert "OGP lists Kenya as a member." in kenya
        assert "Source: opengovpartnership.org" in kenya


async def test_regions_are_ogps(demo_bot: Driver) -> None:
    ana = demo_bot.user("Ana")
    await ana.send("/subscribe")
    regions = ana.last_reply
    await ana.press("Asia and the Pacific", message=regions)  # the message becomes the page
    for name in ("Armenia", "Georgia", "Kyrgyz Republic"):
        assert name in regions.button_texts, regions.button_texts


async def test_local_member_shows_its_country(demo_bot: Driver) -> None:
    page = (await demo_bot.user("Ana").send("/country Buenos Aires"))[0].text
    assert "OGP Local member in Argentina." in page
    assert "Source: opengovpartnership.org" in page


# --------------------------------------------------------------------------- the export leads


@needs_sample
async def test_export_member_the_list_lacks_gets_a_page_and_its_ids_cards(
    settings, db: Database, tmp_path: Path
) -> None:
    """The issue's done-when: the sample plus a local member no shipped list
    knows; that member gets a page, and its bare id a card."""
    rows = _sample_rows()
    header = list(rows[0])
    base = _demo_row(rows, "KE0012")
    crafted = [
        _crafted(
            base,
            **{
                "Commitment Unique Identifier": commitment_id,
                "Country/Locality": f"{name}, Kenya",
                "Code": code,
                "Region": "Africa and the Middle East",
                "National Or Local": "Local",
                "Action Plan ID": f"AP_{code}01",
                "Action Plan Number": "1",
                "Commitment Title": f"{name} open contracting portal",
                "Short Title": f"{name} open contracting portal",
                "URL": f"https://opengovpartnership.org/members/{name.lower()}-kenya/"
                f"commitments/{commitment_id}",
            },
        )
        for commitment_id, name, code in (
            ("KENMS0005", "Nairobi", "KENMS"),
            ("KENDC0003", "Nandi", "KENDC"),
        )
    ]
    result = import_csv(db, _write_rows(tmp_path / "export.csv", rows + crafted, header))
    assert result.ok and result.created == len(rows) + 2
    warned = [w for w in result.warnings if "not in the shipped member list" in w.reason]
    assert [w.reason.split()[1] for w in warned] == ["KENMS", "KENDC"]
    assert "created from this row as local, Africa and the Middle East" in warned[0].reason
    assert [w.commitment_id for w in warned] == ["KENMS0005", "KENDC0003"]

    async with await start_bot(settings, db) as driver:
        ana = driver.user("Ana")
        page = (await ana.send("/country Nandi"))[0]
        assert page.text.startswith("Nandi — local, Kenya\n")
        assert "Nandi: OGP membership not verified." in page.text
        assert "OGP Local member in Kenya." in page.text
        await ana.press(page.button_texts[0], message=page)  # the page becomes the list
        assert "KENDC0003" in page.text
        card = await ana.press("KENDC0003", message=page)
        assert card.replies[0].text.startswith("KENDC0003 · Nandi open contracting portal")

        for typed in ("KENMS0005", "kenms-0005", "KENDC0003"):
            reply = (await ana.send(typed))[0].text
            assert reply.startswith(typed.upper().replace("-", "") + " · "), reply
        # Found by its region and by its name too.
        assert "Nairobi" in (await ana.send("/subscribe Nairobi"))[0].text


@needs_sample
async def test_every_id_shape_of_the_export_works_everywhere(settings, db: Database) -> None:
    """One id per prefix OGP uses in the sample (GH, UK, SCO, COT, BUE, JAL,
    MAD, KAD, ...): /status, the bare id, /search and its button, inline."""
    import_csv(db, SHARED_SAMPLE)
    by_prefix: dict[str, str] = {}
    for row in _sample_rows():
        commitment_id = row["Commitment Unique Identifier"]
        by_prefix.setdefault(commitment_id.rstrip("0123456789"), commitment_id)
    assert {"UK", "SCO", "COT", "BUE", "JAL", "MAD", "KAD"} <= set(by_prefix)
    async with await start_bot(settings, db) as driver:
        ana = driver.user("Ana")
        for commitment_id in by_prefix.values():
            card = (await ana.send(f"/status {commitment_id}"))[0]
            assert card.text.startswith(f"{commitment_id} · "), card.text
            assert (await ana.send(commitment_id.lower()))[0].text.startswith(commitment_id)
            found = (await ana.send(f"/search {commitment_id}"))[0]
            pressed = await ana.press(commitment_id, message=found)
            assert pressed.replies[0].text.startswith(f"{commitment_id} · ")
            history = await ana.press("History", message=pressed.replies[0])
            assert commitment_id in history.replies[0].text
            results = await ana.inline(commitment_id)
            assert results[0]["title"].startswith(f"{commitment_id} · ")


async def test_the_exports_region_wins_and_the_import_says_so(
    settings, db: Database, tmp_path: Path, demo_records: tuple[list[str], list[dict[str, str]]]
) -> None:
    header, rows = demo_records
    moved = _crafted(_demo_row(rows, "KE0012"), Region="Europe")  # as if OGP moved Kenya
    result = import_csv(db, _write_rows(tmp_path / "moved.csv", [moved], header))
    assert result.ok
    assert [w.reason for w in result.warnings] == [
        "member KEN: region 'Europe' as the export says "
        "(the member list said 'Africa and the Middle East')"
    ]
    async with await start_bot(settings, db) as driver:
        ana = driver.user("Ana")
        regions = (await ana.send("/subscribe"))[0]
        await ana.press("Europe", message=regions)
        pages = [regions.button_texts]
        while "Next ›" in regions.button_texts:
            await ana.press("Next ›", message=regions)
            pages.append(regions.button_texts)
        assert any("Kenya" in page for page in pages)
