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
import itertools
import json
import math
import mimetypes
import re
from collections import deque
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from bot.emulator.clock import Clock
from bot.emulator.html import parse_html, parse_markdown_v2, utf16_len

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
]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_INLINE_RESULTS = 50
MAX_CALLBACK_ANSWER = 200

_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "login_url",
    "web_app",
    "copy_text",
    "callback_game",
    "pay",
)
_BUTTON_URL_RE = re.compile(r"^(https?://[^\s/$.?#][^\s]*|tg://\S+)$", re.I)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SEND_NO_LIMIT = frozenset({"sendChatAction"})


def _load_spec() -> dict[str, Any]:
    text = resources.files("bot.emulator").joinpath("spec.json").read_text("utf-8")
    return json.loads(text)


_SPEC: dict[str, Any] | None = None


def spec() -> dict[str, Any]:
    """The trimmed Bot API spec (methods/types -> fields with types and required flag)."""
    global _SPEC
    if _SPEC is None:
        _SPEC = _load_spec()
    return _SPEC


class ApiError(Exception):
    """A Bot API error answer: HTTP status + description (+ retry_after for 429)."""

    def __init__(
        self,
        status: int,
        description: str,
        retry_after: int | None = None,
        *,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    @property
    def parameters(self) -> dict[str, int] | None:
        """The ResponseParameters Telegram adds to some errors."""
        found = {"retry_after": self.retry_after, "migrate_to_chat_id": self.migrate_to_chat_id}
        return {k: v for k, v in found.items() if v is not None} or None


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class RateLimits:
    """Flood limits, measured against the emulator clock; disabled by default."""

    global_per_second: int = 30
    per_chat_per_second: int = 1
    per_group_per_minute: int = 20
    enabled: bool = False


@dataclass
class UploadedFile:
    """A file as it arrives in a multipart upload."""

    filename: str
    content: bytes
    mime_type: str | None = None


@dataclass
class StoredFile:
    """A file the server knows, addressable by file_id."""

    file_id: str
    file_unique_id: str
    kind: str  # "photo" | "document"
    content: bytes
    filename: str | None
    mime_type: str | None
    file_path: str

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass
class StoredMessage:
    """One message in one chat, sent by the bot or by a user, with its edit history."""

    chat_id: int
    message_id: int
    sender_id: int
    data: dict[str, Any]
    raw_text: str | None = None  # as sent (HTML/Markdown source) for text or caption
    parse_mode: str | None = None
    markup: dict[str, Any] | None = None  # any kind of reply_markup as given
    file: StoredFile | None = None
    edits: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False
    pinned: bool = False
    inline_message_id: str | None = None

    @property
    def text(self) -> str | None:
        return self.data.get("text")

    @property
    def caption(self) -> str | None:
        return self.data.get("caption")


@dataclass
class CallRecord:
    """One request made to the server, for assertions in tests."""

    method: str
    params: dict[str, Any]
    status: int
    result: Any = None
    description: str | None = None
    parameters: dict[str, Any] | None = None  # of an error (retry_after, migrate_to_chat_id)

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class CallbackQueryState:
    """A callback query a user produced and how the bot answered it."""

    id: str
    user_id: int
    data: str | None
    message: StoredMessage | None
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None


@dataclass
class InlineQueryState:
    """An inline query and the bot's answer."""

    id: str
    user_id: int
    query: str
    answered: bool = False
    results: list[dict[str, Any]] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class ChatState:
    """A chat the server knows, with membership for groups."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    owner: int | None = None
    admins: set[int] = field(default_factory=set)
    members: set[int] = field(default_factory=set)
    blocked: bool = False
    bot_admin: bool = False
    bot_member: bool = True
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    last_id: int = 0
    menu_button: dict[str, Any] | None = None
    migrated_to: int | None = None  # a basic group upgraded to this supergroup
    # A supergroup with topics: thread id (its creation message's id) -> name.
    is_forum: bool = False
    topics: dict[int, str] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.is_forum:
            out["is_forum"] = True
        return out


class BotAPIServer:
    """The emulated Bot API: state + method implementations (see module docstring)."""

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
        self._forced_429: deque[int] = deque()
        self._stalls: dict[int, tuple[asyncio.Event, list[bool]]] = {}
        self._sent_global: deque[float] = deque()
        self._sent_chat: dict[int, deque[float]] = {}
        self._sent_group_minute: dict[int, deque[float]] = {}

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
        self._forced_429.extend([retry_after] * n)

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
            data["reply_to_message"] = _shallow(reply_to.data)
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
        data: dict[str, Any] = {"via_bot": _public_bot(self.bot_user)}
        raw = content.get("message_text")
        if raw is not None:
            text, entities = self._format(raw, content.get("parse_mode"), content.get("entities"))
            data["text"] = text
            if entities:
                data["entities"] = entities
        markup = result.get("reply_markup")
        if markup:
            data["reply_markup"] = markup
        msg = self.add_user_message(chat_id, user_id, data)
        msg.raw_text = raw
        msg.parse_mode = content.get("parse_mode")
        msg.markup = markup
        if markup:
            msg.inline_message_id = f"INL{self.new_query_id()}"
            self.inline_messages[msg.inline_message_id] = msg
        return msg

    # ------------------------------------------------------------------ dispatching

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
            self._validate(canonical, params)
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

    # ------------------------------------------------------------------ validation

    def _validate(self, method: str, params: dict[str, Any]) -> None:
        fields = spec()["methods"][method]["fields"]
        for name in list(params):
            if name not in fields:
                if self.strict_fields:
                    raise bad(f"unknown parameter {name}")
                params.pop(name)
        for name, info in fields.items():
            if name not in params:
                if info["required"]:
                    if name == "text":
                        raise bad("message text is empty")
                    raise bad(f"{name} is required")
                continue
            params[name] = _maybe_json(params[name], info["types"])
            err = self._check(params[name], info["types"], name)
            if err:
                raise bad(err)

    def _check(self, value: Any, types: list[str], path: str) -> str | None:
        first: str | None = None
        for t in types:
            err = self._check_one(value, t, path)
            if err is None:
                return None
            first = first or err
        return first

    def _check_one(self, value: Any, t: str, path: str) -> str | None:
        if t.startswith("Array of "):
            if not isinstance(value, list | tuple):
                return f'field "{path}" must be an Array'
            for i, item in enumerate(value):
                err = self._check_one(item, t[len("Array of ") :], f"{path}[{i}]")
                if err:
                    return err
            return None
        primitive = {
            "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "Float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
            "String": lambda v: isinstance(v, str),
            "Boolean": lambda v: isinstance(v, bool),
            "True": lambda v: v is True,
            "InputFile": lambda v: (
                isinstance(v, UploadedFile) or (isinstance(v, str) and v.startswith("attach://"))
            ),
        }
        if t in primitive:
            return None if primitive[t](value) else f'field "{path}" must be of type {t}'
        type_spec = spec()["types"].get(t)
        if type_spec is None:
            return None
        if not isinstance(value, dict):
            return f'field "{path}" must be of type {t}'
        subtypes = type_spec.get("subtypes")
        if subtypes:
            candidates = _subtype_candidates(t, subtypes, value.get("type"))
            first: str | None = None
            for sub in candidates:
                err = self._check_one(value, sub, path)
                if err is None:
                    return None
                first = first or err
            return first or f'field "{path}" must be of type {t}'
        fields = type_spec["fields"]
        for name, info in fields.items():
            if info["required"] and name not in value:
                return f'field "{path}.{name}" of {t} is required'
        for name, item in value.items():
            if name not in fields:
                if self.strict_fields and fields:
                    return f'unknown field "{path}.{name}" in {t}'
                continue
            err = self._check(item, fields[name]["types"], f"{path}.{name}")
            if err:
                return err
        return None

    def _format(
        self,
        raw: str,
        parse_mode: str | None,
        entities: list[dict[str, Any]] | None,
        *,
        caption: bool = False,
    ) -> tuple[str, list[dict[str, Any]]]:
        """Apply parse_mode and Telegram's length limits; return (plain text, entities)."""
        mode = (parse_mode or "").lower()
        if mode == "html":
            try:
                plain, ents = parse_html(raw)
            except ValueError as exc:
                raise ApiError(400, str(exc)) from None
        elif mode == "markdownv2":
            try:
                plain, ents = parse_markdown_v2(raw), []
            except ValueError as exc:
                raise ApiError(400, str(exc)) from None
        elif mode == "markdown":
            plain, ents = re.sub(r"[*_`\[\]]", "", raw), []
        elif mode:
            raise bad(f"unsupported parse_mode {parse_mode}")
        else:
            plain, ents = raw, list(entities or [])
        size = utf16_len(plain)
        if caption:
            if size > MAX_CAPTION:
                raise bad("message caption is too long")
        else:
            if not plain.strip():
                raise bad("message text is empty")
            if size > MAX_TEXT:
                raise bad("message is too long")
        return plain, ents

    def _check_markup(self, markup: dict[str, Any] | None) -> None:
        if not markup:
            return
        rows = markup.get("inline_keyboard")
        if rows is None:
            return  # reply keyboard / remove / force reply: shape already checked by spec
        for row in rows:
            for button in row:
                actions = [a for a in _BUTTON_ACTIONS if a in button]
                if len(actions) != 1:
                    raise bad("can't parse inline keyboard button: exactly one action required")
                if not button.get("text"):
                    raise bad("can't parse inline keyboard button: Text buttons are unallowed")
                if "callback_data" in button:
                    size = len(button["callback_data"].encode("utf-8"))
                    if not 1 <= size <= MAX_CALLBACK_DATA:
                        raise bad("BUTTON_DATA_INVALID")
                if "url" in button and not _BUTTON_URL_RE.match(button["url"]):
                    raise bad(f"inline keyboard button URL '{button['url']}' is invalid")

    # ------------------------------------------------------------------ chats & limits

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

    def _flood(self, method: str, chat: ChatState) -> None:
        if method in _SEND_NO_LIMIT:
            return
        if self._forced_429:
            wait = self._forced_429.popleft()
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        limits = self.rate_limits
        if not limits.enabled:
            return
        now = self.clock.timestamp()
        windows = [
            (self._sent_global, 1.0, limits.global_per_second),
            (self._sent_chat.setdefault(chat.id, deque()), 1.0, limits.per_chat_per_second),
        ]
        if chat.type in ("group", "supergroup"):
            group = self._sent_group_minute.setdefault(chat.id, deque())
            windows.append((group, 60.0, limits.per_group_per_minute))
        wait = 0
        for times, span, limit in windows:
            while times and times[0] <= now - span:
                times.popleft()
            if len(times) >= limit:
                wait = max(wait, max(1, math.ceil(span - (now - times[0]))))
        if wait:
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        for times, _span, _limit in windows:
            times.append(now)

    def _store(
        self, chat: ChatState, sender: dict[str, Any], content: dict[str, Any]
    ) -> StoredMessage:
        chat.last_id += 1
        data: dict[str, Any] = {
            "message_id": chat.last_id,
            "from": _public_bot(sender) if sender.get("is_bot") else dict(sender),
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

    def _reply_target(self, chat: ChatState, params: dict[str, Any]) -> dict[str, Any] | None:
        reply = params.get("reply_parameters")
        if not reply:
            return None
        target_chat = self._chat(reply["chat_id"]) if "chat_id" in reply else chat
        target = target_chat.messages.get(reply["message_id"])
        if target is None or target.deleted:
            if reply.get("allow_sending_without_reply"):
                return None
            raise bad("message to be replied not found")
        return _shallow(target.data)

    def _send(
        self,
        method: str,
        params: dict[str, Any],
        content: dict[str, Any],
        *,
        raw: str | None,
        markup: dict[str, Any] | None,
        file: StoredFile | None = None,
    ) -> dict[str, Any]:
        chat = self._chat(params["chat_id"])
        self._sendable(chat)
        thread_id = params.get("message_thread_id")
        if thread_id is not None:
            content["message_thread_id"] = self._topic(chat, thread_id)
            content["is_topic_message"] = True
        reply = self._reply_target(chat, params)
        self._flood(method, chat)
        if reply is not None:
            content["reply_to_message"] = reply
        if markup and "inline_keyboard" in markup:
            content["reply_markup"] = markup
        msg = self._store(chat, self.bot_user, content)
        msg.raw_text = raw
        msg.parse_mode = params.get("parse_mode")
        msg.markup = markup
        msg.file = file
        return msg.data

    def _find_editable(self, params: dict[str, Any], verb: str = "edit") -> StoredMessage:
        if "inline_message_id" in params:
            msg = self.inline_messages.get(params["inline_message_id"])
            if msg is None:
                raise bad("MESSAGE_ID_INVALID")
            return msg
        if "chat_id" not in params or "message_id" not in params:
            raise bad("message identifier is not specified")
        chat = self._chat(params["chat_id"])
        msg = chat.messages.get(params["message_id"])
        if msg is None or msg.deleted:
            raise bad(f"message to {verb} not found")
        if msg.sender_id != self.bot_id:
            raise bad("message can't be edited")
        return msg

    def _apply_edit(self, msg: StoredMessage, changes: dict[str, Any]) -> Any:
        if all(msg.data.get(k) == v for k, v in changes.items() if v is not None) and all(
            k not in msg.data for k, v in changes.items() if v is None
        ):
            raise bad(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        msg.history.append(dict(msg.data))
        for key, value in changes.items():
            if value is None:
                msg.data.pop(key, None)
            else:
                msg.data[key] = value
        msg.data["edit_date"] = self.clock.unix()
        msg.edits += 1
        self.events.append(("edited", msg))
        return True if msg.inline_message_id and msg.sender_id != self.bot_id else msg.data

    def _input_file(self, value: Any, files: dict[str, UploadedFile], kind: str) -> StoredFile:
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value[len("attach://") :])
            if upload is None:
                raise bad(f"file {value} not found in the request")
            value = upload
        if isinstance(value, UploadedFile):
            if not value.content:
                raise bad("file must be non-empty")
            limit = 10 * 1024 * 1024 if kind == "photo" else 50 * 1024 * 1024
            if len(value.content) > limit:
                raise ApiError(413, "Request Entity Too Large")
            return self.store_upload(kind, value.content, value.filename, value.mime_type)
        if isinstance(value, str):
            if value.startswith(("http://", "https://")):
                name = value.rstrip("/").rsplit("/", 1)[-1] or "file"
                return self.store_upload(kind, f"<content of {value}>".encode(), name, None)
            stored = self.files.get(value)
            if stored is None:
                raise bad("wrong file identifier/HTTP URL specified")
            if stored.kind != kind:
                raise bad(f"can't use file of type {stored.kind.title()} as {kind.title()}")
            return stored
        raise bad("wrong file identifier/HTTP URL specified")

    # ------------------------------------------------------------------ methods: bot

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

    # ------------------------------------------------------------------ methods: messages

    def _api_sendMessage(self, params: dict, files: dict) -> Any:
        markup = params.get("reply_markup")
        self._check_markup(markup)
        text, entities = self._format(
            params["text"], params.get("parse_mode"), params.get("entities")
        )
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        return self._send("sendMessage", params, content, raw=params["text"], markup=markup)

    def _send_file(self, method: str, kind: str, params: dict, files: dict) -> Any:
        markup = params.get("reply_markup")
        self._check_markup(markup)
        content: dict[str, Any] = {}
        raw = params.get("caption")
        if raw is not None:
            caption, entities = self._format(
                raw, params.get("parse_mode"), params.get("caption_entities"), caption=True
            )
            if caption:
                content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        chat = self._chat(params["chat_id"])
        self._sendable(chat)
        stored = self._input_file(params[kind], files, kind)
        content[kind] = self.file_content(kind, stored)
        return self._send(method, params, content, raw=raw, markup=markup, file=stored)

    def _api_sendPhoto(self, params: dict, files: dict) -> Any:
        return self._send_file("sendPhoto", "photo", params, files)

    def _api_sendDocument(self, params: dict, files: dict) -> Any:
        return self._send_file("sendDocument", "document", params, files)

    def _api_sendChatAction(self, params: dict, files: dict) -> Any:
        chat = self._chat(params["chat_id"])
        self._sendable(chat)
        return True

    def _api_editMessageText(self, params: dict, files: dict) -> Any:
        msg = self._find_editable(params)
        markup = params.get("reply_markup")
        self._check_markup(markup)
        if "text" not in msg.data:
            raise bad("there is no text in the message to edit")
        text, entities = self._format(
            params["text"], params.get("parse_mode"), params.get("entities")
        )
        result = self._apply_edit(
            msg, {"text": text, "entities": entities or None, "reply_markup": markup}
        )
        msg.raw_text = params["text"]
        msg.parse_mode = params.get("parse_mode")
        msg.markup = markup
        return result

    def _api_editMessageCaption(self, params: dict, files: dict) -> Any:
        msg = self._find_editable(params)
        markup = params.get("reply_markup")
        self._check_markup(markup)
        if not any(k in msg.data for k in ("photo", "document", "video", "audio", "animation")):
            raise bad("there is no caption in the message to edit")
        raw = params.get("caption", "")
        caption, entities = self._format(
            raw, params.get("parse_mode"), params.get("caption_entities"), caption=True
        )
        result = self._apply_edit(
            msg,
            {
                "caption": caption or None,
                "caption_entities": entities or None,
                "reply_markup": markup,
            },
        )
        msg.raw_text = raw
        msg.parse_mode = params.get("parse_mode")
        msg.markup = markup
        return result

    def _api_editMessageReplyMarkup(self, params: dict, files: dict) -> Any:
        msg = self._find_editable(params)
        markup = params.get("reply_markup")
        self._check_markup(markup)
        if markup is not None and "inline_keyboard" not in markup:
            raise bad("inline keyboard expected")
        result = self._apply_edit(msg, {"reply_markup": markup or None})
        msg.markup = markup
        return result

    def _delete(self, chat: ChatState, message_id: int) -> bool:
        msg = chat.messages.get(message_id)
        if msg is None or msg.deleted:
            return False
        if chat.type != "private" and msg.sender_id != self.bot_id and not chat.bot_admin:
            raise bad("message can't be deleted")
        if self.clock.unix() - msg.data["date"] > 48 * 3600 and chat.type != "private":
            raise bad("message can't be deleted for everyone")
        msg.deleted = True
        self.events.append(("deleted", msg))
        return True

    def _api_deleteMessage(self, params: dict, files: dict) -> Any:
        chat = self._chat(params["chat_id"])
        if not self._delete(chat, params["message_id"]):
            raise bad("message to delete not found")
        return True

    def _api_deleteMessages(self, params: dict, files: dict) -> Any:
        chat = self._chat(params["chat_id"])
        ids = params["message_ids"]
        if not 1 <= len(ids) <= 100:
            raise bad("message_ids must contain 1-100 identifiers")
        for message_id in ids:
            try:
                self._delete(chat, message_id)
            except ApiError:
                continue
        return True

    def _source(self, params: dict) -> StoredMessage:
        source_chat = self._chat(params["from_chat_id"])
        source = source_chat.messages.get(params["message_id"])
        if source is None or source.deleted:
            raise bad("message to copy not found")
        return source

    def _api_copyMessage(self, params: dict, files: dict) -> Any:
        source = self._source(params)
        markup = params.get("reply_markup")
        self._check_markup(markup)
        content = {
            k: v
            for k, v in source.data.items()
            if k in ("text", "entities", "photo", "document", "caption", "caption_entities")
        }
        if "caption" in params:
            caption, entities = self._format(
                params["caption"],
                params.get("parse_mode"),
                params.get("caption_entities"),
                caption=True,
            )
            content["caption"] = caption
            content.pop("caption_entities", None)
            if entities:
                content["caption_entities"] = entities
        data = self._send(
            "copyMessage", params, content, raw=source.raw_text, markup=markup, file=source.file
        )
        return {"message_id": data["message_id"]}

    def _api_forwardMessage(self, params: dict, files: dict) -> Any:
        source = self._source(params)
        content = {
            k: v
            for k, v in source.data.items()
            if k in ("text", "entities", "photo", "document", "caption", "caption_entities")
        }
        origin_sender = source.data.get("from", {})
        content["forward_origin"] = {
            "type": "user",
            "sender_user": origin_sender,
            "date": source.data["date"],
        }
        return self._send(
            "forwardMessage", params, content, raw=source.raw_text, markup=None, file=source.file
        )

    def _api_pinChatMessage(self, params: dict, files: dict) -> Any:
        chat = self._chat(params["chat_id"])
        msg = chat.messages.get(params["message_id"])
        if msg is None or msg.deleted:
            raise bad("message to pin not found")
        if chat.type != "private" and not chat.bot_admin:
            raise bad("not enough rights to manage pinned messages in the chat")
        msg.pinned = True
        return True

    def _api_unpinChatMessage(self, params: dict, files: dict) -> Any:
        chat = self._chat(params["chat_id"])
        for msg in chat.messages.values():
            if "message_id" not in params or msg.message_id == params["message_id"]:
                msg.pinned = False
        return True

    def _api_unpinAllChatMessages(self, params: dict, files: dict) -> Any:
        return self._api_unpinChatMessage({"chat_id": params["chat_id"]}, files)

    # ------------------------------------------------------------------ methods: queries

    def _api_answerCallbackQuery(self, params: dict, files: dict) -> Any:
        query = self.callback_queries.get(params["callback_query_id"])
        if query is None or query.answered:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        text = params.get("text")
        if text is not None and len(text) > MAX_CALLBACK_ANSWER:
            raise bad("MESSAGE_TOO_LONG")
        query.answered = True
        query.text = text
        query.show_alert = bool(params.get("show_alert"))
        query.url = params.get("url")
        return True

    def _api_answerInlineQuery(self, params: dict, files: dict) -> Any:
        query = self.inline_queries.get(params["inline_query_id"])
        if query is None or query.answered:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        results = params["results"]
        if len(results) > MAX_INLINE_RESULTS:
            raise bad("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            rid = result.get("id", "")
            if not 1 <= len(rid.encode("utf-8")) <= 64 or rid in seen:
                raise bad("RESULT_ID_INVALID" if rid not in seen else "RESULT_ID_DUPLICATE")
            seen.add(rid)
            self._check_markup(result.get("reply_markup"))
            content = result.get("input_message_content")
            if content and "message_text" in content:
                try:
                    self._format(
                        content["message_text"], content.get("parse_mode"), content.get("entities")
                    )
                except ApiError as exc:
                    if "text is empty" in exc.description:
                        raise bad("MESSAGE_EMPTY") from None
                    raise
            if result.get("type") == "article" and not result.get("title"):
                raise bad("RESULT_TITLE_EMPTY")
        query.answered = True
        query.results = [dict(r) for r in results]
        query.params = {k: v for k, v in params.items() if k != "results"}
        return True

    # ------------------------------------------------------------------ methods: chats

    def _api_getChat(self, params: dict, files: dict) -> Any:
        chat = self._chat(params["chat_id"])
        info = chat.public()
        info.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return info

    def _member(self, chat: ChatState, user_id: int) -> dict[str, Any]:
        if user_id == self.bot_id:
            user = _public_bot(self.bot_user)
            if chat.type != "private" and chat.bot_admin:
                return _admin(user)
            status = "member" if chat.bot_member else "left"
            return {"status": status, "user": user}
        user = self.users.get(user_id)
        if user is None:
            raise bad("user not found")
        if chat.type == "private":
            status = "member" if user_id == chat.id else "left"
            return {"status": status, "user": dict(user)}
        if user_id == chat.owner:
            return {"status": "creator", "user": dict(user), "is_anonymous": False}
        if user_id in chat.admins:
            return _admin(dict(user))
        if user_id in chat.members:
            return {"status": "member", "user": dict(user)}
        return {"status": "left", "user": dict(user)}

    def _api_getChatMember(self, params: dict, files: dict) -> Any:
        chat = self._chat(params["chat_id"])
        return self._member(chat, params["user_id"])

    def _api_getChatAdministrators(self, params: dict, files: dict) -> Any:
        chat = self._chat(params["chat_id"])
        if chat.type == "private":
            raise bad("there are no administrators in the private chat")
        ids = ([chat.owner] if chat.owner else []) + sorted(chat.admins - {chat.owner})
        admins = [self._member(chat, uid) for uid in ids]
        if chat.bot_admin:
            admins.append(self._member(chat, self.bot_id))
        return admins

    def _api_getChatMemberCount(self, params: dict, files: dict) -> Any:
        chat = self._chat(params["chat_id"])
        if chat.type == "private":
            return 2
        people = set(chat.members) | set(chat.admins) | ({chat.owner} if chat.owner else set())
        return len(people) + (1 if chat.bot_member else 0)

    def _api_getFile(self, params: dict, files: dict) -> Any:
        file_id = params["file_id"]
        stored = self.files.get(file_id) or self.files.get(file_id.removesuffix("s"))
        if stored is None:
            raise bad("invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }


_METHOD_NAMES: dict[str, str] = {}


def _init_method_names() -> None:
    for name in spec()["methods"]:
        _METHOD_NAMES[name.lower()] = name


def _maybe_json(value: Any, types: list[str]) -> Any:
    """Decode JSON-serialised objects/arrays (as form-encoded clients send them)."""
    if isinstance(value, str) and value[:1] in ("[", "{") and "String" not in types:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _subtype_candidates(base: str, subtypes: list[str], type_value: Any) -> list[str]:
    """Order a union's subtypes so those whose name matches the ``type`` tag come first."""
    if not isinstance(type_value, str):
        return subtypes
    wanted = type_value.replace("_", "").lower()
    matching = [
        s
        for s in subtypes
        if s[len(base) :].replace("Cached", "").lower() == wanted
        or s[len(base) :].lower() == wanted
    ]
    return matching or subtypes


def _public_bot(user: dict[str, Any]) -> dict[str, Any]:
    return {k: user[k] for k in ("id", "is_bot", "first_name", "username") if k in user}


def _admin(user: dict[str, Any]) -> dict[str, Any]:
    rights = dict.fromkeys(
        (
            "can_manage_chat",
            "can_delete_messages",
            "can_manage_video_chats",
            "can_restrict_members",
            "can_change_info",
            "can_invite_users",
            "can_post_stories",
            "can_edit_stories",
            "can_delete_stories",
            "can_pin_messages",
        ),
        True,
    )
    rights.update(can_promote_members=False, can_be_edited=False, is_anonymous=False)
    return {"status": "administrator", "user": user, **rights}


def _shallow(data: dict[str, Any]) -> dict[str, Any]:
    """A message as embedded in another (Telegram does not nest replies further)."""
    return {k: v for k, v in data.items() if k != "reply_to_message"}


def _loggable(params: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (f"<file {v.filename} {len(v.content)}B>" if isinstance(v, UploadedFile) else v)
        for k, v in params.items()
    }


_init_method_names()
