"""What a digest contains, for many chats at once, in a fixed number of queries.

Per chat: new and changed reports in its followed countries since its last
digest (verified first), commitments that became overdue in that window,
commitments ending in the next 30 days, and the most relevant stale ones (no
report in 90 days) as a call to action. Country-level facts are computed once
and shared by every chat that follows the country.

A digest asks nothing about commitments of plans that ended more than
``ask_after_plan_end`` ago (the IRM has had its say; nobody will report), and a
commitment of an ended plan never "becomes overdue" (see storage.commitments).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.commitments import (
    ASK_AFTER_PLAN_END,
    LIVE_STATES,
    STALE_AFTER,
    community_statuses,
    display_title,
    irm_status,
    is_overdue,
    plan_end_years,
    plan_ended_clause,
)
from storage.db import Database
from storage.models import (
    Chat,
    Commitment,
    Country,
    Member,
    ProgressUpdate,
    Status,
    Subscription,
    UpdateState,
    WorkingGroup,
    WorkingGroupChat,
    utcnow,
)

ENDING_WITHIN = timedelta(days=30)
STALE_PER_COUNTRY = 3
# Stale candidates read per country, so a working group's lens still finds its three.
STALE_POOL = 30
REPORTS_PER_COUNTRY = 10
DONE = (Status.COMPLETE, Status.WITHDRAWN)


@dataclass(frozen=True, slots=True)
class ReportItem:
    commitment_id: str
    title: str
    status: Status
    verified: bool
    reporter: str
    note: str
    at: datetime
    areas: tuple[str, ...] = ()  # the commitment's policy areas


@dataclass(frozen=True, slots=True)
class CommitmentItem:
    id: str
    title: str
    end_date: date | None
    areas: tuple[str, ...] = ()  # its policy areas, for a working group's lens


@dataclass
class CountryDigest:
    code: str
    name: str
    reports: list[ReportItem] = field(default_factory=list)
    more_reports: int = 0
    became_overdue: list[CommitmentItem] = field(default_factory=list)
    ending_soon: list[CommitmentItem] = field(default_factory=list)
    stale: list[CommitmentItem] = field(default_factory=list)

    @property
    def has_news(self) -> bool:
        return bool(self.reports or self.became_overdue or self.ending_soon)

    @property
    def is_blank(self) -> bool:
        """Nothing to show under the country's heading, so no heading either."""
        return not (self.has_news or self.more_reports or self.stale)


@dataclass
class DigestData:
    chat_id: int
    language: str
    since: datetime
    countries: list[CountryDigest]
    when_empty: bool = False  # the chat wants a one-line digest when nothing is new
    # Linked to a working group with policy areas: only commitments carrying one of
    # them, in the group's countries (every country, for a group of areas alone).
    areas: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not any(c.has_news for c in self.countries)


def default_window(frequency: str) -> timedelta:
    return timedelta(days=1) if frequency == "daily" else timedelta(days=7)


def commitment_item(commitment: Commitment) -> CommitmentItem:
    return CommitmentItem(
        commitment.id,
        display_title(commitment),
        commitment.end_date,
        tuple(commitment.policy_areas or ()),
    )


def _stale(
    session: Session, codes: list[str], now: datetime, ask_after_plan_end: timedelta
) -> dict[str, list[CommitmentItem]]:
    """Top stale commitments per country: no report in 90 days, most recent end first.

    Commitments of plans long over are left out: asking about them wastes the call.
    """
    recent = (
        select(ProgressUpdate.id)
        .where(ProgressUpdate.commitment_id == Commitment.id)
        .where(col(ProgressUpdate.state).in_(LIVE_STATES))  # a rejected report is no news
        .where(ProgressUpdate.created_at >= now - STALE_AFTER)
        .correlate(Commitment)
    )
    rank = (
        sa.func.row_number()
        .over(
            partition_by=col(Commitment.country_code),
            order_by=(col(Commitment.end_date).desc().nulls_last(), col(Commitment.id)),
        )
        .label("rank")
    )
    ranked = (
        select(Commitment.id, Commitment.country_code, rank)
        .where(col(Commitment.country_code).in_(codes))
        .where(~sa.exists(recent))
        .where(~plan_ended_clause(now.date() - ask_after_plan_end))
        .subquery()
    )
    ids = session.exec(select(ranked.c.id).where(ranked.c.rank <= STALE_POOL)).all()
    out: dict[str, list[CommitmentItem]] = defaultdict(list)
    for commitment in session.exec(select(Commitment).where(col(Commitment.id).in_(ids))):
        out[commitment.country_code].append(commitment_item(commitment))
    for items in out.values():
        items.sort(key=lambda i: i.end_date or date.min, reverse=True)
    return out


def build_digests(
    db: Database,
    chat_ids: Iterable[int],
    *,
    now: datetime | None = None,
    ask_after_plan_end: timedelta = ASK_AFTER_PLAN_END,
) -> list[DigestData]:
    now = now or utcnow()
    chat_ids = list(chat_ids)
    if not chat_ids:
        return []
    with db.session() as session:
        chats = {c.id: c for c in session.exec(select(Chat).where(col(Chat.id).in_(chat_ids)))}
        follows: dict[int, list[str]] = defaultdict(list)
        for chat_id, code in session.exec(
            select(Subscription.chat_id, Subscription.country_code).where(
                col(Subscription.chat_id).in_(chat_ids)
            )
        ):
            follows[chat_id].append(code)
        lenses = _group_lenses(session, chat_ids)
    ordered = {chat_id: chats[chat_id] for chat_id in chat_ids if chat_id in chats}
    return _build(db, ordered, follows, now, ask_after_plan_end, lenses)


Lens = tuple[tuple[str, ...], frozenset[str] | None]  # (policy areas, countries or None: all)


def _group_lenses(session: Session, chat_ids: list[int]) -> dict[int, Lens]:
    """Chats linked to a working group with policy areas: the areas, in which countries."""
    found: dict[int, Lens] = {}
    for chat_id, group in session.exec(
        select(WorkingGroupChat.chat_id, WorkingGroup)
        .join(WorkingGroup, col(WorkingGroup.id) == col(WorkingGroupChat.working_group_id))
        .where(col(WorkingGroupChat.chat_id).in_(chat_ids))
        .order_by(col(WorkingGroup.id))
    ):
        if group.policy_areas and chat_id not in found:
            countries = frozenset(group.countries) if group.countries else None
            found[chat_id] = (tuple(group.policy_areas), countries)
    return found


def _build(
    db: Database,
    chats: dict[int, Chat],
    follows: dict[int, list[str]],
    now: datetime,
    ask_after_plan_end: timedelta,
    lenses: dict[int, Lens] | None = None,
) -> list[DigestData]:
    today = now.date()
    with db.session() as session:
        codes = sorted({code for chat_codes in follows.values() for code in chat_codes})
        since = {
            chat.id: chat.last_digest_at or (now - default_window(chat.digest_frequency))
            for chat in chats.values()
        }
        earliest = min(since.values()) if since else now
        names = dict(
            session.exec(
                select(Country.code, Country.name).where(col(Country.code).in_(codes))
            ).all()
        )
        # Reports new or changed since the earliest window, for every followed country.
        reports: dict[str, list[tuple[ReportItem, datetime]]] = defaultdict(list)
        for update, commitment, reporter in session.exec(
            select(ProgressUpdate, Commitment, Member.display_name)
            .join(Commitment, col(Commitment.id) == col(ProgressUpdate.commitment_id))
            .join(Member, col(Member.id) == col(ProgressUpdate.reporter_id), isouter=True)
            .where(col(Commitment.country_code).in_(codes))
            .where(col(ProgressUpdate.updated_at) >= earliest)
            .where(col(ProgressUpdate.state).in_([UpdateState.PENDING, UpdateState.VERIFIED]))
            .order_by(col(ProgressUpdate.updated_at).desc())
        ):
            item = ReportItem(
                commitment.id,
                display_title(commitment),
                Status(update.status),
                update.state == UpdateState.VERIFIED,
                reporter or "",
                update.note,
                update.updated_at,
                tuple(commitment.policy_areas or ()),
            )
            reports[commitment.country_code].append((item, update.updated_at))
        # Commitments whose end date fell inside the earliest window, or is coming.
        window = session.exec(
            select(Commitment)
            .where(col(Commitment.country_code).in_(codes))
            .where(col(Commitment.end_date) >= earliest.date())
            .where(col(Commitment.end_date) <= today + ENDING_WITHIN)
            .where(~plan_ended_clause(today - ask_after_plan_end))
        ).all()
        community = community_statuses(window)
        plans = plan_end_years(session, window)
        stale = _stale(session, codes, now, ask_after_plan_end)

    ended: dict[str, list[Commitment]] = defaultdict(list)
    ending: dict[str, list[Commitment]] = defaultdict(list)
    for commitment in sorted(window, key=lambda c: (c.end_date, c.id)):
        current = community.get(commitment.id)
        irm = irm_status(commitment)
        if commitment.end_date < today:
            end_year = plans.get(commitment.action_plan_id or "")
            if is_overdue(commitment.end_date, current, irm, today, plan_end_year=end_year):
                ended[commitment.country_code].append(commitment)
        elif (current.status if current else irm) not in DONE:
            ending[commitment.country_code].append(commitment)
    digests = []
    for chat_id, chat in chats.items():
        start = since[chat_id]
        areas, lens_countries = (lenses or {}).get(chat_id, ((), None))
        sections = []
        for code in sorted(follows.get(chat_id, []), key=lambda c: names.get(c, c)):
            lensed = bool(areas) and (lens_countries is None or code in lens_countries)
            wanted = frozenset(areas) if lensed else None

            def seen(
                item: ReportItem | CommitmentItem, wanted: frozenset[str] | None = wanted
            ) -> bool:
                return wanted is None or bool(wanted & set(item.areas))

            fresh = [item for item, at in reports.get(code, []) if at >= start and seen(item)]
            fresh.sort(key=lambda item: (not item.verified, -item.at.timestamp()))
            sections.append(
                CountryDigest(
                    code=code,
                    name=names.get(code, code),
                    reports=fresh[:REPORTS_PER_COUNTRY],
                    more_reports=max(0, len(fresh) - REPORTS_PER_COUNTRY),
                    became_overdue=[
                        item
                        for c in ended.get(code, [])
                        if c.end_date >= start.date() and seen(item := commitment_item(c))
                    ],
                    ending_soon=[
                        item for c in ending.get(code, []) if seen(item := commitment_item(c))
                    ],
                    stale=[item for item in stale.get(code, []) if seen(item)][:STALE_PER_COUNTRY],
                )
            )
        digests.append(
            DigestData(chat_id, chat.language, start, sections, chat.digest_when_empty, areas)
        )
    return digests


@dataclass(frozen=True, slots=True)
class RenderedDigest:
    chat_id: int
    parts: list[tuple[str, dict | None]]  # (HTML text, reply markup) per message


def record_digests(
    db: Database, rendered: Iterable[RenderedDigest], *, now: datetime | None = None
) -> int:
    """Write digests to the outbox and move each chat to its next slot, atomically.

    The dedup key names the slot, so running this twice for the same slot (a
    crash after the commit, a second process) never queues a digest twice.
    Rows are written in bulk: the digest job handles thousands of chats at once.
    """
    from storage.models import Outbox, OutboxState
    from storage.schedule import reschedule

    now = now or utcnow()
    rendered = list(rendered)
    with db.session() as session:
        chats = {
            chat.id: chat
            for chunk in _chunks([d.chat_id for d in rendered])
            for chat in session.exec(select(Chat).where(col(Chat.id).in_(chunk)))
        }
        rows = []
        for digest in rendered:
            chat = chats.get(digest.chat_id)
            if chat is None:
                continue
            slot = (chat.next_digest_at or now).strftime("%Y%m%dT%H%M")
            for index, (text, markup) in enumerate(digest.parts):
                rows.append(
                    {
                        "chat_id": chat.id,
                        "text": text,
                        "reply_markup": markup,
                        "kind": "digest",
                        "dedup_key": f"digest:{chat.id}:{slot}:{index}",
                        "state": OutboxState.PENDING,
                        "attempts": 0,
                        "not_before": now,
                        "last_error": "",
                        "created_at": now,
                    }
                )
            chat.last_digest_at = now
            reschedule(chat, now)
        existing = {
            key
            for chunk in _chunks([row["dedup_key"] for row in rows])
            for key in session.exec(
                select(Outbox.dedup_key).where(col(Outbox.dedup_key).in_(chunk))
            )
        }
        fresh = [row for row in rows if row["dedup_key"] not in existing]
        if fresh:
            session.execute(sa.insert(Outbox), fresh)
    return len(fresh)


def _chunks(items: list, size: int = 5_000) -> Iterable[list]:
    """Keep IN lists under the database's limit on bound parameters."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def country_digest(
    db: Database,
    code: str,
    *,
    language: str = "en",
    now: datetime | None = None,
    window: timedelta = timedelta(days=7),
    ask_after_plan_end: timedelta = ASK_AFTER_PLAN_END,
) -> DigestData | None:
    """The digest of one country, as a lead broadcasts it to the country's followers."""
    now = now or utcnow()
    with db.session() as session:
        if session.get(Country, code) is None:
            return None
        # A stand-in chat that follows only this country, with the given window.
        probe = Chat(id=0, type="private", language=language, last_digest_at=now - window)
    digests = _build(db, {0: probe}, {0: [code]}, now, ask_after_plan_end)
    return digests[0] if digests else None
