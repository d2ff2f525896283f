"""Reminders a member opted into: commitments ending soon, and quiet ones they reported on.

Each reminder is recorded when it is queued, in the same transaction, so it is
sent once per commitment per event and never again after a restart. Nothing is
asked about commitments of plans that ended more than ``ask_after_plan_end`` ago.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col, select

from storage import outbox
from storage.commitments import (
    ASK_AFTER_PLAN_END,
    LIVE_STATES,
    community_statuses,
    irm_status,
    plan_ended_clause,
)
from storage.db import Database
from storage.digests import DONE, CommitmentItem, commitment_item
from storage.models import (
    Chat,
    ChatState,
    ChatType,
    Commitment,
    ProgressUpdate,
    SentReminder,
    Subscription,
    utcnow,
)

QUIET_AFTER = timedelta(days=60)


@dataclass
class ReminderData:
    chat_id: int
    language: str
    ending: list[CommitmentItem] = field(default_factory=list)
    quiet: list[CommitmentItem] = field(default_factory=list)
    # (commitment id, event) pairs to record once this is queued
    events: list[tuple[str, str]] = field(default_factory=list)


def due_reminders(
    db: Database,
    *,
    now: datetime | None = None,
    ask_after_plan_end: timedelta = ASK_AFTER_PLAN_END,
) -> list[ReminderData]:
    now = now or utcnow()
    today = now.date()
    still_asked = ~plan_ended_clause(today - ask_after_plan_end)
    with db.session() as session:
        chats = {
            c.id: c
            for c in session.exec(
                select(Chat)
                .where(col(Chat.reminders).is_(True))
                .where(Chat.state == ChatState.ACTIVE)
                .where(Chat.type == ChatType.PRIVATE)
            )
        }
        if not chats:
            return []
        sent = {
            (r.chat_id, r.commitment_id, r.event)
            for r in session.exec(
                select(SentReminder).where(col(SentReminder.chat_id).in_(list(chats)))
            )
        }
        found: dict[int, ReminderData] = {}

        def data(chat_id: int) -> ReminderData:
            if chat_id not in found:
                found[chat_id] = ReminderData(chat_id, chats[chat_id].language)
            return found[chat_id]

        horizon = today + timedelta(days=max(c.reminder_days for c in chats.values()))
        ending_rows = session.exec(
            select(Subscription.chat_id, Commitment)
            .join(Commitment, col(Commitment.country_code) == col(Subscription.country_code))
            .where(col(Subscription.chat_id).in_(list(chats)))
            .where(col(Commitment.end_date) >= today)
            .where(col(Commitment.end_date) <= horizon)
            .where(still_asked)
        ).all()
        community = community_statuses(c for _, c in ending_rows)
        for chat_id, commitment in sorted(ending_rows, key=lambda r: (r[1].end_date, r[1].id)):
            if commitment.end_date > today + timedelta(days=chats[chat_id].reminder_days):
                continue
            current = community.get(commitment.id)
            if (current.status if current else irm_status(commitment)) in DONE:
                continue
            event = f"ends:{commitment.end_date.isoformat()}"
            if (chat_id, commitment.id, event) in sent:
                continue
            entry = data(chat_id)
            entry.ending.append(commitment_item(commitment))
            entry.events.append((commitment.id, event))

        # Quiet: the member reported on it, and nobody has for 60 days.
        latest = (
            select(
                ProgressUpdate.commitment_id,
                sa.func.max(ProgressUpdate.created_at).label("latest"),
            )
            .where(col(ProgressUpdate.state).in_(LIVE_STATES))
            .group_by(ProgressUpdate.commitment_id)
            .subquery()
        )
        # DISTINCT on the (reporter, commitment) pairs only: PostgreSQL cannot
        # compare the JSON columns of a whole commitment row.
        reported = (
            select(ProgressUpdate.reporter_id, ProgressUpdate.commitment_id)
            .where(col(ProgressUpdate.reporter_id).in_(list(chats)))
            .distinct()
            .subquery()
        )
        quiet_rows = session.exec(
            select(reported.c.reporter_id, Commitment, latest.c.latest)
            .join(Commitment, col(Commitment.id) == reported.c.commitment_id)
            .join(latest, latest.c.commitment_id == reported.c.commitment_id)
            .where(latest.c.latest < now - QUIET_AFTER)
            .where(still_asked)
            .order_by(reported.c.reporter_id, col(Commitment.id))
        ).all()
        for reporter_id, commitment, last in quiet_rows:
            event = f"quiet:{last.date().isoformat()}"
            if (reporter_id, commitment.id, event) in sent:
                continue
            entry = data(reporter_id)
            entry.quiet.append(commitment_item(commitment))
            entry.events.append((commitment.id, event))
    return list(found.values())


def record_reminders(
    db: Database,
    rendered: list[tuple[ReminderData, str, dict | None]],
    *,
    now: datetime | None = None,
) -> int:
    """Queue each reminder message and remember its events, atomically."""
    now = now or utcnow()
    grouped: dict[int, list[tuple[ReminderData, str, dict | None]]] = defaultdict(list)
    for item in rendered:
        grouped[item[0].chat_id].append(item)
    queued = 0
    with db.session() as session:
        for chat_id, items in grouped.items():
            for data, text, markup in items:
                outbox.enqueue(
                    session, chat_id, text, reply_markup=markup, kind="reminder", now=now
                )
                queued += 1
                for commitment_id, event in data.events:
                    session.add(
                        SentReminder(
                            chat_id=chat_id, commitment_id=commitment_id, event=event, sent_at=now
                        )
                    )
    return queued
