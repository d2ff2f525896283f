"""Commitment cards, lists, history, full text and statistics."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from gettext import NullTranslations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.commands import N_
from bot.views.base import (
    MAX_MESSAGE_LENGTH,
    View,
    by_country_name,
    clip,
    country_name,
    esc,
    fixed,
    is_former,
    member_label,
    names_locale,
    reporter_label,
    source_link,
    split_sections,
    standing,
    visible_len,
)
from bot.views.vocabulary import tag_names, theme_name
from storage.commitments import (
    CommitmentCard,
    CommitmentRow,
    CommunityStatus,
    HistoryPage,
    ListFilter,
    Page,
    PlanLabel,
    PlanSummary,
    ReportLine,
    display_title,
)
from storage.countries import Resolution, localized_name
from storage.models import ActionPlan, Country, MemberKind, Status, UpdateState
from storage.stats import Stats
from storage.statuses import IRM_RATINGS, IRM_WORDS, REPORT_STATUS
from storage.summit import CountryPledges

OVERDUE_ICON = "⏰"
PLAN_ENDED_ICON = "🏁"


def status_name(tr: NullTranslations, status: Status) -> str:
    return tr.gettext(REPORT_STATUS[status].label)


def status_label(tr: NullTranslations, status: Status) -> str:
    """Icon and name, as buttons and lists show a status (not escaped)."""
    return f"{REPORT_STATUS[status].icon} {status_name(tr, status)}"


def state_name(tr: NullTranslations, state: UpdateState) -> str:
    _ = tr.gettext
    return {
        UpdateState.PENDING: _("unverified"),
        UpdateState.VERIFIED: _("verified"),
        UpdateState.REJECTED: _("rejected"),
        UpdateState.WITHDRAWN: _("withdrawn"),
        UpdateState.STATED: _("Government"),
    }[state]


def side_by_side(
    tr: NullTranslations, government: ReportLine | None, community: CommunityStatus | None
) -> str:
    """ "Government: Complete · Civil society: Limited", each only if present: the
    government's word beside civil society's verified one, neither hiding the other."""
    _ = tr.gettext
    parts = []
    if government is not None:
        parts.append(
            _("Government: {status}").format(status=esc(status_name(tr, government.status)))
        )
    if community is not None and community.verified:
        parts.append(
            _("Civil society: {status}").format(status=esc(status_name(tr, community.status)))
        )
    return " · ".join(parts)


def report_lines(tr: NullTranslations, report: ReportLine, note_limit: int) -> list[str]:
    """A report in a card or the history: a government's labelled as such, and the
    government's reply under a civil-society report that has one."""
    _ = tr.gettext
    who = reporter_label(tr, report.reporter, anonymous=report.anonymous)
    if report.government:
        who = _("🏛 Government") + (f" ({who})" if report.reporter else "")
    state = state_name(tr, report.state)
    lines = [
        f"• {fmt_date(report.created_at)} {REPORT_STATUS[report.status].icon} "
        f"{esc(status_name(tr, report.status))} ({esc(state)}) — "
        f"{esc(clip(who, 60))}: {esc(clip(report.note, note_limit))}"
    ]
    if report.reply:
        label = _("Government reply")
        lines.append(f"  ↳ 🏛 <i>{esc(label)}</i>: {esc(clip(report.reply, note_limit))}")
    return lines


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat()


def community_line(
    tr: NullTranslations, community: CommunityStatus | None, pending: int = 0
) -> str:
    """The verified status; unverified reports are shown apart (``pending_line``)."""
    _ = tr.gettext
    if community is None:
        return _("no verified report yet") if pending else _("no reports yet")
    label = status_label(tr, community.status)
    if not community.verified:
        label += " " + _("(unverified)")
    return label + " · " + fmt_date(community.reported_at)


def plan_label(tr: NullTranslations, plan: ActionPlan | PlanSummary | PlanLabel | None) -> str:
    _ = tr.gettext
    if plan is None:
        return _("no action plan")
    years = "–".join(str(y) for y in (plan.submitted_year, plan.end_year) if y)
    number = _("Action plan {number}").format(number=plan.number) if plan.number else plan.id
    return f"{number} ({years})" if years else number


def card(
    tr: NullTranslations,
    data: CommitmentCard,
    *,
    following: bool,
    report_url: str | None = None,
    public_url: str | None = None,
) -> View:
    """The card; ``report_url`` (a deep link) replaces the Report button in groups;
    ``public_url``: its page on the public site, when one is configured."""
    _ = tr.gettext
    c = data.commitment
    title = display_title(c)
    lines = [f"<b>{esc(c.id)} · {esc(clip(title, 500))}</b>"]
    if c.short_title and c.title and c.title.strip() != title:
        lines.append(f"<i>{esc(clip(c.title, 600))}</i>")
    lines.append("")
    place = country_name(tr, data.country.code, data.country.name)
    lines.append(f"🌍 {esc(place)} · {esc(plan_label(tr, data.plan))}")
    lines.append(
        _("📅 {start} → {end}").format(start=fmt_date(c.start_date), end=fmt_date(c.end_date))
    )
    if data.overdue:
        overdue = _("Overdue")
        lines.append(f"{OVERDUE_ICON} <b>{overdue}</b>: " + _("past its end date, not complete"))
    if data.plan_ended:
        lines.append(f"{PLAN_ENDED_ICON} " + plan_ended_line(tr, data.end_term))
    if c.lead_institution:
        lines.append(
            _("🏛 Lead: {institution}").format(institution=esc(clip(c.lead_institution, 300)))
        )
    if c.theme:
        lines.append(_("🗂 Theme: {theme}").format(theme=esc(clip(theme_name(tr, c.theme), 200))))
    if c.policy_areas:
        shown = tag_names(tr, c.policy_areas[:8])
        tags = ", ".join(shown) + (" …" if len(c.policy_areas) > 8 else "")
        lines.append(_("🏷 {tags}").format(tags=esc(tags)))
    lines.append("")
    label = _("Community status")
    lines.append(f"<b>{label}</b>: {community_line(tr, data.community, data.pending)}")
    if data.government is not None:
        lines.append("🏛 " + side_by_side(tr, data.government, data.community))
    if data.pending:
        lines.append(
            "⏳ "
            + _("Unverified, waiting for a lead: {count} (not counted)").format(count=data.pending)
        )
    if data.pledges:
        lines.append(
            "🤝 "
            + _("Carries 2016 Anti-Corruption Summit pledge: {ids}").format(
                ids=esc(", ".join(data.pledges[:5]) + (" …" if len(data.pledges) > 5 else ""))
            )
        )
    ratings = irm_ratings(tr, data)
    if ratings:
        label = _("IRM")
        lines.append(f"<b>{label}</b>: " + "; ".join(ratings))
    if data.recent_reports:
        lines.append("")
        label = _("Latest reports")
        lines.append(f"<b>{label}</b> ({data.report_count})")
        for report in data.recent_reports:
            lines += report_lines(tr, report, 160)
    if c.url and c.url.startswith(("https://", "http://")):
        lines.append("")
        link = _("On the OGP website")
        lines.append(f'<a href="{esc(c.url)}">{link}</a>')
    if report_url:
        report = InlineKeyboardButton(_("Report progress"), url=report_url)
    else:
        report = InlineKeyboardButton(
            _("Report progress"), callback_data=cb.REPORT_START.encode(c.id)
        )
    rows = [
        [report],
        [
            InlineKeyboardButton(_("History"), callback_data=cb.HISTORY.encode(c.id)),
            InlineKeyboardButton(_("Full text"), callback_data=cb.FULL_TEXT.encode(c.id)),
        ],
    ]
    if public_url:
        rows.append([InlineKeyboardButton(_("Public page"), url=public_url)])
    if not following:
        rows.append(
            [
                InlineKeyboardButton(
                    _("Follow {country}").format(
                        country=clip(country_name(tr, data.country.code, data.country.name), 30)
                    ),
                    callback_data=cb.FOLLOW_ADD.encode(data.country.code),
                )
            ]
        )
    return View("\n".join(lines), InlineKeyboardMarkup(rows))


def plan_ended_line(tr: NullTranslations, verdict: Status | None) -> str:
    """What closes a commitment of an ended plan: the IRM's word, or that it is awaited."""
    _ = tr.gettext
    if verdict is None:
        return _("Plan ended; no IRM verdict yet")
    return _("Plan ended; IRM end-of-term verdict: {verdict}").format(
        verdict=f"{REPORT_STATUS[verdict].icon} <b>{esc(status_name(tr, verdict))}</b>"
    )


def irm_ratings(tr: NullTranslations, data: CommitmentCard) -> list[str]:
    _ = tr.gettext
    c = data.commitment
    labelled = [(_(r.label), getattr(c, r.attribute)) for r in IRM_RATINGS]
    out = [f"{label} {esc(irm_value(tr, value))}" for label, value in labelled if value]
    if c.starred:
        out.append("⭐ " + _("starred"))
    return out


def irm_value(tr: NullTranslations, value: str) -> str:
    known = IRM_WORDS.get(value.strip().casefold())
    return tr.gettext(known) if known else value


def inline_card_text(tr: NullTranslations, data: CommitmentCard) -> str:
    """The card as posted through inline mode (its buttons would need our chat)."""
    return card(tr, data, following=True).text


def full_text(tr: NullTranslations, commitment_id: str, text: str) -> list[str]:
    """The full text, in as many messages as Telegram needs, split between sections."""
    _ = tr.gettext
    label = _("full text")
    heading = f"<b>{esc(commitment_id)}</b> · {label}"
    body = "\n\n".join(esc(block.strip()) for block in text.strip().split("\n\n"))
    parts = split_sections(body or "—", MAX_MESSAGE_LENGTH - visible_len(heading) - 2)
    return [f"{heading}\n\n{parts[0]}", *parts[1:]]


def not_found(tr: NullTranslations, commitment_id: str) -> View:
    _ = tr.gettext
    return View(
        _("I know no commitment {id}. Check the id, or try /search with a few words.").format(
            id=f"<code>{esc(clip(commitment_id, 40))}</code>"
        )
    )


history_usage = fixed(
    N_("Send a commitment id to see its reports, for example <code>/history AR0045</code>.")
)


status_usage = fixed(N_("Send a commitment id, for example <code>/status AR0045</code>."))


def row_line(tr: NullTranslations, number: int, row: CommitmentRow) -> str:
    icon = REPORT_STATUS[row.community.status].icon if row.community else "·"
    flag = f" {OVERDUE_ICON}" if row.overdue else ""
    if row.plan_ended:
        flag = f" {PLAN_ENDED_ICON}" + (REPORT_STATUS[row.end_term].icon if row.end_term else "")
    return f"{number}. {icon}{flag} <b>{esc(row.id)}</b> {esc(clip(row.title, 110))}"


def row_buttons(rows: list[CommitmentRow]) -> list[list[InlineKeyboardButton]]:
    buttons = [InlineKeyboardButton(r.id, callback_data=cb.CARD.encode(r.id)) for r in rows]
    return [buttons[i : i + 5] for i in range(0, len(buttons), 5)]


def page_nav(
    tr: NullTranslations, page: Page, encode: Callable[[int], str]
) -> list[InlineKeyboardButton]:
    _ = tr.gettext
    nav = []
    if page.has_prev:
        nav.append(InlineKeyboardButton(_("‹ Prev"), callback_data=encode(page.page - 1)))
    if page.pages > 1:
        nav.append(
            InlineKeyboardButton(
                f"{page.page + 1}/{page.pages}", callback_data=cb.PAGE_COUNTER.encode()
            )
        )
    if page.has_next:
        nav.append(InlineKeyboardButton(_("Next ›"), callback_data=encode(page.page + 1)))
    return nav


def legend(tr: NullTranslations) -> str:
    _ = tr.gettext
    return _(
        "⚪ not started 🟠 limited 🟡 substantial 🟢 complete · {overdue} overdue · "
        "{ended} plan ended, then the IRM's end-of-term verdict"
    ).format(overdue=OVERDUE_ICON, ended=PLAN_ENDED_ICON)


def filter_name(tr: NullTranslations, kind: ListFilter) -> str:
    _ = tr.gettext
    return {
        ListFilter.ALL: _("All"),
        ListFilter.ANTI_CORRUPTION: _("Anti-corruption"),
        ListFilter.OVERDUE: _("Overdue"),
        ListFilter.STALE: _("No report in 90 days"),
        ListFilter.STARRED: _("Starred"),
    }[kind]


def plan_list(
    tr: NullTranslations,
    country: Country,
    plan: ActionPlan | None,
    kind: ListFilter,
    page: Page,
) -> View:
    """A plan's commitments, or with no plan every plan's (the lens across a country)."""
    _ = tr.gettext
    scope = plan_label(tr, plan) if plan is not None else _("all action plans")
    header = f"<b>{esc(country_name(tr, country.code, country.name))} · {esc(scope)}</b>"
    lines = [header, _("Filter: {name}").format(name=filter_name(tr, kind)), ""]
    if not page.rows:
        lines.append(_("No commitments match this filter."))
    for offset, row in enumerate(page.rows, start=page.page * page.page_size + 1):
        lines.append(row_line(tr, offset, row))
    lines += ["", legend(tr)]

    def route(f: ListFilter, p: int) -> str:
        if plan is None:
            return cb.COUNTRY_LIST.encode(country.code, f.value, p)
        return cb.PLAN_LIST.encode(plan.id, f.value, p)

    keyboard = row_buttons(page.rows)
    nav = page_nav(tr, page, lambda p: route(kind, p))
    if nav:
        keyboard.append(nav)
    filters = [
        InlineKeyboardButton(
            ("✓ " if f is kind else "") + filter_name(tr, f), callback_data=route(f, 0)
        )
        for f in ListFilter
    ]
    keyboard += [filters[:3], filters[3:]]
    keyboard.append(
        [
            InlineKeyboardButton(
                _("« Action plans"), callback_data=cb.COUNTRY_PLANS.encode(country.code)
            )
        ]
    )
    return View("\n".join(lines), InlineKeyboardMarkup(keyboard))


def member_facts(tr: NullTranslations, country: Country) -> list[str]:
    """A member's standing in OGP, what kind of member it is, and the source."""
    _ = tr.gettext
    lines = [standing(tr, country)]
    if country.kind == MemberKind.LOCAL:
        if country.parent:
            parent = localized_name(country.parent, names_locale(tr))
            lines.append(_("OGP Local member in {country}.").format(country=esc(parent)))
        else:
            lines.append(_("OGP Local member."))
    if source := source_link(tr, country.source_url):
        lines.append(source)
    return lines


def plans(tr: NullTranslations, country: Country, summaries: list[PlanSummary]) -> View:
    _ = tr.gettext
    facts = member_facts(tr, country)
    if not summaries:
        no_data = _("There are no commitments of {country} in the database yet.").format(
            country=f"<b>{esc(country_name(tr, country.code, country.name))}</b>"
        )
        return View("\n".join([*facts, "", no_data]))
    lines = [
        f"<b>{esc(member_label(tr, country))}</b>",
        *facts,
    ]
    if is_former(country):
        lines.append(_("Its action plans stay in OGP's data, and here."))
    lines += ["", _("Action plans, newest first. Choose one to see its commitments.")]
    keyboard = [
        [
            InlineKeyboardButton(
                f"{plan_label(tr, plan)} · {plan.commitments}",
                callback_data=cb.PLAN_LIST.encode(plan.id, ListFilter.ALL.value, 0),
            )
        ]
        for plan in summaries[:20]
    ]
    keyboard.append(
        [
            InlineKeyboardButton(
                _("Anti-corruption, all plans"),
                callback_data=cb.COUNTRY_LIST.encode(
                    country.code, ListFilter.ANTI_CORRUPTION.value, 0
                ),
            )
        ]
    )
    return View("\n".join(lines), InlineKeyboardMarkup(keyboard))


def history(tr: NullTranslations, data: HistoryPage) -> View:
    _ = tr.gettext
    lines = [
        f"<b>{esc(data.commitment_id)} · {esc(clip(data.title, 200))}</b>",
        _("All reports, newest first ({total})").format(total=data.total),
        "",
    ]
    if not data.reports:
        lines.append(_("Nobody has reported on this commitment yet."))
    for report in data.reports:
        who = reporter_label(tr, report.reporter, anonymous=report.anonymous)
        state = state_name(tr, report.state)
        status = status_name(tr, report.status)
        if report.state is UpdateState.WITHDRAWN:
            lines.append(f"• <s>{fmt_date(report.created_at)} {esc(status)}</s> ({esc(state)})")
            continue
        if report.government or report.reply:
            lines += report_lines(tr, report, 300)
            continue
        lines.append(
            f"• {fmt_date(report.created_at)} {REPORT_STATUS[report.status].icon} {esc(status)} "
            f"({esc(state)}) — {esc(clip(who, 40))}\n  {esc(clip(report.note, 300))}"
        )
    page = Page([], data.page, data.total)
    nav = page_nav(tr, page, lambda p: cb.HISTORY_PAGE.encode(data.commitment_id, p))
    keyboard = [nav] if nav else []
    keyboard.append(
        [InlineKeyboardButton(_("« Commitment"), callback_data=cb.CARD.encode(data.commitment_id))]
    )
    return View("\n".join(lines), InlineKeyboardMarkup(keyboard))


def pledge_count_line(tr: NullTranslations, row: CountryPledges) -> str:
    """One country's Summit pledges made and embedded, as /summit and /stats show it."""
    return tr.gettext("{country}: {total} pledges, {embedded} in NAP commitments").format(
        country=f"<b>{esc(country_name(tr, row.iso3, row.name))}</b>",
        total=row.total,
        embedded=row.embedded,
    )


def stats(tr: NullTranslations, data: Stats) -> View:
    _ = tr.gettext
    shown = by_country_name(tr, data.countries)[:10]
    names = ", ".join(country_name(tr, c.code, c.name) for c in shown)
    if len(data.countries) > 10:
        names += " …"
    if data.group_name:
        names = f"{data.group_name} ({names})" if names else data.group_name
    title = _("Where commitments stand")
    lines = [f"<b>{title}</b>: {esc(names)}"]
    if data.lens.areas:
        lines.append(
            _("Only commitments tagged {areas}").format(areas=esc(", ".join(data.lens.areas)))
        )
    if data.lens.anti_corruption:
        lines.append(_("Only commitments tagged {areas}").format(areas=esc(_("Anti-corruption"))))
    lines.append("")
    lines.append(_("Commitments: {total}").format(total=data.total))
    lines.append(_("Overdue: {count}").format(count=data.overdue) + f" {OVERDUE_ICON}")
    lines.append(
        _(
            "Commitments with a verified report in the last {days} days: {count} ({share:.0%})"
        ).format(days=data.window_days, count=data.reported_recently, share=data.reported_share)
    )
    if data.unverified_recently:
        lines.append(
            _(
                "Commitments with only unverified reports in the last {days} days: "
                "{count} (not counted)"
            ).format(days=data.window_days, count=data.unverified_recently)
        )
    for title, counts in (
        (_("By community status (verified reports)"), data.by_community),
        (_("By IRM completion"), data.by_irm),
    ):
        lines += ["", f"<b>{title}</b>"]
        for status in Status:
            if counts.get(status):
                lines.append(
                    f"{REPORT_STATUS[status].icon} {esc(status_name(tr, status))}: {counts[status]}"
                )
        if counts.get(None):
            lines.append("· " + _("not rated / not reported: {count}").format(count=counts[None]))
    if data.pledges:
        lines += ["", f"<b>{esc(_('2016 Anti-Corruption Summit pledges'))}</b>"]
        lines += [pledge_count_line(tr, row) for row in data.pledges]
    return View("\n".join(lines))


def country_choice(tr: NullTranslations, resolution: Resolution, *, stats: bool = False) -> View:
    """/country or /stats with a name that matched several members, or none."""
    _ = tr.gettext
    query = f"<i>{esc(clip(resolution.query, 60))}</i>"
    if not resolution.candidates:
        return View(_("I found no OGP member called {query}.").format(query=query))
    route = cb.COUNTRY_STATS if stats else cb.COUNTRY_PLANS
    keyboard = [
        [InlineKeyboardButton(member_label(tr, c), callback_data=route.encode(c.code))]
        for c in resolution.candidates[:6]
    ]
    return View(
        _("Which one did you mean by {query}?").format(query=query),
        InlineKeyboardMarkup(keyboard),
    )


stats_usage = fixed(
    N_("Name a country (<code>/stats Kenya</code>), or follow some with /subscribe first.")
)
