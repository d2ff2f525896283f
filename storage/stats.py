"""Figures for /stats: where a set of countries' commitments stand.

Everything is counted by the database (GROUP BY over the stored community
status and the IRM ratings), so a country with thousands of commitments and
reports costs a few indexed queries, not a walk through every report.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.commitments import (
    NO_LENS,
    REPORT_WINDOW_DAYS,
    STALE_AFTER,
    Lens,
    irm_status_sql,
    overdue_clause,
)
from storage.db import Database
from storage.export import group_lens
from storage.models import (
    Commitment,
    Country,
    Report,
    Status,
    Subscription,
    UpdateState,
    utcnow,
)
from storage.roles import _group_by_text
from storage.summit import CountryPledges, pledge_counts

# How recent reporting is graded per commitment: a verified report in the window,
# else only unverified ones, else none.
VERIFIED, PENDING = 2, 1


@dataclass(frozen=True, slots=True)
class Stats:
    countries: list[Country]
    total: int
    by_community: dict[Status | None, int]  # verified reports only; None: no verified one
    by_irm: dict[Status | None, int]  # None: the IRM has not rated it
    overdue: int
    reported_recently: int  # commitments with a verified report in the window
    unverified_recently: int = 0  # commitments with only unverified reports in the window
    window_days: int = REPORT_WINDOW_DAYS
    lens: Lens = NO_LENS  # only these commitments of the countries were counted
    group_name: str = ""  # the working group asked about, if any
    pledges: list[CountryPledges] = field(default_factory=list)  # 2016 Summit, per country

    @property
    def reported_share(self) -> float:
        return self.reported_recently / self.total if self.total else 0.0


def stats(
    db: Database, codes: Collection[str], *, lens: Lens = NO_LENS, now: datetime | None = None
) -> Stats:
    """The figures for these countries (under a lens: only the commitments it takes)."""
    with db.session() as session:
        return _stats(session, [code.upper() for code in codes], now or utcnow(), lens)


def group_stats(db: Database, text: str, *, now: datetime | None = None) -> Stats | None:
    """/stats <working group>: its countries' commitments that carry one of its policy
    areas (every country's, for a group of areas alone); None when no group is named so."""
    with db.session() as session:
        group = _group_by_text(session, text.strip())
        if group is None:
            return None
        codes = list(group.countries) or None
        figures = _stats(session, codes, now or utcnow(), group_lens(group))
        return replace(figures, group_name=group.name)


def chat_stats(db: Database, chat_id: int, *, now: datetime | None = None) -> Stats | None:
    """The figures for the countries a chat follows; None when it follows none."""
    with db.session() as session:
        codes = list(
            session.exec(select(Subscription.country_code).where(Subscription.chat_id == chat_id))
        )
        return _stats(session, codes, now or utcnow()) if codes else None


@functools.lru_cache(maxsize=2)
def _statements_for(today: date) -> tuple[sa.Select, sa.Select]:
    """:func:`_statements` for countries and no lens, kept for the day (the overdue
    clause compares plans' end years with today's in Python)."""
    return _statements(today, True, None)


def _statements(
    today: date, narrowed: bool, clause: sa.ColumnElement[bool] | None
) -> tuple[sa.Select, sa.Select]:
    """(the countries present, the GROUP BY of their commitments) with the bound
    parameters ``codes`` (when ``narrowed``) and ``since``."""
    irm = irm_status_sql().label("irm")
    now = datetime.combine(today, time.min)  # overdue_clause reads only its date
    late = sa.case((overdue_clause(now), 1), else_=0).label("late")
    since = sa.bindparam("since", type_=Report.__table__.c.created_at.type)  # type: ignore[attr-defined]

    def reported(state: UpdateState) -> sa.Exists:
        return (
            select(Report.id)
            .where(Report.commitment_id == Commitment.id)
            .where(Report.state == state)  # rejected and withdrawn count nowhere
            .where(Report.created_at >= since)
            .exists()
        )

    recent = sa.case(
        (reported(UpdateState.VERIFIED), VERIFIED),
        (reported(UpdateState.PENDING), PENDING),
        else_=0,
    ).label("recent")
    codes = sa.bindparam("codes", type_=sa.String, expanding=True)
    counted = select(Commitment.community_status, irm, late, recent, sa.func.count())
    if narrowed:
        counted = counted.where(col(Commitment.country_code).in_(codes))
    if clause is not None:
        counted = counted.where(clause)
    present = select(Country).order_by(Country.name)
    if narrowed:
        present = present.where(col(Country.code).in_(codes))
    else:
        taken = select(Commitment.country_code).distinct()
        if clause is not None:
            taken = taken.where(clause)
        present = present.where(col(Country.code).in_(taken))
    counted = counted.group_by(Commitment.community_status, irm, late, recent)
    return present, counted


def _stats(session: Session, codes: list[str] | None, now: datetime, lens: Lens = NO_LENS) -> Stats:
    """All the figures in one pass over the countries' commitments.

    One GROUP BY over (community status, IRM rating, overdue, reported lately)
    reads each commitment once; four separate counts read them four times.
    """
    if (clause := lens.clause()) is None and codes is not None:
        # The common /stats (a chat's or a member's countries, no lens), on statements
        # built once a day: building them cost more than running them (bench.throughput).
        present, counted = _statements_for(now.date())
    else:
        present, counted = _statements(now.date(), codes is not None, clause)
    params = {"codes": codes or [], "since": now - STALE_AFTER}
    countries = list(session.exec(present, params=params))  # type: ignore[call-overload]
    groups = session.exec(counted, params=params).all()  # type: ignore[call-overload]
    by_community: Counter[Status | None] = Counter()
    by_irm: Counter[Status | None] = Counter()
    overdue = reported_recently = unverified_recently = 0
    for community, rated, is_late, is_recent, count in groups:
        by_community[Status(community) if community else None] += count
        by_irm[Status(rated) if rated else None] += count
        overdue += count if is_late else 0
        reported_recently += count if is_recent == VERIFIED else 0
        unverified_recently += count if is_recent == PENDING else 0
    return Stats(
        countries=countries,
        total=sum(by_community.values()),
        by_community=dict(by_community),
        by_irm=dict(by_irm),
        overdue=overdue,
        reported_recently=reported_recently,
        unverified_recently=unverified_recently,
        lens=lens,
        pledges=pledge_counts(session, [country.code for country in countries]),
    )
