"""What an id looks like: commitment ids as OGP publishes them, numbers people type.

One definition of a commitment id, used by the importer, the search, the
handlers and the buttons alike: when they disagreed, the importer accepted ids
that a button could not carry, and every card showing one crashed.

OGP's ids are a member's prefix and a four-digit number: two letters for a
country (``AL0066``, ``UK0051``), three for most local members (``BUE0009``,
``PNG0001``, ``SCO0006``), five for newer local members (``KENMS0005``,
``KENDC0003``). People type them loosely (``al-0066``, ``AL 0066``); a command
taking an id reads those as the canonical form.
"""

from __future__ import annotations

import re

#: The canonical form: 2-5 capital letters, then 4 digits.
COMMITMENT_ID = re.compile(r"[A-Z]{2,5}[0-9]{4}")

#: As typed: any case, a space, hyphen, dot or underscore between the two halves.
TYPED_COMMITMENT_ID = re.compile(r"^\s*([A-Za-z]{2,5})[ ._-]?([0-9]{4})\s*$")

#: Telegram user ids have at most 52 significant bits (Bot API documentation);
#: anything larger is not an id, and would overflow the database's integers.
MAX_USER_ID = 2**52 - 1
#: The largest row number (working group, report, page) a person may type.
MAX_ROW_NUMBER = 2**31 - 1


def is_commitment_id(text: str) -> bool:
    """True for an id in its canonical form (what the database and buttons hold)."""
    return COMMITMENT_ID.fullmatch(text) is not None


def normalise_commitment_id(text: str | None) -> str | None:
    """The canonical form of a loosely typed id (``al-0066`` -> ``AL0066``), else None."""
    if not text:
        return None
    match = TYPED_COMMITMENT_ID.match(text)
    if match is None:
        return None
    return (match.group(1) + match.group(2)).upper()


def parse_number(text: str, *, maximum: int = MAX_ROW_NUMBER) -> int | None:
    """A non-negative number typed in ASCII digits, if it is at most ``maximum``.

    ``str.isdigit`` also accepts superscripts and other scripts' digits, which
    ``int`` then refuses or reads unexpectedly; and Python's integers have no
    bound, the database's do.
    """
    if not text or len(text) > len(str(maximum)) or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= maximum else None


def parse_user_id(text: str) -> int | None:
    """A Telegram user id as typed (``/grant 123456789``), or None."""
    value = parse_number(text, maximum=MAX_USER_ID)
    return value if value else None
