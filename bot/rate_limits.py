"""The limiter every reply passes through: Telegram's limits as Telegram states them.

python-telegram-bot's ``AIORateLimiter`` knows two of them, all chats together
and each group; Telegram also asks for about one message a second in a private
chat (``rate_limits.private_chat_per_second``, which the outbox already keeps).
Without it a burst of answers to one person (a paged search pressed quickly)
would reach Telegram faster than it accepts and come back as 429s.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

from bot.config import RateLimits

JSONDict = dict[str, Any]
# Past this many idle private limiters, those with all their capacity back are dropped
# (as AIORateLimiter does for groups), so a bot with many users keeps few of them.
_KEEP = 512


class ChatRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` plus a limiter per private chat."""

    def __init__(self, *, private_chat_per_second: float, **limits: Any) -> None:
        super().__init__(**limits)
        self._private_period = 1 / private_chat_per_second
        self._private: dict[int, AsyncLimiter] = {}

    @classmethod
    def from_limits(cls, limits: RateLimits) -> ChatRateLimiter:
        return cls(
            overall_max_rate=limits.overall_per_second,
            overall_time_period=1,
            group_max_rate=limits.group_per_minute,
            group_time_period=60,
            max_retries=limits.max_retries,
            private_chat_per_second=limits.private_chat_per_second,
        )

    def _private_limiter(self, chat_id: int) -> AsyncLimiter:
        limiter = self._private.get(chat_id)
        if limiter is None:
            if len(self._private) > _KEEP:
                for key, idle in list(self._private.items()):
                    if idle.has_capacity(idle.max_rate):
                        del self._private[key]
            limiter = self._private[chat_id] = AsyncLimiter(1, self._private_period)
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat_id = data.get("chat_id")
        if isinstance(chat_id, int) and chat_id > 0:  # a person's private chat
            async with self._private_limiter(chat_id):
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
