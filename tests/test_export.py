"""/export and `ogp-bot export`: CSV files opened and parsed, identities only for leads."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import col, select

from bot.__main__ import main
from bot.emulator import Driver
from storage.commitments import refresh_community
from storage.models import AuditLog, Commitment, Evidence, Report
from tests.conftest import ADMIN_ID, make_lead


def _rows(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # a BOM, for spreadsheet programs
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _cli_export(database_url: str, what: str, out: Path, *more: str) -> int:
    """`ogp-bot export` as a person types it: its exit code."""
    return main(["--database", database_url, "export", "--what", what, "--out", str(out), *more])


def _add_report(
    db,
    reporter_id: int | None,
    commitment: str,
    status: str,
    note: str,
    *,
    state: str = "pending",
    day: int = 1,
    link: str = "",
) -> int:
    with db.session() as session:
        update = Report(
            commitment_id=commitment,
            reporter_id=reporter_id,
            status=status,
            note=note,
            state=state,
            created_at=datetime(2025, 3, day, 12, tzinfo=UTC),
            updated_at=datetime(2025, 3, day, 12, tzinfo=UTC),
        )
        session.add(update)
        session.flush()
        if link:
            session.add(Evidence(update_id=update.id, kind="link", url=link))
            session.add(
                Evidence(update_id=update.id, kind="photo", file_id="F1", caption="hearing")
            )
        refresh_community(session, [commitment])
        return update.id


async def _reports(demo_bot: Driver, demo_db):
    ana = demo_bot.user("Ana")
    await ana.send("/start")
    _add_report(demo_db, ana.id, "KE0012", "limited", "Bill tabled", day=1)
    _add_report(
        demo_db,
        ana.id,
        "KE0012",
        "substantial",
        '=HYPERLINK("http://evil")',
        state="verified",
        day=2,
        link="https://parliament.go.ke/x",
    )
    _add_report(demo_db, None, "KE0021", "complete", "Done, says a former member", day=3)
    return ana


async def test_member_exports_public_data(demo_bot: Driver, demo_db) -> None:
    ana = await _reports(demo_bot, demo_db)
    replies = await ana.send("/export Kenya")
    commitments_msg, reports_msg = replies
    assert commitments_msg.document.filename.startswith("ogp-commitments-ken-")
    assert commitments_msg.document.filename.endswith(".csv")
    assert "Commitments of Kenya" in commitments_msg.caption
    rows = _rows(commitments_msg.document.content)
    with demo_db.session() as session:
        kenya = session.exec(select(Commitment).where(Commitment.country_code == "KEN")).all()
    assert sorted(r["Commitment Unique Identifier"] for r in rows) == sorted(c.id for c in kenya)
    for column in (
        "Country/Locality",
        "Commitment Title",
        "Start Date",
        "End Date",
        "Completion (End Of Term)",
        "Community Status",
    ):
        assert column in rows[0]
    ke12 = next(r for r in rows if r["Commitment Unique Identifier"] == "KE0012")
    # The latest verified report wins over a pending one.
    assert ke12["Community Status"] == "Substantial"
    assert ke12["Community Status Verified"] == "yes" and ke12["Reports"] == "2"
    assert ke12["Country/Locality"] == "Kenya"
    # KE0021 has only a pending report: no community status until a lead verifies it.
    assert (
        next(r for r in rows if r["Commitment Unique Identifier"] == "KE0021")["Community Status"]
        == ""
    )

    reports = _rows(reports_msg.document.content)
    assert [r["Status"] for r in reports] == ["Limited", "Substantial", "Complete"]
    assert [r["Verification"] for r in reports] == ["pending", "verified", "pending"]
    assert "Reporter" not in reports[0] and "Reporter ID" not in reports[0]
    assert "only with leads and admins" in reports_msg.caption
    second = reports[1]
    assert second["Note"] == '\'=HYPERLINK("http://evil")'  # no formula in a spreadsheet
    assert second["Evidence"] == "https://parliament.go.ke/x | photo: hearing"
    assert second["Reported At"] == "2025-03-02T12:00:00+00:00"
    with demo_db.session() as session:
        entry = session.exec(select(AuditLog).where(AuditLog.action == "export")).one()
    assert entry.actor_id == ana.id and "KEN" in entry.detail


async def test_admin_and_leads_see_reporters_in_private_only(demo_bot: Driver, demo_db) -> None:
    ana = await _reports(demo_bot, demo_db)
    _add_report(demo_db, ana.id, "GH0001", "limited", "Ghana note", day=4)
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    reports = _rows((await admin.send("/export Kenya"))[1].document.content)
    assert [r["Reporter"] for r in reports] == ["Ana", "Ana", "former member"]
    assert reports[0]["Reporter ID"] == str(ana.id)

    leo = demo_bot.user("Leo")
    await leo.send("/start")
    make_lead(demo_db, leo.id, "KEN")
    replies = await leo.send("/export Kenya, Ghana")
    reports = _rows(replies[1].document.content)
    by_code = {(r["Code"], r["Reporter"]) for r in reports}
    assert ("KEN", "Ana") in by_code and ("GHA", "") in by_code  # only their own countries

    group = demo_bot.group("WG", members=[leo, ana])
    replies = await leo.send("/export Kenya", chat=group)
    assert "Reporter" not in _rows(replies[1].document.content)[0]
    with demo_db.session() as session:
        details = session.exec(
            select(AuditLog.detail).where(AuditLog.action == "export").order_by(col(AuditLog.id))
        ).all()
    assert details == [
        "countries:KEN with identities",
        "countries:KEN,GHA with identities",
        "countries:KEN",
    ]


async def test_export_scopes(demo_bot: Driver, demo_db) -> None:
    ana = demo_bot.user("Ana")
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    await admin.send("/newgroup West Africa WG: Ghana, Nigeria")
    replies = await ana.send("/export Atlantis")
    assert "I found no OGP member or working group called Atlantis" in replies[0].text
    replies = await ana.send("/export west africa wg")
    rows = _rows(replies[0].document.content)
    assert {r["Code"] for r in rows} == {"GHA", "NGA"}
    assert replies[0].document.filename.startswith("ogp-commitments-west-africa-wg-")
    # Without an argument: what the chat follows; following nothing: everything.
    everything = _rows((await ana.send("/export"))[0].document.content)
    assert len(everything) == 104
    await ana.send("/subscribe Kenya")
    assert {r["Code"] for r in _rows((await ana.send("/export"))[0].document.content)} == {"KEN"}


async def test_cli_export(demo_db, tmp_path: Path, capsys) -> None:
    _add_report(demo_db, None, "KE0012", "limited", "note, with comma\nand a line")
    out = tmp_path / "reports.csv"
    code = _cli_export(demo_db.url, "reports", out, "--country", "KEN")
    assert code == 0
    rows = _rows(out.read_bytes())
    assert len(rows) == 1 and rows[0]["Note"] == "note, with comma\nand a line"
    assert rows[0]["Reporter"] == "former member"
    out = tmp_path / "commitments.csv"
    assert _cli_export(demo_db.url, "commitments", out) == 0
    assert len(_rows(out.read_bytes())) == 104
    capsys.readouterr()

    code = _cli_export(demo_db.url, "reports", out, "--country", "ZZZ")
    err = capsys.readouterr().err
    assert code == 2 and err.strip() == "ogp-bot: ZZZ: no such OGP member"
    code = _cli_export(demo_db.url, "reports", tmp_path / "no" / "x.csv")
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "no such directory" in err


async def test_cli_reports_export_is_readable_by_its_owner_only(demo_db, tmp_path: Path) -> None:
    """Reports name their reporters: the file is 0600, even one written over an old 0644."""
    import stat

    _add_report(demo_db, None, "KE0012", "limited", "seen on site")
    fresh, old = tmp_path / "fresh.csv", tmp_path / "old.csv"
    old.write_text("stale")
    old.chmod(0o644)
    for out in (fresh, old):
        assert _cli_export(demo_db.url, "reports", out) == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
        assert _rows(out.read_bytes())[0]["Note"] == "seen on site"
