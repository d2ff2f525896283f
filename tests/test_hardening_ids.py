"""One definition of a commitment id: what the importer accepts, every command,
search, inline answer and button can carry; ids typed loosely are understood."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot import callbacks as cb
from bot.emulator import Driver
from storage.db import Database
from storage.importer import demo_csv_path, import_csv
from tests.conftest import start_bot
from tests.test_hardening_inline_buttons import EXPIRED

# Shapes OGP really publishes: 2-letter countries, 3-letter local members, and the
# five-letter prefixes of newer local members.
ACCEPTED = ["AL0066", "UK0051", "BUE0009", "PNG0001", "KENMS0005", "KENDC0003"]
# What the old importer let through and no button could carry, and near misses.
REJECTED = ["ABCDEFGH12345678", "K0012", "KE00123", "KE012", "ABCDEF0001", "KE-0012"]


def _import(db: Database, tmp_path: Path, ids: list[str]) -> list[str]:
    """Import one copy of the KE0012 demo row per id; the ids the importer skipped."""
    with demo_csv_path().open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        base = next(r for r in reader if r["Commitment Unique Identifier"] == "KE0012")
    path = tmp_path / "ids.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header)
        writer.writeheader()
        for commitment_id in ids:
            writer.writerow({**base, "Commitment Unique Identifier": commitment_id})
    result = import_csv(db, path)
    for problem in result.skipped:
        assert "malformed commitment id" in problem.reason
    return [problem.commitment_id for problem in result.skipped]


async def test_importer_takes_only_ids_buttons_can_carry(settings, demo_db, tmp_path) -> None:
    assert _import(demo_db, tmp_path, ACCEPTED + REJECTED) == REJECTED
    async with await start_bot(settings, demo_db) as driver:
        ana = driver.user("Ana")
        for commitment_id in ACCEPTED:
            card = (await ana.send(f"/status {commitment_id}"))[0]
            assert card.text.startswith(f"{commitment_id} · ")
            assert card.button_texts[:3] == ["Report progress", "History", "Full text"]
            history = await ana.press("History", message=card)
            assert commitment_id in history.replies[0].text
        # What the importer refused is simply unknown, never a crash.
        reply = (await ana.send("/status ABCDEFGH12345678"))[0].text
        assert "I know no commitment ABCDEFGH12345678" in reply


async def test_every_shape_works_in_commands_search_inline_and_buttons(
    settings, demo_db, tmp_path
) -> None:
    _import(demo_db, tmp_path, ["KENMS0005"])
    async with await start_bot(settings, demo_db) as driver:
        ana = driver.user("Ana")
        assert (await ana.send("KENMS0005"))[0].text.startswith("KENMS0005 · ")
        history = (await ana.send("/history KENMS0005"))[0].text
        assert history.startswith("KENMS0005")
        found = (await ana.send("/search KENMS0005"))[0]
        assert "KENMS0005" in found.text
        results = await ana.inline("KENMS0005")
        assert results[0]["title"].startswith("KENMS0005 · ")
        ask = (await ana.send("/report KENMS0005"))[0]
        assert "KENMS0005" in ask.text and "Limited" in " ".join(ask.button_texts)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("al-0066", "AL0066"),
        ("AL 0066", "AL0066"),
        ("al0066", "AL0066"),
        ("kenms-0005", "KENMS0005"),
        ("Bue.0009", "BUE0009"),
    ],
)
async def test_loosely_typed_ids_are_understood(
    settings, demo_db, tmp_path, typed: str, canonical: str
) -> None:
    _import(demo_db, tmp_path, [canonical])
    async with await start_bot(settings, demo_db) as driver:
        ana = driver.user("Ana")
        assert (await ana.send(f"/status {typed}"))[0].text.startswith(f"{canonical} · ")
        assert (await ana.send(typed))[0].text.startswith(f"{canonical} · ")
        assert (await ana.send(f"/history {typed}"))[0].text.startswith(canonical)
        found = (await ana.send(f"/search {typed}"))[0].text
        # A copy of KE0012: its plan ended in 2018, the IRM rated it Substantial.
        assert found.startswith("1 commitment matches") and f"1. · 🏁🟡 {canonical} " in found
        assert (await ana.inline(typed))[0]["title"].startswith(f"{canonical} · ")
        ask = (await ana.send(f"/report {typed}"))[0]
        assert canonical in ask.text
        await ana.send("/cancel")
        await ana.send("/report")
        status = (await ana.send(typed))[0]
        assert canonical in status.text and "Limited" in " ".join(status.button_texts)


async def test_unknown_and_odd_ids_get_a_clear_answer(demo_bot: Driver) -> None:
    ana = demo_bot.user("Ana")
    for text in ("/status ZZ9999", "/status ABCDEFGH12345678", "/history ABCDEFGH12345678"):
        assert "I know no commitment" in (await ana.send(text))[0].text


async def test_buttons_carry_the_ids_commands_take_and_refuse_the_rest(
    settings, demo_db, tmp_path
) -> None:
    """Button data reads ids with the same definition (storage.ids) as commands and
    the importer: a card's button opens every imported shape; an id the importer
    refuses is refused in button data too (stale button), and is unknown to /status."""
    _import(demo_db, tmp_path, ACCEPTED)
    never = ["ABCDEFGH12345678", "K0012", "KE00123", "ABCDEF0001"]
    async with await start_bot(settings, demo_db) as driver:
        ana = driver.user("Ana")
        await ana.send("/start")
        for commitment_id in ACCEPTED:
            opened = await ana.press_data(cb.CARD.encode(commitment_id))
            assert opened.replies[0].text.startswith(f"{commitment_id} · "), commitment_id
        for typed in never:
            pressed = await ana.press_data(f"{cb.CARD.prefix}{cb.SEPARATOR}{typed}")
            assert pressed.answer_text == EXPIRED and pressed.replies == [], typed
            assert "I know no commitment" in (await ana.send(f"/status {typed}"))[0].text, typed
