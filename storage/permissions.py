"""Who may do what, and where: every rule in one place, every refusal audited once.

A private chat belongs to its member, who may always change it. A group chat
belongs to its working group: only the group's Telegram administrators (a fact
the bot side asks Telegram for) or the bot's leads and admins may change it.
"""

from __future__ import annotations

from storage.audit import audit
from storage.db import Database
from storage.models import ChatType
from storage.people import Visitor


def may_manage(visitor: Visitor, *, chat_type: str, chat_admin: bool) -> bool:
    """The rule for changing what a chat follows."""
    if chat_type == ChatType.PRIVATE:
        return True
    return chat_admin or visitor.is_lead


def may_change(
    db: Database, visitor: Visitor, chat_id: int, *, chat_admin: bool, action: str
) -> bool:
    """The rule for a chat's settings (as for what it follows); refusals are audited."""
    allowed = may_manage(visitor, chat_type=visitor.chat_type, chat_admin=chat_admin)
    if not allowed:
        with db.session() as session:
            audit(
                session,
                visitor.user_id,
                f"settings.{action}",
                target=f"chat:{chat_id}",
                allowed=False,
                detail="not a group administrator or lead",
            )
    return allowed


def may_review(visitor: Visitor, country_code: str) -> bool:
    """Leads of a country (and admins) verify its reports; the author rule is the review's."""
    return visitor.is_admin or country_code in visitor.lead_countries
