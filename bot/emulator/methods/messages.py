"""Sending, editing, deleting, copying, forwarding and pinning messages."""

from __future__ import annotations

from typing import Any

from bot.emulator.errors import ApiError, bad
from bot.emulator.records import (
    ChatState,
    StoredFile,
    StoredMessage,
    UploadedFile,
    shallow,
)
from bot.emulator.state import ServerState
from bot.emulator.validation import (
    check_markup,
    format_text,
)


class MessageMethods(ServerState):
    """sendMessage … unpinAllChatMessages, with the checks they share."""

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
        return shallow(target.data)

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
        self.flood.check(method, chat.id, chat.type, self.rate_limits, self.clock.timestamp())
        if reply is not None:
            content["reply_to_message"] = reply
        if markup and "inline_keyboard" in markup:
            content["reply_markup"] = markup
        msg = self._store(chat, self.bot_user, content)
        msg.set_source(raw, params.get("parse_mode"), markup)
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

    def _api_sendMessage(self, params: dict, files: dict) -> Any:
        markup = params.get("reply_markup")
        check_markup(markup)
        text, entities = format_text(
            params["text"], params.get("parse_mode"), params.get("entities")
        )
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        return self._send("sendMessage", params, content, raw=params["text"], markup=markup)

    def _send_file(self, method: str, kind: str, params: dict, files: dict) -> Any:
        markup = params.get("reply_markup")
        check_markup(markup)
        content: dict[str, Any] = {}
        raw = params.get("caption")
        if raw is not None:
            caption, entities = format_text(
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
        check_markup(markup)
        if "text" not in msg.data:
            raise bad("there is no text in the message to edit")
        text, entities = format_text(
            params["text"], params.get("parse_mode"), params.get("entities")
        )
        result = self._apply_edit(
            msg, {"text": text, "entities": entities or None, "reply_markup": markup}
        )
        msg.set_source(params["text"], params.get("parse_mode"), markup)
        return result

    def _api_editMessageCaption(self, params: dict, files: dict) -> Any:
        msg = self._find_editable(params)
        markup = params.get("reply_markup")
        check_markup(markup)
        if not any(k in msg.data for k in ("photo", "document", "video", "audio", "animation")):
            raise bad("there is no caption in the message to edit")
        raw = params.get("caption", "")
        caption, entities = format_text(
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
        msg.set_source(raw, params.get("parse_mode"), markup)
        return result

    def _api_editMessageReplyMarkup(self, params: dict, files: dict) -> Any:
        msg = self._find_editable(params)
        markup = params.get("reply_markup")
        check_markup(markup)
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
        check_markup(markup)
        content = _copied(source)
        if "caption" in params:
            caption, entities = format_text(
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
        content = _copied(source)
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


def _copied(source: StoredMessage) -> dict[str, Any]:
    """What a copy or a forward carries of a message: its text or file and caption."""
    return {
        k: v
        for k, v in source.data.items()
        if k in ("text", "entities", "photo", "document", "caption", "caption_entities")
    }
