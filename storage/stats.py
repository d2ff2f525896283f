"""Figures for /stats: where a set of countries' commitments stand."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from storage.commitments import STALE_AFTER, community_statuses, irm_status, is_overdue
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


def stats(db: Database, codes: Collection[str], *, now: datetime | None = None) -> Stats:
    now = now or utcnow()
    codes = [code.upper() for code in codes]
    with db.session() as session:
        countries = list(
            session.exec(select(Country).where(col(Country.code).in_(codes)).order_by(Country.name))
        )
        commitments = list(
            session.exec(select(Commitment).where(col(Commitment.country_code).in_(codes)))
        )
        ids = [c.id for c in commitments]
        community = community_statuses(session, ids)
        recent = set(
            session.exec(
                select(ProgressUpdate.commitment_id)
                .where(col(ProgressUpdate.commitment_id).in_(ids))
                .where(ProgressUpdate.state != UpdateState.WITHDRAWN)
                .where(ProgressUpdate.created_at >= now - STALE_AFTER)
                .distinct()
            )
        )
    by_community: Counter[Status | None] = Counter()
    by_irm: Counter[Status | None] = Counter()
    overdue = 0
    for commitment in commitments:
        current = community.get(commitment.id)
        irm = irm_status(commitment)
        by_community[current.status if current else None] += 1
        by_irm[irm] += 1
        overdue += is_overdue(commitment.end_date, current, irm, now.date())
    return Stats(
        countries=countries,
        total=len(commitments),
        by_community=dict(by_community),
        by_irm=dict(by_irm),
        overdue=overdue,
        reported_recently=len(recent),
    )
