"""Drawing /chart's PNG with matplotlib, without a display.

Uses matplotlib's object API with the Agg canvas (no pyplot, no global state).
Sized for a phone: about 1200 px wide, large labels, counts written on the bars.

The bot draws in a short-lived child process (:func:`draw`, running this module):
matplotlib holds about 40 MB once imported, which a worker thread would keep in
the bot for good after the first chart; a child gives it all back on exit.
"""

from __future__ import annotations

import asyncio
import io
import os
import pickle
import sys
from gettext import NullTranslations
from pathlib import Path

from bot.i18n import language_of, translation
from bot.views.base import country_name
from bot.views.commitments import status_name
from bot.views.export import chart_title, pledges_made_line
from storage.charts import SCALE, ChartData
from storage.models import Status
from storage.statuses import REPORT_STATUS

NO_REPORT_COLOUR = "#dfe7f2"
COMMUNITY_COLOUR = "#4e79a7"
IRM_COLOUR = "#e15759"
GOVERNMENT_COLOUR = "#0e7490"
DPI = 150


def _label(tr: NullTranslations, status: Status | None) -> str:
    _ = tr.gettext
    return status_name(tr, status) if status is not None else _("No report / not rated")


async def draw(data: ChartData, tr: NullTranslations) -> bytes:
    """:func:`render`, in a child process that exits once the PNG is back."""
    root = str(Path(__file__).resolve().parents[1])
    path = os.environ.get("PYTHONPATH")
    env = {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else "")}
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.charts",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    png, errors = await child.communicate(pickle.dumps((data, language_of(tr))))
    if child.returncode != 0:
        raise RuntimeError(f"drawing a chart failed: {errors.decode(errors='replace')[-2000:]}")
    return png


def render(data: ChartData, tr: NullTranslations) -> bytes:
    """The chart as PNG bytes: one country's statuses, or one bar per country."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    height = 6 if data.single else max(5, 1.6 + 0.55 * len(data.countries))
    figure = Figure(figsize=(8, height))
    FigureCanvasAgg(figure)  # attaches itself: savefig draws with Agg, no display
    if data.single:
        _single(figure, data, tr)
        figure.tight_layout()
    else:
        _per_country(figure, data, tr)
        # Room for the legend below and the title above.
        figure.tight_layout(rect=(0, 0.12, 1, 0.95))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _single(figure, data: ChartData, tr: NullTranslations) -> None:
    """Grouped horizontal bars: per status, the community's count next to the IRM's,
    and the government's own word as a third bar where a government contact reported."""
    _ = tr.gettext
    axes = figure.add_subplot()
    statuses = list(SCALE)
    series = [
        (_("Community reports"), COMMUNITY_COLOUR, data.community),
        (_("IRM completion"), IRM_COLOUR, data.irm),
    ]
    if data.government:
        government = data.government
        counts = {s: government.get(s, 0) if s is not None else 0 for s in statuses}
        series.append((_("Government"), GOVERNMENT_COLOUR, counts))
    positions = range(len(statuses))
    height = 0.8 / len(series)
    for index, (label, colour, counts) in enumerate(series):
        offset = (index - (len(series) - 1) / 2) * height
        bars = axes.barh(
            [p + offset for p in positions],
            [counts[s] for s in statuses],
            height,
            label=label,
            color=colour,
        )
        axes.bar_label(bars, padding=3, fontsize=12)
    axes.set_yticks(list(positions), [_label(tr, s) for s in statuses], fontsize=13)
    axes.invert_yaxis()
    axes.set_xlabel(_("Commitments"), fontsize=12)
    title = chart_title(tr, data)
    heading = _("{name}: {count} commitments").format(name=title, count=data.total)
    if data.pledges_made:
        heading += "\n" + pledges_made_line(tr, data)
    axes.set_title(heading, fontsize=15 if not data.pledges_made else 12)
    axes.legend(fontsize=12, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
    axes.spines[["top", "right"]].set_visible(False)
    axes.margins(x=0.15)


def _per_country(figure, data: ChartData, tr: NullTranslations) -> None:
    """Two panels side by side: community status and IRM completion, one bar per country."""
    _ = tr.gettext
    shown = [country_name(tr, bar.code, bar.name) for bar in data.countries]
    names = [
        name if len(name) <= 18 else bar.code
        for name, bar in zip(shown, data.countries, strict=True)
    ]
    panels = ((_("Community reports"), "community"), (_("IRM completion"), "irm"))
    axes_list = figure.subplots(1, 2, sharey=True)
    for axes, (title, field) in zip(axes_list, panels, strict=True):
        left = [0] * len(data.countries)
        for status in SCALE:
            values = [getattr(bar, field)[status] for bar in data.countries]
            axes.barh(
                names,
                values,
                left=left,
                color=REPORT_STATUS[status].colour if status else NO_REPORT_COLOUR,
                label=_label(tr, status),
                edgecolor="white",
            )
            left = [a + b for a, b in zip(left, values, strict=True)]
        axes.set_title(title, fontsize=14)
        axes.tick_params(labelsize=12)
        axes.spines[["top", "right"]].set_visible(False)
    axes_list[0].invert_yaxis()
    handles, labels = axes_list[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=3, fontsize=11, frameon=False)
    heading = data.title
    if data.pledges_made:
        heading += "\n" + pledges_made_line(tr, data)
    figure.suptitle(heading, fontsize=16 if not data.pledges_made else 12)


def _child() -> None:
    """The child's side of :func:`draw`: the chart's data in on stdin, PNG out on stdout.

    The pickle comes from the bot itself (its own pipe), never from a user.
    """
    data, language = pickle.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(render(data, translation(language)))


if __name__ == "__main__":
    _child()
