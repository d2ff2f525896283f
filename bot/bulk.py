"""Bulk storage work (a broadcast to every chat, a whole digest run) off the event loop.

A worker thread keeps the loop free of the call itself, but not of Python's
cycle collector: a collection stops every thread while it walks the young
objects, and a bulk call keeps hundreds of thousands of them alive (rows,
rendered texts, SQLAlchemy's parameters). With 50,000 digests that stalled the
loop for 30 to 200 ms at a time. So the collector is paused while bulk calls
run; reference counting still frees what they drop, and the few cycles left
wait for the next collection after the last bulk call returns.
"""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_lock = threading.Lock()
_running = 0  # bulk calls in progress: the collector stays paused until none is
_restore = False  # whether it was on before the first of them


def _paused(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    global _running, _restore
    with _lock:
        if _running == 0:
            _restore = gc.isenabled()
            gc.disable()
        _running += 1
    try:
        return fn(*args, **kwargs)
    finally:
        with _lock:
            _running -= 1
            if _running == 0 and _restore:
                gc.enable()


async def off_loop(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args, **kwargs)`` in a worker thread, with the cycle collector paused."""
    return await asyncio.to_thread(_paused, fn, *args, **kwargs)
