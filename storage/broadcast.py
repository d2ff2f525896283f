"""Broadcasts: a lead's message to every chat of an audience, through the outbox.

Audiences: the followers of a country (leads of that country, admins), the
chats of a working group (its leads, admins), everyone (admins). Blocked and
stopped chats are left out when the rows are written.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

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
    Outbox,
    OutboxState,
    Subscription,
    WorkingGroup,
    WorkingGroupChat,
    utcnow,
)
from storage.people import Visitor
from storage.permissions import EVERYONE, authorize, groups_led, may_broadcast

Part = tuple[str, dict | None]  # a message part: its text and reply markup as a dict


@dataclass(frozen=True, slots=True)
class Audience:
    key: str  # country:KEN | group:3 | all
    label: str
    chats: int


def _chats_query(key: str):
    """(chat id, language, forum topic) of the audience's active chats; None for an
    unknown key. A country's followers are its following topics (0: a whole chat),
    so a forum gets the message in each topic that follows the country."""
    active = Chat.state == ChatState.ACTIVE
    whole_chat = sa.literal(0).label("thread_id")
    if key == EVERYONE:
        return select(Chat.id, Chat.language, whole_chat).where(active)
    kind, _, ref = key.partition(":")
    if kind == "country":
        return (
            select(Chat.id, Chat.language, col(Subscription.thread_id))
            .join(Subscription, col(Subscription.chat_id) == col(Chat.id))
            .where(Subscription.country_code == ref)
            .where(active)
        )
    if kind == "group" and ref.isdigit():
        return (
            select(Chat.id, Chat.language, whole_chat)
            .join(WorkingGroupChat, col(WorkingGroupChat.chat_id) == col(Chat.id))
            .where(WorkingGroupChat.working_group_id == int(ref))
            .where(active)
        )
    return None


def _count(session: Session, key: str) -> int:
    query = _chats_query(key)
    return session.exec(select(sa.func.count()).select_from(query.subquery())).one()


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
            group_ids = groups_led(session, visitor.user_id)
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
        if authorize(
            session, visitor, "broadcast.audience", may_broadcast(session, visitor, key), target=key
        ):
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


def audience_languages(db: Database, visitor: Visitor, key: str) -> set[str]:
    """The languages to render a broadcast in: the sender's and its audience's chats'."""
    query = _chats_query(key)
    if query is None:
        return {visitor.language}
    with db.session() as session:
        languages = query.with_only_columns(col(Chat.language)).distinct()
        found = session.execute(languages).scalars().all()
    return {visitor.language, *found}


def create_broadcast(
    db: Database,
    visitor: Visitor,
    key: str,
    rendered: Mapping[str, list[Part]],
    *,
    progress_chat_id: int | None = None,
    kind: str = "broadcast",
    ends: tuple[int, int] | None = None,
    now: datetime | None = None,
) -> tuple[int, int] | None:
    """Queue a message (one or more parts) for every chat of the audience.

    Slow for a large audience: call it in a worker thread, never on the event loop.
    ``rendered`` holds the parts (text, reply markup) in each language of
    :func:`audience_languages`, rendered by the bot: storage knows no texts. A chat
    in a language not rendered (it arrived since) gets the sender's.

    Rows go in ``CHUNK`` chats per transaction, so no transaction holds SQLite's
    write lock for long while handlers wait to write. They are written HELD and
    released by one UPDATE in the transaction that closes the ``ends``
    conversation (chat, user): until then nothing is sent and "Send" stays
    pressable. The broadcast's id is kept in that conversation, so pressing Send
    again after a crash resumes the same broadcast, and its dedup keys make sure
    no chat gets it twice.
    Returns (broadcast id, number of chats), or None when not allowed (audited).
    """
    now = now or utcnow()
    with db.session() as session:
        allowed = may_broadcast(session, visitor, key)
        if not allowed and ends is not None:
            set_state(session, CONVERSATION, *ends, None)
        if authorize(session, visitor, "broadcast.send", allowed, target=key):
            return None
        chats = session.exec(_chats_query(key).order_by(col(Chat.id))).all()
    first = rendered.get(visitor.language) or next(iter(rendered.values()), [])
    fresh = Broadcast(
        actor_id=visitor.user_id,
        audience=key,
        text=first[0][0] if first else "",
        total=len(chats),
        progress_chat_id=progress_chat_id,
        created_at=now,
    )
    broadcast_id = _begin(db, fresh, ends)
    chat_ids = list(dict.fromkeys(chat_id for chat_id, _language, _topic in chats))
    for start in range(0, len(chat_ids), CHUNK):
        chunk = chat_ids[start : start + CHUNK]
        with db.session() as session:
            ids = (chunk[0], chunk[-1])
            _queue(session, broadcast_id, key, ids, rendered, visitor.language, kind, now)
    with db.session() as session:
        total = _release(session, broadcast_id)
        if ends is not None:
            set_state(session, CONVERSATION, *ends, None)
        audit(
            session,
            visitor.user_id,
            "broadcast.send",
            target=key,
            detail=f"broadcast {broadcast_id} to {total} chats",
        )
    return broadcast_id, total


CHUNK = 1_000  # chats per transaction while a broadcast is queued
COLUMNS = ["chat_id", "thread_id", "text", "reply_markup", "kind", "dedup_key", "broadcast_id"]
COLUMNS += ["state", "attempts", "not_before", "last_error", "created_at"]


def _begin(db: Database, fresh: Broadcast, ends: tuple[int, int] | None) -> int:
    """The broadcast a crash left half queued for this conversation, else ``fresh``."""
    with db.session() as session:
        state = session.get(ConversationState, (CONVERSATION, *ends)) if ends else None
        earlier_id = (state.data or {}).get("broadcast_id") if state else None
        earlier = session.get(Broadcast, earlier_id) if earlier_id else None
        if earlier and (earlier.audience, earlier.actor_id) == (fresh.audience, fresh.actor_id):
            return earlier.id
        session.add(fresh)
        session.flush()
        if state is not None:
            state.data = {**(state.data or {}), "broadcast_id": fresh.id}
        # Rows a crash left held and nobody resumed within a day: only clutter, as
        # pressing that Send again would write them anew.
        session.exec(
            sa.delete(Outbox)
            .where(col(Outbox.state) == OutboxState.HELD)
            .where(col(Outbox.created_at) < fresh.created_at - ABANDONED_AFTER)
        )
        return fresh.id


ABANDONED_AFTER = timedelta(days=1)


def _queue(
    session: Session,
    broadcast_id: int,
    key: str,
    ids: tuple[int, int],
    rendered: Mapping[str, list[Part]],
    fallback: str,
    kind: str,
    now: datetime,
) -> None:
    """INSERT … SELECT the rows of the audience's chats with ids in ``ids`` (inclusive).

    One statement per part and per set of languages sharing a text (a lead's own
    words: one for all). Chats whose language was not rendered (they arrived
    since) get the ``fallback`` language's, the sender's.
    """
    by_text: dict[str, list[str]] = defaultdict(list)
    for language, parts in rendered.items():
        by_text[json.dumps(parts, sort_keys=True)].append(language)
    table = Outbox.__table__.c  # type: ignore[attr-defined]
    audience = _chats_query(key).where(col(Chat.id).between(*ids))
    thread = audience.selected_columns.thread_id
    # A whole chat's key stays as it was; a topic's names the topic too.
    topic = sa.case((thread == 0, ""), else_=sa.literal("/") + sa.cast(thread, sa.String))
    others: list[str] = []
    for languages in sorted(by_text.values(), key=lambda group: fallback in group):
        if fallback in languages:  # last: everyone not served yet
            chats = audience.where(col(Chat.language).not_in(others))
        else:
            chats = audience.where(col(Chat.language).in_(languages))
            others += languages
        for index, (text, markup) in enumerate(rendered[languages[0]]):
            dedup = sa.literal(f"broadcast:{broadcast_id}:") + sa.cast(Chat.id, sa.String) + topic
            rows = chats.with_only_columns(
                col(Chat.id),
                thread,
                sa.literal(text, table.text.type),
                sa.literal(markup, table.reply_markup.type) if markup else sa.null(),
                sa.literal(kind, table.kind.type),
                dedup + sa.literal(f":{index}"),
                sa.literal(broadcast_id, table.broadcast_id.type),
                sa.literal(OutboxState.HELD.value, table.state.type),
                sa.literal(0, table.attempts.type),
                sa.literal(now, table.not_before.type),
                sa.literal("", table.last_error.type),
                sa.literal(now, table.created_at.type),
            )
            session.execute(outbox.insert_ignoring_duplicates(session).from_select(COLUMNS, rows))


def _release(session: Session, broadcast_id: int) -> int:
    """Make every row of the broadcast sendable at once; returns its number of
    destinations (chats, and forum topics apart)."""
    session.exec(
        sa.update(Outbox)
        .where(col(Outbox.broadcast_id) == broadcast_id)
        .where(col(Outbox.state) == OutboxState.HELD)
        .values(state=OutboxState.PENDING)
    )
    broadcast = session.get(Broadcast, broadcast_id)
    destinations = (
        select(Outbox.chat_id, Outbox.thread_id)
        .where(Outbox.broadcast_id == broadcast_id)
        .distinct()
        .subquery()
    )
    broadcast.total = session.exec(select(sa.func.count()).select_from(destinations)).one()
    return broadcast.total


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
