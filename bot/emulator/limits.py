"""Telegram's flood control as the emulated server applies it: 429 with ``retry_after`` when
a bot sends faster than the real limits allow (measured on the emulator clock), or when a
test forces it."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from bot.emulator.errors import ApiError

_SEND_NO_LIMIT = frozenset({"sendChatAction"})


@dataclass
class RateLimits:
    """Flood limits, measured against the emulator clock; disabled by default."""

    global_per_second: int = 30
    per_chat_per_second: int = 1
    per_group_per_minute: int = 20
    enabled: bool = False


class FloodControl:
    """The send windows and the forced 429s; the limits themselves are passed per call, as a
    test may replace the server's ``rate_limits`` at any time."""

    def __init__(self) -> None:
        self.forced: deque[int] = deque()
        self._sent_global: deque[float] = deque()
        self._sent_chat: dict[int, deque[float]] = {}
        self._sent_group_minute: dict[int, deque[float]] = {}

    def force_429(self, n: int, retry_after: int) -> None:
        self.forced.extend([retry_after] * n)

    def check(
        self, method: str, chat_id: int, chat_type: str, limits: RateLimits, now: float
    ) -> None:
        """Count one send, or raise the 429 Telegram would answer to it."""
        if method in _SEND_NO_LIMIT:
            return
        if self.forced:
            wait = self.forced.popleft()
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        if not limits.enabled:
            return
        windows = [
            (self._sent_global, 1.0, limits.global_per_second),
            (self._sent_chat.setdefault(chat_id, deque()), 1.0, limits.per_chat_per_second),
        ]
        if chat_type in ("group", "supergroup"):
            group = self._sent_group_minute.setdefault(chat_id, deque())
            windows.append((group, 60.0, limits.per_group_per_minute))
        wait = 0
        for times, span, limit in windows:
            while times and times[0] <= now - span:
                times.popleft()
            if len(times) >= limit:
                wait = max(wait, max(1, math.ceil(span - (now - times[0]))))
        if wait:
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        for times, _span, _limit in windows:
            times.append(now)
