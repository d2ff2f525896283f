"""/chart: the numbers come from storage (checked), the PNG from matplotlib (produced)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlmodel import select

from bot.charts import render
from bot.emulator import Driver
from bot.i18n import translation
from storage.charts import SCALE, chart_data
from storage.commitments import irm_status, refresh_community
from storage.export import resolve_scope
from storage.models import Commitment, Report, Status
from tests.conftest import ADMIN_ID

PNG = b"\x89PNG\r\n\x1a\n"


def _report(db, commitment: str, status: str, state: str = "verified", day: int = 1) -> None:
    with db.session() as session:
        session.add(
            Report(
                commitment_id=commitment,
                reporter_id=None,
                status=status,
                state=state,
                note="n",
                created_at=datetime(2025, 1, day, tzinfo=UTC),
            )
        )
        refresh_community(session, [commitment])


def _irm(db, code: str) -> Counter:
    with db.session() as session:
        rows = session.exec(select(Commitment).where(Commitment.country_code == code)).all()
    return Counter(irm_status(c) for c in rows)


def test_country_chart_data(demo_db) -> None:
    _report(demo_db, "KE0012", "limited", day=1)
    _report(demo_db, "KE0012", "complete", state="pending", day=2)  # verified one wins
    _report(demo_db, "KE0021", "substantial", state="pending")  # unverified: not counted
    _report(demo_db, "KE0037", "complete", state="withdrawn")  # does not count
    data = chart_data(demo_db, resolve_scope(demo_db, None, "Kenya"))
    assert data.single and data.title == "Kenya" and data.total == 8
    assert data.community == {
        Status.NOT_STARTED: 0,
        Status.LIMITED: 1,
        Status.SUBSTANTIAL: 0,
        Status.COMPLETE: 0,
        Status.WITHDRAWN: 0,
        None: 7,
    }
    irm = _irm(demo_db, "KEN")
    assert data.irm == {status: irm.get(status, 0) for status in SCALE}
    assert sum(data.irm.values()) == 8
    png = render(data, translation("en"))
    assert png.startswith(PNG) and len(png) > 10_000


def test_group_chart_has_one_bar_per_country(demo_db) -> None:
    from storage.models import WorkingGroup

    with demo_db.session() as session:
        session.add(WorkingGroup(name="West Africa", countries=["GHA", "NGA", "KEN"]))
    _report(demo_db, "GH0001", "complete")
    data = chart_data(demo_db, resolve_scope(demo_db, None, "group West Africa"))
    assert data.title == "West Africa" and not data.single
    assert [bar.code for bar in data.countries] == ["GHA", "KEN", "NGA"]  # by name
    ghana = data.countries[0]
    assert ghana.total == 23 and ghana.community[Status.COMPLETE] == 1
    assert ghana.community[None] == 22
    for bar in data.countries:
        assert sum(bar.community.values()) == sum(bar.irm.values()) == bar.total
        assert bar.irm == {s: _irm(demo_db, bar.code).get(s, 0) for s in SCALE}
    png = render(data, translation("en"))
    assert png.startswith(PNG) and len(png) > 10_000


async def test_chart_command(demo_bot: Driver, demo_db) -> None:
    ana = demo_bot.user("Ana")
    replies = await ana.send("/chart Kenya")
    photo = replies[0].photo
    assert photo is not None and photo.content.startswith(PNG) and len(photo.content) > 10_000
    assert "Kenya: 8 commitments by community status" in replies[0].caption

    assert "Which country?" in (await ana.send("/chart"))[0].text
    assert "called Atlantis" in (await ana.send("/chart Atlantis"))[0].text
    await ana.send("/subscribe Ghana Nigeria")
    replies = await ana.send("/chart")
    assert "Ghana, Nigeria: 32 commitments" in replies[0].caption

    # In a working group's chat, /chart alone draws the group, one bar per country.
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    await admin.send("/newgroup Anti-Corruption WG: Kenya, Ghana")
    chat = demo_bot.group("AC", members=[admin, ana])
    await admin.send("/linkgroup", chat=chat)
    replies = await ana.send("/chart", chat=chat)
    assert replies[0].photo.content.startswith(PNG)
    assert "Anti-Corruption WG: 31 commitments" in replies[0].caption
