"""Lengths as Telegram counts them: in UTF-16 code units.

An emoji outside the Basic Multilingual Plane is one Python character but two
units to Telegram, so a limit checked with ``len`` lets through texts Telegram
refuses ("message is too long"). Every limit the bot checks, and every cut or
split of a text, measures with these. Here rather than in ``bot/`` because
storage enforces limits too (a report's note, a rejection's reason).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def utf16_prefix(text: str, units: int) -> int:
    """How many characters of ``text`` fit in ``units``, never splitting one in two."""
    if units <= 0:
        return 0
    head = text.encode("utf-16-le")[: units * 2]
    if len(head) >= 2 and 0xD800 <= int.from_bytes(head[-2:], "little") <= 0xDBFF:
        head = head[:-2]  # half of a surrogate pair: leave the whole character out
    return len(head.decode("utf-16-le"))


def utf16_truncate(text: str, units: int) -> str:
    """``text`` cut to at most ``units`` (for stored limits; views add an ellipsis)."""
    return text[: utf16_prefix(text, units)]


def utf16_chunks(text: str, units: int) -> Iterator[str]:
    """``text`` in consecutive pieces of at most ``units`` each."""
    while text:
        cut = max(1, utf16_prefix(text, units))
        yield text[:cut]
        text = text[cut:]


# ------------------------------------------------------------------------- folding

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "′": "'"})
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Case and accents folded away: "Participación" -> "participacion".

    The one comparison of words people type with words we hold (search, its
    spelling corrections, country names, typed statuses), so that a word found
    one way is found every way. Case folds first (``casefold``: "ß" -> "ss"),
    then compatibility decomposition splits "é" into "e" and a combining accent,
    which goes; NFC puts back what decomposition split and kept (Hangul).

    PostgreSQL has no such function without the unaccent extension, and SQLite's
    LIKE ignores ASCII case only: there the search's fallback turns each folded
    character of a word back into the class of every character that folds to it
    (``storage.search._letters_pattern``, a regular expression or a GLOB built
    with this function over ``storage.search._ACCENTED``). SQL and Python thus
    agree for every letter of that table; a letter outside it is matched as
    itself in both cases.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped)


def fold_words(text: str) -> str:
    """``fold``, apostrophes dropped, and punctuation and spaces as single spaces:
    the key names are compared by ("Côte d’Ivoire" and "cote divoire" meet)."""
    return _NON_WORD.sub(" ", fold(text.translate(_APOSTROPHES).replace("'", ""))).strip()
