"""How the bot is doing, read from the database: for `ogp-bot status` and /healthz.

Everything here comes from tables, so it can be asked from another process (a
coordinator's shell, a monitoring probe) without talking to the running bot.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from storage.db import Database, conflict_insert
from storage.models import HealthCount, InboxState, InboxUpdate, OutboxState, utcnow
from storage.models import Outbox as OutboxRow

THROTTLED = "throttled"  # Telegram answered 429
BLOCKED = "blocked"  # a chat blocked or removed the bot
DELIVERED = "delivered"
FAILED = "failed"

_counts = HealthCount.__table__  # type: ignore[attr-defined]
_inbox = InboxUpdate.__table__  # type: ignore[attr-defined]
_outbox = OutboxRow.__table__  # type: ignore[attr-defined]


def count(db: Database, counts: dict[str, int], *, now: datetime | None = None) -> None:
    """Add each of ``counts`` to today's total of that name."""
    if any(n > 0 for n in counts.values()):
        with db.engine.begin() as conn:
            count_in(conn, counts, now=now)


def count_in(
    conn: sa.Connection | Session, counts: dict[str, int], *, now: datetime | None = None
) -> None:
    """The same inside the caller's transaction (one upsert a name)."""
    day = (now or utcnow()).date()
    bind = conn.get_bind() if isinstance(conn, Session) else conn
    dialect_insert = conflict_insert(bind.dialect.name)
    for name, n in counts.items():
        if n <= 0:
            continue
        insert = dialect_insert(_counts).values(day=day, name=name, count=n)
        conn.execute(
            insert.on_conflict_do_update(
                index_elements=["day", "name"],
                set_={"count": _counts.c.count + insert.excluded.count},
            )
        )


@dataclass(frozen=True)
class Health:
    last_update_at: datetime | None
    inbox_backlog: int
    set_aside: int
    outbox_backlog: int
    throttled_last_day: int
    blocked_last_day: int
    delivered_last_day: int
    failed_last_day: int

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        if self.last_update_at is not None:
            data["last_update_at"] = self.last_update_at.isoformat()
        return data


def _last_day(conn: sa.Connection, today: date) -> dict[str, int]:
    rows = conn.execute(
        sa.select(_counts.c.name, sa.func.sum(_counts.c.count))
        .where(_counts.c.day >= today - timedelta(days=1))
        .group_by(_counts.c.name)
    ).all()
    return {name: int(total or 0) for name, total in rows}


def health(db: Database, *, now: datetime | None = None) -> Health:
    """Backlogs now, and the last day's events (today and yesterday, by UTC date)."""
    now = now or utcnow()
    with db.engine.connect() as conn:
        last = conn.execute(sa.select(sa.func.max(_inbox.c.finished_at))).scalar()
        by_state = dict(
            conn.execute(sa.select(_inbox.c.state, sa.func.count()).group_by(_inbox.c.state)).all()
        )
        outbox = conn.execute(
            sa.select(sa.func.count()).where(_outbox.c.state == OutboxState.PENDING)
        ).scalar_one()
        events = _last_day(conn, now.date())
    return Health(
        last_update_at=last.replace(tzinfo=now.tzinfo) if last and last.tzinfo is None else last,
        inbox_backlog=int(by_state.get(InboxState.PENDING, 0)),
        set_aside=int(by_state.get(InboxState.SET_ASIDE, 0)),
        outbox_backlog=int(outbox),
        throttled_last_day=events.get(THROTTLED, 0),
        blocked_last_day=events.get(BLOCKED, 0),
        delivered_last_day=events.get(DELIVERED, 0),
        failed_last_day=events.get(FAILED, 0),
    )
