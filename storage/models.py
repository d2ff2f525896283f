"""The tables. Plain SQLModel classes, no Telegram types.

Telegram ids (users and chats) exceed 32 bits, so their columns are BIGINT:
SQLite does not care, PostgreSQL does. Timestamps are stored as naive UTC and
handed back tz-aware (see ``UTCDateTime``) so that comparisons never mix
naive and aware values, whatever the backend.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import JSON, Field, SQLModel

from storage.statuses import Status as Status  # the registry holds it; re-exported


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A DateTime that always round-trips as aware UTC.

    SQLite has no time zones; PostgreSQL's ``timestamp`` neither. Storing naive
    UTC and re-attaching UTC on the way out keeps both honest.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class MemberKind(enum.StrEnum):
    NATIONAL = "national"
    LOCAL = "local"


class UpdateState(enum.StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    # A government contact's report: the government's word, never reviewed by leads
    # and never part of the community (civil-society verified) status.
    STATED = "stated"


class ReportSource(enum.StrEnum):
    COMMUNITY = "community"
    GOVERNMENT = "government"


class ChatState(enum.StrEnum):
    ACTIVE = "active"
    STOPPED = "stopped"  # the chat asked for no scheduled messages (/stop)
    BLOCKED = "blocked"  # Telegram answered 403: never send until it writes again


class ChatType(enum.StrEnum):
    PRIVATE = "private"
    GROUP = "group"
    SUPERGROUP = "supergroup"
    CHANNEL = "channel"


class Role(enum.StrEnum):
    MEMBER = "member"
    LEAD = "lead"
    ADMIN = "admin"
    # A government point of contact for one country (a RoleGrant, never a Visitor's
    # role): reports as the government and replies to verified reports.
    GOVERNMENT = "government"


class OutboxState(enum.StrEnum):
    # A broadcast's rows while it is being queued in chunks: never sent, until its
    # last chunk is in and one UPDATE releases them all (a crash between leaves none out).
    HELD = "held"
    PENDING = "pending"
    SENT = "sent"
    DROPPED = "dropped"


class Country(SQLModel, table=True):
    """An OGP member: a country (ISO alpha-3 code) or a local member (OGP's code)."""

    code: str = Field(primary_key=True, max_length=8)
    name: str
    kind: str = Field(default=MemberKind.NATIONAL, max_length=16)
    region: str = Field(default="", max_length=64)
    iso2: str = Field(default="", max_length=2)
    parent: str | None = Field(default=None, max_length=8)
    # The name as OGP's export spells it ("Buenos Aires, Argentina").
    ogp_name: str = ""
    # Its standing in OGP (storage.countries.STATUSES), since when ("2023-08"),
    # and the page that states it: a member the export alone brought is unverified.
    status: str = Field(default="unverified", max_length=16)
    status_since: str = Field(default="", max_length=10)
    source_url: str = Field(default="", max_length=300)


class ActionPlan(SQLModel, table=True):
    __tablename__ = "action_plan"

    id: str = Field(primary_key=True, max_length=32)  # OGP's id, e.g. AP_ARG03
    country_code: str = Field(foreign_key="country.code", index=True)
    number: int | None = None
    submitted_year: int | None = None
    end_year: int | None = None
    duration_years: int | None = None
    # When an import first brought this plan in (None: before this was recorded).
    # A plan first seen after an earlier plan of its country is a new plan.
    first_seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Commitment(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=16)  # OGP's id, e.g. AR0045
    ogp_row_id: int | None = None
    country_code: str = Field(foreign_key="country.code", index=True)
    action_plan_id: str | None = Field(default=None, foreign_key="action_plan.id", index=True)
    number: str = ""
    title: str = ""
    short_title: str = ""
    full_text: str = ""
    theme: str = ""
    # Policy areas as OGP names its columns ("Beneficial Ownership", ...).
    policy_areas: list[str] = Field(default_factory=list, sa_type=JSON)
    anti_corruption: bool = False
    lead_institution: str = ""
    supporting_institutions: str = ""
    start_date: date | None = None
    end_date: date | None = None
    url: str = ""
    # IRM ratings, as OGP words them; None where OGP has no data (ND/NR/NA).
    specificity: str | None = None
    verifiable: str | None = None
    potential_impact: str | None = None
    completion_progress: str | None = None
    completion_end_term: str | None = None
    did_it_open_government: str | None = None
    starred: bool | None = None
    potential_for_results: str | None = None
    early_results: str | None = None
    irm_assessed: bool = False
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The community status: the latest *verified* report's (pending ones are shown
    # apart), kept by storage.commitments.refresh_community whenever a report on this
    # commitment changes: read on every card, list, digest and /stats, written only
    # when a report is sent, reviewed, edited or withdrawn (migration 0014 set it so).
    community_status: str | None = Field(default=None, max_length=16, index=True)
    community_verified: bool = False
    community_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Chat(SQLModel, table=True):
    id: int = Field(sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False))
    type: str = Field(default=ChatType.PRIVATE, max_length=16)
    title: str = ""
    language: str = Field(default="en", max_length=8)
    timezone: str = Field(default="UTC", max_length=64)
    state: str = Field(default=ChatState.ACTIVE, max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Digest schedule, as data: one periodic job picks up chats whose time is due.
    digest_frequency: str = Field(default="weekly", max_length=8)  # off | daily | weekly
    digest_weekday: int = 0  # 0 = Monday
    digest_hour: int = 9  # local hour in ``timezone``
    digest_when_empty: bool = False  # a one-line digest when nothing is new
    next_digest_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    last_digest_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Reminders (for a private chat: its member's opt-in).
    reminders: bool = False
    reminder_days: int = 30
    # Plan-level reminders: a followed country's plan ends soon, or a new one appears.
    plan_reminders: bool = False


class Member(SQLModel, table=True):
    """A Telegram user who has talked to the bot. Personal data lives here only."""

    id: int = Field(sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False))
    display_name: str = ""
    username: str | None = Field(default=None, max_length=64, index=True)
    language: str = Field(default="en", max_length=8)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The default for new reports, chosen in /settings: name withheld from all but admins.
    report_anonymously: bool = False
    # Chosen in /settings: named on the public site (#15); otherwise "a coalition member".
    public_name: bool = False


class RoleGrant(SQLModel, table=True):
    """A lead role for one country. Admins are named in the config, not here."""

    __tablename__ = "role_grant"
    # Grants for a working group have no country; storage keeps them unique.
    __table_args__ = (sa.UniqueConstraint("member_id", "role", "country_code"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(
        sa_column=sa.Column(sa.BigInteger, sa.ForeignKey("member.id"), index=True, nullable=False)
    )
    role: str = Field(default=Role.LEAD, max_length=16)
    country_code: str | None = Field(default=None, foreign_key="country.code")
    working_group_id: int | None = Field(default=None, foreign_key="working_group.id")
    granted_by: int | None = Field(default=None, sa_type=sa.BigInteger)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Subscription(SQLModel, table=True):
    chat_id: int = Field(
        sa_column=sa.Column(
            sa.BigInteger, sa.ForeignKey("chat.id", ondelete="CASCADE"), primary_key=True
        )
    )
    country_code: str = Field(foreign_key="country.code", primary_key=True)
    # The forum topic that follows (its message_thread_id); 0: the whole chat. A
    # topic's digests and broadcasts go to that topic, with that topic's countries.
    thread_id: int = Field(default=0, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Report(SQLModel, table=True):
    """A member's report on one commitment. Never overwritten: edits add history."""

    __tablename__ = "progress_update"
    __table_args__ = (
        # Covering indexes for the community status of many commitments at once
        # (/stats, lists, digests) and for "reports in the last N days" counts:
        # without them SQLite visits every report row of a country's commitments.
        sa.Index(
            "ix_progress_update_status_lookup", "commitment_id", "state", "created_at", "status"
        ),
        sa.Index("ix_progress_update_recent", "created_at", "state", "commitment_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    commitment_id: str = Field(foreign_key="commitment.id", index=True)
    reporter_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.BigInteger, sa.ForeignKey("member.id"), index=True, nullable=True),
    )
    status: str = Field(max_length=16)
    note: str = ""
    state: str = Field(default=UpdateState.PENDING, max_length=16, index=True)
    reviewed_by: int | None = Field(default=None, sa_type=sa.BigInteger)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    review_reason: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Which version of its content this is: 1 when sent, one more at each edit.
    # Review buttons carry it, so a decision applies to the text the reviewer saw.
    revision: int = 1
    # Sent anonymously: leads, digests, exports and pages say "a coalition member";
    # only the bot's admins are shown who it was.
    anonymous: bool = False
    # Who speaks: civil society (reviewed by leads) or a government contact of the
    # commitment's country (state STATED: the government's word, not reviewed).
    source: str = Field(default=ReportSource.COMMUNITY, max_length=16)


class GovernmentReply(SQLModel, table=True):
    """A government's right of reply to a verified civil-society report: one per
    report (the key), by one of the country's government contacts."""

    __tablename__ = "government_reply"

    update_id: int = Field(foreign_key="progress_update.id", primary_key=True)
    member_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    text: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReviewerNotice(SQLModel, table=True):
    """A "needs verifying" message sent to a reviewer, kept while the report waits:
    when one reviewer decides, the others' copies lose their buttons and say who did.
    Deleted at the decision (and with the reviewer, by /forgetme)."""

    __tablename__ = "reviewer_notice"

    id: int | None = Field(default=None, primary_key=True)
    update_id: int = Field(foreign_key="progress_update.id", index=True)
    chat_id: int = Field(sa_type=sa.BigInteger)
    message_id: int = Field(sa_type=sa.BigInteger)


class Evidence(SQLModel, table=True):
    """A link, photo or document attached to an update. Files stay on Telegram."""

    id: int | None = Field(default=None, primary_key=True)
    update_id: int = Field(foreign_key="progress_update.id", index=True)
    kind: str = Field(max_length=16)  # link | photo | document
    url: str = ""
    file_id: str = ""
    file_name: str = ""
    file_size: int | None = None
    caption: str = ""


class Outbox(SQLModel, table=True):
    """A message promised to a chat. The row survives a crash; the sender drains it."""

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=sa.BigInteger, index=True)
    thread_id: int | None = None  # the forum topic it goes to (None: the chat itself)
    text: str
    reply_markup: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    # Data for a message rendered when it is sent (bot/notices.py, by ``kind``):
    # the text is then empty, so the recipient reads the report as it is by then.
    payload: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    kind: str = Field(default="message", max_length=32)
    broadcast_id: int | None = Field(default=None, foreign_key="broadcast.id", index=True)
    # Makes enqueueing idempotent: a digest or reminder is written once per key.
    dedup_key: str | None = Field(default=None, max_length=128, unique=True)
    state: str = Field(default=OutboxState.PENDING, max_length=16, index=True)
    attempts: int = 0
    not_before: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_error: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuditLog(SQLModel, table=True):
    """Every privileged action, allowed or refused."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    action: str = Field(max_length=64)
    target: str = ""
    allowed: bool = True
    detail: str = ""


class SavedSearch(SQLModel, table=True):
    """A search typed in a chat, so its Prev/Next buttons carry only a small id.

    Button data is limited to 64 bytes; a query is not. Kept in the database so
    paging still works after a restart.
    """

    __tablename__ = "saved_search"

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=sa.BigInteger, index=True)
    text: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ConversationState(SQLModel, table=True):
    """Where a multi-step conversation stands, so a restart resumes it.

    Keyed like python-telegram-bot's ConversationHandler: (name, chat, user).
    Written in the same transaction as the step's data, so it is never behind.
    """

    __tablename__ = "conversation_state"

    name: str = Field(primary_key=True, max_length=32)
    chat_id: int = Field(sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False))
    user_id: int = Field(sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False))
    state: str = Field(max_length=32)
    # What the step needs besides the state, e.g. which report a lead is rejecting.
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class ReportDraft(SQLModel, table=True):
    """A report being written, one per member; becomes a Report on Send."""

    __tablename__ = "report_draft"

    member_id: int = Field(
        sa_column=sa.Column(sa.BigInteger, sa.ForeignKey("member.id"), primary_key=True)
    )
    chat_id: int = Field(sa_type=sa.BigInteger)
    commitment_id: str | None = Field(default=None, foreign_key="commitment.id")
    # Or a Summit pledge (storage/pledge_reports.py); one of the two, never both.
    pledge_id: str | None = Field(default=None, max_length=24, foreign_key="summit_pledge.id")
    status: str | None = Field(default=None, max_length=16)
    note: str = ""
    # [{"kind": "photo", "file_id": ..., "file_name": ..., "file_size": ..., "url": ...}]
    evidence: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    # Set when the draft edits an existing report rather than creating one.
    update_id: int | None = Field(default=None, foreign_key="progress_update.id")
    # The step to return to after an edit from the preview ("" = walk forward).
    editing: bool = False
    anonymous: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class UpdateRevision(SQLModel, table=True):
    """Every change to a report (created, edited, verified, rejected, withdrawn)."""

    __tablename__ = "update_revision"
    # A member's recent edits, for the flood limit they share with new reports.
    __table_args__ = (sa.Index("ix_update_revision_actor_at", "actor_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    update_id: int = Field(foreign_key="progress_update.id", index=True)
    action: str = Field(max_length=16)  # created | edited | verified | rejected | withdrawn
    actor_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    status: str = Field(max_length=16)
    note: str = ""
    evidence: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    reason: str = ""
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WorkingGroup(SQLModel, table=True):
    """A coalition's working group: the countries or policy areas it follows."""

    __tablename__ = "working_group"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128, unique=True)
    countries: list[str] = Field(default_factory=list, sa_type=JSON)
    policy_areas: list[str] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WorkingGroupChat(SQLModel, table=True):
    """A Telegram group linked to a working group (/linkgroup)."""

    __tablename__ = "working_group_chat"

    working_group_id: int = Field(foreign_key="working_group.id", primary_key=True)
    chat_id: int = Field(
        sa_column=sa.Column(
            sa.BigInteger, sa.ForeignKey("chat.id", ondelete="CASCADE"), primary_key=True
        )
    )


class Broadcast(SQLModel, table=True):
    """A lead's message to many chats; its rows in the outbox carry its id."""

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int = Field(sa_type=sa.BigInteger)
    audience: str = Field(max_length=64)  # country:KEN | group:3 | all
    text: str
    total: int = 0
    # Where the sender shows progress ("sent 340 / 1,200"), edited in place.
    progress_chat_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    progress_message_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SentReminder(SQLModel, table=True):
    """A reminder already sent: each is sent once per commitment per event."""

    __tablename__ = "sent_reminder"

    chat_id: int = Field(sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False))
    commitment_id: str = Field(foreign_key="commitment.id", primary_key=True)
    event: str = Field(primary_key=True, max_length=32)  # ends_soon | quiet
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SentPlanReminder(SQLModel, table=True):
    """A plan-level reminder already queued: once per chat, plan and event."""

    __tablename__ = "sent_plan_reminder"

    chat_id: int = Field(sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False))
    plan_id: str = Field(foreign_key="action_plan.id", primary_key=True, max_length=32)
    event: str = Field(primary_key=True, max_length=32)  # new | ends:YYYY-MM-DD
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InboxState(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    SET_ASIDE = "set_aside"  # kept failing: kept with its error for admins, never retried


class InboxUpdate(SQLModel, table=True):
    """A Telegram update written down before Telegram is told we have it.

    The row is the promise: polling confirms an update (the next offset) and a
    webhook answers 200 only after it is here, so a crash can lose no update
    that Telegram considers delivered. ``chat_key`` orders handling per chat.
    """

    __tablename__ = "inbox"

    update_id: int = Field(
        sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False)
    )
    chat_key: str = Field(max_length=64)
    payload: str
    state: str = Field(default=InboxState.PENDING, max_length=16)
    attempts: int = 0
    error: str = ""
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    __table_args__ = (sa.Index("ix_inbox_state_update", "state", "update_id"),)


class HealthCount(SQLModel, table=True):
    """Events counted per day (429s, blocked chats, deliveries), for `ogp-bot status`
    and the metrics: what an operator asks after a bad night."""

    __tablename__ = "health_count"

    day: date = Field(primary_key=True)
    name: str = Field(primary_key=True, max_length=32)
    count: int = 0


class SummitPledge(SQLModel, table=True):
    """A pledge made at the 2016 London Anti-Corruption Summit (storage/summit.py).

    The country is kept by name and ISO3 even where it is no OGP member (11 of the
    43 Summit governments were not), so there is no key to ``country``. Status,
    assessor and date are as the tracker gave them (2017-2020); the date is kept
    as written ("2020-12", "2017" or "").
    """

    __tablename__ = "summit_pledge"

    id: str = Field(primary_key=True, max_length=24)  # ACS2016-KEN-01
    country: str = Field(max_length=80)
    iso3: str = Field(max_length=3, index=True)
    theme: str = Field(max_length=32)
    text: str
    text_is_quote: bool = False
    status: str = Field(max_length=16)
    status_source: str = Field(default="", max_length=80)
    status_date: str = Field(default="", max_length=7)
    source_url: str = Field(default="", max_length=300)
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PledgeLink(SQLModel, table=True):
    """A Summit pledge carried by a NAP commitment: who linked them, and when."""

    __tablename__ = "pledge_link"

    pledge_id: str = Field(
        sa_column=sa.Column(
            sa.String(24), sa.ForeignKey("summit_pledge.id", ondelete="CASCADE"), primary_key=True
        )
    )
    commitment_id: str = Field(
        sa_column=sa.Column(
            sa.String(16), sa.ForeignKey("commitment.id"), primary_key=True, index=True
        )
    )
    linked_by: int | None = Field(default=None, sa_type=sa.BigInteger)
    linked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PledgeReport(SQLModel, table=True):
    """A member's report on a Summit pledge (storage/pledge_reports.py): pending until
    a lead of the pledge's country verifies or rejects it. Evidence is kept with it."""

    __tablename__ = "pledge_report"

    id: int | None = Field(default=None, primary_key=True)
    pledge_id: str = Field(
        sa_column=sa.Column(
            sa.String(24),
            sa.ForeignKey("summit_pledge.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    reporter_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.BigInteger, sa.ForeignKey("member.id"), index=True, nullable=True),
    )
    status: str = Field(max_length=16)
    note: str = ""
    evidence: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    state: str = Field(default=UpdateState.PENDING, max_length=16, index=True)
    reviewed_by: int | None = Field(default=None, sa_type=sa.BigInteger)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    anonymous: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
