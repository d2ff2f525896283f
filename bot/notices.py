"""Messages to other people, rendered when the outbox sender sends them.

Storage queues such a row with its ``kind`` and a small payload of data (ids,
the recipient's language) and no text; here each kind has the one function that
turns the data, read back through storage, into the message. A row whose data is
gone by then (the report erased) renders to None and is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from gettext import NullTranslations
from typing import Any

from bot.views import government as government_views
from bot.views import pledge_reports as pledge_views
from bot.views import reports as report_views
from bot.views import review as review_views
from bot.views import roles as role_views
from storage import outbox, pledge_reports
from storage import reports as report_store
from storage.db import Database
from storage.roles import RoleChange

# (text, reply_markup as a dict), or None when there is nothing left to tell.
Rendered = tuple[str, dict[str, Any] | None] | None
Render = Callable[[NullTranslations, Database, dict[str, Any]], Rendered]


def _needs_verifying(tr: NullTranslations, db: Database, payload: dict[str, Any]) -> Rendered:
    """A reviewer's "needs verifying" notice, with the report as it is now."""
    result = report_store.submitted(db, payload["report_id"], payload["revision"])
    if result is None:
        return None
    return review_views.to_reviewers(tr, result, reveal=bool(payload.get("reveal"))).stored()


def _decided(tr: NullTranslations, db: Database, payload: dict[str, Any]) -> Rendered:
    """A reviewer's notices, edited once someone decided: who did, without buttons."""
    info = report_store.get_report(db, payload["report_id"])
    if info is None:
        return None
    return review_views.reviewed(tr, info, payload.get("reviewer", "")).text, None


def _outcome(tr: NullTranslations, db: Database, payload: dict[str, Any]) -> Rendered:
    """The decision on a report, to its author."""
    info = report_store.get_report(db, payload["report_id"])
    if info is None:
        return None
    return review_views.outcome_for_reporter(tr, info).stored()


def _to_government(tr: NullTranslations, db: Database, payload: dict[str, Any]) -> Rendered:
    """A verified report, to a government contact of its country, with a Reply button."""
    info = report_store.get_report(db, payload["report_id"])
    return None if info is None else government_views.notice(tr, info)


def _draft_expired(tr: NullTranslations, db: Database, payload: dict[str, Any]) -> Rendered:
    """An unfinished report dropped after a day, to its author (nothing to read back)."""
    return report_views.expired_draft(tr, payload.get("commitment_id")).text, None


def _role(tr: NullTranslations, db: Database, payload: dict[str, Any]) -> Rendered:
    """A member whose roles changed: the change, then what they may do now."""
    change = RoleChange(
        allowed=True,
        changed=payload.get("changed", []),
        remaining=payload.get("remaining", []),
        codes=payload.get("codes", {}),
        government=bool(payload.get("government")),
        government_remaining=payload.get("government_remaining", []),
        government_changed=payload.get("government_changed", []),
    )
    return role_views.role_notice(tr, change, revoke=bool(payload.get("revoke"))), None


def _pledge_ask(tr: NullTranslations, db: Database, payload: dict[str, Any]) -> Rendered:
    """A lead's "needs verifying" notice of a pledge report."""
    found = pledge_reports.line(db, payload["report_id"])
    if found is None:
        return None
    return pledge_views.to_reviewers(tr, found, reveal=bool(payload.get("reveal"))).stored()


def _pledge_outcome(tr: NullTranslations, db: Database, payload: dict[str, Any]) -> Rendered:
    """The decision on a pledge report, to its author."""
    found = pledge_reports.line(db, payload["report_id"])
    if found is None:
        return None
    return pledge_views.outcome_for_author(tr, found).stored()


NOTICES: dict[str, Render] = {
    outbox.NOTICE: _needs_verifying,
    outbox.NOTICE_CLOSED: _decided,
    outbox.OUTCOME: _outcome,
    outbox.GOVERNMENT: _to_government,
    outbox.DRAFT_EXPIRED: _draft_expired,
    outbox.ROLE: _role,
    pledge_reports.PLEDGE_ASK: _pledge_ask,
    pledge_reports.PLEDGE_OUTCOME: _pledge_outcome,
}


def render(
    tr_for: Callable[[str | None], NullTranslations], db: Database, kind: str, payload: dict
) -> Rendered:
    """The message of a row queued as data; None if its kind is unknown or its data gone.

    Reads the database: the sender calls it in a worker thread.
    """
    renderer = NOTICES.get(kind)
    if renderer is None:
        return None
    return renderer(tr_for(payload.get("language")), db, payload)
