"""/settings: the digest settings screen, its menus, and /stop and its resume question."""

from __future__ import annotations

from gettext import NullTranslations
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.commands import N_
from bot.i18n import language_name, language_of
from bot.views.base import (
    View,
    clip,
    esc,
    fixed,
)
from storage.settings import DigestSettings

WEEKDAYS = range(7)


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
    keyboard = [
        [
            InlineKeyboardButton(
                ("✓ " if data.frequency == f else "") + frequency_name(tr, f),
                callback_data=cb.SET_FREQUENCY.encode("freq", f),
            )
            for f in ("off", "daily", "weekly")
        ],
        [
            InlineKeyboardButton(_("Day"), callback_data=cb.SETTINGS_MENU.encode("menu", "day")),
            InlineKeyboardButton(_("Hour"), callback_data=cb.SETTINGS_MENU.encode("menu", "hour")),
            InlineKeyboardButton(
                _("Time zone"), callback_data=cb.SETTINGS_MENU.encode("menu", "zone")
            ),
        ],
        [
            InlineKeyboardButton(
                _("Reminders: on") if data.reminders else _("Reminders: off"),
                callback_data=cb.SET_SWITCH.encode("rem", "off" if data.reminders else "on"),
            ),
            InlineKeyboardButton(
                _("Empty digest: one line") if data.when_empty else _("Empty digest: none"),
                callback_data=cb.SET_SWITCH.encode("empty", "off" if data.when_empty else "on"),
            ),
        ],
    ]
    keyboard.append(
        [
            InlineKeyboardButton(
                _("Plan reminders: on") if data.plan_reminders else _("Plan reminders: off"),
                callback_data=cb.SET_SWITCH.encode("prem", "off" if data.plan_reminders else "on"),
            )
        ]
    )
    if data.reminders:
        keyboard.append(
            [
                InlineKeyboardButton(
                    ("✓ " if data.reminder_days == days else "")
                    + _("{days} days").format(days=days),
                    callback_data=cb.SET_REMINDER_DAYS.encode("days", days),
                )
                for days in cb.REMINDER_DAYS
            ]
        )
    if data.anonymous is not None:
        keyboard.append(
            [
                InlineKeyboardButton(
                    _("Report with my name") if data.anonymous else _("Report anonymously"),
                    callback_data=cb.SET_SWITCH.encode("anon", "off" if data.anonymous else "on"),
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
                    callback_data=cb.SET_SWITCH.encode("pub", "off" if data.public_name else "on"),
                )
            ]
        )
    if len(languages) > 1:
        keyboard.append(
            [
                InlineKeyboardButton(
                    ("✓ " if current == lang else "") + language_name(lang),
                    callback_data=cb.SET_LANGUAGE.encode("lang", lang),
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
            callback_data=cb.SET_DAY.encode("day", d),
        )
        for d in WEEKDAYS
    ]
    keyboard = [buttons[0:4], buttons[4:], [_back(tr)]]
    return View(_("On which day should the weekly digest come?"), InlineKeyboardMarkup(keyboard))


def hour_menu(tr: NullTranslations) -> View:
    _ = tr.gettext
    buttons = [
        InlineKeyboardButton(f"{h:02d}", callback_data=cb.SET_HOUR.encode("hour", h))
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
    return InlineKeyboardButton(
        _("« Settings"), callback_data=cb.SETTINGS_MENU.encode("menu", "main")
    )


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


settings_refused = fixed(
    N_("Only this group's administrators, or the bot's leads and admins, may change its settings.")
)


stopped = fixed(
    N_(
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
