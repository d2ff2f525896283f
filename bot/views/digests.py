"""Digests, reminders, settings and broadcasts as texts and keyboards."""

from __future__ import annotations

from datetime import datetime
from gettext import NullTranslations
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot import links
from bot.i18n import language_name, language_of
from bot.views.base import (
    MAX_MESSAGE_LENGTH,
    View,
    by_country_name,
    clip,
    country_name,
    esc,
    number,
    reporter_label,
    split_html,
    visible_len,
)
from bot.views.commitments import OVERDUE_ICON, STATUS_ICON, fmt_date, plan_label, status_name
from storage.broadcasts import EVERYONE, Audience
from storage.digests import CommitmentItem, DigestData
from storage.outbox import Tally
from storage.reminders import PlanItem, PlanReminderData, ReminderData
from storage.schedule import DigestSettings

MAX_REPORT_BUTTONS = 6
REMINDER_DAYS = (7, 30, 90)  # how long before a commitment's end date to remind
WEEKDAYS = range(7)


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
            mark = "" if report.verified else " " + _("(unverified)")
            who = reporter_label(tr, report.reporter, anonymous=report.anonymous)
            lines.append(
                f"{STATUS_ICON[report.status]} <b>{esc(report.commitment_id)}</b> "
                f"{esc(status_name(tr, report.status))}{esc(mark)} — {esc(clip(who, 30))}: "
                f"{esc(clip(report.note, 140))}"
            )
        if country.more_reports:
            lines.append(
                tr.ngettext(
                    "… and {count} more report", "… and {count} more reports", country.more_reports
                ).format(count=country.more_reports)
            )
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


def weekday_name(tr: NullTranslations, day: int) -> str:
    _ = tr.gettext
    return (
        _("Monday"),
        _("Tuesday"),
        _("Wednesday"),
        _("Thursday"),
        _("Friday"),
        _("Saturday"),
        _("Sunday"),
    )[day]


def frequency_name(tr: NullTranslations, frequency: str) -> str:
    _ = tr.gettext
    return {"off": _("off"), "daily": _("daily"), "weekly": _("weekly")}[frequency]


def settings(tr: NullTranslations, data: DigestSettings, languages: list[str]) -> View:
    _ = tr.gettext
    when = frequency_name(tr, data.frequency)
    if data.frequency == "weekly":
        when += ", " + weekday_name(tr, data.weekday)
    if data.frequency != "off":
        when += f", {data.hour:02d}:00"
    lines = [
        "⚙️ <b>" + esc(_("Settings for this chat")) + "</b>",
        "",
        _("Digest: {when}").format(when=esc(when)),
        _("Time zone: {zone}").format(zone=esc(data.timezone)),
    ]
    if data.next_digest_at and data.frequency != "off":
        local = data.next_digest_at.astimezone(ZoneInfo(data.timezone))
        lines.append(_("Next digest: {when}").format(when=local.strftime("%Y-%m-%d %H:%M")))
    lines.append(
        _("Digest when nothing is new: {choice}").format(
            choice=_("one line") if data.when_empty else _("none")
        )
    )
    lines.append(
        _("Reminders: {state}").format(
            state=_("on, {days} days before the end").format(days=data.reminder_days)
            if data.reminders
            else _("off")
        )
    )
    if data.anonymous is not None:
        lines.append(
            _("Your reports: {how}").format(
                how=_("anonymous (only the bot's admins see it was you)")
                if data.anonymous
                else _("with your name")
            )
        )
    if data.public_name is not None:
        lines.append(
            _("On the public site: {how}").format(
                how=_("your name") if data.public_name else _("“a coalition member”")
            )
        )
    lines.append(
        _("Plan reminders: {state}").format(
            state=_("on (plans ending within 30 days, new plans)")
            if data.plan_reminders
            else _("off")
        )
    )
    current = language_of(tr)  # the language shown
    lines.append(_("Language: {language}").format(language=esc(language_name(current))))
    lines += ["", _("Type /timezone Europe/Madrid to set any time zone.")]
    s = cb.SETTINGS
    keyboard = [
        [
            InlineKeyboardButton(
                ("✓ " if data.frequency == f else "") + frequency_name(tr, f),
                callback_data=s.encode("freq", f),
            )
            for f in ("off", "daily", "weekly")
        ],
        [
            InlineKeyboardButton(_("Day"), callback_data=s.encode("menu", "day")),
            InlineKeyboardButton(_("Hour"), callback_data=s.encode("menu", "hour")),
            InlineKeyboardButton(_("Time zone"), callback_data=s.encode("menu", "zone")),
        ],
        [
            InlineKeyboardButton(
                _("Reminders: on") if data.reminders else _("Reminders: off"),
                callback_data=s.encode("rem", "off" if data.reminders else "on"),
            ),
            InlineKeyboardButton(
                _("Empty digest: one line") if data.when_empty else _("Empty digest: none"),
                callback_data=s.encode("empty", "off" if data.when_empty else "on"),
            ),
        ],
    ]
    keyboard.append(
        [
            InlineKeyboardButton(
                _("Plan reminders: on") if data.plan_reminders else _("Plan reminders: off"),
                callback_data=s.encode("prem", "off" if data.plan_reminders else "on"),
            )
        ]
    )
    if data.reminders:
        keyboard.append(
            [
                InlineKeyboardButton(
                    ("✓ " if data.reminder_days == days else "")
                    + _("{days} days").format(days=days),
                    callback_data=s.encode("days", str(days)),
                )
                for days in REMINDER_DAYS
            ]
        )
    if data.anonymous is not None:
        keyboard.append(
            [
                InlineKeyboardButton(
                    _("Report with my name") if data.anonymous else _("Report anonymously"),
                    callback_data=s.encode("anon", "off" if data.anonymous else "on"),
                )
            ]
        )
    if data.public_name is not None:
        keyboard.append(
            [
                InlineKeyboardButton(
                    _("Public site: hide my name")
                    if data.public_name
                    else _("Public site: show my name"),
                    callback_data=s.encode("pub", "off" if data.public_name else "on"),
                )
            ]
        )
    if len(languages) > 1:
        keyboard.append(
            [
                InlineKeyboardButton(
                    ("✓ " if current == lang else "") + language_name(lang),
                    callback_data=s.encode("lang", lang),
                )
                for lang in languages
            ]
        )
    return View("\n".join(lines), InlineKeyboardMarkup(keyboard))


def day_menu(tr: NullTranslations) -> View:
    _ = tr.gettext
    # Capitalised as labels (French writes "lundi" mid-sentence, "Lundi" on its own).
    buttons = [
        InlineKeyboardButton(
            weekday_name(tr, d)[:1].upper() + weekday_name(tr, d)[1:],
            callback_data=cb.SETTINGS.encode("day", str(d)),
        )
        for d in WEEKDAYS
    ]
    keyboard = [buttons[0:4], buttons[4:], [_back(tr)]]
    return View(_("On which day should the weekly digest come?"), InlineKeyboardMarkup(keyboard))


def hour_menu(tr: NullTranslations) -> View:
    _ = tr.gettext
    buttons = [
        InlineKeyboardButton(f"{h:02d}", callback_data=cb.SETTINGS.encode("hour", str(h)))
        for h in range(24)
    ]
    keyboard = [buttons[i : i + 6] for i in range(0, 24, 6)] + [[_back(tr)]]
    return View(_("At what local hour?"), InlineKeyboardMarkup(keyboard))


def zone_menu(tr: NullTranslations, zones: list[str]) -> View:
    _ = tr.gettext
    keyboard = [
        [InlineKeyboardButton(z, callback_data=cb.ZONE.encode(str(i)))] for i, z in enumerate(zones)
    ]
    keyboard.append([_back(tr)])
    return View(
        _("Pick the time zone, or type /timezone followed by its name (e.g. Africa/Nairobi)."),
        InlineKeyboardMarkup(keyboard),
    )


def _back(tr: NullTranslations) -> InlineKeyboardButton:
    _ = tr.gettext
    return InlineKeyboardButton(_("« Settings"), callback_data=cb.SETTINGS.encode("menu", "main"))


def timezone_set(tr: NullTranslations, zone: str) -> View:
    _ = tr.gettext
    return View(_("Time zone set to {zone}. See /settings.").format(zone=f"<b>{esc(zone)}</b>"))


def timezone_unknown(tr: NullTranslations, text: str) -> View:
    _ = tr.gettext
    return View(
        _(
            "I don't know the time zone {zone}. Use a name like Africa/Nairobi or America/Lima."
        ).format(zone=f"<code>{esc(clip(text, 60))}</code>")
    )


def settings_refused(tr: NullTranslations) -> View:
    _ = tr.gettext
    return View(
        _(
            "Only this group's administrators, or the bot's leads and admins, may change "
            "its settings."
        )
    )


def stopped(tr: NullTranslations) -> View:
    _ = tr.gettext
    return View(
        _(
            "Stopped: no digests, reminders or broadcasts will come to this chat. "
            "Commands still work; send /start to resume."
        )
    )


def resume_question(tr: NullTranslations) -> View:
    _ = tr.gettext
    return View(
        _("Scheduled messages to this chat are stopped. Resume digests and reminders?"),
        InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(_("Resume"), callback_data=cb.RESUME.encode("yes")),
                    InlineKeyboardButton(_("Keep stopped"), callback_data=cb.RESUME.encode("no")),
                ]
            ]
        ),
    )


def resumed(tr: NullTranslations, yes: bool) -> View:
    _ = tr.gettext
    return View(_("Resumed. Welcome back!") if yes else _("Still stopped."))


# ---------------------------------------------------------------- broadcasts


def audience_label(tr: NullTranslations, audience: Audience) -> str:
    _ = tr.gettext
    if audience.key == EVERYONE:
        return _("Everyone")
    if audience.key.startswith("country:"):
        code = audience.key.partition(":")[2]
        return _("Followers of {country}").format(country=country_name(tr, code, audience.label))
    return _("Working group: {name}").format(name=audience.label)


def broadcast_header(tr: NullTranslations, sender: str, audience: Audience) -> str:
    """The line above every broadcast: who sent it and to whom, so a message from
    the bot is never anonymous and a reader knows why it reached them."""
    _ = tr.gettext
    who = esc(clip(sender, 60))
    if audience.key == EVERYONE:
        line = _("From {sender}, to everyone who uses this bot").format(sender=who)
    elif audience.key.startswith("country:"):
        code = audience.key.partition(":")[2]
        line = _("From {sender}, to the followers of {country}").format(
            sender=who, country=esc(country_name(tr, code, audience.label))
        )
    else:
        line = _("From {sender}, to the working group {name}").format(
            sender=who, name=esc(audience.label)
        )
    return f"📣 <i>{line}</i>"


def choose_audience(tr: NullTranslations, choices: list[Audience]) -> View:
    _ = tr.gettext
    if not choices:
        return View(
            _("You lead no country or working group yet, so there is no one to broadcast to.")
        )
    keyboard = [
        [
            InlineKeyboardButton(
                f"{clip(audience_label(tr, a), 40)} · {a.chats}",
                callback_data=cb.BROADCAST_AUDIENCE.encode(str(i)),
            )
        ]
        for i, a in enumerate(choices)
    ]
    return View(
        _("Broadcast · who should receive it? (/cancel to stop)"), InlineKeyboardMarkup(keyboard)
    )


def ask_broadcast_text(tr: NullTranslations, audience: Audience, can_digest: bool) -> View:
    _ = tr.gettext
    text = tr.ngettext(
        "Write the message for {audience} ({count} chat).",
        "Write the message for {audience} ({count} chats).",
        audience.chats,
    ).format(audience=f"<b>{esc(audience_label(tr, audience))}</b>", count=audience.chats)
    keyboard = None
    if can_digest:
        text += "\n" + _("Or send them the digest of this country instead:")
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        _("Send the country digest"),
                        callback_data=cb.BROADCAST_CONFIRM.encode("digest"),
                    )
                ]
            ]
        )
    return View(text, keyboard)


def broadcast_preview(tr: NullTranslations, audience: Audience) -> View:
    """What goes above a broadcast's preview, whether the lead typed it or chose a
    digest: how many chats it will reach. The preview itself carries the buttons."""
    _ = tr.gettext
    return View(
        tr.ngettext(
            "Preview · this will reach {count} chat ({audience}):",
            "Preview · this will reach {count} chats ({audience}):",
            audience.chats,
        ).format(count=number(tr, audience.chats), audience=esc(audience_label(tr, audience)))
    )


def preview_keyboard(tr: NullTranslations) -> InlineKeyboardMarkup:
    _ = tr.gettext
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(_("Send"), callback_data=cb.BROADCAST_CONFIRM.encode("send")),
                InlineKeyboardButton(
                    _("Cancel"), callback_data=cb.BROADCAST_CONFIRM.encode("cancel")
                ),
            ]
        ]
    )


def broadcast_message(
    tr: NullTranslations, sender: str, audience: Audience, text: str
) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """A lead's own words (HTML, as they wrote them) below who sent them to whom;
    the header goes alone first if both would not fit in one message."""
    header = broadcast_header(tr, sender, audience)
    if visible_len(f"{header}\n\n{text}") <= MAX_MESSAGE_LENGTH:
        return [(f"{header}\n\n{text}", None)]
    return [(header, None), (text, None)]


def broadcast_cancelled(tr: NullTranslations) -> View:
    _ = tr.gettext
    return View(_("Broadcast cancelled. Nothing was sent."))


def broadcast_not_allowed(tr: NullTranslations) -> View:
    _ = tr.gettext
    return View(_("/broadcast is for leads and admins, to the audiences they lead."))


def progress(tr: NullTranslations, tally: Tally) -> str:
    _ = tr.gettext
    done = tally.delivered + tally.blocked + tally.failed
    if tally.pending == 0:
        return _(
            "Broadcast finished: {delivered} delivered, {blocked} blocked, {failed} failed."
        ).format(
            delivered=number(tr, tally.delivered),
            blocked=number(tr, tally.blocked),
            failed=number(tr, tally.failed),
        )
    return _("Sending… sent {done} / {total}").format(
        done=number(tr, done), total=number(tr, tally.total)
    )


def digest_title(tr: NullTranslations, country: str, when: datetime) -> str:
    _ = tr.gettext
    return _("Digest for {country}, {date}").format(country=country, date=fmt_date(when))
