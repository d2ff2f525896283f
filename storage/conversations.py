"""Conversation states in the database, so a restart resumes where people were.

The bot's persistence class reads these at start and writes what
python-telegram-bot reports; storage functions that move a conversation on
write the new state in the same transaction as the step's data, so the stored
state is never behind what the person has seen.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from storage.db import Database
from storage.models import ConversationState, utcnow

Key = tuple[int, int]  # (chat id, user id), as ConversationHandler keys them


def set_state(
    session: Session,
    name: str,
    chat_id: int,
    user_id: int,
    state: str | None,
    *,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    """Upsert (or delete, for None) one conversation's state inside a transaction."""
    row = session.get(ConversationState, (name, chat_id, user_id))
    if state is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = ConversationState(name=name, chat_id=chat_id, user_id=user_id, state=state)
        session.add(row)
    row.state = state
    if data is not None:
        row.data = data
    row.updated_at = now or utcnow()


def save_state(db: Database, name: str, key: Key, state: str | None) -> None:
    with db.session() as session:
        set_state(session, name, key[0], key[1], state)


def load_states(db: Database, name: str) -> dict[Key, str]:
    with db.session() as session:
        rows = session.exec(select(ConversationState).where(ConversationState.name == name))
        return {(row.chat_id, row.user_id): row.state for row in rows}
