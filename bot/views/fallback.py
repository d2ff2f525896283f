"""The answers to what no feature took: an unknown command, text that is not a look-up."""

from __future__ import annotations

from gettext import NullTranslations

from bot.commands import N_
from bot.views.base import View, esc, fixed


def unknown_command(tr: NullTranslations, command: str) -> View:
    _ = tr.gettext
    return View(
        _("I don't know the command {command}. Send /help to see the ones I know.").format(
            command=f"<code>{esc(command)}</code>"
        )
    )


plain_text_hint = fixed(N_("I answer commands. Send /help to see what you can ask me."))
