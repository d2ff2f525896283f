"""The numbers behind /chart: commitments by community status next to IRM completion.

Pure data, no drawing: ``bot/charts.py`` renders it. For one country the chart
compares, status by status, what members report with what the IRM rated; for
several countries (a working group) it has one bar per country.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import col, select

from storage.commitments import community_statuses, irm_status
from storage.db import Database
from storage.export import Scope
from storage.government import government_statuses
from storage.models import Commitment, Country, Status

MAX_COUNTRIES = 20
# The scale, in order; None is "no report yet" / "not rated by the IRM".
SCALE: tuple[Status | None, ...] = (*Status, None)


@dataclass(frozen=True, slots=True)
class CountryBar:
    code: str
    name: str
    total: int
    community: dict[Status | None, int]
    irm: dict[Status | None, int]
    # The government's latest word, commitments it reported on only (no None).
    government: dict[Status, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ChartData:
    title: str  # a country's or a working group's name
    countries: list[CountryBar]  # one per country, by name
    truncated: bool = False  # more than MAX_COUNTRIES: the first ones only
    # The countries' 2016 Summit pledges (storage.summit.chart_with_pledges fills them).
    pledges_made: int = 0
    pledges_embedded: int = 0

    @property
    def single(self) -> bool:
        return len(self.countries) == 1

    @property
    def total(self) -> int:
        return sum(bar.total for bar in self.countries)

    @property
    def community(self) -> dict[Status | None, int]:
        """Every country together, each status present (zeros too), in scale order."""
        return _sum(bar.community for bar in self.countries)

    @property
    def irm(self) -> dict[Status | None, int]:
        return _sum(bar.irm for bar in self.countries)

    @property
    def government(self) -> dict[Status, int]:
        """Commitments by the government's word, every country together (present ones)."""
        total: Counter[Status] = Counter()
        for bar in self.countries:
            total.update(bar.government)
        return {status: total[status] for status in Status if total[status]}


def _sum(parts: object) -> dict[Status | None, int]:
    total: Counter[Status | None] = Counter()
    for part in parts:  # type: ignore[attr-defined]
        total.update(part)
    return {status: total.get(status, 0) for status in SCALE}


def chart_data(db: Database, scope: Scope) -> ChartData | None:
    """Counts per country and status for the scope; None when it has no commitments."""
    with db.session() as session:
        query = select(Country).order_by(Country.name)
        if scope.codes is not None:
            query = query.where(col(Country.code).in_(scope.codes))
        else:
            present = select(Commitment.country_code).distinct()
            if (lens := scope.lens.clause()) is not None:
                present = present.where(lens)
            query = query.where(col(Country.code).in_(present))
        countries = list(session.exec(query))
        truncated = len(countries) > MAX_COUNTRIES
        countries = countries[:MAX_COUNTRIES]
        codes = [c.code for c in countries]
        query = select(Commitment).where(col(Commitment.country_code).in_(codes))
        if (lens := scope.lens.clause()) is not None:
            query = query.where(lens)  # a working group sees its policy areas only
        commitments = list(session.exec(query))
        statuses = community_statuses(commitments)
        stated = government_statuses(session, [c.id for c in commitments])
    government: dict[str, Counter[Status]] = {code: Counter() for code in codes}
    for commitment in commitments:
        if commitment.id in stated:
            government[commitment.country_code][stated[commitment.id]] += 1
    community: dict[str, Counter[Status | None]] = {code: Counter() for code in codes}
    irm: dict[str, Counter[Status | None]] = {code: Counter() for code in codes}
    for commitment in commitments:
        current = statuses.get(commitment.id)
        community[commitment.country_code][current.status if current else None] += 1
        irm[commitment.country_code][irm_status(commitment)] += 1
    bars = [
        CountryBar(
            code=c.code,
            name=c.name,
            total=sum(community[c.code].values()),
            community={s: community[c.code].get(s, 0) for s in SCALE},
            irm={s: irm[c.code].get(s, 0) for s in SCALE},
            government=dict(government[c.code]),
        )
        for c in countries
    ]
    if not any(bar.total for bar in bars):
        return None
    title = scope.group_name or (bars[0].name if len(bars) == 1 else scope.label)
    return ChartData(title=title, countries=bars, truncated=truncated)
