"""Texts and keyboards for the 2016 Anti-Corruption Summit pledges and /compare.

Every status shown is a tracker's assessment from 2017-2020, never ours: it is
always given with its assessor and date, and lists carry a one-line note saying
how old the assessments are.
"""

from __future__ import annotations

from gettext import NullTranslations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.views import pledge_reports as pledge_report_views
from bot.views.base import View, by_name, clip, country_name, esc, source_link
from bot.views.commitments import legend, page_nav, pledge_count_line, status_label
from storage.commitments import Page
from storage.models import Status, SummitPledge
from storage.paging import clamp_page
from storage.statuses import REPORT_STATUS
from storage.summit import (
    STATUS,
    THEME,
    Carrier,
    Comparison,
    CountryPledges,
    EmbedResult,
    PledgeLine,
)

PAGE_SIZE = 6
_TEXT_IN_LIST = 180
_TEXT_ON_CARD = 2500


def _place(tr: NullTranslations, iso3: str, name: str) -> str:
    return country_name(tr, iso3, name)


def old_note(tr: NullTranslations) -> str:
    _ = tr.gettext
    return (
        "<i>"
        + _(
            "Statuses are trackers' assessments from 2017–2020; none has been checked "
            "since December 2020, and some have certainly moved on."
        )
        + "</i>"
    )


def pledge_status(tr: NullTranslations, line: PledgeLine) -> str:
    """ "🔄 Ongoing (TI Kenya, 2017)": the status always with who said it and when."""
    _ = tr.gettext
    p = line.pledge
    entry = STATUS.get(p.status, STATUS["no_data"])
    label = f"{entry.icon} {_(entry.label)}"
    said = ", ".join(part for part in (p.status_source, p.status_date) if part)
    if said:
        return f"{label} ({esc(said)})"
    return label + " " + _("(no tracker status found)")


def carrier_line(tr: NullTranslations, carrier: Carrier) -> str:
    _ = tr.gettext
    if carrier.community_status is None:
        state = _("no reports yet")
    else:
        status = Status(carrier.community_status)
        state = status_label(tr, status)
        if not carrier.community_verified:
            state += " " + _("(unverified)")
    return f"<b>{esc(carrier.commitment_id)}</b> {esc(clip(carrier.title, 120))} · {state}"


def _embedded(tr: NullTranslations, line: PledgeLine) -> str:
    _ = tr.gettext
    if not line.carriers:
        return "▫️ " + _("not in a NAP commitment yet")
    ids = ", ".join(c.commitment_id for c in line.carriers)
    return "🤝 " + _("in NAP commitment {ids}").format(ids=esc(ids))


def overview(tr: NullTranslations, rows: list[CountryPledges]) -> View:
    _ = tr.gettext
    title = _("2016 Anti-Corruption Summit pledges")
    lines = [f"<b>{title}</b>", ""]
    if not rows:
        lines.append(
            _("No pledges are loaded yet. An admin loads them with ogp-bot import-pledges.")
        )
        return View("\n".join(lines))
    ordered = by_name(tr, rows, lambda r: _place(tr, r.iso3, r.name))
    lines += [pledge_count_line(tr, row) for row in ordered]
    lines += ["", _("Type /summit and a country to see its pledges: /summit Kenya"), old_note(tr)]
    buttons = [
        InlineKeyboardButton(
            clip(_place(tr, r.iso3, r.name), 24), callback_data=cb.SUMMIT_PAGE.encode(r.iso3, 0)
        )
        for r in ordered
    ]
    keyboard = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    return View("\n".join(lines), InlineKeyboardMarkup(keyboard))


def country_page(tr: NullTranslations, iso3: str, lines_of: list[PledgeLine], page: int) -> View:
    """One page of a country's pledges, grouped by theme, each with its status."""
    _ = tr.gettext
    total = len(lines_of)
    page = clamp_page(page, total, PAGE_SIZE)
    shown = lines_of[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    name = _place(tr, iso3, lines_of[0].pledge.country) if lines_of else iso3
    embedded = sum(1 for line in lines_of if line.carriers)
    lines = [
        "<b>"
        + _("{country}: 2016 Anti-Corruption Summit pledges").format(country=esc(name))
        + "</b>",
        _("{total} pledges, {embedded} in NAP commitments").format(total=total, embedded=embedded),
    ]
    theme = None
    for line in shown:
        p = line.pledge
        if p.theme != theme:
            theme = p.theme
            entry = THEME.get(theme, THEME["other"])
            lines += ["", f"{entry.icon} <b>{esc(_(entry.label))}</b>"]
        lines.append(
            f"• <b>{esc(p.id)}</b> {esc(clip(p.text, _TEXT_IN_LIST))}\n"
            f"  {pledge_status(tr, line)} · {_embedded(tr, line)}"
        )
    lines += ["", old_note(tr)]
    buttons = [
        InlineKeyboardButton(line.pledge.id, callback_data=cb.PLEDGE_CARD.encode(line.pledge.id))
        for line in shown
    ]
    keyboard = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    nav = page_nav(tr, Page([], page, total, PAGE_SIZE), lambda n: cb.SUMMIT_PAGE.encode(iso3, n))
    if nav:
        keyboard.append(nav)
    return View("\n".join(lines), InlineKeyboardMarkup(keyboard))


def found_pledges(tr: NullTranslations, pledges: list[SummitPledge]) -> tuple[list[str], list]:
    """Pledges a search found: a titled section of lines, and a button per pledge
    that opens its card."""
    _ = tr.gettext
    lines = [f"🤝 <b>{esc(_('2016 Anti-Corruption Summit pledges'))}</b>"]
    for p in pledges:
        theme = THEME.get(p.theme, THEME["other"])
        lines.append(
            f"• <b>{esc(p.id)}</b> · {esc(_place(tr, p.iso3, p.country))} · {theme.icon} "
            f"{esc(_(theme.label))}: {esc(clip(p.text, _TEXT_IN_LIST))}"
        )
    buttons = [
        InlineKeyboardButton(p.id, callback_data=cb.PLEDGE_CARD.encode(p.id)) for p in pledges
    ]
    return lines, [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def card(
    tr: NullTranslations, line: PledgeLine, *, may_link: bool, report_url: str | None = None
) -> View:
    """A pledge: its text (quoted or paraphrased, as the file says), status with
    its source and date, the NAP commitments that carry it, and verified reports.
    ``report_url``: in a group, "Report progress" opens the private chat."""
    _ = tr.gettext
    p = line.pledge
    theme = THEME.get(p.theme, THEME["other"])
    lines = [
        f"<b>{esc(p.id)}</b> · {esc(_place(tr, p.iso3, p.country))}",
        _("2016 Anti-Corruption Summit pledge") + f" · {theme.icon} {esc(_(theme.label))}",
        "",
    ]
    text = esc(clip(p.text, _TEXT_ON_CARD))
    if p.text_is_quote:
        lines.append(f"<blockquote>{text}</blockquote>")
    else:
        paraphrase = _("(a paraphrase, not the pledge’s own words)")
        lines.append(f"{text}\n<i>{paraphrase}</i>")
    label = _("Tracker status")
    lines += ["", f"<b>{label}</b>: {pledge_status(tr, line)}", old_note(tr)]
    if p.source_url.startswith(("https://", "http://")):
        lines.append(source_link(tr, p.source_url))
    lines.append("")
    if line.carriers:
        label = _("Carried by NAP commitments")
        lines.append(f"<b>{label}</b>")
        lines += [f"• {carrier_line(tr, c)}" for c in line.carriers[:10]]
    else:
        lines.append(_("No NAP commitment carries this pledge yet."))
    lines += ["", *pledge_report_views.card_section(tr, line.reports)]
    if report_url:
        report = InlineKeyboardButton(_("Report progress"), url=report_url)
    else:
        report = InlineKeyboardButton(
            _("Report progress"), callback_data=cb.PLEDGE_REPORT.encode(p.id)
        )
    keyboard = [[report]]
    keyboard += [
        [InlineKeyboardButton(c.commitment_id, callback_data=cb.CARD.encode(c.commitment_id))]
        for c in line.carriers[:10]
    ]
    if may_link:
        keyboard.append(
            [
                InlineKeyboardButton(
                    _("Link to a commitment"), callback_data=cb.PLEDGE_SUGGEST.encode(p.id)
                )
            ]
        )
    return View("\n".join(lines), InlineKeyboardMarkup(keyboard))


def suggestions(tr: NullTranslations, pledge_id: str, found: list[Carrier]) -> View:
    _ = tr.gettext
    if not found:
        return View(
            _(
                "No commitment of this country looks like pledge {id}. Link one by its id: "
                "/embed {id} KE0033"
            ).format(id=esc(pledge_id))
        )
    lines = [
        _("Commitments most like pledge {id}: tap one to link it.").format(id=esc(pledge_id)),
        "",
    ]
    lines += [f"• {carrier_line(tr, c)}" for c in found]
    keyboard = [
        [
            InlineKeyboardButton(
                _("Link {id}").format(id=c.commitment_id),
                callback_data=cb.PLEDGE_LINK.encode(pledge_id, c.commitment_id),
            )
        ]
        for c in found
    ]
    return View("\n".join(lines), InlineKeyboardMarkup(keyboard))


def embed_result(tr: NullTranslations, result: EmbedResult) -> View:
    _ = tr.gettext
    texts = {
        "linked": _("Linked: commitment {commitment} now carries Summit pledge {pledge}."),
        "unlinked": _("Unlinked: commitment {commitment} no longer carries pledge {pledge}."),
        "already": _("Commitment {commitment} already carries pledge {pledge}."),
        "not_linked": _("Commitment {commitment} does not carry pledge {pledge}."),
        "no_pledge": _("There is no Summit pledge {pledge}. /summit lists them."),
        "no_commitment": _("There is no commitment {commitment}."),
        "other_country": _(
            "Commitment {commitment} is not one of {country}'s: a pledge is linked to its own "
            "country's commitments."
        ),
        "refused": _("Only leads of {country} and admins may link its pledges to commitments."),
    }
    text = texts[result.outcome].format(
        commitment=esc(result.commitment_id),
        pledge=esc(result.pledge_id),
        country=esc(result.country),
    )
    return View(text)


def embed_usage(tr: NullTranslations, *, unlink: bool = False) -> View:
    _ = tr.gettext
    if unlink:
        return View(_("Unlink a pledge from a commitment: /unembed ACS2016-KEN-01 KE0033"))
    return View(_("Link a pledge to a commitment: /embed ACS2016-KEN-01 KE0033"))


def summit_not_found(tr: NullTranslations, text: str) -> View:
    _ = tr.gettext
    return View(
        _(
            "No Summit pledges found for “{text}”. /summit lists the countries that made them."
        ).format(text=esc(clip(text, 60)))
    )


def pledge_not_found(tr: NullTranslations, pledge_id: str) -> View:
    _ = tr.gettext
    return View(
        _("There is no Summit pledge {pledge}. /summit lists them.").format(pledge=esc(pledge_id))
    )


# --------------------------------------------------------------------------- /compare


def _counts(counts: dict[Status | None, int]) -> str:
    return " ".join(f"{REPORT_STATUS[s].icon} {counts.get(s, 0)}" for s in Status)


def compare(tr: NullTranslations, rows: list[Comparison]) -> View:
    """Countries side by side: pledges, commitments by community status and by IRM
    completion, reports in the last 90 days."""
    _ = tr.gettext
    title = _("Countries side by side")
    lines = [f"<b>{title}</b>"]
    for row in rows:
        lines += [
            "",
            f"<b>{esc(country_name(tr, row.code, row.name))}</b>",
            _("Summit pledges: {made} made, {embedded} in NAP commitments").format(
                made=row.pledges, embedded=row.embedded
            ),
        ]
        if row.bar is None:
            lines.append(_("No commitments in the bot's data."))
        else:
            lines += [
                _("Commitments: {count}").format(count=row.bar.total),
                _("Community status: {counts}; no verified report: {none}").format(
                    counts=_counts(row.bar.community), none=row.bar.community.get(None, 0)
                ),
                _("IRM completion: {counts}; not rated: {none}").format(
                    counts=_counts(row.bar.irm), none=row.bar.irm.get(None, 0)
                ),
            ]
        lines.append(_("Reports in the last 90 days: {count}").format(count=row.recent_reports))
    lines += ["", legend(tr)]
    return View("\n".join(lines))


def compare_caption(tr: NullTranslations, rows: list[Comparison]) -> str:
    _ = tr.gettext
    names = ", ".join(country_name(tr, row.code, row.name) for row in rows if row.bar)
    return _("{names}: commitments by community status and by IRM completion.").format(
        names=esc(clip(names, 300))
    )


def compare_usage(tr: NullTranslations) -> View:
    _ = tr.gettext
    return View(_("Compare two or more countries: /compare Kenya Ghana"))


def compare_unknown(tr: NullTranslations, text: str) -> View:
    _ = tr.gettext
    return View(
        _("I do not know the country “{text}”. Try: /compare Kenya Ghana").format(
            text=esc(clip(text, 60))
        )
    )
