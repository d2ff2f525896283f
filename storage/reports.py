"""Progress reports: drafts, sending, review by leads, edits, withdrawal.

The rules live here, not in the handlers: the flood limit, the note limit,
who may verify (leads of the commitment's country, and admins, but never the
report's own author), that only the author may edit or withdraw and only until
verification, and that every change is kept as a revision.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.audit import audit
from storage.commitments import (
    CommunityStatus,
    community_of,
    display_title,
    refresh_community,
)
from storage.conversations import in_topic, set_state
from storage.db import Database
from storage.models import (
    Chat,
    ChatState,
    Commitment,
    ConversationState,
    Country,
    Evidence,
    Member,
    ProgressUpdate,
    ReportDraft,
    ReviewerNotice,
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
from storage.people import Visitor
from storage.text import utf16_len, utf16_truncate

CONVERSATION = "report"
REJECT_CONVERSATION = "reject"
REPORTS_PER_HOUR = 20
# Limits are in UTF-16 code units, as Telegram counts (an emoji is two).
NOTE_LIMIT = 2000
REASON_LIMIT = 500
MAX_EVIDENCE = 10
DRAFT_TTL = timedelta(days=1)
PAGE_SIZE = 5
OWN_REPORT = "own report"  # the audited reason an author may not review their report


class ReportError(Exception):
    """A rule said no; ``args[0]`` names which, for the view to word."""


class FloodLimited(ReportError):
    def __init__(self, wait: timedelta) -> None:
        super().__init__("flood")
        self.wait = wait


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


# --------------------------------------------------------------------- drafts


def flood_wait(session: Session, member_id: int, now: datetime) -> timedelta | None:
    """How long until the member may send another report, if they are at the limit.

    Sending a change counts like sending a report: each one asks every lead and
    admin again, so edit-and-send loops must not get around the limit.
    """
    since = now - timedelta(hours=1)
    sent = select(ProgressUpdate.created_at.label("at")).where(
        ProgressUpdate.reporter_id == member_id, ProgressUpdate.created_at >= since
    )
    changed = select(UpdateRevision.at.label("at")).where(
        UpdateRevision.actor_id == member_id,
        UpdateRevision.action == "edited",
        UpdateRevision.at >= since,
    )
    times = sorted(session.exec(sa.union_all(sent, changed)).scalars())
    if len(times) < REPORTS_PER_HOUR:
        return None
    oldest_counted = times[len(times) - REPORTS_PER_HOUR]
    return max(timedelta(seconds=1), oldest_counted + timedelta(hours=1) - now)


def _view(session: Session, draft: ReportDraft, state: str | None = None) -> DraftView:
    commitment = session.get(Commitment, draft.commitment_id) if draft.commitment_id else None
    country = session.get(Country, commitment.country_code) if commitment else None
    current = community_of(commitment) if commitment else None
    return DraftView(
        member_id=draft.member_id,
        chat_id=draft.chat_id,
        commitment_id=draft.commitment_id,
        commitment_title=display_title(commitment) if commitment else "",
        country_name=country.name if country else "",
        current=current,
        status=Status(draft.status) if draft.status else None,
        note=draft.note,
        evidence=list(draft.evidence),
        update_id=draft.update_id,
        editing=draft.editing,
        state=state,
        anonymous=draft.anonymous,
    )


def start_draft(
    db: Database,
    member_id: int,
    chat_id: int,
    *,
    state: str,
    commitment_id: str | None = None,
    now: datetime | None = None,
) -> DraftView:
    """Begin a new report (replacing any unfinished one). Raises FloodLimited."""
    now = now or utcnow()
    with db.session() as session:
        wait = flood_wait(session, member_id, now)
        if wait is not None:
            raise FloodLimited(wait)
        if commitment_id is not None and session.get(Commitment, commitment_id) is None:
            commitment_id = None
        draft = session.get(ReportDraft, member_id)
        if draft is not None:
            session.delete(draft)
            session.flush()
        member = session.get(Member, member_id)
        draft = ReportDraft(
            member_id=member_id,
            chat_id=chat_id,
            commitment_id=commitment_id,
            anonymous=bool(member and member.report_anonymously),
            updated_at=now,
        )
        session.add(draft)
        set_state(session, CONVERSATION, chat_id, member_id, state, now=now)
        session.flush()
        return _view(session, draft)


def get_draft(db: Database, member_id: int) -> DraftView | None:
    with db.session() as session:
        draft = session.get(ReportDraft, member_id)
        return _view(session, draft) if draft is not None else None


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
        return _view(session, draft, state)


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
        _close_draft(session, draft)
        return True


def _close_draft(session: Session, draft: ReportDraft) -> None:
    """A draft and its conversation state go together, so a restart never resumes a ghost."""
    set_state(session, CONVERSATION, draft.chat_id, draft.member_id, None)
    session.delete(draft)


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


def _evidence_rows(update_id: int, items: list[dict[str, Any]]) -> list[Evidence]:
    return [
        Evidence(
            update_id=update_id,
            kind=item.get("kind", "link"),
            url=item.get("url", ""),
            file_id=item.get("file_id", ""),
            file_name=item.get("file_name", ""),
            file_size=item.get("file_size"),
            caption=item.get("caption", ""),
        )
        for item in items
    ]


def submit_draft(
    db: Database, member_id: int, *, admins: Collection[int], now: datetime | None = None
) -> Submitted | None:
    """Turn the draft into a pending report (or a new revision of the one it edits).

    None if there is no complete draft. Raises FloodLimited, ReportError("verified")
    when the edited report was verified meanwhile.
    """
    now = now or utcnow()
    with db.session() as session:
        draft = session.get(ReportDraft, member_id)
        if draft is None or not (draft.commitment_id and draft.status and draft.note):
            return None
        commitment = session.get(Commitment, draft.commitment_id)
        country = session.get(Country, commitment.country_code)
        member = session.get(Member, member_id)
        edited = draft.update_id is not None
        if (wait := flood_wait(session, member_id, now)) is not None:
            raise FloodLimited(wait)
        if edited:
            update = session.get(ProgressUpdate, draft.update_id)
            if update is None or update.reporter_id != member_id:
                raise ReportError("not_yours")
            if update.state not in (UpdateState.PENDING, UpdateState.REJECTED):
                raise ReportError("verified")
            update.status, update.note = draft.status, draft.note
            update.anonymous = draft.anonymous
            update.state = UpdateState.PENDING
            update.revision += 1
            update.updated_at = now
            session.exec(sa.delete(Evidence).where(col(Evidence.update_id) == update.id))
        else:
            update = ProgressUpdate(
                commitment_id=commitment.id,
                reporter_id=member_id,
                status=draft.status,
                note=draft.note,
                anonymous=draft.anonymous,
                created_at=now,
                updated_at=now,
            )
            session.add(update)
        session.flush()
        session.add_all(_evidence_rows(update.id, draft.evidence))
        refresh_community(session, [commitment.id])
        session.add(
            UpdateRevision(
                update_id=update.id,
                action="edited" if edited else "created",
                actor_id=member_id,
                status=draft.status,
                note=draft.note,
                evidence=list(draft.evidence),
                at=now,
            )
        )
        reviewers = _reviewers(session, country.code, admins)
        result = Submitted(
            update_id=update.id,
            commitment_id=commitment.id,
            commitment_title=display_title(commitment),
            country_code=country.code,
            country_name=country.name,
            status=Status(draft.status),
            note=draft.note,
            evidence=list(draft.evidence),
            reporter_name=member.display_name if member else "",
            anonymous=draft.anonymous,
            edited=edited,
            revision=update.revision,
            reviewers={r: lang for r, lang in reviewers.items() if r != member_id},
        )
        _close_draft(session, draft)
        return result


@dataclass(frozen=True, slots=True)
class ExpiredDraft:
    member_id: int
    chat_id: int
    commitment_id: str | None
    language: str | None = None  # the chat's, to tell its author in their language


def expire_drafts(db: Database, *, now: datetime | None = None) -> list[ExpiredDraft]:
    """Drop drafts idle for more than a day; the caller tells their authors."""
    cutoff = (now or utcnow()) - DRAFT_TTL
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
            _close_draft(session, draft)
        return expired


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


# ------------------------------------------------------------ review


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


def _info(session: Session, update: ProgressUpdate) -> ReportInfo:
    return _infos(session, [update])[0]


def _infos(session: Session, updates: Sequence[ProgressUpdate]) -> list[ReportInfo]:
    """What lists and notices show of each report: four queries for a whole page."""
    if not updates:
        return []
    ids = {u.commitment_id for u in updates}
    commitments = {
        c.id: c for c in session.exec(select(Commitment).where(col(Commitment.id).in_(ids)))
    }
    people = {u.reporter_id for u in updates if u.reporter_id is not None}
    members = {m.id: m for m in session.exec(select(Member).where(col(Member.id).in_(people)))}
    # Their private chat's language (what /settings changes), to tell them outcomes.
    languages = dict(
        session.exec(select(Chat.id, Chat.language).where(col(Chat.id).in_(people))).all()
    )
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    for item in session.exec(
        select(Evidence)
        .where(col(Evidence.update_id).in_([u.id for u in updates]))
        .order_by(col(Evidence.id))
    ):
        evidence[item.update_id].append(item)
    infos = []
    for update in updates:
        commitment = commitments[update.commitment_id]
        member = members.get(update.reporter_id) if update.reporter_id is not None else None
        infos.append(
            ReportInfo(
                id=update.id,
                commitment_id=update.commitment_id,
                commitment_title=display_title(commitment),
                country_code=commitment.country_code,
                status=Status(update.status),
                state=UpdateState(update.state),
                note=update.note,
                evidence=[
                    {"kind": e.kind, "url": e.url, "file_id": e.file_id, "file_name": e.file_name}
                    for e in evidence[update.id]
                ],
                reporter_id=update.reporter_id,
                reporter_name=member.display_name if member else "",
                created_at=update.created_at,
                reason=update.review_reason,
                reporter_language=languages.get(update.reporter_id)
                or (member.language if member else None),
                revision=update.revision,
                anonymous=update.anonymous,
            )
        )
    return infos


def get_report(db: Database, update_id: int) -> ReportInfo | None:
    with db.session() as session:
        update = session.get(ProgressUpdate, update_id)
        return _info(session, update) if update is not None else None


def may_review(visitor: Visitor, country_code: str) -> bool:
    return visitor.is_admin or country_code in visitor.lead_countries


def _refusal(session: Session, visitor: Visitor, update: ProgressUpdate | None) -> str | None:
    """Why this person may not decide on this report (for the audit log), or None.

    Nobody reviews their own report, admins included: someone else must look.
    """
    if update is None:
        return "no such report"
    country = session.exec(
        select(Commitment.country_code).where(Commitment.id == update.commitment_id)
    ).one()
    if not may_review(visitor, country):
        return f"not a lead of {country}"
    if update.reporter_id is not None and update.reporter_id == visitor.user_id:
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


def record_notices(db: Database, update_id: int, sent: list[tuple[int, int]]) -> None:
    """Remember the (chat, message) of each "needs verifying" notice of a report."""
    if not sent:
        return
    with db.session() as session:
        session.add_all(
            ReviewerNotice(update_id=update_id, chat_id=chat_id, message_id=message_id)
            for chat_id, message_id in sent
        )


def _close_notices(session: Session, update_id: int) -> tuple[SentNotice, ...]:
    """The report is decided: its notices, forgotten here, for the caller to edit."""
    rows = session.exec(
        select(ReviewerNotice)
        .where(ReviewerNotice.update_id == update_id)
        .order_by(col(ReviewerNotice.id))
    ).all()
    languages = dict(
        session.exec(
            select(Chat.id, Chat.language).where(col(Chat.id).in_({r.chat_id for r in rows}))
        ).all()
    )
    session.exec(sa.delete(ReviewerNotice).where(col(ReviewerNotice.update_id) == update_id))
    return tuple(SentNotice(r.chat_id, r.message_id, languages.get(r.chat_id)) for r in rows)


def review(
    db: Database,
    visitor: Visitor,
    update_id: int,
    *,
    revision: int,
    verify: bool,
    reason: str = "",
    topic: int = 0,
    now: datetime | None = None,
) -> ReviewResult:
    """Verify or reject a pending report, as it was at ``revision`` (what the
    reviewer saw). Refusals are audited; so are decisions. ``topic``: the forum
    topic the reviewer acts in (a rejection's reason is asked per topic)."""
    now = now or utcnow()
    action = "report.verify" if verify else "report.reject"
    with db.session() as session:
        update = session.get(ProgressUpdate, update_id)
        if (refusal := _refusal(session, visitor, update)) is not None:
            audit(
                session,
                visitor.user_id,
                action,
                target=f"update:{update_id}",
                allowed=False,
                detail=refusal,
            )
            return ReviewResult(False, False, None, refusal)
        if update.state != UpdateState.PENDING:
            return ReviewResult(True, False, _info(session, update))
        if update.revision != revision:
            if not verify:  # the reason was written about words that are gone
                _end_rejection(session, visitor, update_id, topic)
            return ReviewResult(True, False, _info(session, update), outdated=True)
        update.state = UpdateState.VERIFIED if verify else UpdateState.REJECTED
        update.reviewed_by = visitor.user_id
        update.reviewed_at = now
        update.review_reason = utf16_truncate(reason.strip(), REASON_LIMIT)
        update.updated_at = now
        session.add(
            UpdateRevision(
                update_id=update.id,
                action="verified" if verify else "rejected",
                actor_id=visitor.user_id,
                status=update.status,
                note=update.note,
                reason=update.review_reason,
                at=now,
            )
        )
        audit(session, visitor.user_id, action, target=f"update:{update_id}")
        refresh_community(session, [update.commitment_id])
        _end_rejection(session, visitor, update_id, topic)
        notices = _close_notices(session, update_id)
        session.flush()
        return ReviewResult(True, True, _info(session, update), notices=notices)


def _end_rejection(session: Session, visitor: Visitor, update_id: int, topic: int) -> None:
    """End a rejection of this very report only: a reason still asked for on
    another report (the lead verified this one meanwhile) is still awaited."""
    key = (in_topic(REJECT_CONVERSATION, topic), visitor.chat_id or 0, visitor.user_id or 0)
    asking = session.get(ConversationState, key)
    if asking is not None and asking.data.get("update_id") in (None, update_id):
        set_state(session, *key, None)


def begin_reject(
    db: Database, visitor: Visitor, update_id: int, *, revision: int, state: str, topic: int = 0
) -> ReviewResult:
    """A lead pressed Reject on ``revision``: remember which, then ask for the reason."""
    with db.session() as session:
        update = session.get(ProgressUpdate, update_id)
        if (refusal := _refusal(session, visitor, update)) is not None:
            audit(
                session,
                visitor.user_id,
                "report.reject",
                target=f"update:{update_id}",
                allowed=False,
                detail=refusal,
            )
            return ReviewResult(False, False, None, refusal)
        if update.state != UpdateState.PENDING:
            return ReviewResult(True, False, _info(session, update))
        if update.revision != revision:
            return ReviewResult(True, False, _info(session, update), outdated=True)
        set_state(
            session,
            in_topic(REJECT_CONVERSATION, topic),
            visitor.chat_id,
            visitor.user_id,
            state,
            data={"update_id": update_id, "revision": revision},
        )
        return ReviewResult(True, True, _info(session, update))


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


@dataclass(frozen=True, slots=True)
class ReportPage(Paged):
    reports: list[ReportInfo]
    page: int
    total: int
    page_size: int = PAGE_SIZE


def pending_queue(db: Database, visitor: Visitor, *, page: int = 0) -> ReportPage | None:
    """Pending reports this lead may review, oldest first, their own left out (someone
    else reviews those). None (audited) for non-leads."""
    if not visitor.is_lead:
        with db.session() as session:
            audit(session, visitor.user_id, "report.queue", allowed=False, detail="not a lead")
        return None
    conditions = [
        ProgressUpdate.state == UpdateState.PENDING,
        sa.or_(
            col(ProgressUpdate.reporter_id).is_(None),
            col(ProgressUpdate.reporter_id) != visitor.user_id,
        ),
    ]
    if not visitor.is_admin:
        conditions.append(col(Commitment.country_code).in_(visitor.lead_countries))
    return _report_page(db, conditions, page, oldest_first=True)


def my_reports(db: Database, member_id: int, *, page: int = 0) -> ReportPage:
    return _report_page(db, [ProgressUpdate.reporter_id == member_id], page, oldest_first=False)


def _report_page(db: Database, conditions: list, page: int, *, oldest_first: bool) -> ReportPage:
    order = col(ProgressUpdate.created_at)
    with db.session() as session:
        base = select(ProgressUpdate).join(
            Commitment, col(Commitment.id) == col(ProgressUpdate.commitment_id)
        )
        total = session.exec(
            select(sa.func.count()).select_from(base.where(*conditions).subquery())
        ).one()
        page = clamp_page(page, total, PAGE_SIZE)
        updates = session.exec(
            base.where(*conditions)
            .order_by(order if oldest_first else order.desc(), col(ProgressUpdate.id))
            .offset(page * PAGE_SIZE)
            .limit(PAGE_SIZE)
        ).all()
        return ReportPage(_infos(session, updates), page, total)


# ------------------------------------------------------------ author's changes


def edit_report(
    db: Database, member_id: int, chat_id: int, update_id: int, *, state: str
) -> DraftView:
    """Open a draft over an existing report. Raises ReportError("not_yours"/"verified"),
    or FloodLimited: the change could not be sent, so it is not begun."""
    with db.session() as session:
        update = session.get(ProgressUpdate, update_id)
        if update is None or update.reporter_id != member_id:
            raise ReportError("not_yours")
        if update.state not in (UpdateState.PENDING, UpdateState.REJECTED):
            raise ReportError("verified")
        if (wait := flood_wait(session, member_id, utcnow())) is not None:
            raise FloodLimited(wait)
        evidence = session.exec(select(Evidence).where(Evidence.update_id == update_id)).all()
        old = session.get(ReportDraft, member_id)
        if old is not None:
            session.delete(old)
            session.flush()
        draft = ReportDraft(
            member_id=member_id,
            chat_id=chat_id,
            commitment_id=update.commitment_id,
            status=update.status,
            note=update.note,
            evidence=[
                {
                    "kind": e.kind,
                    "url": e.url,
                    "file_id": e.file_id,
                    "file_name": e.file_name,
                    "file_size": e.file_size,
                    "caption": e.caption,
                }
                for e in evidence
            ],
            update_id=update_id,
            editing=True,
        )
        session.add(draft)
        set_state(session, CONVERSATION, chat_id, member_id, state)
        session.flush()
        return _view(session, draft)


def withdraw(
    db: Database, member_id: int, update_id: int, *, now: datetime | None = None
) -> ReportInfo:
    """The author takes a report back. Raises ReportError("not_yours"/"verified")."""
    now = now or utcnow()
    with db.session() as session:
        update = session.get(ProgressUpdate, update_id)
        if update is None or update.reporter_id != member_id:
            raise ReportError("not_yours")
        if update.state == UpdateState.WITHDRAWN:
            return _info(session, update)
        if update.state == UpdateState.VERIFIED:
            raise ReportError("verified")
        update.state = UpdateState.WITHDRAWN
        update.updated_at = now
        session.add(
            UpdateRevision(
                update_id=update.id,
                action="withdrawn",
                actor_id=member_id,
                status=update.status,
                note=update.note,
                at=now,
            )
        )
        refresh_community(session, [update.commitment_id])
        return _info(session, update)


@dataclass(frozen=True, slots=True)
class Revision:
    action: str
    status: Status
    note: str
    reason: str
    at: datetime


def revisions(db: Database, update_id: int) -> list[Revision]:
    with db.session() as session:
        rows = session.exec(
            select(UpdateRevision)
            .where(UpdateRevision.update_id == update_id)
            .order_by(col(UpdateRevision.at), col(UpdateRevision.id))
        ).all()
        return [Revision(r.action, Status(r.status), r.note, r.reason, r.at) for r in rows]
