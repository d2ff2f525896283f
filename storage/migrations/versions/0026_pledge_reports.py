"""reports on Summit pledges: pledge_report, and a draft may be about a pledge

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-30 20:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models

revision: str = '0026'
down_revision: str | None = '0025'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'pledge_report',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('pledge_id', sa.String(length=24), nullable=False),
        sa.Column('reporter_id', sa.BigInteger(), nullable=True),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('evidence', sa.JSON(), nullable=False),
        sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('reviewed_by', sa.BigInteger(), nullable=True),
        sa.Column('reviewed_at', storage.models.UTCDateTime(), nullable=True),
        sa.Column('anonymous', sa.Boolean(), nullable=False),
        sa.Column('created_at', storage.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['pledge_id'], ['summit_pledge.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reporter_id'], ['member.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_pledge_report_pledge_id', 'pledge_report', ['pledge_id'], unique=False)
    op.create_index('ix_pledge_report_reporter_id', 'pledge_report', ['reporter_id'], unique=False)
    op.create_index('ix_pledge_report_state', 'pledge_report', ['state'], unique=False)
    op.create_index('ix_pledge_report_reviewed_at', 'pledge_report', ['reviewed_at'], unique=False)
    # report_draft is referred to by no table: the batch copy is cheap and safe.
    with op.batch_alter_table('report_draft') as batch_op:
        batch_op.add_column(sa.Column('pledge_id', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True))
        batch_op.create_foreign_key('fk_report_draft_pledge_id', 'summit_pledge', ['pledge_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('report_draft') as batch_op:
        batch_op.drop_constraint('fk_report_draft_pledge_id', type_='foreignkey')
        batch_op.drop_column('pledge_id')
    op.drop_index('ix_pledge_report_reviewed_at', table_name='pledge_report')
    op.drop_index('ix_pledge_report_state', table_name='pledge_report')
    op.drop_index('ix_pledge_report_reporter_id', table_name='pledge_report')
    op.drop_index('ix_pledge_report_pledge_id', table_name='pledge_report')
    op.drop_table('pledge_report')
