"""Roles and working groups: grants, revokes, groups, linking their chats, the audit log.

Admins are named in the config; everything else a person may do beyond being a
member comes from ``RoleGrant`` rows: a lead of a country (``country_code``) or
of a working group (``working_group_id``). Only admins grant and revoke, create
working groups and read the audit log; a working group's leads (and admins)
link its Telegram chat. Every one of these actions, allowed or refused, is
written to the audit log in the same transaction as the change.

Members are named by the handler as a ``MemberRef``: a Telegram id (from a
replied-to message or typed digits) or an @username. Only people who have
talked to the bot are known: a grant needs the member's row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage import outbox
from storage.audit import audit
from storage.conversations import in_topic, set_state
from storage.countries import Resolution, resolve_countries
from storage.db import Database
from storage.ids import MAX_USER_ID, parse_number
from storage.importer import POLICY_AREA_COLUMNS
from storage.models import (
    AuditLog,
    Chat,
    ChatState,
    ChatType,
    ConversationState,
    Country,
    Member,
    Role,
    RoleGrant,
    WorkingGroup,
    WorkingGroupChat,
)
from storage.paging import Paged, clamp_page
from storage.people import Visitor
from storage.permissions import NOT_AN_ADMIN, authorize, groups_led, may_link

NAME_LIMIT = 128
DETAIL_LIMIT = 200
AUDIT_PAGE_SIZE = 10
MEMBER_CHOICES = 8  # members offered as buttons by /grant or /revoke without a name
PICK_CONVERSATION = "grant"  # a member picked from those buttons, awaiting what to grant
_GROUP_PREFIX = re.compile(r"^\s*(?:group|wg)\s+", re.IGNORECASE)
# "/grant @name government Kenya": a government point of contact, not a lead.
_GOVERNMENT_PREFIX = re.compile(r"^\s*(?:government|gov)\b\s*", re.IGNORECASE)
_POLICY_AREAS = {area.lower(): area for area in POLICY_AREA_COLUMNS}


@dataclass(frozen=True, slots=True)
class MemberRef:
    """How a command names a member: by Telegram id or by @username."""

    user_id: int | None = None
    username: str | None = None

    def describe(self) -> str:
        if self.user_id is not None:
            return f"member:{self.user_id}"
        return f"@{self.username or ''}"


@dataclass(frozen=True, slots=True)
class MemberInfo:
    id: int
    display_name: str
    username: str | None


@dataclass(frozen=True, slots=True)
class GroupInfo:
    id: int
    name: str
    countries: list[Country]
    policy_areas: list[str]
    leads: list[str]  # display names
    chats: list[str]  # chat titles


@dataclass
class RoleChange:
    """What /grant or /revoke did. ``problem`` names why nothing happened."""

    allowed: bool
    problem: str = ""  # "" | no_member | no_target | unresolved | no_group
    member: MemberInfo | None = None
    changed: list[str] = field(default_factory=list)  # labels: "Kenya", "Anti-Corruption WG"
    unchanged: list[str] = field(default_factory=list)
    unresolved: list[Resolution] = field(default_factory=list)
    # Country labels above -> their codes, so a view can name them in its reader's language.
    codes: dict[str, str] = field(default_factory=dict)
    remaining: list[str] = field(default_factory=list)  # what the member still leads after
    notified: bool = False  # a notice to the member was queued
    government: bool = False  # the change was to government contact roles, not lead roles
    # Countries the member is a government contact for, after the change.
    government_remaining: list[str] = field(default_factory=list)
    # "/revoke @name all": the government contact roles it took, apart from lead roles.
    government_changed: list[str] = field(default_factory=list)


@dataclass
class GroupChange:
    """What /newgroup, /linkgroup or /unlinkgroup did."""

    allowed: bool
    # "" | usage | unresolved | not_group_chat | no_group | which | not_linked
    problem: str = ""
    created: bool = False
    group: GroupInfo | None = None
    unresolved: list[str] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)  # group names to pick from
    already: bool = False  # /(un)linkgroup: nothing to change (linked / not linked already)


# ------------------------------------------------------------------ members


def _find_member(session: Session, ref: MemberRef) -> Member | None:
    if ref.user_id is not None:
        valid = 0 < ref.user_id <= MAX_USER_ID  # a larger one would overflow the query
        return session.get(Member, ref.user_id) if valid else None
    if ref.username:
        name = ref.username.lstrip("@").lower()
        return session.exec(
            select(Member).where(sa.func.lower(col(Member.username)) == name)
        ).first()
    return None


def _member_info(member: Member) -> MemberInfo:
    return MemberInfo(member.id, member.display_name, member.username)


# ------------------------------------------------------------------ groups


def _group_by_text(session: Session, text: str) -> WorkingGroup | None:
    """A working group by its number in /groups or its name (any case)."""
    text = _GROUP_PREFIX.sub("", text).strip()
    if not text:
        return None
    if text.isdigit():
        number = parse_number(text)
        return session.get(WorkingGroup, number) if number is not None else None
    return session.exec(
        select(WorkingGroup).where(sa.func.lower(col(WorkingGroup.name)) == text.lower())
    ).first()


def _group_info(session: Session, group: WorkingGroup) -> GroupInfo:
    countries = {
        c.code: c
        for c in session.exec(select(Country).where(col(Country.code).in_(group.countries)))
    }
    leads = session.exec(
        select(Member.display_name)
        .join(RoleGrant, col(RoleGrant.member_id) == col(Member.id))
        .where(RoleGrant.working_group_id == group.id)
        .order_by(Member.display_name)
    ).all()
    chats = session.exec(
        select(Chat.title)
        .join(WorkingGroupChat, col(WorkingGroupChat.chat_id) == col(Chat.id))
        .where(WorkingGroupChat.working_group_id == group.id)
        .order_by(Chat.title)
    ).all()
    return GroupInfo(
        id=group.id,
        name=group.name,
        countries=[countries[code] for code in group.countries if code in countries],
        policy_areas=list(group.policy_areas),
        leads=list(leads),
        chats=[title or "?" for title in chats],
    )


def list_groups(db: Database) -> list[GroupInfo]:
    with db.session() as session:
        groups = session.exec(select(WorkingGroup).order_by(col(WorkingGroup.id))).all()
        return [_group_info(session, g) for g in groups]


def parse_group_spec(db: Database, text: str) -> tuple[str, list[str], list[str], list[str]]:
    """``"Name: Kenya, Ghana, Open Contracting"`` -> (name, countries, areas, unresolved).

    Each comma-separated item that is one of OGP's policy areas (its column
    name, any case) is an area; the rest are resolved as OGP members.
    """
    name, _, rest = text.partition(":")
    name = " ".join(name.split())[:NAME_LIMIT]
    countries: list[str] = []
    areas: list[str] = []
    unresolved: list[str] = []
    for piece in re.split(r"[,;\n]", rest):
        piece = piece.strip()
        if not piece:
            continue
        area = _POLICY_AREAS.get(piece.lower())
        if area is not None:
            areas.append(area)
            continue
        for resolution in resolve_countries(db, piece):
            if resolution.match is not None:
                countries.append(resolution.match.code)
            else:
                unresolved.append(resolution.query or piece)
    return name, list(dict.fromkeys(countries)), list(dict.fromkeys(areas)), unresolved


def create_group(db: Database, visitor: Visitor, text: str) -> GroupChange:
    """/newgroup Name: countries and policy areas. Admins only; the same name updates it."""
    name, countries, areas, unresolved = parse_group_spec(db, text)
    with db.session() as session:
        if authorize(
            session,
            visitor,
            "group.create",
            visitor.is_admin,
            target=name[:64],
            detail=NOT_AN_ADMIN,
        ):
            return GroupChange(False)
        if not name or not (countries or areas) or unresolved:
            return GroupChange(True, "unresolved" if unresolved else "usage", unresolved=unresolved)
        group = session.exec(
            select(WorkingGroup).where(sa.func.lower(col(WorkingGroup.name)) == name.lower())
        ).first()
        created = group is None
        if group is None:
            group = WorkingGroup(name=name)
            session.add(group)
        group.countries = countries
        group.policy_areas = areas
        session.flush()
        audit(
            session,
            visitor.user_id,
            "group.create" if created else "group.update",
            target=f"group:{group.id}",
            detail=_clip(f"{name}: {','.join(countries + areas)}"),
        )
        return GroupChange(True, created=created, group=_group_info(session, group))


def link_chat(
    db: Database, visitor: Visitor, chat_id: int, text: str, *, unlink: bool = False
) -> GroupChange:
    """/linkgroup [group] (or /unlinkgroup): link this Telegram group to a working
    group, or take the link away.

    Allowed to admins and to the working group's leads, in a group chat only.
    Without a name, the one group the lead leads is meant (for unlinking: the
    one such group this chat is linked to). ``already`` says nothing changed.
    """
    action = "group.unlink" if unlink else "group.link"
    with db.session() as session:
        if authorize(
            session,
            visitor,
            action,
            visitor.is_lead,
            target=_clip(text, 64),
            detail=f"chat:{chat_id} not a lead",
        ):
            return GroupChange(False)
        if visitor.chat_type == ChatType.PRIVATE:
            return GroupChange(True, "not_group_chat")
        group = _group_by_text(session, text) if text.strip() else None
        if group is None and not text.strip():
            led = (
                session.exec(select(WorkingGroup).order_by(col(WorkingGroup.id))).all()
                if visitor.is_admin
                else _working_groups_led(session, visitor.user_id)
            )
            if unlink:  # only the groups this chat is linked to
                linked = set(
                    session.exec(
                        select(WorkingGroupChat.working_group_id).where(
                            WorkingGroupChat.chat_id == chat_id
                        )
                    )
                )
                candidates = [g for g in led if g.id in linked]
                if led and not candidates:
                    return GroupChange(True, "not_linked")
                led = candidates
            if len(led) == 1:
                group = led[0]
            elif visitor.is_admin or led:
                return GroupChange(True, "which", choices=[g.name for g in led])
        allowed = may_link(session, visitor, group.id if group is not None else None)
        target = f"group:{group.id}" if group else _clip(text, 64)
        if authorize(
            session,
            visitor,
            action,
            allowed,
            target=target,
            detail=f"chat:{chat_id} not a lead of this group",
        ):
            return GroupChange(False)
        if group is None:
            return GroupChange(True, "no_group")
        existing = session.get(WorkingGroupChat, (group.id, chat_id))
        changes = existing is not None if unlink else existing is None
        if changes and unlink:
            session.delete(existing)
        elif changes:
            session.add(WorkingGroupChat(working_group_id=group.id, chat_id=chat_id))
        if changes:
            audit(session, visitor.user_id, action, target=target, detail=f"chat:{chat_id}")
        session.flush()
        return GroupChange(True, group=_group_info(session, group), already=not changes)


def _working_groups_led(session: Session, user_id: int | None) -> list[WorkingGroup]:
    ids = groups_led(session, user_id)
    if not ids:
        return []
    return list(
        session.exec(
            select(WorkingGroup).where(col(WorkingGroup.id).in_(ids)).order_by(WorkingGroup.id)
        )
    )


# ------------------------------------------------------------------ grants


def change_role(
    db: Database,
    visitor: Visitor,
    ref: MemberRef,
    text: str,
    *,
    revoke: bool = False,
    now: datetime | None = None,
) -> RoleChange:
    """/grant or /revoke: make a member a lead of countries or of a working group.

    ``text`` names countries ("Kenya, Ghana"), a working group ("group 2",
    "group Anti-Corruption WG", or its exact name) or, for /revoke, "all".
    When something changed, the member is told what they may do now: the notice
    is queued in the outbox in the same transaction, so a grant is never without
    it, as the change's data the bot renders when it sends it (bot/notices.py).
    """
    action = "role.revoke" if revoke else "role.grant"
    with db.session() as session:
        if authorize(
            session,
            visitor,
            action,
            visitor.is_admin,
            target=ref.describe()[:64],
            detail=_clip(f"not an admin: {text}"),
        ):
            return RoleChange(False)
        if ref.user_id is None and not ref.username:
            return RoleChange(True, "no_target")
        member = _find_member(session, ref)
        if member is None:
            return RoleChange(True, "no_member")
        result = RoleChange(True, member=_member_info(member))
        text = text.strip()
        if not text:
            result.problem = "no_target"
            return result
        group = _group_by_text(session, text)
        government = _GOVERNMENT_PREFIX.match(text)
        if government is not None:
            result.government = True
            resolutions = resolve_countries(db, text[government.end() :])
            result.unresolved = [r for r in resolutions if r.match is None]
            codes = [r.match.code for r in resolutions if r.match is not None]
            if not codes:
                result.problem = "unresolved" if resolutions else "no_target"
                return result
            _change_country_grants(
                session, visitor, member, codes, revoke, result, role=Role.GOVERNMENT
            )
        elif revoke and text.lower() == "all":
            grants = session.exec(select(RoleGrant).where(RoleGrant.member_id == member.id)).all()
            for grant in grants:
                label = _grant_label(session, grant, result.codes)
                if grant.role == Role.GOVERNMENT:
                    result.government_changed.append(label)
                else:
                    result.changed.append(label)
                session.delete(grant)
        elif group is not None:
            _change_group_grant(session, visitor, member, group, revoke, result)
        elif _GROUP_PREFIX.match(text):
            result.problem = "no_group"
            return result
        else:
            resolutions = resolve_countries(db, text)
            result.unresolved = [r for r in resolutions if r.match is None]
            codes = [r.match.code for r in resolutions if r.match is not None]
            if not codes:
                result.problem = "unresolved"
                return result
            _change_country_grants(session, visitor, member, codes, revoke, result)
        sign = "-" if revoke else "+"
        kind = "government:" if result.government else ""
        audit(
            session,
            visitor.user_id,
            action,
            target=f"member:{member.id}",
            detail=_clip(
                f"{sign}{kind}{','.join(result.changed)}"
                + "".join(f" {sign}government:{label}" for label in result.government_changed)
            ),
        )
        session.flush()
        _what_remains(session, member, result)
        changed = result.changed or result.government_changed
        if changed and member.id != visitor.user_id:
            result.notified = _notify(session, member, _notice(result, revoke), now)
        return result


def _what_remains(session: Session, member: Member, result: RoleChange) -> None:
    """What the member leads, and speaks for as a government contact, as things stand."""
    for grant in session.exec(
        select(RoleGrant).where(RoleGrant.member_id == member.id).order_by(RoleGrant.id)
    ):
        label = _grant_label(session, grant, result.codes)
        if grant.role == Role.GOVERNMENT:
            result.government_remaining.append(label)
        else:
            result.remaining.append(label)


def _language(session: Session, member: Member) -> str:
    """The language of the member's private chat (what they chose), else their own."""
    chat = session.get(Chat, member.id)
    return chat.language if chat is not None else member.language


def _notice(result: RoleChange, revoke: bool) -> dict[str, Any]:
    """What the member's notice shows: the change as it was made (nothing to read back)."""
    return {
        "revoke": revoke,
        "changed": result.changed,
        "remaining": result.remaining,
        "codes": result.codes,
        "government": result.government,
        "government_remaining": result.government_remaining,
        "government_changed": result.government_changed,
    }


def _notify(
    session: Session, member: Member, payload: dict[str, Any], now: datetime | None
) -> bool:
    """Queue the notice for the member's private chat; False when it cannot reach them."""
    chat = session.get(Chat, member.id)
    if chat is None or chat.state != ChatState.ACTIVE:
        return False  # never started the bot, blocked it, or asked it to /stop
    payload = {**payload, "language": _language(session, member)}
    return outbox.enqueue(session, member.id, "", kind=outbox.ROLE, payload=payload, now=now)


def _change_country_grants(
    session: Session,
    visitor: Visitor,
    member: Member,
    codes: list[str],
    revoke: bool,
    result: RoleChange,
    *,
    role: Role = Role.LEAD,
) -> None:
    names = dict(
        session.exec(select(Country.code, Country.name).where(col(Country.code).in_(codes))).all()
    )
    for code in codes:
        grant = session.exec(
            select(RoleGrant).where(
                RoleGrant.member_id == member.id,
                RoleGrant.role == role,
                RoleGrant.country_code == code,
            )
        ).first()
        label = names.get(code, code)
        result.codes[label] = code
        if revoke and grant is not None:
            session.delete(grant)
            result.changed.append(label)
        elif not revoke and grant is None:
            session.add(
                RoleGrant(
                    member_id=member.id,
                    role=role,
                    country_code=code,
                    granted_by=visitor.user_id,
                )
            )
            result.changed.append(label)
        else:
            result.unchanged.append(label)


def _change_group_grant(
    session: Session,
    visitor: Visitor,
    member: Member,
    group: WorkingGroup,
    revoke: bool,
    result: RoleChange,
) -> None:
    grant = session.exec(
        select(RoleGrant).where(
            RoleGrant.member_id == member.id,
            RoleGrant.role == Role.LEAD,
            RoleGrant.working_group_id == group.id,
        )
    ).first()
    if revoke and grant is not None:
        session.delete(grant)
        result.changed.append(group.name)
    elif not revoke and grant is None:
        session.add(
            RoleGrant(
                member_id=member.id,
                role=Role.LEAD,
                working_group_id=group.id,
                granted_by=visitor.user_id,
            )
        )
        result.changed.append(group.name)
    else:
        result.unchanged.append(group.name)


def _grant_label(session: Session, grant: RoleGrant, codes: dict[str, str]) -> str:
    """A grant's working group or country name; a country's code goes into ``codes``."""
    if grant.working_group_id is not None:
        group = session.get(WorkingGroup, grant.working_group_id)
        return group.name if group else f"group {grant.working_group_id}"
    country = session.get(Country, grant.country_code) if grant.country_code else None
    if country is None:
        return grant.country_code or "?"
    codes[country.name] = country.code
    return country.name


# ------------------------------------------------------------------ picking members by name


@dataclass(frozen=True, slots=True)
class MemberChoices:
    """Members offered as buttons; ``more`` matched beyond those shown."""

    members: list[MemberInfo]
    more: int


def find_members(
    db: Database, visitor: Visitor, text: str, *, revoke: bool = False
) -> MemberChoices | None:
    """Members whose name or @username contains ``text`` (everyone, for no text), the
    most recently seen first: admins name people as they remember them, not by id.
    For /revoke, only members who lead something. None (audited) for non-admins."""
    action = "role.revoke" if revoke else "role.grant"
    with db.session() as session:
        if authorize(
            session, visitor, action, visitor.is_admin, detail=_clip(f"not an admin: {text}")
        ):
            return None
        query = select(Member)
        words = text.lower().lstrip("@").split()
        for word in words:
            pattern = f"%{word}%"
            query = query.where(
                sa.or_(
                    sa.func.lower(col(Member.display_name)).like(pattern),
                    sa.func.lower(col(Member.username)).like(pattern),
                )
            )
        if revoke:
            query = query.where(
                select(RoleGrant.id).where(RoleGrant.member_id == Member.id).exists()
            )
        total = session.exec(select(sa.func.count()).select_from(query.subquery())).one()
        found = session.exec(
            query.order_by(col(Member.last_seen_at).desc(), col(Member.id)).limit(MEMBER_CHOICES)
        ).all()
        return MemberChoices([_member_info(m) for m in found], max(0, total - len(found)))


def pick_member(
    db: Database, visitor: Visitor, member_id: int, *, revoke: bool, state: str, topic: int = 0
) -> RoleChange:
    """An admin pressed a member's button: remember whom, then ask what to grant.

    The button came from a client and is not trusted: the presser must be an
    admin now (refusals are audited) and the member must still exist.
    """
    with db.session() as session:
        if authorize(
            session,
            visitor,
            "role.revoke" if revoke else "role.grant",
            visitor.is_admin,
            target=f"member:{member_id}",
            detail=NOT_AN_ADMIN,
        ):
            return RoleChange(False)
        member = _find_member(session, MemberRef(user_id=member_id))
        if member is None:
            return RoleChange(True, "no_member")
        data = {"member": member.id, "revoke": revoke}
        name = in_topic(PICK_CONVERSATION, topic)
        set_state(session, name, visitor.chat_id, visitor.user_id, state, data=data)
        result = RoleChange(True, member=_member_info(member))
        _what_remains(session, member, result)
        return result


def take_picked_member(
    db: Database, chat_id: int, user_id: int, *, topic: int = 0
) -> tuple[MemberRef, bool] | None:
    """The member this admin picked from the buttons, and whether to revoke; the
    pick is used up (the conversation ends with it)."""
    with db.session() as session:
        key = (in_topic(PICK_CONVERSATION, topic), chat_id, user_id)
        row = session.get(ConversationState, key)
        data = row.data if row is not None else None
        set_state(session, *key, None)
        if not data or not isinstance(data.get("member"), int):
            return None
        return MemberRef(user_id=data["member"]), bool(data.get("revoke"))


def end_pick(db: Database, chat_id: int, user_id: int, *, topic: int = 0) -> None:
    """/cancel, or /grant typed again: no member is picked any more."""
    with db.session() as session:
        set_state(session, in_topic(PICK_CONVERSATION, topic), chat_id, user_id, None)


@dataclass(frozen=True, slots=True)
class MemberRoles:
    """/whoami: what the bot knows a person may do."""

    user_id: int
    is_admin: bool
    countries: list[tuple[str, str]]  # (code, name) led directly
    groups: list[str]  # working groups led
    government: list[tuple[str, str]] = field(default_factory=list)  # (code, name) spoken for


def member_roles(db: Database, visitor: Visitor) -> MemberRoles:
    with db.session() as session:
        grants = session.exec(
            select(RoleGrant).where(RoleGrant.member_id == visitor.user_id).order_by(RoleGrant.id)
        ).all()
        countries: list[tuple[str, str]] = []
        groups: list[str] = []
        government: list[tuple[str, str]] = []
        for grant in grants:
            codes: dict[str, str] = {}
            label = _grant_label(session, grant, codes)
            if grant.role == Role.GOVERNMENT:
                government.append((codes.get(label, label), label))
            elif label in codes:
                countries.append((codes[label], label))
            else:
                groups.append(label)
        return MemberRoles(visitor.user_id or 0, visitor.is_admin, countries, groups, government)


# ------------------------------------------------------------------ audit log


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    target: str
    allowed: bool
    detail: str


@dataclass(frozen=True, slots=True)
class AuditPage(Paged):
    entries: list[AuditEntry]
    page: int
    total: int
    page_size: int = AUDIT_PAGE_SIZE


def audit_page(
    db: Database, visitor: Visitor, *, page: int = 0, record: bool = True
) -> AuditPage | None:
    """The latest audit entries, newest first, for admins; None (audited) for others.

    ``record``: write the (allowed) reading itself to the log; paging does not.
    """
    with db.session() as session:
        if authorize(session, visitor, "audit.view", visitor.is_admin, detail=NOT_AN_ADMIN):
            return None
        if record:
            audit(session, visitor.user_id, "audit.view")
            session.flush()
        total = session.exec(select(sa.func.count()).select_from(AuditLog)).one()
        page = clamp_page(page, total, AUDIT_PAGE_SIZE)
        rows = session.exec(
            select(AuditLog, Member.display_name)
            .join(Member, col(Member.id) == col(AuditLog.actor_id), isouter=True)
            .order_by(col(AuditLog.id).desc())
            .offset(page * AUDIT_PAGE_SIZE)
            .limit(AUDIT_PAGE_SIZE)
        ).all()
        entries = [
            AuditEntry(
                id=row.id,
                at=row.at,
                actor_id=row.actor_id,
                actor_name=name or "",
                action=row.action,
                target=row.target,
                allowed=row.allowed,
                detail=row.detail,
            )
            for row, name in rows
        ]
        return AuditPage(entries, page, total)


def _clip(text: str, limit: int = DETAIL_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
