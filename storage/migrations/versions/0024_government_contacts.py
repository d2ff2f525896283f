"""government points of contact: a report's source, the right of reply

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-30 20:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models

revision: str = '0024'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Added in place, as 0020 did: progress_update is referred to by other tables.


def upgrade() -> None:
    op.add_column(
        'progress_update',
        sa.Column(
            'source',
            sqlmodel.sql.sqltypes.AutoString(length=16),
            nullable=False,
            server_default='community',
        ),
    )
    op.create_table(
        'government_reply',
        sa.Column('update_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.BigInteger(), nullable=True),
        sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('created_at', storage.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['update_id'], ['progress_update.id']),
        sa.PrimaryKeyConstraint('update_id'),
    )


def downgrade() -> None:
    op.drop_table('government_reply')
    op.drop_column('progress_update', 'source')
