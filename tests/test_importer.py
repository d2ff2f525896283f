"""Tests for storage.importer: OGP's commitment export into the database."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from storage.db import Database
from storage.importer import (
    POLICY_AREA_COLUMNS,
    ImportFileError,
    ImportResult,
    RowError,
    demo_csv_path,
    import_csv,
    import_demo_if_empty,
    parse_ogp_date,
)
from storage.models import ActionPlan, Commitment, Country

SAMPLE = Path(__file__).parents[2] / "shared" / "data" / "ogp-commitments-sample.csv"

# From the data README: rows per member (code) in the sample / demo file.
EXPECTED_PER_COUNTRY = {
    "BRA": 2,
    "IDN": 16,
    "KEN": 8,
    "GHA": 23,
    "ARG": 7,
    "ARBA": 1,
    "ESP": 10,
    "ESMD": 1,
    "FRA": 3,
    "CIV": 5,
    "NGA": 9,
    "NGKD": 1,
    "MXJL": 1,
    "GBR": 4,
    "GBSC": 3,
    "PHL": 8,
    "PHSC": 2,
}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def db(db: Database) -> Database:
    """Migrated, without the shipped countries: the importer creates what it reads."""
    with db.session() as session:
        session.execute(sa.delete(Country))
    return db


@pytest.fixture(scope="module", params=["sample", "demo"])
def source_file(request: pytest.FixtureRequest) -> Path:
    if request.param == "sample":
        if not SAMPLE.is_file():
            pytest.skip("shared sample file not present")
        return SAMPLE
    return demo_csv_path()


def write_csv(
    path: Path,
    header: list[str],
    rows: list[list[str]],
    *,
    encoding: str = "utf-8",
) -> list[int]:
    """Write a CSV and return the physical start line of every data row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    starts = []
    for row in rows:
        starts.append(buffer.getvalue().count("\n") + 1)
        writer.writerow(row)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return starts


def row_from(header: list[str], base: dict[str, str], **changes: str) -> list[str]:
    """A record in header order: ``base`` with changes (keys by column name)."""
    values = dict(base)
    values.update({k.replace("__", " "): v for k, v in changes.items()})
    return [values.get(name, "") for name in header]


def by_id(rows: list[dict[str, str]], cid: str) -> dict[str, str]:
    return next(r for r in rows if r["Commitment Unique Identifier"] == cid)


def commitments(db: Database) -> dict[str, Commitment]:
    with db.session() as session:
        return {c.id: c for c in session.exec(select(Commitment))}


def count_commitments(db: Database) -> int:
    with db.session() as session:
        return session.exec(select(sa.func.count()).select_from(Commitment)).one()


# --------------------------------------------------------------------------- parse_ogp_date


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        # US month/day/year, the common form
        ("9/1/2019", False, date(2019, 9, 1)),
        ("8/1/2017", False, date(2017, 8, 1)),
        ("6/30/2019", True, date(2019, 6, 30)),
        ("12/31/2022", True, date(2022, 12, 31)),
        # day/month/year when the first number is over 12
        ("31/12/2014", True, date(2014, 12, 31)),
        ("28/5/2014", False, date(2014, 5, 28)),
        # two-digit year
        ("10/1/18", False, date(2018, 10, 1)),
        ("10/1/18", True, date(2018, 10, 1)),
        # zero-padded, ambiguous: read the US way
        ("02/3/2014", True, date(2014, 2, 3)),
        # a year alone
        ("2019", False, date(2019, 1, 1)),
        ("2019", True, date(2019, 12, 31)),
        # month and year
        ("July 2019", False, date(2019, 7, 1)),
        ("July 2019", True, date(2019, 7, 31)),
        ("January 2021", False, date(2021, 1, 1)),
        ("December 2022", True, date(2022, 12, 31)),
        ("February 2024", True, date(2024, 2, 29)),
        ("April 2012", True, date(2012, 4, 30)),
        ("march 2012", False, date(2012, 3, 1)),
        ("Sept. 2019", True, date(2019, 9, 30)),
        ("Dec 2020", False, date(2020, 12, 1)),
        # Excel damage: serial day number = year
        ("7/16/1905", False, date(2024, 1, 1)),
        ("7/15/1905", False, date(2023, 1, 1)),
        ("7/19/1905", True, date(2027, 12, 31)),
        ("7/20/1905", True, date(2028, 12, 31)),
        ("7/16/1905", True, date(2024, 12, 31)),
        # other tolerated forms
        ("2019-09-01", False, date(2019, 9, 1)),
        ("2019-09-01 00:00:00", False, date(2019, 9, 1)),
        ("1 July 2019", False, date(2019, 7, 1)),
        ("July 1, 2019", True, date(2019, 7, 1)),
        ("43709", False, date(2019, 9, 1)),
        ("  9/1/2019 \n", False, date(2019, 9, 1)),
        # no data
        ("ND", False, None),
        ("NR", True, None),
        ("NA", False, None),
        ("", True, None),
        ("   ", False, None),
        (None, False, None),
    ],
)
def test_parse_ogp_date(text: str | None, end: bool, expected: date | None) -> None:
    assert parse_ogp_date(text, end=end) == expected


@pytest.mark.parametrize(
    "text",
    ["soon", "13/13/2019", "2/30/2019", "Smarch 2019", "1/1/1850", "1812", "3019", "Q3 2019"],
)
def test_parse_ogp_date_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError):
        parse_ogp_date(text, end=False)


def test_excel_years_agree_with_action_plan_years(
    demo_records: tuple[list[str], list[dict[str, str]]],
) -> None:
    """Every 1905 date in the file, read back as a year, falls in its plan's years."""
    _, rows = demo_records
    checked = 0
    for row in rows:
        first = int(row["Year Of Submission"])
        last = int(row["Action Plan End Year"])
        for column, end in (("Start Date", False), ("End Date", True)):
            if row[column].endswith("/1905"):
                year = parse_ogp_date(row[column], end=end).year  # type: ignore[union-attr]
                assert first <= year <= last + 1, (row["Commitment Unique Identifier"], year)
                checked += 1
    assert checked >= 10


# --------------------------------------------------------------------------- header


def test_policy_area_constant_is_the_header_slice(
    demo_records: tuple[list[str], list[dict[str, str]]],
) -> None:
    header, _ = demo_records
    start = header.index("Anti-Corruption and Integrity")
    stop = header.index("Money in Politics")
    assert tuple(header[start : stop + 1]) == POLICY_AREA_COLUMNS
    assert "Commitment Dummy" not in POLICY_AREA_COLUMNS
    assert "Subnational in NAPs" not in POLICY_AREA_COLUMNS
    assert not any(c.startswith(("OGP Value", "_")) for c in POLICY_AREA_COLUMNS)


def test_demo_file_is_shipped_and_matches_sample() -> None:
    path = demo_csv_path()
    assert path.is_file()
    if SAMPLE.is_file():
        assert path.read_bytes() == SAMPLE.read_bytes()


# --------------------------------------------------------------------------- whole file


def test_import_whole_file(db: Database, source_file: Path) -> None:
    result = import_csv(db, source_file)

    assert isinstance(result, ImportResult)
    assert (result.created, result.updated, result.unchanged) == (104, 0, 0)
    assert result.ok and result.skipped == []
    assert result.warnings == []
    assert result.summary() == "104 rows: 104 created, 0 updated, 0 unchanged, 0 skipped"
    assert result.per_country == EXPECTED_PER_COUNTRY
    with source_file.open(encoding="utf-8-sig", newline="") as fh:
        from_file = Counter(r["Code"] for r in csv.DictReader(fh))
    assert result.per_country == dict(from_file)

    stored = commitments(db)
    assert len(stored) == 104
    assert Counter(c.country_code for c in stored.values()) == from_file
    assert sum(c.anti_corruption for c in stored.values()) == 24
    assert sum("Anti-Corruption and Integrity" in c.policy_areas for c in stored.values()) == 24

    with db.session() as session:
        countries = {c.code: c for c in session.exec(select(Country))}
        plans = {p.id: p for p in session.exec(select(ActionPlan))}
    assert set(countries) == set(EXPECTED_PER_COUNTRY)
    assert all(c.action_plan_id in plans for c in stored.values())


def test_rows_read_right(db: Database) -> None:
    import_csv(db, demo_csv_path())
    stored = commitments(db)

    ar = stored["AR0045"]
    assert ar.country_code == "ARG"
    assert ar.action_plan_id == "AP_ARG03"
    assert ar.ogp_row_id == 122
    assert ar.number == "11"
    assert ar.title == "Apertura de datos del Congreso Nacional"
    assert ar.short_title == "Opening Data from the National Congress"
    assert ar.theme == "Transparencia"
    assert ar.start_date == date(2017, 8, 1)
    assert ar.end_date == date(2019, 6, 30)
    assert ar.completion_end_term == "Substantial"
    assert ar.completion_progress is None  # NA
    assert ar.specificity is None  # ND
    assert ar.verifiable == "Yes"
    assert ar.potential_impact == "Transformative"
    assert ar.did_it_open_government == "Major"
    assert ar.starred is True  # End of Term star, though "Star - Most Recently Assessed" is 0
    assert ar.irm_assessed is True
    assert ar.anti_corruption is False
    assert "Open Parliaments" in ar.policy_areas
    assert "Open Data" in ar.policy_areas
    assert "Digital Participation" not in ar.policy_areas  # ND in a tag column
    assert ar.url == "https://opengovpartnership.org/members/argentina/commitments/ar0045"
    assert ar.lead_institution.startswith("Cámara de Diputados")

    # D/M/Y dates
    assert stored["ID0041"].start_date == date(2014, 5, 28)
    assert stored["ID0041"].end_date == date(2014, 12, 31)
    assert stored["GH0001"].end_date == date(2014, 12, 31)
    # month names
    assert stored["ID0126"].start_date == date(2021, 1, 1)
    assert stored["ID0126"].end_date == date(2022, 12, 31)
    assert stored["ES0003"].start_date == date(2012, 1, 1)  # "2012"
    assert stored["ES0003"].end_date == date(2012, 4, 30)  # "April 2012"
    # year alone, end date
    assert stored["UK0051"].start_date is None
    assert stored["UK0051"].end_date == date(2015, 12, 31)
    # two-digit year
    assert stored["BR0106"].start_date == date(2018, 10, 1)
    # Excel damage: 7/16/1905 .. 7/19/1905 in a 2023-2027 plan
    assert stored["KE0037"].start_date == date(2024, 1, 1)
    assert stored["KE0037"].end_date == date(2027, 12, 31)
    assert stored["PH0068"].start_date == date(2023, 1, 1)
    # NA dates, NA theme
    mad = stored["MAD0005"]
    assert mad.start_date is None and mad.end_date is None
    assert mad.country_code == "ESMD"
    assert mad.theme == ""  # "NA" in a text field
    # Excel float damage in commitment numbers
    assert {c.number for c in stored.values()} >= {"1.1", "10.13", "2.7", "2A"}
    # starred: Progress Report star when End of Term has no data
    assert stored["ES0001"].starred is True  # End of Term ND, Progress Report 1
    assert stored["BUE0009"].starred is False  # Progress Report 0 beats the summary's 1
    assert stored["KE0021"].starred is False  # no report star: the summary column (0)
    not_assessed = [c for c in stored.values() if not c.irm_assessed]
    assert not_assessed and all(c.starred is None for c in not_assessed)
    assert sum(c.starred is True for c in stored.values()) >= 5


def test_countries_created_from_file(db: Database) -> None:
    import_csv(db, demo_csv_path())
    with db.session() as session:
        countries = {c.code: c for c in session.exec(select(Country))}
    arba = countries["ARBA"]
    assert (arba.name, arba.ogp_name, arba.kind, arba.parent, arba.region) == (
        "Buenos Aires",
        "Buenos Aires, Argentina",
        "local",
        "ARG",
        "Americas",
    )
    assert countries["GBSC"].parent == "GBR"
    assert countries["MXJL"].parent == "MEX"
    assert countries["ARG"].kind == "national"
    assert countries["ARG"].iso2 == "AR"
    assert countries["ARG"].parent is None
    assert countries["CIV"].iso2 == "CI"
    assert countries["CIV"].name == "Cote d'Ivoire"


def test_existing_reference_country_is_kept(db: Database) -> None:
    with db.session() as session:
        session.add(Country(code="CIV", name="Côte d'Ivoire", iso2="CI", region=""))
        session.add(
            Country(
                code="ARBA",
                name="Ciudad de Buenos Aires",
                kind="local",
                parent="ARG",
                ogp_name="Custom",
                region="Americas",
            )
        )
    import_csv(db, demo_csv_path())
    with db.session() as session:
        civ = session.get(Country, "CIV")
        arba = session.get(Country, "ARBA")
    assert civ is not None and arba is not None
    assert civ.name == "Côte d'Ivoire"
    assert civ.ogp_name == "Cote d'Ivoire"  # filled
    assert civ.region == "Africa and the Middle East"  # filled
    assert arba.name == "Ciudad de Buenos Aires"
    assert arba.ogp_name == "Custom"  # not overwritten


# --------------------------------------------------------------------------- idempotence


def test_second_import_changes_nothing(db: Database) -> None:
    import_csv(db, demo_csv_path())
    before = commitments(db)
    result = import_csv(db, demo_csv_path())
    assert (result.created, result.updated, result.unchanged) == (0, 0, 104)
    assert result.summary() == "104 rows: 0 created, 0 updated, 104 unchanged, 0 skipped"
    assert count_commitments(db) == 104
    after = commitments(db)
    assert after["AR0045"].imported_at == before["AR0045"].imported_at


def test_changed_title_is_one_update(
    db: Database, tmp_path: Path, demo_records: tuple[list[str], list[dict[str, str]]]
) -> None:
    header, rows = demo_records
    import_csv(db, demo_csv_path())
    changed = [dict(r) for r in rows]
    by_id(changed, "KE0012")["Commitment Title"] = "A new title"
    path = tmp_path / "changed.csv"
    write_csv(path, header, [[r[h] for h in header] for r in changed])

    result = import_csv(db, path)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 103)
    assert count_commitments(db) == 104
    assert commitments(db)["KE0012"].title == "A new title"


# --------------------------------------------------------------------------- broken input


def test_broken_rows_are_skipped_with_line_numbers(
    db: Database, tmp_path: Path, demo_records: tuple[list[str], list[dict[str, str]]]
) -> None:
    header, rows = demo_records
    base = by_id(rows, "KE0012")
    records = [
        row_from(header, base, **{"Commitment Unique Identifier": "KE9001"}),
        # multi-line record: later line numbers must count its physical lines
        row_from(
            header,
            base,
            **{"Commitment Unique Identifier": "KE9002", "Commitment Title": "One\nTwo\nThree"},
        ),
        row_from(header, base, **{"Commitment Unique Identifier": ""}),
        row_from(header, base, **{"Commitment Unique Identifier": "#REF!"}),
        row_from(header, base, **{"Commitment Unique Identifier": "KE9003", "Code": ""}),
        row_from(header, base, **{"Commitment Unique Identifier": "KE9004"})[:20],
        row_from(header, base, **{"Commitment Unique Identifier": " ke9005 "}),
        row_from(header, base, **{"Commitment Unique Identifier": "KE9001"}),
    ]
    path = tmp_path / "broken.csv"
    starts = write_csv(path, header, records)
    assert starts[:3] == [2, 3, 6]

    result = import_csv(db, path)

    assert not result.ok
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert [(e.line, e.commitment_id) for e in result.skipped] == [
        (starts[2], None),
        (starts[3], "#REF!"),
        (starts[4], "KE9003"),
        (starts[5], "KE9004"),
        (starts[7], "KE9001"),
    ]
    reasons = [e.reason for e in result.skipped]
    assert "no commitment id" in reasons[0]
    assert "malformed commitment id" in reasons[1]
    assert "no country code" in reasons[2]
    assert "wrong column count" in reasons[3]
    assert "duplicate" in reasons[4]
    assert str(result.skipped[0]).startswith(f"line {starts[2]}")
    assert result.summary().startswith("8 rows: 3 created, 0 updated, 0 unchanged, 5 skipped")
    stored = commitments(db)
    assert set(stored) == {"KE9001", "KE9002", "KE9005"}
    assert stored["KE9002"].title == "One\nTwo\nThree"


def test_unparseable_date_imports_with_warning(
    db: Database, tmp_path: Path, demo_records: tuple[list[str], list[dict[str, str]]]
) -> None:
    header, rows = demo_records
    base = by_id(rows, "KE0012")
    path = tmp_path / "dates.csv"
    starts = write_csv(
        path,
        header,
        [
            row_from(header, base, **{"Start Date": "sometime soon", "End Date": "31/31/2020"}),
            row_from(header, base, **{"Commitment Unique Identifier": "KE9010", "id": "x"}),
        ],
    )
    result = import_csv(db, path)
    assert result.ok
    assert result.created == 2
    assert [(w.line, w.commitment_id) for w in result.warnings] == [
        (starts[0], "KE0012"),
        (starts[0], "KE0012"),
        (starts[1], "KE9010"),
    ]
    assert "Start Date" in result.warnings[0].reason
    assert "End Date" in result.warnings[1].reason
    assert result.summary().endswith("; 3 warnings")
    stored = commitments(db)
    assert stored["KE0012"].start_date is None and stored["KE0012"].end_date is None
    assert stored["KE9010"].ogp_row_id is None


def test_cp1252_file(
    db: Database, tmp_path: Path, demo_records: tuple[list[str], list[dict[str, str]]]
) -> None:
    header, rows = demo_records
    base = by_id(rows, "KE0012")
    path = tmp_path / "latin.csv"
    write_csv(
        path,
        header,
        [row_from(header, base, **{"Commitment Title": "Cámara de Diputados – año"})],
        encoding="cp1252",
    )
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")

    result = import_csv(db, path)
    assert result.created == 1
    assert result.encoding == "cp1252"
    assert result.warnings[0].line == 0
    assert "not UTF-8" in result.warnings[0].reason
    assert commitments(db)["KE0012"].title == "Cámara de Diputados – año"


def test_text_stream_with_bom_crlf_and_minimal_columns(db: Database) -> None:
    text = (
        "\ufeffCode,Commitment Unique Identifier,Country/Locality,Commitment Title,"
        "Start Date,Something Else\r\n"
        'XKX,xk0001,Kosovo,"  First line\r\nsecond line  ",2019,whatever\r\n'
        'ARBA,BUE0001,"Buenos Aires, Argentina",ND,July 2019,x\r\n'
    )
    result = import_csv(db, io.StringIO(text, newline=""))
    assert result.ok, result.skipped
    assert result.created == 2
    stored = commitments(db)
    kosovo = stored["XK0001"]
    assert kosovo.title == "First line\nsecond line"
    assert kosovo.start_date == date(2019, 1, 1)
    assert kosovo.action_plan_id is None
    assert kosovo.policy_areas == []
    assert kosovo.starred is None
    assert stored["BUE0001"].title == ""
    assert stored["BUE0001"].start_date == date(2019, 7, 1)
    with db.session() as session:
        xkx = session.get(Country, "XKX")
        arba = session.get(Country, "ARBA")
    assert xkx is not None and (xkx.name, xkx.kind, xkx.iso2) == ("Kosovo", "national", "XK")
    assert arba is not None and (arba.kind, arba.parent) == ("local", "ARG")


def test_missing_essential_columns(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("Commitment Unique Identifier,Title\nAR0001,Hello\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as info:
        import_csv(db, path)
    message = str(info.value)
    assert "Code" in message and "Country/Locality" in message
    assert "\n" not in message
    assert count_commitments(db) == 0


def test_empty_and_absent_files(db: Database, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ImportFileError):
        import_csv(db, empty)
    with pytest.raises(ImportFileError):
        import_csv(db, tmp_path / "nope.csv")


# --------------------------------------------------------------------------- demo


def test_import_demo_if_empty(db: Database) -> None:
    result = import_demo_if_empty(db)
    assert result is not None and result.created == 104
    assert import_demo_if_empty(db) is None
    assert count_commitments(db) == 104


def test_progress_flag_without_tty(db: Database) -> None:
    # Under pytest stderr is not a TTY: no bar, same result.
    result = import_csv(db, demo_csv_path(), progress=True)
    assert result.created == 104


def test_row_error_str() -> None:
    assert str(RowError(0, None, "file is not UTF-8")) == "file: file is not UTF-8"
    assert str(RowError(7, "AR0001", "bad")) == "line 7 (AR0001): bad"
