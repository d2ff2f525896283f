"""Verifying reports: who may, the decision, a rejection's reason, the pending queue.

Leads of the commitment's country (and admins) verify, never the report's own
author; each decision is audited, and every reviewer's notice is closed with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage import government
from storage.audit import audit
from storage.commitments import (
    refresh_community,
)
from storage.conversations import in_topic, set_state
from storage.db import Database
from storage.models import (
    Chat,
    Commitment,
    ConversationState,
    Report,
    ReviewerNotice,
    UpdateRevision,
    UpdateState,
    utcnow,
)
from storage.people import Visitor
from storage.permissions import NOT_A_LEAD, authorize, authorize_now, may_review
from storage.reports import ReportInfo, ReportPage, report_info, report_page
from storage.text import utf16_truncate

REJECT_CONVERSATION = "reject"
REASON_LIMIT = 500
OWN_REPORT = "own report"  # the audited reason an author may not review their report


def _refusal(session: Session, visitor: Visitor, report: Report | None) -> str | None:
    """Why this person may not decide on this report (for the audit log), or None.

    Nobody reviews their own report, admins included: someone else must look.
    """
    if report is None:
        return "no such report"
    country = session.exec(
        select(Commitment.country_code).where(Commitment.id == report.commitment_id)
    ).one()
    if not may_review(visitor, country):
        return f"not a lead of {country}"
    if report.reporter_id is not None and report.reporter_id == visitor.user_id:
        return OWN_REPORT
    return None


@dataclass(frozen=True, slots=True)
class ReviewResult:
    allowed: bool
    changed: bool  # False when it was already in that state (a replayed button)
    report: ReportInfo | None
    refusal: str = ""  # why not, when not allowed: OWN_REPORT, or another audited reason
    # The author changed the report since the reviewer saw it: nothing was decided,
    # and ``report`` is the new version, to be shown instead.
    outdated: bool = False
    # Once decided: every reviewer's notice of it, to take their buttons away.
    notices: tuple[SentNotice, ...] = ()


@dataclass(frozen=True, slots=True)
class SentNotice:
    chat_id: int
    message_id: int
    language: str | None  # the reviewer's chat's, now


def record_notices(db: Database, report_id: int, sent: list[tuple[int, int]]) -> None:
    """Remember the (chat, message) of each "needs verifying" notice of a report."""
    if not sent:
        return
    with db.session() as session:
        session.add_all(
            ReviewerNotice(update_id=report_id, chat_id=chat_id, message_id=message_id)
            for chat_id, message_id in sent
        )


def _close_notices(session: Session, report_id: int) -> tuple[SentNotice, ...]:
    """The report is decided: its notices, forgotten here, for the caller to edit."""
    rows = session.exec(
        select(ReviewerNotice)
        .where(ReviewerNotice.update_id == report_id)
        .order_by(col(ReviewerNotice.id))
    ).all()
    languages = dict(
        session.exec(
            select(Chat.id, Chat.language).where(col(Chat.id).in_({r.chat_id for r in rows}))
        ).all()
    )
    session.exec(sa.delete(ReviewerNotice).where(col(ReviewerNotice.update_id) == report_id))
    return tuple(SentNotice(r.chat_id, r.message_id, languages.get(r.chat_id)) for r in rows)


def review(
    db: Database,
    visitor: Visitor,
    report_id: int,
    *,
    revision: int,
    verify: bool,
    reason: str = "",
    topic: int = 0,
    now: datetime | None = None,
    government_notice: government.Notice | None = None,
) -> ReviewResult:
    """Verify or reject a pending report, as it was at ``revision`` (what the
    reviewer saw). Refusals are audited; so are decisions. ``topic``: the forum
    topic the reviewer acts in (a rejection's reason is asked per topic). A
    verified report's country's government contacts are told (``government_notice``)
    in the same transaction."""
    now = now or utcnow()
    action = "report.verify" if verify else "report.reject"
    with db.session() as session:
        report = session.get(Report, report_id)
        refusal = _refusal(session, visitor, report)
        target = f"update:{report_id}"
        if authorize(session, visitor, action, not refusal, target=target, detail=refusal or ""):
            return ReviewResult(False, False, None, refusal)
        if report.state != UpdateState.PENDING:
            return ReviewResult(True, False, report_info(session, report))
        if report.revision != revision:
            if not verify:  # the reason was written about words that are gone
                _end_rejection(session, visitor, report_id, topic)
            return ReviewResult(True, False, report_info(session, report), outdated=True)
        report.state = UpdateState.VERIFIED if verify else UpdateState.REJECTED
        report.reviewed_by = visitor.user_id
        report.reviewed_at = now
        report.review_reason = utf16_truncate(reason.strip(), REASON_LIMIT)
        report.updated_at = now
        session.add(
            UpdateRevision(
                update_id=report.id,
                action="verified" if verify else "rejected",
                actor_id=visitor.user_id,
                status=report.status,
                note=report.note,
                reason=report.review_reason,
                at=now,
            )
        )
        audit(session, visitor.user_id, action, target=f"update:{report_id}")
        refresh_community(session, [report.commitment_id])
        if verify:
            skip = {report.reporter_id} if report.reporter_id is not None else set()
            government.tell_governments(session, report, government_notice, skip=skip, now=now)
        _end_rejection(session, visitor, report_id, topic)
        notices = _close_notices(session, report_id)
        session.flush()
        return ReviewResult(True, True, report_info(session, report), notices=notices)


def _end_rejection(session: Session, visitor: Visitor, report_id: int, topic: int) -> None:
    """End a rejection of this very report only: a reason still asked for on
    another report (the lead verified this one meanwhile) is still awaited."""
    key = (in_topic(REJECT_CONVERSATION, topic), visitor.chat_id or 0, visitor.user_id or 0)
    asking = session.get(ConversationState, key)
    if asking is not None and asking.data.get("update_id") in (None, report_id):
        set_state(session, *key, None)


def begin_reject(
    db: Database, visitor: Visitor, report_id: int, *, revision: int, state: str, topic: int = 0
) -> ReviewResult:
    """A lead pressed Reject on ``revision``: remember which, then ask for the reason."""
    with db.session() as session:
        report = session.get(Report, report_id)
        refusal = _refusal(session, visitor, report)
        target = f"update:{report_id}"
        if authorize(
            session, visitor, "report.reject", not refusal, target=target, detail=refusal or ""
        ):
            return ReviewResult(False, False, None, refusal)
        if report.state != UpdateState.PENDING:
            return ReviewResult(True, False, report_info(session, report))
        if report.revision != revision:
            return ReviewResult(True, False, report_info(session, report), outdated=True)
        set_state(
            session,
            in_topic(REJECT_CONVERSATION, topic),
            visitor.chat_id,
            visitor.user_id,
            state,
            data={"update_id": report_id, "revision": revision},
        )
        return ReviewResult(True, True, report_info(session, report))


def rejecting(
    db: Database, chat_id: int, user_id: int, *, topic: int = 0
) -> tuple[int, int] | None:
    """Which report, and which revision of it, this lead is writing a rejection
    reason for (a rejection begun before revisions were kept: the first)."""
    with db.session() as session:
        key = (in_topic(REJECT_CONVERSATION, topic), chat_id, user_id)
        row = session.get(ConversationState, key)
        if row is None or "update_id" not in row.data:
            return None
        return int(row.data["update_id"]), int(row.data.get("revision", 1))


def cancel_reject(db: Database, chat_id: int, user_id: int, *, topic: int = 0) -> None:
    with db.session() as session:
        set_state(session, in_topic(REJECT_CONVERSATION, topic), chat_id, user_id, None)


def pending_queue(db: Database, visitor: Visitor, *, page: int = 0) -> ReportPage | None:
    """Pending reports this lead may review, oldest first, their own left out (someone
    else reviews those). None (audited) for non-leads."""
    if authorize_now(db, visitor, "report.queue", visitor.is_lead, detail=NOT_A_LEAD):
        return None
    conditions = [
        Report.state == UpdateState.PENDING,
        sa.or_(
            col(Report.reporter_id).is_(None),
            col(Report.reporter_id) != visitor.user_id,
        ),
    ]
    if not visitor.is_admin:
        conditions.append(col(Commitment.country_code).in_(visitor.lead_countries))
    return report_page(db, conditions, page, oldest_first=True)
