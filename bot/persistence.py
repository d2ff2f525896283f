"""A python-telegram-bot persistence that keeps conversation states in our database.

Only conversations are read here, and none is written: storage is the single
writer of a conversation's state, in the transaction of the step that moves it
(storage.conversations). Were the library to write too, a state it reports after
the step could overwrite what the step's transaction wrote, or bring back a row
that storage closed meanwhile (a draft expired, a rejection settled by another
review); so ``update_conversation`` does nothing and each step hands the library
the stored state instead (bot.handlers.common.Conversation).

Of the rest: user_data, chat_data and bot_data are
not used by the bot (everything it knows lives in proper tables), so they are
switched off rather than pickled.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from storage.conversations import load_states
from storage.db import Database


class DatabasePersistence(BasePersistence[dict, dict, dict]):
    def __init__(self, db: Database, *, update_interval: float = 5) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=False, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.db = db

    async def get_conversations(self, name: str) -> ConversationDict:
        states = await asyncio.to_thread(load_states, self.db, name)
        return dict(states.items())

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """Nothing: the step's own transaction wrote it (see the module docstring)."""
        return None

    # Nothing else is persisted: see the module docstring.
    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        return None

    async def flush(self) -> None:
        return None
