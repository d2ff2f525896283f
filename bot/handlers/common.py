"""Small pieces every handler uses."""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ParseMode

from bot.views import View


async def reply(update: Update, view: View) -> Message | None:
    """Answer in the chat the update came from, as HTML, with the view's keyboard."""
    message = update.effective_message
    if message is None:
        return None
    return await message.reply_text(
        view.text,
        parse_mode=ParseMode.HTML,
        reply_markup=view.keyboard,
        do_quote=False,
    )
