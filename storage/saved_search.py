"""Searches remembered for their paging buttons (a button holds only the id)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from storage.models import SavedSearch, utcnow

MAX_QUERY = 500

# Built once, run as Core: every /search writes one row and every page button
# reads one; the ORM's unit of work and identity map cost more than the SQL
# (py-spy, bench.throughput).
_TABLE = SavedSearch.__table__  # type: ignore[attr-defined]
_REMEMBER = sa.insert(_TABLE).returning(_TABLE.c.id)
_RECALL = sa.select(_TABLE.c.text).where(
    _TABLE.c.id == sa.bindparam("search_id", type_=sa.Integer),
    _TABLE.c.chat_id == sa.bindparam("chat_id", type_=sa.BigInteger),
)


def remember(session: Session, chat_id: int, text: str) -> int:
    row = {"chat_id": chat_id, "text": text[:MAX_QUERY], "created_at": utcnow()}
    return int(session.execute(_REMEMBER, row).scalar_one())


def recall(session: Session, search_id: int, chat_id: int) -> str | None:
    """The query text, only for the chat that made it (button data is not trusted)."""
    return session.execute(_RECALL, {"search_id": search_id, "chat_id": chat_id}).scalar()
