"""The bot's commands in one place: /help, setMyCommands and the README read this."""

from __future__ import annotations

from dataclasses import dataclass

from storage.models import Role
from storage.statuses import N_ as N_  # one marker for bot and storage; views import it here

_RANK = {Role.MEMBER: 0, Role.LEAD: 1, Role.ADMIN: 2}


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    description: str  # an untranslated msgid
    role: Role = Role.MEMBER

    def allowed_for(self, role: Role) -> bool:
        return _RANK[role] >= _RANK[self.role]


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start", N_("What this bot does and how to begin")),
    CommandSpec("help", N_("The commands you can use")),
    CommandSpec("subscribe", N_("Follow countries: /subscribe Kenya Ghana")),
    CommandSpec("unsubscribe", N_("Stop following a country")),
    CommandSpec("following", N_("What this chat follows")),
    CommandSpec("status", N_("Where a commitment stands: /status AR0045")),
    CommandSpec("history", N_("All reports on a commitment: /history AR0045")),
    CommandSpec("country", N_("Browse a country's action plans: /country Kenya")),
    CommandSpec("search", N_("Search commitments: /search open contracting")),
    CommandSpec("stats", N_("Figures for a country or what you follow")),
    CommandSpec("summit", N_("2016 Anti-Corruption Summit pledges: /summit Kenya")),
    CommandSpec("compare", N_("Countries side by side: /compare Kenya Ghana")),
    CommandSpec("report", N_("Report progress on a commitment")),
    CommandSpec("myreports", N_("Your reports: edit or withdraw them")),
    CommandSpec("cancel", N_("Stop what you are doing")),
    CommandSpec("settings", N_("Digest schedule, time zone, reminders, language")),
    CommandSpec("timezone", N_("Set this chat's time zone: /timezone Africa/Nairobi")),
    CommandSpec("digest", N_("This chat's digest, now")),
    CommandSpec("stop", N_("Stop digests, reminders and broadcasts to this chat")),
    CommandSpec("pending", N_("Reports waiting for your verification"), Role.LEAD),
    CommandSpec("broadcast", N_("Send a message or a digest to followers"), Role.LEAD),
    CommandSpec(
        "embed", N_("Link a Summit pledge to a commitment: /embed ACS2016-KEN-01 KE0033"), Role.LEAD
    ),
    CommandSpec("unembed", N_("Unlink a Summit pledge from a commitment"), Role.LEAD),
    CommandSpec("groups", N_("Working groups: what they follow, leads, chats")),
    CommandSpec("export", N_("CSV of commitments and reports: /export Kenya")),
    CommandSpec("chart", N_("A chart of where commitments stand: /chart Kenya")),
    CommandSpec("forgetme", N_("Delete your personal data from the bot")),
    CommandSpec("whoami", N_("Your Telegram id and what you may do here")),
    CommandSpec("linkgroup", N_("Link this group chat to your working group"), Role.LEAD),
    CommandSpec("unlinkgroup", N_("Unlink this group chat from a working group"), Role.LEAD),
    CommandSpec("grant", N_("Make a member a lead: /grant @name Kenya"), Role.ADMIN),
    CommandSpec("revoke", N_("Take a lead role back: /revoke @name Kenya"), Role.ADMIN),
    CommandSpec("newgroup", N_("Create a working group: /newgroup Name: Kenya, Ghana"), Role.ADMIN),
    CommandSpec("audit", N_("The latest privileged actions, allowed or refused"), Role.ADMIN),
)


def commands_for(role: Role) -> list[CommandSpec]:
    return [spec for spec in COMMANDS if spec.allowed_for(role)]


#: /help's first page: every member's command, grouped, without descriptions
#: (the "All commands" button explains each). Leads' and admins' commands have
#: pages of their own.
HELP_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (N_("Look up"), ("status", "search", "country", "history", "stats")),
    (N_("Follow"), ("subscribe", "unsubscribe", "following", "digest")),
    (N_("Report"), ("report", "myreports", "cancel")),
    (N_("Data"), ("groups", "export", "chart")),
    (N_("This chat"), ("settings", "timezone", "stop", "forgetme")),
    (N_("Getting started"), ("start", "help", "whoami")),
)


def commands_of(role: Role) -> list[CommandSpec]:
    """The commands ``role`` has that the roles below it do not."""
    return [spec for spec in COMMANDS if spec.role is role]
