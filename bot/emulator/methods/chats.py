"""What a bot may ask about chats, their members and files."""

from __future__ import annotations

from typing import Any

from bot.emulator.errors import bad
from bot.emulator.records import (
    ChatState,
    admin_member,
    public_bot,
)
from bot.emulator.state import ServerState


class ChatMethods(ServerState):
    """getChat, getChatMember(s), getChatAdministrators, getChatMemberCount, getFile."""

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
            user = public_bot(self.bot_user)
            if chat.type != "private" and chat.bot_admin:
                return admin_member(user)
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
            return admin_member(dict(user))
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
