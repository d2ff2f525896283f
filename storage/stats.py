"""Figures for /stats: where a set of countries' commitments stand.

Everything is counted by the database (GROUP BY over the stored community
status and the IRM ratings), so a country with thousands of commitments and
reports costs a few indexed queries, not a walk through every report.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select

from storage.commitments import STALE_AFTER, ListFilter, filter_clause, irm_status_sql
from storage.db import Database
from storage.models import Commitment, Country, ProgressUpdate, Status, UpdateState, utcnow


@dataclass(frozen=True, slots=True)
class Stats:
    countries: list[Country]
    total: int
    by_community: dict[Status | None, int]  # None: nobody has reported yet
    by_irm: dict[Status | None, int]  # None: the IRM has not rated it
    overdue: int
    reported_recently: int  # commitments with a report in the last 90 days

    @property
    def reported_share(self) -> float:
        return self.reported_recently / self.total if self.total else 0.0


def _by_status(rows: list[tuple[str | None, int]]) -> dict[Status | None, int]:
    return {(Status(key) if key else None): count for key, count in rows if count}


def stats(db: Database, codes: Collection[str], *, now: datetime | None = None) -> Stats:
    now = now or utcnow()
    codes = [code.upper() for code in codes]
    of_countries = col(Commitment.country_code).in_(codes)
    with db.session() as session:
        countries = list(
            session.exec(select(Country).where(col(Country.code).in_(codes)).order_by(Country.name))
        )
        by_community = session.exec(
            select(Commitment.community_status, sa.func.count())
            .where(of_countries)
            .group_by(Commitment.community_status)
        ).all()
        irm = irm_status_sql().label("irm")
        by_irm = session.exec(select(irm, sa.func.count()).where(of_countries).group_by(irm)).all()
        overdue = session.exec(
            select(sa.func.count())
            .select_from(Commitment)
            .where(of_countries, filter_clause(ListFilter.OVERDUE, now))
        ).one()
        recent = session.exec(
            select(sa.func.count(sa.distinct(ProgressUpdate.commitment_id)))
            .join(Commitment, col(Commitment.id) == col(ProgressUpdate.commitment_id))
            .where(of_countries)
            .where(ProgressUpdate.state != UpdateState.WITHDRAWN)
            .where(ProgressUpdate.created_at >= now - STALE_AFTER)
        ).one()
    community = _by_status(by_community)
    return Stats(
        countries=countries,
        total=sum(community.values()),
        by_community=community,
        by_irm=_by_status(by_irm),
        overdue=overdue,
        reported_recently=recent,
    )
