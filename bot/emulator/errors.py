"""The Bot API's error answers, as the emulated server raises them."""

from __future__ import annotations


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
