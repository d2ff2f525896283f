"""What the emulated server knows — users, chats with their members and topics, messages,
files, callback and inline queries, queued updates — and the user-side actions a test (or
the Driver) performs on it. The Bot API methods live in ``bot.emulator.methods``."""

from __future__ import annotations

import asyncio
import itertools
import mimetypes
from typing import Any

from bot.emulator.clock import Clock
from bot.emulator.errors import ApiError, bad
from bot.emulator.limits import FloodControl, RateLimits
from bot.emulator.records import (
    CallbackQueryState,
    CallRecord,
    ChatState,
    InlineQueryState,
    StoredFile,
    StoredMessage,
    public_bot,
    shallow,
)
from bot.emulator.validation import format_text


class ServerState:
    """The server's state and the helpers every method group shares."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        username: str = "ogp_tracker_bot",
        first_name: str = "OGP Tracker",
        clock: Clock | None = None,
        strict_fields: bool = True,
        rate_limits: RateLimits | None = None,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user: dict[str, Any] = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.clock = clock or Clock()
        self.strict_fields = strict_fields
        self.rate_limits = rate_limits or RateLimits()
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, ChatState] = {}
        self.files: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, CallbackQueryState] = {}
        self.inline_queries: dict[str, InlineQueryState] = {}
        self.inline_messages: dict[str, StoredMessage] = {}
        self.calls: list[CallRecord] = []
        self.events: list[tuple[str, StoredMessage]] = []
        self.webhook: dict[str, Any] | None = None
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        self.default_menu_button: dict[str, Any] = {"type": "commands"}
        self.generic_calls: list[str] = []
        self._updates: list[dict[str, Any]] = []
        self._update_waiters: list[asyncio.Event] = []
        self._update_id = itertools.count(1)
        self._file_seq = itertools.count(1)
        self._query_seq = itertools.count(1)
        self._stalls: dict[int, tuple[asyncio.Event, list[bool]]] = {}
        self.flood = FloodControl()

    # ------------------------------------------------------------------ state helpers

    @property
    def username(self) -> str:
        return self.bot_user["username"]

    @property
    def rejected(self) -> list[CallRecord]:
        """Calls the server answered with an error (status >= 400)."""
        return [c for c in self.calls if c.status >= 400]

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = None,
        is_premium: bool | None = None,
    ) -> dict[str, Any]:
        """Register a user and their private chat with the bot."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        if is_premium:
            user["is_premium"] = True
        self.users[user_id] = user
        self.chats.setdefault(
            user_id,
            ChatState(
                id=user_id,
                type="private",
                username=username,
                first_name=first_name,
                last_name=last_name,
            ),
        )
        return user

    def add_chat(
        self,
        chat_id: int,
        chat_type: str,
        title: str,
        *,
        members: set[int] | None = None,
        admins: set[int] | None = None,
        owner: int | None = None,
        bot_admin: bool = False,
        username: str | None = None,
        is_forum: bool = False,
    ) -> ChatState:
        """Register a group/supergroup/channel with its membership."""
        if is_forum and chat_type != "supergroup":
            raise bad("only a supergroup can have topics")
        chat = ChatState(
            id=chat_id,
            type=chat_type,
            title=title,
            username=username,
            owner=owner,
            admins=set(admins or ()),
            members=set(members or ()),
            bot_admin=bot_admin,
            is_forum=is_forum,
        )
        self.chats[chat_id] = chat
        return chat

    def create_topic(self, chat_id: int, user_id: int, name: str) -> int:
        """A topic in a forum, as Telegram makes it: a ``forum_topic_created`` service
        message whose id is the topic's ``message_thread_id``."""
        chat = self._chat(chat_id)
        if not chat.is_forum:
            raise bad("the chat is not a forum")
        created = {"forum_topic_created": {"name": name, "icon_color": 7322096}}
        msg = self._store(chat, self.users[user_id], created)
        msg.data["message_thread_id"] = msg.message_id
        msg.data["is_topic_message"] = True
        chat.topics[msg.message_id] = name
        return msg.message_id

    def block(self, chat_id: int) -> None:
        """The user of this private chat blocks the bot: sends answer 403."""
        self._chat(chat_id).blocked = True

    def unblock(self, chat_id: int) -> None:
        self._chat(chat_id).blocked = False

    def kick_bot(self, chat_id: int) -> None:
        """Remove the bot from a group: sends answer 403 "bot was kicked"."""
        self._chat(chat_id).bot_member = False

    def stall(self, chat_id: int) -> None:
        """Make calls for ``chat_id`` hang, as over a dead network, until :meth:`release`."""
        self._stalls[chat_id] = (asyncio.Event(), [False])

    def release(self, chat_id: int, *, drop: bool = False) -> None:
        """Let the hanging calls through; ``drop``: they fail unseen (the caller died)."""
        event, dropped = self._stalls.pop(chat_id)
        dropped[0] = drop
        event.set()

    def add_bot(self, chat_id: int) -> None:
        """Add the bot (back) to a group."""
        self._chat(chat_id).bot_member = True

    def migrate_to_supergroup(self, chat_id: int, new_id: int | None = None) -> ChatState:
        """Upgrade a basic group to a supergroup as Telegram does: a new chat (id -100…)
        with the same people; every call naming the old id answers 400 with
        ``migrate_to_chat_id`` from now on. The service messages are separate
        (:meth:`service_message`), as they reach the bot as updates."""
        old = self._chat(chat_id)
        if old.type != "group":
            raise bad("only a basic group can be upgraded to a supergroup")
        new_id = new_id if new_id is not None else -(1_000_000_000_000 + abs(chat_id))
        self.chats[new_id] = ChatState(
            id=new_id,
            type="supergroup",
            title=old.title,
            owner=old.owner,
            admins=set(old.admins),
            members=set(old.members),
            bot_admin=old.bot_admin,
            bot_member=old.bot_member,
        )
        old.migrated_to = new_id
        return self.chats[new_id]

    def service_message(self, chat_id: int, user_id: int, content: dict[str, Any]) -> StoredMessage:
        """A service message in a chat (also one no longer usable, like an upgraded group)."""
        return self._store(self.chats[chat_id], self.users[user_id], dict(content))

    def force_429(self, n: int = 1, retry_after: int = 3) -> None:
        """Make the next ``n`` send calls answer 429 with ``retry_after``."""
        self.flood.force_429(n, retry_after)

    def sent(self, chat_id: int, *, include_deleted: bool = True) -> list[StoredMessage]:
        """Messages the bot sent in a chat, oldest first."""
        chat = self.chats.get(chat_id)
        if chat is None:
            return []
        return [
            m
            for m in chat.messages.values()
            if m.sender_id == self.bot_id and (include_deleted or not m.deleted)
        ]

    def message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        chat = self.chats.get(chat_id)
        return chat.messages.get(message_id) if chat else None

    def skip_update_ids(self, last: int) -> None:
        """Continue numbering updates after ``last`` (a bot restarted on its old data)."""
        current = next(self._update_id)
        self._update_id = itertools.count(max(current, last + 1))

    def next_update_id(self) -> int:
        return next(self._update_id)

    def new_query_id(self) -> str:
        return f"{next(self._query_seq)}{self.bot_id:x}"

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates (assigns update_id when missing)."""
        update.setdefault("update_id", self.next_update_id())
        self._updates.append(update)
        for waiter in self._update_waiters:
            waiter.set()
        return update

    # ------------------------------------------------------------- user-side actions

    def add_user_message(
        self,
        chat_id: int,
        user_id: int,
        content: dict[str, Any],
        *,
        reply_to: StoredMessage | None = None,
        thread_id: int | None = None,
    ) -> StoredMessage:
        """Store a message a user sent (content: text/entities/photo/document/...).

        In a forum topic (``thread_id``) it carries ``message_thread_id`` and
        ``is_topic_message`` and, when it replies to nothing, replies to the topic's
        creation message, as Telegram's do. A reply to a message in a topic is in
        that topic."""
        chat = self._chat(chat_id)
        if chat.type != "private":
            chat.members.add(user_id)
        data = dict(content)
        if thread_id is None and reply_to is not None:
            thread_id = reply_to.data.get("message_thread_id")
        if thread_id is not None:
            self._topic(chat, thread_id)
            data["message_thread_id"] = thread_id
            data["is_topic_message"] = True
            reply_to = reply_to or chat.messages[thread_id]
        if reply_to is not None:
            data["reply_to_message"] = shallow(reply_to.data)
        return self._store(chat, self.users[user_id], data)

    def store_upload(
        self, kind: str, content: bytes, filename: str | None, mime_type: str | None
    ) -> StoredFile:
        """Create a server-side file (for uploads by users or by the bot)."""
        n = next(self._file_seq)
        ext = (filename or "").rsplit(".", 1)[-1] if filename and "." in filename else "bin"
        if kind == "photo":
            ext = "jpg"
        stored = StoredFile(
            file_id=f"{'AgAC' if kind == 'photo' else 'BQAC'}EMU{n:06d}",
            file_unique_id=f"AQAD{n:06d}",
            kind=kind,
            content=content,
            filename=filename,
            mime_type=mime_type
            or (mimetypes.guess_type(filename)[0] if filename else None)
            or ("image/jpeg" if kind == "photo" else "application/octet-stream"),
            file_path=f"{kind}s/file_{n}.{ext}",
        )
        self.files[stored.file_id] = stored
        return stored

    def file_content(self, kind: str, stored: StoredFile) -> dict[str, Any] | list[dict]:
        """Message JSON for a file: a PhotoSize array or a Document."""
        if kind == "photo":
            return [
                {
                    "file_id": stored.file_id + "s",
                    "file_unique_id": stored.file_unique_id + "s",
                    "width": 90,
                    "height": 90,
                    "file_size": min(stored.size, 1024),
                },
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": 1280,
                    "height": 960,
                    "file_size": stored.size,
                },
            ]
        doc: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
        }
        if stored.filename:
            doc["file_name"] = stored.filename
        if stored.mime_type:
            doc["mime_type"] = stored.mime_type
        return doc

    def new_callback_query(
        self, user_id: int, message: StoredMessage | None, data: str | None
    ) -> CallbackQueryState:
        query = CallbackQueryState(self.new_query_id(), user_id, data, message)
        self.callback_queries[query.id] = query
        return query

    def new_inline_query(self, user_id: int, query: str) -> InlineQueryState:
        state = InlineQueryState(self.new_query_id(), user_id, query)
        self.inline_queries[state.id] = state
        return state

    def post_inline_result(
        self, user_id: int, chat_id: int, result: dict[str, Any]
    ) -> StoredMessage:
        """A user picks an inline result: its content is posted "via_bot" into the chat."""
        content = result.get("input_message_content") or {}
        data: dict[str, Any] = {"via_bot": public_bot(self.bot_user)}
        raw = content.get("message_text")
        if raw is not None:
            text, entities = format_text(raw, content.get("parse_mode"), content.get("entities"))
            data["text"] = text
            if entities:
                data["entities"] = entities
        markup = result.get("reply_markup")
        if markup:
            data["reply_markup"] = markup
        msg = self.add_user_message(chat_id, user_id, data)
        msg.set_source(raw, content.get("parse_mode"), markup)
        if markup:
            msg.inline_message_id = f"INL{self.new_query_id()}"
            self.inline_messages[msg.inline_message_id] = msg
        return msg

    def _chat(self, chat_id: Any) -> ChatState:
        if isinstance(chat_id, str):
            if chat_id.startswith("@"):
                for chat in self.chats.values():
                    if chat.username and chat.username.lower() == chat_id[1:].lower():
                        return chat
                raise bad("chat not found")
            try:
                chat_id = int(chat_id)
            except ValueError:
                raise bad("chat not found") from None
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad("chat not found")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=chat.migrated_to,
            )
        return chat

    def _sendable(self, chat: ChatState) -> None:
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if not chat.bot_member:
            kind = "group chat" if chat.type == "group" else chat.type
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind}")

    def _store(
        self, chat: ChatState, sender: dict[str, Any], content: dict[str, Any]
    ) -> StoredMessage:
        chat.last_id += 1
        data: dict[str, Any] = {
            "message_id": chat.last_id,
            "from": public_bot(sender) if sender.get("is_bot") else dict(sender),
            "chat": chat.public(),
            "date": self.clock.unix(),
        }
        data.update(content)
        msg = StoredMessage(chat.id, chat.last_id, sender["id"], data)
        chat.messages[msg.message_id] = msg
        self.events.append(("sent", msg))
        return msg

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """An administrator deletes a topic with its messages: sends to it now answer 400."""
        chat = self._chat(chat_id)
        del chat.topics[thread_id]
        for msg in chat.messages.values():
            if msg.data.get("message_thread_id") == thread_id:
                msg.deleted = True

    def _topic(self, chat: ChatState, thread_id: Any) -> int:
        if not chat.is_forum or thread_id not in chat.topics:
            raise bad("message thread not found")
        return thread_id
