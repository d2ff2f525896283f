"""Buttons pressed on an inline message (posted "via" the bot into any chat): the
callback query has an inline_message_id and no message, so no chat. The bot puts
no callback buttons there, so any such press is forged and answered as stale."""

from __future__ import annotations

import pytest

from bot import callbacks as cb
from bot.emulator import Driver, SentMessage
from tests.conftest import ADMIN_ID, make_lead

EXPIRED = "This button has expired. Please send the command again."
_SAMPLE = {cb.NUMBER: "0", cb.CODE: "KEN", cb.COMMITMENT: "KE0012", cb.PLAN: "AP_KEN01"}
_SAMPLE[cb.USER_ID] = "1001"
_SAMPLE[cb.PLEDGE_ID] = "ACS2016-KEN-01"
# Words every route with a word takes, between them (what the handlers look for).
_WORDS = ("yes", "no", "ok", "page", "edit", "wd", "wdy", "send", "cancel", "digest",
          "done", "skip", "clear", "status", "note", "evidence", "limited", "all", "menu",
          "freq", "lang")  # fmt: skip
_VALUES = ("weekly", "9", "en", "main", "on")
ROUTES = [(name, route) for name, route in vars(cb).items() if isinstance(route, cb.Route)]


def _data_for(route: cb.Route) -> list[str]:
    """Well-formed data for the route, once per word or value it may hold."""
    variants = []
    for word in _WORDS:
        for value in _VALUES if cb.VALUE in route.kinds else ("",):
            args = [_SAMPLE.get(kind, word if kind is cb.WORD else value) for kind in route.kinds]
            variants.append(route.encode(*args))
    return list(dict.fromkeys(variants))


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
