"""2016 Anti-Corruption Summit pledges, and their links to NAP commitments

Revision ID: 0023
Revises: 0021
Create Date: 2026-11-30 19:15:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models

revision: str = '0023'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'summit_pledge',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('iso3', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column('theme', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('text_is_quote', sa.Boolean(), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('status_source', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('status_date', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column('source_url', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('imported_at', storage.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_summit_pledge_iso3', 'summit_pledge', ['iso3'], unique=False)
    op.create_table(
        'pledge_link',
        sa.Column('pledge_id', sa.String(length=24), nullable=False),
        sa.Column('commitment_id', sa.String(length=16), nullable=False),
        sa.Column('linked_by', sa.BigInteger(), nullable=True),
        sa.Column('linked_at', storage.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['commitment_id'], ['commitment.id']),
        sa.ForeignKeyConstraint(['pledge_id'], ['summit_pledge.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('pledge_id', 'commitment_id'),
    )
    op.create_index('ix_pledge_link_commitment_id', 'pledge_link', ['commitment_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_pledge_link_commitment_id', table_name='pledge_link')
    op.drop_table('pledge_link')
    op.drop_index('ix_summit_pledge_iso3', table_name='summit_pledge')
    op.drop_table('summit_pledge')
