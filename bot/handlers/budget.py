"""Each person's budget of commands per minute, checked before any other work.

Chats are handled side by side, but one person sending dozens of commands a
minute still costs everyone database and Telegram capacity (and earns the bot
429s). A token bucket per person, refilled continuously, lets ordinary use
through untouched; past it, the person is asked once to slow down and what they
send meanwhile is not handled. Kept in memory: it protects a running process and
need not survive it.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from bot.context import SETTINGS_KEY, BotContext
from bot.handlers.common import reply
from bot.views import budget as views

# The very first group (see bot/app.py): an over-budget update costs no work at all.
GROUP = -4
MAX_TRACKED = 10_000
BUDGET_KEY = "command_budget"


@dataclass
class _Bucket:
    tokens: float
    at: float
    warned: bool = False


class CommandBudget:
    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._buckets: dict[int, _Bucket] = {}

    def spend(self, user_id: int, now: float) -> _Bucket | None:
        """Take one command from the person's budget; None when there was one left,
        else their (empty) bucket, whose ``warned`` says whether they were told."""
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= MAX_TRACKED:
                self._forget_full(now)
            bucket = self._buckets[user_id] = _Bucket(float(self.per_minute), now)
        refill = (now - bucket.at) * self.per_minute / 60
        bucket.tokens = min(float(self.per_minute), bucket.tokens + max(refill, 0))
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return None
        return bucket

    def _forget_full(self, now: float) -> None:
        """Drop people whose budget has refilled: they are as good as new."""
        idle = 60.0
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.at < idle}


def _counted(update: Update) -> bool:
    """What asks the bot for work counts: button presses, and messages to it (any in
    a private chat, commands in a group, where people mostly talk to each other).
    Service messages (a group upgraded, someone joined) and inline queries (typed
    letter by letter, and paced by Telegram) do not."""
    if update.callback_query is not None:
        return True
    message = update.message
    if message is None or not (message.text or message.caption or message.effective_attachment):
        return False
    return message.chat.type == ChatType.PRIVATE or bool(
        message.text and message.text.startswith("/")
    )


async def check_budget(update: Update, context: BotContext) -> None:
    user = update.effective_user
    if user is None or user.is_bot or not _counted(update):
        return
    budget: CommandBudget = context.bot_data[BUDGET_KEY]
    bucket = budget.spend(user.id, context.now().timestamp())
    if bucket is None:
        return
    first_time = not bucket.warned
    bucket.warned = True
    view = views.slow_down(context.tr_for(user.language_code))
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(view.text if first_time else None)
        elif first_time:
            await reply(update, view)
    except TelegramError:
        pass  # nothing more to say to someone we cannot reach
    raise ApplicationHandlerStop


def register(app: Application) -> None:
    settings = app.bot_data[SETTINGS_KEY]
    app.bot_data[BUDGET_KEY] = CommandBudget(settings.rate_limits.user_commands_per_minute)
    app.add_handler(TypeHandler(Update, check_budget), group=GROUP)
