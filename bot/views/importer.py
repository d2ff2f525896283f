"""What the admins are told after an import of OGP's data."""

from __future__ import annotations

from gettext import NullTranslations

from bot.views.base import (
    View,
    country_name,
    esc,
    number,
    split_html,
)
from bot.views.commitments import irm_value, plan_label
from storage.importer import ImportResult
from storage.reminders import PlanItem
from storage.statuses import IRM_RATING

MAX_NEWS_LINES = 10  # per kind of change in the admins' import notice


def import_news(tr: NullTranslations, result: ImportResult, plans: list[PlanItem]) -> View:
    """Told to admins after the scheduled import: what OGP's data changed."""
    _ = tr.gettext

    def more(count: int, shown: int = MAX_NEWS_LINES) -> list[str]:
        extra = count - shown
        return [_("… and {count} more").format(count=number(tr, extra))] if extra > 0 else []

    summary = _(
        "{total} rows: {created} new, {updated} updated, {unchanged} unchanged, {skipped} skipped"
    ).format(
        total=number(tr, result.total),
        created=number(tr, result.created),
        updated=number(tr, result.updated),
        unchanged=number(tr, result.unchanged),
        skipped=number(tr, len(result.skipped)),
    )
    lines = ["🔄 <b>" + esc(_("OGP data updated")) + "</b>", esc(summary)]
    if plans:
        lines += ["", "<b>" + esc(_("New action plans")) + "</b>"]
        lines += [
            f" • {esc(country_name(tr, p.country.code, p.country.name))}: "
            f"{esc(plan_label(tr, p.plan))}"
            for p in plans[:MAX_NEWS_LINES]
        ]
        lines += more(len(plans))
    if result.new_commitments:
        count = len(result.new_commitments)
        heading = _("New commitments ({count})").format(count=number(tr, count))
        lines += ["", f"<b>{esc(heading)}</b>"]
        lines.append(esc(", ".join(result.new_commitments[:MAX_NEWS_LINES])))
        lines += more(count)
    if result.rating_changes:
        lines += ["", "<b>" + esc(_("Changed IRM ratings")) + "</b>"]
        for change in result.rating_changes[:MAX_NEWS_LINES]:
            old, new = (irm_value(tr, v) if v else "—" for v in (change.old, change.new))
            label = _(IRM_RATING[change.field].label)
            what = f"{esc(label)}: {esc(old)} → {esc(new)}"
            lines.append(f" • <b>{esc(change.commitment_id)}</b> {what}")
        lines += more(len(result.rating_changes))
    if result.skipped:
        lines += ["", "<b>" + esc(_("Rows skipped")) + "</b>"]
        lines += [f" • <code>{esc(str(problem))}</code>" for problem in result.skipped[:5]]
        lines += more(len(result.skipped), shown=5)
    return View(split_html("\n".join(lines))[0])


def import_failed(tr: NullTranslations, url: str, reason: str) -> View:
    """Told to admins: the scheduled import did not happen; the data stays as it was."""
    _ = tr.gettext
    return View(
        _(
            "⚠️ The daily import of OGP's data failed; the data stays as it was.\n"
            "Address: {url}\nError: <code>{reason}</code>"
        ).format(url=esc(url), reason=esc(reason[:500]))
    )
