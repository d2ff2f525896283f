"""Texts for government points of contact: the notice of a verified report, the reply."""

from __future__ import annotations

from gettext import NullTranslations
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.views.base import View, clip, esc, reporter_label
from bot.views.commitments import status_name
from storage.government import REPLY_LIMIT, ReplyResult
from storage.reports import ReportInfo


def notice(tr: NullTranslations, report: ReportInfo) -> tuple[str, dict[str, Any]]:
    """A verified civil-society report on one of the contact's country's commitments,
    with a Reply button (for the outbox: the markup as a dict)."""
    _ = tr.gettext
    who = reporter_label(tr, report.reporter_name, anonymous=report.anonymous)
    lines = [
        _("🏛 Civil society's report on {id}, verified by a lead:").format(
            id=f"<b>{esc(report.commitment_id)}</b>"
        ),
        f"<i>{esc(clip(report.commitment_title, 200))}</i>",
        f"{esc(status_name(tr, report.status))} — {esc(clip(who, 60))}",
        esc(clip(report.note, 1500)),
        "",
        _("As the government's point of contact you may reply once; the reply is shown under it."),
    ]
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("Reply"), callback_data=cb.GOVERNMENT_REPLY.encode(report.id))]]
    )
    return "\n".join(lines), keyboard.to_dict()


def ask_reply(tr: NullTranslations, report: ReportInfo) -> View:
    _ = tr.gettext
    return View(
        _(
            "Write the government's reply to this report on {id} (at most {limit} characters), "
            "or /cancel. It can be sent once."
        ).format(id=f"<b>{esc(report.commitment_id)}</b>", limit=REPLY_LIMIT)
    )


def refused(tr: NullTranslations, result: ReplyResult) -> str:
    """Why a reply goes no further: short enough for a button's alert (200 characters)."""
    _ = tr.gettext
    if result.problem == "replied":
        return _("The government has already replied to this report: one reply per report.")
    if result.problem == "not_verified":
        return _("Only verified civil-society reports can be replied to.")
    if result.problem == "no_report":
        return _("This report no longer exists.")
    if result.problem == "empty":
        return _("The reply is empty: nothing was saved.")
    return _(
        "Only the government's points of contact for this country may reply. "
        "The attempt has been logged."
    )


def replied(tr: NullTranslations, result: ReplyResult) -> View:
    _ = tr.gettext
    report = result.report
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("View commitment"), callback_data=cb.CARD.encode(report.commitment_id)
                )
            ]
        ]
    )
    return View(
        _(
            "Your reply is saved and shown under the report on {id}, labelled Government reply."
        ).format(id=f"<b>{esc(report.commitment_id)}</b>"),
        keyboard,
    )


def cancelled(tr: NullTranslations) -> View:
    _ = tr.gettext
    return View(_("No reply was sent."))
