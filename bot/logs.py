"""Logging that never prints the bot token, one line per event.

httpx logs every request URL at INFO, and Telegram URLs carry the token, so
httpx is kept at WARNING and a filter masks the token in anything that slips
through (a traceback, a library's debug line).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from bot.config import Settings

MASK = "<token>"


class RedactToken(logging.Filter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        # What leaks is the value as used in URLs: without surrounding whitespace.
        self.secrets = [secret.strip() for secret in secrets if secret.strip()]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        redacted = message
        for secret in self.secrets:
            redacted = redacted.replace(secret, MASK)
            if record.exc_text:
                record.exc_text = record.exc_text.replace(secret, MASK)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class OneLineFormatter(logging.Formatter):
    """Text, one line per event: a traceback's lines are joined with " | " so that
    a log collector (or grep) never splits one event into many."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\n", " | ")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (and the error)."""

    def format(self, record: logging.LogRecord) -> str:
        event = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            event["error"] = record.exc_text
        return json.dumps(event, ensure_ascii=False)


class StartupFailureIsOneLine(logging.Filter):
    """python-telegram-bot logs a failed start (a wrong token, Telegram unreachable)
    with a long traceback, then raises; the command line says it in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.name.startswith("telegram.ext")
            and record.getMessage().startswith("Network Retry Loop (Bootstrap")
        )


def setup_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(OneLineFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    secrets = []
    if settings.token is not None:
        secrets.append(settings.token.get_secret_value())
    if settings.webhook.secret_token is not None:
        secrets.append(settings.webhook.secret_token.get_secret_value())
    handler.addFilter(RedactToken(secrets))
    handler.addFilter(StartupFailureIsOneLine())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def redact_also(secret: str) -> None:
    """Mask a secret made at run time (a webhook secret) like the token."""
    for handler in logging.getLogger().handlers:
        for log_filter in handler.filters:
            if isinstance(log_filter, RedactToken) and secret.strip():
                log_filter.secrets.append(secret.strip())
