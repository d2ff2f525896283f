"""What a newcomer hit, fixed: each as the person saw it, through the real bot."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.emulator import Driver
from bot.i18n import translation
from storage.models import Chat, Evidence, Subscription
from tests.conftest import ADMIN_ID, send_report


def _followed(db, chat_id: int) -> list[str]:
    with db.session() as session:
        rows = session.exec(select(Subscription).where(Subscription.chat_id == chat_id))
        return [s.country_code for s in rows]


async def test_country_alone_browses_and_does_not_follow(demo_bot: Driver, demo_db) -> None:
    ana = demo_bot.user("Ana")
    regions = (await ana.send("/country"))[0]
    assert "see its action plans" in regions.text
    await ana.press("Africa and the Middle East", message=regions)
    assert "tap a country to see its action plans" in regions.text
    assert "✅" not in " ".join(regions.button_texts)
    shown = await ana.press("Kenya", message=regions)
    assert "Action plans, newest first" in shown.replies[-1].text
    assert _followed(demo_db, ana.id) == []
    # /subscribe alone still browses to follow.
    follow = (await ana.send("/subscribe"))[0]
    await ana.press("Africa and the Middle East", message=follow)
    await ana.press("Kenya", message=follow)
    assert _followed(demo_db, ana.id) == ["KEN"]


async def test_local_members_are_labelled(demo_bot: Driver) -> None:
    ana = demo_bot.user("Ana")
    page = (await ana.send("/country buenos aires"))[0]
    assert page.text.startswith("Buenos Aires — local, Argentina")
    pierre = demo_bot.user("Pierre", language_code="fr")
    page = (await pierre.send("/country buenos aires"))[0]
    assert page.text.startswith("Buenos Aires — membre local, Argentine")


async def test_page_counter_button_does_nothing(demo_bot: Driver) -> None:
    ana = demo_bot.user("Ana")
    results = (await ana.send("/search government"))[0]
    counter = next(t for t in results.button_texts if "/" in t and t[0].isdigit())
    before = results.text
    pressed = await ana.press(counter, message=results)  # a 400 would fail the press
    assert pressed.answered and pressed.replies == []
    assert results.text == before


async def test_history_alone_suggests_how(demo_bot: Driver) -> None:
    ana = demo_bot.user("Ana")
    said = (await ana.send("/history"))[0].text
    assert "/history AR0045" in said and "/status" not in said


async def test_report_with_an_unknown_id_says_so(demo_bot: Driver) -> None:
    ana = demo_bot.user("Ana")
    said = (await ana.send("/report ZZ9999"))[0].text
    assert "I know no commitment ZZ9999." in said
    assert "Which commitment?" in said  # and the way on


async def test_timezone_by_city(demo_bot: Driver, demo_db) -> None:
    ana = demo_bot.user("Ana")
    assert "Time zone set to Africa/Nairobi." in (await ana.send("/timezone nairobi"))[0].text
    assert "America/New_York" in (await ana.send("/timezone new york"))[0].text
    assert "I don't know the time zone" in (await ana.send("/timezone atlantis"))[0].text
    with demo_db.session() as session:
        assert session.get(Chat, ana.id).timezone == "America/New_York"


async def test_links_without_a_scheme_are_evidence(demo_bot: Driver, demo_db) -> None:
    ana = demo_bot.user("Ana")
    await ana.send("/report KE0012")
    await ana.press("🟠 Limited")
    await ana.send("Bill tabled")
    await ana.send("see www.example.org/bill and parliament.go.ke/hansard.pdf")
    await ana.press("Done")
    await ana.press("Send")
    with demo_db.session() as session:
        urls = [e.url for e in session.exec(select(Evidence))]
    assert urls == ["https://www.example.org/bill", "https://parliament.go.ke/hansard.pdf"]


@pytest.mark.parametrize(("language", "typed"), [("en", "substantial"), ("es", "sustancial")])
async def test_a_typed_status_word_is_accepted(demo_bot: Driver, language: str, typed: str) -> None:
    _ = translation(language).gettext
    ana = demo_bot.user("Ana", language_code=language)
    await ana.send("/report KE0012")
    asked = (await ana.send(typed.upper()))[0]
    assert "3/5" in asked.text  # on to the note
    await ana.send("Bill tabled")
    preview = await ana.press(_("Skip"))
    assert _("Substantial") in preview.replies[0].text


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "1 of your reports is now anonymous"), ("es", "1 de tus reportes ahora es anónimo")],
)
async def test_counts_are_said_in_the_singular_when_there_is_one(
    demo_bot: Driver, language: str, said: str
) -> None:
    _ = translation(language).gettext
    ana = demo_bot.user("Ana", language_code=language)
    await send_report(ana, language=language)
    await ana.send("/forgetme")
    done = await ana.press(_("Yes, delete my data"))
    assert said in done.replies[-1].text


async def test_a_broadcast_to_one_chat_says_one_chat(demo_bot: Driver) -> None:
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    await demo_bot.user("Rosa").send("/subscribe Kenya")
    await admin.send("/broadcast")
    asked = await admin.press("Followers of Kenya · 1")
    assert "(1 chat)." in asked.replies[-1].text


async def test_the_full_text_is_split_between_sections(demo_bot: Driver) -> None:
    import csv

    from storage.importer import demo_csv_path

    with open(demo_csv_path(), encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle) if r["Full Text"].startswith("Brief Desc"))
    ana = demo_bot.user("Ana")
    card = (await ana.send(f"/status {row['Commitment Unique Identifier'] or row['id']}"))[0]
    parts = [m.text for m in (await ana.press("Full text", message=card)).replies]
    assert len(parts) > 2
    original = [block.strip() for block in row["Full Text"].strip().split("\n\n")]
    # Nothing lost, and every cut falls between paragraphs.
    shown = [b.strip() for part in parts for b in part.split("\n\n")][1:]
    assert shown == original
    headings = [b for b in original if len(b.split()) <= 10 and b[-1] not in ".?!;,"]
    assert "Problem Definition" in headings
    for part in parts:  # no message ends on a heading, cut from its section
        assert part.split("\n\n")[-1] not in headings
    # A section that fits in one message is in one message.
    sections, current = [], []
    for block in original:
        if block in headings and current:
            sections.append(current)
            current = []
        current.append(block)
    sections.append(current)
    for section in sections:
        if len("\n\n".join(section)) < 3500:
            assert any("\n\n".join(section) in part for part in parts), section[0]
