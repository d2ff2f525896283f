"""Message texts and keyboards: pure functions from data to what a chat shows.

One module per feature; ``base`` holds what they share (``View``, ``esc``,
splitting long texts). Every text is Telegram HTML, and anything that came
from a person or from OGP's data goes through ``esc``.
"""

from bot.views.base import (
    MAX_MESSAGE_LENGTH,
    View,
    clip,
    edit_ignored,
    esc,
    forward_ignored,
    group_upgraded,
    internal_error,
    plain_text_hint,
    role_name,
    slow_down,
    split_html,
    unknown_command,
    visible_len,
)

__all__ = [
    "MAX_MESSAGE_LENGTH",
    "View",
    "clip",
    "edit_ignored",
    "esc",
    "forward_ignored",
    "group_upgraded",
    "internal_error",
    "plain_text_hint",
    "role_name",
    "slow_down",
    "split_html",
    "unknown_command",
    "visible_len",
]
