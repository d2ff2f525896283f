"""Texts and keyboards for roles, working groups, the audit log, exports, charts, leaving."""

from __future__ import annotations

from gettext import NullTranslations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.commands import N_, commands_for
from bot.views.base import (
    MAX_MESSAGE_LENGTH,
    View,
    clip,
    country_name,
    esc,
    fixed,
    quoted_names,
    visible_len,
)
from bot.views.vocabulary import tag_names
from storage.models import Role
from storage.roles import (
    AuditPage,
    GroupChange,
    GroupInfo,
    MemberChoices,
    MemberInfo,
    MemberRoles,
    RoleChange,
)

# ------------------------------------------------------------------ roles


admins_only = fixed(N_("Only the bot's admins may do this. The attempt has been logged."))


def grant_usage(tr: NullTranslations, *, revoke: bool) -> View:
    _ = tr.gettext
    if revoke:
        lines = [
            _("Take a lead role back from a member:"),
            "<code>/revoke @username Kenya</code>",
            "<code>/revoke @username group Anti-Corruption WG</code>",
            "<code>/revoke @username all</code>",
            "<code>/revoke @username government Kenya</code>",
        ]
    else:
        lines = [
            _("Make a member a lead of countries or of a working group:"),
            "<code>/grant @username Kenya, Ghana</code>",
            "<code>/grant 123456789 group Anti-Corruption WG</code>",
            _("Make a member a government point of contact for a country:"),
            "<code>/grant @username government Kenya</code>",
        ]
    lines.append(
        _(
            "Name the member by @username, by their Telegram id, or reply to one of "
            "their messages with the command. Working groups are listed by /groups."
        )
    )
    return View("\n".join(lines))


def role_change(tr: NullTranslations, result: RoleChange, *, revoke: bool) -> View:
    _ = tr.gettext
    if not result.allowed:
        return admins_only(tr)
    if result.problem == "no_member":
        return View(
            _(
                "I don't know that member. They must send /start to me first; then name "
                "them by @username, by id, or reply to one of their messages."
            )
        )
    if result.problem == "no_target":
        return grant_usage(tr, revoke=revoke)
    if result.problem == "no_group":
        return View(_("There is no such working group. See /groups."))
    if result.problem == "unresolved":
        queries = quoted_names([r.query for r in result.unresolved])
        return View(
            _("I found no OGP member or working group called {query}.").format(query=queries)
        )
    name = esc(result.member.display_name) if result.member else ""
    lines = _change_lines(tr, result, name, revoke=revoke)
    if result.government_changed:  # /revoke … all
        what = _labels(tr, result, result.government_changed)
        lines.append(
            _("{name} no longer speaks for the government of {what}.").format(name=name, what=what)
        )
    for resolution in result.unresolved:
        lines.append(
            _("I found no OGP member called {query}.").format(
                query=f"<i>{esc(clip(resolution.query, 40))}</i>"
            )
        )
    if result.notified:
        lines.append(_("I told them what they can do now."))
    return View("\n".join(lines) or _("Nothing changed."))


def _change_lines(
    tr: NullTranslations, result: RoleChange, name: str, *, revoke: bool
) -> list[str]:
    """A line for the roles that changed and one for those already so, worded for
    the kind of role (lead or government point of contact)."""
    _ = tr.gettext
    if result.government and revoke:
        changed = _("{name} no longer speaks for the government of {what}.")
        unchanged = _("{name} was not a government point of contact for {what}.")
    elif result.government:
        changed = _("{name} is now a government point of contact for {what}.")
        unchanged = _("{name} was already a government point of contact for {what}.")
    elif revoke:
        changed = _("{name} is no longer a lead of {what}.")
        unchanged = _("{name} was not a lead of {what}.")
    else:
        changed = _("{name} is now a lead of {what}.")
        unchanged = _("{name} was already a lead of {what}.")
    return [
        text.format(name=name, what=_labels(tr, result, labels))
        for labels, text in ((result.changed, changed), (result.unchanged, unchanged))
        if labels
    ]


def _labels(tr: NullTranslations, result: RoleChange, labels: list[str]) -> str:
    """Countries in the reader's language, working groups as named, in bold."""
    codes = result.codes
    named = [country_name(tr, codes[label], label) if label in codes else label for label in labels]
    return ", ".join(f"<b>{esc(name)}</b>" for name in named)


def role_notice(tr: NullTranslations, result: RoleChange, *, revoke: bool) -> str:
    """What the member whose roles changed is told, in their language: the change,
    then what they may do now (the lead commands, or that they are a member again)."""
    _ = tr.gettext
    changed = _labels(tr, result, result.changed)
    if result.government:
        return government_notice(tr, changed, revoke=revoke)
    if not result.changed:  # /revoke … all took government contact roles only
        what = _labels(tr, result, result.government_changed)
        return government_notice(tr, what, revoke=True)
    if revoke:
        lines = [_("🔑 You are no longer a lead of {what}.").format(what=changed)]
    else:
        lines = [_("🔑 You are now a lead of {what}.").format(what=changed)]
    if result.remaining:
        if revoke:
            still = _labels(tr, result, result.remaining)
            lines.append(_("You still lead {what}.").format(what=still))
        lines.append(_("What you can do now:"))
        lead_commands = [c for c in commands_for(Role.LEAD) if c.role is Role.LEAD]
        lines += [f"/{c.name} — {esc(_(c.description))}" for c in lead_commands]
    else:
        lines.append(
            _("You can still follow countries, look commitments up and report progress: /help")
        )
    if result.government_changed:  # /revoke … all
        what = _labels(tr, result, result.government_changed)
        lines.insert(1, government_notice(tr, what, revoke=True))
    return "\n".join(lines)


def government_notice(tr: NullTranslations, what: str, *, revoke: bool) -> str:
    """What a government point of contact is told when the role is given or taken."""
    _ = tr.gettext
    if revoke:
        return _("🏛 You no longer speak for the government of {what}.").format(what=what)
    return "\n".join(
        [
            _("🏛 You are now a government point of contact for {what}.").format(what=what),
            _(
                "Your reports on its commitments (/report) are shown as the government's "
                "word, labelled Government, beside civil society's verified status."
            ),
            _(
                "When leads verify a civil-society report on its commitments, I will tell "
                "you; you may reply once to each."
            ),
        ]
    )


def member_choices(
    tr: NullTranslations, choices: MemberChoices, query: str, *, revoke: bool
) -> View:
    """/grant or /revoke without a member: the members matching ``query``, as buttons."""
    _ = tr.gettext
    if not choices.members:
        if query:
            text = _("No member's name matches {query}.").format(
                query=f"<i>{esc(clip(query, 40))}</i>"
            )
        else:
            text = _("Nobody has talked to the bot yet.")
        return View(text + "\n\n" + grant_usage(tr, revoke=revoke).text)
    action = "revoke" if revoke else "grant"
    keyboard = [
        [
            InlineKeyboardButton(
                clip(_member_label(member), 60),
                callback_data=cb.MEMBER_PICK.encode(action, member.id),
            )
        ]
        for member in choices.members
    ]
    text = _("Whose lead role should I take back?") if revoke else _("Who should become a lead?")
    if choices.more:
        text += "\n" + tr.ngettext(
            "…and {count} more: type more of the name.",
            "…and {count} more: type more of the name.",
            choices.more,
        ).format(count=choices.more)
    return View(text, InlineKeyboardMarkup(keyboard))


def _member_label(member: MemberInfo) -> str:
    username = f" · @{member.username}" if member.username else ""
    return f"{member.display_name or member.id}{username}"


def ask_what_to_grant(tr: NullTranslations, result: RoleChange, *, revoke: bool) -> View:
    """After a member's button: what to grant (or take back), as a plain message."""
    _ = tr.gettext
    if not result.allowed:
        return admins_only(tr)
    if result.member is None:
        return role_change(tr, result, revoke=revoke)
    name = f"<b>{esc(clip(_member_label(result.member), 80))}</b>"
    if revoke:
        lines = [_("Which lead role should {name} give back?").format(name=name)]
        example = "<code>Kenya</code>, <code>group Anti-Corruption WG</code>, <code>all</code>"
    else:
        lines = [_("What should {name} lead?").format(name=name)]
        example = "<code>Kenya, Ghana</code>, <code>group Anti-Corruption WG</code>"
    if result.remaining:
        lines.append(_("They lead {what} now.").format(what=_labels(tr, result, result.remaining)))
    lines.append(
        _("Send countries or a working group, e.g. {example}, or /cancel.").format(example=example)
    )
    return View("\n".join(lines))


def whoami(tr: NullTranslations, roles: MemberRoles, name: str) -> View:
    """/whoami: one's id (to give an admin) and what one may do."""
    _ = tr.gettext
    lines = [
        f"<b>{esc(clip(name, 80))}</b>",
        _("Your Telegram id: {id}").format(id=f"<code>{roles.user_id}</code>"),
    ]
    if roles.is_admin:
        lines.append(_("You are an admin of this bot."))
    led = [esc(country_name(tr, code, label)) for code, label in roles.countries]
    led += [esc(label) for label in roles.groups]
    if led:
        lines.append(_("You are a lead of {what}.").format(what=", ".join(led)))
    spoken = [esc(country_name(tr, code, label)) for code, label in roles.government]
    if spoken:
        lines.append(
            _("You are a government point of contact for {what}.").format(what=", ".join(spoken))
        )
    if not roles.is_admin and not led and not spoken:
        lines.append(
            _("You are a member: you may follow countries, look commitments up, report progress.")
        )
    lines.append(_("/help lists what you can do."))
    return View("\n".join(lines))


# ------------------------------------------------------------------ working groups


def newgroup_usage(tr: NullTranslations) -> View:
    _ = tr.gettext
    return View(
        "\n".join(
            [
                _("Create a working group (or change one, by giving its name again):"),
                "<code>/newgroup Anti-Corruption WG: Kenya, Ghana, Beneficial Ownership</code>",
                _(
                    "After the colon: the countries it follows and OGP policy areas, "
                    "separated by commas."
                ),
            ]
        )
    )


def _group_lines(tr: NullTranslations, group: GroupInfo) -> list[str]:
    _ = tr.gettext
    none = _("none")
    countries = ", ".join(esc(country_name(tr, c.code, c.name)) for c in group.countries) or none
    areas = ", ".join(esc(a) for a in tag_names(tr, group.policy_areas)) or none
    leads = ", ".join(esc(clip(name, 40)) for name in group.leads) or none
    chats = ", ".join(esc(clip(title, 40)) for title in group.chats) or none
    return [
        f"<b>{group.id}. {esc(clip(group.name, 100))}</b>",
        _("Countries: {names}").format(names=countries),
        _("Policy areas: {names}").format(names=areas),
        _("Leads: {names}").format(names=leads),
        _("Chats: {names}").format(names=chats),
    ]


def group_change(tr: NullTranslations, result: GroupChange) -> View:
    _ = tr.gettext
    if not result.allowed:
        return admins_only(tr)
    if result.problem == "usage":
        return newgroup_usage(tr)
    if result.problem == "unresolved":
        names = quoted_names(result.unresolved)
        return View(
            _("I found no OGP member or policy area called {names}. Nothing was saved.").format(
                names=names
            )
        )
    heading = _("Working group created:") if result.created else _("Working group updated:")
    lines = [heading, "", *_group_lines(tr, result.group)]
    lines += [
        "",
        _("A lead links its Telegram group by sending /linkgroup there (/unlinkgroup undoes it)."),
    ]
    return View("\n".join(lines))


def groups(tr: NullTranslations, items: list[GroupInfo]) -> list[View]:
    """Every working group; several messages if they do not fit in one."""
    _ = tr.gettext
    if not items:
        return [View(_("There are no working groups yet."))]
    title = _("Working groups")
    views: list[View] = []
    current = [f"<b>{esc(title)}</b>"]
    for group in items:
        block = ["", *_group_lines(tr, group)]
        if visible_len("\n".join(current + block)) > MAX_MESSAGE_LENGTH - 200:
            views.append(View("\n".join(current)))
            current = block[1:]
        else:
            current += block
    views.append(View("\n".join(current)))
    return views


def link_result(tr: NullTranslations, result: GroupChange, *, unlink: bool = False) -> View:
    """What /linkgroup (or, with ``unlink``, /unlinkgroup) did."""
    _ = tr.gettext
    command = "/unlinkgroup" if unlink else "/linkgroup"
    if not result.allowed:
        if unlink:
            return View(
                _(
                    "Only the working group's leads and the bot's admins may unlink a chat "
                    "from it. The attempt has been logged."
                )
            )
        return View(
            _(
                "Only the working group's leads and the bot's admins may link a chat to it. "
                "The attempt has been logged."
            )
        )
    if result.problem == "not_group_chat":
        return View(
            _("Send {command} in the working group's Telegram group, not here.").format(
                command=command
            )
        )
    if result.problem == "no_group":
        return View(_("There is no such working group. See /groups."))
    if result.problem == "not_linked":
        return View(_("This chat is not linked to a working group you lead."))
    if result.problem == "which":
        if not result.choices:
            return View(_("There are no working groups yet. An admin creates one with /newgroup."))
        names = ", ".join(f"<code>{esc(clip(name, 60))}</code>" for name in result.choices)
        return View(
            _("Which working group? Send {command} followed by one of: {names}").format(
                command=command, names=names
            )
        )
    name = f"<b>{esc(result.group.name)}</b>"
    if unlink and result.already:
        return View(_("This chat is not linked to {name}.").format(name=name))
    if unlink:
        return View(
            _(
                "This chat is no longer linked to {name}: the working group's broadcasts "
                "no longer come here."
            ).format(name=name)
        )
    if result.already:
        return View(_("This chat is already linked to {name}.").format(name=name))
    return View(_("This chat is now linked to {name}.").format(name=name))


# ------------------------------------------------------------------ audit


def audit(tr: NullTranslations, page: AuditPage) -> View:
    _ = tr.gettext
    title = _("Audit log")
    header = _("{title} ({page}/{pages}, newest first)").format(
        title=f"<b>{esc(title)}</b>", page=page.page + 1, pages=page.pages
    )
    lines = [header]
    if not page.entries:
        lines.append(_("Nothing has been logged yet."))
    for entry in page.entries:
        mark = "✅" if entry.allowed else "⛔"
        if entry.actor_id is None:
            actor = _("former member") if entry.action != "member.forget" else "—"
        else:
            actor = f"{esc(clip(entry.actor_name, 30))} ({entry.actor_id})".strip()
        when = entry.at.strftime("%Y-%m-%d %H:%M")
        line = f"\n{mark} <code>{when}</code> <b>{esc(entry.action)}</b> · {actor}"
        if entry.target:
            line += f" → {esc(clip(entry.target, 60))}"
        if entry.detail:
            line += f"\n<i>{esc(clip(entry.detail, 160))}</i>"
        if visible_len("\n".join([*lines, line])) > MAX_MESSAGE_LENGTH - 100:
            break
        lines.append(line)
    nav = []
    if page.page + 1 < page.pages:
        nav.append(
            InlineKeyboardButton(_("‹ Older"), callback_data=cb.AUDIT_PAGE.encode(page.page + 1))
        )
    if page.page > 0:
        nav.append(
            InlineKeyboardButton(_("Newer ›"), callback_data=cb.AUDIT_PAGE.encode(page.page - 1))
        )
    return View("\n".join(lines), InlineKeyboardMarkup([nav]) if nav else None)


# ------------------------------------------------------------------ export and chart


# ------------------------------------------------------------------ leaving
