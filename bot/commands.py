"""The bot's commands in one place: /help, setMyCommands and the README read this."""

from __future__ import annotations

from dataclasses import dataclass

from storage.models import Role


def N_(message: str) -> str:
    """Mark a text for translation without translating it yet (gettext convention)."""
    return message


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
    CommandSpec("report", N_("Report progress on a commitment")),
    CommandSpec("myreports", N_("Your reports: edit or withdraw them")),
    CommandSpec("cancel", N_("Stop what you are doing")),
    CommandSpec("pending", N_("Reports waiting for your verification"), Role.LEAD),
)


def commands_for(role: Role) -> list[CommandSpec]:
    return [spec for spec in COMMANDS if spec.allowed_for(role)]
