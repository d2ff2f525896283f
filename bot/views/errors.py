"""What a chat is told when handling its update failed or its group moved."""

from __future__ import annotations

from bot.commands import N_
from bot.views.base import fixed

group_upgraded = fixed(
    N_(
        "This group is now a supergroup, and everything I kept for it moved along. "
        "Please send your last command again."
    )
)


internal_error = fixed(
    N_(
        "Sorry, something went wrong on my side. Nothing you sent was lost; "
        "please try again in a moment."
    )
)
