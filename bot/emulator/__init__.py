"""In-process Telegram Bot API emulator: strict server, PTB request backend, test driver."""

from bot.emulator.clock import Clock
from bot.emulator.driver import (
    Button,
    CallbackResult,
    ChatHandle,
    Driver,
    EmulatorError,
    FileInfo,
    HandlerError,
    Rejections,
    Replies,
    SentMessage,
    UserHandle,
)
from bot.emulator.html import parse_html, to_console, validate_html
from bot.emulator.request import EmulatorRequest
from bot.emulator.server import ApiError, BotAPIServer, CallRecord, RateLimits

__all__ = [
    "ApiError",
    "BotAPIServer",
    "Button",
    "CallRecord",
    "CallbackResult",
    "ChatHandle",
    "Clock",
    "Driver",
    "EmulatorError",
    "EmulatorRequest",
    "FileInfo",
    "HandlerError",
    "RateLimits",
    "Rejections",
    "Replies",
    "SentMessage",
    "UserHandle",
    "parse_html",
    "to_console",
    "validate_html",
]
