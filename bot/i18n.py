"""gettext for every user-facing text.

Views receive a ``gettext.NullTranslations`` for the reader's language and call
``_ = tr.gettext`` on it, so Babel's extractor finds every string. Adding a
language is a matter of a catalogue under ``bot/locales/<lang>/LC_MESSAGES``:
nothing in the code changes.
"""

from __future__ import annotations

import gettext
from functools import cache
from importlib import resources
from pathlib import Path

from babel import Locale, UnknownLocaleError

DOMAIN = "ogp_bot"
DEFAULT_LANGUAGE = "en"


def locale_dir() -> Path:
    return Path(str(resources.files("bot") / "locales"))


@cache
def available_languages() -> frozenset[str]:
    """Languages with a compiled catalogue (English is always there: it is the source)."""
    found = {DEFAULT_LANGUAGE}
    base = locale_dir()
    if base.is_dir():
        for child in base.iterdir():
            if (child / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file():
                found.add(child.name)
    return frozenset(found)


def pick_language(*candidates: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The first candidate we have a catalogue for ("pt-br" matches "pt")."""
    languages = available_languages()
    for candidate in candidates:
        if not candidate:
            continue
        code = candidate.replace("-", "_").lower()
        if code in languages:
            return code
        base = code.split("_", 1)[0]
        if base in languages:
            return base
    return default if default in languages else DEFAULT_LANGUAGE


def language_of(tr: gettext.NullTranslations) -> str:
    """The language a translations object speaks (its catalogue's header)."""
    return tr.info().get("language") or DEFAULT_LANGUAGE


def translation_for(language: str | None, default: str) -> gettext.NullTranslations:
    """Translations for a chat's stored language, else ``default``'s (the configured one)."""
    return translation(pick_language(language, default=default))


@cache
def translation(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        DOMAIN, localedir=locale_dir(), languages=[language, DEFAULT_LANGUAGE], fallback=True
    )


@cache
def language_name(code: str) -> str:
    """A language's own name for itself ("Español"): what people look for in a list."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name() or ""
    except (ValueError, UnknownLocaleError):
        name = ""
    return name[:1].upper() + name[1:] if name else code
