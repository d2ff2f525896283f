"""What the gate answers for updates it keeps from the features: edits, forwarded commands."""

from __future__ import annotations

from bot.commands import N_
from bot.views.base import fixed

edit_ignored = fixed(N_("I don't act on edited messages. Please send the command again."))


forward_ignored = fixed(
    N_("I don't run commands from forwarded messages. Send the command yourself if you mean it.")
)
