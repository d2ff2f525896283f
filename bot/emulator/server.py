"""In-process, strict Telegram Bot API server.

The state (users, chats, messages, files, callback/inline queries) lives in plain Python
objects so tests can inspect exactly what a user would see.  Every request is validated
against the trimmed Bot API spec carried in ``spec.json`` and against the limits the real
server enforces, so a test fails where production would answer 400.

Methods with a real implementation (state + Telegram-like errors):
    getMe, logOut, close, getUpdates, setWebhook, deleteWebhook, getWebhookInfo,
    setMyCommands, getMyCommands, deleteMyCommands, setMyDescription, getMyDescription,
    setMyShortDescription, getMyShortDescription, setMyName, getMyName,
    sendMessage, editMessageText, editMessageCaption, editMessageReplyMarkup,
    deleteMessage, deleteMessages, sendPhoto, sendDocument, sendChatAction,
    answerCallbackQuery, answerInlineQuery, getChat, getChatMember,
    getChatAdministrators, getChatMemberCount, getFile, setChatMenuButton,
    getChatMenuButton, copyMessage, forwardMessage, pinChatMessage, unpinChatMessage,
    unpinAllChatMessages.
Every other method of the spec is validated (fields, types, required) and answered ``true``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.emulator.errors import ApiError, bad
from bot.emulator.limits import RateLimits
from bot.emulator.methods.bot import BotMethods
from bot.emulator.methods.chats import ChatMethods
from bot.emulator.methods.messages import MessageMethods
from bot.emulator.methods.queries import QueryMethods
from bot.emulator.records import (
    CallbackQueryState,
    CallRecord,
    InlineQueryState,
    StoredFile,
    StoredMessage,
    UploadedFile,
)
from bot.emulator.validation import spec, validate

__all__ = [
    "ApiError",
    "BotAPIServer",
    "CallRecord",
    "CallbackQueryState",
    "InlineQueryState",
    "RateLimits",
    "StoredFile",
    "StoredMessage",
    "UploadedFile",
    "bad",
    "spec",
]


class BotAPIServer(BotMethods, MessageMethods, QueryMethods, ChatMethods):
    """The emulated Bot API: the state (``bot.emulator.state``) with the method groups
    (``bot.emulator.methods``), dispatched by name as Telegram does."""

    async def handle(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        files: dict[str, UploadedFile] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """Run one API call; return (HTTP status, Bot API JSON envelope)."""
        params = dict(params or {})
        files = dict(files or {})
        for name, upload in files.items():
            params.setdefault(name, upload)
        canonical = _METHOD_NAMES.get(method.lower())
        record = CallRecord(canonical or method, _loggable(params), 0)
        self.calls.append(record)
        try:
            if canonical is None:
                raise ApiError(404, "Not Found")
            stalled = self._stalls.get(params.get("chat_id"))  # type: ignore[arg-type]
            if stalled is not None:
                await stalled[0].wait()
                if stalled[1][0]:
                    raise ApiError(502, "Bad Gateway")
            validate(canonical, params, strict=self.strict_fields)
            impl = getattr(self, f"_api_{canonical}", None)
            if impl is None:
                self.generic_calls.append(canonical)
                result: Any = True
            else:
                result = impl(params, files)
                if asyncio.iscoroutine(result):
                    result = await result
        except ApiError as exc:
            record.status = exc.status
            record.description = exc.description
            record.parameters = exc.parameters
            body: dict[str, Any] = {
                "ok": False,
                "error_code": exc.status,
                "description": exc.description,
            }
            if exc.parameters:
                body["parameters"] = exc.parameters
            return exc.status, body
        record.status = 200
        record.result = result
        return 200, {"ok": True, "result": result}

    def download(self, file_path: str) -> bytes | None:
        """Bytes behind a getFile ``file_path`` (what the file download URL serves)."""
        for stored in self.files.values():
            if stored.file_path == file_path:
                return stored.content
        return None


_METHOD_NAMES: dict[str, str] = {}


def _init_method_names() -> None:
    for name in spec()["methods"]:
        _METHOD_NAMES[name.lower()] = name


def _loggable(params: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (f"<file {v.filename} {len(v.content)}B>" if isinstance(v, UploadedFile) else v)
        for k, v in params.items()
    }


_init_method_names()
