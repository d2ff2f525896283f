"""The audit log: every privileged action, allowed or refused."""

from __future__ import annotations

from sqlmodel import Session

from storage.models import AuditLog


def audit(
    session: Session,
    actor_id: int | None,
    action: str,
    *,
    target: str = "",
    allowed: bool = True,
    detail: str = "",
) -> None:
    """Write an entry in the caller's transaction, so it stands or falls with the action."""
    session.add(
        AuditLog(actor_id=actor_id, action=action, target=target, allowed=allowed, detail=detail)
    )
