"""What the emulated server stores: files, messages, calls, queries and chats, as plain
dataclasses tests can inspect, and the JSON shapes Telegram gives a bot user or admin."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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

    def set_source(
        self, raw: str | None, parse_mode: str | None, markup: dict[str, Any] | None
    ) -> None:
        """Keep what the bot sent as it sent it (tests check the HTML and the keyboard)."""
        self.raw_text = raw
        self.parse_mode = parse_mode
        self.markup = markup


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


def public_bot(user: dict[str, Any]) -> dict[str, Any]:
    return {k: user[k] for k in ("id", "is_bot", "first_name", "username") if k in user}


def admin_member(user: dict[str, Any]) -> dict[str, Any]:
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


def shallow(data: dict[str, Any]) -> dict[str, Any]:
    """A message as embedded in another (Telegram does not nest replies further)."""
    return {k: v for k, v in data.items() if k != "reply_to_message"}
