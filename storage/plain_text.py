"""What a message typed without a command means: an id, a member, or a search.

People type what they want (``AR45``, ``Kenia``, ``beneficial ownership``)
rather than commands. One call decides which it is and returns the data to
show, so the handler answering it stays a parse-call-render:

1. an id in any loose form (``ar-0045``, ``AR 45``) that names a commitment:
   its card;
2. a member's name, fuzzy and in any indexed language (``Kenia``, ``Nairobi``,
   ``Philipines``): its page of action plans;
3. anything else: a search (typo-tolerant, narrowed to a member named in it),
   saved for its paging buttons;
4. when the search finds nothing: the id it looked like, or nothing at all (a
   member's name only loosely like the text is no answer: "hello" is not Greece,
   "Hellas").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from storage.commitments import CommitmentCard, PlanSummary, country_plans, get_card
from storage.countries import country, resolve_country
from storage.db import Database
from storage.ids import COMMITMENT_ID, normalise_commitment_id
from storage.models import Country
from storage.search import MAX_QUERY_CHARS, SavedPage, search_and_remember

#: An id with fewer than four digits, as people shorten them: "AR45", "bue 9".
_SHORT_ID = re.compile(r"^\s*([A-Za-z]{2,5})[ ._-]?([0-9]{1,3})\s*$")
#: Texts of more words than this are never taken for a member's name.
MAX_NAME_WORDS = 5


@dataclass(frozen=True, slots=True)
class Understood:
    """What the text meant; at most one of these is set (none: nothing found)."""

    card: CommitmentCard | None = None
    member: Country | None = None
    plans: list[PlanSummary] = field(default_factory=list)
    search: SavedPage | None = None
    unknown_id: str | None = None  # found nothing; the text looked like this id


def loose_commitment_id(text: str) -> str | None:
    """The canonical id a loosely typed one stands for: ``ar-0045`` and ``AR45``
    are ``AR0045`` (digits padded to OGP's four)."""
    if commitment_id := normalise_commitment_id(text):
        return commitment_id
    match = _SHORT_ID.match(text or "")
    if match is None:
        return None
    padded = match.group(1).upper() + match.group(2).zfill(4)
    return padded if COMMITMENT_ID.fullmatch(padded) else None


def understand(db: Database, chat_id: int, text: str, *, now: datetime | None = None) -> Understood:
    """Decide what ``text`` asks for and fetch it (see the module's docstring)."""
    text = (text or "").strip()[:MAX_QUERY_CHARS]
    commitment_id = loose_commitment_id(text)
    if commitment_id is not None:
        card = get_card(db, commitment_id, chat_id=chat_id, now=now)
        if card is not None:
            return Understood(card=card)
    if commitment_id is None and 0 < len(text.split()) <= MAX_NAME_WORDS:
        resolution = resolve_country(db, text)
        if resolution.match is not None:
            member = country(db, resolution.match.code)
            if member is not None:
                return Understood(member=member, plans=country_plans(db, member.code))
    found = search_and_remember(db, chat_id, text, now=now)
    if found.page.total:
        return Understood(search=found)
    return Understood(unknown_id=commitment_id)
