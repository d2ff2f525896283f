"""Government points of contact: their notices of verified reports, and their right of reply.

A government contact is granted per country (``Role.GOVERNMENT``, storage/roles.py).
What they report is the government's word (storage/reports.py stores it as such);
when leads verify a civil-society report on one of their country's commitments,
they are told through the outbox, and may answer it once. The rules are in
storage/permissions.py, asked again on every press; refusals and replies are
audited like leads' actions.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from storage import outbox
from storage.audit import audit
from storage.conversations import in_topic, set_state
from storage.db import Database
from storage.models import (
    Chat,
    ChatState,
    Commitment,
    ConversationState,
    GovernmentReply,
    Report,
    ReportSource,
    Role,
    RoleGrant,
    Status,
    UpdateState,
    utcnow,
)
from storage.people import Visitor
from storage.permissions import authorize, may_reply
from storage.reports import ReportInfo, report_info
from storage.text import utf16_truncate

REPLY_CONVERSATION = "govreply"
REPLY_LIMIT = 1000
NOT_GOVERNMENT = "not a government contact of {country}"


@dataclass(frozen=True, slots=True)
class ReplyResult:
    """What a Reply press or a reply's text came to. ``problem`` says why nothing was
    stored: "refused" (audited), "no_report", "not_verified", "replied" (once only),
    "empty"."""

    problem: str = ""
    report: ReportInfo | None = None
    reply: str = ""


def contacts(session: Session, country_code: str) -> dict[int, str]:
    """The country's government contacts who can be messaged, with their chats' languages."""
    members = session.exec(
        select(RoleGrant.member_id)
        .where(RoleGrant.role == Role.GOVERNMENT)
        .where(RoleGrant.country_code == country_code)
        .order_by(col(RoleGrant.id))
    ).all()
    reachable = dict(
        session.exec(
            select(Chat.id, Chat.language)
            .where(col(Chat.id).in_(members))
            .where(Chat.state == ChatState.ACTIVE)
        ).all()
    )
    return {member: reachable[member] for member in members if member in reachable}


def tell_governments(
    session: Session,
    report: Report,
    *,
    skip: Collection[int] = (),
    now: datetime | None = None,
) -> int:
    """A civil-society report was just verified: queue a notice with a Reply button for
    each government contact of its country, in the verifying transaction (once each:
    the dedup key names the report and the contact), as data the bot renders when it
    sends it (bot/notices.py). How many were queued."""
    if report.source != ReportSource.COMMUNITY:
        return 0
    country = session.exec(
        select(Commitment.country_code).where(Commitment.id == report.commitment_id)
    ).one()
    queued = 0
    for member_id, language in contacts(session, country).items():
        if member_id in skip:
            continue
        queued += outbox.enqueue(
            session,
            member_id,
            "",
            payload={"report_id": report.id, "language": language},
            kind=outbox.GOVERNMENT,
            dedup_key=f"gov:{report.id}:{member_id}",
            now=now,
        )
    return queued


def _check(session: Session, visitor: Visitor, report_id: int, action: str) -> ReplyResult:
    """The rules of a reply, asked again at each step: a verified civil-society report
    of a country the presser is (still) a government contact for, not answered yet."""
    report = session.get(Report, report_id)
    if report is None:
        return ReplyResult("no_report")
    country = session.exec(
        select(Commitment.country_code).where(Commitment.id == report.commitment_id)
    ).one()
    if authorize(
        session,
        visitor,
        action,
        may_reply(session, visitor, country),
        target=f"update:{report_id}",
        detail=NOT_GOVERNMENT.format(country=country),
    ):
        return ReplyResult("refused")
    info = report_info(session, report)
    if report.state != UpdateState.VERIFIED or report.source != ReportSource.COMMUNITY:
        return ReplyResult("not_verified", info)
    existing = session.get(GovernmentReply, report_id)
    if existing is not None:
        return ReplyResult("replied", info, existing.text)
    return ReplyResult("", info)


def begin_reply(
    db: Database, visitor: Visitor, report_id: int, *, state: str, topic: int = 0
) -> ReplyResult:
    """A government contact pressed Reply: check, then remember which report is answered."""
    with db.session() as session:
        result = _check(session, visitor, report_id, "report.reply")
        if not result.problem:
            set_state(
                session,
                in_topic(REPLY_CONVERSATION, topic),
                visitor.chat_id or 0,
                visitor.user_id or 0,
                state,
                data={"update_id": report_id},
            )
        return result


def replying(db: Database, chat_id: int, user_id: int, *, topic: int = 0) -> int | None:
    """The report this person is writing a reply to, if any."""
    with db.session() as session:
        row = session.get(
            ConversationState, (in_topic(REPLY_CONVERSATION, topic), chat_id, user_id)
        )
        if row is None or not isinstance(row.data.get("update_id"), int):
            return None
        return int(row.data["update_id"])


def save_reply(
    db: Database,
    visitor: Visitor,
    report_id: int,
    text: str,
    *,
    topic: int = 0,
    now: datetime | None = None,
) -> ReplyResult:
    """Store the government's one reply to a report; the rules are checked again (a
    grant revoked, or another contact who replied, meanwhile), and it is audited."""
    now = now or utcnow()
    text = utf16_truncate(text.strip(), REPLY_LIMIT)
    with db.session() as session:
        set_state(
            session,
            in_topic(REPLY_CONVERSATION, topic),
            visitor.chat_id or 0,
            visitor.user_id or 0,
            None,
        )
        result = _check(session, visitor, report_id, "report.reply")
        if result.problem:
            return result
        if not text:
            return ReplyResult("empty", result.report)
        session.add(
            GovernmentReply(
                update_id=report_id, member_id=visitor.user_id, text=text, created_at=now
            )
        )
        audit(session, visitor.user_id, "report.reply", target=f"update:{report_id}")
        session.flush()
        return ReplyResult("", result.report, text)


def cancel_reply(db: Database, chat_id: int, user_id: int, *, topic: int = 0) -> None:
    with db.session() as session:
        set_state(session, in_topic(REPLY_CONVERSATION, topic), chat_id, user_id, None)


def government_statuses(session: Session, commitment_ids: Collection[str]) -> dict[str, Status]:
    """The government's latest word on each of these commitments that has one: the
    series /chart draws beside civil society's verified status."""
    latest: dict[str, Status] = {}
    ids = list(commitment_ids)
    for start in range(0, len(ids), 5_000):
        for commitment_id, status in session.exec(
            select(Report.commitment_id, Report.status)
            .where(col(Report.commitment_id).in_(ids[start : start + 5_000]))
            .where(Report.state == UpdateState.STATED)
            .order_by(col(Report.created_at), col(Report.id))
        ):
            latest[commitment_id] = Status(status)  # the newest comes last
    return latest
