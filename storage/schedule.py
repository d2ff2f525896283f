"""Digest schedules as data: each chat's next digest time lives in its row.

A chat's slots are its own local hour (daily) or weekday and hour (weekly) in
its own time zone. After downtime the next slot is computed from *now*, so a
missed digest is sent once, never once per missed period. Only arithmetic on
zones and slots lives here, so any feature may import it without a cycle.
"""

from __future__ import annotations

import functools
import zoneinfo
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import col, select

from storage.db import Database
from storage.models import Chat, ChatState


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a path
        return ZoneInfo("UTC")


def is_valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a path
        return False
    return "/" in name or name == "UTC"


@functools.cache
def _zones_by_key() -> dict[str, list[str]]:
    """IANA zones by what people type for them: the whole name or its city, any case,
    spaces for underscores ("nairobi", "new york", "america/lima")."""
    keys: dict[str, list[str]] = {}
    for name in sorted(zoneinfo.available_timezones()):
        if not is_valid_zone(name) or name.startswith(("Etc/", "SystemV/")):
            continue
        for key in {name, name.rsplit("/", 1)[-1]}:
            keys.setdefault(key.replace("_", " ").casefold(), []).append(name)
    return keys


def find_zone(text: str) -> str | None:
    """The IANA zone ``text`` names, typed loosely; None when it names none. A city
    under two names (America/Buenos_Aires, America/Argentina/Buenos_Aires) is one place."""
    text = " ".join(text.split())
    if is_valid_zone(text):
        return text
    found = _zones_by_key().get(text.replace("_", " ").casefold(), [])
    return found[0] if found else None


def next_slot(
    frequency: str, weekday: int, hour: int, timezone: str, after: datetime
) -> datetime | None:
    """The first digest time strictly after ``after`` (UTC), or None when off."""
    if frequency not in ("daily", "weekly"):
        return None
    tz = zone(timezone)
    local = after.astimezone(tz)
    candidate = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    for _ in range(9):
        if candidate > local and (frequency == "daily" or candidate.weekday() == weekday):
            # Round-trip through UTC: a wall time skipped by DST lands on a real instant.
            return candidate.astimezone(ZoneInfo("UTC"))
        candidate = (candidate + timedelta(days=1)).replace(hour=hour)
    raise AssertionError("unreachable: a weekday recurs within 8 days")


def reschedule(chat: Chat, now: datetime) -> None:
    chat.next_digest_at = next_slot(
        chat.digest_frequency, chat.digest_weekday, chat.digest_hour, chat.timezone, now
    )


def due_chats(db: Database, now: datetime, *, limit: int = 10_000) -> list[int]:
    """Chats whose digest time has come (active ones only)."""
    with db.session() as session:
        return list(
            session.exec(
                select(Chat.id)
                .where(col(Chat.next_digest_at) <= now)
                .where(Chat.state == ChatState.ACTIVE)
                .where(Chat.digest_frequency != "off")
                .order_by(col(Chat.next_digest_at))
                .limit(limit)
            )
        )
