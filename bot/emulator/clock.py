"""A controllable clock so message dates, rate limits and scheduled work are deterministic."""

from __future__ import annotations

import datetime as dt


class Clock:
    """Tz-aware UTC clock that only moves when told to (or follows real time if not frozen).

    ``Clock()`` is frozen at the real "now" of its creation; ``Clock(frozen=False)`` follows
    real time plus any offset added with :meth:`advance`.
    """

    def __init__(self, start: dt.datetime | None = None, *, frozen: bool = True) -> None:
        self._frozen = frozen
        self._offset = dt.timedelta(0)
        self._now = _aware(start) if start is not None else dt.datetime.now(dt.UTC)
        if start is not None and not frozen:
            self._offset = self._now - dt.datetime.now(dt.UTC)

    def now(self) -> dt.datetime:
        """Current emulated time (aware, UTC)."""
        if self._frozen:
            return self._now
        return dt.datetime.now(dt.UTC) + self._offset

    def timestamp(self) -> float:
        """Current emulated time as a unix timestamp."""
        return self.now().timestamp()

    def unix(self) -> int:
        """Current emulated time as an integer unix timestamp (Telegram ``date``)."""
        return int(self.timestamp())

    def set(self, when: dt.datetime) -> None:
        """Jump to ``when`` (naive datetimes are taken as UTC)."""
        when = _aware(when)
        if self._frozen:
            self._now = when
        else:
            self._offset = when - dt.datetime.now(dt.UTC)

    def freeze(self, when: dt.datetime | None = None) -> None:
        """Stop the clock at ``when`` (default: the current emulated time)."""
        self._now = _aware(when) if when is not None else self.now()
        self._frozen = True

    def advance(
        self,
        delta: dt.timedelta | float | int = 0,
        *,
        seconds: float = 0,
        minutes: float = 0,
        hours: float = 0,
        days: float = 0,
    ) -> dt.datetime:
        """Move forward by ``delta`` (timedelta or seconds) plus keyword units; return new now."""
        step = delta if isinstance(delta, dt.timedelta) else dt.timedelta(seconds=delta)
        step += dt.timedelta(seconds=seconds, minutes=minutes, hours=hours, days=days)
        if self._frozen:
            self._now += step
        else:
            self._offset += step
        return self.now()


def _aware(when: dt.datetime) -> dt.datetime:
    if when.tzinfo is None:
        return when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC)
