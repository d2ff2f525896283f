"""The 2016 Anti-Corruption Summit pledges (#12): import, /summit, a pledge's card,
/embed and /unembed, "Link to a commitment", /compare; in English and Spanish."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.console import run_console
from bot.emulator import Driver
from storage.db import Database
from storage.summit import shipped_pledges_path
from tests.conftest import ADMIN_ID, make_lead, make_settings, send_report

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "summit-2016-pledges-sample.csv"


def _import(db: Database, capsys: pytest.CaptureFixture[str], source: Path) -> tuple[int, str]:
    code = main(["--database", db.url, "import-pledges", str(source)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_the_sample_imports_whole_twice_with_nothing_changed_the_second_time(
    demo_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    source = SAMPLE if SAMPLE.is_file() else shipped_pledges_path()
    assert _import(demo_db, capsys, source) == (
        0,
        "44 rows: 44 created, 0 updated, 0 unchanged, 0 skipped\n",
    )
    assert _import(demo_db, capsys, source) == (
        0,
        "44 rows: 0 created, 0 updated, 44 unchanged, 0 skipped\n",
    )


def test_bad_rows_are_skipped_and_named_like_the_commitment_import(
    demo_db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    header = shipped_pledges_path().read_text(encoding="utf-8").splitlines()[0]
    good = "ACS2016-KEN-09,Kenya,KEN,open data,Kenya will publish data.,no,underway,TI Kenya,2017,"
    bad_theme = "ACS2016-KEN-10,Kenya,KEN,space,Text,yes,complete,,,"
    bad_date = "ACS2016-KEN-11,Kenya,KEN,other,Text,yes,complete,TI,12/2017,"
    file = tmp_path / "pledges.csv"
    file.write_text("\n".join([header, good, bad_theme, good, bad_date]) + "\n", encoding="utf-8")
    code, output = _import(demo_db, capsys, file)
    assert code == 1  # EXIT_IMPORT_SKIPPED, as `ogp-bot import`
    assert f"{file}:3: skipped (ACS2016-KEN-10): unknown theme 'space'" in output
    assert f"{file}:4: skipped (ACS2016-KEN-09): duplicate pledge id (first on line 2)" in output
    assert f"{file}:5: skipped (ACS2016-KEN-11): status_date '12/2017' is not YYYY or YYYY-MM" in (
        output
    )
    assert "4 rows: 1 created, 0 updated, 0 unchanged, 3 skipped\n" in output
    excel = tmp_path / "excel.csv"  # Excel's "CSV" in Spanish, French or Portuguese settings
    excel.write_text(f"{header}\n{good}\n".replace(",", ";"), encoding="utf-8")
    code, output = _import(demo_db, capsys, excel)
    assert code == 0 and f"{excel}:0: warning: columns separated by semicolons" in output
    assert "1 rows: 0 created, 0 updated, 1 unchanged, 0 skipped; 1 warning" in output
    commitments = tmp_path / "not-pledges.csv"
    commitments.write_text("Commitment Unique Identifier,Code\nKE0012,KEN\n", encoding="utf-8")
    code, output = _import(demo_db, capsys, commitments)
    assert code == 2 and "not a pledge file: no column pledge_id" in output


async def test_summit_lists_countries_then_a_countrys_pledges_by_theme(
    demo_bot: Driver, pledged_db: Database
) -> None:
    ann = demo_bot.user("Ann")
    overview = (await ann.send("/summit"))[0]
    assert "2016 Anti-Corruption Summit pledges" in overview.text
    assert "Kenya: 4 pledges, 0 in NAP commitments" in overview.text
    assert "Nigeria: 19 pledges, 0 in NAP commitments" in overview.text
    assert "assessments from 2017–2020" in overview.text
    kenya = (await ann.send("/summit kenya"))[0]
    text = kenya.text
    assert "Kenya: 2016 Anti-Corruption Summit pledges" in text
    # Grouped by theme in the registry's order: asset recovery before beneficial ownership.
    assert text.index("💰 Asset recovery") < text.index("🏢 Beneficial ownership")
    assert "ACS2016-KEN-01" in text and "🔄 Ongoing (TI-UK pledge tracker, 2020-12)" in text
    assert "❔ No data (no tracker status found)" in text
    assert "▫️ not in a NAP commitment yet" in text
    assert "none has been checked since December 2020" in text
    # Nigeria's 19 pledges come in pages; every button fits Telegram's 64 bytes.
    nigeria = (await ann.send("/summit Nigeria"))[0]
    assert "1/4" in nigeria.button_texts
    second = (await ann.press("Next ›", message=nigeria)).replies
    page = nigeria if not second else second[0]
    assert "2/4" in page.button_texts
    for row in nigeria.buttons:
        for button in row:
            assert len((button.callback_data or "").encode()) <= 64
    assert len(nigeria.text) <= 4096
    unknown = (await ann.send("/summit Atlantis"))[0].text
    assert "No Summit pledges found for “Atlantis”" in unknown


async def test_a_pledge_typed_alone_or_tapped_shows_its_card(
    demo_bot: Driver, pledged_db: Database
) -> None:
    ann = demo_bot.user("Ann")
    card = (await ann.send("acs2016-ken-01"))[0]
    assert card.text.startswith("ACS2016-KEN-01 · Kenya")
    assert "Kenya will take measures in line with her new Companies" in card.text
    assert "Tracker status: 🔄 Ongoing (TI-UK pledge tracker, 2020-12)" in card.text
    assert "No NAP commitment carries this pledge yet." in card.text
    assert "<blockquote>" in card.html
    assert "Link to a commitment" not in card.button_texts  # a plain member may not link
    paraphrase = (await ann.send("ACS2016-KEN-03"))[0].text
    assert "(a paraphrase, not the pledge’s own words)" in paraphrase
    listing = (await ann.send("/summit Kenya"))[0]
    tapped = (await ann.press("ACS2016-KEN-02", message=listing)).replies[0]
    assert tapped.text.startswith("ACS2016-KEN-02 · Kenya")
    missing = (await ann.send("ACS2016-KEN-99"))[0].text
    assert "There is no Summit pledge ACS2016-KEN-99" in missing


async def test_a_lead_embeds_a_pledge_a_member_is_refused_and_it_is_audited(
    demo_bot: Driver, pledged_db: Database
) -> None:
    lead, ann = demo_bot.user("Leo"), demo_bot.user("Ann")
    await lead.send("/start")
    await ann.send("/start")
    make_lead(pledged_db, lead.id, "KEN")

    refused = (await ann.send("/embed ACS2016-KEN-01 KE0033"))[0].text
    assert refused == "Only leads of Kenya and admins may link its pledges to commitments."
    linked = (await lead.send("/embed acs2016-ken-01 ke0033"))[0].text
    assert linked == "Linked: commitment KE0033 now carries Summit pledge ACS2016-KEN-01."
    again = (await lead.send("/embed ACS2016-KEN-01 KE0033"))[0].text
    assert again == "Commitment KE0033 already carries pledge ACS2016-KEN-01."
    foreign = (await lead.send("/embed ACS2016-KEN-01 NG0020"))[0].text
    assert "Commitment NG0020 is not one of Kenya's" in foreign
    nigeria = (await lead.send("/embed ACS2016-NGA-01 NG0020"))[0].text
    assert nigeria == "Only leads of Nigeria and admins may link its pledges to commitments."

    # The pledge card lists the commitment with its community status; the commitment's
    # card says it carries the pledge; /summit counts it as embedded.
    card = (await ann.send("ACS2016-KEN-01"))[0].text
    assert "KE0033 Safe and Responsible Digital Transformation · no reports yet" in card
    await send_report(ann, "KE0033", "Portal launched")
    await lead.press("✅ Verify", message=lead.messages[-1])
    card = (await ann.send("ACS2016-KEN-01"))[0].text
    assert "Carried by NAP commitments" in card
    assert "KE0033 Safe and Responsible Digital Transformation · 🟠 Limited" in card
    commitment = (await ann.send("/status KE0033"))[0].text
    assert "🤝 Carries 2016 Anti-Corruption Summit pledge: ACS2016-KEN-01" in commitment
    assert "Kenya: 4 pledges, 1 in NAP commitments" in (await ann.send("/summit"))[0].text

    audit = (await demo_bot.user("Admin", user_id=ADMIN_ID).send("/audit"))[0].text
    assert "pledge.embed" in audit

    unlinked = (await lead.send("/unembed ACS2016-KEN-01 KE0033"))[0].text
    assert unlinked == "Unlinked: commitment KE0033 no longer carries pledge ACS2016-KEN-01."
    assert "Carries 2016" not in (await ann.send("/status KE0033"))[0].text
    refused = (await ann.send("/unembed ACS2016-KEN-01 KE0033"))[0].text
    assert refused.startswith("Only leads of Kenya")
    assert "/embed ACS2016-KEN-01 KE0033" in (await lead.send("/embed"))[0].text


async def test_link_from_the_card_suggests_similar_commitments_by_full_text_search(
    demo_bot: Driver, pledged_db: Database
) -> None:
    lead, ann = demo_bot.user("Leo"), demo_bot.user("Ann")
    await lead.send("/start")
    make_lead(pledged_db, lead.id, "NGA")
    card = (await lead.send("ACS2016-NGA-01"))[0]  # a public register of beneficial owners
    suggested = (await lead.press("Link to a commitment", message=card)).replies[0]
    assert "Commitments most like pledge ACS2016-NGA-01" in suggested.text
    assert suggested.button_texts[0] == "Link NG0020"
    done = (await lead.press("Link NG0020", message=suggested)).replies[0].text
    assert done == "Linked: commitment NG0020 now carries Summit pledge ACS2016-NGA-01."
    # A forged or replayed press by someone else is refused (rights re-checked).
    await ann.send("/start")
    forged = await ann.press_data("pe:ACS2016-NGA-02:NG0020", message=suggested)
    assert forged.replies[0].text.startswith("Only leads of Nigeria")
    refused = await ann.press_data("ps:ACS2016-NGA-01", message=card)
    assert refused.show_alert and refused.answer_text.startswith("Only leads of Nigeria")


async def test_compare_puts_countries_side_by_side_as_text_and_chart(
    demo_bot: Driver, pledged_db: Database
) -> None:
    lead, ann = demo_bot.user("Leo"), demo_bot.user("Ann")
    await lead.send("/start")
    make_lead(pledged_db, lead.id, "KEN")
    await lead.send("/embed ACS2016-KEN-01 KE0033")
    replies = await ann.send("/compare Kenya Ghana")
    text = replies[0].text
    assert text.index("Kenya") < text.index("Ghana")
    kenya = text.split("Kenya")[1].split("Ghana")[0]
    assert "Summit pledges: 4 made, 1 in NAP commitments" in kenya
    assert "Commitments: 8" in kenya
    assert "Reports in the last 90 days: 0" in kenya
    ghana = text.split("Ghana")[1]
    assert "Summit pledges: 0 made, 0 in NAP commitments" in ghana
    assert replies[1].photo is not None
    assert "Kenya, Ghana: commitments by community status" in replies[1].caption
    both = (await ann.send("/compare United Kingdom, Nigeria"))[0].text
    assert "Summit pledges: 11 made" in both and "Summit pledges: 19 made" in both
    assert "Compare two or more countries" in (await ann.send("/compare Kenya"))[0].text
    assert (
        "I do not know the country “Atlantis”"
        in (await ann.send("/compare Kenya Atlantis"))[0].text
    )


async def test_summit_and_pledge_card_in_spanish(demo_bot: Driver, pledged_db: Database) -> None:
    ana = demo_bot.user("Ana", language_code="es")
    kenya = (await ana.send("/summit Kenia"))[0].text
    assert "Kenia: compromisos de la Cumbre Anticorrupción de 2016" in kenya
    assert "🔄 En curso (TI-UK pledge tracker, 2020-12)" in kenya
    card = (await ana.send("ACS2016-KEN-01"))[0]
    assert "Estado según el monitor" in card.text
    assert "evaluaciones de los monitores de 2017–2020" in card.text
    refused = (await ana.send("/embed ACS2016-KEN-01 KE0033"))[0].text
    assert refused.startswith("Solo")
    compare = (await ana.send("/compare Kenia Ghana"))[0].text
    assert "Compromisos de la Cumbre: 4 asumidos" in compare


def test_the_console_loads_the_shipped_pledges_and_shows_them(db: Database) -> None:
    out = io.StringIO()
    script = io.StringIO("/summit Kenya\nACS2016-KEN-01\n:quit\n")
    assert run_console(make_settings(db.url), db, stdin=script, out=out, user_name="Wanjiru") == 0
    output = out.getvalue()
    assert "Loaded 2016 Summit pledges: 44 rows: 44 created" in output
    assert "Kenya: 2016 Anti-Corruption Summit pledges" in output
    assert "Tracker status*: 🔄 Ongoing (TI-UK pledge tracker, 2020-12)" in output
