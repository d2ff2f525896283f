"""Buttons pressed on an inline message (posted "via" the bot into any chat): the
callback query has an inline_message_id and no message, so no chat. The bot puts
no callback buttons there, so any such press is forged and answered as stale."""

from __future__ import annotations

import itertools

import pytest

from bot import callbacks as cb
from bot.emulator import Driver, SentMessage
from tests.conftest import ADMIN_ID, make_lead

EXPIRED = "This button has expired. Please send the command again."
ROUTES = [(name, route) for name, route in vars(cb).items() if isinstance(route, cb.Route)]


def _data_for(route: cb.Route) -> list[str]:
    """Well-formed data for the route, once per choice it may hold."""
    return [route.encode(*args) for args in itertools.product(*(k.examples for k in route.kinds))]


async def _inline_card(bot: Driver) -> SentMessage:
    ana = bot.user("Ana")
    group = bot.group("Kenya WG", members=[ana])
    results = await ana.inline("KE0012")
    return (await ana.choose_inline(results[0], chat=group)).message


@pytest.mark.parametrize(("name", "route"), ROUTES, ids=[name for name, _ in ROUTES])
async def test_forged_press_on_an_inline_message_is_a_stale_button(
    demo_bot: Driver, demo_db, name: str, route: cb.Route
) -> None:
    card = await _inline_card(demo_bot)
    assert card.stored.inline_message_id
    # The admin, a lead of Kenya with a report draft open: every check a handler makes
    # before it looks at the chat passes.
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    await admin.send("/start")
    make_lead(demo_db, ADMIN_ID, "KEN")
    await admin.send("/report KE0012")
    for data in _data_for(route):
        answer = await admin.press_data(data, message=card)
        assert answer.answer_text == EXPIRED, data
        assert answer.replies == [] and card.text.startswith("KE0012")


CHOICE_ROUTES = [
    (name, route)
    for name, route in ROUTES
    if any(isinstance(kind, cb.Choice | cb.Language) for kind in route.kinds)
]


def _outside_the_choices(route: cb.Route) -> list[str]:
    """The route's data with one chosen word at a time replaced by one no button carries."""
    forged = []
    for i, kind in enumerate(route.kinds):
        if isinstance(kind, cb.Choice | cb.Language):
            args = [k.examples[0] for k in route.kinds]
            args[i] = "zz"
            forged.append(cb.SEPARATOR.join([route.prefix, *args]))
    return forged


@pytest.mark.parametrize(("name", "route"), CHOICE_ROUTES, ids=[n for n, _ in CHOICE_ROUTES])
async def test_a_word_outside_a_routes_choices_is_an_expired_button(
    demo_bot: Driver, demo_db, name: str, route: cb.Route
) -> None:
    """Parsing refuses it before any handler runs: the press is answered as a stale
    button and nothing in the chat changes, for a lead and admin whose every right
    and open conversation (a report at its preview) would let a real button through."""
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    await admin.send("/start")
    make_lead(demo_db, ADMIN_ID, "KEN")
    await admin.send("/report KE0012")
    await admin.press("🟠 Limited")
    await admin.send("Budget published.")
    await admin.press("Skip")
    preview = admin.last_reply
    assert preview.button_texts[:3] == ["Send", "Edit", "Cancel"]
    for data in _outside_the_choices(route):
        assert route.parse(data) is None, data
        answer = await admin.press_data(data, message=preview)
        assert answer.answer_text == EXPIRED, data
        assert answer.replies == [], data
    # The report waiting at its preview was not touched: its own Send still sends it.
    await admin.press("Send", message=preview)
    assert "Your report on KE0012 is saved" in admin.last_reply.text


async def test_settings_values_are_checked_per_setting(demo_bot: Driver) -> None:
    """One prefix, a route per setting: an hour is 0-23, a weekday 0-6, a language one we have."""
    ana = demo_bot.user("Ana")
    await ana.send("/subscribe Kenya")
    await ana.send("/settings")
    await ana.press("daily")
    for data in ("st:hour:24", "st:day:7", "st:lang:xx", "st:freq:hourly", "st:rem:maybe"):
        answer = await ana.press_data(data)
        assert answer.answer_text == EXPIRED, data
        assert answer.replies == [], data
    shown = await ana.press_data("st:hour:23")
    assert shown.answer_text != EXPIRED
    assert "23:00" in (await ana.send("/settings"))[0].text


# The longest text each kind of argument accepts.
_LONGEST = {cb.CODE: "ABCDEFGH", cb.COMMITMENT: "KENMS0005", cb.PLAN: "P" * 32}


def _longest(kind: cb.Kind) -> str:
    if kind in _LONGEST:
        return _LONGEST[kind]
    if isinstance(kind, cb.Int):
        return str(kind.high)
    return max(kind.examples, key=len)


@pytest.mark.parametrize(("name", "route"), ROUTES, ids=[name for name, _ in ROUTES])
def test_every_route_fits_telegrams_64_bytes_at_its_longest(name: str, route: cb.Route) -> None:
    data = route.encode(*(_longest(kind) for kind in route.kinds))
    assert len(data.encode()) <= cb.MAX_BYTES, data
