"""Digests, reminders, settings and broadcasts as texts and keyboards."""

from __future__ import annotations

from datetime import datetime
from gettext import NullTranslations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot import links
from bot.views import pledge_reports as pledge_report_views
from bot.views.base import (
    by_country_name,
    clip,
    country_name,
    esc,
    reporter_label,
    split_html,
)
from bot.views.commitments import OVERDUE_ICON, fmt_date, plan_label, status_name
from storage.digests import CommitmentItem, DigestData
from storage.reminders import PlanItem, PlanReminderData, ReminderData
from storage.statuses import REPORT_STATUS

MAX_REPORT_BUTTONS = 6


def _commitment_line(item: CommitmentItem) -> str:
    return f"<b>{esc(item.id)}</b> {esc(clip(item.title, 90))} · {fmt_date(item.end_date)}"


def _report_button(
    tr: NullTranslations, item: CommitmentItem, *, private: bool, bot_username: str
) -> InlineKeyboardButton:
    _ = tr.gettext
    label = _("Report on {id}").format(id=item.id)
    if private:
        return InlineKeyboardButton(label, callback_data=cb.REPORT_START.encode(item.id))
    return InlineKeyboardButton(label, url=links.report_link(bot_username, item.id))


def digest(
    tr: NullTranslations,
    data: DigestData,
    *,
    private: bool,
    bot_username: str,
    title: str | None = None,
    full: bool = False,
    header: str = "",
) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """The digest as one or more messages; buttons go on the last one.

    When nothing is new it is one line, unless ``full`` (asked for with /digest):
    then the call to action for stale commitments is still worth showing.
    ``header`` (HTML) comes first: who broadcast it, to whom.
    """
    _ = tr.gettext
    heading = title or _("Your digest since {date}").format(date=fmt_date(data.since))
    top = f"{header}\n" if header else ""
    if not data.countries:
        return [
            (
                f"{top}<b>{esc(heading)}</b>\n"
                + _("This chat follows no country yet: /subscribe."),
                None,
            )
        ]
    line = _("Nothing new in the countries you follow.")
    if data.is_empty and not full:
        return [(f"{top}<b>{esc(heading)}</b> · {line}", None)]
    lines = [header] if header else []
    lines.append(f"📰 <b>{esc(heading)}</b>")
    if data.areas:  # a working group's chat: its policy areas only
        lines.append(_("Only commitments tagged {areas}").format(areas=esc(", ".join(data.areas))))
    if data.is_empty:
        lines.append(line)
    buttons: list[InlineKeyboardButton] = []
    for country in by_country_name(tr, data.countries):
        if country.is_blank:
            continue
        lines += ["", f"🌍 <b>{esc(country_name(tr, country.code, country.name))}</b>"]
        for report in country.reports:
            mark = "" if report.verified or report.government else " " + _("(unverified)")
            who = reporter_label(tr, report.reporter, anonymous=report.anonymous)
            if report.government:
                who = _("🏛 Government")
            lines.append(
                f"{REPORT_STATUS[report.status].icon} <b>{esc(report.commitment_id)}</b> "
                f"{esc(status_name(tr, report.status))}{esc(mark)} — {esc(clip(who, 30))}: "
                f"{esc(clip(report.note, 140))}"
            )
        if country.more_reports:
            lines.append(
                tr.ngettext(
                    "… and {count} more report", "… and {count} more reports", country.more_reports
                ).format(count=country.more_reports)
            )
        if country.embedded:
            lines.append("🤝 " + _("2016 Summit pledges now in NAP commitments:"))
            lines += [
                " • "
                + _("{pledge} → {commitment} {title}").format(
                    pledge=f"<b>{esc(item.pledge_id)}</b>",
                    commitment=f"<b>{esc(item.commitment_id)}</b>",
                    title=esc(clip(item.title, 80)),
                )
                for item in country.embedded[:10]
            ]
        if country.pledge_reports:
            lines += pledge_report_views.digest_lines(tr, country.pledge_reports)
        if country.became_overdue:
            lines.append(f"{OVERDUE_ICON} " + _("Now overdue:"))
            lines += [" • " + _commitment_line(item) for item in country.became_overdue[:10]]
        if country.ending_soon:
            lines.append("⏳ " + _("Ending within 30 days:"))
            lines += [" • " + _commitment_line(item) for item in country.ending_soon[:10]]
        if country.stale:
            lines.append("🔎 " + _("No report in 90 days — can you find out?"))
            lines += [" • " + _commitment_line(item) for item in country.stale]
            for item in country.stale:
                if len(buttons) < MAX_REPORT_BUTTONS:
                    buttons.append(
                        _report_button(tr, item, private=private, bot_username=bot_username)
                    )
    parts = split_html("\n".join(lines))
    keyboard = InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])
    return [
        (part, keyboard if index == len(parts) - 1 and buttons else None)
        for index, part in enumerate(parts)
    ]


def reminder(
    tr: NullTranslations, data: ReminderData, *, bot_username: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    _ = tr.gettext
    lines = ["⏰ <b>" + esc(_("Reminder")) + "</b>"]
    if data.ending:
        lines += ["", _("Ending soon in the countries you follow:")]
        lines += [" • " + _commitment_line(item) for item in data.ending[:15]]
        if len(data.ending) > 15:
            lines.append(_("… and {count} more").format(count=len(data.ending) - 15))
    if data.quiet:
        lines += ["", _("No one has reported for 60 days on what you reported:")]
        lines += [" • " + _commitment_line(item) for item in data.quiet[:15]]
    items = (data.quiet + data.ending)[:MAX_REPORT_BUTTONS]
    buttons = [_report_button(tr, item, private=True, bot_username=bot_username) for item in items]
    lines += ["", _("Turn reminders off in /settings.")]
    text = split_html("\n".join(lines))[0]
    keyboard = InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])
    return text, keyboard if buttons else None


def _plan_line(tr: NullTranslations, item: PlanItem) -> str:
    place = esc(country_name(tr, item.country.code, item.country.name))
    return f"<b>{place}</b>: {esc(plan_label(tr, item.plan))} · {fmt_date(item.ends)}"


def plan_reminder(tr: NullTranslations, data: PlanReminderData) -> str:
    """Plan news for a chat that opted in: plans ending soon, new plans."""
    _ = tr.gettext
    lines = ["📅 <b>" + esc(_("Action plans")) + "</b>"]
    if data.ending:
        lines += ["", _("Ending within 30 days in the countries you follow:")]
        lines += [" • " + _plan_line(tr, item) for item in data.ending[:15]]
    if data.new:
        lines += ["", _("New action plans in the countries you follow:")]
        lines += [" • " + _plan_line(tr, item) for item in data.new[:15]]
    lines += ["", _("Turn plan reminders off in /settings.")]
    return split_html("\n".join(lines))[0]


# ---------------------------------------------------------------- settings


# ---------------------------------------------------------------- broadcasts


def digest_title(tr: NullTranslations, country: str, when: datetime) -> str:
    _ = tr.gettext
    return _("Digest for {country}, {date}").format(country=country, date=fmt_date(when))
