"""What the admins are told about an update the inbox set aside."""

from __future__ import annotations

from gettext import NullTranslations

from bot.views.base import (
    View,
    esc,
)


def update_set_aside(tr: NullTranslations, update_id: int, chat_key: str, reason: str) -> View:
    """Told to admins: an update kept failing and is no longer tried (it is kept)."""
    _ = tr.gettext
    return View(
        _(
            "⚠️ An update could not be handled and was set aside so that it holds up "
            "nobody: update {update_id} from {chat}.\nError: <code>{reason}</code>"
        ).format(update_id=update_id, chat=esc(chat_key), reason=esc(reason[:500]))
    )
