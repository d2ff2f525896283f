"""Members, chats and roles: who is talking to the bot, and what they may do."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.db import Database
from storage.models import (
    Chat,
    ChatState,
    ChatType,
    Member,
    Role,
    RoleGrant,
    WorkingGroup,
    utcnow,
)

# last_seen_at is for "who is active", not an audit trail: refreshing it on every
# update would turn every read-only command into a write.
SEEN_REFRESH = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class ChatInfo:
    id: int
    type: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: int
    display_name: str
    username: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class ChatDefaults:
    """What a new chat starts with, from the configuration."""

    timezone: str = "UTC"
    digest_frequency: str = "weekly"
    digest_weekday: int = 0
    digest_hour: int = 9


@dataclass(frozen=True, slots=True)
class Visitor:
    """What a handler needs to know about the sender of an update."""

    user_id: int | None
    chat_id: int | None
    role: Role
    language: str
    chat_type: str
    is_new_member: bool = False
    was_blocked: bool = False
    # Countries the member leads: granted directly, or followed by a working
    # group they lead (working-group leads verify their group's countries).
    lead_countries: frozenset[str] = frozenset()
    lead_groups: frozenset[int] = frozenset()  # working groups the member leads
    # The chat's state after this visit (a blocked chat that writes is active again);
    # None without a chat. Saves handlers a second read of the chat row.
    chat_state: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_lead(self) -> bool:
        return self.role in (Role.LEAD, Role.ADMIN)


def _leads(conn: sa.Connection, user_id: int) -> tuple[frozenset[str], frozenset[int]]:
    """(countries, working groups) the member leads; a group's countries count as led."""
    rows = conn.execute(
        select(RoleGrant.country_code, RoleGrant.working_group_id).where(
            RoleGrant.member_id == user_id, RoleGrant.role == Role.LEAD
        )
    ).all()
    countries = {code for code, _group in rows if code}
    groups = frozenset(group for _code, group in rows if group is not None)
    if groups:
        for followed in conn.execute(
            select(WorkingGroup.countries).where(col(WorkingGroup.id).in_(groups))
        ).scalars():
            countries.update(code for code in followed or () if code)
    return frozenset(countries), groups


def _stale(seen: datetime, now: datetime) -> bool:
    return now - seen >= SEEN_REFRESH


_M = Member.__table__.c  # type: ignore[attr-defined]
_C = Chat.__table__.c  # type: ignore[attr-defined]
# A lead grant; a government contact's grant makes no lead (storage/government.py).
_ANY_GRANT = (
    select(RoleGrant.id)
    .where(RoleGrant.member_id == sa.bindparam("uid"))
    .where(RoleGrant.role == Role.LEAD)
    .exists()
)
_MEMBER_ROW = sa.select(
    _M.display_name, _M.username, _M.language, _M.last_seen_at, _ANY_GRANT.label("lead")
).where(_M.id == sa.bindparam("uid"))
_CHAT_ROW = sa.select(_C.title, _C.state, _C.language, _C.last_seen_at).where(
    _C.id == sa.bindparam("cid")
)


def bot_is_back(db: Database, chat_id: int) -> bool:
    """The bot was added back to a group, or unblocked by its user: active again.

    (Its removal is ``outbox.chat_blocked``.) A stopped chat stays stopped.
    """
    with db.session() as session:
        chat = session.get(Chat, chat_id)
        if chat is None or chat.state != ChatState.BLOCKED:
            return False
        chat.state = ChatState.ACTIVE
        return True


def record_visit(
    db: Database,
    chat: ChatInfo | None,
    user: UserInfo | None,
    *,
    admins: Collection[int],
    default_language: str = "en",
    defaults: ChatDefaults | None = None,
    now: datetime | None = None,
) -> Visitor:
    """Remember the chat and the member behind an update, and say who they are.

    A chat that had blocked the bot and writes again is active again: that is
    the only way out of the blocked state.

    It runs before every handler, and nearly every update comes from a known member
    in a known chat with nothing to write: indexed reads on one connection, with no
    ORM objects and no transaction. Only someone new, a changed name, a stale
    last-seen or a blocked chat opens a session to write.
    """
    now = now or utcnow()
    user_id = user.id if user else None
    with db.engine.connect() as conn:
        member = conn.execute(_MEMBER_ROW, {"uid": user_id}).first() if user else None
        row = conn.execute(_CHAT_ROW, {"cid": chat.id}).first() if chat else None
        # Without a chat (an inline query), what they chose in their private chat.
        private = (
            conn.execute(_CHAT_ROW, {"cid": user_id}).first() if chat is None and user else None
        )
        # A grant needs the member's row (a foreign key): someone new leads nothing.
        if user_id is not None and user_id in admins:
            role = Role.ADMIN
        else:
            role = Role.LEAD if member is not None and member.lead else Role.MEMBER
        leads, groups = (
            _leads(conn, user_id) if role is Role.LEAD and user_id else (frozenset(), frozenset())
        )
    member_language = (
        member.language if member else (user.language or default_language) if user else None
    )
    language = (
        row.language
        if row is not None
        else private.language
        if private is not None
        else member_language or default_language
    )
    chat_state = row.state if row is not None else None
    if (user and _member_due(member, user, now)) or (chat and _chat_due(row, chat, now)):
        with db.session() as session:
            if user is not None:
                _save_member(session, user, member_language or default_language, now)
            if chat is not None:
                if row is None:
                    language = (
                        member_language
                        if member_language and chat.type == ChatType.PRIVATE
                        else default_language
                    )
                chat_state = _save_chat(session, chat, language, defaults, now)
    return Visitor(
        user_id=user_id,
        chat_id=chat.id if chat else None,
        role=role,
        language=language,
        chat_type=chat.type if chat else ChatType.PRIVATE,
        is_new_member=user is not None and member is None,
        was_blocked=row is not None and row.state == ChatState.BLOCKED,
        lead_countries=leads,
        lead_groups=groups,
        chat_state=chat_state,
    )


def _member_due(member: sa.Row | None, user: UserInfo, now: datetime) -> bool:
    return (
        member is None
        or member.display_name != user.display_name
        or member.username != user.username
        or _stale(member.last_seen_at, now)
    )


def _chat_due(row: sa.Row | None, chat: ChatInfo, now: datetime) -> bool:
    return (
        row is None
        or row.state == ChatState.BLOCKED
        or row.title != chat.title
        or _stale(row.last_seen_at, now)
    )


def _save_member(session: Session, user: UserInfo, language: str, now: datetime) -> None:
    member = session.get(Member, user.id)
    if member is None:
        member = Member(id=user.id, language=language, created_at=now)
        session.add(member)
    elif (
        member.display_name == user.display_name
        and member.username == user.username
        and not _stale(member.last_seen_at, now)
    ):
        return
    member.display_name = user.display_name
    member.username = user.username
    member.last_seen_at = now


def _save_chat(
    session: Session,
    chat: ChatInfo,
    language: str,
    defaults: ChatDefaults | None,
    now: datetime,
) -> str:
    """Create or refresh the chat's row; its state after the visit."""
    row = session.get(Chat, chat.id)
    if row is None:
        row = Chat(
            id=chat.id,
            type=chat.type,
            title=chat.title,
            language=language,
            created_at=now,
            last_seen_at=now,
        )
        if defaults is not None:
            row.timezone = defaults.timezone
            row.digest_frequency = defaults.digest_frequency
            row.digest_weekday = defaults.digest_weekday
            row.digest_hour = defaults.digest_hour
        session.add(row)
        return row.state
    if row.state == ChatState.BLOCKED:
        row.state = ChatState.ACTIVE
    if row.title != chat.title or _stale(row.last_seen_at, now):
        row.title = chat.title
        row.last_seen_at = now
    return row.state


@dataclass(frozen=True, slots=True)
class KnownChat:
    id: int
    type: str
    title: str
    language: str
    username: str | None


def known_chats(db: Database) -> list[KnownChat]:
    """Every chat the bot knows, with its member's name for a private chat: what an
    offline Telegram (the console's emulator) must know to deliver notices."""
    with db.session() as session:
        rows = session.exec(
            select(
                Chat.id, Chat.type, Chat.title, Chat.language, Member.display_name, Member.username
            ).join(Member, col(Member.id) == col(Chat.id), isouter=True)
        ).all()
    return [
        KnownChat(id, kind, name or title or str(id), language, username)
        for id, kind, title, language, name, username in rows
    ]
