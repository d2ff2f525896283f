"""Texts and keyboards for following countries."""

from __future__ import annotations

from gettext import NullTranslations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.commands import N_
from bot.views.base import (
    View,
    by_country_name,
    by_name,
    clip,
    country_name,
    esc,
    fixed,
    is_former,
    member_label,
    standing,
)
from storage.commitments import REPORT_WINDOW_DAYS
from storage.countries import MAX_NAME_WORDS, Resolution
from storage.following import FollowChange, FollowedCountry, RegionPage
from storage.models import Country

MAX_UNRESOLVED = 10  # names we could not place, listed in one answer


def _names(tr: NullTranslations, countries: list[Country]) -> str:
    return ", ".join(f"<b>{esc(country_name(tr, c.code, c.name))}</b>" for c in countries)


def change(
    tr: NullTranslations,
    result: FollowChange,
    *,
    unresolved: list[Resolution] = (),
    truncated: bool = False,
) -> View:
    """What /subscribe or /unsubscribe did, plus buttons for what it could not place."""
    _ = tr.gettext
    if not result.allowed:
        return refused(tr)
    lines = []
    if result.added:
        lines.append(_("Now following {names}.").format(names=_names(tr, result.added)))
        # Allowed, and said: who follows a member that left must not think it still takes part.
        lines += [standing(tr, c) for c in result.added if is_former(c)]
    if result.removed:
        lines.append(_("No longer following {names}.").format(names=_names(tr, result.removed)))
    if result.unchanged and not (result.added or result.removed):
        lines.append(_("Nothing changed for {names}.").format(names=_names(tr, result.unchanged)))
    keyboard: list[list[InlineKeyboardButton]] = []
    # A pasted essay is hundreds of "names": answer the first few, within one message.
    for resolution in unresolved[:MAX_UNRESOLVED]:
        query = f"<i>{esc(clip(resolution.query, 60))}</i>"
        if resolution.candidates:
            lines.append(_("Which one did you mean by {query}?").format(query=query))
            keyboard += [
                [
                    InlineKeyboardButton(
                        country_name(tr, c.code, c.name), callback_data=cb.FOLLOW_ADD.encode(c.code)
                    )
                ]
                for c in resolution.candidates[:6]
            ]
        else:
            lines.append(_("I found no OGP member called {query}.").format(query=query))
    if unresolved:
        keyboard.append(
            [InlineKeyboardButton(_("Browse by region"), callback_data=cb.FOLLOW_REGIONS.encode())]
        )
    if truncated:
        lines.append(
            _("I read only the first {count} words; send the rest in another message.").format(
                count=MAX_NAME_WORDS
            )
        )
    if result.added:
        lines.append(_("See them with /following, or browse with /country."))
    return View(
        "\n".join(lines) or _("Nothing changed."),
        InlineKeyboardMarkup(keyboard) if keyboard else None,
    )


refused = fixed(
    N_(
        "Only this group's administrators, or the bot's leads and admins, may change "
        "which countries the group follows."
    )
)


# OGP's regions, as the member list names them: marked here so they are translated.
REGION_NAMES = (
    N_("Africa and the Middle East"),
    N_("Americas"),
    N_("Asia and the Pacific"),
    N_("Europe"),
)


def region_name(tr: NullTranslations, region: str) -> str:
    return tr.gettext(region) if region in REGION_NAMES else region


def regions(tr: NullTranslations, names: list[str], *, browse: bool = False) -> View:
    """OGP's regions; ``browse`` (for /country): a country's button opens its page
    instead of following it."""
    _ = tr.gettext
    route = cb.BROWSE_REGION if browse else cb.FOLLOW_REGION
    keyboard = [
        [InlineKeyboardButton(region_name(tr, name), callback_data=route.encode(i, 0))]
        for i, name in by_name(tr, enumerate(names), lambda pair: region_name(tr, pair[1]))
    ]
    if browse:
        text = _("Choose a region, then a country to see its action plans.")
    else:
        text = _("Choose a region, then tap countries to follow or unfollow them.")
    return View(text, InlineKeyboardMarkup(keyboard))


def region_page(
    tr: NullTranslations, data: RegionPage, region_index: int, *, browse: bool = False
) -> View:
    _ = tr.gettext
    buttons = [
        InlineKeyboardButton(
            clip(member_label(tr, member), 40)
            if browse
            else ("✅ " if member.code in data.followed else "")
            + clip(member_label(tr, member), 40),
            callback_data=cb.COUNTRY_PLANS.encode(member.code)
            if browse
            else cb.FOLLOW_TOGGLE.encode(member.code, region_index, data.page),
        )
        for member in data.members
    ]
    keyboard = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    region_route = cb.BROWSE_REGION if browse else cb.FOLLOW_REGION
    nav = []
    if data.page > 0:
        nav.append(
            InlineKeyboardButton(
                _("‹ Prev"), callback_data=region_route.encode(region_index, data.page - 1)
            )
        )
    if data.page + 1 < data.pages:
        nav.append(
            InlineKeyboardButton(
                _("Next ›"), callback_data=region_route.encode(region_index, data.page + 1)
            )
        )
    if nav:
        keyboard.append(nav)
    back = cb.BROWSE_REGIONS if browse else cb.FOLLOW_REGIONS
    keyboard.append([InlineKeyboardButton(_("« Regions"), callback_data=back.encode())])
    if browse:
        text = _("<b>{region}</b> ({page}/{pages}): tap a country to see its action plans.")
    else:
        text = _("<b>{region}</b> ({page}/{pages}): tap to follow ✅ or unfollow.")
    text = text.format(
        region=esc(region_name(tr, data.region)), page=data.page + 1, pages=data.pages
    )
    return View(text, InlineKeyboardMarkup(keyboard))


def following(tr: NullTranslations, rows: list[FollowedCountry]) -> View:
    _ = tr.gettext
    if not rows:
        return View(
            _(
                "This chat follows no country yet. Send <code>/subscribe Kenya</code>, or "
                "/subscribe alone to browse by region."
            )
        )
    lines = [_("<b>This chat follows</b>"), ""]
    for row in by_country_name(tr, rows):
        lines.append(
            _("• {name} ({code}): {commitments}; in the last {days} days {reports}").format(
                name=esc(country_name(tr, row.code, row.name)),
                code=esc(row.code),
                commitments=tr.ngettext(
                    "{count} commitment", "{count} commitments", row.commitments
                ).format(count=row.commitments),
                days=REPORT_WINDOW_DAYS,
                reports=tr.ngettext(
                    "{count} verified report, {unverified} unverified",
                    "{count} verified reports, {unverified} unverified",
                    row.recent_reports,
                ).format(count=row.recent_reports, unverified=row.recent_unverified),
            )
        )
    lines += ["", _("Change with /subscribe or /unsubscribe.")]
    return View("\n".join(lines))


def unsubscribe_usage(tr: NullTranslations, rows: list[FollowedCountry]) -> View:
    _ = tr.gettext
    if not rows:
        return following(tr, rows)
    keyboard = [
        [
            InlineKeyboardButton(
                "✅ " + clip(country_name(tr, row.code, row.name), 30),
                callback_data=cb.FOLLOW_REMOVE.encode(row.code),
            )
        ]
        for row in by_country_name(tr, rows)[:40]
    ]
    return View(_("Tap a country to stop following it."), InlineKeyboardMarkup(keyboard))


def toggled(tr: NullTranslations, result: FollowChange) -> str:
    """The short notice shown on the button press."""
    _ = tr.gettext
    if not result.allowed:
        return _("Only group administrators may change this.")
    if result.added:
        return _("Following {name}").format(
            name=country_name(tr, result.added[0].code, result.added[0].name)
        )
    if result.removed:
        return _("Stopped following {name}").format(
            name=country_name(tr, result.removed[0].code, result.removed[0].name)
        )
    return _("Nothing changed")
