"""commitment full-text search (SQLite FTS5)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 10:00:00

On SQLite this adds ``commitment_fts``, an FTS5 index over the searchable text
of ``commitment``, kept in sync by triggers. On any other dialect it does
nothing: ``storage.search`` falls back to LIKE/ILIKE there.

The index is an *external-content* table: it stores only the inverted index,
the text itself stays in ``commitment`` and the triggers index new and old
values as they change. ``policy_areas`` is indexed as its raw JSON text: the
brackets, quotes and commas are separators to the tokenizer, so each tag's
words are found. (A view flattening the list through ``json_each`` would be
nicer, but FTS5 cannot rebuild from a view using a table-valued function.)

Rows are tied to the index by ``commitment.rowid``. Alembic's batch mode
(SQLite ALTER) rebuilds a table by copying it, which drops its triggers and
renumbers its rowids: a later migration that batch-alters ``commitment`` must
recreate the triggers below and run ``INSERT INTO commitment_fts(commitment_fts)
VALUES ('rebuild')`` (``storage.search.rebuild_search_index`` does the latter).

``tokenize = 'unicode61 remove_diacritics 2'`` folds case and accents in both
the index and the queries, so "participacion" finds "participación".
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The indexed columns, in order; storage.search's bm25 weights follow this order.
COLUMNS = (
    "id",
    "title",
    "short_title",
    "full_text",
    "lead_institution",
    "supporting_institutions",
    "policy_areas",
    "theme",
)


def _values(row: str) -> str:
    """SQL: the indexed values of ``row`` (new/old), in COLUMNS order."""
    return ", ".join(f"{row}.{name}" for name in COLUMNS)


COLUMN_LIST = ", ".join(COLUMNS)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        f"CREATE VIRTUAL TABLE commitment_fts USING fts5({COLUMN_LIST}, "
        "content = 'commitment', content_rowid = 'rowid', "
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
    )
    op.execute(
        "CREATE TRIGGER commitment_fts_ai AFTER INSERT ON commitment BEGIN "
        f"INSERT INTO commitment_fts(rowid, {COLUMN_LIST}) VALUES (new.rowid, {_values('new')}); "
        "END"
    )
    op.execute(
        "CREATE TRIGGER commitment_fts_ad AFTER DELETE ON commitment BEGIN "
        f"INSERT INTO commitment_fts(commitment_fts, rowid, {COLUMN_LIST}) "
        f"VALUES ('delete', old.rowid, {_values('old')}); "
        "END"
    )
    op.execute(
        f"CREATE TRIGGER commitment_fts_au AFTER UPDATE OF {COLUMN_LIST} ON commitment BEGIN "
        f"INSERT INTO commitment_fts(commitment_fts, rowid, {COLUMN_LIST}) "
        f"VALUES ('delete', old.rowid, {_values('old')}); "
        f"INSERT INTO commitment_fts(rowid, {COLUMN_LIST}) VALUES (new.rowid, {_values('new')}); "
        "END"
    )
    # Index the commitments already stored.
    op.execute("INSERT INTO commitment_fts(commitment_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER IF EXISTS commitment_fts_au")
    op.execute("DROP TRIGGER IF EXISTS commitment_fts_ad")
    op.execute("DROP TRIGGER IF EXISTS commitment_fts_ai")
    op.execute("DROP TABLE IF EXISTS commitment_fts")
