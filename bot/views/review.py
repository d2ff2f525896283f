"""Reviewing reports: what reviewers receive, their verdicts, rejection reasons and /pending."""

from __future__ import annotations

from gettext import NullTranslations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.commands import N_
from bot.views.base import (
    MAX_MESSAGE_LENGTH,
    View,
    button,
    clip,
    country_name,
    esc,
    fixed,
    visible_len,
)
from bot.views.commitments import state_name
from bot.views.reports import info_body, report_body, report_list
from storage.models import UpdateState
from storage.reports import ReportInfo, ReportPage, Submitted
from storage.review import OWN_REPORT


def to_reviewers(tr: NullTranslations, result: Submitted, *, reveal: bool = False) -> View:
    """``reveal``: the reviewer is one of the bot's admins (an anonymous report's
    author is shown to them, to nobody else)."""
    _ = tr.gettext
    title = (
        _("A report was changed and needs verifying")
        if result.edited
        else _("A new report needs verifying")
    )
    place = country_name(tr, result.country_code, result.country_name)
    heading = f"📝 <b>{esc(title)}</b> ({esc(place)})\n\n"
    body = report_body(
        tr,
        commitment_id=result.commitment_id,
        commitment_title=result.commitment_title,
        status=result.status,
        note=result.note,
        evidence=result.evidence,
        reporter=result.reporter_name,
        room=MAX_MESSAGE_LENGTH - visible_len(heading),
        anonymous=result.anonymous,
        reveal=reveal,
    )
    return View(heading + body, review_keyboard(tr, result.update_id, result.revision))


def review_keyboard(tr: NullTranslations, update_id: int, revision: int) -> InlineKeyboardMarkup:
    """Verify and Reject for the revision shown above them, and no other."""
    _ = tr.gettext
    return InlineKeyboardMarkup(
        [
            [
                button("✅ " + _("Verify"), cb.REVIEW.encode("ok", update_id, revision)),
                button("❌ " + _("Reject"), cb.REVIEW.encode("no", update_id, revision)),
            ]
        ]
    )


def report_changed(tr: NullTranslations) -> str:
    _ = tr.gettext
    return _("This report was changed after you saw it. Here it is now:")


def changed_report(tr: NullTranslations, info: ReportInfo) -> View:
    """A report whose author changed it since the reviewer's notice, to decide on anew."""
    heading = f"📝 <b>{esc(report_changed(tr))}</b>\n\n"
    body = info_body(tr, info, room=MAX_MESSAGE_LENGTH - visible_len(heading))
    return View(heading + body, review_keyboard(tr, info.id, info.revision))


def reviewed(tr: NullTranslations, info: ReportInfo, reviewer: str) -> View:
    """The lead's notification after the decision, buttons gone."""
    _ = tr.gettext
    verdict = (
        _("✅ Verified by {who}")
        if info.state is UpdateState.VERIFIED
        else _("❌ Rejected by {who}")
    ).format(who=esc(clip(reviewer, 60)))
    tail = f"\n\n<b>{verdict}</b>"
    if info.reason:
        tail += "\n" + _("Reason: {reason}").format(reason=esc(info.reason))
    return View(info_body(tr, info, room=MAX_MESSAGE_LENGTH - visible_len(tail)) + tail)


def already_reviewed(tr: NullTranslations, info: ReportInfo) -> str:
    _ = tr.gettext
    return _("Already {state}.").format(state=state_name(tr, info.state))


def not_allowed(tr: NullTranslations) -> str:
    _ = tr.gettext
    return _("Only leads of this country, or admins, may verify its reports.")


def refused(tr: NullTranslations, refusal: str) -> str:
    """Why a Verify or Reject was refused, in words for the person who pressed it."""
    _ = tr.gettext
    if refusal == OWN_REPORT:
        return _("This is your own report: another lead or an admin will review it.")
    return not_allowed(tr)


def ask_reason(tr: NullTranslations, info: ReportInfo) -> View:
    _ = tr.gettext
    return View(
        _(
            "Why is the report on {id} rejected? Send a short reason (/cancel to keep it pending)."
        ).format(id=f"<b>{esc(info.commitment_id)}</b>")
    )


reason_hint = fixed(N_("Please send the reason as a text message, or /cancel."))


reject_cancelled = fixed(N_("Not rejected; the report is still pending."))


def outcome_for_reporter(tr: NullTranslations, info: ReportInfo) -> View:
    _ = tr.gettext
    if info.state is UpdateState.VERIFIED:
        text = _("✅ Your report on {id} was verified. Thank you!").format(
            id=f"<b>{esc(info.commitment_id)}</b>"
        )
    else:
        text = _("❌ Your report on {id} was not accepted.").format(
            id=f"<b>{esc(info.commitment_id)}</b>"
        )
        if info.reason:
            text += "\n" + _("Reason: {reason}").format(reason=esc(info.reason))
        text += "\n" + _("You can change it and send it again from /myreports.")
    keyboard = [[button(_("View commitment"), cb.CARD.encode(info.commitment_id))]]
    return View(text, InlineKeyboardMarkup(keyboard))


def pending(tr: NullTranslations, page: ReportPage, *, reveal: bool = False) -> View:
    """``reveal``: the reader is one of the bot's admins (see reporter_label)."""
    _ = tr.gettext

    def buttons(info: ReportInfo) -> list[InlineKeyboardButton]:
        return [
            button(f"✅ #{info.id}", cb.REVIEW.encode("ok", info.id, info.revision)),
            button(f"❌ #{info.id}", cb.REVIEW.encode("no", info.id, info.revision)),
        ]

    return report_list(
        tr,
        page,
        title=_("Reports waiting for verification, oldest first"),
        empty=_("Nothing waits for you. Thank you!"),
        page_route=cb.PENDING_PAGE,
        buttons_for=buttons,
        reveal=reveal,
    )


only_leads = fixed(N_("/pending is for leads and admins."))
