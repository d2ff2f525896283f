"""PTB request backend that talks to the in-process :class:`BotAPIServer` instead of HTTP."""

from __future__ import annotations

import json
from typing import Any

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

from bot.emulator.server import BotAPIServer, UploadedFile

__all__ = ["EmulatorRequest"]


class EmulatorRequest(BaseRequest):
    """Routes every Bot API call of a PTB ``Bot`` to ``server`` with real serialisation.

    PTB serialises parameters exactly as for HTTP (``RequestData``), and parses our JSON
    answer with its own error mapping (400 -> BadRequest, 403 -> Forbidden, 429 ->
    RetryAfter), so handlers see what they would see in production.
    """

    def __init__(self, server: BotAPIServer) -> None:
        self.server = server

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        """Nothing to connect to."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        path = url.split("?", 1)[0]
        if "/file/bot" in path:
            file_path = path.split("/file/bot", 1)[1].split("/", 1)[-1]
            content = self.server.download(file_path)
            if content is None:
                return 404, _dump({"ok": False, "error_code": 404, "description": "Not Found"})
            return 200, content
        if f"/bot{self.server.token}/" not in path:
            return 401, _dump({"ok": False, "error_code": 401, "description": "Unauthorized"})
        api_method = path.rstrip("/").rsplit("/", 1)[-1]
        params: dict[str, Any] = {}
        files: dict[str, UploadedFile] = {}
        if request_data is not None:
            # JSON round trip: exactly what would travel over HTTP (enums -> plain values)
            params = {k: json.loads(json.dumps(v)) for k, v in request_data.parameters.items()}
            if request_data.contains_files:
                for name, field_tuple in request_data.multipart_data.items():
                    files[name] = _upload(field_tuple)
        status, body = await self.server.handle(api_method, params, files)
        return status, _dump(body)


def _upload(field_tuple: Any) -> UploadedFile:
    filename, content, *rest = field_tuple
    if hasattr(content, "read"):
        content = content.read()
    if isinstance(content, str):
        content = content.encode()
    mime = rest[0] if rest else None
    return UploadedFile(filename=filename or "file", content=bytes(content), mime_type=mime)


def _dump(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8")
