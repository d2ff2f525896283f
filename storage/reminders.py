"""Reminders a member opted into: commitments ending soon, and quiet ones they reported on;
and, for chats that opt into plan reminders, a followed country's action plan that
ends soon or a new plan of it that an import brought in.

Each reminder is recorded when it is queued, in the same transaction, so it is
sent once per commitment per event and never again after a restart. Nothing is
asked about commitments of plans that ended more than ``ask_after_plan_end`` ago.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

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
    ActionPlan,
    Chat,
    ChatState,
    ChatType,
    Commitment,
    Country,
    Report,
    SentPlanReminder,
    SentReminder,
    Subscription,
    utcnow,
)

QUIET_AFTER = timedelta(days=60)
PLAN_ENDS_WITHIN = timedelta(days=30)
# A new plan is news for this long after the import that brought it in.
NEW_PLAN_NEWS_FOR = timedelta(days=30)


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
                Report.commitment_id,
                sa.func.max(Report.created_at).label("latest"),
            )
            .where(col(Report.state).in_(LIVE_STATES))
            .group_by(Report.commitment_id)
            .subquery()
        )
        # DISTINCT on the (reporter, commitment) pairs only: PostgreSQL cannot
        # compare the JSON columns of a whole commitment row.
        reported = (
            select(Report.reporter_id, Report.commitment_id)
            .where(col(Report.reporter_id).in_(list(chats)))
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


# --------------------------------------------------------------------------- plans


@dataclass(frozen=True)
class PlanItem:
    plan: ActionPlan
    country: Country
    ends: date | None


@dataclass
class PlanReminderData:
    chat_id: int
    language: str
    ending: list[PlanItem] = field(default_factory=list)
    new: list[PlanItem] = field(default_factory=list)
    # (plan id, event) pairs to record once this is queued
    events: list[tuple[str, str]] = field(default_factory=list)


def plan_end_dates(session: sa.orm.Session, plan_ids: list[str]) -> dict[str, date]:
    """When each plan ends: its last commitment's end date, else 31 December of its
    end year (OGP's export has no end date for a plan itself)."""
    ends: dict[str, date] = {
        plan_id: end
        for plan_id, end in session.exec(
            select(Commitment.action_plan_id, sa.func.max(Commitment.end_date))
            .where(col(Commitment.action_plan_id).in_(plan_ids))
            .group_by(Commitment.action_plan_id)
        )
        if end is not None
    }
    for plan in session.exec(select(ActionPlan).where(col(ActionPlan.id).in_(plan_ids))):
        if plan.id not in ends and plan.end_year:
            ends[plan.id] = date(plan.end_year, 12, 31)
    return ends


def plans_of(db: Database, plan_ids: list[str]) -> list[PlanItem]:
    """Plans with their member and end, in the order given (an import's new plans)."""
    with db.session() as session:
        rows = {
            plan.id: (plan, country)
            for plan, country in session.exec(
                select(ActionPlan, Country)
                .join(Country, col(Country.code) == col(ActionPlan.country_code))
                .where(col(ActionPlan.id).in_(plan_ids))
            )
        }
        ends = plan_end_dates(session, list(rows))
    return [PlanItem(*rows[i], ends.get(i)) for i in plan_ids if i in rows]


def due_plan_reminders(db: Database, *, now: datetime | None = None) -> list[PlanReminderData]:
    """Plan news for the chats that opted in, each (chat, plan, event) once.

    A plan is new when an import brought it in after an earlier plan of its
    country: a country's first import is its data arriving, not news.
    """
    now = now or utcnow()
    today = now.date()
    with db.session() as session:
        chats = {
            c.id: c
            for c in session.exec(
                select(Chat)
                .where(col(Chat.plan_reminders).is_(True))
                .where(Chat.state == ChatState.ACTIVE)
            )
        }
        if not chats:
            return []
        follows: dict[str, list[int]] = defaultdict(list)
        # Distinct: a forum may follow a country in several topics; it is told once.
        for chat_id, code in session.exec(
            select(Subscription.chat_id, Subscription.country_code)
            .where(col(Subscription.chat_id).in_(list(chats)))
            .distinct()
        ):
            follows[code].append(chat_id)
        if not follows:
            return []
        plans = session.exec(
            select(ActionPlan, Country)
            .join(Country, col(Country.code) == col(ActionPlan.country_code))
            .where(col(ActionPlan.country_code).in_(list(follows)))
        ).all()
        ends = plan_end_dates(session, [p.id for p, _ in plans])
        sent = {
            (r.chat_id, r.plan_id, r.event)
            for r in session.exec(
                select(SentPlanReminder).where(col(SentPlanReminder.chat_id).in_(list(chats)))
            )
        }
    # Per country, when its first plan was seen (None: before sightings were recorded).
    earliest: dict[str, datetime | None] = {}
    for plan, _ in plans:
        code, seen = plan.country_code, plan.first_seen_at
        first = earliest.get(code, seen)
        earliest[code] = None if first is None or seen is None else min(first, seen)
    found: dict[int, PlanReminderData] = {}
    for plan, country in sorted(plans, key=lambda r: (ends.get(r[0].id) or date.max, r[0].id)):
        end = ends.get(plan.id)
        item = PlanItem(plan, country, end)
        events = []
        if end is not None and today <= end <= today + PLAN_ENDS_WITHIN:
            events.append(("ending", f"ends:{end.isoformat()}"))
        first = earliest.get(plan.country_code)
        seen = plan.first_seen_at
        if seen is not None and seen >= now - NEW_PLAN_NEWS_FOR and (first is None or first < seen):
            events.append(("new", "new"))
        for chat_id in follows[plan.country_code]:
            for kind, event in events:
                if (chat_id, plan.id, event) in sent:
                    continue
                data = found.setdefault(chat_id, PlanReminderData(chat_id, chats[chat_id].language))
                getattr(data, kind).append(item)
                data.events.append((plan.id, event))
    return list(found.values())


def record_plan_reminders(
    db: Database,
    rendered: list[tuple[PlanReminderData, str]],
    *,
    now: datetime | None = None,
) -> int:
    """Queue each chat's plan reminder and remember its events, atomically."""
    now = now or utcnow()
    with db.session() as session:
        for data, text in rendered:
            outbox.enqueue(session, data.chat_id, text, kind="plan_reminder", now=now)
            for plan_id, event in data.events:
                sent = SentPlanReminder(
                    chat_id=data.chat_id, plan_id=plan_id, event=event, sent_at=now
                )
                session.add(sent)
    return len(rendered)
