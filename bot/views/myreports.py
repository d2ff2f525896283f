"""/myreports: one's own reports, withdrawing and editing them."""

from __future__ import annotations

from gettext import NullTranslations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.views.base import (
    View,
    button,
    esc,
)
from bot.views.reports import report_list
from storage.models import UpdateState
from storage.reports import (
    ReportInfo,
    ReportPage,
)


def my_reports(tr: NullTranslations, page: ReportPage) -> View:
    _ = tr.gettext

    def buttons(info: ReportInfo) -> list[InlineKeyboardButton]:
        if info.state in (UpdateState.PENDING, UpdateState.REJECTED):
            return [
                button(_("Edit #{id}").format(id=info.id), cb.MY_REPORTS.encode("edit", info.id)),
                button(_("Withdraw #{id}").format(id=info.id), cb.MY_REPORTS.encode("wd", info.id)),
            ]
        return []

    return report_list(
        tr,
        page,
        title=_("Your reports, newest first"),
        empty=_("You have not reported yet. Start with /report."),
        page_route=cb.MY_REPORTS,
        page_args=("page",),
        buttons_for=buttons,
        reasons=True,
    )


def confirm_withdraw(tr: NullTranslations, info: ReportInfo) -> View:
    _ = tr.gettext
    return View(
        _(
            "Withdraw your report #{id} on {commitment}? It stays in the history as withdrawn."
        ).format(id=info.id, commitment=f"<b>{esc(info.commitment_id)}</b>"),
        InlineKeyboardMarkup(
            [
                [
                    button(_("Yes, withdraw"), cb.MY_REPORTS.encode("wdy", info.id)),
                    button(_("No"), cb.MY_REPORTS.encode("page", 0)),
                ]
            ]
        ),
    )


def withdrawn(tr: NullTranslations, info: ReportInfo) -> View:
    _ = tr.gettext
    return View(
        _("Report #{id} on {commitment} is withdrawn.").format(
            id=info.id, commitment=f"<b>{esc(info.commitment_id)}</b>"
        )
    )


def cannot_change(tr: NullTranslations, reason: str) -> str:
    _ = tr.gettext
    if reason == "verified":
        return _("A verified report can no longer be changed.")
    return _("Only its author can change this report.")
