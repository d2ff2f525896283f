"""The 2016 London Anti-Corruption Summit pledges, and the NAP commitments that carry them.

Pledges come from a CSV in the format of ``storage/data/summit-2016-pledges.csv``
(see storage/data/README.md): read with the same row errors, summary and exit codes
as OGP's export (``storage.importer``'s ``ImportResult``/``RowError``), and
idempotent: rows are matched on the pledge id and counted created, updated or
unchanged. Statuses are the trackers' 2017-2020 assessments, never ours.

Status and theme words live in one registry each (``STATUSES``, ``THEMES``): the
code stored, the word the file uses, the label shown (a msgid) and an icon, as
``storage.statuses.StatusEntry`` (the report statuses' registry type).
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import TextIO

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.audit import audit
from storage.charts import ChartData, CountryBar, chart_data
from storage.commitments import display_title
from storage.countries import resolve_country
from storage.db import Database
from storage.export import Scope
from storage.importer import (
    ImportFileError,
    ImportResult,
    RowError,
    csv_lines,
    download,
    numbered_records,
)
from storage.models import Commitment, Country, PledgeLink, Report, SummitPledge, utcnow
from storage.people import Visitor
from storage.permissions import authorize, may_embed
from storage.pledge_reports import PledgeReportLine, verified_on_card
from storage.search import (
    fts_expression,
    fts_statements,
    has_fts_index,
    query_tokens,
    search_pledges,
)
from storage.statuses import N_, StatusEntry, by_code, by_word

#: TI's pledge-tracker scale, in the order lists show it.
STATUSES: tuple[StatusEntry, ...] = (
    StatusEntry("complete", "complete", N_("Complete"), "✅"),
    StatusEntry("ongoing", "ongoing", N_("Ongoing"), "🔄"),
    StatusEntry("underway", "underway", N_("Underway"), "🚧"),
    StatusEntry("overdue", "overdue", N_("Overdue"), "⏰"),
    StatusEntry("inactive", "inactive", N_("Inactive"), "💤"),
    StatusEntry("dropped", "dropped", N_("Dropped"), "✖️"),
    StatusEntry("no_data", "no data", N_("No data"), "❔"),
)
#: Transparency International's six themes, plus other.
THEMES: tuple[StatusEntry, ...] = (
    StatusEntry("asset_recovery", "asset recovery", N_("Asset recovery"), "💰"),
    StatusEntry("beneficial_ownership", "beneficial ownership", N_("Beneficial ownership"), "🏢"),
    StatusEntry("law_enforcement", "law enforcement", N_("Law enforcement"), "⚖️"),
    StatusEntry("open_data", "open data", N_("Open data"), "📊"),
    StatusEntry("public_procurement", "public procurement", N_("Public procurement"), "📑"),
    StatusEntry(
        "whistleblowing",
        "whistleblowing and civic space",
        N_("Whistleblowing and civic space"),
        "📣",
    ),
    StatusEntry("other", "other", N_("Other"), "•"),
)
STATUS = by_code(STATUSES)
THEME = by_code(THEMES)
_STATUS_BY_WORD = by_word(STATUSES)
_THEME_BY_WORD = by_word(THEMES)

PLEDGE_ID = re.compile(r"ACS2016-[A-Z]{3}-[0-9]{2,3}")
_PLEDGE_ID_LOOSE = re.compile(r"^\s*ACS\s*2016[\s_-]*([A-Za-z]{3})[\s_-]*([0-9]{1,3})\s*$", re.I)
_DATE = re.compile(r"^[0-9]{4}(-(0[1-9]|1[0-2]))?$")
COLUMNS = (
    "pledge_id",
    "country",
    "iso3",
    "theme",
    "pledge",
    "text_is_quote",
    "status",
    "status_source",
    "status_date",
    "source_url",
)
_FIELDS = (
    "country",
    "iso3",
    "theme",
    "text",
    "text_is_quote",
    "status",
    "status_source",
    "status_date",
    "source_url",
)
SUGGESTIONS = 5
RECENT_DAYS = 90


def normalise_pledge_id(text: str | None) -> str | None:
    """``acs2016-ken-1`` and ``ACS2016 KEN 01`` are ``ACS2016-KEN-01``."""
    match = _PLEDGE_ID_LOOSE.match(text or "")
    if match is None:
        return None
    return f"ACS2016-{match[1].upper()}-{match[2].zfill(2)}"


def shipped_pledges_path() -> Path:
    """The sample shipped inside the package (44 pledges of 11 governments)."""
    return Path(str(resources.files("storage") / "data" / "summit-2016-pledges.csv"))


# --------------------------------------------------------------------------- import


def _parse(line: int, row: dict[str, str]) -> dict[str, object] | RowError:
    def get(name: str) -> str:
        return (row.get(name) or "").strip()

    pledge_id = get("pledge_id")
    if not pledge_id:
        return RowError(line, None, "no pledge_id")
    if not PLEDGE_ID.fullmatch(pledge_id):
        return RowError(line, pledge_id, "pledge_id is not like ACS2016-KEN-01")
    iso3 = get("iso3").upper()
    if not re.fullmatch(r"[A-Z]{3}", iso3):
        return RowError(line, pledge_id, f"iso3 {get('iso3')!r} is not three letters")
    theme = _THEME_BY_WORD.get(get("theme").lower())
    if theme is None:
        return RowError(line, pledge_id, f"unknown theme {get('theme')!r}")
    status = _STATUS_BY_WORD.get(get("status").lower())
    if status is None:
        return RowError(line, pledge_id, f"unknown status {get('status')!r}")
    quote = get("text_is_quote").lower()
    if quote not in ("yes", "no"):
        return RowError(line, pledge_id, "text_is_quote must be yes or no")
    when = get("status_date")
    if when and not _DATE.match(when):
        return RowError(line, pledge_id, f"status_date {when!r} is not YYYY or YYYY-MM")
    if not get("pledge") or not get("country"):
        return RowError(line, pledge_id, "no pledge text or no country")
    return {
        "id": pledge_id,
        "country": get("country"),
        "iso3": iso3,
        "theme": theme,
        "text": get("pledge"),
        "text_is_quote": quote == "yes",
        "status": status,
        "status_source": get("status_source"),
        "status_date": when,
        "source_url": get("source_url"),
    }


def _rows(stream: TextIO, result: ImportResult) -> Iterator[dict[str, object]]:
    lines, delimiter = csv_lines(stream, result)
    reader = csv.DictReader(lines, delimiter=delimiter)
    missing = [name for name in COLUMNS if name not in (reader.fieldnames or [])]
    if reader.fieldnames is None:
        raise ImportFileError("empty file: no header row")
    if missing:
        raise ImportFileError(f"not a pledge file: no column {', '.join(missing)}")
    seen: dict[str, int] = {}
    for line, row in numbered_records(reader):
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        parsed = _parse(line, row)
        if isinstance(parsed, RowError):
            result.skipped.append(parsed)
            continue
        first = seen.setdefault(str(parsed["id"]), line)
        if first != line:
            reason = f"duplicate pledge id (first on line {first})"
            result.skipped.append(RowError(line, str(parsed["id"]), reason))
            continue
        yield parsed


def import_pledges(db: Database, source: str | Path | TextIO) -> ImportResult:
    """Import a pledge file (path or text stream): one transaction, idempotent."""
    result = ImportResult()
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise ImportFileError(f"no such file: {path}")
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFileError("file is not UTF-8: save it as CSV (UTF-8)") from None
        stream: TextIO = io.StringIO(text, newline="")
    else:
        stream = source
    rows = list(_rows(stream, result))
    now = utcnow()
    with db.session() as session:
        ids = [str(row["id"]) for row in rows]
        stored = {
            p.id: p for p in session.exec(select(SummitPledge).where(col(SummitPledge.id).in_(ids)))
        }
        for row in rows:
            pledge = stored.get(str(row["id"]))
            iso3 = str(row["iso3"])
            result.per_country[iso3] = result.per_country.get(iso3, 0) + 1
            if pledge is None:
                session.add(SummitPledge(**row, imported_at=now))  # type: ignore[arg-type]
                result.created += 1
            elif any(getattr(pledge, name) != row[name] for name in _FIELDS):
                for name in _FIELDS:
                    setattr(pledge, name, row[name])
                pledge.imported_at = now
                result.updated += 1
            else:
                result.unchanged += 1
    return result


def import_pledges_url(db: Database, url: str) -> ImportResult:
    """Download a pledge file, then import it as a file (nothing on a cut download)."""
    handle, name = tempfile.mkstemp(prefix="ogp-pledges-", suffix=".csv")
    os.close(handle)
    path = Path(name)
    try:
        download(url, path)
        return import_pledges(db, path)
    finally:
        path.unlink(missing_ok=True)


def import_shipped_if_empty(db: Database) -> ImportResult | None:
    """The shipped sample, for the demo (console), if no pledge is stored yet."""
    with db.session() as session:
        if session.exec(select(SummitPledge.id).limit(1)).first() is not None:
            return None
    return import_pledges(db, shipped_pledges_path())


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class CountryPledges:
    iso3: str
    name: str
    total: int
    embedded: int


@dataclass(frozen=True, slots=True)
class Carrier:
    """A NAP commitment that carries a pledge, with its community status."""

    commitment_id: str
    title: str
    community_status: str | None
    community_verified: bool


@dataclass(frozen=True, slots=True)
class PledgeLine:
    pledge: SummitPledge
    carriers: list[Carrier] = field(default_factory=list)
    reports: list[PledgeReportLine] = field(default_factory=list)  # on its card: verified


def overview(db: Database) -> list[CountryPledges]:
    """Every country that made pledges: how many, and how many a commitment carries."""
    with db.session() as session:
        return pledge_counts(session)


def pledge_counts(session: Session, codes: Sequence[str] | None = None) -> list[CountryPledges]:
    """Pledges made and embedded per country (of ``codes``, when given), one
    GROUP BY: what /summit, /stats, /chart and /compare count."""
    linked = select(PledgeLink.pledge_id).where(PledgeLink.pledge_id == SummitPledge.id).exists()
    query = select(
        SummitPledge.iso3,
        sa.func.min(SummitPledge.country),
        sa.func.count(),
        sa.func.sum(sa.case((linked, 1), else_=0)),
    ).group_by(SummitPledge.iso3)
    if codes is not None:
        query = query.where(col(SummitPledge.iso3).in_(list(codes)))
    rows = session.exec(query.order_by(SummitPledge.iso3)).all()
    return [
        CountryPledges(iso3, name, total, int(embedded or 0))
        for iso3, name, total, embedded in rows
    ]


def find_country(db: Database, text: str) -> str | None:
    """The ISO3 of the pledging country ``text`` names (name, code, or an OGP
    member's name in any language the country index knows)."""
    key = text.strip().casefold()
    if not key:
        return None
    with db.session() as session:
        pairs = session.exec(select(SummitPledge.iso3, SummitPledge.country).distinct()).all()
    for iso3, name in pairs:
        if key in (iso3.casefold(), name.casefold()):
            return iso3
    match = resolve_country(db, text).match
    codes = {iso3 for iso3, _ in pairs}
    return match.code if match is not None and match.code in codes else None


def _carriers(session: Session, pledge_ids: Sequence[str]) -> dict[str, list[Carrier]]:
    rows = session.exec(
        select(PledgeLink.pledge_id, Commitment)
        .join(Commitment, col(Commitment.id) == PledgeLink.commitment_id)
        .where(col(PledgeLink.pledge_id).in_(list(pledge_ids)))
        .order_by(col(PledgeLink.commitment_id))
    ).all()
    found: dict[str, list[Carrier]] = {}
    for pledge_id, commitment in rows:
        found.setdefault(pledge_id, []).append(
            Carrier(
                commitment.id,
                display_title(commitment),
                commitment.community_status,
                bool(commitment.community_verified),
            )
        )
    return found


def country_pledges(db: Database, iso3: str) -> list[PledgeLine]:
    """A country's pledges in theme order (the registry's), then by id."""
    order = {entry.code: n for n, entry in enumerate(THEMES)}
    with db.session() as session:
        pledges = list(session.exec(select(SummitPledge).where(SummitPledge.iso3 == iso3)))
        carriers = _carriers(session, [p.id for p in pledges])
    pledges.sort(key=lambda p: (order.get(p.theme, len(order)), p.id))
    return [PledgeLine(p, carriers.get(p.id, [])) for p in pledges]


def pledge_card(db: Database, pledge_id: str) -> PledgeLine | None:
    with db.session() as session:
        pledge = session.get(SummitPledge, pledge_id)
        if pledge is None:
            return None
        return PledgeLine(
            pledge,
            _carriers(session, [pledge.id]).get(pledge.id, []),
            verified_on_card(session, pledge.id),
        )


def search_pledge_lines(db: Database, text: str, *, limit: int) -> list[PledgeLine]:
    """The pledges a search finds, with the commitments that carry them: inline answers."""
    found = search_pledges(db, text, limit=limit)
    with db.session() as session:
        carriers = _carriers(session, [p.id for p in found])
    return [PledgeLine(p, carriers.get(p.id, [])) for p in found]


def pledges_of_commitment(db: Database, commitment_id: str) -> list[str]:
    """The Summit pledges a commitment carries (for a line on its card)."""
    with db.session() as session:
        return list(
            session.exec(
                select(PledgeLink.pledge_id)
                .where(PledgeLink.commitment_id == commitment_id)
                .order_by(col(PledgeLink.pledge_id))
            )
        )


# --------------------------------------------------------------------------- embedding


@dataclass(frozen=True, slots=True)
class EmbedResult:
    """``outcome``: linked, unlinked, already, not_linked, no_pledge, no_commitment,
    other_country, refused."""

    outcome: str
    pledge_id: str
    commitment_id: str
    country: str = ""


def change_link(
    db: Database,
    visitor: Visitor,
    pledge_id: str,
    commitment_id: str,
    *,
    link: bool,
    now: datetime | None = None,
) -> EmbedResult:
    """Link (or unlink) a pledge and a commitment; refusals and changes are audited."""
    action = "pledge.embed" if link else "pledge.unembed"
    target = f"{pledge_id}>{commitment_id}"
    with db.session() as session:
        pledge = session.get(SummitPledge, pledge_id)
        if pledge is None:
            return EmbedResult("no_pledge", pledge_id, commitment_id)
        commitment = session.get(Commitment, commitment_id)
        if commitment is None:
            return EmbedResult("no_commitment", pledge_id, commitment_id, pledge.country)
        allowed = may_embed(visitor, pledge.iso3)
        if authorize(
            session, visitor, action, allowed, target=target, detail=f"not a lead of {pledge.iso3}"
        ):
            return EmbedResult("refused", pledge_id, commitment_id, pledge.country)
        if commitment.country_code != pledge.iso3:
            return EmbedResult("other_country", pledge_id, commitment_id, pledge.country)
        existing = session.get(PledgeLink, (pledge_id, commitment_id))
        if link and existing is not None:
            return EmbedResult("already", pledge_id, commitment_id, pledge.country)
        if not link and existing is None:
            return EmbedResult("not_linked", pledge_id, commitment_id, pledge.country)
        if link:
            session.add(
                PledgeLink(
                    pledge_id=pledge_id,
                    commitment_id=commitment_id,
                    linked_by=visitor.user_id,
                    linked_at=now or utcnow(),
                )
            )
        else:
            session.delete(existing)
        audit(session, visitor.user_id, action, target=target)
        return EmbedResult(
            "linked" if link else "unlinked", pledge_id, commitment_id, pledge.country
        )


_STOPWORD_TEXT = (
    "the and for with will that this from have has its their our are was were which "
    "into all other been also more such"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def _keywords(text: str) -> list[str]:
    words = [w for w in query_tokens(text) if len(w) > 3 and w.casefold() not in _STOPWORDS]
    return words[:24]


def suggestions(db: Database, pledge_id: str, limit: int = SUGGESTIONS) -> list[Carrier]:
    """The country's commitments most like the pledge's text: any of its words,
    ranked by the FTS index's bm25 where there is one (SQLite), else by how many
    of the words each commitment holds. Already linked ones are left out."""
    with db.session() as session:
        pledge = session.get(SummitPledge, pledge_id)
        if pledge is None:
            return []
        words = _keywords(pledge.text)
        linked = set(
            session.exec(select(PledgeLink.commitment_id).where(PledgeLink.pledge_id == pledge_id))
        )
        ids: list[str] = []
        if words and has_fts_index(session):
            _, page = fts_statements([pledge.iso3])
            query = " OR ".join(fts_expression([w]) for w in words)
            params = {"q": query, "boost": -1, "limit": limit + len(linked), "offset": 0}
            ids = list(session.execute(page, params | {"codes": [pledge.iso3]}).scalars())
        elif words:
            commitments = session.exec(
                select(Commitment).where(Commitment.country_code == pledge.iso3)
            ).all()
            score = Counter[str]()
            for commitment in commitments:
                haystack = f"{commitment.title} {commitment.short_title} {commitment.full_text}"
                score[commitment.id] = sum(w.casefold() in haystack.casefold() for w in words)
            ids = [cid for cid, n in sorted(score.items(), key=lambda kv: (-kv[1], kv[0])) if n]
        ids = [cid for cid in ids if cid not in linked][:limit]
        rows = {
            c.id: c for c in session.exec(select(Commitment).where(col(Commitment.id).in_(ids)))
        }
        return [
            Carrier(
                cid,
                display_title(rows[cid]),
                rows[cid].community_status,
                bool(rows[cid].community_verified),
            )
            for cid in ids
            if cid in rows
        ]


def chart_with_pledges(db: Database, scope: Scope) -> ChartData | None:
    """/chart's data for the scope, with its countries' pledges made and embedded."""
    data = chart_data(db, scope)
    if data is None:
        return None
    with db.session() as session:
        rows = pledge_counts(session, [bar.code for bar in data.countries])
    return replace(
        data,
        pledges_made=sum(row.total for row in rows),
        pledges_embedded=sum(row.embedded for row in rows),
    )


# --------------------------------------------------------------------------- comparing


@dataclass(frozen=True, slots=True)
class Comparison:
    """One country's column in /compare; ``bar`` is /chart's bar for it (community
    status and IRM completion), None for a Summit country with no commitments here."""

    code: str
    name: str
    pledges: int
    embedded: int
    bar: CountryBar | None
    recent_reports: int


def compare(
    db: Database, codes: Sequence[str], *, now: datetime | None = None
) -> tuple[list[Comparison], ChartData | None]:
    """Countries side by side: pledges, /chart's figures, reports in 90 days; and
    the chart's data for those that have commitments."""
    since = (now or utcnow()) - timedelta(days=RECENT_DAYS)
    figures = {row.iso3: row for row in overview(db)}
    chart = chart_data(db, Scope(kind="countries", codes=list(codes), label=", ".join(codes)))
    bars = {bar.code: bar for bar in chart.countries} if chart else {}
    with db.session() as session:
        recent = dict(
            session.exec(
                select(Commitment.country_code, sa.func.count())
                .select_from(Report)
                .join(Commitment, col(Commitment.id) == Report.commitment_id)
                .where(col(Commitment.country_code).in_(list(codes)))
                .where(col(Report.created_at) >= since)
                .group_by(Commitment.country_code)
            ).all()
        )
        names = {
            c.code: c.name
            for c in session.exec(select(Country).where(col(Country.code).in_(list(codes))))
        }
    found = []
    for code in codes:
        pledged = figures.get(code)
        name = names.get(code) or (pledged.name if pledged else code)
        found.append(
            Comparison(
                code,
                name,
                pledged.total if pledged else 0,
                pledged.embedded if pledged else 0,
                bars.get(code),
                int(recent.get(code, 0)),
            )
        )
    return found, chart
