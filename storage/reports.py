"""Progress reports: sending, pages, the author's edits and withdrawal, revisions.

The rules live here, not in the handlers: that only the author may edit or
withdraw and only until verification, and that every change is kept as a
revision. Drafts are storage/drafts.py; verifying is storage/review.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage import outbox, pledge_reports
from storage.audit import audit
from storage.commitments import (
    display_title,
    refresh_community,
)
from storage.conversations import set_state
from storage.db import Database
from storage.drafts import CONVERSATION, DraftView, close_draft, draft_view
from storage.models import (
    Chat,
    ChatState,
    Commitment,
    Country,
    Evidence,
    Member,
    Report,
    ReportDraft,
    ReportSource,
    Role,
    RoleGrant,
    Status,
    Subscription,
    UpdateRevision,
    UpdateState,
    WorkingGroup,
    utcnow,
)
from storage.paging import Paged, clamp_page
from storage.permissions import may_report_as_government
from storage.report_rules import FloodLimited, ReportError, flood_wait

PAGE_SIZE = 5


@dataclass(frozen=True, slots=True)
class Submitted:
    update_id: int
    commitment_id: str
    commitment_title: str
    country_code: str
    country_name: str
    status: Status
    note: str
    evidence: list[dict[str, Any]]
    reporter_name: str
    edited: bool
    revision: int
    # Who to ask for verification (leads of the country, admins), with their
    # chats' languages, in the order to ask them.
    reviewers: dict[int, str]
    # Sent anonymously: reporter_name is for admins' eyes only (see the views).
    anonymous: bool = False
    # Sent by a government contact of the country: the government's word, not
    # reviewed (``reviewers`` is empty) and not part of the community status.
    government: bool = False


def _reviewers(session: Session, country_code: str, admins: Collection[int]) -> dict[int, str]:
    """Leads of the country and admins who can be messaged, with their chats' languages.

    Telegram lets a bot write only to people who started it, and never to those
    who blocked it: the others see the report in /pending when they come.
    """
    leads = list(
        session.exec(
            select(RoleGrant.member_id)
            .where(RoleGrant.role == Role.LEAD)
            .where(RoleGrant.country_code == country_code)
        )
    )
    # Leads of a working group that follows the country verify its reports too.
    for member_id, countries in session.exec(
        select(RoleGrant.member_id, WorkingGroup.countries)
        .join(WorkingGroup, col(WorkingGroup.id) == col(RoleGrant.working_group_id))
        .where(RoleGrant.role == Role.LEAD)
    ):
        if country_code in (countries or []):
            leads.append(member_id)
    candidates = list(dict.fromkeys([*leads, *admins]))
    reachable = dict(
        session.exec(
            select(Chat.id, Chat.language)
            .where(col(Chat.id).in_(candidates))
            .where(Chat.state != ChatState.BLOCKED)
        ).all()
    )
    return {member: reachable[member] for member in candidates if member in reachable}


def _evidence_rows(report_id: int, items: list[dict[str, Any]]) -> list[Evidence]:
    return [
        Evidence(
            update_id=report_id,
            kind=item.get("kind", "link"),
            url=item.get("url", ""),
            file_id=item.get("file_id", ""),
            file_name=item.get("file_name", ""),
            file_size=item.get("file_size"),
            caption=item.get("caption", ""),
        )
        for item in items
    ]


def _evidence_item(e: Evidence) -> dict[str, Any]:
    """One stored evidence row as the views take it (a report page and a submission)."""
    return {
        "kind": e.kind,
        "url": e.url,
        "file_id": e.file_id,
        "file_name": e.file_name,
        "file_size": e.file_size,
        "caption": e.caption,
    }


def submit_draft(
    db: Database,
    member_id: int,
    *,
    admins: Collection[int],
    now: datetime | None = None,
) -> Submitted | pledge_reports.PledgeSubmitted | None:
    """Turn the draft into a pending report (or a new revision of the one it edits).

    Each reviewer's notice is queued in the outbox in the same transaction, as
    data the bot renders when it sends it (bot/notices.py): a report is never
    saved without them, nor they sent for a report that was not.

    None if there is no complete draft. Raises FloodLimited, ReportError("verified")
    when the edited report was verified meanwhile.
    """
    now = now or utcnow()
    with db.session() as session:
        draft = session.get(ReportDraft, member_id)
        if draft is None or not (
            (draft.commitment_id or draft.pledge_id) and draft.status and draft.note
        ):
            return None
        if draft.pledge_id is not None:
            if (wait := flood_wait(session, member_id, now)) is not None:
                raise FloodLimited(wait)
            pledged = pledge_reports.submit(session, draft, now)
            reviewers = _reviewers(session, pledged.iso3, admins)
            reviewers = {r: lang for r, lang in reviewers.items() if r != member_id}
            pledge_reports.ask_reviewers(session, pledged.report_id, reviewers, admins, now)
            close_draft(session, draft)
            return replace(pledged, reviewers=reviewers)
        commitment = session.get(Commitment, draft.commitment_id)
        country = session.get(Country, commitment.country_code)
        member = session.get(Member, member_id)
        edited = draft.update_id is not None
        government = may_report_as_government(session, member_id, country.code)
        if (wait := flood_wait(session, member_id, now)) is not None:
            raise FloodLimited(wait)
        if edited:
            report = session.get(Report, draft.update_id)
            if report is None or report.reporter_id != member_id:
                raise ReportError("not_yours")
            if report.state not in (UpdateState.PENDING, UpdateState.REJECTED):
                raise ReportError("verified")
            report.status, report.note = draft.status, draft.note
            report.anonymous = draft.anonymous
            report.state = UpdateState.PENDING
            report.revision += 1
            report.updated_at = now
            session.exec(sa.delete(Evidence).where(col(Evidence.update_id) == report.id))
        else:
            report = Report(
                commitment_id=commitment.id,
                reporter_id=member_id,
                status=draft.status,
                note=draft.note,
                anonymous=draft.anonymous,
                created_at=now,
                updated_at=now,
            )
            if government:  # the government's word is signed, never anonymous
                report.source = ReportSource.GOVERNMENT
                report.state = UpdateState.STATED
                report.anonymous = False
            session.add(report)
        session.flush()
        session.add_all(_evidence_rows(report.id, draft.evidence))
        refresh_community(session, [commitment.id])
        session.add(
            UpdateRevision(
                update_id=report.id,
                action="edited" if edited else "created",
                actor_id=member_id,
                status=draft.status,
                note=draft.note,
                evidence=list(draft.evidence),
                at=now,
            )
        )
        reviewers = {}
        if report.state == UpdateState.STATED:  # audited like leads' actions
            audit(session, member_id, "report.government", target=f"update:{report.id}")
        else:
            reviewers = _reviewers(session, country.code, admins)
        result = Submitted(
            update_id=report.id,
            commitment_id=commitment.id,
            commitment_title=display_title(commitment),
            country_code=country.code,
            country_name=country.name,
            status=Status(draft.status),
            note=draft.note,
            evidence=list(draft.evidence),
            reporter_name=member.display_name if member else "",
            anonymous=report.anonymous,
            edited=edited,
            revision=report.revision,
            reviewers={r: lang for r, lang in reviewers.items() if r != member_id},
            government=report.state == UpdateState.STATED,
        )
        close_draft(session, draft)
        for chat_id, language in result.reviewers.items():
            key = outbox.notice_key(outbox.NOTICE, report.id, report.revision, chat_id)
            payload = {
                "report_id": report.id,
                "revision": report.revision,
                "language": language,
                "reveal": chat_id in admins,
            }
            outbox.enqueue(
                session, chat_id, "", kind=outbox.NOTICE, dedup_key=key, payload=payload, now=now
            )
        return result


def submitted(db: Database, report_id: int, revision: int) -> Submitted | None:
    """A report as its reviewers' notice shows it, read when the notice is sent.

    None when there is nothing to verify any more: the report is gone, withdrawn
    by its author, or edited since (the newer revision has notices of its own).
    """
    with db.session() as session:
        report = session.get(Report, report_id)
        if report is None or report.revision != revision or report.state != UpdateState.PENDING:
            return None
        commitment = session.get(Commitment, report.commitment_id)
        country = session.get(Country, commitment.country_code)
        member = session.get(Member, report.reporter_id) if report.reporter_id else None
        evidence = session.exec(
            select(Evidence).where(Evidence.update_id == report.id).order_by(col(Evidence.id))
        ).all()
        return Submitted(
            update_id=report.id,
            commitment_id=commitment.id,
            commitment_title=display_title(commitment),
            country_code=country.code,
            country_name=country.name,
            status=Status(report.status),
            note=report.note,
            evidence=[_evidence_item(e) for e in evidence],
            reporter_name=member.display_name if member else "",
            anonymous=report.anonymous,
            edited=report.revision > 1,
            revision=report.revision,
            reviewers={},
            government=report.source == ReportSource.GOVERNMENT,
        )


# ------------------------------------------------------------ choosing


def suggestions(db: Database, chat_id: int, *, limit: int = 8) -> list[tuple[str, str]]:
    """Commitments to offer first: of the followed countries, newest plans first."""
    with db.session() as session:
        rows = session.exec(
            select(Commitment.id, Commitment.short_title, Commitment.title)
            .join(Subscription, col(Subscription.country_code) == col(Commitment.country_code))
            .where(Subscription.chat_id == chat_id)
            .order_by(
                col(Commitment.end_date).desc().nulls_last(),
                col(Commitment.id),
            )
            .limit(limit)
        ).all()
    return [(cid, (short or title or cid).strip()) for cid, short, title in rows]


@dataclass(frozen=True, slots=True)
class ReportInfo:
    id: int
    commitment_id: str
    commitment_title: str
    country_code: str
    status: Status
    state: UpdateState
    note: str
    evidence: list[dict[str, Any]]
    reporter_id: int | None
    reporter_name: str
    created_at: datetime
    reason: str = ""
    reporter_language: str | None = None  # of their private chat: to tell them the outcome
    revision: int = 1
    anonymous: bool = False  # reporter_name is then for admins only: see the views


def report_info(session: Session, report: Report) -> ReportInfo:
    return _infos(session, [report])[0]


def _infos(session: Session, reports: Sequence[Report]) -> list[ReportInfo]:
    """What lists and notices show of each report: four queries for a whole page."""
    if not reports:
        return []
    ids = {r.commitment_id for r in reports}
    commitments = {
        c.id: c for c in session.exec(select(Commitment).where(col(Commitment.id).in_(ids)))
    }
    people = {r.reporter_id for r in reports if r.reporter_id is not None}
    members = {m.id: m for m in session.exec(select(Member).where(col(Member.id).in_(people)))}
    # Their private chat's language (what /settings changes), to tell them outcomes.
    languages = dict(
        session.exec(select(Chat.id, Chat.language).where(col(Chat.id).in_(people))).all()
    )
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    for item in session.exec(
        select(Evidence)
        .where(col(Evidence.update_id).in_([r.id for r in reports]))
        .order_by(col(Evidence.id))
    ):
        evidence[item.update_id].append(item)
    infos = []
    for report in reports:
        commitment = commitments[report.commitment_id]
        member = members.get(report.reporter_id) if report.reporter_id is not None else None
        infos.append(
            ReportInfo(
                id=report.id,
                commitment_id=report.commitment_id,
                commitment_title=display_title(commitment),
                country_code=commitment.country_code,
                status=Status(report.status),
                state=UpdateState(report.state),
                note=report.note,
                evidence=[
                    {"kind": e.kind, "url": e.url, "file_id": e.file_id, "file_name": e.file_name}
                    for e in evidence[report.id]
                ],
                reporter_id=report.reporter_id,
                reporter_name=member.display_name if member else "",
                created_at=report.created_at,
                reason=report.review_reason,
                reporter_language=languages.get(report.reporter_id)
                or (member.language if member else None),
                revision=report.revision,
                anonymous=report.anonymous,
            )
        )
    return infos


def get_report(db: Database, report_id: int) -> ReportInfo | None:
    with db.session() as session:
        report = session.get(Report, report_id)
        return report_info(session, report) if report is not None else None


@dataclass(frozen=True, slots=True)
class ReportPage(Paged):
    reports: list[ReportInfo]
    page: int
    total: int
    page_size: int = PAGE_SIZE


def my_reports(db: Database, member_id: int, *, page: int = 0) -> ReportPage:
    return report_page(db, [Report.reporter_id == member_id], page, oldest_first=False)


def report_page(db: Database, conditions: list, page: int, *, oldest_first: bool) -> ReportPage:
    order = col(Report.created_at)
    with db.session() as session:
        base = select(Report).join(Commitment, col(Commitment.id) == col(Report.commitment_id))
        total = session.exec(
            select(sa.func.count()).select_from(base.where(*conditions).subquery())
        ).one()
        page = clamp_page(page, total, PAGE_SIZE)
        reports = session.exec(
            base.where(*conditions)
            .order_by(order if oldest_first else order.desc(), col(Report.id))
            .offset(page * PAGE_SIZE)
            .limit(PAGE_SIZE)
        ).all()
        return ReportPage(_infos(session, reports), page, total)


# ------------------------------------------------------------ author's changes


def edit_report(
    db: Database, member_id: int, chat_id: int, report_id: int, *, state: str
) -> DraftView:
    """Open a draft over an existing report. Raises ReportError("not_yours"/"verified"),
    or FloodLimited: the change could not be sent, so it is not begun."""
    with db.session() as session:
        report = session.get(Report, report_id)
        if report is None or report.reporter_id != member_id:
            raise ReportError("not_yours")
        if report.state not in (UpdateState.PENDING, UpdateState.REJECTED):
            raise ReportError("verified")
        if (wait := flood_wait(session, member_id, utcnow())) is not None:
            raise FloodLimited(wait)
        evidence = session.exec(select(Evidence).where(Evidence.update_id == report_id)).all()
        old = session.get(ReportDraft, member_id)
        if old is not None:
            session.delete(old)
            session.flush()
        draft = ReportDraft(
            member_id=member_id,
            chat_id=chat_id,
            commitment_id=report.commitment_id,
            status=report.status,
            note=report.note,
            evidence=[_evidence_item(e) for e in evidence],
            update_id=report_id,
            editing=True,
        )
        session.add(draft)
        set_state(session, CONVERSATION, chat_id, member_id, state)
        session.flush()
        return draft_view(session, draft)


def withdraw(
    db: Database, member_id: int, report_id: int, *, now: datetime | None = None
) -> ReportInfo:
    """The author takes a report back. Raises ReportError("not_yours"/"verified")."""
    now = now or utcnow()
    with db.session() as session:
        report = session.get(Report, report_id)
        if report is None or report.reporter_id != member_id:
            raise ReportError("not_yours")
        if report.state == UpdateState.WITHDRAWN:
            return report_info(session, report)
        if report.state == UpdateState.VERIFIED:
            raise ReportError("verified")
        report.state = UpdateState.WITHDRAWN
        report.updated_at = now
        session.add(
            UpdateRevision(
                update_id=report.id,
                action="withdrawn",
                actor_id=member_id,
                status=report.status,
                note=report.note,
                at=now,
            )
        )
        refresh_community(session, [report.commitment_id])
        return report_info(session, report)


@dataclass(frozen=True, slots=True)
class Revision:
    action: str
    status: Status
    note: str
    reason: str
    at: datetime


def revisions(db: Database, report_id: int) -> list[Revision]:
    with db.session() as session:
        rows = session.exec(
            select(UpdateRevision)
            .where(UpdateRevision.update_id == report_id)
            .order_by(col(UpdateRevision.at), col(UpdateRevision.id))
        ).all()
        return [Revision(r.action, Status(r.status), r.note, r.reason, r.at) for r in rows]
