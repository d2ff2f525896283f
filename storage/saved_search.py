"""Searches remembered for their paging buttons (a button holds only the id)."""

from __future__ import annotations

from sqlmodel import Session

from storage.models import SavedSearch

MAX_QUERY = 500


def remember(session: Session, chat_id: int, text: str) -> int:
    row = SavedSearch(chat_id=chat_id, text=text[:MAX_QUERY])
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def recall(session: Session, search_id: int, chat_id: int) -> str | None:
    """The query text, only for the chat that made it (button data is not trusted)."""
    row = session.get(SavedSearch, search_id)
    if row is None or row.chat_id != chat_id:
        return None
    return row.text
