"""import and plan reminders: a plan's first sighting, plan-level reminders

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 17:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Columns are added in place: a batch "copy and move" of chat would drop it, and
# with foreign keys on, SQLite's DROP TABLE cascades to every subscription.
def upgrade() -> None:
    op.add_column('action_plan', sa.Column('first_seen_at', storage.models.UTCDateTime(), nullable=True))
    op.add_column('chat', sa.Column('plan_reminders', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table('sent_plan_reminder',
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('plan_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('event', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('sent_at', storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['action_plan.id'], ),
    sa.PrimaryKeyConstraint('chat_id', 'plan_id', 'event')
    )


def downgrade() -> None:
    op.drop_table('sent_plan_reminder')
    for table, column in (('chat', 'plan_reminders'), ('action_plan', 'first_seen_at')):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
