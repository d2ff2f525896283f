"""The outbox: messages promised to chats, drained by one sender.

Deciding who gets what is a transaction that writes rows here; sending is slow
and fails in many ways. A row is marked sent right after Telegram accepts it,
so a crash re-sends at most the message that was in flight.

Once sent or dropped, a row keeps only its bookkeeping (chat, kind, broadcast,
dedup key, times, last error): its text named people (digests carry reporters'
names), and nothing reads it again. Those rows are deleted after the retention
setting (``prune``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage import health
from storage.db import Database, conflict_insert
from storage.models import Broadcast, Chat, ChatState, Outbox, OutboxState, utcnow

BLOCKED = "blocked"  # last_error of rows dropped because the chat blocked the bot
DECIDED = "decided"  # last_error of reviewer notices dropped unsent: the report was decided

# Kinds the sender treats specially (the others are plain messages).
NOTICE = "review_notice"  # "needs verifying" to a reviewer: its message id is recorded
NOTICE_CLOSED = "notice_closed"  # an edit: that reviewer's notices say who decided
OUTCOME = "outcome"  # a decision on their report, to its author
GOVERNMENT = "government"  # a verified report, to its country's government contacts
ROLE = "role"  # a member's roles changed: what they may do now
DRAFT_EXPIRED = "draft_expired"  # an unfinished report dropped after a day, to its author

STOPPED = "stopped"
# What a row that is done with (sent or dropped) keeps of its message: nothing.
NO_MESSAGE: dict[str, Any] = {"text": "", "reply_markup": sa.null()}


@dataclass(frozen=True, slots=True)
class Message:
    id: int
    chat_id: int
    text: str
    reply_markup: dict[str, Any] | None
    kind: str
    attempts: int
    broadcast_id: int | None
    thread_id: int | None = None  # a forum topic (None or 0: the chat itself)
    dedup_key: str | None = None
    payload: dict[str, Any] | None = None  # data to render it from when sent (bot/notices.py)


def notice_key(kind: str, report_id: int, revision: int, chat_id: int) -> str:
    """The dedup key of a reviewer notice (or of its closing edit): it names the
    report, so the sender can record and find the notice's message."""
    return f"{kind}:{report_id}:{revision}:{chat_id}"


def report_of(key: str) -> int:
    """The report a ``notice_key`` names."""
    return int(key.split(":")[1])


def row(
    chat_id: int,
    text: str,
    *,
    reply_markup: dict[str, Any] | None = None,
    kind: str = "message",
    dedup_key: str | None = None,
    broadcast_id: int | None = None,
    thread_id: int | None = None,
    payload: dict[str, Any] | None = None,
    now: datetime,
) -> dict[str, Any]:
    """Every column of a new row: a Core insert does not apply the model's defaults."""
    return {
        "chat_id": chat_id,
        "thread_id": thread_id,
        "text": text,
        "reply_markup": reply_markup,
        "payload": payload,
        "kind": kind,
        "dedup_key": dedup_key,
        "broadcast_id": broadcast_id,
        "state": OutboxState.PENDING.value,
        "attempts": 0,
        "not_before": now,
        "last_error": "",
        "created_at": now,
    }


def insert_ignoring_duplicates(
    session: Session,
    table: sa.TableClause = Outbox.__table__,  # type: ignore[attr-defined]
) -> sa.Insert:
    """An INSERT into the outbox that skips rows whose dedup key is already queued.

    One statement and no look-up first, so bulk writers (digests, broadcasts) pay
    nothing for keys that cannot exist yet, and two writers racing on the same
    key cannot fail on the unique constraint.
    """
    dialect = session.get_bind().dialect.name
    if dialect in ("mysql", "mariadb"):
        return sa.insert(table).prefix_with("IGNORE")
    return conflict_insert(dialect)(table).on_conflict_do_nothing(index_elements=["dedup_key"])


CONVERTED = ("reply_markup", "not_before", "created_at")  # the columns whose values need it


def queue_rows(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert-or-ignore many rows (from ``row``) at once; returns how many were new.

    Thousands of rows share a handful of values that SQLite needs converted (the
    time as text, a digest's buttons as JSON): each distinct one is converted
    once, and the rows go to the driver as they are, rather than SQLAlchemy
    converting every value of every row (a third of the time of a digest run).
    """
    if not rows:
        return 0
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":  # psycopg adapts JSON itself: SQLAlchemy's typed path
        added = insert_ignoring_duplicates(session).returning(Outbox.id)
        return len(session.execute(added, rows).all())
    if dialect.name != "sqlite":
        return session.execute(insert_ignoring_duplicates(session), rows).rowcount
    columns = Outbox.__table__.c  # type: ignore[attr-defined]
    converters = {name: columns[name].type.bind_processor(dialect) for name in CONVERTED}
    done: dict[tuple[str, int], tuple[object, object]] = {}  # -> (value kept alive, converted)

    def converted(name: str, value: object) -> object:
        convert = converters[name]
        if value is None or convert is None:
            return value
        key = (name, id(value))
        if key not in done:
            done[key] = (value, convert(value))
        return done[key][1]

    plain = [{**row, **{name: converted(name, row[name]) for name in CONVERTED}} for row in rows]
    untyped = sa.table("outbox", *(sa.column(name) for name in rows[0]))
    return session.execute(insert_ignoring_duplicates(session, untyped), plain).rowcount


def enqueue(
    session: Session,
    chat_id: int,
    text: str,
    *,
    reply_markup: dict[str, Any] | None = None,
    kind: str = "message",
    dedup_key: str | None = None,
    broadcast_id: int | None = None,
    payload: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> bool:
    """Add a message in the caller's transaction; False if its dedup key exists."""
    values = row(
        chat_id,
        text,
        reply_markup=reply_markup,
        payload=payload,
        kind=kind,
        dedup_key=dedup_key,
        broadcast_id=broadcast_id,
        now=now or utcnow(),
    )
    session.flush()  # rows the caller added through the ORM come first, as they did
    # RETURNING, not rowcount: through an ORM session PostgreSQL's rowcount is -1.
    table = Outbox.__table__  # type: ignore[attr-defined]
    inserted = session.execute(
        insert_ignoring_duplicates(session).values(values).returning(table.c.id)
    )
    return inserted.first() is not None


def enqueue_to_all(
    db: Database,
    chat_ids: list[int],
    text: str,
    *,
    kind: str,
    dedup_key: str,
    now: datetime | None = None,
) -> int:
    """The same message to several chats (the admins), each once per ``dedup_key``."""
    with db.session() as session:
        return sum(
            enqueue(session, chat_id, text, kind=kind, dedup_key=f"{dedup_key}:{chat_id}", now=now)
            for chat_id in chat_ids
        )


def due(db: Database, now: datetime, *, limit: int = 100) -> list[Message]:
    """Pending messages whose time has come, oldest first, for chats we may write to."""
    with db.session() as session:
        rows = session.exec(
            select(Outbox)
            .join(Chat, col(Chat.id) == col(Outbox.chat_id), isouter=True)
            .where(Outbox.state == OutboxState.PENDING)
            .where(col(Outbox.not_before) <= now)
            .where(sa.or_(col(Chat.state).is_(None), Chat.state == ChatState.ACTIVE))
            .order_by(col(Outbox.id))
            .limit(limit)
        ).all()
        return [
            Message(
                r.id,
                r.chat_id,
                r.text,
                r.reply_markup,
                r.kind,
                r.attempts,
                r.broadcast_id,
                r.thread_id,
                r.dedup_key,
                r.payload,
            )
            for r in rows
        ]


def mark_sent(db: Database, message_id: int, *, now: datetime | None = None) -> None:
    """One UPDATE, no ORM load: this runs once per message the bot sends."""
    with db.session() as session:
        session.exec(
            sa.update(Outbox)
            .where(col(Outbox.id) == message_id)
            .values(
                state=OutboxState.SENT,
                sent_at=now or utcnow(),
                attempts=Outbox.attempts + 1,
                **NO_MESSAGE,
            )
        )


def prune(db: Database, *, older_than: datetime, limit: int = 10_000) -> int:
    """Delete sent and dropped rows done before ``older_than``; how many went.

    Their dedup keys go with them, which is safe once their slot is long past.
    Rows of a broadcast still being sent stay: its tally counts them.
    """
    with db.session() as session:
        unfinished = select(Broadcast.id).where(col(Broadcast.finished_at).is_(None))
        doomed = (
            select(Outbox.id)
            .where(col(Outbox.state).in_([OutboxState.SENT, OutboxState.DROPPED]))
            .where(sa.func.coalesce(col(Outbox.sent_at), col(Outbox.created_at)) < older_than)
            .where(
                sa.or_(
                    col(Outbox.broadcast_id).is_(None),
                    col(Outbox.broadcast_id).not_in(unfinished),
                )
            )
            .limit(limit)
        )
        result = session.exec(sa.delete(Outbox).where(col(Outbox.id).in_(doomed)))
        return result.rowcount or 0


def retry_later(
    db: Database,
    message_id: int,
    *,
    delay: timedelta,
    error: str,
    max_attempts: int,
    now: datetime | None = None,
) -> bool:
    """Count a failed attempt; True if it will be retried, False if it was dropped."""
    now = now or utcnow()
    with db.session() as session:
        row = session.get(Outbox, message_id)
        row.attempts += 1
        row.last_error = error[:500]
        if row.attempts >= max_attempts:
            row.state = OutboxState.DROPPED
            row.text, row.reply_markup = "", None
            return False
        row.not_before = now + delay
        return True


def drop(db: Database, message_id: int, *, error: str) -> None:
    with db.session() as session:
        row = session.get(Outbox, message_id)
        row.attempts += 1
        row.state = OutboxState.DROPPED
        row.last_error = error[:500]
        row.text, row.reply_markup = "", None


def drop_notices(session: Session, report_id: int) -> None:
    """A decided report's notices not sent yet will not be: buttons on a decided
    report would only answer "already verified"."""
    session.exec(
        sa.update(Outbox)
        .where(col(Outbox.kind) == NOTICE)
        .where(col(Outbox.state) == OutboxState.PENDING)
        .where(col(Outbox.dedup_key).startswith(f"{NOTICE}:{report_id}:"))
        .values(state=OutboxState.DROPPED, last_error=DECIDED, **NO_MESSAGE)
    )


def chat_blocked(db: Database, chat_id: int) -> int:
    """403 or ``my_chat_member``: the chat blocked or removed the bot. Mark it, and
    drop what was waiting for it. A stopped chat stays stopped, so coming back does
    not undo its /stop."""
    with db.session() as session:
        chat = session.get(Chat, chat_id)
        if chat is not None and chat.state == ChatState.ACTIVE:
            chat.state = ChatState.BLOCKED
            health.count_in(session, {health.BLOCKED: 1})
        result = session.exec(
            sa.update(Outbox)
            .where(col(Outbox.chat_id) == chat_id)
            .where(col(Outbox.state) == OutboxState.PENDING)
            .values(state=OutboxState.DROPPED, last_error=BLOCKED, **NO_MESSAGE)
        )
        return result.rowcount or 0


def drop_for_inactive_chats(db: Database) -> int:
    """Pending rows for chats that are blocked or stopped will never be sent."""
    with db.session() as session:
        inactive = select(Chat.id).where(
            col(Chat.state).in_([ChatState.BLOCKED, ChatState.STOPPED])
        )
        result = session.exec(
            sa.update(Outbox)
            .where(col(Outbox.state) == OutboxState.PENDING)
            .where(col(Outbox.chat_id).in_(inactive))
            .values(state=OutboxState.DROPPED, last_error=STOPPED, **NO_MESSAGE)
        )
        return result.rowcount or 0


@dataclass(frozen=True, slots=True)
class Tally:
    total: int
    delivered: int
    blocked: int
    failed: int
    pending: int
    progress_chat_id: int | None
    progress_message_id: int | None
    finished: bool
    progress_language: str | None = None  # of the chat showing the progress


def broadcast_tally(db: Database, broadcast_id: int) -> Tally | None:
    with db.session() as session:
        broadcast = session.get(Broadcast, broadcast_id)
        if broadcast is None:
            return None
        counts: Counter[str] = Counter()
        for state, error, count in session.exec(
            select(Outbox.state, Outbox.last_error, sa.func.count())
            .where(Outbox.broadcast_id == broadcast_id)
            .group_by(Outbox.state, Outbox.last_error)
        ):
            if state == OutboxState.SENT:
                counts["delivered"] += count
            elif state in (OutboxState.PENDING, OutboxState.HELD):
                counts["pending"] += count
            elif error in (BLOCKED, STOPPED):
                counts["blocked"] += count
            else:
                counts["failed"] += count
        return Tally(
            total=broadcast.total,
            delivered=counts["delivered"],
            blocked=counts["blocked"],
            failed=counts["failed"],
            pending=counts["pending"],
            progress_chat_id=broadcast.progress_chat_id,
            progress_message_id=broadcast.progress_message_id,
            finished=broadcast.finished_at is not None,
            progress_language=session.exec(
                select(Chat.language).where(Chat.id == broadcast.progress_chat_id)
            ).first(),
        )


def finish_broadcast(db: Database, broadcast_id: int, *, now: datetime | None = None) -> bool:
    """Mark a broadcast finished once nothing is pending; True the first time only."""
    with db.session() as session:
        broadcast = session.get(Broadcast, broadcast_id)
        if broadcast is None or broadcast.finished_at is not None:
            return False
        pending = session.exec(
            select(sa.func.count())
            .select_from(Outbox)
            .where(Outbox.broadcast_id == broadcast_id)
            .where(Outbox.state == OutboxState.PENDING)
        ).one()
        if pending:
            return False
        broadcast.finished_at = now or utcnow()
        return True
