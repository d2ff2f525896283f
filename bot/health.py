"""What a running bot tells the outside: /healthz in webhook mode, Prometheus metrics.

Both are optional and cost nothing when off. The figures come from the same
place as `ogp-bot status` (``storage.health``) plus what only the running
process knows (how long handlers take).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from telegram.ext import Application

from bot.context import DB_KEY
from storage.db import Database
from storage.health import health

log = logging.getLogger(__name__)

BACKLOG_SECONDS = 30


class _Metrics:
    """Prometheus instruments in their own registry (nothing global is touched)."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry()
        self.updates = Counter(
            "ogp_bot_updates", "Telegram updates handled", ["outcome"], registry=self.registry
        )
        self.latency = Histogram(
            "ogp_bot_handler_seconds",
            "Time to handle one update",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.backlog = Gauge("ogp_bot_backlog", "Rows waiting", ["table"], registry=self.registry)
        self.last_day = Gauge(
            "ogp_bot_last_day_events",
            "Events in the last day (deliveries by outcome, 429s, blocked chats)",
            ["event"],
            registry=self.registry,
        )


_metrics: _Metrics | None = None


def observe_update(seconds: float, outcome: str) -> None:
    """Called by the inbox for every update: 'done' or 'set_aside'."""
    if _metrics is not None:
        _metrics.updates.labels(outcome).inc()
        _metrics.latency.observe(seconds)


def start_metrics(app: Application, port: int, host: str = "0.0.0.0") -> None:
    """Serve /metrics on ``port`` and refresh the database figures every 30 s."""
    global _metrics
    try:
        from prometheus_client import start_http_server
    except ImportError:
        raise RuntimeError(
            'metrics_port is set but prometheus-client is missing: pip install -e ".[metrics]"'
        ) from None
    _metrics = _Metrics()
    start_http_server(port, addr=host, registry=_metrics.registry)
    if app.job_queue is not None:
        app.job_queue.run_repeating(_refresh, interval=BACKLOG_SECONDS, first=1, name="metrics")
    log.info("metrics on port %s", port)


async def _refresh(context: Any) -> None:
    if _metrics is None:
        return
    figures = await asyncio.to_thread(health, context.bot_data[DB_KEY])
    _metrics.backlog.labels("inbox").set(figures.inbox_backlog)
    _metrics.backlog.labels("outbox").set(figures.outbox_backlog)
    _metrics.backlog.labels("set_aside").set(figures.set_aside)
    for event in ("delivered", "failed", "throttled", "blocked"):
        _metrics.last_day.labels(event).set(getattr(figures, f"{event}_last_day"))


def serve_healthz(app: Application) -> None:
    """Add GET /healthz to python-telegram-bot's webhook server, once it runs.

    python-telegram-bot has no public way to add a route; its server is a tornado
    Application, which takes handlers at any time. If a later version moves it,
    /healthz is missing (a warning says so) and the webhook itself is unaffected.
    """

    async def add_route(context: Any) -> None:
        try:
            tornado_app = app.updater._httpd._http_server.request_callback  # type: ignore[union-attr]
            tornado_app.add_handlers(r".*", [(r"/healthz", _handler(app.bot_data[DB_KEY]))])
        except AttributeError:
            log.warning("/healthz is not available with this python-telegram-bot version")

    if app.job_queue is not None:
        # No misfire grace: on a busy machine a job due "now" may start late, not never.
        app.job_queue.run_once(
            add_route, when=0, name="healthz", job_kwargs={"misfire_grace_time": None}
        )


def _handler(db: Database) -> type:
    import tornado.web

    class HealthHandler(tornado.web.RequestHandler):
        async def get(self) -> None:
            figures = await asyncio.to_thread(health, db)
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({"running": True, **figures.as_json()}))

    return HealthHandler
