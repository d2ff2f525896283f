"""What a digest contains, for many chats at once, in a fixed number of queries.

Per chat: new and changed reports in its followed countries since its last
digest (verified first), the countries' 2016 Summit pledges newly embedded in
a NAP commitment, commitments that became overdue in that window,
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

from storage import outbox
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
    PledgeLink,
    Report,
    Status,
    Subscription,
    SummitPledge,
    UpdateState,
    WorkingGroup,
    WorkingGroupChat,
    utcnow,
)
from storage.pledge_reports import PledgeReportLine, verified_since
from storage.schedule import next_slot

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
    anonymous: bool = False  # then ``reporter`` is "": a digest never names them
    government: bool = False  # the government's word (storage/government.py), not verified


@dataclass(frozen=True, slots=True)
class CommitmentItem:
    id: str
    title: str
    end_date: date | None
    areas: tuple[str, ...] = ()  # its policy areas, for a working group's lens


@dataclass(frozen=True, slots=True)
class EmbeddingItem:
    """A Summit pledge a NAP commitment now carries."""

    pledge_id: str
    commitment_id: str
    title: str  # the commitment's
    at: datetime
    areas: tuple[str, ...] = ()  # the commitment's policy areas


@dataclass
class CountryDigest:
    code: str
    name: str
    reports: list[ReportItem] = field(default_factory=list)
    more_reports: int = 0
    became_overdue: list[CommitmentItem] = field(default_factory=list)
    ending_soon: list[CommitmentItem] = field(default_factory=list)
    stale: list[CommitmentItem] = field(default_factory=list)
    embedded: list[EmbeddingItem] = field(default_factory=list)  # pledges newly in a NAP
    pledge_reports: list[PledgeReportLine] = field(default_factory=list)  # newly verified

    @property
    def has_news(self) -> bool:
        return bool(
            self.reports
            or self.became_overdue
            or self.ending_soon
            or self.embedded
            or self.pledge_reports
        )

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
    thread_id: int = 0  # the forum topic it is for (0: the whole chat)

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
        select(Report.id)
        .where(Report.commitment_id == Commitment.id)
        .where(col(Report.state).in_(LIVE_STATES))  # a rejected report is no news
        .where(Report.created_at >= now - STALE_AFTER)
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


@dataclass(frozen=True, slots=True)
class _Reader:
    """What a digest needs to know about the chat it is for."""

    language: str
    since: datetime
    when_empty: bool


def build_digests(
    db: Database,
    chat_ids: Iterable[int],
    *,
    now: datetime | None = None,
    ask_after_plan_end: timedelta = ASK_AFTER_PLAN_END,
    thread_id: int | None = None,
) -> list[DigestData]:
    """One digest per chat and forum topic following something there (a chat
    following nothing gets one for itself); ``thread_id``: only that topic's."""
    now = now or utcnow()
    chat_ids = list(chat_ids)
    if not chat_ids:
        return []
    readers: dict[int, _Reader] = {}
    follows: dict[tuple[int, int], list[str]] = defaultdict(list)
    # Core selects of table columns: the digest job reads tens of thousands of
    # rows here, and the ORM's row handling would cost more than the queries.
    chat, subscription = Chat.__table__.c, Subscription.__table__.c  # type: ignore[attr-defined]
    with db.session() as session:
        for chunk in _chunks(chat_ids):
            for chat_id, language, last, frequency, when_empty in session.execute(
                sa.select(
                    chat.id,
                    chat.language,
                    chat.last_digest_at,
                    chat.digest_frequency,
                    chat.digest_when_empty,
                ).where(chat.id.in_(chunk))
            ):
                since = last or (now - default_window(frequency))
                readers[chat_id] = _Reader(language, since, when_empty)
            for chat_id, topic, code in session.execute(
                sa.select(
                    subscription.chat_id, subscription.thread_id, subscription.country_code
                ).where(subscription.chat_id.in_(chunk))
            ):
                follows[chat_id, topic].append(code)
        lenses = _group_lenses(session, chat_ids)
    topics: dict[int, list[int]] = defaultdict(list)
    for chat_id, topic in sorted(follows):
        topics[chat_id].append(topic)
    ordered = {
        (chat_id, topic): readers[chat_id]
        for chat_id in chat_ids
        if chat_id in readers
        for topic in ([thread_id] if thread_id is not None else topics.get(chat_id, [0]))
    }
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
    readers: dict[tuple[int, int], _Reader],
    follows: dict[tuple[int, int], list[str]],
    now: datetime,
    ask_after_plan_end: timedelta,
    lenses: dict[int, Lens] | None = None,
) -> list[DigestData]:
    today = now.date()
    with db.session() as session:
        codes = sorted({code for chat_codes in follows.values() for code in chat_codes})
        earliest = min((reader.since for reader in readers.values()), default=now)
        names = dict(
            session.exec(
                select(Country.code, Country.name).where(col(Country.code).in_(codes))
            ).all()
        )
        # Reports new or changed since the earliest window, for every followed country.
        reports: dict[str, list[tuple[ReportItem, datetime]]] = defaultdict(list)
        for update, commitment, reporter in session.exec(
            select(Report, Commitment, Member.display_name)
            .join(Commitment, col(Commitment.id) == col(Report.commitment_id))
            .join(Member, col(Member.id) == col(Report.reporter_id), isouter=True)
            .where(col(Commitment.country_code).in_(codes))
            .where(col(Report.updated_at) >= earliest)
            .where(col(Report.state).in_([*LIVE_STATES, UpdateState.STATED]))
            .order_by(col(Report.updated_at).desc())
        ):
            item = ReportItem(
                commitment.id,
                display_title(commitment),
                Status(update.status),
                update.state == UpdateState.VERIFIED,
                "" if update.anonymous else reporter or "",
                update.note,
                update.updated_at,
                tuple(commitment.policy_areas or ()),
                update.anonymous,
                update.state == UpdateState.STATED,
            )
            reports[commitment.country_code].append((item, update.updated_at))
        # Pledges of these countries linked to a commitment since the earliest window.
        embedded: dict[str, list[EmbeddingItem]] = defaultdict(list)
        for link, iso3, commitment in session.exec(
            select(PledgeLink, SummitPledge.iso3, Commitment)
            .join(SummitPledge, col(SummitPledge.id) == col(PledgeLink.pledge_id))
            .join(Commitment, col(Commitment.id) == col(PledgeLink.commitment_id))
            .where(col(SummitPledge.iso3).in_(codes))
            .where(col(PledgeLink.linked_at) >= earliest)
            .order_by(col(PledgeLink.linked_at), col(PledgeLink.pledge_id))
        ):
            embedded[iso3].append(
                EmbeddingItem(
                    link.pledge_id,
                    commitment.id,
                    display_title(commitment),
                    link.linked_at,
                    tuple(commitment.policy_areas or ()),
                )
            )
        # Reports on these countries' pledges verified since the earliest window.
        pledged = verified_since(session, codes, earliest)
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
    # Chats whose window starts at the same time (and see through the same working
    # group lens) see the same section of a country: built once and shared
    # (thousands of chats, a few dozen windows).
    sections: dict[tuple[str, datetime, frozenset[str] | None], CountryDigest] = {}

    def section(code: str, start: datetime, wanted: frozenset[str] | None) -> CountryDigest:
        def seen(item: ReportItem | CommitmentItem | EmbeddingItem) -> bool:
            return wanted is None or bool(wanted & set(item.areas))

        key = (code, start, wanted)
        if key not in sections:
            fresh = [item for item, at in reports.get(code, []) if at >= start and seen(item)]
            fresh.sort(key=lambda item: (not item.verified, -item.at.timestamp()))
            sections[key] = CountryDigest(
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
                embedded=[i for i in embedded.get(code, []) if i.at >= start and seen(i)],
                # A pledge has no policy areas: a working group's lens leaves them out.
                pledge_reports=[
                    line
                    for line in pledged.get(code, [])
                    if wanted is None and line.reviewed_at >= start
                ],
            )
        return sections[key]

    digests = []
    for (chat_id, topic), reader in readers.items():
        areas, lens_countries = (lenses or {}).get(chat_id, ((), None))
        countries = []
        for code in sorted(follows.get((chat_id, topic), []), key=lambda c: names.get(c, c)):
            lensed = bool(areas) and (lens_countries is None or code in lens_countries)
            countries.append(section(code, reader.since, frozenset(areas) if lensed else None))
        digests.append(
            DigestData(
                chat_id, reader.language, reader.since, countries, reader.when_empty, areas, topic
            )
        )
    return digests


@dataclass(frozen=True, slots=True)
class RenderedDigest:
    chat_id: int
    parts: list[tuple[str, dict | None]]  # (HTML text, reply markup) per message
    thread_id: int = 0  # the forum topic it goes to (0: the chat itself)


def record_digests(
    db: Database, rendered: Iterable[RenderedDigest], *, now: datetime | None = None
) -> int:
    """Write digests to the outbox and move each chat to its next slot.

    Slow for thousands of chats: call it in a worker thread. Each ``RECORD_CHUNK``
    chats are one transaction holding their digests and their schedules' move,
    so a crash neither loses nor repeats a digest, and no transaction holds
    SQLite's write lock for long while handlers wait to write. The dedup key
    names the slot, so running this twice for the same slot (a second process)
    never queues a digest twice. Returns how many messages were queued.
    """
    now = now or utcnow()
    queued = 0
    for chunk in _chunks(list(rendered), RECORD_CHUNK):
        with db.session() as session:
            queued += _record(session, chunk, now)
    return queued


RECORD_CHUNK = 1_000


def _record(session: Session, digests: list[RenderedDigest], now: datetime) -> int:
    """One chunk, set-based: one read, one insert-or-ignore, one UPDATE per next slot."""
    slots: dict[int, str] = {}
    moves: dict[datetime | None, list[int]] = defaultdict(list)
    next_slots: dict[tuple, datetime | None] = {}
    chat = Chat.__table__.c  # type: ignore[attr-defined]
    for chat_id, due, *schedule in session.execute(
        sa.select(
            chat.id,
            chat.next_digest_at,
            chat.digest_frequency,
            chat.digest_weekday,
            chat.digest_hour,
            chat.timezone,
        ).where(chat.id.in_([digest.chat_id for digest in digests]))
    ):
        slots[chat_id] = (due or now).strftime("%Y%m%dT%H%M")
        key = tuple(schedule)
        if key not in next_slots:
            next_slots[key] = next_slot(*schedule, now)
        moves[next_slots[key]].append(chat_id)
    rows = [
        outbox.row(
            digest.chat_id,
            text,
            reply_markup=markup,
            kind="digest",
            dedup_key=f"digest:{digest.chat_id}{_topic(digest)}:{slots[digest.chat_id]}:{index}",
            thread_id=digest.thread_id or None,
            now=now,
        )
        for digest in digests
        if digest.chat_id in slots
        for index, (text, markup) in enumerate(digest.parts)
    ]
    queued = outbox.queue_rows(session, rows)
    for next_at, chat_ids in moves.items():
        session.execute(
            sa.update(Chat.__table__)  # type: ignore[attr-defined]
            .where(chat.id.in_(chat_ids))
            .values(last_digest_at=now, next_digest_at=next_at)
        )
    return queued


def _topic(digest: RenderedDigest) -> str:
    """A topic's digests are keyed apart from its chat's (which keep their old keys)."""
    return f"/{digest.thread_id}" if digest.thread_id else ""


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
    probe = _Reader(language, now - window, when_empty=False)
    digests = _build(db, {(0, 0): probe}, {(0, 0): [code]}, now, ask_after_plan_end)
    return digests[0] if digests else None
