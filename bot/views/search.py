"""/search: the results page and its usage text."""

from __future__ import annotations

from collections.abc import Sequence
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
from bot.views.summit import found_pledges
from storage.commitments import (
    Page,
)
from storage.models import SummitPledge


def search_results(
    tr: NullTranslations,
    query: str,
    page: Page,
    query_id: int,
    corrected: str | None = None,
    pledges: Sequence[SummitPledge] = (),
) -> View:
    """``corrected``: the spelling that found these when ``query`` as typed found
    nothing; ``pledges``: Summit pledges found too, shown under the commitments."""
    _ = tr.gettext
    pledge_lines, pledge_buttons = found_pledges(tr, list(pledges)) if pledges else ([], [])
    if not page.rows and pledges:
        return View("\n".join(pledge_lines), InlineKeyboardMarkup(pledge_buttons))
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
    if pledge_lines:
        lines += ["", *pledge_lines]
    keyboard = row_buttons(page.rows) + pledge_buttons
    nav = page_nav(tr, page, lambda p: cb.SEARCH_PAGE.encode(query_id, p))
    if nav:
        keyboard.append(nav)
    return View("\n".join(lines), InlineKeyboardMarkup(keyboard))


search_usage = fixed(
    N_("Send a few words to look for, for example <code>/search beneficial ownership</code>.")
)
