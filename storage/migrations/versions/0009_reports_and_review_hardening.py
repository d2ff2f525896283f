"""reports and review hardening

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 16:15:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Review buttons carry the revision they showed. Existing reports count the
    # versions they already have, so an old notice of an edited report is shown
    # again rather than decided.
    with op.batch_alter_table('progress_update', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False, server_default='1'))
    op.execute(
        "UPDATE progress_update SET revision = (SELECT count(*) FROM update_revision r "
        "WHERE r.update_id = progress_update.id AND r.action IN ('created', 'edited')) "
        "WHERE EXISTS (SELECT 1 FROM update_revision r WHERE r.update_id = progress_update.id "
        "AND r.action IN ('created', 'edited'))"
    )
    # Edits count against the flood limit of new reports: a member's recent ones.
    with op.batch_alter_table('update_revision', schema=None) as batch_op:
        batch_op.create_index('ix_update_revision_actor_at', ['actor_id', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('update_revision', schema=None) as batch_op:
        batch_op.drop_index('ix_update_revision_actor_at')
    # In place, as in 0007: a batch copy of progress_update would have to drop a
    # table that evidence and revisions point to.
    op.execute("ALTER TABLE progress_update DROP COLUMN revision")
