"""Texts about the public static site (#15) told in chat: to admins when it fails."""

from __future__ import annotations

from gettext import NullTranslations

from bot.views.base import View, esc


def build_failed(tr: NullTranslations, folder: str, reason: str) -> View:
    _ = tr.gettext
    return View(
        _(
            "⚠️ The public site could not be built; the pages stay as they were.\n"
            "Folder: {folder}\nError: <code>{reason}</code>"
        ).format(folder=esc(folder), reason=esc(reason[:500]))
    )


def command_failed(tr: NullTranslations, command: str, reason: str) -> View:
    _ = tr.gettext
    return View(
        _(
            "⚠️ The public site was built, but the command run after it failed.\n"
            "Command: <code>{command}</code>\nError: <code>{reason}</code>"
        ).format(command=esc(command[:200]), reason=esc(reason[:500]))
    )
