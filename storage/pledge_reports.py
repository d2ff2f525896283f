"""Reports on 2016 Summit pledges: sending, the leads' decision, what cards and digests show.

Why a table of their own rather than a nullable ``Report.commitment_id``: report
info, review refusals, reviewer look-ups, community status, /myreports, history,
export and digests all assume a report is about a commitment, and two other
branches change those modules now. A pledge report reuses what does not assume it:
the same draft and conversation (``ReportDraft.pledge_id``, storage/drafts.py), the
same status scale, flood limit and anonymity, and the same review rule
(``permissions.may_review`` with the pledge's ISO3 as the country: its leads and
admins, never the author), every refusal audited through ``authorize``. Its
evidence is kept on the row (as a draft keeps it): nothing else reads it. A
pledge report is not edited after sending; a rejected one is sent again anew.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.audit import audit
from storage.db import Database
from storage.models import (
    Chat,
    Member,
    PledgeReport,
    ReportDraft,
    Status,
    SummitPledge,
    UpdateState,
    utcnow,
)
from storage.outbox import enqueue
from storage.people import Visitor
from storage.permissions import authorize, may_review

#: Verified reports a pledge's card shows, newest first.
ON_CARD = 3
#: The audited reason an author may not review their own report (as storage.review's).
OWN_REPORT = "own report"
#: Pending pledge reports /pending lists at once (oldest first).
PENDING_LIMIT = 10
#: Outbox kinds of its notices (rendered by bot/notices.py).
PLEDGE_ASK = "pledge_ask"
PLEDGE_OUTCOME = "pledge_outcome"


@dataclass(frozen=True, slots=True)
class PledgeSubmitted:
    """A pledge report just sent: what its author is told."""

    report_id: int
    pledge_id: str
    status: Status
    iso3: str = ""
    # Leads of the pledge's country and admins to ask, with their chats' languages
    # (the author left out): see ``ask_reviewers``.
    reviewers: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PledgeReportLine:
    id: int
    pledge_id: str
    iso3: str
    country: str
    pledge_text: str
    status: Status
    note: str
    reporter: str  # "" when anonymous (only admins' views may ask for it: ``name``)
    anonymous: bool
    state: UpdateState
    created_at: datetime
    reviewed_at: datetime | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    name: str = ""  # the author's name even when anonymous: for admins' eyes only


def submit(session: Session, draft: ReportDraft, now: datetime) -> PledgeSubmitted:
    """The draft as a pending pledge report (called by ``reports.submit_draft``,
    which checked it is complete and under the flood limit, and closes it)."""
    report = PledgeReport(
        pledge_id=draft.pledge_id,
        reporter_id=draft.member_id,
        status=draft.status,
        note=draft.note,
        evidence=list(draft.evidence),
        anonymous=draft.anonymous,
        created_at=now,
    )
    session.add(report)
    session.flush()
    iso3 = session.get(SummitPledge, report.pledge_id).iso3
    return PledgeSubmitted(report.id, report.pledge_id, Status(report.status), iso3)


def _lines(session: Session, query: Any) -> list[PledgeReportLine]:
    return [
        PledgeReportLine(
            id=report.id,
            pledge_id=pledge.id,
            iso3=pledge.iso3,
            country=pledge.country,
            pledge_text=pledge.text,
            status=Status(report.status),
            note=report.note,
            reporter="" if report.anonymous else (name or ""),
            anonymous=report.anonymous,
            state=UpdateState(report.state),
            created_at=report.created_at,
            reviewed_at=report.reviewed_at,
            evidence=list(report.evidence or []),
            name=name or "",
        )
        for report, pledge, name in session.exec(query)
    ]


def _joined() -> Any:
    return (
        select(PledgeReport, SummitPledge, Member.display_name)
        .join(SummitPledge, col(SummitPledge.id) == col(PledgeReport.pledge_id))
        .join(Member, col(Member.id) == col(PledgeReport.reporter_id), isouter=True)
    )


def pending(db: Database, visitor: Visitor) -> list[PledgeReportLine]:
    """Pledge reports waiting for this lead (their countries; every one for admins),
    oldest first, their own left out. Empty for others: /pending audits them."""
    if not visitor.is_lead:
        return []
    query = (
        _joined()
        .where(PledgeReport.state == UpdateState.PENDING)
        .where(
            sa.or_(
                col(PledgeReport.reporter_id).is_(None),
                col(PledgeReport.reporter_id) != visitor.user_id,
            )
        )
        .order_by(col(PledgeReport.created_at), col(PledgeReport.id))
        .limit(PENDING_LIMIT)
    )
    if not visitor.is_admin:
        query = query.where(col(SummitPledge.iso3).in_(list(visitor.lead_countries)))
    with db.session() as session:
        return _lines(session, query)


@dataclass(frozen=True, slots=True)
class Decision:
    """``report`` as it now is; ``refusal`` (audited) when the visitor may not decide;
    ``already`` when someone decided first."""

    report: PledgeReportLine | None
    refusal: str | None = None
    already: bool = False


def review(
    db: Database, visitor: Visitor, report_id: int, verdict: str, *, now: datetime | None = None
) -> Decision:
    """Verify (``"ok"``) or reject (``"no"``) a pending pledge report, audited either way."""
    now = now or utcnow()
    action = "pledge_report.verify" if verdict == "ok" else "pledge_report.reject"
    target = f"pledge_report:{report_id}"
    with db.session() as session:
        report = session.get(PledgeReport, report_id)
        iso3 = session.get(SummitPledge, report.pledge_id).iso3 if report is not None else ""
        if report is None:
            why = "no such report"
        elif not may_review(visitor, iso3):
            why = f"not a lead of {iso3}"
        elif report.reporter_id is not None and report.reporter_id == visitor.user_id:
            why = OWN_REPORT
        else:
            why = None
        if authorize(session, visitor, action, why is None, target=target, detail=why or ""):
            return Decision(None, refusal=why)
        query = _joined().where(PledgeReport.id == report_id)
        if report.state != UpdateState.PENDING:
            return Decision(_lines(session, query)[0], already=True)
        report.state = UpdateState.VERIFIED if verdict == "ok" else UpdateState.REJECTED
        report.reviewed_by = visitor.user_id
        report.reviewed_at = now
        audit(session, visitor.user_id, action, target=target, allowed=True)
        session.flush()
        return Decision(_lines(session, query)[0])


def verified_on_card(
    session: Session, pledge_id: str, limit: int = ON_CARD
) -> list[PledgeReportLine]:
    """The latest verified reports on a pledge, for its card."""
    query = (
        _joined()
        .where(PledgeReport.pledge_id == pledge_id)
        .where(PledgeReport.state == UpdateState.VERIFIED)
        .order_by(col(PledgeReport.reviewed_at).desc(), col(PledgeReport.id).desc())
        .limit(limit)
    )
    return _lines(session, query)


def verified_since(
    session: Session, codes: Collection[str], since: datetime
) -> dict[str, list[PledgeReportLine]]:
    """Pledge reports of these countries verified since ``since``, by ISO3, oldest
    first: what digests of chats following them show."""
    query = (
        _joined()
        .where(col(SummitPledge.iso3).in_(list(codes)))
        .where(PledgeReport.state == UpdateState.VERIFIED)
        .where(col(PledgeReport.reviewed_at) >= since)
        .order_by(col(PledgeReport.reviewed_at), col(PledgeReport.id))
    )
    found: dict[str, list[PledgeReportLine]] = defaultdict(list)
    for line in _lines(session, query):
        found[line.iso3].append(line)
    return found


def tell_author(db: Database, report_id: int, *, now: datetime | None = None) -> bool:
    """Queue the decision for the report's author through the outbox (so a restart or
    a flood wait loses nothing), as data rendered in their chat's language when it is
    sent (bot/notices.py). Once per decision; False when the author is gone (erased)
    or was told already."""
    with db.session() as session:
        report = session.get(PledgeReport, report_id)
        if report is None or report.reporter_id is None or report.state == UpdateState.PENDING:
            return False
        language = session.exec(select(Chat.language).where(Chat.id == report.reporter_id)).first()
        key = f"pledge_report:{report_id}:{report.state}"
        payload = {"report_id": report_id, "language": language}
        return enqueue(
            session,
            report.reporter_id,
            "",
            kind=PLEDGE_OUTCOME,
            payload=payload,
            dedup_key=key,
            now=now,
        )


def ask_reviewers(
    session: Session,
    report_id: int,
    reviewers: dict[int, str],
    admins: Collection[int],
    now: datetime,
) -> int:
    """Queue "needs verifying" for each reviewer, in the report's own transaction, as
    data the bot renders when it sends it (admins alone see an anonymous author).
    Once per reviewer; one who cannot be reached finds it in /pending."""
    queued = 0
    for chat_id, language in reviewers.items():
        key = f"pledge_report:{report_id}:ask:{chat_id}"
        payload = {"report_id": report_id, "language": language, "reveal": chat_id in admins}
        queued += enqueue(
            session, chat_id, "", kind=PLEDGE_ASK, payload=payload, dedup_key=key, now=now
        )
    return queued


def line(db: Database, report_id: int) -> PledgeReportLine | None:
    """A pledge report as notices show it; None once it is gone (erased)."""
    with db.session() as session:
        found = _lines(session, _joined().where(PledgeReport.id == report_id))
        return found[0] if found else None
