"""A chat's settings: its digest schedule, reminders, language and time zone.

The slot arithmetic (zones, next digest time) is storage/schedule.py; who may
change a chat's settings is storage/permissions.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from babel.core import get_global
from sqlmodel import Session, col, select

from storage.db import Database
from storage.models import Chat, ChatState, ChatType, Country, Member, Subscription, utcnow
from storage.schedule import is_valid_zone, reschedule

FREQUENCIES = ("off", "daily", "weekly")


@dataclass(frozen=True, slots=True)
class DigestSettings:
    frequency: str
    weekday: int
    hour: int
    timezone: str
    when_empty: bool
    reminders: bool
    reminder_days: int
    language: str
    next_digest_at: datetime | None
    state: str = ChatState.ACTIVE
    # A private chat's member: their reports are anonymous unless they say otherwise
    # (None in a group, where there is no one member to ask).
    anonymous: bool | None = None
    plan_reminders: bool = False
    # Named on the public site (#15); None outside a private chat.
    public_name: bool | None = None


def settings_of(chat: Chat, member: Member | None = None) -> DigestSettings:
    return DigestSettings(
        frequency=chat.digest_frequency,
        weekday=chat.digest_weekday,
        hour=chat.digest_hour,
        timezone=chat.timezone,
        when_empty=chat.digest_when_empty,
        reminders=chat.reminders,
        reminder_days=chat.reminder_days,
        language=chat.language,
        next_digest_at=chat.next_digest_at,
        state=chat.state,
        anonymous=member.report_anonymously if member is not None else None,
        plan_reminders=chat.plan_reminders,
        public_name=member.public_name if member is not None else None,
    )


def get_settings(db: Database, chat_id: int) -> DigestSettings | None:
    with db.session() as session:
        chat = session.get(Chat, chat_id)
        return settings_of(chat, _member(session, chat)) if chat else None


def _member(session: Session, chat: Chat) -> Member | None:
    """The person a private chat is with (their chat id is their user id)."""
    return session.get(Member, chat.id) if chat.type == ChatType.PRIVATE else None


def update_settings(
    db: Database, chat_id: int, *, now: datetime | None = None, **changes: object
) -> DigestSettings | None:
    """Change a chat's schedule or preferences and recompute its next digest."""
    now = now or utcnow()
    names = {
        "frequency": "digest_frequency",
        "weekday": "digest_weekday",
        "hour": "digest_hour",
        "timezone": "timezone",
        "when_empty": "digest_when_empty",
        "reminders": "reminders",
        "reminder_days": "reminder_days",
        "plan_reminders": "plan_reminders",
        "language": "language",
    }
    with db.session() as session:
        chat = session.get(Chat, chat_id)
        if chat is None:
            return None
        member = _member(session, chat)
        for key, value in changes.items():
            if key == "anonymous":
                if member is not None:
                    member.report_anonymously = bool(value)
                continue
            if key == "public_name":
                if member is not None:
                    member.public_name = bool(value)
                continue
            setattr(chat, names[key], value)
        reschedule(chat, now)
        return settings_of(chat, member)


def stop_chat(db: Database, chat_id: int) -> bool:
    """/stop: no scheduled message reaches this chat until it asks again."""
    with db.session() as session:
        chat = session.get(Chat, chat_id)
        if chat is None:
            return False
        chat.state = ChatState.STOPPED
        return True


def resume_chat(db: Database, chat_id: int, *, now: datetime | None = None) -> bool:
    with db.session() as session:
        chat = session.get(Chat, chat_id)
        if chat is None or chat.state != ChatState.STOPPED:
            return False
        chat.state = ChatState.ACTIVE
        reschedule(chat, now or utcnow())
        return True


# Where a country spans several zones, the ones most people there live in.
MAIN_ZONES = {
    "AR": ["America/Argentina/Buenos_Aires"],
    "AU": ["Australia/Sydney", "Australia/Perth"],
    "BR": ["America/Sao_Paulo", "America/Manaus"],
    "CA": ["America/Toronto", "America/Vancouver"],
    "CL": ["America/Santiago"],
    "DE": ["Europe/Berlin"],
    "EC": ["America/Guayaquil"],
    "ES": ["Europe/Madrid", "Atlantic/Canary"],
    "FR": ["Europe/Paris"],
    "GB": ["Europe/London"],
    "ID": ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"],
    "MN": ["Asia/Ulaanbaatar"],
    "MX": ["America/Mexico_City"],
    "NZ": ["Pacific/Auckland"],
    "PG": ["Pacific/Port_Moresby"],
    "PT": ["Europe/Lisbon"],
    "UA": ["Europe/Kyiv"],
    "US": ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"],
}


def zones_for(db: Database, chat_id: int, *, extra: str = "UTC", limit: int = 8) -> list[str]:
    """Time zones to offer as buttons: those of the countries the chat follows."""
    territory_zones = get_global("territory_zones")
    with db.session() as session:
        rows = session.exec(
            select(Country.iso2, Country.parent)
            .join(Subscription, col(Subscription.country_code) == col(Country.code))
            .where(Subscription.chat_id == chat_id)
        ).all()
        parents = {p for iso2, p in rows if not iso2 and p}
        parent_iso = dict(
            session.exec(
                select(Country.code, Country.iso2).where(col(Country.code).in_(parents))
            ).all()
        )
    zones: list[str] = []
    for iso2, parent in rows:
        iso2 = iso2 or parent_iso.get(parent or "", "")
        for name in MAIN_ZONES.get(iso2, territory_zones.get(iso2, [])[:2]):
            if name not in zones and is_valid_zone(name):
                zones.append(name)
    if extra not in zones:
        zones.append(extra)
    return zones[:limit]
