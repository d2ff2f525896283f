"""Import OGP's commitment export (the 171-column CSV) into the database.

The file is read as OGP publishes it, quirks included:

* UTF-8 with or without a BOM; a file that is not valid UTF-8 is read as cp1252
  (or latin-1 if even cp1252 fails) and a file-level warning says so.
* Records may span several physical lines (quoted newlines). Line numbers in
  reports are the physical line where a record starts; the header is line 1.
  File-level notes use line 0.
* Columns are found by header name, never by position. Only
  ``ESSENTIAL_COLUMNS`` are required; any other column may be missing (its
  field stays empty) and unknown columns are ignored.
* ``ND``, ``NR``, ``NA`` and empty cells mean "no data": ``None`` for IRM
  ratings, dates and numbers, ``""`` for text fields of the model.
* Dates come in many shapes; see :func:`parse_ogp_date`. A date that cannot be
  read does not stop its row: the field is stored as ``None`` and a warning is
  recorded in :attr:`ImportResult.warnings`.

OGP's export is the primary source of who has commitments: a member that the
shipped list (``storage/data/ogp_members.csv``) lacks is created from its first
row (``Country/Locality``, ``Code``, ``Region``, ``National Or Local``) with a
warning, never skipped; and the export's ``Region`` wins over the list's.

Excel saves "CSV" with semicolons where the decimal separator is a comma (its
Spanish, French and Portuguese settings): the separator is read from the header
line. A workbook (.xlsx/.xls) or a web page is refused with a hint to save or
download the sheet as CSV. :func:`import_url` downloads the export (OGP
publishes it as a Google Sheets CSV) and imports it the same way.

Rows that cannot be stored (no commitment id, an id that is not letters+digits,
no country code, wrong number of fields, an id already seen earlier in the same
file) are skipped and reported in :attr:`ImportResult.skipped`; every other row
still goes in. Importing is idempotent: rows are matched on the commitment id
and updated in place, and each row is counted as created, updated (a stored
field really changed) or unchanged. Work is done in chunks of ``CHUNK_SIZE``
rows, one transaction and one look-up query per table per chunk.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, TextIO, TypeVar
from urllib.parse import urlsplit

import pycountry
import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.countries import load_members
from storage.dates import parse_date
from storage.db import Database
from storage.ids import is_commitment_id
from storage.models import ActionPlan, Commitment, Country, MemberKind, utcnow
from storage.search import indexing_in_bulk
from storage.statuses import IRM_RATING, IRM_RATINGS
from storage.text import fold_words

__all__ = [
    "CHUNK_SIZE",
    "ESSENTIAL_COLUMNS",
    "MISSING_MARKERS",
    "POLICY_AREA_COLUMNS",
    "ImportFileError",
    "ImportResult",
    "RatingChange",
    "RowError",
    "csv_lines",
    "demo_csv_path",
    "import_csv",
    "import_demo_if_empty",
    "import_url",
    "is_url",
    "numbered_records",
    "parse_ogp_date",
]

CHUNK_SIZE = 500
_Record = TypeVar("_Record", covariant=True)
#: From this many new commitments in a chunk, FTS indexes them in one statement
#: rather than by its trigger row by row (storage.search.indexing_in_bulk).
BULK_INDEX_ROWS = 50

COL_ID = "Commitment Unique Identifier"
COL_CODE = "Code"
COL_COUNTRY = "Country/Locality"
ESSENTIAL_COLUMNS: tuple[str, ...] = (COL_ID, COL_CODE, COL_COUNTRY)

#: Cell values that mean "no data" (No Data, Not Reviewed, Not Applicable).
MISSING_MARKERS = frozenset({"", "ND", "NR", "NA", "N/A"})

#: The policy-area tags: OGP's 0/1 dummy columns, exactly the header slice from
#: "Anti-Corruption and Integrity" through "Money in Politics" (columns 20-105
#: of the export). A commitment's ``policy_areas`` lists those whose value is
#: "1", in this order. Non-tag 0/1 columns outside that slice ("Commitment
#: Dummy", "Subnational in NAPs", "OGP Value ...", "_Relevant", the IRM
#: bookkeeping columns) are deliberately not here. The test suite checks this
#: constant against the header of the sample export.
POLICY_AREA_COLUMNS: tuple[str, ...] = (
    "Anti-Corruption and Integrity",
    "Anti-corruption Institutions",
    "Anti-Corruption Strategies",
    "Asset Disclosure",
    "Audits",
    "Beneficial Ownership",
    "Conflicts Of Interest",
    "Elections",
    "Political Finance",
    "Lobbying",
    "Open Contracting",
    "Public Procurement",
    "Right To Information",
    "Whistleblower Protections",
    "Civic Space and Enabling Environment",
    "Freedom of Assembly",
    "Freedom of Association",
    "Freedom of Expression",
    "Democratizing Decision-Making",
    "Digital Participation",
    "Mainstreaming Participation",
    "Regulatory Governance",
    "Social Accountability",
    "Digital Governance",
    "Automated Decision-making",
    "Data Stewardship and Privacy",
    "Digital Inclusion",
    "Disinformation/Misinformation",
    "Online Civic Space",
    "Environment & Climate",
    "Climate Finance",
    "Climate Mitigation and Adaptation",
    "Environmental Regulation",
    "International Environmental Agreements",
    "Fiscal Openness",
    "Publication Of Budget/Fiscal Information",
    "Public Participation In Budget/Fiscal Policy",
    "Oversight Of Budget/Fiscal Policies",
    "Stimulus and Economic Recovery",
    "Tax",
    "Debt",
    "Inclusion",
    "Gender",
    "Gender-Based Violence",
    "Economic Inclusion",
    "LGBTQIA+",
    "People with Disabilities",
    "Youth",
    "Justice",
    "Access to Justice",
    "Open Justice",
    "Policing & Corrections",
    "Judiciary",
    "Open Parliaments",
    "Public Service Delivery",
    "Citizenship & Immigration",
    "Education",
    "Health & Nutrition",
    "Infrastructure & Transport",
    "Water & Sanitation",
    "Capacity Building",
    "Digital Transformation",
    "Legislation",
    "Regulation",
    "Legislative Oversight",
    "Open Data",
    "Public Participation",
    "Aid",
    "Energy",
    "Extractive Industries",
    "Land and Spatial Planning",
    "Media & Telecommunications",
    "Science & Technology",
    "Security & Public Safety",
    "Labor",
    "Private Sector",
    "Subnational",
    "Human Rights",
    "Open Parliament Plan",
    "Sustainable Development Goals",
    "Open Data (Water/Sanitation)",
    "Open Data (Health)",
    "Open Data (Education)",
    "Participation in Lawmaking",
    "Access to information",
    "Money in Politics",
)

ANTI_CORRUPTION_COLUMN = "Anti-Corruption and Integrity"

#: Star columns, most recent assessment first. See ``_starred``.
STAR_END_OF_TERM = "Starred (Current Formula) End of Term"
STAR_PROGRESS = "Starred (Current Formula) Progress Report"
STAR_MOST_RECENT = "Star - Most Recently Assessed"

# Model text fields ("" when the file has no data) and IRM fields (None).
_TEXT_COLUMNS: dict[str, str] = {
    "title": "Commitment Title",
    "short_title": "Short Title",
    "full_text": "Full Text",
    "theme": "Theme",
    "lead_institution": "Lead Institution",
    "supporting_institutions": "Supporting Institution(s)",
    "url": "URL",
}
_CODE_RE = re.compile(r"^[A-Z]{2,8}$")
# Known codes pycountry does not carry.
_EXTRA_ISO2 = {"XKX": "XK"}


class ImportFileError(Exception):
    """The file as a whole cannot be imported (message is one line, for the CLI)."""


@dataclass(frozen=True)
class RowError:
    """A problem with one record. ``line`` is where it starts (header = 1, file = 0)."""

    line: int
    commitment_id: str | None
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        who = f" ({self.commitment_id})" if self.commitment_id else ""
        return f"{where}{who}: {self.reason}"


@dataclass(frozen=True)
class RatingChange:
    """An IRM rating that an import changed: what admins are told after a refresh."""

    commitment_id: str
    field: str  # the Commitment attribute ("completion_end_term")
    old: str | None
    new: str | None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    per_country: dict[str, int] = field(default_factory=dict)
    encoding: str = "utf-8"
    # What changed, for the admins' notice after a scheduled import.
    new_commitments: list[str] = field(default_factory=list)
    new_plans: list[str] = field(default_factory=list)
    rating_changes: list[RatingChange] = field(default_factory=list)

    @property
    def has_news(self) -> bool:
        return bool(self.new_commitments or self.new_plans or self.rating_changes)

    @property
    def ok(self) -> bool:
        return not self.skipped

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def total(self) -> int:
        return self.imported + len(self.skipped)

    def summary(self) -> str:
        text = (
            f"{self.total} rows: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.skipped)} skipped"
        )
        if self.warnings:
            n = len(self.warnings)
            text += f"; {n} warning{'s' if n != 1 else ''}"
        return text


# --------------------------------------------------------------------------- values


def _clean(text: str | None) -> str:
    """Strip and normalise line endings; keep internal newlines."""
    if not text:
        return ""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _value(text: str | None) -> str | None:
    """The cleaned value, or None for a no-data marker."""
    value = _clean(text)
    return None if value.upper() in MISSING_MARKERS else value


def _int(text: str | None) -> int | None:
    """An integer cell ("4", "4.0"); None for markers. ValueError for garbage."""
    value = _value(text)
    if value is None:
        return None
    number = float(value)
    if not number.is_integer():
        raise ValueError(f"not a whole number: {value!r}")
    return int(number)


_LONG_FRACTION = re.compile(r"^\d+\.\d{12,}$")


def _commitment_number(text: str | None) -> str:
    """Excel float damage: "1.1000000000000001" -> "1.1"; other numbers as they are."""
    value = _value(text) or ""
    if _LONG_FRACTION.match(value):
        return repr(float(value))
    return value


# --------------------------------------------------------------------------- dates


def parse_ogp_date(text: str | None, *, end: bool) -> date | None:
    """A date cell: ``ND``/``NR``/``NA``/empty -> ``None``, else read by
    :func:`storage.dates.parse_date` (``ValueError`` for what is not a plausible date)."""
    value = _value(text)
    return None if value is None else parse_date(value, end=end)


# --------------------------------------------------------------------------- countries


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Accent- and case-folded country names -> alpha-3 ("cote divoire" -> CIV)."""
    names: dict[str, str] = {"kosovo": "XKX"}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            if name:
                names.setdefault(fold_words(name), country.alpha_3)
    return names


@lru_cache(maxsize=512)
def _alpha3_for_name(name: str) -> str | None:
    if not name:
        return None
    try:
        return str(pycountry.countries.lookup(name).alpha_3)
    except LookupError:
        return _country_names().get(fold_words(name))


@lru_cache(maxsize=512)
def _iso2_for_alpha3(code: str) -> str:
    if code in _EXTRA_ISO2:
        return _EXTRA_ISO2[code]
    country = pycountry.countries.get(alpha_3=code) if len(code) == 3 else None
    return str(country.alpha_2) if country is not None else ""


@dataclass
class _CountryInfo:
    code: str
    name: str
    ogp_name: str
    kind: str
    region: str
    iso2: str
    parent: str | None


@lru_cache(maxsize=1)
def _shipped_codes() -> frozenset[str]:
    return frozenset(member.code for member in load_members())


def _new_member_warning(info: _CountryInfo) -> str:
    """OGP's export knows members our curated list does not (new local members
    above all): the row still goes in, and whoever imports learns the list lags."""
    where = f", {info.region}" if info.region else ""
    return (
        f"member {info.code} ({info.ogp_name or info.name}) is not in the shipped member "
        f"list: created from this row as {info.kind}{where}; its OGP standing is unverified"
    )


def _country_info(code: str, ogp_name: str, kind_text: str, region: str) -> _CountryInfo:
    kind_folded = kind_text.lower()
    if "local" in kind_folded:
        kind = MemberKind.LOCAL
    elif "national" in kind_folded:
        kind = MemberKind.NATIONAL
    else:  # column missing or empty: OGP's national codes are ISO alpha-3
        kind = MemberKind.NATIONAL if len(code) == 3 else MemberKind.LOCAL
    if kind == MemberKind.LOCAL:
        head, sep, tail = ogp_name.rpartition(",")
        name = (head if sep else ogp_name).strip() or code
        parent = _alpha3_for_name(tail.strip()) if sep else None
        iso2 = ""
    else:
        name = ogp_name or code
        parent = None
        iso2 = _iso2_for_alpha3(code)
    return _CountryInfo(code, name, ogp_name, str(kind), region, iso2, parent)


# --------------------------------------------------------------------------- rows


@dataclass
class _Row:
    line: int
    country: _CountryInfo
    plan: dict[str, Any] | None
    values: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.values["id"])


def _starred(get: Any) -> bool | None:
    """The star of the most recent assessment that has one.

    End of Term if it is 0/1, else Progress Report, else (only for rows marked
    "IRM Assessed") OGP's "Star - Most Recently Assessed" summary. The summary
    column alone is not trusted: it holds 0 for never-assessed rows, and it can
    disagree with the report columns (AR0045: starred at end of term, 0 there).
    """
    for column in (STAR_END_OF_TERM, STAR_PROGRESS):
        value = _value(get(column))
        if value in ("1", "0"):
            return value == "1"
    if _value(get("IRM Assessed")) == "1":
        value = _value(get(STAR_MOST_RECENT))
        if value in ("1", "0"):
            return value == "1"
    return None


class _Header:
    def __init__(self, names: list[str]) -> None:
        cleaned = [_clean(n.lstrip("\ufeff")) for n in names]
        self.names = cleaned
        self.index: dict[str, int] = {}
        for i, name in enumerate(cleaned):
            self.index.setdefault(name, i)
        missing = [c for c in ESSENTIAL_COLUMNS if c not in self.index]
        if missing:
            raise ImportFileError(
                "not an OGP commitments export: missing column(s) "
                + ", ".join(repr(c) for c in missing)
                + f" among {len(cleaned)} read; the file must be OGP's export saved as CSV "
                "separated by commas or semicolons (tabs and other separators are not read)"
            )
        self.policy_columns = [
            (name, self.index[name]) for name in POLICY_AREA_COLUMNS if name in self.index
        ]


def _parse_row(
    header: _Header, record: list[str], line: int, warnings: list[RowError]
) -> _Row | RowError:
    index = header.index

    def get(name: str) -> str:
        i = index.get(name)
        return record[i] if i is not None else ""

    raw_id = _value(get(COL_ID))
    commitment_id = raw_id.upper() if raw_id else None
    if len(record) != len(header.names):
        return RowError(
            line,
            commitment_id,
            f"wrong column count: {len(record)} fields, expected {len(header.names)}",
        )
    if commitment_id is None:
        return RowError(line, None, "no commitment id")
    if not is_commitment_id(commitment_id):
        return RowError(line, commitment_id, f"malformed commitment id {raw_id!r}")
    code = (_value(get(COL_CODE)) or "").upper()
    if not code:
        return RowError(line, commitment_id, "no country code")
    if not _CODE_RE.match(code):
        return RowError(line, commitment_id, f"malformed country code {code!r}")

    def warn(reason: str) -> None:
        warnings.append(RowError(line, commitment_id, reason))

    def integer(column: str) -> int | None:
        try:
            return _int(get(column))
        except ValueError:
            warn(f"{column}: not a number: {_clean(get(column))!r}; stored as empty")
            return None

    country = _country_info(
        code,
        _value(get(COL_COUNTRY)) or "",
        _value(get("National Or Local")) or "",
        _value(get("Region")) or "",
    )

    plan_number = integer("Action Plan Number")
    plan_id = (_value(get("Action Plan ID")) or "").upper()
    if not plan_id and plan_number is not None:
        plan_id = f"AP_{code}{plan_number:02d}"
    plan: dict[str, Any] | None = None
    if plan_id and len(plan_id) <= 32:
        plan = {
            "id": plan_id,
            "country_code": code,
            "number": plan_number,
            "submitted_year": integer("Year Of Submission"),
            "end_year": integer("Action Plan End Year"),
            "duration_years": integer("Action Plan Duration (Years)"),
        }
    elif plan_id:
        warn(f"Action Plan ID too long: {plan_id!r}; commitment stored without a plan")

    dates: dict[str, date | None] = {}
    for key, column, is_end in (
        ("start_date", "Start Date", False),
        ("end_date", "End Date", True),
    ):
        try:
            dates[key] = parse_ogp_date(get(column), end=is_end)
        except ValueError as exc:
            dates[key] = None
            warn(f"{column}: {exc}; stored as empty")

    values: dict[str, Any] = {
        "id": commitment_id,
        "ogp_row_id": integer("id"),
        "country_code": code,
        "action_plan_id": plan["id"] if plan else None,
        "number": _commitment_number(get("Commitment Number")),
        **{key: _value(get(column)) or "" for key, column in _TEXT_COLUMNS.items()},
        **{r.attribute: _value(get(r.column)) for r in IRM_RATINGS},
        **dates,
        "policy_areas": [name for name, i in header.policy_columns if record[i].strip() == "1"],
        "anti_corruption": get(ANTI_CORRUPTION_COLUMN).strip() == "1",
        "starred": _starred(get),
        "irm_assessed": get("IRM Assessed").strip() == "1",
    }
    return _Row(line, country, plan, values)


# --------------------------------------------------------------------------- reading


def _detect_encoding(path: Path) -> str:
    """utf-8-sig if the whole file decodes as UTF-8, else cp1252, else latin-1."""
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


def _decode_bytes(data: bytes) -> tuple[str, str]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def _delimiter(header_line: str) -> str:
    """Excel's "CSV" in Spanish, French or Portuguese settings separates with
    semicolons (the comma is their decimal sign); OGP's header names hold
    neither, so the more frequent of the two in the header line is the one."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


class CsvReader(Protocol[_Record]):
    """What ``csv.reader`` and ``csv.DictReader`` both are: records, and a line count."""

    line_num: int

    def __next__(self) -> _Record: ...


def csv_lines(stream: TextIO, result: ImportResult) -> tuple[Iterator[str], str]:
    """The stream's lines (header included) and their delimiter, said in a warning
    when it is Excel's semicolon, for every CSV we import (OGP's export, pledges)."""
    header_line = stream.readline()
    delimiter = _delimiter(header_line)
    if delimiter != ",":
        result.warnings.append(RowError(0, None, "columns separated by semicolons; read as such"))
    return itertools.chain([header_line], stream), delimiter


def numbered_records(reader: CsvReader[_Record]) -> Iterator[tuple[int, _Record]]:
    """(physical start line, record) for every record; a malformed one stops the
    import with its line (``csv.Error`` would say nothing of where)."""
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFileError(f"unreadable CSV at line {start}: {exc}") from None
        yield start, record


def _with_progress(items: Iterable[Any], enabled: bool) -> Iterable[Any]:
    if not enabled or not sys.stderr.isatty():
        return items
    from tqdm import tqdm  # a terminal's progress bar: not loaded in the bot's process

    return tqdm(items, unit=" rows", file=sys.stderr, desc="import", mininterval=0.5)


# --------------------------------------------------------------------------- writing


def _chunks(rows: Iterable[_Row], size: int) -> Iterator[list[_Row]]:
    chunk: list[_Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Writer:
    def __init__(self, db: Database, result: ImportResult, now: datetime) -> None:
        self.db = db
        self.result = result
        self.now = now
        self.done_countries: set[str] = set()
        self.done_plans: set[str] = set()

    def write(self, chunk: list[_Row]) -> None:
        with self.db.session() as session:
            self._countries(session, chunk)
            self._plans(session, chunk)
            self._commitments(session, chunk)

    def _countries(self, session: Session, chunk: list[_Row]) -> None:
        wanted: dict[str, _CountryInfo] = {}
        first_row: dict[str, _Row] = {}
        for row in chunk:
            if row.country.code not in self.done_countries:
                wanted.setdefault(row.country.code, row.country)
                first_row.setdefault(row.country.code, row)
        if not wanted:
            return
        existing = {
            c.code: c
            for c in session.exec(select(Country).where(col(Country.code).in_(list(wanted))))
        }
        for code, info in wanted.items():
            country = existing.get(code)
            if country is None:
                if code not in _shipped_codes():
                    row = first_row[code]
                    self.result.warnings.append(
                        RowError(row.line, row.id, _new_member_warning(info))
                    )
                session.add(
                    Country(
                        code=code,
                        name=info.name,
                        kind=info.kind,
                        region=info.region,
                        iso2=info.iso2,
                        parent=info.parent,
                        ogp_name=info.ogp_name,
                    )
                )
            else:  # reference data wins, but for the region: OGP's own column is
                # authoritative, and a list that disagrees with it is what lags
                if not country.ogp_name and info.ogp_name:
                    country.ogp_name = info.ogp_name
                if info.region and country.region != info.region:
                    if country.region:
                        row = first_row[code]
                        reason = (
                            f"member {code}: region {info.region!r} as the export says "
                            f"(the member list said {country.region!r})"
                        )
                        self.result.warnings.append(RowError(row.line, row.id, reason))
                    country.region = info.region
        session.flush()
        self.done_countries.update(wanted)

    def _plans(self, session: Session, chunk: list[_Row]) -> None:
        wanted: dict[str, dict[str, Any]] = {}
        for row in chunk:
            if row.plan and row.plan["id"] not in self.done_plans:
                wanted.setdefault(row.plan["id"], row.plan)
        if not wanted:
            return
        existing = {
            p.id: p
            for p in session.exec(select(ActionPlan).where(col(ActionPlan.id).in_(list(wanted))))
        }
        for plan_id, values in wanted.items():
            plan = existing.get(plan_id)
            if plan is None:
                session.add(ActionPlan(**values, first_seen_at=self.now))
                self.result.new_plans.append(plan_id)
                continue
            for key, value in values.items():
                if key != "id" and value is not None and getattr(plan, key) != value:
                    setattr(plan, key, value)
        session.flush()
        self.done_plans.update(wanted)

    def _commitments(self, session: Session, chunk: list[_Row]) -> None:
        ids = [row.id for row in chunk]
        existing = {
            c.id: c for c in session.exec(select(Commitment).where(col(Commitment.id).in_(ids)))
        }
        now = self.now
        result = self.result
        new_rows: list[dict[str, Any]] = []
        for row in chunk:
            commitment = existing.get(row.id)
            if commitment is None:
                new_rows.append({**row.values, "imported_at": now})
                result.created += 1
                result.new_commitments.append(row.id)
            else:
                changed = False
                for key, value in row.values.items():
                    old = getattr(commitment, key)
                    if old != value:
                        if key in IRM_RATING:
                            result.rating_changes.append(RatingChange(row.id, key, old, value))
                        setattr(commitment, key, value)
                        changed = True
                if changed:
                    commitment.imported_at = now
                    result.updated += 1
                else:
                    result.unchanged += 1
            code = row.values["country_code"]
            result.per_country[code] = result.per_country.get(code, 0) + 1
        if len(new_rows) >= BULK_INDEX_ROWS:
            with indexing_in_bulk(session):
                session.execute(sa.insert(Commitment.__table__), new_rows)  # type: ignore[attr-defined]
        elif new_rows:
            # Core executemany: building 10,000 SQLModel objects costs more than the insert.
            session.execute(sa.insert(Commitment.__table__), new_rows)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- API


def _import_stream(
    db: Database, stream: TextIO, result: ImportResult, *, progress: bool, now: datetime
) -> ImportResult:
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 26))
    lines, delimiter = csv_lines(stream, result)
    records = numbered_records(csv.reader(lines, delimiter=delimiter))
    try:
        _, first = next(records)
    except StopIteration:
        raise ImportFileError("empty file: no header row") from None
    header = _Header(first)
    seen: dict[str, int] = {}

    def rows() -> Iterator[_Row]:
        for line, record in _with_progress(records, progress):
            if not any(cell.strip() for cell in record):
                continue  # blank line
            parsed = _parse_row(header, record, line, result.warnings)
            if isinstance(parsed, RowError):
                result.skipped.append(parsed)
                continue
            first_line = seen.setdefault(parsed.id, line)
            if first_line != line:
                reason = f"duplicate commitment id (first on line {first_line})"
                result.skipped.append(RowError(line, parsed.id, reason))
                continue
            yield parsed

    writer = _Writer(db, result, now)
    for chunk in _chunks(rows(), CHUNK_SIZE):
        writer.write(chunk)
    return result


def import_csv(
    db: Database,
    source: str | Path | TextIO,
    *,
    progress: bool = False,
    now: datetime | None = None,
) -> ImportResult:
    """Import OGP's commitment export from a path or an open text stream.

    Raises ``ImportFileError`` when the file cannot be read at all (missing,
    empty, a workbook rather than CSV, essential columns absent, broken CSV).
    Row problems never raise: they are in the result's ``skipped`` and
    ``warnings``. ``now`` stamps what is created (a plan's ``first_seen_at``).
    """
    result = ImportResult()
    now = now or utcnow()
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise ImportFileError(f"no such file: {path}")
        with path.open("rb") as fh:
            _refuse_non_csv(fh.read(512))
        encoding = _detect_encoding(path)
        result.encoding = encoding
        if encoding != "utf-8-sig":
            result.warnings.append(RowError(0, None, f"file is not UTF-8; read as {encoding}"))
        else:
            result.encoding = "utf-8"
        with path.open(encoding=encoding, newline="") as stream:
            return _import_stream(db, stream, result, progress=progress, now=now)
    data = source.read(0)
    if isinstance(data, bytes):  # a binary stream passed in despite the type
        raw: bytes = source.read()  # type: ignore[assignment]
        _refuse_non_csv(raw[:512])
        text, encoding = _decode_bytes(raw)
        result.encoding = "utf-8" if encoding == "utf-8-sig" else encoding
        if encoding != "utf-8-sig":
            result.warnings.append(RowError(0, None, f"file is not UTF-8; read as {encoding}"))
        stream = io.StringIO(text, newline="")
        return _import_stream(db, stream, result, progress=progress, now=now)
    return _import_stream(db, source, result, progress=progress, now=now)


#: How a file that is not CSV starts: zip (xlsx, ods), OLE2 (xls), a web page.
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
SAVE_AS_CSV = "open it in your spreadsheet and save it as CSV (UTF-8), then import that"


def _refuse_non_csv(head: bytes) -> None:
    """A workbook decodes as cp1252 garbage with a one-column "header": say what it is."""
    if head.startswith(_WORKBOOK_MAGIC):
        raise ImportFileError(
            f"this is a spreadsheet workbook (.xlsx/.xls), not CSV: {SAVE_AS_CSV}"
        )
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html")):
        raise ImportFileError(
            "this is a web page, not CSV: use the sheet's CSV download link "
            "(File > Download > CSV, or an address ending in /export?format=csv)"
        )


# --------------------------------------------------------------------------- URLs

DOWNLOAD_TIMEOUT = 120  # seconds without a byte before giving up
_GOOGLE_SHEET = re.compile(r"^/spreadsheets/d/([\w-]+)(?:/.*)?$")


def is_url(text: str) -> bool:
    return urlsplit(text).scheme.lower() in ("http", "https")


def _csv_address(url: str) -> str:
    """A Google Sheets page address becomes its CSV export (what people copy is the
    page they look at); any other address is used as it is."""
    parts = urlsplit(url)
    match = _GOOGLE_SHEET.match(parts.path)
    if parts.hostname != "docs.google.com" or match is None or "/export" in parts.path:
        return url
    gid = re.search(r"gid=(\d+)", parts.fragment + "&" + parts.query)
    tail = f"&gid={gid[1]}" if gid else ""
    return f"https://docs.google.com/spreadsheets/d/{match[1]}/export?format=csv{tail}"


def download(url: str, destination: Path, *, timeout: float = DOWNLOAD_TIMEOUT) -> None:
    """Fetch ``url`` into ``destination``; ImportFileError with one line on failure."""
    if not is_url(url):
        raise ImportFileError(f"not an http(s) address: {url}")
    request = urllib.request.Request(_csv_address(url), headers={"User-Agent": "ogp-bot"})
    try:
        with (
            urllib.request.urlopen(request, timeout=timeout) as response,
            destination.open("wb") as out,
        ):
            while chunk := response.read(1 << 20):
                out.write(chunk)
    except urllib.error.HTTPError as exc:
        raise ImportFileError(f"the server answered {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise ImportFileError(f"cannot download: {exc.reason}") from None
    except (OSError, ValueError) as exc:  # timeouts, resets, a malformed address
        raise ImportFileError(f"cannot download: {exc}") from None


def import_url(
    db: Database,
    url: str,
    *,
    progress: bool = False,
    now: datetime | None = None,
    timeout: float = DOWNLOAD_TIMEOUT,
) -> ImportResult:
    """Download OGP's export and import it exactly as a file (same checks and result).

    The download goes to a temporary file first, so a connection cut halfway
    imports nothing rather than half a file.
    """
    handle, name = tempfile.mkstemp(prefix="ogp-import-", suffix=".csv")
    os.close(handle)
    path = Path(name)
    try:
        download(url, path, timeout=timeout)
        return import_csv(db, path, progress=progress, now=now)
    finally:
        path.unlink(missing_ok=True)


def demo_csv_path() -> Path:
    """The demo export shipped inside the package (104 commitments, 17 members)."""
    return Path(str(resources.files("storage") / "data" / "demo-commitments.csv"))


def import_demo_if_empty(db: Database) -> ImportResult | None:
    """Import the demo data if there are no commitments yet; None if there were."""
    with db.session() as session:
        count = session.exec(select(sa.func.count()).select_from(Commitment)).one()
    if count:
        return None
    return import_csv(db, demo_csv_path())
