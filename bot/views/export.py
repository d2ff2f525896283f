"""Exports and charts: captions, scopes and their usage texts."""

from __future__ import annotations

from gettext import NullTranslations

from bot.commands import N_
from bot.views.base import (
    View,
    clip,
    country_name,
    esc,
    fixed,
    names_locale,
    quoted_names,
)
from bot.views.commitments import status_name
from storage.charts import ChartData
from storage.countries import localized_name
from storage.export import ExportResult, Scope


def unresolved_scope(tr: NullTranslations, scope: Scope) -> View:
    _ = tr.gettext
    names = quoted_names(scope.unresolved)
    return View(
        _("I found no OGP member or working group called {names}. See /groups.").format(names=names)
    )


def scope_name(tr: NullTranslations, scope: Scope) -> str:
    _ = tr.gettext
    if scope.kind == "all":
        return _("all countries")
    locale = names_locale(tr)
    if scope.kind == "countries" and scope.codes and locale != "en":
        return clip(", ".join(localized_name(code, locale) for code in scope.codes), 200)
    return clip(scope.label, 200)


def export_caption(tr: NullTranslations, result: ExportResult, index: int) -> str:
    """Captions for the files (≤ 1024 characters, HTML)."""
    _ = tr.gettext
    scope = esc(scope_name(tr, result.scope))
    rows = result.files[index].rows
    if result.files[index].kind == "pledges":
        return tr.ngettext(
            "2016 Anti-Corruption Summit pledges of {scope} and the NAP commitments "
            "that carry them ({count} row). Statuses are the trackers' assessments "
            "from 2017–2020, not today's.",
            "2016 Anti-Corruption Summit pledges of {scope} and the NAP commitments "
            "that carry them ({count} rows). Statuses are the trackers' assessments "
            "from 2017–2020, not today's.",
            rows,
        ).format(scope=scope, count=rows)
    if index == 0:
        return tr.ngettext(
            "Commitments of {scope} with their community status ({count} row).",
            "Commitments of {scope} with their community status ({count} rows).",
            rows,
        ).format(scope=scope, count=rows)
    text = tr.ngettext(
        "Every report on {scope} ({count} row).", "Every report on {scope} ({count} rows).", rows
    ).format(scope=scope, count=rows)
    if not result.identities:
        text += " " + _("Reporters' names are shared only with leads and admins, in private.")
    return text


chart_usage = fixed(
    N_(
        "Which country? Send <code>/chart Kenya</code>, <code>/chart group 1</code> "
        "for a working group, or follow countries with /subscribe first."
    )
)


def chart_empty(tr: NullTranslations, scope: Scope) -> View:
    _ = tr.gettext
    return View(
        _("There are no commitments for {scope} yet.").format(scope=esc(scope_name(tr, scope)))
    )


def chart_title(tr: NullTranslations, data: ChartData) -> str:
    """A working group's name as it is; countries named in the reader's language."""
    if data.title == ", ".join(bar.name for bar in data.countries):
        return ", ".join(country_name(tr, bar.code, bar.name) for bar in data.countries)
    return data.title


def chart_caption(tr: NullTranslations, data: ChartData) -> str:
    _ = tr.gettext
    text = tr.ngettext(
        "{title}: {count} commitment by community status (verified reports) and IRM completion.",
        "{title}: {count} commitments by community status (verified reports) and IRM completion.",
        data.total,
    ).format(title=f"<b>{esc(clip(chart_title(tr, data), 100))}</b>", count=data.total)
    if data.government:
        statuses = ", ".join(
            f"{status_name(tr, status)} {count}" for status, count in data.government.items()
        )
        text += " " + _(
            "The government's own word (not verified), on {count} of them: {statuses}."
        ).format(count=sum(data.government.values()), statuses=esc(statuses))
    if data.truncated:
        text += " " + _("Only the first {n} countries are shown.").format(n=len(data.countries))
    if data.pledges_made:
        text += "\n" + pledges_made_line(tr, data)
    return text


def pledges_made_line(tr: NullTranslations, data: ChartData) -> str:
    """Summit pledges made vs embedded, under /chart and on the chart itself."""
    return tr.ngettext(
        "2016 Anti-Corruption Summit: {made} pledge made, {embedded} embedded in NAP commitments.",
        "2016 Anti-Corruption Summit: {made} pledges made, {embedded} embedded in NAP commitments.",
        data.pledges_made,
    ).format(made=data.pledges_made, embedded=data.pledges_embedded)
