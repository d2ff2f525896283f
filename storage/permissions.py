"""Who may do what, and where: every rule in one place, every refusal audited once.

A private chat belongs to its member, who may always change it. A group chat
belongs to its working group: only the group's Telegram administrators (a fact
the bot side asks Telegram for) or the bot's leads and admins may change it.
Leads of a country (and admins) verify its reports and broadcast to its
followers; leads of a working group, to the group's chats. Granting roles,
working groups and the audit log are for admins.

Each feature asks a rule here, then calls :func:`authorize`, the one place a
refusal is written to the audit log (in the feature's own transaction).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from storage.audit import audit
from storage.db import Database
from storage.models import ChatType, Role, RoleGrant
from storage.people import Visitor

EVERYONE = "all"  # the broadcast audience of every active chat (admins only)
NOT_AN_ADMIN = "not an admin"
NOT_A_LEAD = "not a lead"


@dataclass(frozen=True, slots=True)
class Refusal:
    """A "no", as the audit log keeps it."""

    action: str
    target: str
    detail: str


def authorize(
    session: Session,
    visitor: Visitor,
    action: str,
    allowed: bool,
    *,
    target: str = "",
    detail: str = "",
) -> Refusal | None:
    """None when ``allowed``; otherwise audit the refusal in ``session`` and return it."""
    if allowed:
        return None
    audit(session, visitor.user_id, action, target=target, allowed=False, detail=detail)
    return Refusal(action, target, detail)


def authorize_now(
    db: Database, visitor: Visitor, action: str, allowed: bool, **where: str
) -> Refusal | None:
    """:func:`authorize` for a rule decided before any data is touched (its own
    transaction); ``where`` is its ``target`` and ``detail``."""
    if allowed:
        return None
    with db.session() as session:
        return authorize(session, visitor, action, allowed, **where)


def may_manage(visitor: Visitor, *, chat_type: str, chat_admin: bool) -> bool:
    """The rule for changing what a chat follows, and its settings."""
    if chat_type == ChatType.PRIVATE:
        return True
    return chat_admin or visitor.is_lead


def may_change(
    db: Database, visitor: Visitor, chat_id: int, *, chat_admin: bool, action: str
) -> bool:
    """The rule for a chat's settings (as for what it follows); refusals are audited."""
    return not authorize_now(
        db,
        visitor,
        f"settings.{action}",
        may_manage(visitor, chat_type=visitor.chat_type, chat_admin=chat_admin),
        target=f"chat:{chat_id}",
        detail="not a group administrator or lead",
    )


def may_review(visitor: Visitor, country_code: str) -> bool:
    """Leads of a country (and admins) verify its reports; the author rule is the review's."""
    return visitor.is_admin or country_code in visitor.lead_countries


def may_embed(visitor: Visitor, iso3: str) -> bool:
    """Linking a Summit pledge to a commitment: leads of the country and admins, as review."""
    return may_review(visitor, iso3)


def government_countries(session: Session, user_id: int | None) -> frozenset[str]:
    """The countries this person is a government point of contact for.

    Read from the grants in the caller's transaction, never from the ``Visitor``:
    a government contact is no lead, and a button pressed after a /revoke finds
    the grant gone.
    """
    if user_id is None:
        return frozenset()
    return frozenset(
        code
        for code in session.exec(
            select(RoleGrant.country_code)
            .where(RoleGrant.member_id == user_id)
            .where(RoleGrant.role == Role.GOVERNMENT)
        )
        if code
    )


def may_report_as_government(session: Session, user_id: int | None, country_code: str) -> bool:
    """A report by a government contact of the commitment's country is the government's
    word (not reviewed by leads); anyone else's is civil society's."""
    return country_code in government_countries(session, user_id)


def may_reply(session: Session, visitor: Visitor, country_code: str) -> bool:
    """The right of reply to a verified report is the country's government contacts' only."""
    return may_report_as_government(session, visitor.user_id, country_code)


def may_start_broadcast(db: Database, visitor: Visitor) -> bool:
    """/broadcast is for leads and admins; a refusal is audited."""
    return not authorize_now(db, visitor, "broadcast.start", visitor.is_lead, detail=NOT_A_LEAD)


def groups_led(session: Session, user_id: int | None) -> set[int]:
    """The working groups this person leads."""
    if user_id is None:
        return set()
    return {
        group_id
        for group_id in session.exec(
            select(RoleGrant.working_group_id)
            .where(RoleGrant.member_id == user_id)
            .where(RoleGrant.role == Role.LEAD)
        )
        if group_id is not None
    }


def may_broadcast(session: Session, visitor: Visitor, key: str) -> bool:
    """To an audience key (country:KEN | group:3 | all): admins to any well-formed one,
    leads to their countries' followers and their working groups' chats."""
    kind, _, ref = key.partition(":")
    group = int(ref) if kind == "group" and ref.isdigit() else None
    if visitor.is_admin:
        return key == EVERYONE or kind == "country" or group is not None
    if kind == "country":
        return ref in visitor.lead_countries
    return group is not None and group in groups_led(session, visitor.user_id)


def may_link(session: Session, visitor: Visitor, group_id: int | None) -> bool:
    """Linking a Telegram group to a working group: admins, and that group's leads."""
    if visitor.is_admin:
        return True
    return group_id is not None and group_id in groups_led(session, visitor.user_id)


def identities_visible(visitor: Visitor) -> bool | frozenset[str]:
    """Whose reporters an export names: every one (admins), those of the countries
    a lead leads, or none; and only in a private chat, never in a group."""
    if visitor.chat_type != ChatType.PRIVATE:
        return False
    if visitor.is_admin:
        return True
    return visitor.lead_countries if visitor.is_lead else False
