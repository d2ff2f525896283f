"""Finding commitments in chat: cards, browsing, search, inline mode, stats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.emulator import Driver, validate_html
from storage.commitments import refresh_community
from storage.models import Member, Report, Status, UpdateState


def _report(
    db,
    commitment_id: str,
    reporter: int,
    name: str,
    status: Status,
    state,
    days_ago: int,
    note: str = "seen on site",
) -> None:
    with db.session() as session:
        if session.get(Member, reporter) is None:
            session.add(Member(id=reporter, display_name=name))
            session.flush()
        at = datetime.now(UTC) - timedelta(days=days_ago)
        session.add(
            Report(
                commitment_id=commitment_id,
                reporter_id=reporter,
                status=status,
                state=state,
                note=note,
                created_at=at,
                updated_at=at,
            )
        )
        refresh_community(session, [commitment_id])


async def test_status_card_shows_what_a_member_asks_about(demo_bot: Driver) -> None:
    ana = demo_bot.user("Ana")
    card = (await ana.send("/status ar0045"))[0]
    text = card.text
    assert text.startswith("AR0045 · Opening Data from the National Congress")
    assert "Apertura de datos del Congreso Nacional" in text  # the full title in its language
    assert "Argentina · Action plan 3 (2017–2019)" in text
    assert "2017-08-01 → 2019-06-30" in text
    assert "Cámara de Diputados" in text
    assert "Open Parliaments" in text
    assert "completion (end of term) Substantial" in text
    # Its plan ended in 2019: the IRM's verdict closes it, it is not "overdue".
    assert "🏁 Plan ended; IRM end-of-term verdict: 🟡 Substantial" in text
    assert "Overdue" not in text
    assert "Community status: no reports yet" in text
    assert card.button_texts == ["Report progress", "History", "Full text", "Follow Argentina"]
    links = [e for e in card.entities if e["type"] == "text_link"]
    assert links[0]["url"].endswith("/commitments/ar0045")


async def test_card_community_status_and_latest_reports(demo_bot: Driver, demo_db) -> None:
    _report(demo_db, "KE0012", 1, "Wanjiru", Status.LIMITED, UpdateState.VERIFIED, 20)
    _report(
        demo_db,
        "KE0012",
        2,
        "Otieno <script>",
        Status.COMPLETE,
        UpdateState.PENDING,
        5,
        note="<b>done</b> & dusted",
    )
    _report(demo_db, "KE0012", 3, "Achieng", Status.SUBSTANTIAL, UpdateState.PENDING, 10)
    _report(demo_db, "KE0012", 3, "Achieng", Status.SUBSTANTIAL, UpdateState.PENDING, 30)
    ana = demo_bot.user("Ana")
    text = (await ana.send("/status KE0012"))[0].text
    # The latest verified report wins over newer unverified ones.
    assert "Community status: 🟠 Limited" in text
    assert "Latest reports (4)" in text
    assert "Otieno <script>: <b>done</b> & dusted" in text  # escaped, shown literally
    assert text.count("• ") == 3
    # Its plan ended in 2018: the IRM's verdict stands, not "overdue".
    assert "🏁 Plan ended; IRM end-of-term verdict: 🟡 Substantial" in text
    assert "Overdue" not in text


async def test_unverified_status_is_marked(demo_bot: Driver, demo_db) -> None:
    _report(demo_db, "KE0033", 1, "Wanjiru", Status.COMPLETE, UpdateState.PENDING, 1)
    ana = demo_bot.user("Ana")
    text = (await ana.send("/status KE0033"))[0].text
    # An unverified report sets no status: it is shown apart, marked.
    assert "Community status: no verified report yet" in text
    assert "⏳ Unverified, waiting for a lead: 1 (not counted)" in text
    assert "🟢 Complete (unverified) — Wanjiru" in text


async def test_bare_id_in_private_chat_only(demo_bot: Driver) -> None:
    ana = demo_bot.user("Ana")
    assert (await ana.send("bue0009"))[0].text.startswith("BUE0009 ·")
    group = demo_bot.group("WG", members=[ana], admins=[ana])
    assert await ana.send("KE0012", chat=group) == []
    assert (await ana.send("/status KE0012", chat=group))[0].text.startswith("KE0012 ·")


async def test_unknown_id_and_missing_argument(demo_bot: Driver) -> None:
    ana = demo_bot.user("Ana")
    assert "I know no commitment ZZ9999" in (await ana.send("/status zz9999"))[0].text
    assert "/status AR0045" in (await ana.send("/status"))[0].text
    long_junk = "<b>" * 500
    assert "I know no commitment" in (await ana.send(f"/status {long_junk}"))[0].text


async def test_follow_button_on_card(demo_bot: Driver) -> None:
    ana = demo_bot.user("Ana")
    await ana.send("/status KE0012")
    answer = await ana.press("Follow Kenya")
    assert answer.answer_text == "Following Kenya"
    card = (await ana.send("/status KE0012"))[0]
    assert "Follow Kenya" not in card.button_texts


async def test_full_text_is_split_cleanly(demo_bot: Driver, demo_db) -> None:
    from storage.models import Commitment

    with demo_db.session() as session:
        longest = max(
            session.exec(__import__("sqlmodel").select(Commitment)).all(),
            key=lambda c: len(c.full_text),
        )
        longest.full_text += "\n<tag> & more " * 50
    ana = demo_bot.user("Ana")
    await ana.send(f"/status {longest.id}")
    result = await ana.press("Full text")
    parts = result.replies
    assert len(parts) >= 7  # ~28,000 characters
    for part in parts:
        assert len(part.text) <= 4096
        validate_html(part.html)  # each part is valid HTML on its own
    assert "<tag> & more" in parts[-1].text


async def test_history_from_card_and_paging(demo_bot: Driver, demo_db) -> None:
    for day in range(12):
        _report(
            demo_db,
            "GH0040",
            10 + day,
            f"Member {day}",
            Status.LIMITED,
            UpdateState.PENDING,
            day + 1,
            note=f"note {day}",
        )
    with demo_db.session() as session:
        row = session.get(Report, 1)
        row.state = UpdateState.WITHDRAWN
        refresh_community(session, [row.commitment_id])
    ana = demo_bot.user("Ana")
    await ana.send("/status GH0040")
    result = await ana.press("History")
    history = result.replies[0]
    assert "All reports, newest first (12)" in history.text
    assert "note 1\n" in history.text and "note 10" not in history.text
    # The withdrawn report is listed as withdrawn, struck through, without its note.
    assert "Limited (withdrawn)" in history.text and "note 0" not in history.text
    assert "<s>" in history.html
    await ana.press("Next ›", message=history)
    assert history.edit_count == 1 and "note 10" in history.text
    assert "(12)" in (await ana.send("/history gh0040"))[0].text


async def test_country_plans_then_paged_list_edited_in_place(demo_bot: Driver, demo_db) -> None:
    from storage.models import Commitment

    with demo_db.session() as session:  # the sample's plans are small: add some
        for n in range(100, 115):
            session.add(
                Commitment(
                    id=f"GH0{n}",
                    country_code="GHA",
                    action_plan_id="AP_GHA05",
                    title=f"Extra commitment {n}",
                )
            )
    ana = demo_bot.user("Ana")
    plans = (await ana.send("/country Ghana"))[0]
    labels = [label for label in plans.button_texts if label.startswith("Action plan ")]
    assert plans.button_texts[0] == labels[0]
    numbers = [int(label.split()[2]) for label in labels]
    assert numbers == sorted(numbers, reverse=True)  # newest first
    biggest = max(labels, key=lambda label: int(label.rsplit("·", 1)[1]))
    await ana.press(biggest)
    assert plans.edit_count == 1
    first_page = plans.text
    assert "1. " in first_page and "11. " not in first_page
    await ana.press("Next ›")
    assert plans.edit_count == 2 and "11. " in plans.text
    await ana.press("‹ Prev")
    assert plans.text == first_page
    assert len(ana.messages) == 1  # paging never sent a new message


async def test_list_filters(demo_bot: Driver, demo_db) -> None:
    ana = demo_bot.user("Ana")
    await ana.send("/country Indonesia")
    await ana.press(ana.last_reply.button_texts[0])
    await ana.press("Anti-corruption")
    assert "Filter: Anti-corruption" in ana.last_reply.text
    await ana.press("Overdue")
    assert "Filter: Overdue" in ana.last_reply.text
    assert "⏰" in ana.last_reply.text or "No commitments match" in ana.last_reply.text
    await ana.press("Starred")
    await ana.press("No report in 90 days")
    assert "Filter: No report in 90 days" in ana.last_reply.text
    await ana.press("« Action plans")
    assert "Action plans, newest first" in ana.last_reply.text


async def test_ambiguous_country_offers_choices(demo_bot: Driver) -> None:
    ana = demo_bot.user("Ana")
    replies = await ana.send("/country south")
    assert "Which one did you mean" in replies[0].text
    await ana.press("South Cotabato")
    assert "South Cotabato" in ana.last_reply.text


async def test_search_ranks_and_pages(demo_bot: Driver) -> None:
    ana = demo_bot.user("Ana")
    results = (await ana.send("/search parliament"))[0]
    assert "commitments match parliament" in results.text
    await ana.press("Next ›")
    assert results.edit_count == 1 and "11. " in results.text
    await ana.press(results.buttons[0][0].text)
    assert ana.last_reply.text.startswith(results.buttons[0][0].text)
    nothing = (await ana.send("/search zzqqxx"))[0]
    assert "Nothing found for zzqqxx" in nothing.text
    assert "/search beneficial ownership" in (await ana.send("/search"))[0].text


async def test_search_buttons_belong_to_their_chat(demo_bot: Driver) -> None:
    ana, bob = demo_bot.user("Ana"), demo_bot.user("Bob")
    await ana.send("/search parliament")
    data = ana.last_reply.button("Next ›").callback_data
    await bob.send("/start")
    answer = await bob.press_data(data)  # replayed into another chat
    assert "expired" in answer.answer_text


@pytest.mark.parametrize(
    "data",
    [
        "pl:AP_NOPE:all:0",
        "pl:AP_KEN05:zz:0",
        "cc:ZZ0001",
        "hp:ZZ0001:0",
        "cp:ZZZ",
        "sp:999:0",
        "cf:AR0045:x",
    ],
)
async def test_stale_or_forged_buttons(demo_bot: Driver, data: str) -> None:
    ana = demo_bot.user("Ana")
    await ana.send("/start")
    answer = await ana.press_data(data)
    assert answer.answer_text == "This button has expired. Please send the command again."


async def test_inline_mode_posts_a_card(demo_bot: Driver) -> None:
    ana, bob = demo_bot.user("Ana"), demo_bot.user("Bob")
    group = demo_bot.group("WG", members=[ana, bob])
    results = await ana.inline("kenya open data")
    assert results and results[0]["title"].startswith("KE")
    chosen = await ana.choose_inline(results[0], chat=group)
    assert chosen.message.text.startswith(results[0]["title"].split(" · ")[0])
    assert await ana.inline("   ") == []


async def test_stats_for_a_country_and_for_followed(demo_bot: Driver, demo_db) -> None:
    _report(demo_db, "KE0012", 1, "Wanjiru", Status.COMPLETE, UpdateState.VERIFIED, 3)
    ana = demo_bot.user("Ana")
    text = (await ana.send("/stats Kenya"))[0].text
    assert "Commitments: 8" in text
    assert "Commitments with a verified report in the last 90 days: 1 (12%)" in text
    assert "🟢 Complete: 1" in text
    assert "follow some with /subscribe" in (await ana.send("/stats"))[0].text
    await ana.send("/subscribe Kenya Ghana")
    text = (await ana.send("/stats"))[0].text
    assert "Ghana, Kenya" in text and "Commitments: 31" in text


async def test_stats_count_what_was_reported_lately(demo_bot: Driver, demo_db) -> None:
    """Rejected and withdrawn reports count nowhere; an unverified one is shown apart;
    an old verified one still sets the status, but is not recent."""
    _report(demo_db, "KE0012", 1, "Wanjiru", Status.LIMITED, UpdateState.REJECTED, 3)
    _report(demo_db, "KE0021", 2, "Otieno", Status.LIMITED, UpdateState.WITHDRAWN, 3)
    _report(demo_db, "KE0037", 3, "Achieng", Status.COMPLETE, UpdateState.VERIFIED, 120)
    _report(demo_db, "KE0016", 4, "Kamau", Status.SUBSTANTIAL, UpdateState.PENDING, 10)
    text = (await demo_bot.user("Ana").send("/stats Kenya"))[0].text
    assert "Commitments with a verified report in the last 90 days: 0 (0%)" in text
    assert "Commitments with only unverified reports in the last 90 days: 1 (not counted)" in text
    community = text.split("By community status (verified reports)")[1].split("By IRM")[0]
    assert [line.strip() for line in community.strip().splitlines()] == [
        "🟢 Complete: 1",
        "· not rated / not reported: 7",
    ]
    # Kenya's four commitments past their end date belong to plans that ended.
    assert "Overdue: 0" in text


async def test_commands_work_in_a_group(demo_bot: Driver) -> None:
    ana = demo_bot.user("Ana")
    group = demo_bot.group("WG", members=[ana])
    for command in (
        "/status AR0045",
        "/country Kenya",
        "/search open data",
        "/stats Ghana",
        "/history AR0045",
    ):
        replies = await ana.send(command, chat=group)
        assert replies and replies[0].chat_id == group.id, command
