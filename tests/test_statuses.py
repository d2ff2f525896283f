"""Statuses as data, once (storage/statuses.py): what a person sees of a status
(its icon and name, in their language, on buttons, cards and in the export)
comes from the one registry, in the scale's order."""

from __future__ import annotations

from bot import i18n
from bot.emulator import Driver
from storage.statuses import REPORT_STATUSES, Status


def _buttons(language: str) -> list[str]:
    tr = i18n.translation(language)
    return [f"{entry.icon} {tr.gettext(entry.label)}" for entry in REPORT_STATUSES]


async def test_report_offers_every_status_of_the_registry_in_order(demo_bot: Driver) -> None:
    assert [entry.code for entry in REPORT_STATUSES] == list(Status)  # the scale's order
    for language in ("en", "es"):
        ana = demo_bot.user(f"Ana-{language}", language_code=language)
        ask = (await ana.send("/report KE0012"))[0]
        assert ask.button_texts[: len(REPORT_STATUSES)] == _buttons(language)


async def test_each_status_button_records_that_status(demo_bot: Driver) -> None:
    for entry, label in zip(REPORT_STATUSES, _buttons("en"), strict=True):
        ana = demo_bot.user(f"Ana-{entry.button}")
        await ana.send("/report KE0012")
        await ana.press(label)
        assert f"Status: {label}\n" in ana.last_reply.text, entry
        await ana.send("/cancel")
        # A status typed by its name is the same status as its button.
        await ana.send("/report KE0012")
        await ana.send(label.split(" ", 1)[1])
        assert f"Status: {label}\n" in ana.last_reply.text, entry
        await ana.send("/cancel")
