"""A report being written: its draft, one step at a time, and the conversation it moves.

A draft and its conversation state change together in one transaction, so a
restart resumes exactly where the person was. Sending it is storage/reports.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage import outbox
from storage.commitments import (
    CommunityStatus,
    community_of,
    display_title,
)
from storage.conversations import set_state
from storage.db import Database
from storage.models import (
    Chat,
    Commitment,
    Country,
    Member,
    ReportDraft,
    Status,
    SummitPledge,
    utcnow,
)
from storage.permissions import may_report_as_government
from storage.report_rules import MAX_EVIDENCE, NOTE_LIMIT, FloodLimited, ReportError, flood_wait
from storage.text import utf16_len

CONVERSATION = "report"
DRAFT_TTL = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DraftView:
    member_id: int
    chat_id: int
    commitment_id: str | None
    commitment_title: str
    country_name: str
    current: CommunityStatus | None
    status: Status | None
    note: str
    evidence: list[dict[str, Any]]
    update_id: int | None
    editing: bool
    state: str | None = None  # the conversation state the step moved to, where one did
    anonymous: bool = False
    # Sent by a government contact of the country: it will be the government's word.
    government: bool = False
    pledge_id: str | None = None  # a report on a Summit pledge (then no commitment)


# What a draft's view shows of its commitment (or pledge), built once and read
# as a row: two ORM look-ups, one of them loading the commitment's full text,
# were a third of a report step (bench.parts).
_C = Commitment.__table__.c  # type: ignore[attr-defined]
_DRAFT_COMMITMENT = (
    sa.select(
        _C.id,
        _C.title,
        _C.short_title,
        _C.country_code,
        _C.community_status,
        _C.community_verified,
        _C.community_at,
        col(Country.name).label("country_name"),
    )
    .join(Country, col(Country.code) == _C.country_code, isouter=True)
    .where(_C.id == sa.bindparam("cid"))
)
_P = SummitPledge.__table__.c  # type: ignore[attr-defined]
_DRAFT_PLEDGE = sa.select(_P.text, _P.country).where(_P.id == sa.bindparam("pid"))


def draft_view(session: Session, draft: ReportDraft, state: str | None = None) -> DraftView:
    conn = session.connection()
    commitment = (
        conn.execute(_DRAFT_COMMITMENT, {"cid": draft.commitment_id}).first()
        if draft.commitment_id
        else None
    )
    pledge = (
        conn.execute(_DRAFT_PLEDGE, {"pid": draft.pledge_id}).first() if draft.pledge_id else None
    )
    code = commitment.country_code if commitment is not None and commitment.country_name else None
    title = display_title(commitment) if commitment else (pledge.text if pledge else "")
    return DraftView(
        member_id=draft.member_id,
        chat_id=draft.chat_id,
        commitment_id=draft.commitment_id,
        commitment_title=title,
        country_name=commitment.country_name or ""
        if commitment
        else (pledge.country if pledge else ""),
        current=community_of(commitment) if commitment else None,
        status=Status(draft.status) if draft.status else None,
        note=draft.note,
        evidence=list(draft.evidence),
        update_id=draft.update_id,
        editing=draft.editing,
        state=state,
        anonymous=draft.anonymous,
        government=code is not None and may_report_as_government(session, draft.member_id, code),
        pledge_id=draft.pledge_id,
    )


def start_draft(
    db: Database,
    member_id: int,
    chat_id: int,
    *,
    state: str,
    commitment_id: str | None = None,
    pledge_id: str | None = None,
    now: datetime | None = None,
) -> DraftView:
    """Begin a new report (replacing any unfinished one), on a commitment or on a
    Summit pledge (``pledge_id``, when it names one). Raises FloodLimited."""
    now = now or utcnow()
    with db.session() as session:
        wait = flood_wait(session, member_id, now)
        if wait is not None:
            raise FloodLimited(wait)
        if commitment_id is not None and session.get(Commitment, commitment_id) is None:
            commitment_id = None
        if pledge_id is not None and session.get(SummitPledge, pledge_id) is None:
            pledge_id = None
        draft = session.get(ReportDraft, member_id)
        if draft is not None:
            session.delete(draft)
            session.flush()
        member = session.get(Member, member_id)
        draft = ReportDraft(
            member_id=member_id,
            chat_id=chat_id,
            commitment_id=None if pledge_id else commitment_id,
            pledge_id=pledge_id,
            anonymous=bool(member and member.report_anonymously),
            updated_at=now,
        )
        session.add(draft)
        set_state(session, CONVERSATION, chat_id, member_id, state, now=now)
        session.flush()
        return draft_view(session, draft)


def get_draft(db: Database, member_id: int) -> DraftView | None:
    with db.session() as session:
        draft = session.get(ReportDraft, member_id)
        return draft_view(session, draft) if draft is not None else None


def _change(
    db: Database,
    member_id: int,
    state: str,
    change: Any,
    now: datetime | None = None,
    *,
    editing_state: str | None = None,
) -> DraftView | None:
    """Apply ``change(draft, session)`` and move the conversation on, atomically.

    It moves to ``state``, or to ``editing_state`` when given and the person is
    changing one field of a finished draft (they go back to the preview).
    """
    now = now or utcnow()
    with db.session() as session:
        draft = session.get(ReportDraft, member_id)
        if draft is None:
            return None
        change(draft, session)
        if editing_state is not None and draft.editing:
            state = editing_state
        draft.updated_at = now
        set_state(session, CONVERSATION, draft.chat_id, member_id, state, now=now)
        session.flush()
        return draft_view(session, draft, state)


def choose_commitment(
    db: Database, member_id: int, commitment_id: str, *, state: str
) -> DraftView | None:
    """None if there is no draft; raises ReportError("unknown") for an unknown id."""
    with db.session() as session:
        if session.get(Commitment, commitment_id.upper()) is None:
            raise ReportError("unknown")

    def change(draft: ReportDraft, _session: Session) -> None:
        draft.commitment_id = commitment_id.upper()

    return _change(db, member_id, state, change)


def choose_pledge(db: Database, member_id: int, pledge_id: str, *, state: str) -> DraftView | None:
    """A Summit pledge typed at step 1; as ``choose_commitment`` (ReportError("unknown"))."""
    with db.session() as session:
        if session.get(SummitPledge, pledge_id) is None:
            raise ReportError("unknown")

    def change(draft: ReportDraft, _session: Session) -> None:
        draft.commitment_id, draft.pledge_id = None, pledge_id

    return _change(db, member_id, state, change)


def set_status(
    db: Database, member_id: int, status: Status, *, state: str, editing_state: str | None = None
) -> DraftView | None:
    def change(draft: ReportDraft, _session: Session) -> None:
        draft.status = status.value

    return _change(db, member_id, state, change, editing_state=editing_state)


def set_note(
    db: Database, member_id: int, note: str, *, state: str, editing_state: str | None = None
) -> DraftView | None:
    """Raises ReportError("too_long") over the limit; the caller keeps the text."""
    note = note.strip()
    if utf16_len(note) > NOTE_LIMIT:
        raise ReportError("too_long")
    if not note:
        raise ReportError("empty")

    def change(draft: ReportDraft, _session: Session) -> None:
        draft.note = note

    return _change(db, member_id, state, change, editing_state=editing_state)


def add_evidence(
    db: Database, member_id: int, items: list[dict[str, Any]], *, state: str
) -> DraftView | None:
    """Raises ReportError("too_many") past MAX_EVIDENCE items."""

    def change(draft: ReportDraft, _session: Session) -> None:
        if len(draft.evidence) + len(items) > MAX_EVIDENCE:
            raise ReportError("too_many")
        draft.evidence = [*draft.evidence, *items]

    return _change(db, member_id, state, change)


def clear_evidence(db: Database, member_id: int, *, state: str) -> DraftView | None:
    def change(draft: ReportDraft, _session: Session) -> None:
        draft.evidence = []

    return _change(db, member_id, state, change)


def move_to(db: Database, member_id: int, *, state: str) -> DraftView | None:
    """Only move the conversation on (e.g. evidence done: to the preview)."""
    return _change(db, member_id, state, lambda draft, session: None)


def set_editing(db: Database, member_id: int, editing: bool, *, state: str) -> DraftView | None:
    def change(draft: ReportDraft, _session: Session) -> None:
        draft.editing = editing

    return _change(db, member_id, state, change)


def set_anonymous(db: Database, member_id: int, anonymous: bool, *, state: str) -> DraftView | None:
    """Send this report with the name withheld (or not): the preview's switch."""

    def change(draft: ReportDraft, _session: Session) -> None:
        draft.anonymous = anonymous

    return _change(db, member_id, state, change)


def discard_draft(db: Database, member_id: int) -> bool:
    with db.session() as session:
        draft = session.get(ReportDraft, member_id)
        if draft is None:
            return False
        close_draft(session, draft)
        return True


def close_draft(session: Session, draft: ReportDraft) -> None:
    """A draft and its conversation state go together, so a restart never resumes a ghost."""
    set_state(session, CONVERSATION, draft.chat_id, draft.member_id, None)
    session.delete(draft)


@dataclass(frozen=True, slots=True)
class ExpiredDraft:
    member_id: int
    chat_id: int
    commitment_id: str | None
    language: str | None = None  # the chat's, to tell its author in their language


def expire_drafts(
    db: Database,
    *,
    now: datetime | None = None,
) -> list[ExpiredDraft]:
    """Drop drafts idle for more than a day. Their authors are told through the
    outbox in the same transaction, as data the bot renders (bot/notices.py)."""
    now = now or utcnow()
    cutoff = now - DRAFT_TTL
    with db.session() as session:
        drafts = session.exec(select(ReportDraft).where(col(ReportDraft.updated_at) < cutoff)).all()
        languages = dict(
            session.exec(
                select(Chat.id, Chat.language).where(col(Chat.id).in_({d.chat_id for d in drafts}))
            ).all()
        )
        expired = [
            ExpiredDraft(d.member_id, d.chat_id, d.commitment_id, languages.get(d.chat_id))
            for d in drafts
        ]
        for draft in drafts:
            close_draft(session, draft)
        for gone in expired:
            payload = {"commitment_id": gone.commitment_id, "language": gone.language}
            outbox.enqueue(
                session, gone.chat_id, "", kind=outbox.DRAFT_EXPIRED, payload=payload, now=now
            )
        return expired
