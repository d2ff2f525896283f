"""Reading commitments: cards, lists by plan, the community status, "overdue".

The community status of a commitment is what its members last reported and a
lead verified: the latest verified report. Pending reports are someone's claim,
shown apart and marked unverified; rejected and withdrawn ones count nowhere.

Flags follow OGP's cycle. A commitment whose action plan has ended is judged by
the IRM's end-of-term verdict, never called overdue: the plan is over, and the
IRM has said (or will say) how far it got. "Overdue" is kept for a commitment
past its own end date while its plan still runs and nobody says it is complete
(or withdrawn). ``is_overdue`` and ``overdue_clause`` are that one rule, in
Python and in SQL; everything that flags or counts overdue uses them.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.db import Database
from storage.models import (
    ActionPlan,
    Commitment,
    Country,
    GovernmentReply,
    Member,
    PledgeLink,
    Report,
    ReportSource,
    Status,
    Subscription,
    UpdateState,
    utcnow,
)
from storage.paging import Paged, clamp_page
from storage.statuses import STATUS_BY_IRM_WORD, status_of_irm_rating

PAGE_SIZE = 10
# The one window of every "recent reports" figure (/following, /stats, the stale
# filter, digests' call to action); texts state it.
REPORT_WINDOW_DAYS = 90
STALE_AFTER = timedelta(days=REPORT_WINDOW_DAYS)
# How long after its plan ends a commitment is still asked about (digests,
# reminders); the bot's setting ``ended_plan_days`` overrides it.
ASK_AFTER_PLAN_END = timedelta(days=365)
# Reports that are someone's standing word on a commitment (activity); only
# verified ones set its community status.
LIVE_STATES = (UpdateState.VERIFIED, UpdateState.PENDING)
# What a card lists: those, and the government's word (never in the community status).
SHOWN_STATES = (*LIVE_STATES, UpdateState.STATED)
DONE = (Status.COMPLETE, Status.WITHDRAWN)


class ListFilter(enum.StrEnum):
    ALL = "all"
    ANTI_CORRUPTION = "ac"
    OVERDUE = "od"
    STALE = "st"  # no report in 90 days
    STARRED = "sr"


@dataclass(frozen=True, slots=True)
class Lens:
    """Which of some countries' commitments a view takes: a working group's policy
    areas (any of them), or the anti-corruption tag. The empty lens takes all."""

    areas: tuple[str, ...] = ()
    anti_corruption: bool = False

    def __bool__(self) -> bool:
        return bool(self.areas or self.anti_corruption)

    def clause(self) -> sa.ColumnElement[bool] | None:
        """The lens in SQL (None: no lens); policy areas are a JSON list of OGP's names."""
        conditions = []
        if self.areas:
            tags = sa.cast(col(Commitment.policy_areas), sa.Text)
            conditions.append(
                sa.or_(*[tags.contains(json.dumps(area), autoescape=True) for area in self.areas])
            )
        if self.anti_corruption:
            conditions.append(col(Commitment.anti_corruption).is_(True))
        return sa.and_(*conditions) if conditions else None


NO_LENS = Lens()


# A commitment, or a row of its columns read with Core (the hot paths read rows:
# docs/performance.md); the helpers below read attributes only, so take either.
CommitmentLike = Commitment | sa.Row


def irm_status(commitment: CommitmentLike) -> Status | None:
    """The IRM's latest completion rating, on our scale (end of term wins)."""
    for rating in (commitment.completion_end_term, commitment.completion_progress):
        if status := status_of_irm_rating(rating):
            return status
    return None


def irm_end_term(commitment: CommitmentLike) -> Status | None:
    """The IRM's end-of-term verdict, the word that closes a commitment of an ended plan."""
    return status_of_irm_rating(commitment.completion_end_term)


def plan_ended(end_year: int | None, today: date) -> bool:
    """OGP dates a plan's end by its year only, so a plan runs to that year's last day.

    A commitment without a plan, or a plan without an end year, counts as running:
    saying nothing is better than closing what may still be open.
    """
    return end_year is not None and end_year < today.year


def plan_ended_clause(day: date) -> sa.ColumnElement[bool]:
    """SQL twin of :func:`plan_ended` for ``Commitment`` rows: its plan ended before ``day``."""
    return sa.exists(
        select(ActionPlan.id)
        .where(col(ActionPlan.id) == col(Commitment.action_plan_id))
        .where(col(ActionPlan.end_year) < day.year)
        .correlate(Commitment)
    )


def plan_end_years(session: Session, commitments: Iterable[Commitment]) -> dict[str, int | None]:
    """Each plan's end year, by plan id, for the plans of these commitments."""
    ids = list({c.action_plan_id for c in commitments if c.action_plan_id})
    found: dict[str, int | None] = {}
    for start in range(0, len(ids), 5_000):
        chunk = ids[start : start + 5_000]
        found.update(
            session.exec(
                select(ActionPlan.id, ActionPlan.end_year).where(col(ActionPlan.id).in_(chunk))
            ).all()
        )
    return found


@dataclass(frozen=True, slots=True)
class CommunityStatus:
    status: Status
    verified: bool
    reported_at: datetime


@dataclass(frozen=True, slots=True)
class CommitmentRow:
    """One line of a list: enough to recognise a commitment and its state."""

    id: str
    title: str
    country_code: str
    end_date: date | None
    community: CommunityStatus | None
    irm: Status | None
    overdue: bool
    plan_ended: bool = False
    end_term: Status | None = None  # the IRM's end-of-term verdict


@dataclass(frozen=True, slots=True)
class Page(Paged):
    rows: list[CommitmentRow]
    page: int
    total: int
    page_size: int = PAGE_SIZE


@dataclass(frozen=True, slots=True)
class ReportLine:
    id: int
    status: Status
    state: UpdateState
    note: str
    reporter: str  # the reporter's chosen display name, or "" once they left or if anonymous
    created_at: datetime
    anonymous: bool = False
    government: bool = False  # the government's word (a government contact's report)
    reply: str = ""  # the government's right of reply, under a verified report


@dataclass(frozen=True, slots=True)
class CountryName:
    """A commitment's country as its card names it."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class PlanLabel:
    """A commitment's action plan as its card labels it."""

    id: str
    number: int | None
    submitted_year: int | None
    end_year: int | None


@dataclass(frozen=True, slots=True)
class CommitmentCard:
    # A row of the commitment's columns (all but the full text), read by name as a
    # Commitment's attributes are: the card is read as plain rows (bench.throughput).
    commitment: sa.Row
    country: CountryName
    plan: PlanLabel | None
    community: CommunityStatus | None
    irm: Status | None
    overdue: bool
    recent_reports: list[ReportLine]
    report_count: int
    followed: bool = False  # the asking chat follows the commitment's country
    pending: int = 0  # reports waiting for a lead: shown apart, not counted
    plan_ended: bool = False
    end_term: Status | None = None  # the IRM's end-of-term verdict
    pledges: tuple[str, ...] = ()  # 2016 Summit pledges it carries (storage/summit.py)
    government: ReportLine | None = None  # the government's latest word, beside civil society's


def display_title(commitment: CommitmentLike) -> str:
    return (commitment.short_title or commitment.title or commitment.id).strip()


def is_overdue(
    end_date: date | None,
    community: CommunityStatus | None,
    irm: Status | None,
    today: date,
    *,
    plan_end_year: int | None,
) -> bool:
    """Past its own end date while its plan runs, and nobody says it is done."""
    if end_date is None or end_date >= today or plan_ended(plan_end_year, today):
        return False
    current = community.status if community else irm
    return current not in DONE


def overdue_clause(now: datetime) -> sa.ColumnElement[bool]:
    """SQL twin of :func:`is_overdue`, so lists, filters and counts page in the database."""
    current = sa.func.coalesce(col(Commitment.community_status), irm_status_sql())
    return sa.and_(
        col(Commitment.end_date) < now.date(),
        sa.or_(current.is_(None), current.not_in([s.value for s in DONE])),
        ~plan_ended_clause(now.date()),
    )


def community_of(commitment: CommitmentLike) -> CommunityStatus | None:
    """The stored community status: ``refresh_community`` keeps it current, so no query."""
    if commitment.community_status is None:
        return None
    return CommunityStatus(
        Status(commitment.community_status),
        bool(commitment.community_verified),
        commitment.community_at,  # type: ignore[arg-type]
    )


def community_statuses(commitments: Iterable[Commitment]) -> dict[str, CommunityStatus]:
    """Stored community status of loaded commitments, by id (those with one)."""
    return {c.id: status for c in commitments if (status := community_of(c)) is not None}


def compute_community_statuses(session: Session, ids: Iterable[str]) -> dict[str, CommunityStatus]:
    """Community status from the verified reports, one query for many commitments.

    The database picks each commitment's report (a window function), so only one
    row per commitment comes back. A global ``ORDER BY created_at`` here once let
    SQLite walk the whole table through the created_at index instead of looking
    the ids up: 0.3 s for a country's 1,500 commitments among 100,000 reports.
    """
    ids = list(ids)
    if not ids:
        return {}
    rank = (
        sa.func.row_number()
        .over(
            partition_by=col(Report.commitment_id),
            order_by=(
                col(Report.created_at).desc(),
                col(Report.id).desc(),
            ),
        )
        .label("rank")
    )
    ranked = (
        select(
            Report.commitment_id,
            Report.status,
            Report.state,
            Report.created_at,
            rank,
        )
        .where(col(Report.commitment_id).in_(ids))
        .where(Report.state == UpdateState.VERIFIED)
        .subquery()
    )
    rows = session.exec(
        select(ranked.c.commitment_id, ranked.c.status, ranked.c.state, ranked.c.created_at).where(
            ranked.c.rank == 1
        )
    ).all()
    return {
        commitment_id: CommunityStatus(Status(status), state == UpdateState.VERIFIED, created_at)
        for commitment_id, status, state, created_at in rows
    }


def refresh_community(session: Session, ids: Iterable[str] | None = None) -> int:
    """Recompute the stored community status of these commitments (None: all of them).

    Every storage function that sends, reviews, edits or withdraws a report calls
    this in its own transaction, so the stored status is never behind.
    """
    session.flush()
    if ids is None:
        ids = list(session.exec(select(Commitment.id)))
    ids = list(dict.fromkeys(ids))
    changed = 0
    for start in range(0, len(ids), 5_000):
        chunk = ids[start : start + 5_000]
        fresh = compute_community_statuses(session, chunk)
        for commitment in session.exec(select(Commitment).where(col(Commitment.id).in_(chunk))):
            current = fresh.get(commitment.id)
            values = (
                (current.status.value, current.verified, current.reported_at)
                if current
                else (None, False, None)
            )
            if (
                commitment.community_status,
                commitment.community_verified,
                commitment.community_at,
            ) != values:
                (
                    commitment.community_status,
                    commitment.community_verified,
                    commitment.community_at,
                ) = values
                changed += 1
    return changed


def rows_for(
    session: Session, commitments: Sequence[Commitment], today: date
) -> list[CommitmentRow]:
    """List rows, in the given order, with community status and the cycle's flags."""
    plans = plan_end_years(session, commitments)
    return [_list_row(c, plans.get(c.action_plan_id or ""), today) for c in commitments]


def _list_row(commitment: CommitmentLike, end_year: int | None, today: date) -> CommitmentRow:
    """One list row, from a Commitment or a row of ``_LIST_ROWS``."""
    community, irm = community_of(commitment), irm_status(commitment)
    return CommitmentRow(
        id=commitment.id,
        title=display_title(commitment),
        country_code=commitment.country_code,
        end_date=commitment.end_date,
        community=community,
        irm=irm,
        overdue=is_overdue(commitment.end_date, community, irm, today, plan_end_year=end_year),
        plan_ended=plan_ended(end_year, today),
        end_term=irm_end_term(commitment),
    )


# What a list row needs of a commitment, with its plan's end year, in one
# statement built once: as plain rows, not Commitment objects (loading ten
# entities with their full texts, then their plans, was a third of a search
# page's storage time; bench.throughput).
_C = Commitment.__table__.c  # type: ignore[attr-defined]
_LIST_ROWS = (
    select(
        _C.id,
        _C.title,
        _C.short_title,
        _C.country_code,
        _C.end_date,
        _C.action_plan_id,
        _C.community_status,
        _C.community_verified,
        _C.community_at,
        _C.completion_progress,
        _C.completion_end_term,
        ActionPlan.end_year,
    )
    .join(ActionPlan, col(ActionPlan.id) == _C.action_plan_id, isouter=True)
    .where(_C.id.in_(sa.bindparam("ids", type_=sa.String, expanding=True)))
)


def list_rows(session: Session, ids: Sequence[str], today: date) -> list[CommitmentRow]:
    """:func:`rows_for` the commitments with these ids, in this order, read as rows."""
    if not ids:
        return []
    found = {r.id: r for r in session.connection().execute(_LIST_ROWS, {"ids": list(ids)})}
    return [_list_row(found[i], found[i].end_year, today) for i in ids if i in found]


def normalise_id(text: str) -> str:
    return text.strip().upper()


# The card's statements, built once: building them on every /status cost a
# quarter of get_card (py-spy, bench.throughput); SQLAlchemy caches their SQL.
# Read as plain rows, not ORM objects (loading Commitment, Country and
# ActionPlan objects was a third of what remained), and without the full text,
# which the card never shows (its button fetches it: get_full_text).
_CID = sa.bindparam("cid", type_=sa.String)
_CARD = (
    select(
        *(column for column in _C if column.name != "full_text"),
        col(Country.name).label("country_name"),
        col(ActionPlan.id).label("plan_id"),
        col(ActionPlan.number).label("plan_number"),
        col(ActionPlan.submitted_year).label("plan_submitted_year"),
        col(ActionPlan.end_year).label("plan_end_year"),
        select(sa.func.count())
        .select_from(Report)
        .where(Report.commitment_id == _CID)
        .where(col(Report.state).in_(LIVE_STATES))
        .scalar_subquery()
        .label("report_count"),
        select(sa.func.count())
        .select_from(Report)
        .where(Report.commitment_id == _CID)
        .where(Report.state == UpdateState.PENDING)
        .scalar_subquery()
        .label("waiting"),
        select(Subscription.chat_id)
        .where(Subscription.chat_id == sa.bindparam("chat_id", type_=sa.BigInteger))
        .where(Subscription.country_code == _C.country_code)
        .exists()
        .label("is_followed"),
    )
    .join(Country, col(Country.code) == _C.country_code, isouter=True)
    .join(ActionPlan, col(ActionPlan.id) == _C.action_plan_id, isouter=True)
    .where(_C.id == _CID)
)
# A report line's columns, read as plain rows (Core, not ORM objects: loading
# Report objects was a third of get_card; bench.throughput), with the
# government's reply to it joined in (one per report: its key).
_R = Report.__table__.c  # type: ignore[attr-defined]
_LINE_COLUMNS = (
    _R.id,
    _R.status,
    _R.state,
    _R.note,
    _R.anonymous,
    _R.created_at,
    _R.source,
)
_CARD_REPORTS = (
    select(*_LINE_COLUMNS, Member.display_name, GovernmentReply.text.label("reply"))  # type: ignore[attr-defined]
    .join(Member, col(Member.id) == _R.reporter_id, isouter=True)
    .join(GovernmentReply, col(GovernmentReply.update_id) == _R.id, isouter=True)
    .where(_R.commitment_id == _CID)
    .where(_R.state.in_(SHOWN_STATES))  # rejected: see /history
    .order_by(_R.created_at.desc(), _R.id.desc())
    .limit(3)
)
# The government's word, beside civil society's (storage/government.py).
_CARD_GOVERNMENT = (
    select(*_LINE_COLUMNS)
    .where(_R.commitment_id == _CID)
    .where(_R.state == UpdateState.STATED)
    .order_by(_R.created_at.desc(), _R.id.desc())
    .limit(1)
)
_CARD_PLEDGES = (
    select(PledgeLink.pledge_id)
    .where(PledgeLink.commitment_id == _CID)
    .order_by(col(PledgeLink.pledge_id))
)


def get_card(
    db: Database,
    commitment_id: str,
    *,
    chat_id: int | None = None,
    now: datetime | None = None,
) -> CommitmentCard | None:
    """The card, and whether ``chat_id`` follows its country.

    Reads only, on a connection rather than a session (a session's set-up and
    commit were a fifth of a card; bench.throughput)."""
    with db.engine.connect() as conn:
        return card_in(conn, commitment_id, chat_id=chat_id, now=now)


def card_in(
    conn: sa.Connection,
    commitment_id: str,
    *,
    chat_id: int | None = None,
    now: datetime | None = None,
) -> CommitmentCard | None:
    """:func:`get_card` on a caller's connection (a session's: ``session.connection()``)."""
    now = now or utcnow()
    params = {"cid": normalise_id(commitment_id), "chat_id": chat_id}
    commitment = conn.execute(_CARD, params).first()
    if commitment is None:
        return None
    plan = (
        PlanLabel(
            commitment.plan_id,
            commitment.plan_number,
            commitment.plan_submitted_year,
            commitment.plan_end_year,
        )
        if commitment.plan_id is not None
        else None
    )
    community = community_of(commitment)
    irm = irm_status(commitment)
    reports = conn.execute(_CARD_REPORTS, params).all()
    government = conn.execute(_CARD_GOVERNMENT, params).first()
    return CommitmentCard(
        commitment=commitment,
        country=CountryName(commitment.country_code, commitment.country_name),
        plan=plan,
        community=community,
        irm=irm,
        overdue=is_overdue(
            commitment.end_date,
            community,
            irm,
            now.date(),
            plan_end_year=plan.end_year if plan else None,
        ),
        recent_reports=[_report_line(row, row.display_name, row.reply) for row in reports],
        report_count=commitment.report_count,
        followed=bool(commitment.is_followed) and chat_id is not None,
        pending=commitment.waiting,
        plan_ended=plan_ended(plan.end_year if plan else None, now.date()),
        end_term=irm_end_term(commitment),
        pledges=tuple(conn.execute(_CARD_PLEDGES, params).scalars()),
        government=_report_line(government, None) if government is not None else None,
    )


def _replies(session: Session, report_ids: list[int]) -> dict[int, str]:
    """The government's reply to each of these reports that has one (storage/government.py)."""
    if not report_ids:
        return {}
    return dict(
        session.exec(
            select(GovernmentReply.update_id, GovernmentReply.text).where(
                col(GovernmentReply.update_id).in_(report_ids)
            )
        ).all()
    )


def _report_line(
    update: Report | sa.Row, reporter: str | None, reply: str | None = None
) -> ReportLine:
    """A report as a card or a history page shows it: a Report, or a row of
    ``_LINE_COLUMNS``."""
    return ReportLine(
        id=update.id,
        status=Status(update.status),
        state=UpdateState(update.state),
        note=update.note,
        reporter="" if update.anonymous else reporter or "",
        created_at=update.created_at,
        anonymous=update.anonymous,
        government=update.source == ReportSource.GOVERNMENT,
        reply=reply or "",
    )


def get_full_text(db: Database, commitment_id: str) -> tuple[str, str] | None:
    """(id, full text) for the "full text" button; None if the id is unknown."""
    with db.session() as session:
        commitment = session.get(Commitment, normalise_id(commitment_id))
        if commitment is None:
            return None
        return commitment.id, commitment.full_text or commitment.title


@dataclass(frozen=True, slots=True)
class PlanSummary:
    id: str
    number: int | None
    submitted_year: int | None
    end_year: int | None
    commitments: int


def country_plans(db: Database, country_code: str) -> list[PlanSummary]:
    """A country's action plans, newest first, with their commitment counts."""
    with db.session() as session:
        rows = session.exec(
            select(ActionPlan, sa.func.count(col(Commitment.id)))
            .join(Commitment, col(Commitment.action_plan_id) == col(ActionPlan.id), isouter=True)
            .where(ActionPlan.country_code == country_code)
            .group_by(col(ActionPlan.id))
            .order_by(
                sa.func.coalesce(col(ActionPlan.number), 0).desc(),
                sa.func.coalesce(col(ActionPlan.submitted_year), 0).desc(),
            )
        ).all()
        return [
            PlanSummary(plan.id, plan.number, plan.submitted_year, plan.end_year, count)
            for plan, count in rows
        ]


def get_plan(db: Database, plan_id: str) -> tuple[ActionPlan, Country] | None:
    with db.session() as session:
        plan = session.get(ActionPlan, plan_id)
        if plan is None:
            return None
        return plan, session.get(Country, plan.country_code)


def irm_status_sql() -> sa.ColumnElement:
    rating = sa.func.lower(
        sa.func.coalesce(col(Commitment.completion_end_term), col(Commitment.completion_progress))
    )
    return sa.case(
        *[(rating == word, status.value) for word, status in STATUS_BY_IRM_WORD.items()],
        else_=None,
    )


def filter_clause(kind: ListFilter, now: datetime) -> sa.ColumnElement[bool] | None:
    """SQL for a list filter, so paging and counts happen in the database."""
    if kind is ListFilter.ANTI_CORRUPTION:
        return col(Commitment.anti_corruption).is_(True)
    if kind is ListFilter.STARRED:
        return col(Commitment.starred).is_(True)
    if kind is ListFilter.OVERDUE:
        return overdue_clause(now)
    if kind is ListFilter.STALE:
        recent = (
            select(Report.id)
            .where(Report.commitment_id == Commitment.id)
            .where(col(Report.state).in_(LIVE_STATES))
            .where(Report.created_at >= now - STALE_AFTER)
            .correlate(Commitment)
        )
        return ~sa.exists(recent)
    return None


def list_commitments(
    db: Database,
    *,
    plan_id: str | None = None,
    country_code: str | None = None,
    kind: ListFilter = ListFilter.ALL,
    page: int = 0,
    now: datetime | None = None,
) -> Page:
    """One page of a plan's commitments (or, with ``country_code``, of every plan of
    a country) under a filter, in OGP's order."""
    now = now or utcnow()
    conditions = (
        [Commitment.action_plan_id == plan_id]
        if plan_id is not None
        else [Commitment.country_code == country_code]
    )
    if (clause := filter_clause(kind, now)) is not None:
        conditions.append(clause)
    with db.session() as session:
        total = session.exec(
            select(sa.func.count()).select_from(Commitment).where(*conditions)
        ).one()
        page = clamp_page(page, total, PAGE_SIZE)
        commitments = session.exec(
            select(Commitment)
            .where(*conditions)
            .order_by(sa.func.length(col(Commitment.id)), col(Commitment.id))
            .offset(page * PAGE_SIZE)
            .limit(PAGE_SIZE)
        ).all()
        return Page(rows_for(session, commitments, now.date()), page, total)


@dataclass(frozen=True, slots=True)
class HistoryPage(Paged):
    commitment_id: str
    title: str
    reports: list[ReportLine]
    page: int
    total: int
    page_size: int = PAGE_SIZE


def history(db: Database, commitment_id: str, *, page: int = 0) -> HistoryPage | None:
    """Every report on a commitment, newest first, withdrawn ones included."""
    with db.session() as session:
        commitment = session.get(Commitment, normalise_id(commitment_id))
        if commitment is None:
            return None
        total = session.exec(
            select(sa.func.count()).select_from(Report).where(Report.commitment_id == commitment.id)
        ).one()
        page = clamp_page(page, total, PAGE_SIZE)
        rows = session.exec(
            select(Report, Member.display_name)
            .join(Member, col(Member.id) == col(Report.reporter_id), isouter=True)
            .where(Report.commitment_id == commitment.id)
            .order_by(col(Report.created_at).desc(), col(Report.id).desc())
            .offset(page * PAGE_SIZE)
            .limit(PAGE_SIZE)
        ).all()
        replies = _replies(session, [update.id for update, _name in rows])
        return HistoryPage(
            commitment.id,
            display_title(commitment),
            [_report_line(update, name, replies.get(update.id)) for update, name in rows],
            page,
            total,
        )
