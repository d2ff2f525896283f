"""anonymous reports

Revision ID: 0020
Revises: 0018
Create Date: 2026-11-30 17:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Columns are added and dropped in place: progress_update and member are referred
# to by other tables, and a batch copy would have to rebuild those links.
FALSE = sa.false()


def upgrade() -> None:
    op.add_column('member', sa.Column('report_anonymously', sa.Boolean(), nullable=False, server_default=FALSE))
    op.add_column('report_draft', sa.Column('anonymous', sa.Boolean(), nullable=False, server_default=FALSE))
    op.add_column('progress_update', sa.Column('anonymous', sa.Boolean(), nullable=False, server_default=FALSE))


def downgrade() -> None:
    op.drop_column('progress_update', 'anonymous')
    op.drop_column('report_draft', 'anonymous')
    op.drop_column('member', 'report_anonymously')
