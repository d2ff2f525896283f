"""Conversation states in the database, so a restart resumes where people were.

Storage is the only writer: the function that does a step writes the
conversation's next state in the same transaction as the step's data, so the
stored state is never behind (nor ahead of) what the person has seen, and a step
that fails leaves it where it was. The bot only reads: its persistence loads the
states at start, and each step hands python-telegram-bot the state read back
here (bot.handlers.common.Conversation).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.db import Database
from storage.models import ConversationState, utcnow

# (chat id, user id), as ConversationHandler keys them; (chat id, topic, user id)
# in a forum topic (bot.handlers.common.Conversation).
Key = tuple[int, int] | tuple[int, int, int]

# A topic's conversations are rows named "<name>@<topic>": every row keyed
# (name, chat, user) outside topics (the steps' own data among them) stays as it is.
TOPIC = "@"


def in_topic(name: str, topic: int) -> str:
    """The row name of conversation ``name`` in forum topic ``topic`` (0: none)."""
    return f"{name}{TOPIC}{topic}" if topic else name


def _row_key(name: str, key: Key) -> tuple[str, int, int]:
    if len(key) == 3:
        chat_id, topic, user_id = key
        return f"{name}{TOPIC}{topic}", chat_id, user_id
    chat_id, user_id = key
    return name, chat_id, user_id


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


def state_of(db: Database, name: str, key: Key) -> str | None:
    """The state storage wrote for one conversation (None: there is none)."""
    with db.session() as session:
        row = session.get(ConversationState, _row_key(name, key))
        return None if row is None else row.state


def load_states(db: Database, name: str) -> dict[Key, str]:
    """A conversation's states, outside topics and in each forum topic."""
    in_topic = f"{name}{TOPIC}"
    with db.session() as session:
        rows = session.exec(
            select(ConversationState).where(
                (ConversationState.name == name)
                | col(ConversationState.name).startswith(in_topic, autoescape=True)
            )
        )
        states: dict[Key, str] = {}
        for row in rows:
            topic = row.name.removeprefix(in_topic)
            if row.name == name:
                states[row.chat_id, row.user_id] = row.state
            elif topic.isdigit():
                states[row.chat_id, int(topic), row.user_id] = row.state
        return states
