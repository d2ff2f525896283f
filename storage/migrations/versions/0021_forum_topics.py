"""forum topics: subscriptions and outbox rows per topic

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 17:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The topic joins subscription's primary key. A primary key cannot be altered in
# place on SQLite, so the table is rebuilt (nothing refers to it) the same way on
# every database: a new table, the rows copied, the old one dropped.


def _subscription(name: str, *, with_thread: bool) -> None:
    key = ['chat_id', 'country_code'] + (['thread_id'] if with_thread else [])
    op.create_table(
        name,
        sa.Column('chat_id', sa.BigInteger(), nullable=False),
        sa.Column('country_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        *([sa.Column('thread_id', sa.Integer(), nullable=False)] if with_thread else []),
        sa.Column('created_at', storage.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['chat_id'], ['chat.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['country_code'], ['country.code']),
        sa.PrimaryKeyConstraint(*key),
    )


def upgrade() -> None:
    _subscription('subscription_new', with_thread=True)
    op.execute(
        'INSERT INTO subscription_new (chat_id, country_code, thread_id, created_at) '
        'SELECT chat_id, country_code, 0, created_at FROM subscription'
    )
    op.drop_table('subscription')
    op.rename_table('subscription_new', 'subscription')
    op.add_column('outbox', sa.Column('thread_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column('outbox', 'thread_id')
    _subscription('subscription_old', with_thread=False)
    # A topic's countries become the whole chat's, once each.
    op.execute(
        'INSERT INTO subscription_old (chat_id, country_code, created_at) '
        'SELECT chat_id, country_code, MIN(created_at) FROM subscription '
        'GROUP BY chat_id, country_code'
    )
    op.drop_table('subscription')
    op.rename_table('subscription_old', 'subscription')
