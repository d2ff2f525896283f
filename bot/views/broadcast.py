"""/broadcast: choosing the audience, the preview, the message sent and its progress."""

from __future__ import annotations

from gettext import NullTranslations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.commands import N_
from bot.views.base import (
    MAX_MESSAGE_LENGTH,
    View,
    clip,
    country_name,
    esc,
    fixed,
    number,
    visible_len,
)
from storage.broadcast import Audience
from storage.outbox import Tally
from storage.permissions import EVERYONE


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


broadcast_cancelled = fixed(N_("Broadcast cancelled. Nothing was sent."))


broadcast_not_allowed = fixed(N_("/broadcast is for leads and admins, to the audiences they lead."))


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
