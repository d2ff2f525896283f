"""member status: each OGP member's standing, since when, and its source

Revision ID: 0013
Revises: 0011
Create Date: 2026-11-30 17:00:00

(0012 was reserved for an outbox change that needed no migration.)
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0013'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Other tables refer to country: a batch "copy and move" of it would have to
# drop it under enforced foreign keys, so columns are added and dropped in place.
def upgrade() -> None:
    # Existing rows start unverified; the reference sync on start fills in the
    # curated facts of every member the bot ships.
    op.add_column('country', sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default='unverified'))
    op.add_column('country', sa.Column('status_since', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default=''))
    op.add_column('country', sa.Column('source_url', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False, server_default=''))


def downgrade() -> None:
    for column in ('source_url', 'status_since', 'status'):
        op.execute(f"ALTER TABLE country DROP COLUMN {column}")
