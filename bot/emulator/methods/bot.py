"""The bot's own methods: identity, webhook and getUpdates, commands, descriptions and
the menu button."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from bot.emulator.errors import ApiError, bad
from bot.emulator.state import ServerState

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


class BotMethods(ServerState):
    """getMe … getChatMenuButton."""

    def _api_getMe(self, params: dict, files: dict) -> Any:
        return dict(self.bot_user)

    def _api_logOut(self, params: dict, files: dict) -> Any:
        return True

    def _api_close(self, params: dict, files: dict) -> Any:
        return True

    def _api_setWebhook(self, params: dict, files: dict) -> Any:
        url = params["url"]
        if url and not url.startswith("https://"):
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = dict(params) if url else None
        return True

    def _api_deleteWebhook(self, params: dict, files: dict) -> Any:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _api_getWebhookInfo(self, params: dict, files: dict) -> Any:
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _api_getUpdates(self, params: dict, files: dict) -> Any:
        if self.webhook:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        limit = max(1, min(100, params.get("limit", 100)))
        timeout = max(0, params.get("timeout", 0))
        if not self._updates and timeout:
            waiter = asyncio.Event()
            self._update_waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter.wait(), timeout)
            except TimeoutError:
                pass
            finally:
                self._update_waiters.remove(waiter)
        return self._updates[:limit]

    def _scope_key(self, params: dict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.get("language_code", "")

    def _api_setMyCommands(self, params: dict, files: dict) -> Any:
        commands = params["commands"]
        if len(commands) > 100:
            raise bad("BOT_COMMANDS_TOO_MUCH")
        for cmd in commands:
            if not _COMMAND_RE.match(cmd["command"]):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(cmd["description"]) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._scope_key(params)] = [dict(c) for c in commands]
        return True

    def _api_getMyCommands(self, params: dict, files: dict) -> Any:
        return self.commands.get(self._scope_key(params), [])

    def _api_deleteMyCommands(self, params: dict, files: dict) -> Any:
        self.commands.pop(self._scope_key(params), None)
        return True

    def _set_text_setting(self, key: str, params: dict, limit: int) -> Any:
        value = params.get(key, "")
        if len(value) > limit:
            raise bad(f"{key} is too long")
        self.descriptions[(key, params.get("language_code", ""))] = value
        return True

    def _api_setMyDescription(self, params: dict, files: dict) -> Any:
        return self._set_text_setting("description", params, 512)

    def _api_setMyShortDescription(self, params: dict, files: dict) -> Any:
        return self._set_text_setting("short_description", params, 120)

    def _api_setMyName(self, params: dict, files: dict) -> Any:
        return self._set_text_setting("name", params, 64)

    def _get_text_setting(self, key: str, params: dict) -> Any:
        return {key: self.descriptions.get((key, params.get("language_code", "")), "")}

    def _api_getMyDescription(self, params: dict, files: dict) -> Any:
        return self._get_text_setting("description", params)

    def _api_getMyShortDescription(self, params: dict, files: dict) -> Any:
        return self._get_text_setting("short_description", params)

    def _api_getMyName(self, params: dict, files: dict) -> Any:
        return {"name": self.descriptions.get(("name", params.get("language_code", "")), "")}

    def _api_setChatMenuButton(self, params: dict, files: dict) -> Any:
        button = params.get("menu_button") or {"type": "default"}
        if "chat_id" in params:
            self._chat(params["chat_id"]).menu_button = button
        else:
            self.default_menu_button = button
        return True

    def _api_getChatMenuButton(self, params: dict, files: dict) -> Any:
        if "chat_id" in params:
            return self._chat(params["chat_id"]).menu_button or self.default_menu_button
        return self.default_menu_button
