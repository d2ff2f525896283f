"""Test driver: play users in chats against a real PTB ``Application`` and the emulator.

Every action (send, press, inline, ...) builds a real Update, runs
``app.process_update`` and returns what the bot sent or edited meanwhile.  Handler
exceptions and requests the server rejected (400/404) fail the action loudly, because a
bot that swallows a BadRequest still shows the user nothing in production.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes

from bot.emulator.clock import Clock
from bot.emulator.html import to_console, utf16_len
from bot.emulator.records import CallRecord, StoredFile, StoredMessage
from bot.emulator.records import admin_member as _admin
from bot.emulator.server import BotAPIServer
from bot.inbox import INBOX_KEY

__all__ = [
    "Button",
    "CallbackResult",
    "ChatHandle",
    "Driver",
    "EmulatorError",
    "FileInfo",
    "HandlerError",
    "Rejections",
    "Replies",
    "SentMessage",
    "UserHandle",
]

_COMMAND_RE = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION_RE = re.compile(r"(?<!\w)@[A-Za-z0-9_]{5,32}")
_URL_RE = re.compile(r"https?://[^\s<>\"]+")


class EmulatorError(AssertionError):
    """The bot did something the real Telegram would reject, or a driver misuse."""


class HandlerError(EmulatorError):
    """A handler raised; ``original`` is the exception, chained as ``__cause__``."""

    def __init__(self, message: str, original: BaseException) -> None:
        super().__init__(message)
        self.original = original


@dataclass(frozen=True)
class Button:
    """One inline (or reply keyboard) button as the user sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    switch_inline_query: str | None = None
    switch_inline_query_current_chat: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class FileInfo:
    """A file attached to a message."""

    file_id: str
    filename: str | None
    content: bytes
    mime_type: str | None

    @property
    def bytes(self) -> bytes:  # convenience alias
        return self.content


class SentMessage:
    """Live view of a stored message (edits and deletion show up immediately)."""

    def __init__(self, stored: StoredMessage, server: BotAPIServer) -> None:
        self._stored = stored
        self._server = server

    def __repr__(self) -> str:
        body = self.text if self.text is not None else self.caption
        state = " deleted" if self.deleted else ""
        return f"<SentMessage {self.chat_id}/{self.message_id}{state} {body!r}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SentMessage) and other._stored is self._stored

    def __hash__(self) -> int:
        return hash((self.chat_id, self.message_id))

    @property
    def stored(self) -> StoredMessage:
        return self._stored

    @property
    def data(self) -> dict[str, Any]:
        """The Message JSON as the Bot API returned it (current state)."""
        return self._stored.data

    @property
    def message_id(self) -> int:
        return self._stored.message_id

    @property
    def chat_id(self) -> int:
        return self._stored.chat_id

    @property
    def from_bot(self) -> bool:
        return self._stored.sender_id == self._server.bot_id

    @property
    def text(self) -> str | None:
        """Plain text after entity parsing (None for media without text)."""
        return self._stored.data.get("text")

    @property
    def caption(self) -> str | None:
        return self._stored.data.get("caption")

    @property
    def html(self) -> str | None:
        """Text or caption exactly as sent (HTML/Markdown source)."""
        if self._stored.raw_text is not None:
            return self._stored.raw_text
        return self.text if self.text is not None else self.caption

    @property
    def parse_mode(self) -> str | None:
        return self._stored.parse_mode

    @property
    def console(self) -> str:
        """Readable rendering for console mode (*bold*, _italic_, links as "text (url)")."""
        return to_console(self.html or "", self._stored.parse_mode)

    @property
    def entities(self) -> list[dict[str, Any]]:
        return list(
            self._stored.data.get("entities") or self._stored.data.get("caption_entities") or []
        )

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        return self._stored.markup

    @property
    def buttons(self) -> list[list[Button]]:
        markup = self._stored.markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        out: list[list[Button]] = []
        for row in rows:
            out.append([_button(b) for b in row])
        return out

    @property
    def button_texts(self) -> list[str]:
        return [b.text for row in self.buttons for b in row]

    def button(self, text: str) -> Button:
        """The button with exactly this text (fallback: the unique one containing it)."""
        found = _find_button(self.buttons, text)
        if found is None:
            raise EmulatorError(f"no button {text!r} in {self!r}; buttons: {self.button_texts}")
        return found

    @property
    def edit_count(self) -> int:
        return self._stored.edits

    @property
    def history(self) -> list[dict[str, Any]]:
        """Previous versions of the message JSON, oldest first."""
        return list(self._stored.history)

    @property
    def deleted(self) -> bool:
        return self._stored.deleted

    @property
    def pinned(self) -> bool:
        return self._stored.pinned

    @property
    def date(self) -> int:
        return self._stored.data["date"]

    @property
    def thread_id(self) -> int | None:
        """The forum topic this message is in (None: not in a topic)."""
        return self.stored.data.get("message_thread_id")

    @property
    def reply_to_message_id(self) -> int | None:
        reply = self._stored.data.get("reply_to_message")
        return reply["message_id"] if reply else None

    @property
    def document(self) -> FileInfo | None:
        if "document" not in self._stored.data:
            return None
        return _file_info(self._stored.file, self._server, self._stored.data["document"])

    @property
    def photo(self) -> FileInfo | None:
        if "photo" not in self._stored.data:
            return None
        return _file_info(self._stored.file, self._server, self._stored.data["photo"][-1])


def _file_info(stored: StoredFile | None, server: BotAPIServer, meta: dict) -> FileInfo:
    stored = stored or server.files.get(meta["file_id"])
    if stored is None:
        return FileInfo(meta["file_id"], meta.get("file_name"), b"", meta.get("mime_type"))
    return FileInfo(stored.file_id, stored.filename, stored.content, stored.mime_type)


def _button(raw: dict[str, Any] | str) -> Button:
    if isinstance(raw, str):  # reply keyboard buttons may be plain strings
        return Button(text=raw, raw={"text": raw})
    return Button(
        text=raw.get("text", ""),
        callback_data=raw.get("callback_data"),
        url=raw.get("url"),
        switch_inline_query=raw.get("switch_inline_query"),
        switch_inline_query_current_chat=raw.get("switch_inline_query_current_chat"),
        raw=dict(raw),
    )


def _find_button(rows: list[list[Button]], text: str) -> Button | None:
    flat = [b for row in rows for b in row]
    exact = [b for b in flat if b.text == text]
    if exact:
        return exact[0]
    partial = [b for b in flat if text in b.text]
    return partial[0] if len(partial) == 1 else None


class Replies(list[SentMessage]):
    """Bot messages sent or edited during an action; ``.message`` is the user's own message."""

    message: SentMessage | None = None

    @property
    def texts(self) -> list[str | None]:
        return [m.text if m.text is not None else m.caption for m in self]

    @property
    def last(self) -> SentMessage | None:
        return self[-1] if self else None


@dataclass
class CallbackResult:
    """What pressing a button produced: the popup answer and the bot's messages."""

    query_id: str
    answered: bool
    answer_text: str | None
    show_alert: bool
    url: str | None
    replies: Replies


@dataclass
class Rejections:
    """Rejected calls seen inside ``Driver.expect_rejections()``."""

    calls: list[CallRecord] = field(default_factory=list)

    @property
    def descriptions(self) -> list[str]:
        return [c.description or "" for c in self.calls]


class ChatHandle:
    """A chat as seen by tests: id, type and the bot's messages in it."""

    def __init__(self, driver: Driver, chat_id: int) -> None:
        self._driver = driver
        self.id = chat_id

    def __repr__(self) -> str:
        return f"<ChatHandle {self.id} {self.type} {self.title or ''}>"

    @property
    def _state(self) -> Any:
        return self._driver.server.chats[self.id]

    @property
    def type(self) -> str:
        return self._state.type

    @property
    def title(self) -> str | None:
        return self._state.title

    @property
    def messages(self) -> list[SentMessage]:
        """All bot messages in this chat (deleted ones included, flagged)."""
        server = self._driver.server
        return [SentMessage(m, server) for m in server.sent(self.id)]

    @property
    def all_messages(self) -> list[SentMessage]:
        """Every message in the chat, users' and bot's."""
        server = self._driver.server
        return [SentMessage(m, server) for m in self._state.messages.values()]

    def topic(self, name: str, *, by: UserHandle | None = None) -> int:
        """Create a topic in this forum (by its owner, or ``by``); its thread id."""
        state = self._state
        creator = by.id if by else state.owner or next(iter(state.admins | state.members))
        return self._driver.server.create_topic(self.id, creator, name)

    def delete_topic(self, topic: int) -> None:
        self._driver.server.delete_topic(self.id, topic)

    def messages_in(self, topic: int | None) -> list[SentMessage]:
        """The bot's messages in one topic (None: outside any topic, the General one)."""
        return [m for m in self.messages if m.thread_id == topic]

    @property
    def last_message(self) -> SentMessage | None:
        """Latest non-deleted bot message in this chat."""
        alive = [m for m in self.messages if not m.deleted]
        return alive[-1] if alive else None

    def block(self) -> None:
        self._driver.server.block(self.id)

    def unblock(self) -> None:
        self._driver.server.unblock(self.id)

    def add_member(self, user: UserHandle, *, admin: bool = False) -> None:
        """Put ``user`` into this group (optionally as administrator)."""
        self._state.members.add(user.id)
        if admin:
            self._state.admins.add(user.id)

    def remove_member(self, user: UserHandle) -> None:
        self._state.members.discard(user.id)
        self._state.admins.discard(user.id)

    async def remove_bot(self, by: UserHandle) -> Replies:
        """``by`` removes the bot from this group: sends answer 403 from now on, and the
        ``my_chat_member`` update Telegram sends for it is delivered."""
        was = "administrator" if self._state.bot_admin else "member"
        self._driver.server.kick_bot(self.id)
        self._state.bot_admin = False
        # Removing from a basic group leaves; from a supergroup it bans.
        now = "left" if self.type == "group" else "kicked"
        return await self._driver.my_chat_member(self.id, by, was, now)

    async def add_bot(self, by: UserHandle) -> Replies:
        """``by`` adds the bot (back) to this group, with its ``my_chat_member`` update."""
        was = "left" if self.type == "group" else "kicked"
        self._driver.server.add_bot(self.id)
        return await self._driver.my_chat_member(self.id, by, was, "member")


class UserHandle:
    """A Telegram user driving the bot; ``chat`` is their private chat with it."""

    def __init__(self, driver: Driver, user: dict[str, Any]) -> None:
        self._driver = driver
        self.data = user
        self.id: int = user["id"]
        self.first_name: str = user["first_name"]
        self.username: str | None = user.get("username")
        self.language_code: str | None = user.get("language_code")
        self.chat = ChatHandle(driver, self.id)

    def __repr__(self) -> str:
        return f"<UserHandle {self.id} {self.first_name}>"

    @property
    def last_reply(self) -> SentMessage | None:
        """Latest (non-deleted) bot message in this user's private chat."""
        return self.chat.last_message

    @property
    def messages(self) -> list[SentMessage]:
        return self.chat.messages

    def block(self) -> None:
        """Block the bot silently (sends now answer 403); see :meth:`stop_bot`."""
        self._driver.server.block(self.id)

    def unblock(self) -> None:
        self._driver.server.unblock(self.id)

    async def stop_bot(self) -> Replies:
        """Block the bot and deliver the ``my_chat_member`` update Telegram sends for it."""
        self.block()
        return await self._my_chat_member("member", "kicked")

    async def restart_bot(self) -> Replies:
        """Unblock the bot and deliver the matching ``my_chat_member`` update."""
        self.unblock()
        return await self._my_chat_member("kicked", "member")

    async def _my_chat_member(self, old: str, new: str) -> Replies:
        return await self._driver.my_chat_member(self.id, self, old, new)

    def _chat_id(self, chat: ChatHandle | int | None) -> int:
        if chat is None:
            return self.id
        return chat.id if isinstance(chat, ChatHandle) else chat

    async def send(
        self,
        text: str,
        chat: ChatHandle | int | None = None,
        *,
        reply_to: SentMessage | None = None,
        topic: int | None = None,
    ) -> Replies:
        """Send a text message (commands get bot_command entities) and process it;
        ``topic``: in that forum topic of ``chat``."""
        content: dict[str, Any] = {"text": text}
        entities = _entities(text)
        if entities:
            content["entities"] = entities
        return await self._post(content, chat, reply_to, topic=topic)

    async def reply_to(
        self, message: SentMessage, text: str, chat: ChatHandle | int | None = None
    ) -> Replies:
        """Send ``text`` as a reply to ``message`` (in that message's chat by default)."""
        return await self.send(
            text, chat if chat is not None else message.chat_id, reply_to=message
        )

    async def send_photo(
        self,
        content: bytes = b"\xff\xd8\xff\xe0fake-jpeg",
        *,
        caption: str | None = None,
        chat: ChatHandle | int | None = None,
        filename: str = "photo.jpg",
    ) -> Replies:
        server = self._driver.server
        stored = server.store_upload("photo", content, filename, "image/jpeg")
        data: dict[str, Any] = {"photo": server.file_content("photo", stored)}
        if caption:
            data["caption"] = caption
        return await self._post(data, chat, None, stored)

    async def send_document(
        self,
        filename: str = "file.bin",
        content: bytes = b"",
        *,
        mime_type: str | None = None,
        caption: str | None = None,
        chat: ChatHandle | int | None = None,
    ) -> Replies:
        server = self._driver.server
        stored = server.store_upload("document", content, filename, mime_type)
        data: dict[str, Any] = {"document": server.file_content("document", stored)}
        if caption:
            data["caption"] = caption
        return await self._post(data, chat, None, stored)

    async def _post(
        self,
        content: dict[str, Any],
        chat: ChatHandle | int | None,
        reply_to: SentMessage | None,
        file: StoredFile | None = None,
        *,
        topic: int | None = None,
    ) -> Replies:
        server = self._driver.server
        chat_id = self._chat_id(chat)
        stored = server.add_user_message(
            chat_id,
            self.id,
            content,
            reply_to=reply_to.stored if reply_to else None,
            thread_id=topic,
        )
        stored.file = file
        replies = await self._driver.process({"message": stored.data})
        replies.message = SentMessage(stored, server)
        return replies

    async def forward(self, message: SentMessage, chat: ChatHandle | int | None = None) -> Replies:
        """Forward ``message`` (text, entities and files kept) into ``chat`` as this user."""
        source = message.stored
        content = {
            k: v
            for k, v in source.data.items()
            if k in ("text", "entities", "photo", "document", "caption", "caption_entities")
        }
        origin = source.data.get("from", {})
        content["forward_origin"] = (
            {"type": "user", "sender_user": dict(origin), "date": source.data["date"]}
            if origin
            else {"type": "hidden_user", "sender_user_name": "?", "date": source.data["date"]}
        )
        return await self._post(content, chat, None, source.file)

    async def edit(self, message: SentMessage, text: str) -> Replies:
        """Edit one of this user's messages and deliver an ``edited_message`` update."""
        if message.stored.sender_id != self.id:
            raise EmulatorError("users can only edit their own messages")
        stored = message.stored
        stored.history.append(dict(stored.data))
        stored.data["text"] = text
        entities = _entities(text)
        if entities:
            stored.data["entities"] = entities
        else:
            stored.data.pop("entities", None)
        stored.data["edit_date"] = self._driver.clock.unix()
        stored.edits += 1
        return await self._driver.process({"edited_message": stored.data})

    def _find_message(self, text: str, chat: ChatHandle | int | None) -> SentMessage:
        chat_id = self._chat_id(chat)
        server = self._driver.server
        for stored in reversed(server.sent(chat_id, include_deleted=False)):
            msg = SentMessage(stored, server)
            if _find_button(msg.buttons, text) is not None:
                return msg
        raise EmulatorError(f"no bot message in chat {chat_id} has a button {text!r}")

    async def press(
        self,
        text: str,
        *,
        chat: ChatHandle | int | None = None,
        message: SentMessage | None = None,
    ) -> CallbackResult:
        """Press the inline button labelled ``text`` on the latest message that has it."""
        msg = message or self._find_message(text, chat)
        button = msg.button(text)
        if button.callback_data is None:
            raise EmulatorError(f"button {text!r} has no callback_data: {button.raw}")
        return await self.press_data(button.callback_data, message=msg)

    async def press_data(
        self,
        data: str,
        *,
        message: SentMessage | None = None,
        chat: ChatHandle | int | None = None,
    ) -> CallbackResult:
        """Send a callback query with arbitrary data (forged or stale buttons)."""
        server = self._driver.server
        if message is None:
            sent = server.sent(self._chat_id(chat), include_deleted=False)
            if not sent:
                raise EmulatorError("no bot message to attach the callback query to")
            message = SentMessage(sent[-1], server)
        query = server.new_callback_query(self.id, message.stored, data)
        chat_id = message.chat_id
        payload: dict[str, Any] = {
            "id": query.id,
            "from": dict(self.data),
            "chat_instance": f"ci{chat_id}",
            "data": data,
        }
        inline_id = message.stored.inline_message_id
        if inline_id and not message.from_bot:
            payload["inline_message_id"] = inline_id  # button on a message sent "via" the bot
        elif message.deleted:
            payload["message"] = {
                "chat": server.chats[chat_id].public(),
                "message_id": message.message_id,
                "date": 0,
            }
        else:
            payload["message"] = message.data
        replies = await self._driver.process({"callback_query": payload})
        return CallbackResult(
            query_id=query.id,
            answered=query.answered,
            answer_text=query.text,
            show_alert=query.show_alert,
            url=query.url,
            replies=replies,
        )

    async def inline(
        self, query: str, *, offset: str = "", chat_type: str = "private"
    ) -> list[dict[str, Any]]:
        """Type an inline query; return the results the bot answered with."""
        server = self._driver.server
        state = server.new_inline_query(self.id, query)
        payload = {
            "id": state.id,
            "from": dict(self.data),
            "query": query,
            "offset": offset,
            "chat_type": chat_type,
        }
        await self._driver.process({"inline_query": payload})
        self._driver.last_inline = state
        return list(state.results)

    async def choose_inline(
        self, result: dict[str, Any], chat: ChatHandle | int | None = None
    ) -> Replies:
        """Pick an inline result: post it "via_bot" into ``chat`` and notify the bot."""
        server = self._driver.server
        state = self._driver.last_inline
        posted = server.post_inline_result(self.id, self._chat_id(chat), result)
        payload: dict[str, Any] = {
            "result_id": result["id"],
            "from": dict(self.data),
            "query": state.query if state else "",
        }
        if posted.inline_message_id:
            payload["inline_message_id"] = posted.inline_message_id
        replies = await self._driver.process({"chosen_inline_result": payload})
        replies.message = SentMessage(posted, server)
        return replies


def _entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram computes for a user's plain text (commands, mentions, urls)."""
    found: list[dict[str, Any]] = []
    for regex, kind in ((_COMMAND_RE, "bot_command"), (_MENTION_RE, "mention"), (_URL_RE, "url")):
        for m in regex.finditer(text):
            if kind == "mention" and m.start() > 0 and text[m.start() - 1] not in " \n\t(":
                continue
            found.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[: m.start()]),
                    "length": utf16_len(m.group(0)),
                }
            )
    found.sort(key=lambda e: e["offset"])
    return found


class Driver:
    """Runs a PTB ``Application`` against a :class:`BotAPIServer` and plays users.

    ``async with Driver(app, server) as d`` initialises and starts the app (no polling) and
    stops it on exit.  ``raise_errors``: re-raise handler exceptions after each action.
    ``fail_on_rejected``: raise :class:`EmulatorError` when the server answered 400/404
    during an action (403/429 are situations the bot must handle, so they never trigger it).
    """

    def __init__(
        self,
        app: Application,
        server: BotAPIServer,
        *,
        raise_errors: bool = True,
        fail_on_rejected: bool = True,
        autorun_jobs: bool = False,
    ) -> None:
        self.app = app
        # Scheduled jobs run only through run_jobs() unless asked: tests stay deterministic.
        self.autorun_jobs = autorun_jobs
        self.server = server
        self.raise_errors = raise_errors
        self.fail_on_rejected = fail_on_rejected
        self.errors: list[BaseException] = []
        self.last_inline: Any = None
        self._allow: Rejections | None = None
        self._user_seq = 1000
        self._group_seq = 0
        self._started = False
        self._submitted: set[asyncio.Future] = set()
        # First in line: the bot's own error handler may stop the ones after it.
        others = dict(app.error_handlers)
        app.error_handlers.clear()
        app.add_error_handler(self._on_error)
        app.error_handlers.update(others)

    @property
    def clock(self) -> Clock:
        return self.server.clock

    async def __aenter__(self) -> Driver:
        await self.app.initialize()
        # run_polling/run_webhook call post_init between initialize and start:
        # do the same, so what the bot sets up at start is exercised too.
        if self.app.post_init is not None:
            await self.app.post_init(self.app)
        await self.app.start()
        inbox = self.app.bot_data.get(INBOX_KEY)
        if inbox is not None:
            # Telegram never reuses an update id; a fresh emulator on an old database would.
            self.server.skip_update_ids(inbox.last_update_id())
        if not self.autorun_jobs and self.app.job_queue is not None:
            self.app.job_queue.scheduler.pause()
        self._started = True
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._started:
            inbox = self.app.bot_data.get(INBOX_KEY)
            if inbox is not None:
                await inbox.idle()
            await self._drain()
            await self.app.stop()
            if self.app.post_stop is not None:
                await self.app.post_stop(self.app)
            await self.app.shutdown()
            if self.app.post_shutdown is not None:
                await self.app.post_shutdown(self.app)
            self._started = False

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if context.error is not None:
            self.errors.append(context.error)

    # ---------------------------------------------------------------- world building

    def user(
        self,
        first_name: str,
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "en",
        is_premium: bool = False,
        user_id: int | None = None,
    ) -> UserHandle:
        """Create a user (ids 1001, 1002, ...) with a private chat with the bot."""
        if user_id is None:
            self._user_seq += 1
            user_id = self._user_seq
        data = self.server.add_user(
            user_id,
            first_name,
            username=username,
            last_name=last_name,
            language_code=language_code,
            is_premium=is_premium,
        )
        return UserHandle(self, data)

    def group(
        self,
        title: str,
        *,
        members: Sequence[UserHandle] = (),
        admins: Sequence[UserHandle] = (),
        owner: UserHandle | None = None,
        bot_is_admin: bool = False,
        username: str | None = None,
        chat_id: int | None = None,
    ) -> ChatHandle:
        """Create a basic group (negative id) containing the bot."""
        return self._group("group", title, members, admins, owner, bot_is_admin, username, chat_id)

    def supergroup(
        self,
        title: str,
        *,
        members: Sequence[UserHandle] = (),
        admins: Sequence[UserHandle] = (),
        owner: UserHandle | None = None,
        bot_is_admin: bool = False,
        username: str | None = None,
        chat_id: int | None = None,
        is_forum: bool = False,
    ) -> ChatHandle:
        """Create a supergroup (id -100...) containing the bot; with ``is_forum`` it has
        topics (add them with ``.topic(name)``)."""
        return self._group(
            "supergroup",
            title,
            members,
            admins,
            owner,
            bot_is_admin,
            username,
            chat_id,
            is_forum=is_forum,
        )

    def forum(self, title: str, **people: Any) -> ChatHandle:
        """A supergroup with topics: ``supergroup(title, is_forum=True, ...)``."""
        return self.supergroup(title, is_forum=True, **people)

    def _group(
        self,
        kind: str,
        title: str,
        members: Sequence[UserHandle],
        admins: Sequence[UserHandle],
        owner: UserHandle | None,
        bot_is_admin: bool,
        username: str | None,
        chat_id: int | None,
        *,
        is_forum: bool = False,
    ) -> ChatHandle:
        if chat_id is None:
            self._group_seq += 1
            base = 5000 + self._group_seq
            chat_id = -(1_000_000_000_000 + base) if kind == "supergroup" else -base
        self.server.add_chat(
            chat_id,
            kind,
            title,
            members={u.id for u in members},
            admins={u.id for u in admins},
            owner=owner.id if owner else None,
            bot_admin=bot_is_admin,
            username=username,
            is_forum=is_forum,
        )
        return ChatHandle(self, chat_id)

    async def my_chat_member(self, chat_id: int, by: UserHandle, old: str, new: str) -> Replies:
        """Deliver the ``my_chat_member`` update for the bot's status change in a chat."""
        server = self.server
        bot = {k: server.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}
        members: list[dict[str, Any]] = []
        for status in (old, new):
            member: dict[str, Any] = {"status": status, "user": bot}
            if status == "kicked":
                member["until_date"] = 0
            elif status == "administrator":
                member = _admin(bot)
            members.append(member)
        payload = {
            "chat": server.chats[chat_id].public(),
            "from": dict(by.data),
            "date": self.clock.unix(),
            "old_chat_member": members[0],
            "new_chat_member": members[1],
        }
        return await self.process({"my_chat_member": payload})

    async def upgrade_group(
        self, group: ChatHandle, by: UserHandle, *, announce: bool = True
    ) -> ChatHandle:
        """``by`` upgrades a basic group to a supergroup; returns the supergroup.

        ``announce=False`` delays the two service messages (see :meth:`announce_upgrade`),
        so the bot first learns of the upgrade from a send answered ``ChatMigrated``.
        """
        supergroup = self.server.migrate_to_supergroup(group.id)
        if announce:
            await self.announce_upgrade(group, by)
        return ChatHandle(self, supergroup.id)

    async def announce_upgrade(self, group: ChatHandle, by: UserHandle) -> Replies:
        """Deliver the service messages of an upgrade: ``migrate_to_chat_id`` in the old
        group, then ``migrate_from_chat_id`` in the supergroup."""
        new_id = self.server.chats[group.id].migrated_to
        if new_id is None:
            raise EmulatorError(f"{group!r} was not upgraded")
        old_side = self.server.service_message(group.id, by.id, {"migrate_to_chat_id": new_id})
        new_side = self.server.service_message(new_id, by.id, {"migrate_from_chat_id": group.id})
        replies = await self.process({"message": old_side.data})
        replies.extend(await self.process({"message": new_side.data}))
        return replies

    def chat(self, chat_id: int) -> ChatHandle:
        if chat_id not in self.server.chats:
            raise EmulatorError(f"unknown chat {chat_id}")
        return ChatHandle(self, chat_id)

    # ---------------------------------------------------------------- running

    @contextlib.contextmanager
    def expect_rejections(self) -> Iterator[Rejections]:
        """Allow 400/404 answers inside the block; the yielded object collects them."""
        previous = self._allow
        self._allow = Rejections()
        try:
            yield self._allow
        finally:
            collected = self._allow
            self._allow = previous
            if previous is not None and collected is not None:
                previous.calls.extend(collected.calls)

    async def process(self, payload: dict[str, Any]) -> Replies:
        """Deliver one update (``update_id`` added) and collect the bot's output.

        The update takes the production path: written to the bot's inbox (as
        polling and the webhook do), then handled in its chat's turn.
        """
        return await self._run(self._deliver(payload))

    def submit(self, payload: dict[str, Any]) -> asyncio.Task:
        """Deliver an update without waiting for it: a task that ends once it is handled.

        For tests of what happens while other updates are in flight; collect the
        output afterwards from the chats' messages.
        """
        task = asyncio.ensure_future(self._deliver(payload))
        self._submitted.add(task)
        task.add_done_callback(self._submitted.discard)
        return task

    async def _deliver(self, payload: dict[str, Any]) -> None:
        update_dict = {"update_id": self.server.next_update_id(), **payload}
        update = Update.de_json(update_dict, self.app.bot)
        inbox = self.app.bot_data.get(INBOX_KEY)
        if inbox is None:  # an Application not built by build_application
            await self.app.process_update(update)
        else:
            await inbox.handle(update)

    async def run_jobs(self) -> Replies:
        """Run every job currently in ``app.job_queue`` once (scheduled work in tests)."""
        queue = self.app.job_queue
        if queue is None:
            raise EmulatorError("the Application has no JobQueue (install the job-queue extra)")

        async def run_all() -> None:
            for job in queue.jobs():
                await job.run(self.app)

        return await self._run(run_all())

    async def _run(self, coro: Any) -> Replies:
        events_before = len(self.server.events)
        calls_before = len(self.server.calls)
        errors_before = len(self.errors)
        await coro
        await self._drain()
        replies = Replies()
        seen: set[int] = set()
        for kind, stored in self.server.events[events_before:]:
            if kind == "deleted" or stored.sender_id != self.server.bot_id:
                continue
            if id(stored) not in seen:
                seen.add(id(stored))
                replies.append(SentMessage(stored, self.server))
        self._check(calls_before, errors_before)
        return replies

    async def settle(self) -> Replies:
        """Wait until the bot's inbox is empty (updates submitted without waiting, or
        left by a previous process) and collect what the bot sent meanwhile."""

        async def idle() -> None:
            while self._submitted:
                await asyncio.gather(*list(self._submitted), return_exceptions=True)
            inbox = self.app.bot_data.get(INBOX_KEY)
            if inbox is not None:
                await inbox.idle()

        return await self._run(idle())

    async def _drain(self) -> None:
        """Wait for tasks the app created (non-blocking handlers, create_task)."""
        tasks: set[asyncio.Task] = getattr(self.app, "_Application__create_task_tasks", set())
        for _ in range(100):
            pending = [t for t in tasks if not t.done()]
            if not pending:
                return
            await asyncio.gather(*pending, return_exceptions=True)

    def _check(self, calls_before: int, errors_before: int) -> None:
        # A group upgraded to a supergroup (400 with migrate_to_chat_id) is, like 403
        # and 429, a situation the bot must handle, not a mistake it made.
        rejected = [
            c
            for c in self.server.calls[calls_before:]
            if c.status in (400, 404) and "migrate_to_chat_id" not in (c.parameters or {})
        ]
        if rejected and self._allow is not None:
            self._allow.calls.extend(rejected)
            rejected = []
        new_errors = self.errors[errors_before:]
        cause = new_errors[0] if new_errors else None
        if rejected and self.fail_on_rejected:
            lines = [f"  {c.method}({c.params}) -> {c.status} {c.description}" for c in rejected]
            raise EmulatorError(
                "the server rejected requests the bot made:\n" + "\n".join(lines)
            ) from cause
        if new_errors and self.raise_errors:
            tb = "".join(traceback.format_exception(cause))
            raise HandlerError(f"a handler raised {cause!r}:\n{tb}", cause) from cause
