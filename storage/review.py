"""Verifying reports: who may, the decision, a rejection's reason, the pending queue.

Leads of the commitment's country (and admins) verify, never the report's own
author; each decision is audited, and every reviewer's notice is closed with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage import government, outbox
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


def record_notice(db: Database, report_id: int, chat_id: int, message_id: int) -> None:
    """The sender sent a "needs verifying" notice: remember its message, to close it."""
    with db.session() as session:
        session.add(ReviewerNotice(update_id=report_id, chat_id=chat_id, message_id=message_id))


def take_notices(db: Database, report_id: int, chat_id: int) -> list[int]:
    """The messages of a decided report's notices in one chat, forgotten here as
    the sender closes them (none: the notice was never sent)."""
    with db.session() as session:
        where = (col(ReviewerNotice.update_id) == report_id) & (
            col(ReviewerNotice.chat_id) == chat_id
        )
        ids = list(
            session.exec(
                select(ReviewerNotice.message_id).where(where).order_by(col(ReviewerNotice.id))
            )
        )
        session.exec(sa.delete(ReviewerNotice).where(where))
        return ids


def _queue_decision(
    session: Session,
    report: Report,
    info: ReportInfo,
    *,
    reviewer: str,
    shown: tuple[int, int] | None,
    now: datetime,
) -> None:
    """Tell the others, through the outbox, in the decision's transaction, as data
    the bot renders when it sends them (bot/notices.py).

    Every reviewer whose notice was sent gets it closed (an edit resolved by the
    sender when it goes out); a notice still unsent is dropped, never sent with
    buttons for a decided report. ``shown``, the notice the reviewer pressed, is
    edited by the bot in its answer.
    """
    outbox.drop_notices(session, report.id)
    if shown is not None:
        session.exec(
            sa.delete(ReviewerNotice)
            .where(col(ReviewerNotice.update_id) == report.id)
            .where(col(ReviewerNotice.chat_id) == shown[0])
            .where(col(ReviewerNotice.message_id) == shown[1])
        )
    chats = set(
        session.exec(select(ReviewerNotice.chat_id).where(ReviewerNotice.update_id == report.id))
    )
    languages = dict(
        session.exec(select(Chat.id, Chat.language).where(col(Chat.id).in_(chats))).all()
    )
    for chat_id in sorted(chats):
        key = outbox.notice_key(outbox.NOTICE_CLOSED, report.id, report.revision, chat_id)
        payload = {"report_id": report.id, "reviewer": reviewer}
        payload["language"] = languages.get(chat_id)
        outbox.enqueue(
            session, chat_id, "", kind=outbox.NOTICE_CLOSED, dedup_key=key, payload=payload, now=now
        )
    if info.reporter_id is not None:
        payload = {"report_id": report.id, "language": info.reporter_language}
        outbox.enqueue(session, info.reporter_id, "", kind=outbox.OUTCOME, payload=payload, now=now)


def review(
    db: Database,
    visitor: Visitor,
    report_id: int,
    *,
    revision: int,
    verify: bool,
    reason: str = "",
    topic: int = 0,
    reviewer: str = "",
    shown: tuple[int, int] | None = None,
    now: datetime | None = None,
) -> ReviewResult:
    """Verify or reject a pending report, as it was at ``revision`` (what the
    reviewer saw). Refusals are audited; so are decisions. ``topic``: the forum
    topic the reviewer acts in (a rejection's reason is asked per topic). The
    other reviewers (that ``reviewer``, their name, decided) and the reporter are
    told through the outbox (see ``_queue_decision``). A verified report's
    country's government contacts are told in the same transaction."""
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
            government.tell_governments(session, report, skip=skip, now=now)
        _end_rejection(session, visitor, report_id, topic)
        session.flush()
        info = report_info(session, report)
        _queue_decision(session, report, info, reviewer=reviewer, shown=shown, now=now)
        return ReviewResult(True, True, info)


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
