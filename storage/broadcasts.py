"""Broadcasts: a lead's message to every chat of an audience, through the outbox.

Audiences: the followers of a country (leads of that country, admins), the
chats of a working group (its leads, admins), everyone (admins). Blocked and
stopped chats are left out when the rows are written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage import outbox
from storage.audit import audit
from storage.conversations import set_state
from storage.db import Database
from storage.models import (
    Broadcast,
    Chat,
    ChatState,
    ConversationState,
    Country,
    Role,
    RoleGrant,
    Subscription,
    WorkingGroup,
    WorkingGroupChat,
    utcnow,
)
from storage.people import Visitor

EVERYONE = "all"


@dataclass(frozen=True, slots=True)
class Audience:
    key: str  # country:KEN | group:3 | all
    label: str
    chats: int


def _lead_groups(session: Session, user_id: int | None) -> set[int]:
    if user_id is None:
        return set()
    return {
        group_id
        for group_id in session.exec(
            select(RoleGrant.working_group_id)
            .where(RoleGrant.member_id == user_id)
            .where(RoleGrant.role == Role.LEAD)
        )
        if group_id is not None
    }


def _chats_query(key: str):
    """(chat id, language) of the audience's active chats; None for an unknown key."""
    active = Chat.state == ChatState.ACTIVE
    if key == EVERYONE:
        return select(Chat.id, Chat.language).where(active)
    kind, _, ref = key.partition(":")
    if kind == "country":
        return (
            select(Chat.id, Chat.language)
            .join(Subscription, col(Subscription.chat_id) == col(Chat.id))
            .where(Subscription.country_code == ref)
            .where(active)
        )
    if kind == "group" and ref.isdigit():
        return (
            select(Chat.id, Chat.language)
            .join(WorkingGroupChat, col(WorkingGroupChat.chat_id) == col(Chat.id))
            .where(WorkingGroupChat.working_group_id == int(ref))
            .where(active)
        )
    return None


def may_broadcast(session: Session, visitor: Visitor, key: str) -> bool:
    if visitor.is_admin:
        return _chats_query(key) is not None
    kind, _, ref = key.partition(":")
    if kind == "country":
        return ref in visitor.lead_countries
    if kind == "group" and ref.isdigit():
        return int(ref) in _lead_groups(session, visitor.user_id)
    return False


def _count(session: Session, key: str) -> int:
    query = _chats_query(key)
    return session.exec(select(sa.func.count()).select_from(query.subquery())).one()


def may_start(db: Database, visitor: Visitor) -> bool:
    """/broadcast is for leads and admins; a refusal is audited."""
    if visitor.is_lead:
        return True
    with db.session() as session:
        audit(session, visitor.user_id, "broadcast.start", allowed=False, detail="not a lead")
    return False


def audiences(db: Database, visitor: Visitor) -> list[Audience]:
    """The audiences this person may reach, with how many chats each has now."""
    with db.session() as session:
        keys: list[tuple[str, str]] = []
        if visitor.is_admin:
            countries = session.exec(
                select(Country).join(Subscription).distinct().order_by(Country.name)
            ).all()
            groups = session.exec(select(WorkingGroup).order_by(WorkingGroup.name)).all()
        else:
            countries = session.exec(
                select(Country)
                .where(col(Country.code).in_(visitor.lead_countries))
                .order_by(Country.name)
            ).all()
            group_ids = _lead_groups(session, visitor.user_id)
            groups = session.exec(
                select(WorkingGroup).where(col(WorkingGroup.id).in_(group_ids))
            ).all()
        keys += [(f"country:{c.code}", c.name) for c in countries]
        keys += [(f"group:{g.id}", g.name) for g in groups]
        if visitor.is_admin:
            keys.append((EVERYONE, ""))
        return [Audience(key, label, _count(session, key)) for key, label in keys]


def audience(db: Database, visitor: Visitor, key: str) -> Audience | None:
    """One audience, if this person may use it (the key came from a button: re-check)."""
    with db.session() as session:
        if not may_broadcast(session, visitor, key):
            audit(session, visitor.user_id, "broadcast.audience", target=key, allowed=False)
            return None
        kind, _, ref = key.partition(":")
        label = ""
        if kind == "country":
            country = session.get(Country, ref)
            label = country.name if country else ref
        elif kind == "group":
            group = session.get(WorkingGroup, int(ref))
            label = group.name if group else ref
        return Audience(key, label, _count(session, key))


def create_broadcast(
    db: Database,
    visitor: Visitor,
    key: str,
    parts_for: Callable[[str], list[tuple[str, dict | None]]],
    *,
    progress_chat_id: int | None = None,
    kind: str = "broadcast",
    ends: tuple[int, int] | None = None,
    now: datetime | None = None,
) -> tuple[int, int] | None:
    """Queue a message (one or more parts) for every chat of the audience.

    ``parts_for(language)`` gives the parts in a chat's language (the caller
    renders; storage knows no texts); it is called once per distinct language.
    ``ends`` names the /broadcast conversation (chat, user) this closes: its
    state goes in the same transaction, so a crash right after cannot leave it
    open at "Send" and the broadcast be sent twice.
    Returns (broadcast id, number of chats), or None when not allowed (audited).
    """
    now = now or utcnow()
    with db.session() as session:
        if ends is not None:
            set_state(session, CONVERSATION, *ends, None)
        if not may_broadcast(session, visitor, key):
            audit(session, visitor.user_id, "broadcast.send", target=key, allowed=False)
            return None
        chats = list(session.exec(_chats_query(key)))
        chat_ids = [chat_id for chat_id, _language in chats]
        # Rendered before the first write: SQLite's write lock is held from there
        # to the commit, and rendering a digest in several languages takes a while.
        languages = {visitor.language, *(language for _chat_id, language in chats)}
        rendered = {language: parts_for(language) for language in languages}
        first = rendered[visitor.language]
        broadcast = Broadcast(
            actor_id=visitor.user_id,
            audience=key,
            text=first[0][0] if first else "",
            total=len(chat_ids),
            progress_chat_id=progress_chat_id,
            created_at=now,
        )
        session.add(broadcast)
        session.flush()
        for chat_id, language in chats:
            for index, (text, markup) in enumerate(rendered[language]):
                outbox.enqueue(
                    session,
                    chat_id,
                    text,
                    reply_markup=markup,
                    kind=kind,
                    broadcast_id=broadcast.id,
                    dedup_key=f"broadcast:{broadcast.id}:{chat_id}:{index}",
                    now=now,
                )
        audit(
            session,
            visitor.user_id,
            "broadcast.send",
            target=key,
            detail=f"broadcast {broadcast.id} to {len(chat_ids)} chats",
        )
        return broadcast.id, len(chat_ids)


def set_progress_message(db: Database, broadcast_id: int, message_id: int) -> None:
    with db.session() as session:
        session.get(Broadcast, broadcast_id).progress_message_id = message_id


# The /broadcast conversation keeps its choices with its state (see conversations).
CONVERSATION = "broadcast"


def save_step(
    db: Database, chat_id: int, user_id: int, state: str | None, data: dict | None = None
) -> None:
    with db.session() as session:
        set_state(session, CONVERSATION, chat_id, user_id, state, data=data)


def step_data(db: Database, chat_id: int, user_id: int) -> dict:
    with db.session() as session:
        row = session.get(ConversationState, (CONVERSATION, chat_id, user_id))
        return dict(row.data) if row else {}
