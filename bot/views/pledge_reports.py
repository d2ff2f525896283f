"""Texts for reports on Summit pledges: sent, the leads' queue and decision, the
card's "Reports" section and a digest's lines (storage/pledge_reports.py)."""

from __future__ import annotations

from gettext import NullTranslations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.views.base import (
    MAX_MESSAGE_LENGTH,
    View,
    button,
    clip,
    esc,
    reporter_label,
    visible_len,
)
from bot.views.commitments import fmt_date, state_name, status_name
from bot.views.reports import evidence_line, report_body
from storage.models import UpdateState
from storage.pledge_reports import Decision, PledgeReportLine, PledgeSubmitted
from storage.statuses import REPORT_STATUS


def _status(tr: NullTranslations, line: PledgeReportLine) -> str:
    return f"{REPORT_STATUS[line.status].icon} <b>{esc(status_name(tr, line.status))}</b>"


def sent(tr: NullTranslations, result: PledgeSubmitted) -> View:
    _ = tr.gettext
    text = _("Thank you! Your report on {id} is saved and waits for a lead to verify it.").format(
        id=f"<b>{esc(result.pledge_id)}</b>"
    )
    keyboard = [[button(_("View pledge"), cb.PLEDGE_CARD.encode(result.pledge_id))]]
    return View(text, InlineKeyboardMarkup(keyboard))


def to_reviewers(tr: NullTranslations, line: PledgeReportLine, *, reveal: bool = False) -> View:
    """A lead's "needs verifying" notice (``reveal``: an admin, who alone sees an
    anonymous author); its buttons are the queue's."""
    _ = tr.gettext
    heading = f"📝 <b>{esc(_('A new report needs verifying'))}</b> ({esc(line.country)})\n\n"
    body = report_body(
        tr,
        commitment_id=line.pledge_id,
        commitment_title=line.pledge_text,
        status=line.status,
        note=line.note,
        evidence=line.evidence,
        reporter=line.name,
        room=MAX_MESSAGE_LENGTH - visible_len(heading),
        anonymous=line.anonymous,
        reveal=reveal,
    )
    keyboard = [
        [
            button("✅ " + _("Verify"), cb.PLEDGE_REVIEW.encode("ok", line.id)),
            button("❌ " + _("Reject"), cb.PLEDGE_REVIEW.encode("no", line.id)),
        ]
    ]
    return View(heading + body, InlineKeyboardMarkup(keyboard))


def _who(tr: NullTranslations, line: PledgeReportLine, *, reveal: bool) -> str:
    return reporter_label(tr, line.name, anonymous=line.anonymous, reveal=reveal)


def pending(tr: NullTranslations, lines: list[PledgeReportLine], *, reveal: bool = False) -> View:
    """The leads' queue of pledge reports, apart from commitments' (``reveal``: admins)."""
    _ = tr.gettext
    title = _("Summit pledge reports waiting for verification, oldest first")
    out = [f"<b>{esc(title)}</b>"]
    keyboard: list[list[InlineKeyboardButton]] = []
    for line in lines:
        meta = _("reported by {who}").format(who=esc(clip(_who(tr, line, reveal=reveal), 60)))
        out += [
            "",
            f"#{line.id} · <b>{esc(line.pledge_id)}</b> · {esc(clip(line.pledge_text, 100))}",
            f"{_status(tr, line)} · {meta} · {fmt_date(line.created_at)}",
            esc(clip(line.note, 400)),
            *[evidence_line(tr, item) for item in line.evidence],
        ]
        keyboard.append(
            [
                button(f"✅ #{line.id}", cb.PLEDGE_REVIEW.encode("ok", line.id)),
                button(f"❌ #{line.id}", cb.PLEDGE_REVIEW.encode("no", line.id)),
            ]
        )
    return View("\n".join(out), InlineKeyboardMarkup(keyboard))


def decided(tr: NullTranslations, decision: Decision) -> View:
    """What the reviewer sees in place of the queue entry they decided on."""
    _ = tr.gettext
    line = decision.report
    if decision.already:
        text = _("Report #{id} on {pledge} was already decided by someone else.")
    elif line.state == UpdateState.VERIFIED:
        text = _("Verified: report #{id} on {pledge} now shows on the pledge's card.")
    else:
        text = _("Rejected: report #{id} on {pledge}.")
    return View(
        text.format(id=line.id, pledge=f"<b>{esc(line.pledge_id)}</b>"),
        InlineKeyboardMarkup([[button(_("View pledge"), cb.PLEDGE_CARD.encode(line.pledge_id))]]),
    )


def outcome_for_author(tr: NullTranslations, line: PledgeReportLine) -> View:
    """The author's notice of the decision (the commitments' wording)."""
    _ = tr.gettext
    pledge = f"<b>{esc(line.pledge_id)}</b>"
    if line.state == UpdateState.VERIFIED:
        text = _("✅ Your report on {id} was verified. Thank you!").format(id=pledge)
    else:
        text = _("❌ Your report on {id} was not accepted.").format(id=pledge)
    keyboard = [[button(_("View pledge"), cb.PLEDGE_CARD.encode(line.pledge_id))]]
    return View(text, InlineKeyboardMarkup(keyboard))


def refused(tr: NullTranslations) -> str:
    _ = tr.gettext
    return _("Only leads of the pledge's country and admins verify its reports, never its author.")


def card_section(tr: NullTranslations, lines: list[PledgeReportLine]) -> list[str]:
    """The pledge card's "Reports": the latest verified, names withheld as asked."""
    _ = tr.gettext
    label = _("Reports")
    if not lines:
        return [f"<b>{esc(label)}</b>", _("No verified report on this pledge yet.")]
    out = [f"<b>{esc(label)}</b>"]
    for line in lines:
        who = reporter_label(tr, line.reporter, anonymous=line.anonymous)
        out.append(
            f"• {fmt_date(line.reviewed_at or line.created_at)} {_status(tr, line)} "
            f"({esc(state_name(tr, UpdateState.VERIFIED))}) — {esc(clip(who, 40))}: "
            f"{esc(clip(line.note, 160))}"
        )
    return out


def digest_lines(tr: NullTranslations, lines: list[PledgeReportLine]) -> list[str]:
    """A followed country's newly verified pledge reports, in its digest."""
    _ = tr.gettext
    out = ["📣 " + _("New verified reports on 2016 Summit pledges:")]
    for line in lines[:10]:
        who = reporter_label(tr, line.reporter, anonymous=line.anonymous)
        out.append(
            f" • <b>{esc(line.pledge_id)}</b> {REPORT_STATUS[line.status].icon} "
            f"{esc(status_name(tr, line.status))} — {esc(clip(who, 30))}: "
            f"{esc(clip(line.note, 140))}"
        )
    return out
