"""reviewer notices

Revision ID: 0018
Revises: 0016
Create Date: 2026-11-30 17:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'reviewer_notice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('update_id', sa.Integer(), nullable=False),
        sa.Column('chat_id', sa.BigInteger(), nullable=False),
        sa.Column('message_id', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['update_id'], ['progress_update.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        op.f('ix_reviewer_notice_update_id'), 'reviewer_notice', ['update_id'], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_reviewer_notice_update_id'), table_name='reviewer_notice')
    op.drop_table('reviewer_notice')
