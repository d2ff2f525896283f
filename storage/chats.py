"""A chat that changes its id: a group upgraded to a supergroup.

Telegram gives the supergroup a new id and the old one stops working. Every row
keyed by the old id moves to the new one in one transaction, so the group keeps
what it follows, its settings, its working-group links, its open conversations
and the messages queued for it. Either of Telegram's two signals may come first
(the service message, or a send answered ``ChatMigrated``), and both come: the
move is idempotent.

Both chats may have a row when the move happens: the supergroup's, if someone
wrote there before the upgrade was known; the old group's, if an update written
before the upgrade was handled after the move. The row that existed first holds
what the group chose; the other was created since with the defaults.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import SQLModel

from storage.db import Database
from storage.models import (
    Broadcast,
    Chat,
    ChatType,
    ConversationState,
    Outbox,
    ReportDraft,
    SavedSearch,
    SentPlanReminder,
    SentReminder,
    Subscription,
    WorkingGroupChat,
)

# Every column holding a chat id, with the other columns of its table's key: a row
# the new chat already has wins over the old chat's copy of it.
CHAT_COLUMNS: tuple[tuple[type[SQLModel], str, tuple[str, ...]], ...] = (
    (Subscription, "chat_id", ("country_code", "thread_id")),
    (WorkingGroupChat, "chat_id", ("working_group_id",)),
    (ConversationState, "chat_id", ("name", "user_id")),
    (SentReminder, "chat_id", ("commitment_id", "event")),
    (SentPlanReminder, "chat_id", ("plan_id", "event")),
    (SavedSearch, "chat_id", ()),
    (Outbox, "chat_id", ()),
    (ReportDraft, "chat_id", ()),
    (Broadcast, "progress_chat_id", ()),
)

# What the group chose; the rest of the row (id, type, title, dates) is the new chat's.
_SETTINGS = (
    "language",
    "timezone",
    "state",
    "digest_frequency",
    "digest_weekday",
    "digest_hour",
    "digest_when_empty",
    "next_digest_at",
    "last_digest_at",
    "reminders",
    "reminder_days",
    "plan_reminders",
)


def move_chat(db: Database, old_id: int, new_id: int) -> bool:
    """Move everything of chat ``old_id`` to ``new_id``; False if there was nothing left
    to move (already moved, or a chat the bot never knew)."""
    if old_id == new_id:
        return False
    with db.session() as session:
        old = session.get(Chat, old_id)
        if old is not None:
            new = session.get(Chat, new_id)
            if new is None:
                new = Chat(id=new_id, title=old.title, created_at=old.created_at)
                session.add(new)
            if new.created_at >= old.created_at:
                for name in _SETTINGS:
                    setattr(new, name, getattr(old, name))
            new.created_at = min(new.created_at, old.created_at)
            new.type = ChatType.SUPERGROUP
            session.flush()  # the new chat exists before rows point at it
        moved = 0
        for model, column, key in CHAT_COLUMNS:
            table = model.__table__  # type: ignore[attr-defined]
            chat = table.c[column]
            if key:
                others = [table.c[name] for name in key]
                taken = sa.select(*others).where(chat == new_id)
                session.exec(
                    sa.delete(table).where(chat == old_id).where(sa.tuple_(*others).in_(taken))
                )
            result = session.exec(sa.update(table).where(chat == old_id).values({column: new_id}))
            moved += result.rowcount or 0
        if old is not None:
            session.delete(old)
        return old is not None or moved > 0
