"""/search: the results page and its usage text."""

from __future__ import annotations

from gettext import NullTranslations

from telegram import InlineKeyboardMarkup

from bot import callbacks as cb
from bot.commands import N_
from bot.views.base import (
    View,
    clip,
    esc,
    fixed,
)
from bot.views.commitments import legend, page_nav, row_buttons, row_line
from storage.commitments import (
    Page,
)


def search_results(
    tr: NullTranslations, query: str, page: Page, query_id: int, corrected: str | None = None
) -> View:
    """``corrected``: the spelling that found these when ``query`` as typed found nothing."""
    _ = tr.gettext
    if not page.rows:
        return View(
            _("Nothing found for {query}. Try fewer or other words, or an id like AR0045.").format(
                query=f"<b>{esc(clip(query, 100))}</b>"
            )
        )
    lines = []
    if corrected:
        lines.append(_("Did you mean {query}?").format(query=f"<b>{esc(clip(corrected, 100))}</b>"))
    lines += [
        tr.ngettext(
            "<b>{total}</b> commitment matches {query}",
            "<b>{total}</b> commitments match {query}",
            page.total,
        ).format(total=page.total, query=f"<b>{esc(clip(corrected or query, 100))}</b>"),
        "",
    ]
    for offset, row in enumerate(page.rows, start=page.page * page.page_size + 1):
        lines.append(row_line(tr, offset, row) + f" <i>({esc(row.country_code)})</i>")
    lines += ["", legend(tr)]
    keyboard = row_buttons(page.rows)
    nav = page_nav(tr, page, lambda p: cb.SEARCH_PAGE.encode(query_id, p))
    if nav:
        keyboard.append(nav)
    return View("\n".join(lines), InlineKeyboardMarkup(keyboard))


search_usage = fixed(
    N_("Send a few words to look for, for example <code>/search beneficial ownership</code>.")
)
