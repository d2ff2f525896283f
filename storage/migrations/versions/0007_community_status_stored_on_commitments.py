"""community status stored on commitments

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 02:14:20.850602
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


import storage.models

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The commitment table carries the FTS5 search triggers (0002): a batch "copy and
# move" of it would drop them, so columns are added and dropped in place.
LIVE = "('verified', 'pending')"
PICK = (
    "FROM progress_update p WHERE p.commitment_id = commitment.id AND p.state IN " + LIVE +
    " ORDER BY CASE WHEN p.state = 'verified' THEN 0 ELSE 1 END, p.created_at DESC, p.id DESC"
    " LIMIT 1"
)


def upgrade() -> None:
    op.add_column('commitment', sa.Column('community_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
    op.add_column('commitment', sa.Column('community_verified', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('commitment', sa.Column('community_at', storage.models.UTCDateTime(), nullable=True))
    op.create_index('ix_commitment_community_status', 'commitment', ['community_status'], unique=False)
    # Existing reports: compute every commitment's status once, here.
    op.execute(
        "UPDATE commitment SET "
        f"community_status = (SELECT p.status {PICK}), "
        f"community_verified = COALESCE((SELECT p.state = 'verified' {PICK}), false), "
        f"community_at = (SELECT p.created_at {PICK})"
    )


def downgrade() -> None:
    op.drop_index('ix_commitment_community_status', table_name='commitment')
    for column in ('community_at', 'community_verified', 'community_status'):
        op.execute(f"ALTER TABLE commitment DROP COLUMN {column}")
