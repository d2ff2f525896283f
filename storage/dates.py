"""Dates as OGP's commitment export writes them: US and European numeric forms, bare
years and months, ISO, Excel serial days, and years Excel damaged into 1905 dates."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

__all__ = ["parse_date"]

_EXCEL_EPOCH = date(1899, 12, 30)
# Plausible years for an OGP action plan (OGP started in 2011; leave margin).
_MIN_YEAR, _MAX_YEAR = 1990, 2100

_MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    _MONTHS[calendar.month_name[_number].lower()] = _number
    _MONTHS[calendar.month_abbr[_number].lower()] = _number
_MONTHS["sept"] = 9

_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_YEAR = re.compile(r"^(\d{4})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]+)\.?,?\s+(\d{4})$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
_MONTH_DAY_YEAR = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$")
_EXCEL_SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")


def _year_bound(year: int, *, end: bool) -> date:
    return date(year, 12, 31) if end else date(year, 1, 1)


def _month_bound(year: int, month: int, *, end: bool) -> date:
    day = calendar.monthrange(year, month)[1] if end else 1
    return date(year, month, day)


def _month(name: str) -> int:
    try:
        return _MONTHS[name.lower()]
    except KeyError:
        raise ValueError(f"unknown month name {name!r}") from None


def _check_year(year: int, text: str) -> None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise ValueError(f"implausible year in date {text!r}")


def _undo_excel_year(parsed: date, text: str, *, end: bool) -> date:
    """A year typed into an Excel date cell: 2024 became serial day 2024 = 1905-07-16.

    Any date before ``_MIN_YEAR`` whose day number since 1899-12-30 is a
    plausible year is read as that bare year; other old dates are rejected.
    """
    if parsed.year >= _MIN_YEAR:
        _check_year(parsed.year, text)
        return parsed
    serial = (parsed - _EXCEL_EPOCH).days
    if _MIN_YEAR <= serial <= _MAX_YEAR:
        return _year_bound(serial, end=end)
    raise ValueError(f"implausible year in date {text!r}")


def parse_date(text: str, *, end: bool) -> date:
    """Read a date as OGP's export writes it.

    ``end`` says whether this is an end date: imprecise dates become the first
    day of their period for a start date and the last day for an end date.

    * ``9/1/2019`` month/day/year (the common, US form); ``31/12/2014`` is
      day/month/year, recognised because the first number is over 12.
      ``02/3/2014`` is ambiguous and read the US way (3 February 2014).
      Two-digit years: ``10/1/18`` -> 2018 (00-69 -> 20xx, 70-99 -> 19xx).
    * ``2019`` -> 1 January / 31 December.
    * ``July 2019`` / ``Sept. 2019`` -> first / last day of the month;
      ``1 July 2019`` and ``July 1, 2019`` too.
    * ``2019-09-01`` (ISO, optionally with a time) and bare Excel serials
      (``43709``).
    * Excel damage: a year typed into a date cell became a serial day number,
      shown as a 1905 date (``7/16/1905`` = day 2024 after 1899-12-30). Such a
      date is read back as the bare year (2024 -> 1 January / 31 December).

    Raises ``ValueError`` for text that is not a date or whose year is not
    plausible (before 1990 or after 2100, once Excel damage is undone).
    """
    value = " ".join(text.split())

    if m := _NUMERIC_DATE.match(value):
        first, second, year_text = int(m[1]), int(m[2]), m[3]
        year = int(year_text)
        if len(year_text) == 2:
            year += 2000 if year < 70 else 1900
        if first > 12:
            day, month = first, second
        else:
            month, day = first, second
        try:
            parsed = date(year, month, day)
        except ValueError:
            raise ValueError(f"not a valid date: {value!r}") from None
        return _undo_excel_year(parsed, value, end=end)

    if m := _ISO_DATE.match(value):
        try:
            parsed = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise ValueError(f"not a valid date: {value!r}") from None
        return _undo_excel_year(parsed, value, end=end)

    if m := _YEAR.match(value):
        year = int(m[1])
        _check_year(year, value)
        return _year_bound(year, end=end)

    if m := _MONTH_YEAR.match(value):
        month, year = _month(m[1]), int(m[2])
        _check_year(year, value)
        return _month_bound(year, month, end=end)

    for pattern, day_group, month_group in ((_DAY_MONTH_YEAR, 1, 2), (_MONTH_DAY_YEAR, 2, 1)):
        if m := pattern.match(value):
            year = int(m[3])
            _check_year(year, value)
            try:
                return date(year, _month(m[month_group]), int(m[day_group]))
            except ValueError:
                raise ValueError(f"not a valid date: {value!r}") from None

    if m := _EXCEL_SERIAL.match(value):
        parsed = _EXCEL_EPOCH + timedelta(days=int(m[1]))
        _check_year(parsed.year, value)
        return parsed

    raise ValueError(f"not a date: {value!r}")
