"""public site: a member may choose to be named on it

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-30 19:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0025'
down_revision: str | None = '0024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Added in place, like 0020: member is referred to by other tables.
def upgrade() -> None:
    op.add_column('member', sa.Column('public_name', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column('member', 'public_name')
