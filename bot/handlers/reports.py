"""The report conversation: commitment → status → note → evidence → preview.

Every step is stored as it happens (draft content and conversation state in
one transaction), so a member on a bad network who comes back after a restart
continues where they were. Only in private chats; a group gets a button that
opens the private chat with the commitment already chosen.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from gettext import NullTranslations

from telegram import Message, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import callbacks as cb
from bot import links
from bot.context import BotContext
from bot.handlers.common import (
    END,
    Conversation,
    edit,
    expired,
    reply,
    show,
)
from bot.jobs import deliver_soon
from bot.views import View
from bot.views import myreports as myreport_views
from bot.views import pledge_reports as pledge_views
from bot.views import reports as views
from storage import drafts, report_rules
from storage import reports as store
from storage.ids import normalise_commitment_id
from storage.pledge_reports import PledgeSubmitted
from storage.search import search_commitments
from storage.summit import normalise_pledge_id

# Conversation states: stored in the database as these strings.
CHOOSE, STATUS, NOTE, EVIDENCE, PREVIEW = "choose", "status", "note", "evidence", "preview"

# Links as Telegram recognises them: with a scheme, from "www.", or a domain with a path
# ("www.example.org/x", "example.org/report.pdf"); those without a scheme get https://.
URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+|\b(?:[a-z0-9-]+\.)+[a-z]{2,}/[^\s<>\"']*",
    re.IGNORECASE,
)
SCHEME = re.compile(r"^https?://", re.IGNORECASE)
SUGGESTIONS = 8

log = logging.getLogger(__name__)


async def _begin(
    update: Update, context: BotContext, commitment_id: str | None, pledge_id: str | None = None
) -> str:
    """Start a report on a commitment or, given ``pledge_id``, on a Summit pledge."""
    user = update.effective_user
    try:
        draft = drafts.start_draft(
            context.db,
            user.id,
            update.effective_chat.id,
            commitment_id=commitment_id,
            pledge_id=pledge_id,
            state=STATUS if commitment_id or pledge_id else CHOOSE,
        )
    except report_rules.FloodLimited as limited:
        await reply(update, views.flood(context.tr, limited.wait))
        return END
    if draft.commitment_id is None and draft.pledge_id is None:
        # An id we do not know is said so, above the picker, rather than ignored.
        options = store.suggestions(context.db, update.effective_chat.id, limit=SUGGESTIONS)
        unknown = pledge_id or commitment_id
        await reply(update, views.choose(context.tr, options, unknown=unknown))
        return CHOOSE
    await reply(update, views.ask_status(context.tr, draft))
    return STATUS


def _typed_id(context: BotContext) -> str | None:
    return normalise_commitment_id(" ".join(context.args or []))


async def report_command(update: Update, context: BotContext) -> str:
    if pledge_id := normalise_pledge_id(" ".join(context.args or [])):
        return await _begin(update, context, None, pledge_id)
    commitment_id = _typed_id(context)
    return await _begin(update, context, commitment_id)


async def report_link(update: Update, context: BotContext) -> str:
    payload = context.args[0] if context.args else ""
    target = payload.removeprefix(links.REPORT).lstrip("_")
    if pledge_id := normalise_pledge_id(target):
        return await _begin(update, context, None, pledge_id)
    commitment_id = normalise_commitment_id(target)
    return await _begin(update, context, commitment_id)


async def pledge_report_button(update: Update, context: BotContext) -> str | None:
    """ "Report progress" on a Summit pledge's card."""
    query = update.callback_query
    (pledge_id,) = cb.PLEDGE_REPORT.parse(query.data)
    await query.answer()
    return await _begin(update, context, None, pledge_id)


async def report_new_button(update: Update, context: BotContext) -> str | None:
    """ "Report progress" under /start: the report begins with choosing the commitment."""
    await update.callback_query.answer()
    return await _begin(update, context, None)


async def report_button(update: Update, context: BotContext) -> str | None:
    query = update.callback_query
    (commitment_id,) = cb.REPORT_START.parse(query.data)
    await query.answer()
    return await _begin(update, context, commitment_id)


async def edit_existing(update: Update, context: BotContext) -> str | int:
    """ "Edit" in /myreports: the report becomes a draft, opened at its preview."""
    query = update.callback_query
    _action, number = cb.MY_REPORTS.parse(query.data)
    try:
        draft = store.edit_report(
            context.db,
            update.effective_user.id,
            update.effective_chat.id,
            number,
            state=PREVIEW,
        )
    except report_rules.FloodLimited as limited:
        await query.answer()
        await reply(update, views.flood(context.tr, limited.wait))
        return END
    except report_rules.ReportError as problem:
        await query.answer(
            myreport_views.cannot_change(context.tr, problem.args[0]), show_alert=True
        )
        return END
    await query.answer()
    return await _ask(update, context, draft, PREVIEW)


async def report_in_group(update: Update, context: BotContext) -> None:
    commitment_id = normalise_pledge_id(" ".join(context.args or [])) or _typed_id(context)
    await reply(
        update, views.in_group(context.tr, links.report_link(context.bot.username, commitment_id))
    )


# ---------------------------------------------------------------- step 1


async def choose_text(update: Update, context: BotContext) -> str:
    text = update.effective_message.text.strip()
    # What was typed is a Summit pledge's id, or else a commitment's, or else words.
    for normalise, choose in (
        (normalise_pledge_id, drafts.choose_pledge),
        (normalise_commitment_id, drafts.choose_commitment),
    ):
        if chosen := normalise(text):
            try:
                draft = choose(context.db, update.effective_user.id, chosen, state=STATUS)
            except report_rules.ReportError:
                await reply(update, views.unknown_commitment(context.tr, chosen))
                return CHOOSE
            return await _ask(update, context, draft, STATUS)
    found = search_commitments(context.db, text, page_size=SUGGESTIONS)
    options = [(row.id, row.title) for row in found.rows]
    await reply(update, views.search_choices(context.tr, text, options))
    return CHOOSE


async def choose_button(update: Update, context: BotContext) -> str:
    query = update.callback_query
    (commitment_id,) = cb.REPORT_PICK.parse(query.data)
    try:
        draft = drafts.choose_commitment(
            context.db, update.effective_user.id, commitment_id, state=STATUS
        )
    except report_rules.ReportError:
        await expired(query, context)
        return CHOOSE
    await query.answer()
    return await _ask(update, context, draft, STATUS)


# ---------------------------------------------------------------- steps 2-4


async def _ask(
    update: Update, context: BotContext, draft: drafts.DraftView | None, state: str
) -> str:
    """Ask the question of ``state`` (or show the preview); end if the draft is gone."""
    if draft is None:
        await reply(update, views.no_draft(context.tr))
        return END
    if state == PREVIEW:
        await reply(update, views.preview(context.tr, draft, update.effective_user.full_name))
        return PREVIEW
    ask = {STATUS: views.ask_status, NOTE: views.ask_note, EVIDENCE: views.ask_evidence}[state]
    await reply(update, ask(context.tr, draft))
    return state


async def status_button(update: Update, context: BotContext) -> str:
    query = update.callback_query
    (status,) = cb.REPORT_STATUS.parse(query.data)
    await query.answer()
    # Forward to the note, or back to the preview when only the status was edited.
    draft = drafts.set_status(
        context.db, update.effective_user.id, status, state=NOTE, editing_state=PREVIEW
    )
    return await _ask(update, context, draft, draft.state if draft else NOTE)


async def status_text(update: Update, context: BotContext) -> str:
    """A status typed rather than tapped is as good, in the reader's language too."""
    status = views.typed_status(context.tr, update.effective_message.text)
    if status is None:
        await reply(update, views.hint(context.tr, STATUS))
        return STATUS
    draft = drafts.set_status(
        context.db, update.effective_user.id, status, state=NOTE, editing_state=PREVIEW
    )
    return await _ask(update, context, draft, draft.state if draft else NOTE)


async def note_text(update: Update, context: BotContext) -> str:
    text = update.effective_message.text
    try:
        draft = drafts.set_note(
            context.db, update.effective_user.id, text, state=EVIDENCE, editing_state=PREVIEW
        )
    except report_rules.ReportError as problem:
        if problem.args[0] == "too_long":
            # Refused, but not lost: their text comes back, ready to copy and shorten.
            await reply(update, views.note_too_long(context.tr, text.strip()))
            for part in views.echo_text(text.strip()):
                await reply(update, View(part))
        else:
            await reply(update, views.hint(context.tr, NOTE))
        return NOTE
    return await _ask(update, context, draft, draft.state if draft else EVIDENCE)


def _evidence_items(message: Message) -> list[dict]:
    caption = (message.caption or "").strip()
    if message.photo:
        photo = message.photo[-1]  # the largest size Telegram made
        return [
            {
                "kind": "photo",
                "file_id": photo.file_id,
                "file_size": photo.file_size,
                "file_name": "",
                "caption": caption,
            }
        ]
    if message.document:
        doc = message.document
        return [
            {
                "kind": "document",
                "file_id": doc.file_id,
                "file_name": doc.file_name or "",
                "file_size": doc.file_size,
                "caption": caption,
            }
        ]
    text = message.text or message.caption or ""
    links = [url.rstrip(".,;)") for url in URL.findall(text)]
    return [{"kind": "link", "url": u if SCHEME.match(u) else f"https://{u}"} for u in links]


async def evidence_message(update: Update, context: BotContext) -> str:
    items = _evidence_items(update.effective_message)
    if not items:
        await reply(update, views.hint(context.tr, EVIDENCE))
        return EVIDENCE
    try:
        draft = drafts.add_evidence(context.db, update.effective_user.id, items, state=EVIDENCE)
    except report_rules.ReportError:
        await reply(update, views.too_much_evidence(context.tr))
        return EVIDENCE
    if draft is None:
        await reply(update, views.no_draft(context.tr))
        return END
    await reply(update, views.evidence_added(context.tr, draft))
    return EVIDENCE


async def clear_evidence(update: Update, context: BotContext) -> str:
    await update.callback_query.answer()
    draft = drafts.clear_evidence(context.db, update.effective_user.id, state=EVIDENCE)
    return await _ask(update, context, draft, EVIDENCE)


async def evidence_done(update: Update, context: BotContext) -> str:
    """Done or Skip: on to the preview."""
    await update.callback_query.answer()
    draft = drafts.move_to(context.db, update.effective_user.id, state=PREVIEW)
    return await _ask(update, context, draft, PREVIEW)


# ---------------------------------------------------------------- step 5


async def ask_discard(update: Update, context: BotContext) -> str:
    """Cancel: a slip of the thumb must not lose a written report, so ask."""
    query = update.callback_query
    await query.answer()
    await query.edit_message_reply_markup(views.confirm_discard(context.tr))
    return PREVIEW


async def discard(update: Update, context: BotContext) -> int:
    query = update.callback_query
    drafts.discard_draft(context.db, update.effective_user.id)
    await query.answer()
    await edit(query, views.cancelled(context.tr))
    return END


async def _at_preview(
    update: Update,
    context: BotContext,
    draft: drafts.DraftView | None,
    screen: Callable[[NullTranslations, drafts.DraftView, str], View],
) -> str | int:
    """The preview or its edit menu in place of the pressed one; a draft gone
    (expired, sent from elsewhere) ends the conversation."""
    view = screen(context.tr, draft, update.effective_user.full_name) if draft is not None else None
    await show(update, context, view)
    return PREVIEW if draft is not None else END


async def edit_menu(update: Update, context: BotContext) -> str | int:
    draft = drafts.get_draft(context.db, update.effective_user.id)
    return await _at_preview(update, context, draft, views.edit_choices)


async def set_anonymous(update: Update, context: BotContext) -> str | int:
    (action,) = cb.REPORT_PREVIEW.parse(update.callback_query.data)
    anonymous = action == "anon"
    draft = drafts.set_anonymous(context.db, update.effective_user.id, anonymous, state=PREVIEW)
    return await _at_preview(update, context, draft, views.preview)


async def send(update: Update, context: BotContext) -> str | int:
    query = update.callback_query
    user = update.effective_user
    try:
        result = store.submit_draft(
            context.db,
            user.id,
            admins=context.settings.admins,
            now=context.now(),
        )
    except report_rules.FloodLimited as limited:
        await query.answer()
        await reply(update, views.flood(context.tr, limited.wait))
        return PREVIEW
    except report_rules.ReportError as problem:
        drafts.discard_draft(context.db, user.id)
        await query.answer()
        await reply(update, views.send_failed(context.tr, problem.args[0]))
        return END
    if result is None:
        await expired(query, context)
        return END
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    if isinstance(result, PledgeSubmitted):  # leads are asked through the outbox
        await reply(update, pledge_views.sent(context.tr, result))
        deliver_soon(context)
        return END
    await reply(update, views.sent(context.tr, result))
    deliver_soon(context)
    return END


async def back_to_preview(update: Update, context: BotContext) -> str | int:
    draft = drafts.get_draft(context.db, update.effective_user.id)
    return await _at_preview(update, context, draft, views.preview)


async def edit_field(update: Update, context: BotContext) -> str:
    """Status, Note or Evidence from the preview: that step again, then back."""
    query = update.callback_query
    (state,) = cb.REPORT_EDIT.parse(query.data)  # the field's name is its step's
    await query.answer()
    draft = drafts.set_editing(context.db, update.effective_user.id, True, state=state)
    return await _ask(update, context, draft, state)


# ---------------------------------------------------------------- hints, cancel


def _hint(step: str):
    async def hint(update: Update, context: BotContext) -> str:
        await reply(update, views.hint(context.tr, step))
        return step

    hint.__name__ = f"hint_{step}"
    return hint


async def cancel(update: Update, context: BotContext) -> int:
    drafts.discard_draft(context.db, update.effective_user.id)
    await reply(update, views.cancelled(context.tr))
    return END


def conversation() -> Conversation:
    private = filters.ChatType.PRIVATE
    text = private & filters.TEXT & ~filters.COMMAND
    anything = private & ~filters.COMMAND
    return Conversation(
        name="report",
        entry_points=[
            CommandHandler("report", report_command, filters=private),
            CommandHandler(
                "start", report_link, filters=private & filters.Regex(rf"^/start {links.REPORT}")
            ),
            CallbackQueryHandler(report_button, pattern=cb.REPORT_START.pattern),
            CallbackQueryHandler(report_new_button, pattern=cb.REPORT_NEW.pattern),
            CallbackQueryHandler(edit_existing, pattern=cb.MY_REPORTS.on("edit").pattern),
            CallbackQueryHandler(pledge_report_button, pattern=cb.PLEDGE_REPORT.pattern),
        ],
        states={
            CHOOSE: [
                MessageHandler(text, choose_text),
                CallbackQueryHandler(choose_button, pattern=cb.REPORT_PICK.pattern),
                MessageHandler(anything, _hint(CHOOSE)),
            ],
            STATUS: [
                CallbackQueryHandler(status_button, pattern=cb.REPORT_STATUS.pattern),
                MessageHandler(text, status_text),
                MessageHandler(anything, _hint(STATUS)),
            ],
            NOTE: [MessageHandler(text, note_text), MessageHandler(anything, _hint(NOTE))],
            EVIDENCE: [
                MessageHandler(private & (filters.PHOTO | filters.Document.ALL), evidence_message),
                MessageHandler(text, evidence_message),
                CallbackQueryHandler(
                    clear_evidence, pattern=cb.REPORT_EVIDENCE.on("clear").pattern
                ),
                CallbackQueryHandler(
                    evidence_done, pattern=cb.REPORT_EVIDENCE.on("done", "skip").pattern
                ),
                MessageHandler(anything, _hint(EVIDENCE)),
            ],
            PREVIEW: [
                CallbackQueryHandler(send, pattern=cb.REPORT_PREVIEW.on("send").pattern),
                CallbackQueryHandler(edit_menu, pattern=cb.REPORT_PREVIEW.on("edit").pattern),
                CallbackQueryHandler(ask_discard, pattern=cb.REPORT_PREVIEW.on("cancel").pattern),
                CallbackQueryHandler(discard, pattern=cb.REPORT_PREVIEW.on("discard").pattern),
                CallbackQueryHandler(
                    set_anonymous, pattern=cb.REPORT_PREVIEW.on("anon", "named").pattern
                ),
                CallbackQueryHandler(
                    edit_field, pattern=cb.REPORT_EDIT.on("status", "note", "evidence").pattern
                ),
                CallbackQueryHandler(back_to_preview, pattern=cb.REPORT_EDIT.on("back").pattern),
                MessageHandler(anything, _hint(PREVIEW)),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            CommandHandler("report", report_command, filters=private),
            CallbackQueryHandler(report_button, pattern=cb.REPORT_START.pattern),
            CallbackQueryHandler(report_new_button, pattern=cb.REPORT_NEW.pattern),
            CallbackQueryHandler(edit_existing, pattern=cb.MY_REPORTS.on("edit").pattern),
            CallbackQueryHandler(pledge_report_button, pattern=cb.PLEDGE_REPORT.pattern),
        ],
    )


def register(app: Application) -> None:
    app.add_handler(conversation())
    app.add_handler(CommandHandler("report", report_in_group, filters=~filters.ChatType.PRIVATE))
