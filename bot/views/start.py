"""/start and /help: the welcome, its first steps and the help pages."""

from __future__ import annotations

from collections.abc import Sequence
from gettext import NullTranslations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.commands import HELP_SECTIONS, commands_of
from bot.views.base import View, clip, country_name, esc, role_name
from storage.models import Country, Role


def start(
    tr: NullTranslations,
    *,
    first_name: str,
    role: Role,
    is_new: bool,
    suggestions: Sequence[Country] = (),
    report_url: str | None = None,
    menu: bool = True,
) -> View:
    """The welcome, with the first steps as buttons (``menu``): follow a country
    (``suggestions`` first), look something up, report progress. ``report_url``
    (a deep link to the private chat) stands for the Report button in groups."""
    _ = tr.gettext
    greeting = (_("Welcome, {name}!") if is_new else _("Welcome back, {name}!")).format(
        name=esc(first_name)
    )
    lines = [
        f"<b>{greeting}</b>",
        "",
        _(
            "I help civil society follow the commitments governments make in their "
            "Open Government Partnership action plans: where each one stands, what "
            "people on the ground report, and what is overdue."
        ),
    ]
    if menu:
        lines += [
            "",
            _(
                "Start with a button below, or just type a commitment id (AR0045), a "
                "country or a few words. /help lists everything I can do."
            ),
        ]
    if role is not Role.MEMBER:
        lines += ["", _("You are signed in as <b>{role}</b>.").format(role=role_name(tr, role))]
    if not menu:
        return View("\n".join(lines))
    follow = [
        InlineKeyboardButton(
            "➕ "
            + _("Follow {country}").format(country=clip(country_name(tr, c.code, c.name), 30)),
            callback_data=cb.FOLLOW_ADD.encode(c.code),
        )
        for c in suggestions
    ]
    rows = [follow[i : i + 2] for i in range(0, len(follow), 2)]
    rows.append(
        [
            InlineKeyboardButton(
                "🌍 " + _("More countries"), callback_data=cb.START_STEP.encode("follow")
            )
        ]
    )
    rows.append(
        [
            InlineKeyboardButton(
                "🔎 " + _("Look something up"), callback_data=cb.START_STEP.encode("look")
            )
        ]
    )
    if report_url:
        report = InlineKeyboardButton("📝 " + _("Report progress"), url=report_url)
    else:
        report = InlineKeyboardButton(
            "📝 " + _("Report progress"), callback_data=cb.REPORT_NEW.encode()
        )
    rows.append([report])
    return View("\n".join(lines), InlineKeyboardMarkup(rows))


def lookup_step(tr: NullTranslations) -> View:
    """What to type to look something up: no command needed."""
    _ = tr.gettext
    return View(
        _(
            "Type what you are looking for, no command needed:\n"
            "• a commitment id: <code>AR0045</code>\n"
            "• a country: <code>Kenya</code>\n"
            "• a few words: <code>beneficial ownership</code>, <code>kenya procurement</code>"
        )
    )


_ROLE_PAGES = {"lead": Role.LEAD, "admin": Role.ADMIN}


def help_text(tr: NullTranslations, *, role: Role) -> View:
    """Short and grouped: command names only, the rest a button away."""
    _ = tr.gettext
    title = _("What you can do")
    lines = [
        f"<b>{title}</b>",
        _("Type an id (AR0045), a country or a few words, and I look it up."),
        "",
    ]
    for section, names in HELP_SECTIONS:
        lines.append(f"<b>{esc(_(section))}</b>: " + " ".join(f"/{name}" for name in names))
    lines += ["", _("Your role here: {role}.").format(role=role_name(tr, role))]
    rows = [
        [
            InlineKeyboardButton(
                _("All commands, explained"), callback_data=cb.HELP_PAGE.encode("all")
            )
        ]
    ]
    if role in (Role.LEAD, Role.ADMIN):
        rows.append(
            [InlineKeyboardButton(_("Leads' commands"), callback_data=cb.HELP_PAGE.encode("lead"))]
        )
    if role is Role.ADMIN:
        rows.append(
            [
                InlineKeyboardButton(
                    _("Admins' commands"), callback_data=cb.HELP_PAGE.encode("admin")
                )
            ]
        )
    return View("\n".join(lines), InlineKeyboardMarkup(rows))


def help_page(tr: NullTranslations, *, role: Role, page: str) -> View | None:
    """One of /help's other pages (``all``, ``lead``, ``admin``) with each command
    explained; None for a page ``role`` may not see."""
    _ = tr.gettext
    if page == "all":
        title, specs = _("All commands"), commands_of(Role.MEMBER)
    elif page in _ROLE_PAGES and all(s.allowed_for(role) for s in commands_of(_ROLE_PAGES[page])):
        title = _("Leads' commands") if page == "lead" else _("Admins' commands")
        specs = commands_of(_ROLE_PAGES[page])
    else:
        return None
    lines = [f"<b>{title}</b>", ""]
    lines += [f"/{spec.name} — {esc(_(spec.description))}" for spec in specs]
    back = InlineKeyboardButton(_("« Back"), callback_data=cb.HELP_PAGE.encode("main"))
    return View("\n".join(lines), InlineKeyboardMarkup([[back]]))
