"""The CallbackContext our handlers receive: wiring plus who is speaking.

``bot_data`` holds only wiring (the database, the settings). The visitor is
looked up once per update by ``handlers.visit`` (handler group -1) and kept on
the context, which python-telegram-bot shares between groups for one update.
"""

from __future__ import annotations

from datetime import datetime
from gettext import NullTranslations
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.i18n import translation_for
from storage.db import Database
from storage.models import ChatType, Role
from storage.people import Visitor

DB_KEY = "db"
SETTINGS_KEY = "settings"
CLOCK_KEY = "clock"
SENDER_KEY = "sender"


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.visitor: Visitor | None = None

    @property
    def db(self) -> Database:
        return self.bot_data[DB_KEY]

    @property
    def settings(self) -> Settings:
        return self.bot_data[SETTINGS_KEY]

    def now(self) -> datetime:
        """The time as scheduled work should see it (tests move it)."""
        return self.bot_data[CLOCK_KEY]()

    @property
    def role(self) -> Role:
        return self.visitor.role if self.visitor else Role.MEMBER

    @property
    def tr(self) -> NullTranslations:
        """Translations for the chat's language (the member's, in a private chat)."""
        return self.tr_for(self.visitor.language if self.visitor else None)

    def tr_for(self, language: str | None) -> NullTranslations:
        """Translations for ``language``, or the configured default without a catalogue."""
        return translation_for(language, self.settings.default_language)

    @property
    def in_private(self) -> bool:
        return self.visitor is None or self.visitor.chat_type == ChatType.PRIVATE
