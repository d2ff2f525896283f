"""Numbers people type or buttons carry are range-checked: an id with 400 digits,
a superscript digit or the largest page a button can name is an answer, not a crash."""

from __future__ import annotations

import itertools

import pytest

from bot import callbacks as cb
from bot.emulator import Driver
from tests.conftest import ADMIN_ID, make_lead

HUGE = "9" * 400


@pytest.mark.parametrize("who", [HUGE, "²", "0", str(2**63), str(2**52)])
async def test_grant_and_revoke_with_no_telegram_id_name_nobody(demo_bot: Driver, who) -> None:
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    for command in (f"/grant {who} Kenya", f"/revoke {who} all"):
        reply = (await admin.send(command))[0].text
        assert "I don't know that member." in reply


async def test_working_group_numbers_out_of_range_are_no_group(demo_bot: Driver) -> None:
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    ana = demo_bot.user("Ana", username="ana_k")
    await ana.send("/start")
    for command in (f"/grant @ana_k group {HUGE}", f"/revoke @ana_k group {HUGE}"):
        assert "There is no such working group" in (await admin.send(command))[0].text
    group = demo_bot.group("Kenya WG", members=[admin])
    reply = (await admin.send(f"/linkgroup {HUGE}", chat=group))[0].text
    assert "There is no such working group" in reply


# Arguments a button could carry for each kind, at the top of every range.
_LARGEST = {cb.NUMBER: "999999", cb.CODE: "KEN", cb.COMMITMENT: "KE0012", cb.PLAN: "AP_KEN01"}
_ROUTES_WITH_NUMBERS = [
    (name, route)
    for name, route in vars(cb).items()
    if isinstance(route, cb.Route) and cb.NUMBER in route.kinds
]


@pytest.mark.parametrize(("name", "route"), _ROUTES_WITH_NUMBERS, ids=lambda x: str(x))
async def test_largest_numbers_a_button_can_carry(demo_bot: Driver, demo_db, name, route) -> None:
    """A lead and admin presses each numbered route with 999999 everywhere: every
    press is answered (a page clamped into range, or "expired"), nothing raises."""
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    await admin.send("/start")
    make_lead(demo_db, ADMIN_ID, "KEN")
    await admin.send("/subscribe Kenya")
    await admin.send("/search open data")
    choices = [(_LARGEST[kind],) if kind in _LARGEST else kind.examples for kind in route.kinds]
    for args in itertools.product(*choices):
        with demo_bot.expect_rejections() as rejected:
            result = await admin.press_data(route.encode(*args))
        assert result.answered, (name, args)
        # Showing the last page again is no error for the person: the bot ignores it.
        assert all("message is not modified" in d for d in rejected.descriptions)


async def test_export_and_chart_of_a_working_group_number_out_of_range(demo_bot: Driver) -> None:
    ana = demo_bot.user("Ana")
    for command in (f"/export {HUGE}", f"/chart {HUGE}", f"/export group {HUGE}"):
        reply = (await ana.send(command))[0].text
        assert "I found no OGP member or working group" in reply, reply
