"""/forgetme: the question, its answers and what was erased."""

from __future__ import annotations

from gettext import NullTranslations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.commands import N_
from bot.views.base import (
    View,
    fixed,
)
from storage.forget import Forgotten


def forget_ask(tr: NullTranslations) -> View:
    _ = tr.gettext
    lines = [
        _("<b>Delete your data?</b>"),
        "",
        _(
            "I will delete your name, username and settings, what this chat follows, "
            "your unfinished report and any lead role you have."
        ),
        _(
            "Your reports stay, for the record, but no longer carry your name: they show "
            "as from a former member. This cannot be undone."
        ),
    ]
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("Yes, delete my data"), callback_data=cb.FORGET.encode("yes")
                ),
                InlineKeyboardButton(_("No, keep it"), callback_data=cb.FORGET.encode("no")),
            ]
        ]
    )
    return View("\n".join(lines), keyboard)


forget_in_private = fixed(N_("To delete your data, send /forgetme to me in a private chat."))


def forgotten(tr: NullTranslations, result: Forgotten) -> View:
    _ = tr.gettext
    return View(
        tr.ngettext(
            "Done: your personal data is deleted and {count} of your reports is now "
            "anonymous. If you write to me again, I will know you as a new member.",
            "Done: your personal data is deleted and {count} of your reports are now "
            "anonymous. If you write to me again, I will know you as a new member.",
            result.reports_anonymised,
        ).format(count=result.reports_anonymised)
    )


forget_kept = fixed(N_("Nothing was deleted."))
