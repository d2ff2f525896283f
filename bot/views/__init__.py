"""Message texts and keyboards: pure functions from data to what a chat shows.

One module per feature; ``base`` holds what they share (``View``, ``esc``,
splitting long texts). Every text is Telegram HTML, and anything that came
from a person or from OGP's data goes through ``esc``.
"""

from bot.views.base import (
    MAX_MESSAGE_LENGTH,
    View,
    clip,
    esc,
    role_name,
    split_html,
    visible_len,
)

__all__ = [
    "MAX_MESSAGE_LENGTH",
    "View",
    "clip",
    "esc",
    "role_name",
    "split_html",
    "visible_len",
]
