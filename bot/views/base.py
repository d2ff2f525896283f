"""Message texts and keyboards: pure functions from data to what a chat shows.

Every text is Telegram HTML. Anything that came from a person or from OGP's
data goes through ``esc`` before it is placed in a message.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from gettext import NullTranslations
from typing import Any, TypeVar
from urllib.parse import urlsplit

from babel import UnknownLocaleError
from babel.dates import format_skeleton
from babel.numbers import format_decimal
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import language_of
from storage.countries import NOT_TAKING_PART, collation_key, localized_name
from storage.models import Country, Role
from storage.text import utf16_len, utf16_prefix

# Telegram's limits, in UTF-16 code units of the text after its HTML is parsed.
MAX_MESSAGE_LENGTH = 4096
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True, slots=True)
class View:
    text: str
    keyboard: InlineKeyboardMarkup | None = None

    def stored(self) -> tuple[str, dict[str, Any] | None]:
        """The view as an outbox row holds it: the text, and the keyboard as JSON data."""
        return self.text, self.keyboard.to_dict() if self.keyboard else None


def fixed(message: str) -> Callable[[NullTranslations], View]:
    """The view of an answer that is one sentence, always the same but for its
    language; ``message`` is marked with ``N_`` so that it is extracted."""

    def view(tr: NullTranslations) -> View:
        return View(tr.gettext(message))

    return view


def esc(text: object) -> str:
    """Escape text for Telegram HTML (quotes too, so it is safe inside attributes)."""
    return html.escape(str(text), quote=True)


PYCOUNTRY_LOCALE = {"pt": "pt_BR"}


def names_locale(tr: NullTranslations) -> str:
    """The locale whose country names go with ``tr`` (our Portuguese is Brazil's)."""
    language = language_of(tr)
    return PYCOUNTRY_LOCALE.get(language, language)


def country_name(tr: NullTranslations, code: str, name: str) -> str:
    """A member's name in the reader's language ("Kenia", "Brésil"), from pycountry.

    Local members, and names pycountry does not translate, keep ``name``.
    """
    locale = names_locale(tr)
    if locale == "en":
        return name
    translated = localized_name(code, locale)
    return name if translated == code else translated


def _month(tr: NullTranslations, since: str) -> str:
    """When a standing began, to the month ("January 2026", "enero de 2026"), or
    the year alone when that is all the source says."""
    parts = [int(p) for p in since.split("-")[:2] if p.isdigit()]
    if len(parts) < 2:
        return since
    try:
        return format_skeleton("yMMMM", date(parts[0], parts[1], 1), locale=language_of(tr))
    except (ValueError, UnknownLocaleError):
        return format_skeleton("yMMMM", date(parts[0], parts[1], 1), locale="en")


def standing(tr: NullTranslations, country: Country) -> str:
    """What OGP's own data says of a member, in one sentence: a tracker that calls
    a country that left a member loses the trust of those who know better."""
    _ = tr.gettext
    name = f"<b>{esc(country_name(tr, country.code, country.name))}</b>"
    when = esc(_month(tr, country.status_since))
    status = country.status
    if status == "active":
        if not country.status_since:
            return _("OGP lists {name} as a member.").format(name=name)
        return _("{name} has been active in OGP since {when}.").format(name=name, when=when)
    if status == "withdrawn" and country.status_since:
        return _("{name} withdrew from OGP in {when}.").format(name=name, when=when)
    if status == "suspended" and country.status_since:
        return _("{name} was suspended from OGP in {when}.").format(name=name, when=when)
    if status == "removed" and country.status_since:
        return _("OGP ended the membership of {name} in {when}.").format(name=name, when=when)
    if status == "inactive" and country.status_since:
        return _("{name} was made inactive in OGP in {when}.").format(name=name, when=when)
    return _("{name}: OGP membership not verified.").format(name=name)


def is_former(country: Country) -> bool:
    """A member that no longer takes part (or not now): following it gets a note."""
    return country.status in NOT_TAKING_PART


def source_link(tr: NullTranslations, url: str) -> str:
    """The page behind a fact the bot states, linked by its site's name; "" without one."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return tr.gettext("Source: {link}").format(
        link=f'<a href="{esc(url)}">{esc(parts.netloc.removeprefix("www."))}</a>'
    )


T = TypeVar("T")


def by_name(tr: NullTranslations, items: Iterable[T], name: Callable[[T], str]) -> list[T]:
    """``items`` in the order the reader's language sorts their shown names
    ("Alemania, España, Estonia" in Spanish; see ``storage.countries.collation_key``)."""
    language = language_of(tr)
    return sorted(items, key=lambda item: collation_key(name(item), language))


def by_country_name(tr: NullTranslations, items: Iterable[T]) -> list[T]:
    """Anything with ``code`` and ``name`` (members, followed countries), by shown name."""
    return by_name(tr, items, lambda c: country_name(tr, c.code, c.name))  # type: ignore[attr-defined]


def member_label(tr: NullTranslations, member: object) -> str:
    """An OGP member's name as a reader can place it: a local member says so and
    names its country ("Nairobi — local, Kenya"); a country is just its name.

    ``member`` is anything with ``code``, ``name``, ``kind`` and ``parent``.
    """
    code, name = member.code, member.name
    shown = country_name(tr, code, name)
    parent = getattr(member, "parent", None)
    if getattr(member, "kind", "") != "local" or not parent:
        return shown
    return tr.gettext("{name} — local, {country}").format(
        name=shown, country=localized_name(parent, names_locale(tr))
    )


def number(tr: NullTranslations, value: int) -> str:
    """``value`` grouped the reader's way: 1,000 in English, 1 000 in French."""
    try:
        return format_decimal(value, locale=language_of(tr))
    except (ValueError, UnknownLocaleError):  # a catalogue whose header Babel cannot place
        return format_decimal(value, locale="en")


def clip(text: str, limit: int) -> str:
    """Shorten plain text (before escaping, so no entity is ever cut) with an ellipsis.

    ``limit`` is in UTF-16 code units, as Telegram counts.
    """
    text = text.strip()
    if utf16_len(text) <= limit:
        return text
    return text[: utf16_prefix(text, limit - 1)].rstrip() + "…"


def visible_len(html_text: str) -> int:
    """The length Telegram checks against its limits: the text once tags and
    entities are parsed, in UTF-16 code units (``&amp;`` is one, a tag none)."""
    return utf16_len(html.unescape(_TAG.sub("", html_text)))


def role_name(tr: NullTranslations, role: Role) -> str:
    _ = tr.gettext
    names = {Role.MEMBER: _("member"), Role.LEAD: _("lead"), Role.ADMIN: _("admin")}
    return names[role]


def reporter_label(
    tr: NullTranslations, name: str, *, anonymous: bool = False, reveal: bool = False
) -> str:
    """Who reported, as this reader may know it: an anonymous report is "a coalition
    member" to everyone but the bot's admins (``reveal``)."""
    _ = tr.gettext
    if anonymous:
        label = _("a coalition member")
        if reveal and name:
            return _("{label} (anonymous; only admins see this: {name})").format(
                label=label, name=name
            )
        return label
    return name or _("former member")


def split_html(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Split a long HTML text at line breaks, never inside a tag or an entity.

    Tags are closed at the end of each part and reopened at the start of the
    next, so each part is valid Telegram HTML on its own. Parts are measured as
    Telegram measures them (``visible_len``).
    """
    if visible_len(text) <= limit:
        return [text]
    parts: list[str] = []
    current, size = "", 0  # the part being built, and its visible length
    open_tags: list[str] = []
    for line in text.split("\n"):
        line_size = visible_len(line)
        if current and size + 1 + line_size > limit:
            parts.append(current + _closing(open_tags))
            current, size = "".join(open_tags) + line, line_size
        elif current:
            current, size = f"{current}\n{line}", size + 1 + line_size
        else:
            current, size = line, line_size
        while size > limit:
            # One line longer than a message: cut it where the raw text alone fits.
            cut = _safe_cut(current, utf16_prefix(current, limit - 1))
            head = current[:cut]
            parts.append(head + _closing(_open_tags(head)))
            current = "".join(_open_tags(head)) + current[cut:]
            size = visible_len(current)
        open_tags = _open_tags(current)
    if current:
        parts.append(current)
    return parts


HEADING_WORDS = 10  # a paragraph this short, without a full stop, heads a section


def _is_heading(block: str) -> bool:
    line = block.strip()
    return (
        bool(line)
        and "\n" not in line
        and len(line.split()) <= HEADING_WORDS
        and line[-1] not in ".?!;,"
    )


def split_sections(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Split a long text (HTML without tags spanning paragraphs) between its sections.

    A section is a heading (a short paragraph without a full stop, "Problem
    Definition") and the paragraphs up to the next one. Whole sections are packed
    into each message, so a message never ends on a heading or mid-section; a
    section longer than a message is split between its paragraphs, and a paragraph
    longer than a message at its lines (``split_html``).
    """
    if visible_len(text) <= limit:
        return [text]
    sections: list[list[str]] = []
    for block in text.split("\n\n"):
        if not sections or _is_heading(block):
            sections.append([])
        sections[-1].append(block)
    pieces: list[str] = []  # sections, or the paragraphs of those too long for one message
    for section in sections:
        whole = "\n\n".join(section)
        pieces += [whole] if visible_len(whole) <= limit else _packed(section, limit)
    return _packed(pieces, limit)


def _packed(blocks: list[str], limit: int) -> list[str]:
    """Blocks joined by blank lines into as few messages as fit, in order."""
    parts: list[str] = []
    for block in blocks:
        if parts and visible_len(f"{parts[-1]}\n\n{block}") <= limit:
            parts[-1] = f"{parts[-1]}\n\n{block}"
        elif visible_len(block) <= limit:
            parts.append(block)
        else:
            parts += split_html(block, limit)
    return parts


def _closing(open_tags: list[str]) -> str:
    return "".join(f"</{_tag_name(tag)}>" for tag in reversed(open_tags))


def _tag_name(opening: str) -> str:
    return opening[1:].split(">", 1)[0].split(" ", 1)[0]


def _open_tags(text: str) -> list[str]:
    """Opening tags still open at the end of ``text`` (carried across parts)."""
    stack: list[str] = []
    position = 0
    while (start_at := text.find("<", position)) != -1:
        end = text.find(">", start_at)
        if end == -1:
            break
        tag = text[start_at : end + 1]
        if tag.startswith("</"):
            if stack:
                stack.pop()
        else:
            stack.append(tag)
        position = end + 1
    return stack


def _safe_cut(text: str, limit: int) -> int:
    """A cut position at or before ``limit`` that is not inside a tag or an entity."""
    cut = max(1, limit)
    lt, gt = text.rfind("<", 0, cut), text.rfind(">", 0, cut)
    if lt > gt:
        cut = lt
    amp, semi = text.rfind("&", 0, cut), text.rfind(";", 0, cut)
    if amp > semi and cut - amp < 10:
        cut = amp
    space = text.rfind(" ", 0, cut)
    if space > cut - 200 and space > 0:
        cut = space + 1
    return cut


def quoted_names(queries: list[str]) -> str:
    """Names a person typed that matched nothing, as a short list: a pasted essay
    must still fit in one message."""
    shown = ", ".join(f"<i>{esc(clip(q, 40))}</i>" for q in queries[:10])
    return shown + (", …" if len(queries) > 10 else "")


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)
