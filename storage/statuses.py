"""Statuses as data, once: everything the bot says or stores about a status.

A report's status used to live in six tables across five modules (its icon and
name in the views, its button code in the callbacks, its chart colour, the word
the export writes, the words the IRM uses); adding or renaming one meant
finding them all. Here each status is one frozen ``StatusEntry``, as Decidim
keeps its statuses, and every place reads the field it needs. The Summit
pledges' tracker scale (``storage.summit``) is a registry of the same type.

Labels are gettext message ids marked with ``N_`` (a no-op), so storage stays
free of the bot: the bot translates them with ``_()`` when it shows them.

The IRM's ratings of a commitment (which columns of OGP's export, under which
label) are here too: the importer reads those columns, the card shows them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


def N_(message: str) -> str:
    """Mark a label for translation (``pybabel extract -k N_``); the bot translates it."""
    return message


class Status(enum.StrEnum):
    """OGP's IRM completion scale, plus Withdrawn. Order matters: it is the scale."""

    NOT_STARTED = "not_started"
    LIMITED = "limited"
    SUBSTANTIAL = "substantial"
    COMPLETE = "complete"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """One status: what is stored, what the source calls it, what a person sees.

    ``word`` is the source's own spelling: OGP's export word for report statuses,
    the tracker file's word for pledges. ``button`` (callback data), ``colour``
    (charts) and ``irm_words`` (the IRM's ratings read as this status) are only
    set where the status is used that way.
    """

    code: str
    word: str
    label: str
    icon: str
    button: str = ""
    colour: str = ""
    irm_words: tuple[str, ...] = ()


def by_code(entries: Iterable[StatusEntry]) -> dict[str, StatusEntry]:
    return {entry.code: entry for entry in entries}


def by_word(entries: Iterable[StatusEntry]) -> dict[str, str]:
    """The stored code for a source's word, any case."""
    return {entry.word.casefold(): entry.code for entry in entries}


#: Report statuses, in the order of the scale (``Status``).
REPORT_STATUSES: tuple[StatusEntry, ...] = (
    StatusEntry(
        Status.NOT_STARTED,
        "Not Started",
        N_("Not started"),
        "⚪",
        "ns",
        "#475569",
        ("not started",),
    ),
    StatusEntry(Status.LIMITED, "Limited", N_("Limited"), "🟠", "li", "#b45309", ("limited",)),
    StatusEntry(
        Status.SUBSTANTIAL,
        "Substantial",
        N_("Substantial"),
        "🟡",
        "su",
        "#1d4ed8",
        ("substantial",),
    ),
    StatusEntry(
        Status.COMPLETE,
        "Complete",
        N_("Complete"),
        "🟢",
        "co",
        "#15803d",
        ("complete", "completed"),
    ),
    StatusEntry(
        Status.WITHDRAWN, "Withdrawn", N_("Withdrawn"), "⚫", "wd", "#7e22ce", ("withdrawn",)
    ),
)

#: A report status's entry, by ``Status`` (or its stored string).
REPORT_STATUS: dict[Status, StatusEntry] = {Status(e.code): e for e in REPORT_STATUSES}
#: A report status by its button code (callback data: 64 bytes are precious).
STATUS_BY_BUTTON: dict[str, Status] = {e.button: Status(e.code) for e in REPORT_STATUSES}
#: A report status by an IRM completion rating, lower case.
STATUS_BY_IRM_WORD: dict[str, Status] = {
    word: Status(e.code) for e in REPORT_STATUSES for word in e.irm_words
}


def status_of_irm_rating(rating: str | None) -> Status | None:
    """The IRM's completion rating on our scale, or None for any other word."""
    return STATUS_BY_IRM_WORD.get(rating.strip().lower()) if rating else None


@dataclass(frozen=True, slots=True)
class IrmRating:
    """One of the IRM's ratings of a commitment: our attribute, OGP's column, a label."""

    attribute: str
    column: str
    label: str


#: The IRM's ratings, in the order a card shows them.
IRM_RATINGS: tuple[IrmRating, ...] = (
    IrmRating(
        "completion_progress", "Completion (Progress Report)", N_("completion (progress report)")
    ),
    IrmRating("completion_end_term", "Completion (End Of Term)", N_("completion (end of term)")),
    IrmRating("specificity", "Specificity", N_("specificity")),
    IrmRating("verifiable", "Verifiable", N_("verifiable")),
    IrmRating("potential_impact", "Potential Impact", N_("potential impact")),
    IrmRating("potential_for_results", "Potential for Results", N_("potential for results")),
    IrmRating(
        "did_it_open_government", "Did It Open Government (Overall)", N_("did it open government")
    ),
    IrmRating("early_results", "Early Results", N_("early results")),
)
IRM_RATING: dict[str, IrmRating] = {r.attribute: r for r in IRM_RATINGS}

#: The IRM's rating words beyond the completion scale, as OGP's export spells them
#: (any case): shown translated; anything else in those columns is shown as it is.
IRM_OTHER_WORDS: tuple[str, ...] = (
    N_("Yes"),
    N_("No"),
    N_("High"),
    N_("Medium"),
    N_("Low"),
    N_("None"),
    N_("Minor"),
    N_("Moderate"),
    N_("Transformative"),
    N_("Modest"),
    N_("Unclear"),
    N_("Marginal"),
    N_("Major"),
    N_("Outstanding"),
    N_("Did not change"),
    N_("Worsened"),
    N_("No early results to report yet"),
)
#: Every IRM rating word with a translation, by its casefolded spelling.
IRM_WORDS: dict[str, str] = {
    word.casefold(): word for word in (*(e.label for e in REPORT_STATUSES), *IRM_OTHER_WORDS)
}
