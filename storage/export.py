"""CSV exports: commitments with their community status, every report, and the
countries' 2016 Anti-Corruption Summit pledges with the commitments that carry them.

Columns carry OGP's own names where OGP has the field ("Commitment Unique
Identifier", "Country/Locality", "Completion (End Of Term)" ...), so a sheet
built on OGP's export takes ours too; our own columns come after. Dates are
ISO (2024-06-30), times ISO in UTC. Files are UTF-8 with a byte-order mark so
spreadsheet programs read accents right.

Who reported is personal data: reporter names and ids (and who reviewed) are
written only for admins and for leads (their own countries), and only when
they export in a private chat, never into a group. Text typed by members that
a spreadsheet would run as a formula (=, +, -, @) is prefixed with a quote.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.audit import audit
from storage.commitments import (
    NO_LENS,
    Lens,
    community_statuses,
    irm_status,
    is_overdue,
    plan_end_years,
)
from storage.countries import resolve_countries
from storage.db import Database
from storage.models import (
    Commitment,
    Country,
    Evidence,
    GovernmentReply,
    Member,
    PledgeLink,
    Report,
    Status,
    Subscription,
    SummitPledge,
    WorkingGroup,
    WorkingGroupChat,
    utcnow,
)
from storage.people import Visitor
from storage.permissions import identities_visible
from storage.roles import _group_by_text
from storage.statuses import REPORT_STATUS

FORMER_MEMBER = "former member"
ANONYMOUS_MEMBER = "a coalition member (anonymous)"

COMMITMENT_COLUMNS = (
    "Commitment Unique Identifier",
    "Country/Locality",
    "Code",
    "Action Plan ID",
    "Commitment Number",
    "Commitment Title",
    "Short Title",
    "Theme",
    "Lead Institution",
    "Start Date",
    "End Date",
    "Completion (Progress Report)",
    "Completion (End Of Term)",
    "URL",
    "Community Status",
    "Community Status Verified",
    "Community Status Date",
    "Reports",
    "Overdue",
)

REPORT_COLUMNS = (
    "Report ID",
    "Commitment Unique Identifier",
    "Country/Locality",
    "Code",
    "Commitment Title",
    "Reported At",
    "Status",
    "Verification",
    "Reviewed At",
    "Review Reason",
    "Note",
    "Evidence",
    # community (civil society, reviewed by leads) or government (its contact's word,
    # Verification "stated"), and the government's right of reply to a report.
    "Source",
    "Government Reply",
)
IDENTITY_COLUMNS = ("Reporter", "Reporter ID", "Reviewed By ID")

# The tracker's status is its 2017-2020 assessment, never today's: the header says so.
PLEDGE_COLUMNS = (
    "Pledge ID",
    "Country",
    "ISO3",
    "Theme",
    "Status (2017-2020 assessment)",
    "Assessed By",
    "Assessed On",
    "Source",
    "Embedded In",
    "Pledge",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# ------------------------------------------------------------------ scope


@dataclass
class Scope:
    """Which commitments an export or a chart covers."""

    kind: str  # all | countries | group
    codes: list[str] | None  # None: every country
    label: str  # "Kenya", "Kenya, Ghana", a group's name, "all"
    group_name: str = ""
    problem: str = ""  # "" | unresolved | empty
    unresolved: list[str] = field(default_factory=list)
    # A working group sees only the commitments carrying one of its policy areas.
    lens: Lens = NO_LENS

    @property
    def slug(self) -> str:
        if self.kind == "group":
            return "".join(ch if ch.isalnum() else "-" for ch in self.group_name.lower())[:40]
        if self.kind == "all" or not self.codes:
            return "all"
        return "-".join(self.codes[:5]).lower() + ("-etc" if len(self.codes) > 5 else "")


def group_lens(group: WorkingGroup) -> Lens:
    return Lens(areas=tuple(group.policy_areas or ()))


def _group_scope(session: Session, group: WorkingGroup) -> Scope:
    """A group's countries under its policy areas; a group of areas alone spans every country."""
    codes = list(group.countries) or None
    return Scope("group", codes, group.name, group_name=group.name, lens=group_lens(group))


def _country_scope(session: Session, codes: list[str]) -> Scope:
    names = dict(
        session.exec(select(Country.code, Country.name).where(col(Country.code).in_(codes))).all()
    )
    return Scope("countries", codes, ", ".join(names.get(c, c) for c in codes))


def resolve_scope(db: Database, chat_id: int | None, text: str) -> Scope:
    """What ``/export`` or ``/chart`` is about.

    With text: a working group (its number, its name, "group NAME"), else OGP
    members by name or code. Without: the working group this chat is linked to,
    else the countries it follows, else everything.
    """
    text = text.strip()
    with db.session() as session:
        if text:
            group = _group_by_text(session, text)
            if group is not None:
                return _group_scope(session, group)
        elif chat_id is not None:
            group = session.exec(
                select(WorkingGroup)
                .join(
                    WorkingGroupChat,
                    col(WorkingGroupChat.working_group_id) == col(WorkingGroup.id),
                )
                .where(WorkingGroupChat.chat_id == chat_id)
                .order_by(col(WorkingGroup.id))
            ).first()
            if group is not None:
                return _group_scope(session, group)
            followed = sorted(  # a set: a forum may follow a country in several topics
                set(
                    session.exec(
                        select(Subscription.country_code).where(Subscription.chat_id == chat_id)
                    )
                )
            )
            if followed:
                return _country_scope(session, followed)
            return Scope("all", None, "all", problem="empty")
        else:
            return Scope("all", None, "all")
    resolutions = resolve_countries(db, text)
    codes = list(dict.fromkeys(r.match.code for r in resolutions if r.match is not None))
    unresolved = [r.query for r in resolutions if r.match is None]
    if unresolved or not codes:
        return Scope("countries", codes, "", problem="unresolved", unresolved=unresolved or [text])
    with db.session() as session:
        return _country_scope(session, codes)


# ------------------------------------------------------------------ CSV


def _safe(text: str | None) -> str:
    """Free text typed by people, made inert for spreadsheet formulas."""
    text = text or ""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _iso(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()


def _csv(header: Sequence[str], rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _commitments(
    session: Session, codes: Collection[str] | None, lens: Lens = NO_LENS
) -> list[Commitment]:
    query = select(Commitment)
    if codes is not None:
        query = query.where(col(Commitment.country_code).in_(list(codes)))
    if (clause := lens.clause()) is not None:
        query = query.where(clause)
    return list(
        session.exec(
            query.order_by(
                col(Commitment.country_code), sa.func.length(col(Commitment.id)), Commitment.id
            )
        )
    )


def _country_names(session: Session) -> dict[str, str]:
    return {c.code: (c.ogp_name or c.name) for c in session.exec(select(Country))}


def commitments_csv(
    db: Database,
    codes: Collection[str] | None = None,
    *,
    lens: Lens = NO_LENS,
    now: datetime | None = None,
) -> tuple[str, int]:
    """(CSV text, number of commitments): each with its latest community status."""
    now = now or utcnow()
    with db.session() as session:
        commitments = _commitments(session, codes, lens)
        ids = [c.id for c in commitments]
        statuses = community_statuses(commitments)
        plans = plan_end_years(session, commitments)
        counts: dict[str, int] = defaultdict(int)
        for chunk_start in range(0, len(ids), 500):
            chunk = ids[chunk_start : chunk_start + 500]
            for cid, count in session.exec(
                select(Report.commitment_id, sa.func.count())
                .where(col(Report.commitment_id).in_(chunk))
                .group_by(Report.commitment_id)
            ):
                counts[cid] = count
        names = _country_names(session)
    rows: list[list[object]] = []
    for c in commitments:
        community = statuses.get(c.id)
        irm = irm_status(c)
        rows.append(
            [
                c.id,
                names.get(c.country_code, c.country_code),
                c.country_code,
                c.action_plan_id or "",
                c.number,
                c.title,
                c.short_title,
                c.theme,
                c.lead_institution,
                _iso(c.start_date),
                _iso(c.end_date),
                c.completion_progress or "",
                c.completion_end_term or "",
                c.url,
                REPORT_STATUS[community.status].word if community else "",
                ("yes" if community.verified else "no") if community else "",
                _iso(community.reported_at) if community else "",
                counts.get(c.id, 0),
                "yes"
                if is_overdue(
                    c.end_date,
                    community,
                    irm,
                    now.date(),
                    plan_end_year=plans.get(c.action_plan_id or ""),
                )
                else "no",
            ]
        )
    return _csv(COMMITMENT_COLUMNS, rows), len(rows)


def _evidence_text(items: list[Evidence]) -> str:
    parts = []
    for item in items:
        if item.kind == "link":
            parts.append(item.url)
        else:
            label = item.file_name or item.caption or ""
            parts.append(f"{item.kind}: {label}".strip().rstrip(":"))
    return " | ".join(parts)


def reports_csv(
    db: Database,
    codes: Collection[str] | None = None,
    *,
    identities: bool | Collection[str] = False,
    lens: Lens = NO_LENS,
) -> tuple[str, int]:
    """(CSV text, number of reports): every report, oldest first, withdrawn included.

    ``identities``: True for every report, a set of country codes for those
    countries only, False for none (then the identity columns are left out).
    """
    with db.session() as session:
        query = (
            select(Report, Commitment, Member.display_name)
            .join(Commitment, col(Commitment.id) == col(Report.commitment_id))
            .join(Member, col(Member.id) == col(Report.reporter_id), isouter=True)
        )
        if codes is not None:
            query = query.where(col(Commitment.country_code).in_(list(codes)))
        if (clause := lens.clause()) is not None:
            query = query.where(clause)
        rows_in = session.exec(query.order_by(col(Report.created_at), col(Report.id))).all()
        evidence: dict[int, list[Evidence]] = defaultdict(list)
        replies: dict[int, str] = {}
        update_ids = [update.id for update, _c, _n in rows_in]
        for chunk_start in range(0, len(update_ids), 500):
            chunk = update_ids[chunk_start : chunk_start + 500]
            for item in session.exec(
                select(Evidence).where(col(Evidence.update_id).in_(chunk)).order_by(Evidence.id)
            ):
                evidence[item.update_id].append(item)
            replies.update(
                session.exec(
                    select(GovernmentReply.update_id, GovernmentReply.text).where(
                        col(GovernmentReply.update_id).in_(chunk)
                    )
                ).all()
            )
        names = _country_names(session)
    with_identities = identities is True or bool(identities)
    header = REPORT_COLUMNS + (IDENTITY_COLUMNS if with_identities else ())
    rows: list[list[object]] = []
    for update, commitment, reporter_name in rows_in:
        row: list[object] = [
            update.id,
            commitment.id,
            names.get(commitment.country_code, commitment.country_code),
            commitment.country_code,
            commitment.short_title or commitment.title,
            _iso(update.created_at),
            REPORT_STATUS[Status(update.status)].word,
            update.state,
            _iso(update.reviewed_at),
            _safe(update.review_reason),
            _safe(update.note),
            _safe(_evidence_text(evidence.get(update.id, []))),
            update.source,
            _safe(replies.get(update.id, "")),
        ]
        if with_identities:
            shown = identities is True or commitment.country_code in identities
            if not shown:
                row += ["", "", ""]
            elif update.reporter_id is None:
                row += [FORMER_MEMBER, "", update.reviewed_by or ""]
            elif update.anonymous:  # an export never names an anonymous reporter
                row += [ANONYMOUS_MEMBER, "", update.reviewed_by or ""]
            else:
                row += [_safe(reporter_name or ""), update.reporter_id, update.reviewed_by or ""]
        rows.append(row)
    return _csv(header, rows), len(rows)


def pledges_csv(db: Database, codes: Collection[str] | None) -> tuple[str, int]:
    """The Summit pledges of these countries (all, for None), codes as stored
    ("no_data"), and the NAP commitments that carry each, space-separated."""
    with db.session() as session:
        query = select(SummitPledge).order_by(col(SummitPledge.iso3), col(SummitPledge.id))
        links = select(PledgeLink.pledge_id, PledgeLink.commitment_id).order_by(
            col(PledgeLink.commitment_id)
        )
        if codes is not None:
            query = query.where(col(SummitPledge.iso3).in_(list(codes)))
            links = links.join(SummitPledge, col(SummitPledge.id) == PledgeLink.pledge_id).where(
                col(SummitPledge.iso3).in_(list(codes))
            )
        pledges = list(session.exec(query))
        carried: defaultdict[str, list[str]] = defaultdict(list)
        for pledge_id, commitment_id in session.exec(links):
            carried[pledge_id].append(commitment_id)
    rows: list[list[object]] = [
        [
            p.id,
            p.country,
            p.iso3,
            p.theme,
            p.status,
            _safe(p.status_source),
            p.status_date,
            p.source_url,
            " ".join(carried.get(p.id, [])),
            _safe(p.text),
        ]
        for p in pledges
    ]
    return _csv(PLEDGE_COLUMNS, rows), len(rows)


# ------------------------------------------------------------------ for chat


@dataclass(frozen=True, slots=True)
class ExportFile:
    filename: str
    content: bytes
    rows: int
    kind: str = ""  # "commitments", "reports" or "pledges": which caption it takes


@dataclass
class ExportResult:
    scope: Scope
    identities: bool = False
    files: list[ExportFile] = field(default_factory=list)


def export_for_chat(
    db: Database, visitor: Visitor, chat_id: int, text: str, *, now: datetime | None = None
) -> ExportResult:
    """/export [country|group]: the CSV files, as bytes, for the chat. Audited.

    Slow on a big database: call it with ``asyncio.to_thread``.
    """
    now = now or utcnow()
    scope = resolve_scope(db, chat_id, text)
    result = ExportResult(scope)
    if scope.problem == "unresolved":
        return result
    if scope.problem == "empty":
        scope.problem = ""  # a chat that follows nothing exports everything
    identities = identities_visible(visitor)
    stamp = now.strftime("%Y%m%d")
    commitments, count = commitments_csv(db, scope.codes, lens=scope.lens, now=now)
    reports, report_count = reports_csv(db, scope.codes, identities=identities, lens=scope.lens)
    result.identities = bool(identities)
    result.files = [
        ExportFile(
            f"ogp-commitments-{scope.slug}-{stamp}.csv",
            commitments.encode("utf-8-sig"),
            count,
            "commitments",
        ),
        ExportFile(
            f"ogp-reports-{scope.slug}-{stamp}.csv",
            reports.encode("utf-8-sig"),
            report_count,
            "reports",
        ),
    ]
    pledges, pledge_count = pledges_csv(db, scope.codes)
    if pledge_count:  # a country that made no Summit pledge gets no empty sheet
        result.files.append(
            ExportFile(
                f"summit-pledges-{scope.slug}-{stamp}.csv",
                pledges.encode("utf-8-sig"),
                pledge_count,
                "pledges",
            )
        )
    with db.session() as session:
        audit(
            session,
            visitor.user_id,
            "export",
            target=f"chat:{chat_id}",
            detail=f"{scope.kind}:{','.join(scope.codes or ['all'])[:150]}"
            + (" with identities" if result.identities else ""),
        )
    return result
