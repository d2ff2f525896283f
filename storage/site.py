"""What the public static site may show, read in bulk (one query per table).

Only what is meant to be public leaves here: verified reports (never pending,
rejected or withdrawn ones), evidence *links* (never Telegram file ids), and a
reporter's name only when that person chose, in /settings, to be named on the
public site and did not send the report anonymously. A forgotten member's
``Member`` row is gone (storage.forget), so their reports carry no name at all.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from storage.db import Database
from storage.models import (
    ActionPlan,
    Commitment,
    Country,
    Evidence,
    Member,
    PledgeLink,
    Report,
    Status,
    SummitPledge,
    UpdateState,
)

PUBLIC_LINK = ("https://", "http://")


@dataclass(frozen=True, slots=True)
class PublicReport:
    id: int
    commitment_id: str
    status: Status
    note: str
    reported_at: datetime
    verified_at: datetime | None
    reporter: str | None  # None: shown as "a coalition member"
    links: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PublicPledge:
    """A 2016 Summit pledge as the imported file gave it: status, assessor and date
    are the trackers' (2017-2020), never ours; ``carriers`` are commitment ids."""

    id: str
    theme: str
    text: str
    text_is_quote: bool
    status: str
    status_source: str
    status_date: str
    source_url: str  # "" unless a web link
    carriers: tuple[str, ...]


@dataclass(slots=True)
class PublicCommitment:
    id: str
    member_code: str
    plan_id: str | None
    title: str
    full_title: str
    theme: str
    lead_institution: str
    start_date: date | None
    end_date: date | None
    url: str
    irm_completion: str | None  # IRM's word, end of term first, else mid-term
    reports: list[PublicReport] = field(default_factory=list)  # oldest first
    pledges: list[PublicPledge] = field(default_factory=list)  # the Summit pledges it carries

    @property
    def status(self) -> Status | None:
        """The community status: the latest verified report's."""
        return self.reports[-1].status if self.reports else None


@dataclass(frozen=True, slots=True)
class PublicPlan:
    id: str
    number: int | None
    submitted_year: int | None
    end_year: int | None


@dataclass(slots=True)
class PublicMember:
    code: str
    name: str
    kind: str
    parent: str | None
    region: str
    plans: list[PublicPlan] = field(default_factory=list)
    commitments: list[PublicCommitment] = field(default_factory=list)
    pledges: list[PublicPledge] = field(default_factory=list)  # by id


@dataclass(frozen=True, slots=True)
class PublicData:
    members: list[PublicMember]  # those with commitments, by name

    @property
    def commitments(self) -> int:
        return sum(len(m.commitments) for m in self.members)


def public_data(db: Database) -> PublicData:
    """Everything the site shows, in seven queries whatever its size."""
    with db.engine.connect() as conn:
        countries = conn.execute(
            sa.select(
                Country.code, Country.name, Country.kind, Country.parent, Country.region
            ).where(
                sa.exists().where(Commitment.country_code == Country.code)  # type: ignore[arg-type]
            )
        ).all()
        plans = conn.execute(
            sa.select(
                ActionPlan.id,
                ActionPlan.country_code,
                ActionPlan.number,
                ActionPlan.submitted_year,
                ActionPlan.end_year,
            )
        ).all()
        commitments = conn.execute(
            sa.select(
                Commitment.id,
                Commitment.country_code,
                Commitment.action_plan_id,
                Commitment.short_title,
                Commitment.title,
                Commitment.theme,
                Commitment.lead_institution,
                Commitment.start_date,
                Commitment.end_date,
                Commitment.url,
                Commitment.completion_end_term,
                Commitment.completion_progress,
            ).order_by(Commitment.id)
        ).all()
        reports = conn.execute(
            sa.select(
                Report.id,
                Report.commitment_id,
                Report.status,
                Report.note,
                Report.created_at,
                Report.reviewed_at,
                Report.anonymous,
                Member.display_name,
                Member.public_name,
            )
            .outerjoin(Member, Member.id == Report.reporter_id)  # type: ignore[arg-type]
            .where(Report.state == UpdateState.VERIFIED)
            .order_by(Report.created_at, Report.id)
        ).all()
        links = conn.execute(
            sa.select(Evidence.update_id, Evidence.url)
            .join(Report, Report.id == Evidence.update_id)  # type: ignore[arg-type]
            .where(
                Report.state == UpdateState.VERIFIED,
                Evidence.kind == "link",
            )
            .order_by(Evidence.id)
        ).all()
        pledges = conn.execute(
            sa.select(
                SummitPledge.id,
                SummitPledge.iso3,
                SummitPledge.theme,
                SummitPledge.text,
                SummitPledge.text_is_quote,
                SummitPledge.status,
                SummitPledge.status_source,
                SummitPledge.status_date,
                SummitPledge.source_url,
            ).order_by(SummitPledge.id)
        ).all()
        pledge_links = conn.execute(
            sa.select(PledgeLink.pledge_id, PledgeLink.commitment_id).order_by(
                PledgeLink.commitment_id
            )
        ).all()

    links_of: dict[int, list[str]] = defaultdict(list)
    for update_id, url in links:
        if url.startswith(PUBLIC_LINK):
            links_of[update_id].append(url)
    reports_of: dict[str, list[PublicReport]] = defaultdict(list)
    for r in reports:
        named = bool(r.public_name) and not r.anonymous and bool(r.display_name)
        reports_of[r.commitment_id].append(
            PublicReport(
                id=r.id,
                commitment_id=r.commitment_id,
                status=Status(r.status),
                note=r.note,
                reported_at=r.created_at,
                verified_at=r.reviewed_at,
                reporter=r.display_name if named else None,
                links=tuple(links_of.get(r.id, ())),
            )
        )
    members = {
        c.code: PublicMember(
            code=c.code, name=c.name, kind=c.kind, parent=c.parent, region=c.region
        )
        for c in countries
    }
    for p in plans:
        if p.country_code in members:
            members[p.country_code].plans.append(
                PublicPlan(
                    id=p.id, number=p.number, submitted_year=p.submitted_year, end_year=p.end_year
                )
            )
    for c in commitments:
        members[c.country_code].commitments.append(
            PublicCommitment(
                id=c.id,
                member_code=c.country_code,
                plan_id=c.action_plan_id,
                title=(c.short_title or c.title or c.id).strip(),
                full_title=c.title.strip() if c.short_title else "",
                theme=c.theme,
                lead_institution=c.lead_institution,
                start_date=c.start_date,
                end_date=c.end_date,
                url=c.url if c.url.startswith(PUBLIC_LINK) else "",
                irm_completion=c.completion_end_term or c.completion_progress or None,
                reports=reports_of.get(c.id, []),
            )
        )
    carriers: dict[str, list[str]] = defaultdict(list)
    for pledge_id, commitment_id in pledge_links:
        carriers[pledge_id].append(commitment_id)
    commitment_of = {c.id: c for m in members.values() for c in m.commitments}
    for p in pledges:
        if p.iso3 not in members:  # a Summit government that is no OGP member here
            continue
        pledge = PublicPledge(
            id=p.id,
            theme=p.theme,
            text=p.text,
            text_is_quote=bool(p.text_is_quote),
            status=p.status,
            status_source=p.status_source,
            status_date=p.status_date,
            source_url=p.source_url if p.source_url.startswith(PUBLIC_LINK) else "",
            carriers=tuple(carriers.get(p.id, ())),
        )
        members[p.iso3].pledges.append(pledge)
        for commitment_id in pledge.carriers:
            if commitment_id in commitment_of:
                commitment_of[commitment_id].pledges.append(pledge)
    for member in members.values():
        member.plans.sort(key=lambda p: (p.submitted_year or 0, p.number or 0, p.id))
    return PublicData(members=sorted(members.values(), key=lambda m: (m.name, m.code)))
