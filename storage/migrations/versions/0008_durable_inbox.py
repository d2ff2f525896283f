"""durable inbox

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 16:15:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'inbox',
        sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('chat_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('payload', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('error', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('received_at', storage.models.UTCDateTime(), nullable=False),
        sa.Column('finished_at', storage.models.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('update_id'),
    )
    op.create_index('ix_inbox_state_update', 'inbox', ['state', 'update_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_inbox_state_update', table_name='inbox')
    op.drop_table('inbox')
