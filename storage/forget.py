"""/forgetme: delete a member's personal data, keep their reports for the record.

What goes:
- the ``Member`` row (name, username, language): the person is unknown afterwards,
  and becomes a new member if they write again;
- their private chat's row (language, time zone, digest and reminder settings),
  its subscriptions, saved searches, reminders sent and queued messages;
- their report draft, every conversation state of theirs, their role grants.

What stays, anonymised:
- their reports, evidence included, with ``reporter_id`` NULL (shown as
  "former member"); their ids in report revisions (``actor_id``) and reviews
  (``reviewed_by``), in grants they made (``granted_by``) become NULL;
- the audit log keeps every entry (what was done, when, allowed or not) but
  drops their id as the actor; targets naming them ("member:<id>", "@username",
  their private "chat:<id>") become "member:former" / "chat:former", and their
  id or @username anywhere else in an entry becomes "former". The erasure
  itself is logged with no actor and names no one: that entry (when, how many
  reports were anonymised) is all that shows an erasure happened.
- broadcasts they sent keep their text; ``actor_id`` (not nullable) becomes 0
  and the progress message in their chat is forgotten.
- outbox rows for other chats: sent and dropped ones keep no text anyway
  (storage.outbox; rows from before that rule lose it here if it names them).
  One still waiting to be sent (a digest naming them as a reporter) goes out as
  it was promised, and keeps no text once sent.

Confirmation is a button; the press counts only within CONFIRM_WINDOW of the
/forgetme that showed it (a conversation state row), so a forged or replayed
button does nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.audit import audit
from storage.conversations import set_state
from storage.db import Database
from storage.models import (
    AuditLog,
    Broadcast,
    Chat,
    ConversationState,
    GovernmentReply,
    InboxState,
    InboxUpdate,
    Member,
    Outbox,
    OutboxState,
    PledgeReport,
    Report,
    ReportDraft,
    ReviewerNotice,
    RoleGrant,
    SavedSearch,
    SentPlanReminder,
    SentReminder,
    Subscription,
    UpdateRevision,
    WorkingGroupChat,
    utcnow,
)

CONVERSATION = "forgetme"
CONFIRM = "confirm"  # its one state: the question was asked
CONFIRM_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Forgotten:
    reports_anonymised: int
    grants_removed: int
    subscriptions_removed: int


def ask(db: Database, user_id: int, chat_id: int, *, now: datetime | None = None) -> None:
    """Remember that this member was just asked to confirm."""
    with db.session() as session:
        set_state(session, CONVERSATION, chat_id, user_id, CONFIRM, now=now or utcnow())


def cancel(db: Database, user_id: int, chat_id: int) -> bool:
    """Forget the question; False if there was none pending."""
    with db.session() as session:
        row = session.get(ConversationState, (CONVERSATION, chat_id, user_id))
        set_state(session, CONVERSATION, chat_id, user_id, None)
        return row is not None


def forget_member(
    db: Database,
    user_id: int,
    chat_id: int,
    *,
    update_id: int | None = None,
    now: datetime | None = None,
) -> Forgotten | None:
    """Erase the member's personal data; None if no confirmation is pending (or it expired).

    ``update_id`` is the press that asked for it: its inbox row goes too, since it
    names the member. Their updates still waiting in the inbox stay (what they
    sent after asking must still be answered).
    """
    now = now or utcnow()
    with db.session() as session:
        asked = session.get(ConversationState, (CONVERSATION, chat_id, user_id))
        if asked is None or now - asked.updated_at > CONFIRM_WINDOW:
            if asked is not None:
                session.delete(asked)
            return None

        def run(statement: sa.Executable) -> int:
            return session.exec(statement).rowcount or 0  # type: ignore[call-overload]

        member = session.get(Member, user_id)
        handles = _handles(user_id, member)

        reports = run(
            sa.update(Report).where(col(Report.reporter_id) == user_id).values(reporter_id=None)
        )
        run(sa.update(Report).where(col(Report.reviewed_by) == user_id).values(reviewed_by=None))
        # Reports on Summit pledges are kept the same way (storage/pledge_reports.py).
        reports += run(
            sa.update(PledgeReport)
            .where(col(PledgeReport.reporter_id) == user_id)
            .values(reporter_id=None)
        )
        run(
            sa.update(PledgeReport)
            .where(col(PledgeReport.reviewed_by) == user_id)
            .values(reviewed_by=None)
        )
        run(
            sa.update(GovernmentReply)
            .where(col(GovernmentReply.member_id) == user_id)
            .values(member_id=None)
        )
        run(
            sa.update(UpdateRevision)
            .where(col(UpdateRevision.actor_id) == user_id)
            .values(actor_id=None)
        )
        run(
            sa.update(RoleGrant).where(col(RoleGrant.granted_by) == user_id).values(granted_by=None)
        )
        run(sa.update(AuditLog).where(col(AuditLog.actor_id) == user_id).values(actor_id=None))
        _forget_in_audit(session, user_id, handles)
        run(sa.update(Broadcast).where(col(Broadcast.actor_id) == user_id).values(actor_id=0))
        # A broadcast's text begins with who sent it.
        run(
            sa.update(Broadcast)
            .where(sa.or_(*(col(Broadcast.text).contains(n) for n in handles + _names(member))))
            .values(text="")
        )
        run(
            sa.update(Broadcast)
            .where(col(Broadcast.progress_chat_id) == user_id)
            .values(progress_chat_id=None, progress_message_id=None)
        )
        run(
            sa.update(Outbox)
            .where(col(Outbox.state) != OutboxState.PENDING)
            .where(sa.or_(*(col(Outbox.text).contains(n) for n in handles + _names(member))))
            .values(text="", reply_markup=sa.null())
        )
        grants = run(sa.delete(RoleGrant).where(col(RoleGrant.member_id) == user_id))
        run(sa.delete(ReportDraft).where(col(ReportDraft.member_id) == user_id))
        run(
            sa.delete(ConversationState).where(
                sa.or_(
                    col(ConversationState.user_id) == user_id,
                    col(ConversationState.chat_id) == user_id,
                )
            )
        )
        # The private chat's id is the member's id: its settings go with it.
        subscriptions = run(sa.delete(Subscription).where(col(Subscription.chat_id) == user_id))
        run(sa.delete(SavedSearch).where(col(SavedSearch.chat_id) == user_id))
        run(sa.delete(SentReminder).where(col(SentReminder.chat_id) == user_id))
        run(sa.delete(SentPlanReminder).where(col(SentPlanReminder.chat_id) == user_id))
        run(sa.delete(Outbox).where(col(Outbox.chat_id) == user_id))
        run(sa.delete(ReviewerNotice).where(col(ReviewerNotice.chat_id) == user_id))
        run(sa.delete(WorkingGroupChat).where(col(WorkingGroupChat.chat_id) == user_id))
        run(sa.delete(Chat).where(col(Chat.id) == user_id))
        run(sa.delete(Member).where(col(Member.id) == user_id))
        run(_inbox_rows_naming(user_id, member, update_id))
        audit(
            session,
            None,
            "member.forget",
            target="member:former",
            detail=f"reports anonymised: {reports}",
        )
        return Forgotten(reports, grants, subscriptions)


def _inbox_rows_naming(user_id: int, member: Member | None, update_id: int | None) -> sa.Delete:
    """Updates kept in the inbox that came from the member or mention them: handled
    ones (which keep no text, but their chat), set-aside ones (kept whole for the
    admins), and the one asking for this."""
    inbox = InboxUpdate.__table__  # type: ignore[attr-defined]
    payload = inbox.c.payload
    mentions = [
        inbox.c.chat_key.in_([f"chat:{user_id}", f"user:{user_id}"]),
        payload.contains(f'"id": {user_id},'),
        payload.contains(f'"id": {user_id}}}'),
    ]
    if member is not None and member.username:
        mentions.append(payload.contains(f'"username": "{member.username}"'))
    settled = inbox.c.state != InboxState.PENDING
    if update_id is not None:
        settled = sa.or_(settled, inbox.c.update_id == update_id)
    return sa.delete(inbox).where(settled, sa.or_(*mentions))


def _handles(user_id: int, member: Member | None) -> list[str]:
    """How stored text names the member: their id and @username (the audit log
    never writes display names; a name typed by someone else is their text)."""
    handles = [str(user_id)]
    if member is not None and member.username:
        handles.append(f"@{member.username}")
    return handles


def _names(member: Member | None) -> list[str]:
    """Their display name, as typed and as HTML (how messages carry it)."""
    name = member.display_name.strip() if member is not None else ""
    return list(dict.fromkeys([name, escape(name)])) if name else []


def _forget_in_audit(session: Session, user_id: int, handles: list[str]) -> None:
    """Audit entries keep what happened; who it happened to becomes "former"."""
    exact = {f"member:{user_id}": "member:former", f"chat:{user_id}": "chat:former"}
    exact.update({handle.lower(): "member:former" for handle in handles[1:]})
    whole = re.compile(
        "|".join(rf"(?<![\w@]){re.escape(handle)}(?!\w)" for handle in handles), re.IGNORECASE
    )
    mentions = sa.or_(
        *(sa.func.lower(col(column)).contains(handle.lower()) for handle in handles
          for column in (AuditLog.target, AuditLog.detail))
    )  # fmt: skip
    for entry in session.exec(select(AuditLog).where(mentions)):
        entry.target = exact.get(entry.target.lower()) or whole.sub("former", entry.target)
        entry.detail = whole.sub("former", entry.detail)
