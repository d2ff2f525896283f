"""What every report step checks: its limits, its errors and the flood limit.

Drafts, submission and edits all raise these and count against the same limit,
so they live apart from each of them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from storage.models import (
    PledgeReport,
    Report,
    UpdateRevision,
)

REPORTS_PER_HOUR = 20
# Limits are in UTF-16 code units, as Telegram counts (an emoji is two).
NOTE_LIMIT = 2000
MAX_EVIDENCE = 10


class ReportError(Exception):
    """A rule said no; ``args[0]`` names which, for the view to word."""


class FloodLimited(ReportError):
    def __init__(self, wait: timedelta) -> None:
        super().__init__("flood")
        self.wait = wait


def flood_wait(session: Session, member_id: int, now: datetime) -> timedelta | None:
    """How long until the member may send another report, if they are at the limit.

    Sending a change counts like sending a report: each one asks every lead and
    admin again, so edit-and-send loops must not get around the limit.
    """
    since = now - timedelta(hours=1)
    sent = select(Report.created_at.label("at")).where(
        Report.reporter_id == member_id, Report.created_at >= since
    )
    changed = select(UpdateRevision.at.label("at")).where(
        UpdateRevision.actor_id == member_id,
        UpdateRevision.action == "edited",
        UpdateRevision.at >= since,
    )
    pledged = select(PledgeReport.created_at.label("at")).where(
        PledgeReport.reporter_id == member_id, PledgeReport.created_at >= since
    )
    times = sorted(session.exec(sa.union_all(sent, changed, pledged)).scalars())
    if len(times) < REPORTS_PER_HOUR:
        return None
    oldest_counted = times[len(times) - REPORTS_PER_HOUR]
    return max(timedelta(seconds=1), oldest_counted + timedelta(hours=1) - now)
