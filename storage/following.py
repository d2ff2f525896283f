"""Which chats follow which OGP members, and who may change that.

A private chat belongs to its member, who may always change it. A group chat
belongs to its working group: only the group's Telegram administrators (a fact
the bot side asks Telegram for) or the bot's leads and admins may change what
it follows. Every change to a group, allowed or refused, is audited.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.audit import audit
from storage.commitments import LIVE_STATES, STALE_AFTER
from storage.countries import (
    LANGUAGE_MEMBERS,
    Resolutions,
    collation_key,
    country_index,
    localized_name,
    resolve_countries,
)
from storage.db import Database, conflict_insert
from storage.models import (
    Chat,
    ChatType,
    Commitment,
    Country,
    Report,
    Subscription,
    UpdateState,
    utcnow,
)
from storage.paging import page_count
from storage.people import Visitor
from storage.permissions import authorize, may_manage
from storage.schedule import next_slot

RECENT = STALE_AFTER  # the same window as /stats


@dataclass
class FollowChange:
    allowed: bool = True
    added: list[Country] = field(default_factory=list)
    removed: list[Country] = field(default_factory=list)
    unchanged: list[Country] = field(default_factory=list)


def change_following(
    db: Database,
    visitor: Visitor,
    chat_id: int,
    *,
    follow: Iterable[str] = (),
    unfollow: Iterable[str] = (),
    chat_admin: bool = False,
    now: datetime | None = None,
    thread_id: int = 0,
) -> FollowChange:
    """Add and remove countries for a chat (or one forum topic of it), if the visitor
    may; audits groups.

    Following a first country starts the chat's digest schedule.
    """
    follow, unfollow = [c.upper() for c in follow], [c.upper() for c in unfollow]
    chat_type = visitor.chat_type
    allowed = may_manage(visitor, chat_type=chat_type, chat_admin=chat_admin)
    result = FollowChange(allowed=allowed)
    target = f"chat:{chat_id}" + (f":{thread_id}" if thread_id else "")
    detail = f"+{','.join(follow)} -{','.join(unfollow)}"
    with db.session() as session:
        if authorize(session, visitor, "follow.change", allowed, target=target, detail=detail):
            return result
        if chat_type != ChatType.PRIVATE:  # a group's changes are audited, not a person's own
            audit(session, visitor.user_id, "follow.change", target=target, detail=detail)
        current = _followed(session, chat_id, thread_id)
        countries = {
            c.code: c
            for c in session.exec(_COUNTRIES_IN, params={"codes": follow + unfollow})  # type: ignore[call-overload]
        }
        for code in dict.fromkeys(follow):
            if code not in countries:
                continue
            if code in current:
                result.unchanged.append(countries[code])
            else:
                current.add(code)
                result.added.append(countries[code])
        for code in dict.fromkeys(unfollow):
            if code in current and code in countries:
                current.discard(code)
                result.removed.append(countries[code])
            elif code in countries:
                result.unchanged.append(countries[code])
        where = {"chat_id": chat_id, "thread_id": thread_id}
        if result.added:
            created = utcnow()
            session.execute(
                _follow_ignoring_known(session.get_bind().dialect.name),
                [{**where, "country_code": c.code, "created_at": created} for c in result.added],
            )
            _start_digests(session, chat_id, now or utcnow())
        if result.removed:
            session.execute(_UNFOLLOW, [{**where, "code": c.code} for c in result.removed])
    return result


# /subscribe's statements, built once: building select() objects and ORM
# unit-of-work flushes were most of a subscribe's cost (py-spy, bench.throughput).
_CHAT_ID = sa.bindparam("chat_id", type_=sa.BigInteger)
_THREAD_ID = sa.bindparam("thread_id", type_=sa.Integer)
_COUNTRIES_IN = select(Country).where(
    col(Country.code).in_(sa.bindparam("codes", type_=sa.String, expanding=True))
)
_SUBSCRIPTIONS = Subscription.__table__.c  # type: ignore[attr-defined]
_CHATS = Chat.__table__.c  # type: ignore[attr-defined]
_FOLLOWED = sa.select(_SUBSCRIPTIONS.country_code).where(
    _SUBSCRIPTIONS.chat_id == _CHAT_ID, _SUBSCRIPTIONS.thread_id == _THREAD_ID
)
_UNFOLLOW = sa.delete(Subscription.__table__).where(  # type: ignore[arg-type]
    _SUBSCRIPTIONS.chat_id == _CHAT_ID,
    _SUBSCRIPTIONS.country_code == sa.bindparam("code", type_=sa.String),
    _SUBSCRIPTIONS.thread_id == _THREAD_ID,
)
_CHAT_SCHEDULE = sa.select(
    _CHATS.digest_frequency, _CHATS.digest_weekday, _CHATS.digest_hour, _CHATS.timezone
).where(_CHATS.id == _CHAT_ID, _CHATS.next_digest_at.is_(None))
_SET_NEXT_DIGEST = (
    sa.update(Chat.__table__)  # type: ignore[arg-type]
    .where(_CHATS.id == _CHAT_ID, _CHATS.next_digest_at.is_(None))
    .values(next_digest_at=sa.bindparam("due", type_=_CHATS.next_digest_at.type))
)


@functools.cache
def _follow_ignoring_known(dialect: str) -> sa.Insert:
    """A subscription's INSERT that skips one already there (two presses racing
    on the same country must not fail on the primary key), built once per dialect."""
    table = Subscription.__table__  # type: ignore[attr-defined]
    if dialect in ("mysql", "mariadb"):
        return sa.insert(table).prefix_with("IGNORE")
    return conflict_insert(dialect)(table).on_conflict_do_nothing()


def _start_digests(session: Session, chat_id: int, now: datetime) -> None:
    """Following a first country starts the chat's digest schedule (``schedule.reschedule``
    as two statements: the chat's row is not loaded into the ORM)."""
    row = session.execute(_CHAT_SCHEDULE, {"chat_id": chat_id}).first()
    if row is None:
        return
    frequency, weekday, hour, timezone = row
    due = next_slot(frequency, weekday, hour, timezone, now)
    if due is not None:
        session.execute(_SET_NEXT_DIGEST, {"chat_id": chat_id, "due": due})


def follow_by_text(
    db: Database,
    visitor: Visitor,
    chat_id: int,
    text: str,
    *,
    unfollow: bool = False,
    chat_admin: bool = False,
    now: datetime | None = None,
    thread_id: int = 0,
) -> tuple[FollowChange, Resolutions]:
    """Resolve what a person typed and follow (or unfollow) what matched.

    Returns the change and the pieces that matched no member or several (with
    ``truncated`` set when the text named more than one command reads). The
    right is checked before any name is matched: matching is the costly part,
    and someone who may not change the chat must not be able to spend it.
    """
    if not may_manage(visitor, chat_type=visitor.chat_type, chat_admin=chat_admin):
        refused = change_following(
            db, visitor, chat_id, chat_admin=chat_admin, now=now, thread_id=thread_id
        )
        return refused, Resolutions()
    resolutions = resolve_countries(db, text)
    codes = [r.match.code for r in resolutions if r.match is not None]
    unresolved = Resolutions(r for r in resolutions if r.match is None)
    unresolved.truncated = resolutions.truncated
    wanted = {"unfollow" if unfollow else "follow": codes}
    change = change_following(
        db, visitor, chat_id, chat_admin=chat_admin, now=now, thread_id=thread_id, **wanted
    )
    return change, unresolved


def toggle_following(
    db: Database,
    visitor: Visitor,
    chat_id: int,
    code: str,
    *,
    chat_admin: bool = False,
    now: datetime | None = None,
    thread_id: int = 0,
) -> FollowChange:
    key = "unfollow" if code.upper() in followed_codes(db, chat_id, thread_id) else "follow"
    return change_following(
        db,
        visitor,
        chat_id,
        chat_admin=chat_admin,
        now=now,
        thread_id=thread_id,
        **{key: [code]},
    )


def followed_codes(db: Database, chat_id: int, thread_id: int = 0) -> set[str]:
    with db.session() as session:
        return _followed(session, chat_id, thread_id)


def _followed(session: Session, chat_id: int, thread_id: int = 0) -> set[str]:
    params = {"chat_id": chat_id, "thread_id": thread_id}
    return set(session.execute(_FOLLOWED, params).scalars())


@dataclass(frozen=True, slots=True)
class FollowedCountry:
    code: str
    name: str
    commitments: int
    recent_reports: int  # verified, in the last REPORT_WINDOW_DAYS
    recent_unverified: int = 0  # waiting for a lead, same window


def following(
    db: Database, chat_id: int, *, now: datetime | None = None, thread_id: int = 0
) -> list[FollowedCountry]:
    """What a chat (or one forum topic of it) follows, with commitment and recent-report
    counts (verified and unverified apart; rejected and withdrawn ones count nowhere),
    in three queries."""
    since = (now or utcnow()) - RECENT
    with db.session() as session:
        countries = session.exec(
            select(Country)
            .join(Subscription, col(Subscription.country_code) == col(Country.code))
            .where(Subscription.chat_id == chat_id)
            .where(Subscription.thread_id == thread_id)
            .order_by(Country.name)
        ).all()
        codes = [c.code for c in countries]
        commitments = dict(
            session.exec(
                select(Commitment.country_code, sa.func.count())
                .where(col(Commitment.country_code).in_(codes))
                .group_by(Commitment.country_code)
            ).all()
        )
        reports: dict[tuple[str, str], int] = {
            (code, state): count
            for code, state, count in session.exec(
                select(Commitment.country_code, Report.state, sa.func.count())
                .join(Report, col(Report.commitment_id) == col(Commitment.id))
                .where(col(Commitment.country_code).in_(codes))
                .where(Report.created_at >= since)
                .where(col(Report.state).in_(LIVE_STATES))
                .group_by(Commitment.country_code, Report.state)
            ).all()
        }
    return [
        FollowedCountry(
            c.code,
            c.name,
            commitments.get(c.code, 0),
            reports.get((c.code, UpdateState.VERIFIED), 0),
            reports.get((c.code, UpdateState.PENDING), 0),
        )
        for c in countries
    ]


@dataclass(frozen=True, slots=True)
class RegionPage:
    region: str
    members: list[Country]
    followed: set[str]
    page: int
    pages: int


REGION_PAGE_SIZE = 12


def regions(db: Database) -> list[str]:
    with db.session() as session:
        return sorted(r for r in session.exec(select(Country.region).distinct()).all() if r)


def _shown_name(country: Country, language: str | None) -> str:
    name = localized_name(country.code, language)
    return country.name if name == country.code else name


def region_page(
    db: Database,
    chat_id: int,
    region: str,
    page: int,
    *,
    language: str | None = None,
    thread_id: int = 0,
) -> RegionPage:
    """Members of a region (nationals first, then locals), paged, with what is followed.

    Sorted by their names in ``language``, as the reader sees them ("Alemania"
    comes first in Spanish, not between Georgia and Ghana).
    """
    with db.session() as session:
        members = sorted(
            session.exec(select(Country).where(Country.region == region)).all(),
            key=lambda c: (c.kind != "national", collation_key(_shown_name(c, language), language)),
        )
        followed = _followed(session, chat_id, thread_id)
    pages = page_count(len(members), REGION_PAGE_SIZE)
    page = max(0, min(page, pages - 1))
    chunk = members[page * REGION_PAGE_SIZE : (page + 1) * REGION_PAGE_SIZE]
    return RegionPage(region, list(chunk), followed, page, pages)


def suggested_members(
    db: Database, chat_id: int, language_tag: str | None, *, limit: int = 4
) -> list[Country]:
    """Members to offer a newcomer, from their Telegram language (see
    ``countries.LANGUAGE_MEMBERS``), leaving out what the chat already follows."""
    language, _, region = (language_tag or "").replace("_", "-").partition("-")
    codes = list(LANGUAGE_MEMBERS.get(language.lower(), ()))
    if region:
        national = country_index(db).get(region.upper()[:2]) if len(region) == 2 else None
        if national is not None:
            codes.insert(0, national.code)
    with db.session() as session:
        followed = _followed(session, chat_id)
        found = {
            c.code: c
            for c in session.exec(select(Country).where(col(Country.code).in_(codes))).all()
        }
    wanted = [found[c] for c in dict.fromkeys(codes) if c in found and c not in followed]
    return wanted[:limit]
