"""storage.dates: the date shapes of OGP's export, read as an importer user would expect
them in /status (a start date at the start of its period, an end date at its end)."""

from __future__ import annotations

from datetime import date

import pytest

from storage.dates import parse_date


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2019", date(2019, 1, 1), date(2019, 12, 31)),
        ("February 2024", date(2024, 2, 1), date(2024, 2, 29)),  # a leap year's month end
        ("February 2023", date(2023, 2, 1), date(2023, 2, 28)),
        ("Sept, 2019", date(2019, 9, 1), date(2019, 9, 30)),
        ("7/16/1905", date(2024, 1, 1), date(2024, 12, 31)),  # Excel damage: day 2024
        # A precise date is the same day whichever end it is.
        ("9/1/2019", date(2019, 9, 1), date(2019, 9, 1)),
        ("1 Jul. 2019", date(2019, 7, 1), date(2019, 7, 1)),
        ("43709.0", date(2019, 9, 1), date(2019, 9, 1)),
    ],
)
def test_imprecise_dates_span_their_period(text: str, start: date, end: date) -> None:
    assert parse_date(text, end=False) == start
    assert parse_date(text, end=True) == end


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1/2/69", date(2069, 1, 2)),  # two-digit years: 00-69 are this century
        ("13.1.2020", date(2020, 1, 13)),  # the first number over 12 is the day
        ("2020-1-13T08:30", date(2020, 1, 13)),
        ("July\n 1,\t2019", date(2019, 7, 1)),  # inner whitespace of a spreadsheet cell
    ],
)
def test_numeric_and_spelled_forms(text: str, expected: date) -> None:
    assert parse_date(text, end=False) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "not a date"),
        ("ND", "not a date"),  # no-data markers are the importer's to catch
        ("2/30/2019", "not a valid date"),
        ("Smarch 2019", "unknown month name"),
        ("1/1/1850", "implausible year"),  # old, and no plausible Excel serial either
        ("2101", "implausible year"),
        ("1/2/70", "implausible year"),  # 70-99 are 19xx: before OGP, so refused
        ("99999", "implausible year"),  # an Excel serial far in the future
    ],
)
def test_what_is_not_a_plausible_date_is_refused_with_its_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_date(text, end=True)
