"""The emulator over real HTTP on loopback, for testing ``ogp-bot run`` as it ships.

``run`` talks to Telegram with python-telegram-bot's own HTTPX client; pointing
its ``base_url`` here exercises that whole path (polling, startup, shutdown)
against the same strict server the in-process tests use. Only what the bot
sends is needed: form-encoded calls (multipart uploads are answered 501).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.emulator.server import BotAPIServer, spec

MAX_BODY = 10 * 1024 * 1024


def _field_types(method: str) -> dict[str, list[str]]:
    entry = spec().get("methods", {}).get(method) or {}
    return {name: field.get("types", []) for name, field in entry.get("fields", {}).items()}


def decode_form(method: str, body: bytes) -> dict[str, Any]:
    """Form values back to objects, as python-telegram-bot encoded them.

    PTB sends every non-string value JSON-encoded; a field that can only be a
    String stays as sent (a text of "123" is text, not a number).
    """
    types = _field_types(method)
    params: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
        if types.get(key) == ["String"]:
            params[key] = value
            continue
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


class HTTPFrontend:
    def __init__(self, server: BotAPIServer, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server = server
        self.host = host
        self.port = port
        self._listener: asyncio.Server | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    async def start(self) -> None:
        self._listener = await asyncio.start_server(self._client, self.host, self.port)
        self.port = self._listener.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.close()
            with contextlib.suppress(Exception):
                await self._listener.wait_closed()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    break
                _method, target, _version = request_line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = min(int(headers.get("content-length", "0") or 0), MAX_BODY)
                body = await reader.readexactly(length) if length else b""
                status, payload = await self._answer(target, headers, body)
                data = json.dumps(payload, ensure_ascii=False).encode()
                writer.write(
                    f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(data)}\r\nConnection: keep-alive\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()

    async def _answer(
        self, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, Any]]:
        path = urlsplit(target).path
        prefix = f"/bot{self.server.token}/"
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = path.removeprefix(prefix)
        if "multipart/form-data" in headers.get("content-type", ""):
            return 501, {"ok": False, "error_code": 501, "description": "uploads not served"}
        if "application/json" in headers.get("content-type", ""):
            params = json.loads(body or b"{}")
        else:
            params = decode_form(method, body)
        return await self.server.handle(method, params)
