"""What someone who writes faster than the bot answers is told."""

from __future__ import annotations

from bot.commands import N_
from bot.views.base import fixed

slow_down = fixed(
    N_(
        "You are sending more than I can answer. Please wait a minute: I will "
        "answer your next message then."
    )
)
