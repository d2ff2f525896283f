"""Issue 11, points 6 and 7: the data stays current, and plan-level reminders.

OGP publishes its export as a Google Sheets CSV: `ogp-bot import` takes its
address, and a daily job imports it and tells admins what changed. The only
network here is loopback, so a local HTTP server serves the export.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.emulator import Driver
from storage.db import Database
from tests.conftest import ADMIN_ID, SHARED_SAMPLE, make_settings, start_bot
from tests.loopback_http import serving

pytestmark = pytest.mark.skipif(not SHARED_SAMPLE.exists(), reason="shared sample not present")

DEC_10_2027 = datetime(2027, 12, 10, 8, 0, tzinfo=UTC)  # Ghana's 5th plan ends 2027-12-31


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder served over loopback HTTP, and its address."""
    folder = tmp_path / "www"
    folder.mkdir()
    with serving(folder) as address:
        yield folder, address


def _sample_rows() -> tuple[list[str], list[dict[str, str]]]:
    with SHARED_SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict[str, str]], **options: str) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, **options)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _next_export(folder: Path) -> Path:
    """The sample as OGP would publish it later: Kenya's sixth plan with a new
    commitment, and the IRM's end-of-term verdict on KE0027 raised to Complete."""
    header, rows = _sample_rows()
    for row in rows:
        if row["Commitment Unique Identifier"] == "KE0027":
            row["Completion (End Of Term)"] = "Complete"
    kenya = next(r for r in rows if r["Commitment Unique Identifier"] == "KE0034")
    new = dict(kenya)
    new.update(
        {
            "Commitment Unique Identifier": "KE0099",
            "Action Plan ID": "AP_KEN06",
            "Action Plan Number": "6",
            "Year Of Submission": "2027",
            "Action Plan End Year": "2031",
            "Commitment Title": "Open county budgets",
            "Start Date": "1/1/2028",
            "End Date": "6/30/2031",
        }
    )
    return _write(folder / "export.csv", header, [*rows, new])


# --------------------------------------------------------------------------- the CLI


def test_import_command_takes_an_address(served, tmp_path: Path, capsys) -> None:
    folder, base = served
    header, rows = _sample_rows()
    _write(folder / "export.csv", header, rows)
    url = f"sqlite:///{tmp_path}/u.db"

    assert main(["--database", url, "import", f"{base}/export.csv"]) == 0
    assert "104 rows: 104 created, 0 updated, 0 unchanged, 0 skipped" in capsys.readouterr().out
    assert main(["--database", url, "import", f"{base}/export.csv"]) == 0
    assert "0 created, 0 updated, 104 unchanged, 0 skipped" in capsys.readouterr().out


def test_import_from_an_address_reports_bad_rows_and_failures(
    served, tmp_path: Path, capsys
) -> None:
    folder, base = served
    (folder / "broken.csv").write_text(
        "Commitment Unique Identifier,Code,Country/Locality,Commitment Title\n"
        "KE0001,KEN,Kenya,Open contracting\n,KEN,Kenya,No id here\n"
    )
    url = f"sqlite:///{tmp_path}/b.db"
    assert main(["--database", url, "import", f"{base}/broken.csv"]) == 1
    captured = capsys.readouterr()
    assert f"{base}/broken.csv:3: skipped" in captured.err
    assert "1 created" in captured.out and "1 skipped" in captured.out

    assert main(["--database", url, "import", f"{base}/missing.csv"]) == 2
    err = capsys.readouterr().err
    assert err == f"ogp-bot: {base}/missing.csv: the server answered 404 File not found\n"


def test_semicolon_csv_is_read(tmp_path: Path, capsys) -> None:
    """Excel in Spanish, French or Portuguese saves "CSV" with semicolons."""
    header, rows = _sample_rows()
    file = _write(tmp_path / "excel-es.csv", header, rows, delimiter=";")
    code = main(["--database", f"sqlite:///{tmp_path}/s.db", "import", str(file)])
    captured = capsys.readouterr()
    assert code == 0
    assert "104 rows: 104 created, 0 updated, 0 unchanged, 0 skipped" in captured.out
    assert "separated by semicolons" in captured.err


def test_a_workbook_or_other_separators_are_explained(tmp_path: Path, capsys) -> None:
    db = f"sqlite:///{tmp_path}/w.db"
    workbook = tmp_path / "export.xlsx"
    workbook.write_bytes(b"PK\x03\x04" + bytes(200))
    assert main(["--database", db, "import", str(workbook)]) == 2
    err = capsys.readouterr().err
    assert "workbook" in err and "save it as CSV" in err and err.count("\n") == 1

    header, rows = _sample_rows()
    tabs = _write(tmp_path / "export.tsv", header, rows[:3], delimiter="\t")
    assert main(["--database", db, "import", str(tabs)]) == 2
    err = capsys.readouterr().err
    assert "separated by commas or semicolons" in err and err.count("\n") == 1


# --------------------------------------------------------------------------- the daily job


async def _follow_with_plan_reminders(
    driver: Driver, name: str, language: str = "en", country: str = "Kenya"
):
    user = driver.user(name, language_code=language)
    await user.send(f"/subscribe {country}")
    settings = (await user.send("/settings"))[0]
    toggle = next(t for t in settings.button_texts if "📅" in t or "Plan" in t or "plan" in t)
    await user.press(toggle, message=settings)
    return user


async def test_daily_import_tells_admins_and_followers_what_changed(
    served, demo_db: Database, tmp_path: Path
) -> None:
    folder, base = served
    _next_export(folder)
    settings = make_settings(demo_db.url, import_url=f"{base}/export.csv")
    async with await start_bot(settings, demo_db) as driver:
        admin = driver.user("Ada", user_id=ADMIN_ID)
        await admin.send("/start")
        follower = await _follow_with_plan_reminders(driver, "Wanjiru")
        other = driver.user("Kofi")
        await other.send("/subscribe Kenya")  # plan reminders left off
        before = len(other.messages)

        await driver.run_jobs()

        notice = admin.last_reply.text
        assert "OGP data updated" in notice
        assert "105 rows: 1 new, 1 updated, 103 unchanged, 0 skipped" in notice
        assert "New action plans" in notice and "Kenya: Action plan 6 (2027–2031)" in notice
        assert "New commitments (1)" in notice and "KE0099" in notice
        assert "KE0027 completion (end of term): Limited → Complete" in notice
        news = follower.last_reply.text
        assert "New action plans in the countries you follow:" in news
        assert "Kenya: Action plan 6 (2027–2031)" in news
        assert len(other.messages) == before

        # Nothing new the next day: no notice; the plan's news is never repeated.
        counts = len(admin.messages), len(follower.messages)
        await driver.run_jobs()
        assert (len(admin.messages), len(follower.messages)) == counts
        await admin.send("/status KE0099")
        assert "Open county budgets" in admin.last_reply.text


async def test_a_failed_daily_import_is_told_and_changes_nothing(served, demo_db: Database) -> None:
    _folder, base = served
    settings = make_settings(demo_db.url, import_url=f"{base}/gone.csv")
    async with await start_bot(settings, demo_db) as driver:
        admin = driver.user("Ada", user_id=ADMIN_ID)
        await admin.send("/start")
        await driver.run_jobs()
        text = admin.last_reply.text
        assert "daily import of OGP's data failed" in text and "404" in text
        await admin.send("/status KE0012")
        assert "KE0012" in admin.last_reply.text


# --------------------------------------------------------------------------- plan reminders


async def test_plan_ending_within_30_days_is_told_once_in_the_chats_language(
    demo_bot: Driver,
) -> None:
    demo_bot.clock.set(DEC_10_2027)
    ana = await _follow_with_plan_reminders(demo_bot, "Ana", language="es", country="Ghana")
    kofi = demo_bot.user("Kofi")
    await kofi.send("/subscribe Ghana")
    before = len(kofi.messages)

    await demo_bot.run_jobs()

    text = ana.last_reply.text
    assert "Planes de acción" in text
    assert "Ghana: Plan de acción 5 (2023–2027) · 2027-12-31" in text
    assert "Kenia" not in text  # not followed
    assert len(kofi.messages) == before  # did not opt in
    await demo_bot.run_jobs()
    demo_bot.clock.set(datetime(2027, 12, 20, 8, 0, tzinfo=UTC))  # a weekly digest comes too
    await demo_bot.run_jobs()
    assert [m.text.startswith("📅 Planes de acción") for m in ana.messages].count(True) == 1


async def test_plan_reminders_setting_is_shown_and_can_be_turned_off(demo_bot: Driver) -> None:
    user = demo_bot.user("Ana")
    await user.send("/subscribe Ghana")
    shown = (await user.send("/settings"))[0]
    assert "Plan reminders: off" in shown.text
    await user.press("Plan reminders: off", message=shown)
    assert "Plan reminders: on (plans ending within 30 days, new plans)" in shown.text
    await user.press("Plan reminders: on", message=shown)
    assert "Plan reminders: off" in shown.text
    demo_bot.clock.set(DEC_10_2027)
    await demo_bot.run_jobs()
    assert not [m for m in user.messages if m.text.startswith("📅 Action plans")]


@pytest.mark.parametrize(
    ("given", "fetched"),
    [
        (
            "https://docs.google.com/spreadsheets/d/1AbC-x_9/edit#gid=42",
            "https://docs.google.com/spreadsheets/d/1AbC-x_9/export?format=csv&gid=42",
        ),
        (
            "https://docs.google.com/spreadsheets/d/1AbC/edit?usp=sharing",
            "https://docs.google.com/spreadsheets/d/1AbC/export?format=csv",
        ),
        (
            "https://docs.google.com/spreadsheets/d/1AbC/export?format=csv&gid=7",
            "https://docs.google.com/spreadsheets/d/1AbC/export?format=csv&gid=7",
        ),
        ("http://127.0.0.1:8000/export.csv", "http://127.0.0.1:8000/export.csv"),
    ],
)
def test_a_google_sheet_page_address_fetches_its_csv(given: str, fetched: str) -> None:
    """People copy the address of the sheet they look at, not its CSV download."""
    from storage.importer import _csv_address

    assert _csv_address(given) == fetched
