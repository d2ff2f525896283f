"""Searches remembered for their paging buttons."""

from __future__ import annotations

from storage.db import Database
from storage.models import SavedSearch

MAX_QUERY = 500


def save_search(db: Database, chat_id: int, text: str) -> int:
    with db.session() as session:
        row = SavedSearch(chat_id=chat_id, text=text[:MAX_QUERY])
        session.add(row)
        session.flush()
        return row.id


def saved_search(db: Database, search_id: int, chat_id: int) -> str | None:
    """The query text, only for the chat that made it (button data is not trusted)."""
    with db.session() as session:
        row = session.get(SavedSearch, search_id)
        if row is None or row.chat_id != chat_id:
            return None
        return row.text
