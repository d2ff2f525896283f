"""community status from verified reports only

The stored community status used to fall back on the latest pending report
(marked unverified). It now means the latest verified report, nothing else:
pending reports are shown apart. Data only; the columns stay.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 17:00:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _pick(states: str, order: str) -> str:
    return (
        "FROM progress_update p WHERE p.commitment_id = commitment.id AND p.state IN "
        f"{states} ORDER BY {order}p.created_at DESC, p.id DESC LIMIT 1"
    )


def _recompute(pick: str) -> None:
    # Set in place: the commitment table carries the FTS5 search triggers (0002).
    op.execute(
        "UPDATE commitment SET "
        f"community_status = (SELECT p.status {pick}), "
        f"community_verified = COALESCE((SELECT p.state = 'verified' {pick}), false), "
        f"community_at = (SELECT p.created_at {pick})"
    )


def upgrade() -> None:
    _recompute(_pick("('verified')", ""))


def downgrade() -> None:
    _recompute(
        _pick(
            "('verified', 'pending')",
            "CASE WHEN p.state = 'verified' THEN 0 ELSE 1 END, ",
        )
    )
