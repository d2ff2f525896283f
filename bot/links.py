"""t.me deep links into the bot's private chat."""

from __future__ import annotations

REPORT = "report"  # report or report_AR0045
FOLLOW = "follow_"  # follow_KEN
FOLLOW_STEP = "follow"  # the countries to follow
LOOKUP = "lookup"  # how to look something up
HELP = "help"
# A commitment id alone (start=AR0045) opens its card.


def report_link(bot_username: str, commitment_id: str | None = None) -> str:
    payload = f"{REPORT}_{commitment_id}" if commitment_id else REPORT
    return f"https://t.me/{bot_username}?start={payload}"


def public_page(base_url: str, language: str, commitment_id: str) -> str | None:
    """A commitment's page on the public static site (#15); None when none is configured."""
    if not base_url:
        return None
    return f"{base_url.rstrip('/')}/{language}/commitments/{commitment_id}.html"
