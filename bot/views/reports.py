"""Texts and keyboards for reporting progress, reviewing and one's own reports."""

from __future__ import annotations

from datetime import timedelta
from gettext import NullTranslations
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.commands import N_
from bot.views.base import (
    MAX_MESSAGE_LENGTH,
    View,
    button,
    clip,
    esc,
    fixed,
    number,
    reporter_label,
    split_html,
    visible_len,
)
from bot.views.commitments import (
    community_line,
    fmt_date,
    state_name,
    status_label,
    status_name,
)
from storage.drafts import DraftView
from storage.models import Status, UpdateState
from storage.report_rules import MAX_EVIDENCE, NOTE_LIMIT
from storage.reports import ReportInfo, ReportPage, Submitted
from storage.statuses import REPORT_STATUS
from storage.text import fold_words, utf16_chunks, utf16_len

NOTE_FLOOR = 200  # a note shortened to fit its message keeps at least this much


def _cancel_hint(tr: NullTranslations) -> str:
    _ = tr.gettext
    return _("(/cancel stops this report)")


def choose(
    tr: NullTranslations, options: list[tuple[str, str]], *, unknown: str | None = None
) -> View:
    """Step 1; ``unknown``: the id the person gave, which names no commitment."""
    _ = tr.gettext
    title = _("Report progress")
    lines = [f"<b>{esc(title)}</b> · 1/5"]
    if unknown:
        lines.append(
            _("I know no commitment {id}.").format(id=f"<code>{esc(clip(unknown, 40))}</code>")
        )
    lines += [
        _("Which commitment? Type its id (e.g. AR0045) or a few words to search."),
    ]
    if options:
        lines.append(_("Or pick one from the countries this chat follows:"))
    lines.append(_cancel_hint(tr))
    keyboard = [
        [button(f"{cid} · {clip(title, 40)}", cb.REPORT_PICK.encode(cid))] for cid, title in options
    ]
    return View("\n".join(lines), InlineKeyboardMarkup(keyboard) if keyboard else None)


def search_choices(tr: NullTranslations, query: str, options: list[tuple[str, str]]) -> View:
    _ = tr.gettext
    if not options:
        return View(
            _("Nothing matches {query}. Try other words or the commitment's id.").format(
                query=f"<i>{esc(clip(query, 80))}</i>"
            )
        )
    keyboard = [
        [button(f"{cid} · {clip(title, 40)}", cb.REPORT_PICK.encode(cid))] for cid, title in options
    ]
    return View(_("Which of these?"), InlineKeyboardMarkup(keyboard))


def unknown_commitment(tr: NullTranslations, text: str) -> View:
    _ = tr.gettext
    return View(
        _("I know no commitment {id}. Type another id or a few words to search.").format(
            id=f"<code>{esc(clip(text, 40))}</code>"
        )
    )


def _heading(draft: DraftView) -> str:
    subject = draft.commitment_id or draft.pledge_id or ""
    return f"<b>{esc(subject)}</b> · {esc(clip(draft.commitment_title, 120))}"


def confirm_discard(tr: NullTranslations) -> InlineKeyboardMarkup:
    """Under the preview, after Cancel: discard it, or go back to it."""
    _ = tr.gettext
    return InlineKeyboardMarkup(
        [
            [
                button(_("Yes, discard this report"), cb.REPORT_PREVIEW.encode("discard")),
                button(_("No, keep it"), cb.REPORT_EDIT.encode("back")),
            ]
        ]
    )


def typed_status(tr: NullTranslations, text: str) -> Status | None:
    """A status typed instead of tapped: its name in the reader's language or in
    English, any case or accents ("limited", "Limitado", "not started")."""
    typed = fold_words(text)
    for status in Status:
        names = {status_name(tr, status), status.value.replace("_", " ")}
        if typed in {fold_words(name) for name in names}:
            return status
    return None


def ask_status(tr: NullTranslations, draft: DraftView) -> View:
    _ = tr.gettext
    lines = [
        _heading(draft),
        _("Now: {status}").format(status=community_line(tr, draft.current)),
        "",
        _("Step 2/5 · What is its status now, as you see it?"),
        _cancel_hint(tr),
    ]
    buttons = [
        button(status_label(tr, s), cb.REPORT_STATUS.encode(REPORT_STATUS[s].button))
        for s in Status
    ]
    keyboard = [buttons[0:2], buttons[2:4], buttons[4:]]
    return View("\n".join(lines), InlineKeyboardMarkup(keyboard))


def ask_note(tr: NullTranslations, draft: DraftView) -> View:
    _ = tr.gettext
    status = draft.status
    lines = [
        _heading(draft),
        _("Status: {status}").format(status=status_label(tr, status)) if status else "",
        "",
        _(
            "Step 3/5 · In your own words: what has been done, or not? (up to {limit} characters)"
        ).format(limit=number(tr, NOTE_LIMIT)),
        _cancel_hint(tr),
    ]
    return View("\n".join(line for line in lines if line is not None))


def note_too_long(tr: NullTranslations, note: str) -> View:
    """``note``'s length told as Telegram counts it (an emoji is two), as the limit is."""
    _ = tr.gettext
    return View(
        _(
            "Your note has {length} characters; the limit is {limit}. Here it is, to copy "
            "and shorten, then send it again:"
        ).format(length=number(tr, utf16_len(note)), limit=number(tr, NOTE_LIMIT))
    )


def echo_text(text: str) -> list[str]:
    """A person's own long text sent back in tap-to-copy blocks."""
    return [f"<code>{esc(part)}</code>" for part in utf16_chunks(text, 3500)]


def ask_evidence(tr: NullTranslations, draft: DraftView) -> View:
    _ = tr.gettext
    count = len(draft.evidence)
    lines = [
        _heading(draft),
        "",
        _("Step 4/5 · Evidence: send links, photos or documents (up to {max}).").format(
            max=MAX_EVIDENCE
        ),
    ]
    if count:
        lines.append(_("Attached so far: {count}.").format(count=count))
    lines.append(_cancel_hint(tr))
    if count:
        keyboard = [
            [
                button(_("Done"), cb.REPORT_EVIDENCE.encode("done")),
                button(_("Remove all"), cb.REPORT_EVIDENCE.encode("clear")),
            ]
        ]
    else:
        keyboard = [[button(_("Skip"), cb.REPORT_EVIDENCE.encode("skip"))]]
    return View("\n".join(lines), InlineKeyboardMarkup(keyboard))


def too_much_evidence(tr: NullTranslations) -> View:
    _ = tr.gettext
    return View(
        _("That is more than {max} attachments; press Done, or Remove all to start over.").format(
            max=MAX_EVIDENCE
        )
    )


def evidence_added(tr: NullTranslations, draft: DraftView) -> View:
    _ = tr.gettext
    return View(
        _("Attached ({count}). Send more, or press Done.").format(count=len(draft.evidence)),
        InlineKeyboardMarkup(
            [
                [
                    button(_("Done"), cb.REPORT_EVIDENCE.encode("done")),
                    button(_("Remove all"), cb.REPORT_EVIDENCE.encode("clear")),
                ]
            ]
        ),
    )


def evidence_line(tr: NullTranslations, item: dict[str, Any]) -> str:
    _ = tr.gettext
    kind = item.get("kind")
    if kind == "link":
        url = item.get("url", "")
        return f'🔗 <a href="{esc(url)}">{esc(clip(url, 60))}</a>'
    name = item.get("file_name") or (_("photo") if kind == "photo" else _("document"))
    icon = "🖼" if kind == "photo" else "📄"
    caption = item.get("caption") or ""
    return f"{icon} {esc(clip(name, 60))}" + (f" — {esc(clip(caption, 100))}" if caption else "")


def report_body(
    tr: NullTranslations,
    *,
    commitment_id: str,
    commitment_title: str,
    status: Status,
    note: str,
    evidence: list[dict[str, Any]],
    reporter: str,
    state: UpdateState | None = None,
    when: str = "",
    room: int | None = None,
    anonymous: bool = False,
    reveal: bool = False,
) -> str:
    """A report as everyone sees it: in the preview, to leads, in /myreports.

    ``room`` is what the body may take of its message, as Telegram counts: a body
    that would not fit gets its note shortened, then its evidence list, rather
    than a message Telegram refuses.
    """
    _ = tr.gettext
    who = reporter_label(tr, reporter, anonymous=anonymous, reveal=reveal)
    head = f"<b>{esc(commitment_id)}</b> · {esc(clip(commitment_title, 120))}"
    status_text = f"{REPORT_STATUS[status].icon} <b>{esc(status_name(tr, status))}</b>"
    if state is not None:
        status_text += f" ({esc(state_name(tr, state))})"
    meta = _("reported by {who}").format(who=esc(clip(who, 120)))
    if when:
        meta += f" · {when}"
    items = [evidence_line(tr, item) for item in evidence]

    def body(note: str, items: list[str]) -> str:
        lines = [head, status_text + " · " + meta, "", esc(note)]
        return "\n".join([*lines, "", *items] if items else lines)

    text = body(note, items)
    if room is None or (excess := visible_len(text) - room) <= 0:
        return text
    note = clip(note, max(NOTE_FLOOR, utf16_len(note.strip()) - excess))
    text = body(note, items)
    while items and visible_len(text) > room:
        items = items[:-1]
        text = body(note, [*items, "…"])
    return text


def preview(tr: NullTranslations, draft: DraftView, reporter: str) -> View:
    _ = tr.gettext
    intro = _("Step 5/5 · This is how others will see your report:")
    note = _(
        "Anonymous: leads, government contacts, digests, exports and public pages "
        "say “a coalition member”; only the bot's admins can see it was you."
    )
    if draft.government:
        note = _(
            "🏛 You speak for the government: this report is published as its word, "
            "labelled Government, beside civil society's verified status; leads do not "
            "verify it."
        )
    body = report_body(
        tr,
        commitment_id=draft.commitment_id or draft.pledge_id or "",
        commitment_title=draft.commitment_title,
        status=draft.status or Status.NOT_STARTED,
        note=draft.note,
        evidence=draft.evidence,
        reporter=reporter,
        room=MAX_MESSAGE_LENGTH - visible_len(intro) - visible_len(note) - 4,
        anonymous=draft.anonymous and not draft.government,
    )
    keyboard = [
        [
            button(_("Send"), cb.REPORT_PREVIEW.encode("send")),
            button(_("Edit"), cb.REPORT_PREVIEW.encode("edit")),
            button(_("Cancel"), cb.REPORT_PREVIEW.encode("cancel")),
        ],
    ]
    if not draft.government:  # the government's word is signed
        keyboard.append(
            [
                button(_("👤 Send with my name"), cb.REPORT_PREVIEW.encode("named"))
                if draft.anonymous
                else button(_("🕶 Send anonymously"), cb.REPORT_PREVIEW.encode("anon"))
            ]
        )
    return View(f"{intro}\n\n{body}\n\n<i>{esc(note)}</i>", InlineKeyboardMarkup(keyboard))


def edit_choices(tr: NullTranslations, draft: DraftView, reporter: str) -> View:
    _ = tr.gettext
    view = preview(tr, draft, reporter)
    keyboard = [
        [
            button(_("Status"), cb.REPORT_EDIT.encode("status")),
            button(_("Note"), cb.REPORT_EDIT.encode("note")),
            button(_("Evidence"), cb.REPORT_EDIT.encode("evidence")),
        ],
        [button(_("« Back"), cb.REPORT_EDIT.encode("back"))],
    ]
    return View(view.text, InlineKeyboardMarkup(keyboard))


def hint(tr: NullTranslations, step: str) -> View:
    _ = tr.gettext
    hints = {
        "choose": _("Type a commitment id (like AR0045) or a few words, or pick a button."),
        "status": _("Please choose the status with one of the buttons above."),
        "note": _("Please write your note as a text message."),
        "evidence": _("Send a link, a photo or a document — or press Done (or Skip) above."),
        "preview": _("Please press Send, Edit or Cancel above."),
    }
    return View(hints[step] + " " + _cancel_hint(tr))


cancelled = fixed(N_("Report cancelled. Nothing was sent."))


no_draft = fixed(
    N_("This report is no longer open (it expired or was finished). Start again with /report.")
)


def expired_draft(tr: NullTranslations, commitment_id: str | None) -> View:
    _ = tr.gettext
    if commitment_id:
        return View(
            _(
                "Your unfinished report on {id} expired after a day. Start again with /report."
            ).format(id=f"<b>{esc(commitment_id)}</b>")
        )
    return View(_("Your unfinished report expired after a day. Start again with /report."))


def flood(tr: NullTranslations, wait: timedelta) -> View:
    _ = tr.gettext
    minutes = max(1, round(wait.total_seconds() / 60))
    return View(
        tr.ngettext(
            "You have sent or changed 20 reports in the last hour, the most we take. "
            "Please try again in {minutes} minute.",
            "You have sent or changed 20 reports in the last hour, the most we take. "
            "Please try again in {minutes} minutes.",
            minutes,
        ).format(minutes=minutes)
    )


def sent(tr: NullTranslations, result: Submitted) -> View:
    _ = tr.gettext
    text = (
        _(
            "Thank you! Your report on {id} is published as the government's word, "
            "labelled Government, beside civil society's verified status."
        )
        if result.government
        else _(
            "Thank you! Your changes to the report on {id} are saved and wait for a lead "
            "to verify them."
        )
        if result.edited
        else _("Thank you! Your report on {id} is saved and waits for a lead to verify it.")
    ).format(id=f"<b>{esc(result.commitment_id)}</b>")
    keyboard = [[button(_("View commitment"), cb.CARD.encode(result.commitment_id))]]
    return View(text, InlineKeyboardMarkup(keyboard))


def send_failed(tr: NullTranslations, reason: str) -> View:
    _ = tr.gettext
    if reason == "verified":
        return View(_("This report was verified meanwhile, so it can no longer be changed."))
    return View(_("This report can no longer be changed."))


REASON_SHOWN = 300  # of a rejection's reason in a list of reports; the notice had it all


def report_list(
    tr: NullTranslations,
    page: ReportPage,
    *,
    title: str,
    empty: str,
    page_route: cb.Route,
    page_args: tuple = (),
    buttons_for: Any = None,
    reveal: bool = False,
    reasons: bool = False,
) -> View:
    """``reasons``: show why rejected reports were rejected (to their author)."""
    _ = tr.gettext
    header = f"<b>{esc(title)}</b> ({page.total})"
    lines = [header, ""]
    if not page.reports:
        lines.append(empty)
    keyboard: list[list[InlineKeyboardButton]] = []
    # Each report gets an equal share of the message, so long ones push none off it.
    share = (MAX_MESSAGE_LENGTH - visible_len(header) - 1) // max(1, len(page.reports)) - 2
    for info in page.reports:
        number_mark = f"#{info.id} · "
        reason = ""
        if reasons and info.state is UpdateState.REJECTED and info.reason:
            quoted = esc(clip(info.reason, REASON_SHOWN))
            reason = "\n" + _("Reason: {reason}").format(reason=f"<i>{quoted}</i>")
        room = share - visible_len(number_mark) - visible_len(reason)
        body = info_body(tr, info, room=room, reveal=reveal)
        lines.append(number_mark + body.replace("\n\n", "\n") + reason)
        lines.append("")
        if buttons_for is not None:
            row = buttons_for(info)
            if row:
                keyboard.append(row)
    text = "\n".join(lines)
    parts = split_html(text)
    if len(parts) > 1:  # cannot happen with the shares above; never send a refused page
        text = parts[0]
    nav = []
    if page.page > 0:
        nav.append(button("‹", page_route.encode(*page_args, page.page - 1)))
    if page.pages > 1:
        nav.append(button(f"{page.page + 1}/{page.pages}", cb.PAGE_COUNTER.encode()))
    if page.page + 1 < page.pages:
        nav.append(button("›", page_route.encode(*page_args, page.page + 1)))
    if nav:
        keyboard.append(nav)
    return View(text, InlineKeyboardMarkup(keyboard) if keyboard else None)


def in_group(tr: NullTranslations, url: str) -> View:
    _ = tr.gettext
    return View(
        _("Reports are written in a private chat with me, so the group is not flooded."),
        InlineKeyboardMarkup([[InlineKeyboardButton(_("Report in private"), url=url)]]),
    )


nothing_to_cancel = fixed(N_("There is nothing to cancel."))


def info_body(
    tr: NullTranslations, info: ReportInfo, *, room: int | None = None, reveal: bool = False
) -> str:
    return report_body(
        tr,
        commitment_id=info.commitment_id,
        commitment_title=info.commitment_title,
        status=info.status,
        note=info.note,
        evidence=info.evidence,
        reporter=info.reporter_name,
        state=info.state,
        when=fmt_date(info.created_at),
        room=room,
        anonymous=info.anonymous,
        reveal=reveal,
    )
